"""Az.Websites, Az.Functions and Az.Storage for the managed-identity flows, plus stepping onto an app.

``New-AzAppServicePlan``, ``New/Get/Set-AzWebApp`` (``-AssignIdentity``), ``New/Get/Update-AzFunctionApp``
(``-IdentityType``/``-IdentityId``), ``New-AzStorageAccount``, and ``Enter-AzWebApp``/``Enter-AzFunctionApp``
(``Exit-AzWebApp``, ``Exit-AzVM`` and ``exit`` leave). Every call goes through ARM with the current account's
token. On an app, ``$env:IDENTITY_ENDPOINT``/``IDENTITY_HEADER``/``MSI_ENDPOINT``/``MSI_SECRET`` are set as App
Service sets them (when the app has a managed identity), and ``http://localhost:4141/MSI/token`` answers.
"""

from __future__ import annotations

import re
from typing import Any

from azshell.cmdlets._azure import (
    API_RESOURCE_GROUPS,
    API_STORAGE,
    API_WEB,
    APP_SERVICE_PLAN_TYPE,
    APP_SERVICE_TIERS,
    FUNCTION_RUNTIMES,
    PS_APP_SERVICE_PLAN,
    PS_FUNCTION_APP,
    PS_MANAGED_SERVICE_IDENTITY,
    PS_SITE,
    PS_STORAGE_ACCOUNT,
    STORAGE_ACCOUNT_NAME_INVALID,
    STORAGE_ACCOUNT_NOT_FOUND,
    STORAGE_ACCOUNT_TAKEN,
    STORAGE_ACCOUNT_TYPE,
    STORAGE_SKUS,
    WEB_SITE_TYPE,
    arm_identity_type_to_az,
    az_identity_type_to_arm,
)
from azshell.cmdlets._base import AzCmdlet
from azshell.cmdlets._objects import braced, rg_of, tags_table, to_ps, uai_table
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.formatting import ViewTable
from azshell.lang.values import PSHashtable, PSObject
from azshell.services.compute.cmdlets import identity_body
from azshell.services.resources.cmdlets import normalize_location

__all__ = [
    "COMMANDS",
    "COMPLETERS",
    "EnterAzFunctionApp",
    "EnterAzWebApp",
    "ExitAzWebApp",
    "GetAzFunctionApp",
    "GetAzWebApp",
    "NewAzAppServicePlan",
    "NewAzFunctionApp",
    "NewAzStorageAccount",
    "NewAzWebApp",
    "SetAzWebApp",
    "UpdateAzFunctionApp",
    "register_views",
    "site_object",
]

FUNCTION_IDENTITY_TYPES = ("SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned",
                           "SystemAssignedUserAssigned", "None")
FUNCTIONS_EXTENSION_VERSION = "~4"
_STORAGE_NAME_RE = re.compile(r"^[a-z0-9]{3,24}$")
WEBSITE_NOT_FOUND = "The Resource 'Microsoft.Web/sites/{name}' under resource group '{rg}' was not found."
NOT_A_FUNCTION_APP = "'{name}' is a web app, not a function app. Use Get-AzWebApp or Enter-AzWebApp."

VIEWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (PS_SITE, "list",
     ("Name", "State", "HostNames", "RepositorySiteName", "UsageState", "Enabled", "EnabledHostNames",
      "AvailabilityState", "ServerFarmId", "Reserved", "SiteConfig", "ResourceGroup", "DefaultHostName",
      "HttpsOnly", "Identity", "Id", "Kind", "Location", "Type", "Tags")),
    (PS_APP_SERVICE_PLAN, "list",
     ("Name", "Location", "Sku", "NumberOfSites", "Status", "Kind", "ResourceGroup", "Id", "Type")),
    (PS_FUNCTION_APP, "table", ("Name", "ResourceGroupName", "Location", "Kind", "Status", "Runtime",
                                "IdentityType")),
    (PS_STORAGE_ACCOUNT, "table",
     ("StorageAccountName", "ResourceGroupName", "PrimaryLocation", "SkuName", "Kind", "AccessTier",
      "CreationTime", "ProvisioningState", "EnableHttpsTrafficOnly")),
    (PS_MANAGED_SERVICE_IDENTITY, "list", ("Type", "TenantId", "PrincipalId", "UserAssignedIdentities")),
)


# ---------------------------------------------------------------------------------------------- objects
def site_identity_object(identity: Any) -> PSObject | None:
    """ARM ``identity`` of a site → ``ManagedServiceIdentity`` (Type, TenantId, PrincipalId,
    UserAssignedIdentities keyed by resource ID)."""
    if not isinstance(identity, dict):
        return None
    table = uai_table(identity)
    return braced(PSObject([
        ("Type", arm_identity_type_to_az(identity.get("type"))),
        ("TenantId", identity.get("tenantId")),
        ("PrincipalId", identity.get("principalId")),
        ("UserAssignedIdentities", table),
    ], type_names=(PS_MANAGED_SERVICE_IDENTITY, "System.Object")))


