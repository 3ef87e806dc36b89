"""Microsoft.Storage as ARM knows it: resource types and api-versions."""

from __future__ import annotations

from azshell.model.types import STORAGE_ACCOUNT_TYPE
from azshell.planes.catalog import ResourceType, resource_type

_STORAGE_VERSIONS: tuple[str, ...] = (
    "2015-05-01-preview", "2015-06-15", "2016-01-01", "2016-05-01", "2016-12-01", "2017-06-01", "2017-10-01",
    "2018-02-01", "2018-03-01-preview", "2018-07-01", "2018-11-01", "2019-04-01", "2019-06-01", "2020-08-01-preview",
    "2021-01-01", "2021-02-01", "2021-04-01", "2021-06-01", "2021-08-01", "2021-09-01", "2022-05-01",
    "2022-09-01", "2023-01-01", "2023-04-01", "2023-05-01", "2024-01-01", "2025-01-01",
)

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    resource_type(STORAGE_ACCOUNT_TYPE, _STORAGE_VERSIONS, identity=True),
)
