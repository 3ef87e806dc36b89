"""Microsoft.Web as ARM knows it: resource types and api-versions."""

from __future__ import annotations

from azshell.model.types import APP_SERVICE_PLAN_TYPE, WEB_SITE_TYPE
from azshell.planes.catalog import ResourceType, resource_type

_HOOKS = "azshell.services.web.arm"

_WEB_VERSIONS: tuple[str, ...] = (
    "2014-04-01", "2014-06-01", "2014-11-01", "2015-02-01", "2015-04-01", "2015-05-01", "2015-06-01",
    "2015-08-01", "2015-11-01", "2016-03-01", "2016-08-01", "2016-09-01", "2018-02-01", "2018-11-01",
    "2019-08-01", "2020-06-01", "2020-09-01", "2020-10-01", "2020-12-01", "2021-01-01", "2021-01-15",
    "2021-02-01", "2021-03-01", "2022-03-01", "2022-09-01", "2023-01-01", "2023-12-01", "2024-04-01",
    "2024-11-01",
)

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    resource_type(WEB_SITE_TYPE, _WEB_VERSIONS, identity=True, hooks=_HOOKS),
    resource_type("Microsoft.Web/sites/slots", _WEB_VERSIONS, identity=True),
    resource_type("Microsoft.Web/sites/config", _WEB_VERSIONS),
    resource_type(APP_SERVICE_PLAN_TYPE, _WEB_VERSIONS, hooks=_HOOKS),
)