def site_object(data: dict[str, Any]) -> PSObject:
    """ARM site JSON → ``PSSite`` (what New/Get/Set-AzWebApp print)."""
    props = data.get("properties") or {}
    rid = str(data.get("id", ""))
    return PSObject([
        ("State", props.get("state")),
        ("HostNames", list(props.get("hostNames") or [])),
        ("RepositorySiteName", props.get("repositorySiteName")),
        ("UsageState", props.get("usageState")),
        ("Enabled", props.get("enabled")),
        ("EnabledHostNames", list(props.get("enabledHostNames") or [])),
        ("AvailabilityState", props.get("availabilityState")),
        ("ServerFarmId", props.get("serverFarmId")),
        ("Reserved", bool(props.get("reserved", False))),
        ("SiteConfig", to_ps(props.get("siteConfig"))),
        ("ClientAffinityEnabled", props.get("clientAffinityEnabled")),
        ("ResourceGroup", props.get("resourceGroup") or rg_of(rid)),
        ("DefaultHostName", props.get("defaultHostName")),
        ("HttpsOnly", props.get("httpsOnly")),
        ("Identity", site_identity_object(data.get("identity"))),
        ("Id", rid),
        ("Name", data.get("name", "")),
        ("Kind", data.get("kind", "app")),
        ("Location", data.get("location", "")),
        ("Type", data.get("type", WEB_SITE_TYPE)),
        ("Tags", tags_table(data.get("tags"))),
    ], type_names=(PS_SITE, "System.Object"))


def plan_object(data: dict[str, Any]) -> PSObject:
    props = data.get("properties") or {}
    rid = str(data.get("id", ""))
    return PSObject([
        ("Name", data.get("name", "")),
        ("Location", data.get("location", "")),
        ("Sku", to_ps(data.get("sku"))),
        ("NumberOfSites", props.get("numberOfSites", 0)),
        ("Status", props.get("status", "Ready")),
        ("Kind", data.get("kind", "app")),
        ("Reserved", bool(props.get("reserved", False))),
        ("ResourceGroup", props.get("resourceGroup") or rg_of(rid)),
        ("Id", rid),
        ("Type", data.get("type", APP_SERVICE_PLAN_TYPE)),
    ], type_names=(PS_APP_SERVICE_PLAN, "System.Object"))


def _app_settings(props: dict[str, Any]) -> PSHashtable:
    table = PSHashtable()
    for s in (props.get("siteConfig") or {}).get("appSettings") or []:
        if isinstance(s, dict) and s.get("name"):
            table[str(s["name"])] = s.get("value")
    return table


def function_app_object(data: dict[str, Any]) -> PSObject:
    """ARM site JSON → the Az.Functions ``Site`` object (Name, Status, Runtime, Identity* ...)."""
    props = data.get("properties") or {}
    rid = str(data.get("id", ""))
    ident = data.get("identity") if isinstance(data.get("identity"), dict) else {}
    settings = _app_settings(props)
    farm = str(props.get("serverFarmId") or "")
    storage = ""
    conn = str(settings.get("AzureWebJobsStorage") or "")
    m = re.search(r"AccountName=([^;]+)", conn)
    if m:
        storage = m.group(1)
    kind = str(data.get("kind", "functionapp"))
    uais = ident.get("userAssignedIdentities") if ident else None
    return PSObject([
        ("Name", data.get("name", "")),
        ("ResourceGroupName", props.get("resourceGroup") or rg_of(rid)),
        ("Location", data.get("location", "")),
        ("Kind", kind),
        ("Status", props.get("state")),
        ("OSType", "Linux" if "linux" in kind.casefold() else "Windows"),
        ("Runtime", settings.get("FUNCTIONS_WORKER_RUNTIME")),
        ("IdentityType", arm_identity_type_to_az(ident.get("type")) if ident else None),
        ("IdentityPrincipalId", ident.get("principalId") if ident else None),
        ("IdentityTenantId", ident.get("tenantId") if ident else None),
        ("IdentityUserAssignedIdentity", to_ps(uais) if uais else None),
        ("DefaultHostName", props.get("defaultHostName")),
        ("ServerFarmId", farm),
        ("AppServicePlan", farm.rsplit("/", 1)[-1] if farm else None),
        ("StorageAccountName", storage or None),
        ("ApplicationSettings", settings),
        ("Id", rid),
        ("Type", data.get("type", WEB_SITE_TYPE)),
        ("Tag", tags_table(data.get("tags"))),
    ], type_names=(PS_FUNCTION_APP, "System.Object"))


def storage_object(data: dict[str, Any]) -> PSObject:
    props = data.get("properties") or {}
    rid = str(data.get("id", ""))
    sku = data.get("sku") or {}
    return PSObject([
        ("ResourceGroupName", rg_of(rid)),
        ("StorageAccountName", data.get("name", "")),
        ("Id", rid),
        ("Location", data.get("location", "")),
        ("Sku", to_ps(sku)),
        ("SkuName", sku.get("name") if isinstance(sku, dict) else None),
        ("Kind", data.get("kind", "StorageV2")),
        ("AccessTier", props.get("accessTier")),
        ("CreationTime", props.get("creationTime")),
        ("PrimaryEndpoints", to_ps(props.get("primaryEndpoints"))),
        ("PrimaryLocation", props.get("primaryLocation")),
        ("ProvisioningState", props.get("provisioningState", "Succeeded")),
        ("StatusOfPrimary", props.get("statusOfPrimary")),
        ("EnableHttpsTrafficOnly", props.get("supportsHttpsTrafficOnly", True)),
        ("Tags", tags_table(data.get("tags"))),
    ], type_names=(PS_STORAGE_ACCOUNT, "System.Object"))


