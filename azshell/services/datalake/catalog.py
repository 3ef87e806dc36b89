"""Microsoft.DataLakeStore as ARM knows it: resource types and api-versions."""

from __future__ import annotations

from azshell.model.types import DATA_LAKE_STORE_TYPE
from azshell.planes.catalog import ResourceType, resource_type

_HOOKS = "azshell.services.datalake.arm"

_DATA_LAKE_STORE_VERSIONS: tuple[str, ...] = ("2015-10-01-preview", "2016-11-01")

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    resource_type(DATA_LAKE_STORE_TYPE, _DATA_LAKE_STORE_VERSIONS, identity=True, hooks=_HOOKS),
)
