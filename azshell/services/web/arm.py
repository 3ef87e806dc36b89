"""ARM hooks for App Service: ``Microsoft.Web/sites`` (web and function apps) and ``Microsoft.Web/serverfarms``.

Sites get what ARM shows for them: ``kind`` (``app``, ``functionapp``, with ``,linux`` on Linux),
``state: Running``, ``defaultHostName`` ``{name}.azurewebsites.net``, ``hostNames``, ``enabledHostNames`` (with
the ``.scm`` Kudu name), ``serverFarmId`` (which must name an existing plan), ``siteConfig``, ``httpsOnly``...
Site names are global (they are DNS names): a second site with the same name anywhere answers 409. After every
write the site's App Service identity header is made or rotated (``azshell.model.hosts``) when its identity
changed. Plans get ``sku`` (default Free F1) and ``properties`` (``status: Ready``, ``numberOfSites``...).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azshell.model import hosts as host_store
from azshell.model.types import APP_SERVICE_PLAN_TYPE, WEB_SITE_TYPE
from azshell.planes._shared import arm_error

if TYPE_CHECKING:
    from azshell.model.types import Resource
    from azshell.planes.arm._context import ArmContext
    from azshell.planes.catalog import ResourceType

__all__ = ["prepare", "render", "after_write"]

HOST_SUFFIX = ".azurewebsites.net"
SCM_SUFFIX = ".scm.azurewebsites.net"
KIND_APP = "app"
KIND_FUNCTION_APP = "functionapp"
STATE_RUNNING = "Running"

#: ARM/App Service texts (SEEN in field reports; ``Cannot find ServerFarm`` wording SEEN in az CLI issues).
SITE_NAME_CONFLICT = "Conflict"
SITE_NAME_CONFLICT_TEMPLATE = "Website with given name {name} already exists."
SERVER_FARM_NOT_FOUND = "NotFound"
SERVER_FARM_NOT_FOUND_TEMPLATE = "Cannot find ServerFarm with name {name}."

#: ``-Tier`` of New-AzAppServicePlan → the SKU ARM stores (one small worker).
DEFAULT_PLAN_SKU: dict[str, Any] = {"name": "F1", "tier": "Free", "size": "F1", "family": "F", "capacity": 1}
DEFAULT_SITE_CONFIG: dict[str, Any] = {
    "numberOfWorkers": 1,
    "netFrameworkVersion": "v4.0",
    "alwaysOn": False,
    "http20Enabled": False,
    "minTlsVersion": "1.2",
    "ftpsState": "FtpsOnly",
}


def _is_site(rtype_name: str) -> bool:
    return rtype_name.casefold() == WEB_SITE_TYPE.casefold()


def _site_name(ctx: ArmContext) -> str:
    return ctx.path.names[0] if ctx.path.names else ""


def _check_name_free(ctx: ArmContext, name: str) -> None:
    for site in ctx.world.store.list_resources(type=WEB_SITE_TYPE):
        if site.name.casefold() == name.casefold():
            raise arm_error(409, SITE_NAME_CONFLICT, SITE_NAME_CONFLICT_TEMPLATE.format(name=name))


def _check_farm(ctx: ArmContext, farm_id: str) -> str:
    """The plan's resource ID as stored (404 when no such plan)."""
    found = ctx.world.store.get_resource(farm_id)
    if found is None or found.type.casefold() != APP_SERVICE_PLAN_TYPE.casefold():
        raise arm_error(404, SERVER_FARM_NOT_FOUND,
                        SERVER_FARM_NOT_FOUND_TEMPLATE.format(name=farm_id.rstrip("/").rsplit("/", 1)[-1]))
    return found.id


def prepare(ctx: ArmContext, rtype: ResourceType, body: dict[str, Any], existing: Resource | None,
            properties: dict[str, Any]) -> dict[str, Any]:
    """Fill in the properties ARM computes for a site or a plan before the write."""
    props = dict(properties)
    if not _is_site(rtype.full_type):
        if rtype.full_type.casefold() == APP_SERVICE_PLAN_TYPE.casefold():
            props.setdefault("status", "Ready")
            props.setdefault("maximumNumberOfWorkers", 1)
            props.setdefault("reserved", False)
            props.setdefault("perSiteScaling", False)
        return props
    name = _site_name(ctx)
    if existing is None:
        _check_name_free(ctx, name)
    farm = props.get("serverFarmId")
    if isinstance(farm, str) and farm:
        props["serverFarmId"] = _check_farm(ctx, farm)
    host = f"{name.lower()}{HOST_SUFFIX}"
    props["name"] = name
    props.setdefault("state", STATE_RUNNING)
    props["defaultHostName"] = host
    props["hostNames"] = [host]
    props["enabledHostNames"] = [host, f"{name.lower()}{SCM_SUFFIX}"]
    props.setdefault("enabled", True)
    props.setdefault("usageState", "Normal")
    props.setdefault("availabilityState", "Normal")
    props.setdefault("httpsOnly", False)
    props.setdefault("clientAffinityEnabled", True)
    props["repositorySiteName"] = name
    config = dict(DEFAULT_SITE_CONFIG)
    old_config = existing.properties.get("siteConfig") if existing is not None else None
    if isinstance(old_config, dict):
        config.update(old_config)
    new_config = properties.get("siteConfig")
    if isinstance(new_config, dict):
        config.update(new_config)
    props["siteConfig"] = config
    return props


def after_write(ctx: ArmContext, rtype: ResourceType, saved: Resource) -> None:
    """Make or rotate the site's App Service identity header when its identity changed."""
    if _is_site(rtype.full_type):
        host_store.ensure_identity_header(ctx.world.store, saved.id, saved.identity)


def _kind_after_location(doc: dict[str, Any]) -> dict[str, Any]:
    """ARM writes ``kind`` right after ``location`` (the default ``app`` when none was stored)."""
    out: dict[str, Any] = {}
    for key, value in doc.items():
        if key == "kind":
            continue
        out[key] = value
        if key == "location":
            out["kind"] = doc.get("kind", KIND_APP)
    return out


def render(ctx: ArmContext, res: Resource, doc: dict[str, Any]) -> dict[str, Any]:
    """ARM's JSON for a site (``kind`` default ``app``) or a plan (``sku`` default Free, ``numberOfSites``)."""
    out = _kind_after_location(doc)
    if _is_site(res.type):
        out.setdefault("kind", KIND_APP)
        props = out.get("properties")
        if isinstance(props, dict):
            props["resourceGroup"] = res.resource_group
    elif res.type.casefold() == APP_SERVICE_PLAN_TYPE.casefold():
        out.setdefault("kind", KIND_APP)
        out.setdefault("sku", dict(DEFAULT_PLAN_SKU))
        props = out.get("properties")
        if isinstance(props, dict):
            sites = ctx.world.store.list_resources(sub_id=res.subscription_id, type=WEB_SITE_TYPE)
            props["numberOfSites"] = sum(1 for s in sites
                                         if str(s.properties.get("serverFarmId") or "").casefold()
                                         == res.id.casefold())
            props["resourceGroup"] = res.resource_group
    return out