# --------------------------------------------------------------------------------------------- base class
class WebCmdlet(AzCmdlet):
    """Shared by the App Service cmdlets: paths and reads through ARM."""

    def rg_path(self, rg: str) -> str:
        return f"/subscriptions/{self.subscription_id}/resourceGroups/{rg}"

    def site_path(self, rg: str, name: str) -> str:
        return f"{self.rg_path(rg)}/providers/{WEB_SITE_TYPE}/{name}"

    def plan_path(self, rg: str, name: str) -> str:
        return f"{self.rg_path(rg)}/providers/{APP_SERVICE_PLAN_TYPE}/{name}"

    def storage_path(self, rg: str, name: str) -> str:
        return f"{self.rg_path(rg)}/providers/{STORAGE_ACCOUNT_TYPE}/{name}"

    def get_site(self, rg: str, name: str) -> dict[str, Any]:
        data = self.arm_get(self.site_path(rg, name), API_WEB)
        return data if isinstance(data, dict) else {}

    def rg_location(self, rg: str) -> str:
        group = self.arm_get(self.rg_path(rg), API_RESOURCE_GROUPS)
        return str((group or {}).get("location") or "westus") if isinstance(group, dict) else "westus"

    def list_sites(self, rg: str | None) -> list[dict[str, Any]]:
        path = (f"{self.rg_path(rg)}/providers/{WEB_SITE_TYPE}" if rg
                else f"/subscriptions/{self.subscription_id}/providers/{WEB_SITE_TYPE}")
        return [d for d in self.arm_list(path, API_WEB) if isinstance(d, dict)]

    def target(self, obj: Any, rg: Any, name: Any) -> tuple[str, str]:
        if isinstance(obj, PSObject):
            rg = rg or obj.get("ResourceGroup") or obj.get("ResourceGroupName") or rg_of(str(obj.get("Id") or ""))
            name = name or obj.get("Name")
        if not rg or not name:
            self.fail("Specify -ResourceGroupName and -Name, or pipe an app object.", error_id="MissingAppTarget")
        return str(rg), str(name)


def _is_function_app(data: dict[str, Any]) -> bool:
    return "functionapp" in str(data.get("kind", "")).casefold()


# ------------------------------------------------------------------------------------------------ plans
class NewAzAppServicePlan(WebCmdlet):
    name = "New-AzAppServicePlan"
    aliases = ("New-AzureRmAppServicePlan",)
    synopsis = "Creates an App Service plan."
    description = ("Creates the plan (Microsoft.Web/serverfarms) through ARM. -Tier picks the pricing tier "
                   "(Free, Shared, Basic, Standard, Premium, PremiumV2, PremiumV3, Isolated...); -Linux makes a "
                   "Linux plan. -Location defaults to the resource group's.")
    supports_should_process = True
    params = (
        Param("ResourceGroupName", "string", position=0, mandatory=True, completer="resource_group"),
        Param("Name", "string", position=1, mandatory=True, completer="app_service_plan"),
        Param("Location", "string", position=2, completer="location"),
        Param("Tier", "string", position=3, validate_set=tuple(APP_SERVICE_TIERS)),
        Param("NumberofWorkers", "int", position=4),
        Param("WorkerSize", "string", position=5, validate_set=("Small", "Medium", "Large", "ExtraLarge")),
        Param("Linux", "switch"),
        Param("PerSiteScaling", "bool"),
        Param("Tag", "hashtable", aliases=("Tags",)),
        Param("AsJob", "switch"),
    )
    outputs = (PS_APP_SERVICE_PLAN,)
    examples = (
        Example("New-AzAppServicePlan -Name myPlan -Location westus -ResourceGroupName myRG -Tier Free",
                "Creates a Free plan for a web app."),
    )

    def process(self) -> None:
        p = self.bound
        rg, name = str(p["ResourceGroupName"]), str(p["Name"])
        location = normalize_location(str(p.get("Location") or self.rg_location(rg)))
        tier = str(p.get("Tier") or "Free")
        tier = next((t for t in APP_SERVICE_TIERS if t.casefold() == tier.casefold()), "Free")
        sku_name, family = APP_SERVICE_TIERS[tier]
        size = str(p.get("WorkerSize") or "Small")
        if size in ("Medium", "Large", "ExtraLarge") and sku_name[-1:].isdigit():
            sku_name = sku_name[:-1] + {"Medium": "2", "Large": "3", "ExtraLarge": "4"}[size]
        workers = int(p.get("NumberofWorkers") or 1)
        linux = bool(p.get("Linux"))
        if not self.should_process(name, "Create App Service plan"):
            return
        body: dict[str, Any] = {
            "location": location,
            "kind": "linux" if linux else "app",
            "sku": {"name": sku_name, "tier": tier, "size": sku_name, "family": family, "capacity": workers},
            "properties": {"reserved": linux, "perSiteScaling": bool(p.get("PerSiteScaling") or False)},
        }
        tag = p.get("Tag")
        if tag is not None:
            body["tags"] = {str(k): str(v) for k, v in tag.items()}
        data = self.arm_put(self.plan_path(rg, name), API_WEB, body)
        self.write(plan_object(data if isinstance(data, dict) else {}))


# --------------------------------------------------------------------------------------------- web apps
class NewAzWebApp(WebCmdlet):
    name = "New-AzWebApp"
    aliases = ("New-AzureRmWebApp",)
    synopsis = "Creates an Azure web app."
    description = ("Creates the site (Microsoft.Web/sites, kind app) on -AppServicePlan (a plan in the same "
                   "group; a Free plan named after the app is created when -AppServicePlan is omitted). The app "
                   "has no managed identity until Set-AzWebApp -AssignIdentity $true.")
    supports_should_process = True
    params = (
        Param("ResourceGroupName", "string", position=0, completer="resource_group"),
        Param("Name", "string", position=1, mandatory=True, completer="webapp"),
        Param("Location", "string", position=2, completer="location"),
        Param("AppServicePlan", "string", position=3, completer="app_service_plan"),
        Param("Tag", "hashtable", aliases=("Tags",)),
        Param("AsJob", "switch"),
    )
    outputs = (PS_SITE,)
    examples = (
        Example("New-AzWebApp -Name myApp -Location westus -AppServicePlan myPlan -ResourceGroupName myRG",
                "Creates myApp on the plan myPlan."),
    )

    def process(self) -> None:
        p = self.bound
        name = str(p["Name"])
        rg = str(p.get("ResourceGroupName") or name)
        group = self.arm_get(self.rg_path(rg), API_RESOURCE_GROUPS, allow_404=True)
        location = p.get("Location") or (group or {}).get("location") or "westus"
        location = normalize_location(str(location))
        if not self.should_process(name, "Create web app"):
            return
        if group is None:
            self.arm_put(self.rg_path(rg), API_RESOURCE_GROUPS, {"location": location})
        plan = str(p.get("AppServicePlan") or "")
        if not plan:
            plan = name
            if self.arm_get(self.plan_path(rg, plan), API_WEB, allow_404=True) is None:
                self.arm_put(self.plan_path(rg, plan), API_WEB, {
                    "location": location, "sku": {"name": "F1", "tier": "Free", "size": "F1", "family": "F",
                                                  "capacity": 1}})
        farm_id = plan if plan.startswith("/subscriptions/") else self.plan_path(rg, plan)
        body: dict[str, Any] = {"location": location, "kind": "app", "properties": {"serverFarmId": farm_id}}
        tag = p.get("Tag")
        if tag is not None:
            body["tags"] = {str(k): str(v) for k, v in tag.items()}
        data = self.arm_put(self.site_path(rg, name), API_WEB, body)
        self.write(site_object(data if isinstance(data, dict) else {}))


class GetAzWebApp(WebCmdlet):
    name = "Get-AzWebApp"
    aliases = ("Get-AzureRmWebApp",)
    synopsis = "Gets Azure web apps."
    description = ("-ResourceGroupName -Name gets one app; -ResourceGroupName alone or no parameter lists apps. "
                   "(Get-AzWebApp ...).Identity.PrincipalId is the object ID of the app's system-assigned "
                   "identity.")
    params = (
        Param("ResourceGroupName", "string", position=0, completer="resource_group",
              value_from_pipeline_by_property_name=True),
        Param("Name", "string", position=1, completer="webapp", value_from_pipeline_by_property_name=True),
        Param("AppServicePlan", "object"),
        Param("Location", "string", completer="location"),
    )
    outputs = (PS_SITE,)
    examples = (
        Example("Get-AzWebApp -ResourceGroupName myRG -Name myApp", "Gets one web app."),
        Example("(Get-AzWebApp -ResourceGroupName myRG -Name myApp).Identity.PrincipalId",
                "The app's managed identity, to grant it roles."),
    )

    def process(self) -> None:
        rg, name = self.bound.get("ResourceGroupName"), self.bound.get("Name")
        if rg and name:
            self.write(site_object(self.get_site(str(rg), str(name))))
            return
        location = self.bound.get("Location")
        found = False
        for data in self.list_sites(str(rg) if rg else None):
            if name and str(data.get("name", "")).casefold() != str(name).casefold():
                continue
            if location and str(data.get("location", "")).casefold() != normalize_location(str(location)):
                continue
            found = True
            self.write(site_object(data))
        if name and not found:
            raise CmdletError(f"The Resource '{WEB_SITE_TYPE}/{name}' was not found.", category="ObjectNotFound",
                              error_id="ResourceNotFound")


def _assign_identity(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in ("true", "1", "$true", "systemassigned"):
        return True
    if text in ("false", "0", "$false", "none", ""):
        return False
    raise CmdletError(
        f"Cannot process argument transformation on parameter 'AssignIdentity'. Cannot convert value "
        f"\"{value}\" to type \"System.Boolean\". Boolean parameters accept only Boolean values and numbers, "
        "such as $True, $False, 1 or 0.", category="InvalidArgument",
        error_id="ParameterArgumentTransformationError")


class SetAzWebApp(WebCmdlet):
    name = "Set-AzWebApp"
    aliases = ("Set-AzureRmWebApp",)
    synopsis = "Modifies an Azure web app."
    description = ("-AssignIdentity $true gives the app a system-assigned managed identity (a service principal "
                   "named after the app); $false removes it (user-assigned identities stay). -AppSettings "
                   "replaces the app settings; -HttpsOnly sets HTTPS-only.")
    supports_should_process = True
    params = (
        Param("ResourceGroupName", "string", position=0, completer="resource_group", parameter_sets=("ByName",),
              mandatory=True),
        Param("Name", "string", position=1, completer="webapp", parameter_sets=("ByName",), mandatory=True),
        Param("WebApp", "object", value_from_pipeline=True, parameter_sets=("ByObject",), mandatory=True),
        Param("AssignIdentity", "object"),
        Param("AppSettings", "hashtable"),
        Param("HttpsOnly", "bool"),
        Param("AsJob", "switch"),
    )
    default_parameter_set = "ByName"
    outputs = (PS_SITE,)
    examples = (
        Example("Set-AzWebApp -AssignIdentity $true -Name myApp -ResourceGroupName myRG",
                "Enables the app's system-assigned managed identity."),
        Example("Set-AzWebApp -AssignIdentity $false -Name myApp -ResourceGroupName myRG",
                "Removes it."),
    )

    def process(self) -> None:
        p = self.bound
        obj = p.get("WebApp") if p.get("WebApp") is not None else self.input
        rg, name = self.target(obj, p.get("ResourceGroupName"), p.get("Name"))
        if not self.should_process(name, "Set web app"):
            return
        current = self.get_site(rg, name)
        body: dict[str, Any] = {}
        assign = _assign_identity(p.get("AssignIdentity")) if "AssignIdentity" in p else None
        if assign is not None:
            ident = current.get("identity") or {}
            uais = ident.get("userAssignedIdentities") or {}
            if assign:
                body["identity"] = {"type": "SystemAssigned, UserAssigned" if uais else "SystemAssigned"}
            else:
                body["identity"] = {"type": "UserAssigned" if uais else "None"}
        props: dict[str, Any] = {}
        settings = p.get("AppSettings")
        if settings is not None:
            props["siteConfig"] = {"appSettings": [{"name": str(k), "value": str(v)} for k, v in settings.items()]}
        if "HttpsOnly" in p:
            props["httpsOnly"] = bool(p.get("HttpsOnly"))
        if props:
            body["properties"] = props
        data = self.arm_patch(self.site_path(rg, name), API_WEB, body) if body else current
        self.write(site_object(data if isinstance(data, dict) else current))


# ---------------------------------------------------------------------------------------- storage accounts
class NewAzStorageAccount(WebCmdlet):
    name = "New-AzStorageAccount"
    aliases = ("New-AzureRmStorageAccount",)
    synopsis = "Creates a storage account."
    description = ("Creates a Microsoft.Storage/storageAccounts resource (StorageV2, HTTPS only). Names are "
                   "global, 3-24 lower-case letters and digits. -Location defaults to the resource group's. "
                   "Function apps keep their state in one (New-AzFunctionApp -StorageAccountName).")
    supports_should_process = True
    params = (
        Param("ResourceGroupName", "string", position=0, mandatory=True, completer="resource_group"),
        Param("Name", "string", position=1, mandatory=True, aliases=("StorageAccountName", "AccountName"),
              completer="storage_account"),
        Param("SkuName", "string", position=2, aliases=("StorageAccountType", "AccountType", "Type"),
              validate_set=STORAGE_SKUS),
        Param("Location", "string", position=3, completer="location"),
        Param("Kind", "string", validate_set=("Storage", "StorageV2", "BlobStorage", "BlockBlobStorage",
                                              "FileStorage")),
        Param("AccessTier", "string", validate_set=("Hot", "Cool", "Cold", "Premium")),
        Param("Tag", "hashtable", aliases=("Tags",)),
        Param("AssignIdentity", "switch"),
    )
    outputs = (PS_STORAGE_ACCOUNT,)
    examples = (
        Example("New-AzStorageAccount -Name mystorageacct -ResourceGroupName myRG -SkuName Standard_LRS "
                "-Location westus", "Creates a general-purpose v2 account."),
    )

    def process(self) -> None:
        p = self.bound
        rg, name = str(p["ResourceGroupName"]), str(p["Name"])
        if not _STORAGE_NAME_RE.match(name):
            raise CmdletError(STORAGE_ACCOUNT_NAME_INVALID.format(name=name), category="InvalidArgument",
                              error_id="AccountNameInvalid")
        sku = str(p.get("SkuName") or "Standard_LRS")
        sku = next((s for s in STORAGE_SKUS if s.casefold() == sku.casefold()), sku)
        location = normalize_location(str(p.get("Location") or self.rg_location(rg)))
        if not self.should_process(name, "Create storage account"):
            return
        if self.arm_get(self.storage_path(rg, name), API_STORAGE, allow_404=True) is None:
            for other in self.arm_list(f"/subscriptions/{self.subscription_id}/providers/{STORAGE_ACCOUNT_TYPE}",
                                       API_STORAGE):
                if isinstance(other, dict) and str(other.get("name", "")).casefold() == name:
                    raise CmdletError(STORAGE_ACCOUNT_TAKEN.format(name=name), category="ResourceExists",
                                      error_id="StorageAccountAlreadyTaken")
        from datetime import UTC, datetime

        created = datetime.fromtimestamp(self.services._now() or 0, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")
        endpoints = {k: f"https://{name}.{k}.core.windows.net/" for k in ("blob", "queue", "table", "file")}
        endpoints["dfs"] = f"https://{name}.dfs.core.windows.net/"
        endpoints["web"] = f"https://{name}.z22.web.core.windows.net/"
        body: dict[str, Any] = {
            "location": location,
            "kind": str(p.get("Kind") or "StorageV2"),
            "sku": {"name": sku, "tier": "Premium" if sku.startswith("Premium") else "Standard"},
            "properties": {
                "accessTier": str(p.get("AccessTier") or "Hot"),
                "supportsHttpsTrafficOnly": True,
                "minimumTlsVersion": "TLS1_2",
                "creationTime": created,
                "primaryEndpoints": endpoints,
                "primaryLocation": location,
                "statusOfPrimary": "available",
            },
        }
        if p.get("AssignIdentity"):
            body["identity"] = {"type": "SystemAssigned"}
        tag = p.get("Tag")
        if tag is not None:
            body["tags"] = {str(k): str(v) for k, v in tag.items()}
        data = self.arm_put(self.storage_path(rg, name), API_STORAGE, body)
        self.write(storage_object(data if isinstance(data, dict) else {}))


# ---------------------------------------------------------------------------------------- function apps
def _identity_arm_type(value: str) -> str:
    return az_identity_type_to_arm(value.replace(" ", ""))


class NewAzFunctionApp(WebCmdlet):
    name = "New-AzFunctionApp"
    aliases = ()
    synopsis = "Creates a function app."
    description = (
        "Creates a function app (Microsoft.Web/sites, kind functionapp) whose state lives in the storage account "
        "-StorageAccountName (it must exist). Without -PlanName it runs on a Consumption plan (created in the "
        "group when missing). -IdentityType SystemAssigned gives it a system-assigned managed identity; "
        "-IdentityType UserAssigned -IdentityId attaches user-assigned identities."
    )
    supports_should_process = True
    params = (
        Param("Name", "string", mandatory=True, completer="functionapp"),
        Param("ResourceGroupName", "string", mandatory=True, completer="resource_group"),
        Param("StorageAccountName", "string", mandatory=True, completer="storage_account"),
        Param("Runtime", "string", mandatory=True, validate_set=FUNCTION_RUNTIMES),
        Param("Location", "string", completer="location"),
        Param("PlanName", "string", completer="app_service_plan"),
        Param("OSType", "string", validate_set=("Windows", "Linux")),
        Param("RuntimeVersion", "string"),
        Param("FunctionsVersion", "string", validate_set=("4",)),
        Param("IdentityType", "string", validate_set=FUNCTION_IDENTITY_TYPES),
        Param("IdentityId", "string[]", completer="identity"),
        Param("AppSetting", "hashtable", aliases=("AppSettings",)),
        Param("Tag", "hashtable", aliases=("Tags",)),
        Param("DisableApplicationInsights", "switch"),
        Param("AsJob", "switch"),
        Param("NoWait", "switch"),
    )
    outputs = (PS_FUNCTION_APP,)
    examples = (
        Example("New-AzFunctionApp -Name myFunc -ResourceGroupName myRG -Location westus "
                "-StorageAccountName mystorage -Runtime PowerShell -IdentityType SystemAssigned",
                "A PowerShell function app with a system-assigned identity."),
        Example("New-AzFunctionApp -Name myFunc -ResourceGroupName myRG -Location westus "
                "-StorageAccountName mystorage -Runtime PowerShell -IdentityType UserAssigned "
                "-IdentityId $userAssignedIdentity.Id", "The same with a user-assigned identity."),
    )

    def _storage_connection(self, rg: str, account: str) -> str:
        data = self.arm_get(self.storage_path(rg, account), API_STORAGE, allow_404=True)
        if data is None:
            for other in self.arm_list(f"/subscriptions/{self.subscription_id}/providers/{STORAGE_ACCOUNT_TYPE}",
                                       API_STORAGE):
                if isinstance(other, dict) and str(other.get("name", "")).casefold() == account.casefold():
                    data = other
                    break
        if data is None:
            raise CmdletError(STORAGE_ACCOUNT_NOT_FOUND.format(name=account), category="InvalidOperation",
                              error_id="StorageAccountNotFound")
        return (f"DefaultEndpointsProtocol=https;AccountName={data.get('name', account)};"
                "AccountKey=<redacted>;EndpointSuffix=core.windows.net")

    def process(self) -> None:
        p = self.bound
        name, rg = str(p["Name"]), str(p["ResourceGroupName"])
        runtime = str(p["Runtime"])
        runtime = next((r for r in FUNCTION_RUNTIMES if r.casefold() == runtime.casefold()), runtime)
        linux = str(p.get("OSType") or ("Linux" if runtime == "Python" else "Windows")).casefold() == "linux"
        if runtime == "Python" and not linux:
            raise CmdletError("Runtime 'Python' is not supported for OS type 'Windows'. Use -OSType Linux.",
                              category="InvalidArgument", error_id="RuntimeNotSupported")
        plan = p.get("PlanName")
        location = p.get("Location")
        if not location and not plan:
            raise CmdletError("Location is required when creating a Consumption function app (-Location), or "
                              "give -PlanName.", category="InvalidArgument", error_id="LocationIsRequired")
        connection = self._storage_connection(rg, str(p["StorageAccountName"]))
        location = normalize_location(str(location or self.rg_location(rg)))
        ids = p.get("IdentityId")
        identity_type = p.get("IdentityType")
        if ids and identity_type is None:
            identity_type = "UserAssigned"
        if not self.should_process(name, "Create function app"):
            return
        if plan:
            farm_id = str(plan) if str(plan).startswith("/subscriptions/") else self.plan_path(rg, str(plan))
        else:
            plan_name = f"{location}{'LinuxDynamicPlan' if linux else 'Plan'}"
            farm_id = self.plan_path(rg, plan_name)
            if self.arm_get(farm_id, API_WEB, allow_404=True) is None:
                self.arm_put(farm_id, API_WEB, {
                    "location": location, "kind": "functionapp",
                    "sku": {"name": "Y1", "tier": "Dynamic", "size": "Y1", "family": "Y", "capacity": 0},
                    "properties": {"reserved": linux}})
        settings = [
            {"name": "AzureWebJobsStorage", "value": connection},
            {"name": "FUNCTIONS_EXTENSION_VERSION", "value": FUNCTIONS_EXTENSION_VERSION},
            {"name": "FUNCTIONS_WORKER_RUNTIME", "value": runtime.casefold()},
        ]
        if not linux:
            settings.append({"name": "WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", "value": connection})
            settings.append({"name": "WEBSITE_CONTENTSHARE", "value": f"{name.casefold()}"})
        extra = p.get("AppSetting")
        if extra is not None:
            settings.extend({"name": str(k), "value": str(v)} for k, v in extra.items())
        body: dict[str, Any] = {
            "location": location,
            "kind": "functionapp,linux" if linux else "functionapp",
            "properties": {"serverFarmId": farm_id, "reserved": linux,
                           "siteConfig": {"appSettings": settings}},
        }
        if identity_type is not None and str(identity_type).casefold() != "none":
            ids_list = [str(i) for i in ids] if ids else None
            body["identity"] = identity_body(_identity_arm_type(str(identity_type)), ids_list, None)
        tag = p.get("Tag")
        if tag is not None:
            body["tags"] = {str(k): str(v) for k, v in tag.items()}
        data = self.arm_put(self.site_path(rg, name), API_WEB, body)
        self.write(function_app_object(data if isinstance(data, dict) else {}))


class GetAzFunctionApp(WebCmdlet):
    name = "Get-AzFunctionApp"
    aliases = ()
    synopsis = "Gets function apps."
    description = ("-ResourceGroupName -Name gets one function app; otherwise lists the function apps of a group "
                   "or the subscription. .IdentityPrincipalId is the object ID of its system-assigned identity.")
    params = (
        Param("Name", "string", position=0, completer="functionapp", value_from_pipeline_by_property_name=True),
        Param("ResourceGroupName", "string", position=1, completer="resource_group",
              value_from_pipeline_by_property_name=True),
        Param("Location", "string", completer="location"),
        Param("SubscriptionId", "string[]", completer="subscription"),
    )
    outputs = (PS_FUNCTION_APP,)
    examples = (
        Example("Get-AzFunctionApp -Name myFunc -ResourceGroupName myRG", "Gets one function app."),
        Example("Get-AzFunctionApp", "Lists the subscription's function apps."),
    )

    def process(self) -> None:
        rg, name = self.bound.get("ResourceGroupName"), self.bound.get("Name")
        if rg and name:
            data = self.get_site(str(rg), str(name))
            if not _is_function_app(data):
                raise CmdletError(NOT_A_FUNCTION_APP.format(name=name), category="InvalidArgument",
                                  error_id="NotAFunctionApp")
            self.write(function_app_object(data))
            return
        location = self.bound.get("Location")
        for data in self.list_sites(str(rg) if rg else None):
            if not _is_function_app(data):
                continue
            if name and str(data.get("name", "")).casefold() != str(name).casefold():
                continue
            if location and str(data.get("location", "")).casefold() != normalize_location(str(location)):
                continue
            self.write(function_app_object(data))


class UpdateAzFunctionApp(WebCmdlet):
    name = "Update-AzFunctionApp"
    aliases = ()
    synopsis = "Updates a function app (its managed identities, plan or tags)."
    description = ("-IdentityType SystemAssigned|UserAssigned|SystemAssigned,UserAssigned|None (with -IdentityId "
                   "for user-assigned identities, replacing the list) changes the app's identities through ARM. "
                   "-Force skips the confirmation.")
    supports_should_process = True
    params = (
        Param("Name", "string", position=0, completer="functionapp", parameter_sets=("ByName",), mandatory=True),
        Param("ResourceGroupName", "string", position=1, completer="resource_group", parameter_sets=("ByName",),
              mandatory=True),
        Param("InputObject", "object", value_from_pipeline=True, parameter_sets=("ByObject",), mandatory=True),
        Param("IdentityType", "string", validate_set=FUNCTION_IDENTITY_TYPES),
        Param("IdentityId", "string[]", completer="identity"),
        Param("PlanName", "string", completer="app_service_plan"),
        Param("Tag", "hashtable", aliases=("Tags",)),
        Param("Force", "switch"),
        Param("AsJob", "switch"),
        Param("NoWait", "switch"),
    )
    default_parameter_set = "ByName"
    outputs = (PS_FUNCTION_APP,)
    examples = (
        Example("Update-AzFunctionApp -Name myFunc -ResourceGroupName myRG -IdentityType None",
                "Removes every managed identity from the app."),
        Example("Update-AzFunctionApp -Name myFunc -ResourceGroupName myRG -IdentityType UserAssigned "
                "-IdentityId $uai.Id -Force", "Uses one user-assigned identity only."),
    )

    def process(self) -> None:
        p = self.bound
        obj = p.get("InputObject") if p.get("InputObject") is not None else self.input
        rg, name = self.target(obj, p.get("ResourceGroupName"), p.get("Name"))
        if not self.should_process(name, "Update function app"):
            return
        current = self.get_site(rg, name)
        if not _is_function_app(current):
            raise CmdletError(NOT_A_FUNCTION_APP.format(name=name), category="InvalidArgument",
                              error_id="NotAFunctionApp")
        body: dict[str, Any] = {}
        identity_type = p.get("IdentityType")
        ids = p.get("IdentityId")
        if identity_type is None and ids:
            identity_type = "UserAssigned"
        if identity_type is not None:
            ids_list = [str(i) for i in ids] if ids else None
            body["identity"] = identity_body(_identity_arm_type(str(identity_type)), ids_list,
                                             current.get("identity"))
        plan = p.get("PlanName")
        if plan:
            body["properties"] = {"serverFarmId": self.plan_path(rg, str(plan))}
        tag = p.get("Tag")
        if tag is not None:
            body["tags"] = {str(k): str(v) for k, v in tag.items()}
        data = self.arm_patch(self.site_path(rg, name), API_WEB, body) if body else current
        self.write(function_app_object(data if isinstance(data, dict) else current))


# ------------------------------------------------------------------------------------------ host context
class _EnterApp(WebCmdlet):
    kind = "webapp"
    params = (
        Param("ResourceGroupName", "string", position=0, completer="resource_group", parameter_sets=("ByName",),
              mandatory=True),
        Param("Name", "string", position=1, completer="webapp", parameter_sets=("ByName",), mandatory=True),
        Param("InputObject", "object", aliases=("WebApp", "FunctionApp"), value_from_pipeline=True,
              parameter_sets=("ByObject",), mandatory=True),
    )
    default_parameter_set = "ByName"
    outputs = ()

    def process(self) -> None:
        from azshell.cmdlets.context import HostEnvironment
        from azshell.services.identity.plane_appservice import host_environment

        current = self.services.current_host
        if current is not None:
            raise CmdletError(
                f"You are already on {current.name}. Use Exit-AzWebApp (or Exit-AzVM, or exit) first.",
                category="InvalidOperation", error_id="AlreadyOnHost")
        obj = self.bound.get("InputObject") if self.bound.get("InputObject") is not None else self.input
        rg, name = self.target(obj, self.bound.get("ResourceGroupName"), self.bound.get("Name"))
        data = self.get_site(rg, name)  # through ARM: a caller who may not read the app cannot enter it
        rid = str(data.get("id") or self.site_path(rg, name))
        is_func = _is_function_app(data)
        if self.kind == "functionapp" and not is_func:
            raise CmdletError(NOT_A_FUNCTION_APP.format(name=name), category="InvalidArgument",
                              error_id="NotAFunctionApp")
        env = host_environment(self.services.world, rid)
        os_type = "Linux" if "linux" in str(data.get("kind", "")).casefold() else "Windows"
        ev = getattr(self.ctx, "ev", None)
        if ev is not None and not isinstance(getattr(ev, "env", None), HostEnvironment):
            # the session has not layered host variables over $env: yet: do it now (see Services.environment)
            ev.env = self.services.environment(ev.env)
        host = self.services.enter_host(rid, name=str(data.get("name") or name), resource_group=rg,
                                        kind="functionapp" if is_func else "webapp", os_type=os_type, env=env)
        if "IDENTITY_ENDPOINT" in env:
            self.ctx.write_host(
                f"Now on {host.name} (App Service). $env:IDENTITY_ENDPOINT = {env['IDENTITY_ENDPOINT']} with "
                "$env:IDENTITY_HEADER (also $env:MSI_ENDPOINT/$env:MSI_SECRET for api-version 2017-09-01). The Az "
                "account is empty here until Connect-AzAccount -Identity. Exit-AzWebApp (or exit) leaves.")
        else:
            self.write_warning(
                f"{host.name} has no managed identity, so App Service sets no IDENTITY_ENDPOINT. Enable one "
                "(Set-AzWebApp -AssignIdentity $true), then leave and enter again.")


class EnterAzWebApp(_EnterApp):
    name = "Enter-AzWebApp"
    aliases = ("Enter-AzureRmWebApp",)
    kind = "webapp"
    synopsis = "Puts the session on a web app, as its Kudu console would."
    description = (
        "Reads the app through ARM with the current account, then puts the session on it: the prompt becomes "
        "[myApp]: PS C:\\home\\site\\wwwroot>, $env:IDENTITY_ENDPOINT, $env:IDENTITY_HEADER, $env:MSI_ENDPOINT "
        "and $env:MSI_SECRET are set as App Service sets them (when the app has a managed identity), and "
        "http://localhost:4141/MSI/token answers for the app's identities (api-version 2019-08-01 with "
        "X-IDENTITY-HEADER, or 2017-09-01 with Secret). Exit-AzWebApp or exit leaves."
    )
    examples = (
        Example("Enter-AzWebApp -ResourceGroupName myRG -Name myApp\n"
                "Invoke-RestMethod -Uri \"$env:IDENTITY_ENDPOINT?resource=https://vault.azure.net&api-version="
                "2019-08-01\" -Headers @{\"X-IDENTITY-HEADER\"=\"$env:IDENTITY_HEADER\"}",
                "Step onto myApp and get a Key Vault token for its identity."),
    )


class EnterAzFunctionApp(_EnterApp):
    name = "Enter-AzFunctionApp"
    aliases = ()
    kind = "functionapp"
    params = (
        Param("ResourceGroupName", "string", position=0, completer="resource_group", parameter_sets=("ByName",),
              mandatory=True),
        Param("Name", "string", position=1, completer="functionapp", parameter_sets=("ByName",), mandatory=True),
        Param("InputObject", "object", aliases=("FunctionApp",), value_from_pipeline=True,
              parameter_sets=("ByObject",), mandatory=True),
    )
    synopsis = "Puts the session on a function app, as code running in it."
    description = EnterAzWebApp.description.replace("web app", "function app").replace("Kudu console would",
                                                                                       "function code runs")
    examples = (
        Example("Enter-AzFunctionApp -ResourceGroupName myRG -Name myFunc\n"
                "Invoke-RestMethod -Uri \"$env:IDENTITY_ENDPOINT?resource=https://management.azure.com/&"
                "api-version=2019-08-01&client_id=$clientId\" -Headers @{\"X-IDENTITY-HEADER\"=\"$env:"
                "IDENTITY_HEADER\"}", "A token for one of the app's user-assigned identities."),
    )


class ExitAzWebApp(WebCmdlet):
    name = "Exit-AzWebApp"
    aliases = ("Exit-AzFunctionApp",)
    synopsis = "Leaves the web or function app the session is on."
    description = "Ends what Enter-AzWebApp or Enter-AzFunctionApp started (Exit-AzVM and exit do the same)."
    params = ()
    outputs = ()
    examples = (Example("Exit-AzWebApp", "Back to Cloud Shell; the app's variables are gone from $env:."),)

    def process(self) -> None:
        self.services.exit_host()


# ------------------------------------------------------------------------------------------- completion
def _names(services: Any, rtype: str, keep: Any = None) -> list[str]:
    from azshell.cmdlets.completers import subscription_id

    out = []
    for r in services.store.list_resources(subscription_id(services), None, rtype):
        if keep is None or keep(r):
            out.append(r.name)
    return out


def _is_func_res(r: Any) -> bool:
    return "functionapp" in str((r.extra or {}).get("kind", "")).casefold()


COMPLETERS = {
    "webapp": lambda s: _names(s, WEB_SITE_TYPE, lambda r: not _is_func_res(r)),
    "functionapp": lambda s: _names(s, WEB_SITE_TYPE, _is_func_res),
    "app_service_plan": lambda s: _names(s, APP_SERVICE_PLAN_TYPE),
    "storage_account": lambda s: _names(s, STORAGE_ACCOUNT_TYPE),
}

COMMANDS = (
    NewAzAppServicePlan, NewAzWebApp, GetAzWebApp, SetAzWebApp, NewAzStorageAccount, NewAzFunctionApp,
    GetAzFunctionApp, UpdateAzFunctionApp, EnterAzWebApp, EnterAzFunctionApp, ExitAzWebApp,
)


def register_views(views: ViewTable) -> None:
    for type_name, kind, props in VIEWS:
        views.register(type_name, kind, list(props))
