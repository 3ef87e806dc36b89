"""``az``: the az CLI commands of the tutorials, over the same ARM, token and Key Vault calls as the Az cmdlets.

Output is az's (JSON with sorted keys, ``-o tsv|table|json|jsonc|none``, ``--query`` JMESPath), one string per
line so ``$x = az vm show ... | ConvertFrom-Json`` works; errors are az's ``ERROR: ...`` lines with its exit codes
in ``$LASTEXITCODE`` (1 error, 2 usage, 3 not found). The account is the session's: off-host the admin user (as
in Cloud Shell); on a host nobody until ``az login --identity``, which asks the host's IMDS endpoint, as
``Connect-AzAccount -Identity`` does.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from azshell.cmdlets._azure import (
    API_COMPUTE,
    API_MANAGED_IDENTITY,
    API_RESOURCE_GROUPS,
    API_WEB,
    AZURE_CLOUD,
    MSI_EXTENSION_LINUX,
    MSI_EXTENSION_PORT,
    MSI_EXTENSION_PUBLISHER,
    MSI_EXTENSION_VERSION,
    MSI_EXTENSION_WINDOWS,
    ROLE_ASSIGNMENTS_PATH,
    UAI_CLIENT_SECRET_URL_TEMPLATE,
    USER_ASSIGNED_IDENTITY_TYPE,
    arm_identity_type_to_az,
)
from azshell.cmdlets._base import AzureRestError, arm_error_parts
from azshell.cmdlets.linux._native import NativeCommand
from azshell.cmdlets.linux.azcli import (
    EXIT_NOT_FOUND,
    EXIT_USAGE,
    AzCliError,
    OptSpec,
    ParsedArgs,
    format_output,
    parse_options,
    run_query,
)
from azshell.cmdlets.services import NotSignedInError, TokenAcquisitionError, hint_of
from azshell.ids import is_guid
from azshell.lang.cmdlet import CmdletError, Example
from azshell.services.authorization.cmdlets import RoleCmdlet, _norm_scope
from azshell.services.compute.cmdlets import NewAzVM, VmCmdlet, _os_type, identity_body
from azshell.services.identity.cmdlets_short import resolve_assignee
from azshell.services.resources.cmdlets import normalize_location

__all__ = ["Az", "AZ_VERSION"]

AZ_VERSION = "2.67.0"
API_KEY_VAULT = "2023-07-01"
API_KEY_VAULT_DATA = "7.4"
KEY_VAULT_RESOURCE = "https://vault.azure.net"
ARM_CLI_RESOURCE = "https://management.core.windows.net/"
RESOURCE_TYPES = {
    "arm": ARM_CLI_RESOURCE,
    "aad-graph": "https://graph.windows.net/",
    "ms-graph": "https://graph.microsoft.com/",
    "batch": "https://batch.core.windows.net/",
    "data-lake": "https://datalake.azure.net/",
    "media": "https://rest.media.azure.net",
    "oss-rdbms": "https://ossrdbms-aad.database.windows.net",
}
PLEASE_LOGIN = "Please run 'az login' to setup account."
MSI_FAILED = "Failed to connect to MSI. Please make sure MSI is configured correctly."
NO_SUBSCRIPTIONS_FOR_MSI = ("No access was configured for the VM, hence no subscriptions were found. If this is "
                            "expected, use '--allow-no-subscriptions' to have tenant level access.")
DEPRECATED_ASSIGN_IDENTITY = ("This command has been deprecated and will be removed in a future release. Use "
                              "'vm identity assign' instead.")
SYSTEM_IDENTITY = "[system]"

O_RG = OptSpec(("--resource-group", "-g"), "rg", required=True)
O_NAME = OptSpec(("--name", "-n"), "name", required=True)
O_LOCATION = OptSpec(("--location", "-l"), "location")
O_TAGS = OptSpec(("--tags",), "tags", "*")


def _rg_of(resource_id: str) -> str | None:
    parts = resource_id.strip("/").split("/")
    if len(parts) > 3 and parts[2].casefold() == "resourcegroups":
        return parts[3]
    return None


def _flatten(data: Any) -> dict[str, Any]:
    """az's view of an ARM resource: ``properties`` lifted to the top, plus ``resourceGroup``."""
    if not isinstance(data, dict):
        return {}
    out = {k: v for k, v in data.items() if k != "properties"}
    props = data.get("properties")
    if isinstance(props, dict):
        for k, v in props.items():
            out.setdefault(k, v)
    rg = _rg_of(str(data.get("id", "")))
    if rg is not None:
        out["resourceGroup"] = rg
    out.setdefault("tags", None)
    return out


def _tags(values: list[str] | None) -> dict[str, str] | None:
    if values is None:
        return None
    out: dict[str, str] = {}
    for v in values:
        k, _, val = v.partition("=")
        out[k] = val
    return out


def _epoch_iso(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC).isoformat()
    return value


Handler = Callable[["Az", ParsedArgs], Any]


class Az(NativeCommand, RoleCmdlet, VmCmdlet):
    name = "az"
    synopsis = "The Azure CLI (the commands of the managed-identity tutorials), answered by the emulated Azure."
    description = (
        "az login [--identity [--username ID]], account show/get-access-token, group create/show/list/delete, "
        "vm create/show/list/update/identity assign|remove|show/assign-identity/extension delete, identity "
        "create/show/list/delete, role assignment create/list/delete, appservice plan create, webapp create/"
        "identity assign|show, keyvault create/show/secret set|show. Global options: --output/-o "
        "json|jsonc|table|tsv|none, --query (JMESPath), --only-show-errors, --debug. Output is az's JSON text "
        "(pipe it to ConvertFrom-Json); errors set $LASTEXITCODE (1 error, 2 usage, 3 not found)."
    )
    outputs = ("System.String",)
    examples = (
        Example("az group create --name myResourceGroup --location westus", "Creates a resource group."),
        Example("az vm create --resource-group myResourceGroup --name myVM --image win2016datacenter "
                "--generate-ssh-keys --assign-identity --admin-username azureuser --admin-password myPassword12",
                "A VM with a system-assigned identity."),
        Example("$token = az account get-access-token --query accessToken -o tsv", "An ARM token as text."),
    )

    def process(self) -> None:
        args = self.arguments()
        try:
            code = self._run(args)
        except AzCliError as e:
            text = e.message if e.raw else f"ERROR: {e.message}"
            self.stderr(text, error=True)
            code = e.code
        self.set_exit_code(code)

    # ------------------------------------------------------------------------------------------ dispatch
    def _run(self, args: list[str]) -> int:
        if not args or args[0] in ("-h", "--help"):
            self.stdout(_group_help(()))
            return 0
        if args[0] == "--version":
            self.stdout(VERSION_TEXT)
            return 0
        path: list[str] = []
        i = 0
        while i < len(args) and not args[i].startswith("-"):
            candidate = (*path, args[i])
            if candidate in COMMANDS or any(k[:len(candidate)] == candidate for k in COMMANDS):
                path.append(args[i])
                i += 1
                continue
            group = " ".join(["az", *path])
            raise AzCliError(f"{group}: '{args[i]}' is not in the '{group}' command group. See '{group} --help'.",
                             EXIT_USAGE, raw=True)
        key = tuple(path)
        if key not in COMMANDS:
            self.stdout(_group_help(key))
            return 0 if any(a in ("-h", "--help") for a in args[i:]) or not args[i:] else EXIT_USAGE
        specs, handler = COMMANDS[key]
        parsed = parse_options(args[i:], specs)
        if parsed.get("help"):
            self.stdout(_command_help(key, specs))
            return 0
        result = self._call(handler, parsed)
        query = parsed.get("query")
        if query:
            result = run_query(str(query), result)
        fmt = str(parsed.get("output") or "json")
        if fmt.startswith("yaml"):
            self.stderr("WARNING: azshell prints YAML output as JSON.")
            fmt = "json"
        if result is not None:
            self.stdout(format_output(result, fmt))
        return 0

    def _call(self, handler: Handler, parsed: ParsedArgs) -> Any:
        try:
            return handler(self, parsed)
        except CmdletError as e:
            raise self._az_error(e) from None
        except NotSignedInError:
            raise AzCliError(PLEASE_LOGIN) from None
        except TokenAcquisitionError as e:
            raise AzCliError(e.message + (f"\nHint: {e.hint}" if e.hint else "")) from None

    @staticmethod
    def _az_error(e: CmdletError) -> AzCliError:
        exc = e.exception
        if isinstance(exc, AzureRestError):
            if exc.code == "NotLoggedIn":
                return AzCliError(PLEASE_LOGIN)
            if exc.status_code == 0 or not exc.code:
                return AzCliError(e.message)
            text = f"({exc.code}) {exc.error_message}\nCode: {exc.code}\nMessage: {exc.error_message}"
            if exc.status_code == 403:
                from azshell.cmdlets._base import test_access_pointer

                pointer = test_access_pointer(exc.error_message)
                if pointer:
                    text += f"\nHint: {pointer}"
            code = EXIT_NOT_FOUND if exc.status_code == 404 else 1
            return AzCliError(text, code)
        if e.message.startswith("Run Connect-AzAccount"):
            return AzCliError(PLEASE_LOGIN)
        return AzCliError(e.message, EXIT_NOT_FOUND if e.category == "ObjectNotFound" else 1)

    # ---------------------------------------------------------------------------------------- helpers
    @property
    def sub(self) -> str:
        return self.subscription_id

    def rg_path(self, rg: str) -> str:
        return f"/subscriptions/{self.sub}/resourceGroups/{rg}"

    def require_group(self, rg: str) -> dict[str, Any]:
        group = self.arm_get(self.rg_path(rg), API_RESOURCE_GROUPS, allow_404=True)
        if not isinstance(group, dict):
            raise AzCliError(f"(ResourceGroupNotFound) Resource group '{rg}' could not be found.\n"
                             f"Code: ResourceGroupNotFound\nMessage: Resource group '{rg}' could not be found.",
                             EXIT_NOT_FOUND)
        return group

    def uai_id(self, rg: str, name_or_id: str) -> str:
        if name_or_id.startswith("/"):
            return name_or_id
        return f"{self.rg_path(rg)}/providers/{USER_ASSIGNED_IDENTITY_TYPE}/{name_or_id}"

    def account_entry(self, *, is_default: bool = True, sub: dict[str, Any] | None = None) -> dict[str, Any]:
        ctx = self.services.context
        acct = ctx.account
        if acct is None:
            raise AzCliError(PLEASE_LOGIN)
        if acct.type == "User":
            user: dict[str, Any] = {"name": acct.id, "type": "user"}
        else:
            info = f"MSIClient-{acct.client_id}" if acct.client_id else "MSI"
            user = {"assignedIdentityInfo": info,
                    "name": "userAssignedIdentity" if acct.client_id else "systemAssignedIdentity",
                    "type": "servicePrincipal"}
        sid = str((sub or {}).get("subscriptionId") or ctx.subscription_id or "")
        name = str((sub or {}).get("displayName") or ctx.subscription_name or "")
        tid = str((sub or {}).get("tenantId") or ctx.tenant_id or acct.tenant_id or "")
        if not sid:
            return {"cloudName": AZURE_CLOUD, "id": tid, "isDefault": True, "name": "N/A(tenant level account)",
                    "state": "Enabled", "tenantId": tid, "user": user}
        return {"cloudName": AZURE_CLOUD, "homeTenantId": tid, "id": sid, "isDefault": is_default,
                "managedByTenants": [], "name": name, "state": str((sub or {}).get("state") or "Enabled"),
                "tenantId": tid, "user": user}

    def subscriptions_list(self) -> list[dict[str, Any]]:
        ctx = self.services.context
        subs = self.services.list_subscriptions(ctx)
        if not subs:
            return [self.account_entry()]
        return [self.account_entry(is_default=str(s.get("subscriptionId")) == ctx.subscription_id, sub=s)
                for s in subs]

    def vm_identity_summary(self, identity: Any) -> dict[str, Any]:
        ident = identity if isinstance(identity, dict) else {}
        uais = ident.get("userAssignedIdentities") or {}
        return {"systemAssignedIdentity": ident.get("principalId") or "",
                "userAssignedIdentities": {k: {"clientId": (v or {}).get("clientId"),
                                               "principalId": (v or {}).get("principalId")}
                                           for k, v in uais.items()}}

    def assign_role(self, principal_id: str, principal_type: str, role_name: str, scope: str) -> dict[str, Any]:
        role = self.find_role_az(role_name)
        base = _norm_scope(scope)
        body = {"properties": {"roleDefinitionId": role.get("id"), "principalId": principal_id,
                               "principalType": principal_type}}
        resp = self.arm_request("PUT", f"{base}/{ROLE_ASSIGNMENTS_PATH}/{uuid.uuid4()}", "2022-04-01", body=body)
        if resp.status_code >= 400:
            self.raise_arm_error(resp)
        data: dict[str, Any] = resp.json()
        return self.assignment_az(data)

    def find_role_az(self, role: str) -> dict[str, Any]:
        try:
            if is_guid(role) or role.startswith("/"):
                return self.find_role(role_id=role)
            return self.find_role(name=role)
        except CmdletError as e:
            if e.error_id == "RoleDefinitionNotFound":
                raise AzCliError(f"Role '{role}' doesn't exist.") from None
            raise

    def assignment_az(self, data: dict[str, Any]) -> dict[str, Any]:
        out = _flatten(data)
        out.pop("tags", None)
        for k in ("condition", "conditionVersion", "createdBy", "createdOn", "delegatedManagedIdentityResourceId",
                  "description", "updatedBy", "updatedOn"):
            out.setdefault(k, None)
        return out

    def get_identity_vm(self, a: ParsedArgs) -> tuple[str, str, dict[str, Any]]:
        rg, name = str(a.get("rg")), str(a.get("name"))
        return rg, name, self.get_vm(rg, name)

    def patch_vm_identity(self, rg: str, name: str, az_type: str, ids: list[str] | None,
                          current: dict[str, Any] | None) -> dict[str, Any]:
        body = {"identity": identity_body(az_type, ids, current)}
        self.arm_patch(self.vm_path(rg, name), API_COMPUTE, body)
        return self.get_vm(rg, name)

    def data_plane(self, method: str, url: str, resource: str, body: Any = None) -> dict[str, Any]:
        token = self.token(resource)
        headers = {"Authorization": f"Bearer {token}"}
        content = None
        if body is not None:
            content = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = "application/json"
        try:
            resp = self.services.http.request(method, url, params={"api-version": API_KEY_VAULT_DATA},
                                              headers=headers, content=content)
        except httpx.HTTPError as e:
            hint = hint_of(e)
            host = httpx.URL(url).host
            raise AzCliError(f"Failed to resolve '{host}' ([Errno -2] Name or service not known)"
                             + (f"\nHint: {hint}" if hint else "")) from None
        if resp.status_code >= 400:
            code, msg = arm_error_parts(resp)
            raise AzCliError(f"({code}) {msg}\nCode: {code}\nMessage: {msg}",
                             EXIT_NOT_FOUND if resp.status_code == 404 else 1)
        data = resp.json() if resp.content else {}
        return data if isinstance(data, dict) else {}


# ------------------------------------------------------------------------------------------------ accounts
def cmd_login(az: Az, a: ParsedArgs) -> Any:
    services = az.services
    if a.get("identity"):
        username = a.get("username")
        client_id: str | None = None
        if username:
            client_id = str(username)
            if client_id.startswith("/") or (is_guid(client_id) and services.directory_object(client_id)):
                found = (services.find_principals(resource_id=_norm_scope(client_id)) if client_id.startswith("/")
                         else [services.directory_object(client_id)])
                if found and getattr(found[0], "app_id", None):
                    client_id = str(found[0].app_id)
        try:
            ctx = services.connect_identity(client_id=client_id)
        except TokenAcquisitionError as e:
            raise AzCliError(f"{MSI_FAILED}\nGet Token request returned: {e.message}"
                             + (f"\nHint: {e.hint}" if e.hint else "")) from None
        if not ctx.subscription_id and not a.get("allow_no_subscriptions"):
            services.sign_out()
            raise AzCliError(NO_SUBSCRIPTIONS_FOR_MSI)
        return az.subscriptions_list()
    services.connect_user(tenant=a.get("tenant"))
    return az.subscriptions_list()


def cmd_logout(az: Az, a: ParsedArgs) -> Any:
    if az.services.context.account is None:
        raise AzCliError("There are no active accounts.")
    az.services.sign_out()
    return None


def cmd_account_show(az: Az, a: ParsedArgs) -> Any:
    return az.account_entry()


def cmd_account_list(az: Az, a: ParsedArgs) -> Any:
    if az.services.context.account is None:
        return []
    return az.subscriptions_list()


def cmd_account_set(az: Az, a: ParsedArgs) -> Any:
    try:
        az.services.set_subscription(str(a.get("subscription")))
    except TokenAcquisitionError:
        raise AzCliError(f"The subscription of '{a.get('subscription')}' doesn't exist in cloud "
                         "'AzureCloud'.") from None
    return None


def cmd_get_access_token(az: Az, a: ParsedArgs) -> Any:
    resource = a.get("resource")
    if not resource and a.get("resource_type"):
        rt = str(a.get("resource_type"))
        if rt not in RESOURCE_TYPES:
            raise AzCliError(f"argument --resource-type: invalid choice: '{rt}' (choose from "
                             + ", ".join(f"'{k}'" for k in RESOURCE_TYPES) + ")", EXIT_USAGE)
        resource = RESOURCE_TYPES[rt]
    if not resource and a.get("scope"):
        scopes = a.get("scope")
        first = str(scopes[0] if isinstance(scopes, list) else scopes)
        resource = first[: -len("/.default")] if first.endswith("/.default") else first
    resource = str(resource or ARM_CLI_RESOURCE)
    info = az.services.get_token_info(resource)
    ctx = az.services.context
    expires = float(info.expires_on)
    return {"accessToken": info.access_token,
            "expiresOn": datetime.fromtimestamp(expires, UTC).strftime("%Y-%m-%d %H:%M:%S.%f"),
            "expires_on": int(expires), "subscription": ctx.subscription_id, "tenant": ctx.tenant_id,
            "tokenType": "Bearer"}


# ---------------------------------------------------------------------------------------- resource groups
def _group(data: Any) -> dict[str, Any]:
    out = dict(data) if isinstance(data, dict) else {}
    out.setdefault("managedBy", None)
    out.setdefault("tags", None)
    out.setdefault("type", "Microsoft.Resources/resourceGroups")
    out.setdefault("properties", {"provisioningState": "Succeeded"})
    return out


def cmd_group_create(az: Az, a: ParsedArgs) -> Any:
    body: dict[str, Any] = {"location": normalize_location(str(a.get("location")))}
    tags = _tags(a.get("tags"))
    if tags is not None:
        body["tags"] = tags
    return _group(az.arm_put(az.rg_path(str(a.get("name"))), API_RESOURCE_GROUPS, body))


def cmd_group_show(az: Az, a: ParsedArgs) -> Any:
    az.require_group(str(a.get("name")))
    return _group(az.arm_get(az.rg_path(str(a.get("name"))), API_RESOURCE_GROUPS))


def cmd_group_list(az: Az, a: ParsedArgs) -> Any:
    return [_group(g) for g in az.arm_list(f"/subscriptions/{az.sub}/resourcegroups", API_RESOURCE_GROUPS)]


def cmd_group_delete(az: Az, a: ParsedArgs) -> Any:
    az.require_group(str(a.get("name")))
    az.arm_delete(az.rg_path(str(a.get("name"))), API_RESOURCE_GROUPS)
    return None


def cmd_group_exists(az: Az, a: ParsedArgs) -> Any:
    return az.arm_get(az.rg_path(str(a.get("name"))), API_RESOURCE_GROUPS, allow_404=True) is not None


# ---------------------------------------------------------------------------------------------------- VMs
def _check_password(password: str) -> None:
    if not 12 <= len(password) <= 123:
        raise AzCliError("The password length must be between 12 and 123")
    classes = sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                   any(c.isdigit() for c in password), any(not c.isalnum() for c in password)))
    if classes < 3:
        raise AzCliError("Password must have the 3 of the following: 1 lower case character, 1 upper case "
                         "character, 1 number and 1 special character")


def _fake_address(seed: str) -> tuple[str, str]:
    h = hashlib.sha256(seed.casefold().encode()).digest()
    mac = "00-0D-3A-" + "-".join(f"{b:02X}" for b in h[:3])
    return mac, f"20.{h[3] % 200 + 10}.{h[4]}.{h[5] % 254 + 1}"


def cmd_vm_create(az: Az, a: ParsedArgs) -> Any:
    rg, name = str(a.get("rg")), str(a.get("name"))
    if a.get("admin_password"):
        _check_password(str(a.get("admin_password")))
    identities = a.get("assign_identity")
    role, scope = a.get("role"), a.get("scope")
    want_system = False
    uai_ids: list[str] = []
    if identities is not None:
        values = [str(v) for v in identities] or [SYSTEM_IDENTITY]
        want_system = any(v.casefold() == SYSTEM_IDENTITY for v in values)
        uai_ids = [az.uai_id(rg, v) for v in values if v.casefold() != SYSTEM_IDENTITY]
    if (role or scope) and identities is None:
        raise AzCliError("usage error: --assign-identity [--scope SCOPE] [--role ROLE]", EXIT_USAGE)
    if (role or scope) and not want_system:
        raise AzCliError("usage error: '--scope'/'--role' is only applicable when assign system identity",
                         EXIT_USAGE)
    if bool(role) != bool(scope):
        raise AzCliError("usage error: please specify both --role and --scope when assigning a role to the "
                         "managed identity", EXIT_USAGE)
    group = az.require_group(rg)
    location = normalize_location(str(a.get("location") or group.get("location") or "eastus"))
    bound: dict[str, Any] = {"Image": a.get("image") or "Win2016Datacenter"}
    if a.get("size"):
        bound["Size"] = a.get("size")
    if want_system and uai_ids:
        bound["IdentityType"], bound["IdentityId"] = "SystemAssignedUserAssigned", uai_ids
    elif want_system:
        bound["IdentityType"] = "SystemAssigned"
    elif uai_ids:
        bound["IdentityType"], bound["IdentityId"] = "UserAssigned", uai_ids
    try:
        body = NewAzVM(az.ctx, bound)._body(name, rg, location, None)
    except CmdletError as e:
        if e.error_id == "InvalidImage":
            raise AzCliError(f"Invalid image \"{a.get('image')}\". Use a valid image URN, custom image name, "
                             "custom image id, VHD blob URI, or pick an image from ['CentOS85Gen2', 'Debian11', "
                             "'Ubuntu2204', 'Ubuntu2404', 'Win2022Datacenter', 'Win2019Datacenter', "
                             "'Win2016Datacenter', 'Win2012R2Datacenter'].") from None
        raise
    if a.get("admin_username"):
        body["properties"]["osProfile"]["adminUsername"] = str(a.get("admin_username"))
    az.arm_put(az.vm_path(rg, name), API_COMPUTE, body)
    vm = az.get_vm(rg, name)
    mac, public_ip = _fake_address(str(vm.get("id", "")))
    out: dict[str, Any] = {"fqdns": "", "id": vm.get("id"), "location": vm.get("location"), "macAddress": mac,
                           "powerState": "VM running", "privateIpAddress": "10.0.0.4",
                           "publicIpAddress": public_ip, "resourceGroup": rg, "zones": ""}
    if identities is not None:
        out["identity"] = az.vm_identity_summary(vm.get("identity"))
        if role and scope:
            pid = str((vm.get("identity") or {}).get("principalId") or "")
            az.assign_role(pid, "ServicePrincipal", str(role), str(scope))
            out["identity"]["role"] = str(role)
            out["identity"]["scope"] = str(scope)
    return out


def cmd_vm_show(az: Az, a: ParsedArgs) -> Any:
    _, _, vm = az.get_identity_vm(a)
    return _flatten(vm)


def cmd_vm_list(az: Az, a: ParsedArgs) -> Any:
    rg = a.get("rg")
    base = az.rg_path(str(rg)) if rg else f"/subscriptions/{az.sub}"
    return [_flatten(v) for v in az.arm_list(f"{base}/providers/Microsoft.Compute/virtualMachines", API_COMPUTE)]


def cmd_vm_delete(az: Az, a: ParsedArgs) -> Any:
    rg, name, _ = az.get_identity_vm(a)
    az.arm_delete(az.vm_path(rg, name), API_COMPUTE)
    return None


def _current_identity(vm: dict[str, Any]) -> tuple[bool, list[str]]:
    ident = vm.get("identity") or {}
    t = str(ident.get("type") or "None").replace(" ", "").casefold()
    return "systemassigned" in t, list((ident.get("userAssignedIdentities") or {}).keys())


def _az_type(system: bool, uais: list[str]) -> str:
    if system and uais:
        return "SystemAssignedUserAssigned"
    if system:
        return "SystemAssigned"
    return "UserAssigned" if uais else "None"


def cmd_vm_identity_assign(az: Az, a: ParsedArgs) -> Any:
    rg, name, vm = az.get_identity_vm(a)
    values = [str(v) for v in (a.get("identities") or [])] or [SYSTEM_IDENTITY]
    system, uais = _current_identity(vm)
    system = system or any(v.casefold() == SYSTEM_IDENTITY for v in values)
    for v in values:
        if v.casefold() != SYSTEM_IDENTITY:
            uid = az.uai_id(rg, v)
            if uid.casefold() not in {u.casefold() for u in uais}:
                uais.append(uid)
    vm = az.patch_vm_identity(rg, name, _az_type(system, uais), uais or None, vm.get("identity"))
    out = az.vm_identity_summary(vm.get("identity"))
    if a.get("role") and a.get("scope") and out["systemAssignedIdentity"]:
        az.assign_role(str(out["systemAssignedIdentity"]), "ServicePrincipal", str(a.get("role")),
                       str(a.get("scope")))
    return out


def cmd_vm_identity_remove(az: Az, a: ParsedArgs) -> Any:
    rg, name, vm = az.get_identity_vm(a)
    values = [str(v) for v in (a.get("identities") or [])] or [SYSTEM_IDENTITY]
    system, uais = _current_identity(vm)
    for v in values:
        if v.casefold() == SYSTEM_IDENTITY:
            system = False
            continue
        uid = az.uai_id(rg, v).casefold()
        if uid not in {u.casefold() for u in uais}:
            raise AzCliError(f"'{v}' is not associated with '{name}'")
        uais = [u for u in uais if u.casefold() != uid]
    vm = az.patch_vm_identity(rg, name, _az_type(system, uais), uais, vm.get("identity"))
    ident = vm.get("identity")
    return ident if isinstance(ident, dict) and ident.get("type", "None") != "None" else None


def cmd_vm_identity_show(az: Az, a: ParsedArgs) -> Any:
    _, _, vm = az.get_identity_vm(a)
    return vm.get("identity")


def cmd_vm_assign_identity(az: Az, a: ParsedArgs) -> Any:
    """The 2017 command: the system identity plus the MSI VM extension, as CLI 2.0.13 did."""
    az.write_warning(DEPRECATED_ASSIGN_IDENTITY)
    rg, name, vm = az.get_identity_vm(a)
    system, uais = _current_identity(vm)
    if not system:
        vm = az.patch_vm_identity(rg, name, _az_type(True, uais), uais or None, vm.get("identity"))
    ext = MSI_EXTENSION_WINDOWS if _os_type(vm) == "Windows" else MSI_EXTENSION_LINUX
    az.arm_put(f"{az.vm_path(rg, name)}/extensions/{ext}", API_COMPUTE, {
        "location": vm.get("location"),
        "properties": {"publisher": MSI_EXTENSION_PUBLISHER, "type": ext, "typeHandlerVersion": MSI_EXTENSION_VERSION,
                       "autoUpgradeMinorVersion": True, "settings": {"port": MSI_EXTENSION_PORT}},
    })
    out = az.vm_identity_summary(vm.get("identity"))
    if a.get("role") and a.get("scope"):
        az.assign_role(str(out["systemAssignedIdentity"]), "ServicePrincipal", str(a.get("role")),
                       str(a.get("scope")))
    return out


def _set_path(doc: dict[str, Any], path: str, value: Any) -> None:
    keys = path.split(".")
    cur: Any = doc
    for k in keys[:-1]:
        nxt = cur.get(k) if isinstance(cur, dict) else None
        if not isinstance(nxt, dict):
            nxt = {}
            cur[k] = nxt
        cur = nxt
    cur[keys[-1]] = value


def _parse_set_value(text: str) -> Any:
    if text == "null":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def cmd_vm_update(az: Az, a: ParsedArgs) -> Any:
    rg, name, vm = az.get_identity_vm(a)
    patch: dict[str, Any] = {}
    top_level = {"identity", "tags", "location", "zones", "plan"}
    for expr in a.get("set") or []:
        path, eq, raw = str(expr).partition("=")
        if not eq:
            raise AzCliError(f"usage error: --set property=value (got '{expr}')", EXIT_USAGE)
        first = path.split(".", 1)[0]
        if first in top_level:
            if first not in patch:
                current = vm.get(first)
                patch[first] = json.loads(json.dumps(current)) if current is not None else {}
            _set_path(patch, path, _parse_set_value(raw))
        else:
            patch.setdefault("properties", {})
            _set_path(patch["properties"], path, _parse_set_value(raw))
    ident = patch.get("identity")
    if isinstance(ident, dict):
        t = str(ident.get("type") or "None")
        uais = ident.get("userAssignedIdentities")
        ids = list(uais.keys()) if isinstance(uais, dict) and "userassigned" in t.casefold() else None
        body = identity_body(arm_identity_type_to_az(t) or t, ids, vm.get("identity"))
        if uais is None and "userassigned" not in t.casefold():
            body.pop("userAssignedIdentities", None)
        patch["identity"] = body
    if patch:
        az.arm_patch(az.vm_path(rg, name), API_COMPUTE, patch)
    return _flatten(az.get_vm(rg, name))


def cmd_vm_extension_delete(az: Az, a: ParsedArgs) -> Any:
    rg, vm_name, ext = str(a.get("rg")), str(a.get("vm_name")), str(a.get("name"))
    az.get_vm(rg, vm_name)
    az.arm_delete(f"{az.vm_path(rg, vm_name)}/extensions/{ext}", API_COMPUTE, allow_404=True)
    return None


def cmd_vm_extension_list(az: Az, a: ParsedArgs) -> Any:
    rg, vm_name = str(a.get("rg")), str(a.get("vm_name"))
    return [_flatten(e) for e in az.arm_list(f"{az.vm_path(rg, vm_name)}/extensions", API_COMPUTE)]


# ----------------------------------------------------------------------------------- user-assigned identities
def _uai(data: Any) -> dict[str, Any]:
    out = _flatten(data)
    out["tags"] = out.get("tags") or {}
    out.pop("provisioningState", None)
    out.setdefault("clientSecretUrl", UAI_CLIENT_SECRET_URL_TEMPLATE.format(
        location=out.get("location"), id=out.get("id"), tid=out.get("tenantId"), oid=out.get("principalId"),
        aid=out.get("clientId")))
    return out


def cmd_identity_create(az: Az, a: ParsedArgs) -> Any:
    rg, name = str(a.get("rg")), str(a.get("name"))
    group = az.require_group(rg)
    body = {"location": normalize_location(str(a.get("location") or group.get("location"))),
            "tags": _tags(a.get("tags")) or {}}
    return _uai(az.arm_put(az.uai_id(rg, name), API_MANAGED_IDENTITY, body))


def cmd_identity_show(az: Az, a: ParsedArgs) -> Any:
    return _uai(az.arm_get(az.uai_id(str(a.get("rg")), str(a.get("name"))), API_MANAGED_IDENTITY))


def cmd_identity_list(az: Az, a: ParsedArgs) -> Any:
    rg = a.get("rg")
    base = az.rg_path(str(rg)) if rg else f"/subscriptions/{az.sub}"
    return [_uai(d) for d in az.arm_list(f"{base}/providers/{USER_ASSIGNED_IDENTITY_TYPE}", API_MANAGED_IDENTITY)]


def cmd_identity_delete(az: Az, a: ParsedArgs) -> Any:
    az.arm_delete(az.uai_id(str(a.get("rg")), str(a.get("name"))), API_MANAGED_IDENTITY)
    return None


# ------------------------------------------------------------------------------------------ role assignments
def _scope(az: Az, a: ParsedArgs) -> str | None:
    if a.get("scope"):
        return _norm_scope(str(a.get("scope")))
    if a.get("rg"):
        return az.rg_path(str(a.get("rg")))
    return None


def cmd_role_assignment_create(az: Az, a: ParsedArgs) -> Any:
    if not a.get("assignee") and not a.get("assignee_object_id"):
        raise AzCliError("usage error: --assignee STRING | --assignee-object-id GUID", EXIT_USAGE)
    if a.get("assignee_object_id"):
        oid = str(a.get("assignee_object_id"))
        principal = az.services.directory_object(oid)
    else:
        try:
            oid, principal = resolve_assignee(az, str(a.get("assignee")))
        except CmdletError:
            raise AzCliError(f"Cannot find user or service principal in graph database for "
                             f"'{a.get('assignee')}'. If the assignee is an appId, make sure the corresponding "
                             "service principal is created with 'az ad sp create --id "
                             f"{a.get('assignee')}'.") from None
    ptype = str(a.get("assignee_principal_type") or (principal.object_type if principal is not None
                                                     else "ServicePrincipal"))
    scope = _scope(az, a) or f"/subscriptions/{az.sub}"
    return az.assign_role(oid, ptype, str(a.get("role")), scope)


def _principal_name(az: Az, oid: str) -> str:
    obj = az.services.directory_object(oid)
    if obj is None:
        return ""
    if getattr(obj, "user_principal_name", None):
        return str(obj.user_principal_name)
    return str(getattr(obj, "app_id", None) or obj.display_name)


def _matching_assignments(az: Az, a: ParsedArgs) -> list[dict[str, Any]]:
    scope = _scope(az, a)
    found = az.list_assignments(scope)
    want_scope = (scope or f"/subscriptions/{az.sub}").casefold()
    if not a.get("all") and not a.get("include_inherited"):
        found = [r for r in found
                 if str((r.get("properties") or {}).get("scope", "")).rstrip("/").casefold() == want_scope]
    elif a.get("all") and not scope:
        found = az.list_assignments(None)
    if a.get("assignee") or a.get("assignee_object_id"):
        oid = str(a.get("assignee_object_id") or "")
        if not oid:
            try:
                oid, _ = resolve_assignee(az, str(a.get("assignee")))
            except CmdletError:
                return []
        found = [r for r in found if str((r.get("properties") or {}).get("principalId", "")).casefold()
                 == oid.casefold()]
    if a.get("role"):
        role_id = str(az.find_role_az(str(a.get("role"))).get("name", "")).casefold()
        found = [r for r in found
                 if str((r.get("properties") or {}).get("roleDefinitionId", "")).rsplit("/", 1)[-1].casefold()
                 == role_id]
    return found


def cmd_role_assignment_list(az: Az, a: ParsedArgs) -> Any:
    out = []
    for r in _matching_assignments(az, a):
        item = az.assignment_az(r)
        item["principalName"] = _principal_name(az, str(item.get("principalId", "")))
        item["roleDefinitionName"] = az.role_name_of(str(item.get("roleDefinitionId", "")))
        out.append(item)
    return out


def cmd_role_assignment_delete(az: Az, a: ParsedArgs) -> Any:
    if a.get("ids"):
        targets = [str(i) for i in a.get("ids")]
    else:
        targets = [str(r.get("id")) for r in _matching_assignments(az, a)]
    if not targets:
        raise AzCliError("No matched assignments were found to delete")
    for rid in targets:
        az.arm_delete(rid, "2022-04-01")
    return None


# ------------------------------------------------------------------------------------------------ App Service
def _web_path(az: Az, rg: str, kind: str, name: str) -> str:
    return f"{az.rg_path(rg)}/providers/Microsoft.Web/{kind}/{name}"


_TIERS = {"F": "Free", "D": "Shared", "B": "Basic", "S": "Standard", "P": "PremiumV2", "I": "Isolated"}


def cmd_plan_create(az: Az, a: ParsedArgs) -> Any:
    rg, name = str(a.get("rg")), str(a.get("name"))
    group = az.require_group(rg)
    sku = str(a.get("sku") or "B1").upper()
    tier = "PremiumV3" if sku.endswith("V3") else _TIERS.get(sku[:1], "Standard")
    body = {"location": normalize_location(str(a.get("location") or group.get("location"))),
            "kind": "linux" if a.get("is_linux") else "app",
            "sku": {"name": sku, "tier": tier, "size": sku, "family": sku[:1], "capacity": 1},
            "properties": {"reserved": bool(a.get("is_linux"))}}
    return _flatten(az.arm_put(_web_path(az, rg, "serverfarms", name), API_WEB, body))


def cmd_webapp_create(az: Az, a: ParsedArgs) -> Any:
    rg, name, plan = str(a.get("rg")), str(a.get("name")), str(a.get("plan"))
    plan_id = plan if plan.startswith("/") else _web_path(az, rg, "serverfarms", plan)
    plan_data = az.arm_get(plan_id, API_WEB, allow_404=True)
    if not isinstance(plan_data, dict):
        raise AzCliError(f"The plan '{plan}' doesn't exist in the resource group '{rg}'.", EXIT_NOT_FOUND)
    body = {"location": plan_data.get("location"), "kind": "app",
            "properties": {"serverFarmId": plan_data.get("id")}}
    return _flatten(az.arm_put(_web_path(az, rg, "sites", name), API_WEB, body))


def _site_identity(data: Any) -> Any:
    ident = (data or {}).get("identity") if isinstance(data, dict) else None
    if not isinstance(ident, dict):
        return None
    out = dict(ident)
    out.setdefault("userAssignedIdentities", None)
    return out


def cmd_webapp_identity_assign(az: Az, a: ParsedArgs) -> Any:
    rg, name = str(a.get("rg")), str(a.get("name"))
    path = _web_path(az, rg, "sites", name)
    site = az.arm_get(path, API_WEB)
    values = [str(v) for v in (a.get("identities") or [])] or [SYSTEM_IDENTITY]
    ident = (site or {}).get("identity") or {}
    system = "systemassigned" in str(ident.get("type") or "").replace(" ", "").casefold()
    uais = list((ident.get("userAssignedIdentities") or {}).keys())
    system = system or any(v.casefold() == SYSTEM_IDENTITY for v in values)
    uais += [az.uai_id(rg, v) for v in values if v.casefold() != SYSTEM_IDENTITY and az.uai_id(rg, v) not in uais]
    body = {"identity": identity_body(_az_type(system, uais), uais or None, ident)}
    az.arm_patch(path, API_WEB, body)
    return _site_identity(az.arm_get(path, API_WEB))


def cmd_webapp_identity_show(az: Az, a: ParsedArgs) -> Any:
    return _site_identity(az.arm_get(_web_path(az, str(a.get("rg")), "sites", str(a.get("name"))), API_WEB))


def cmd_webapp_show(az: Az, a: ParsedArgs) -> Any:
    return _flatten(az.arm_get(_web_path(az, str(a.get("rg")), "sites", str(a.get("name"))), API_WEB))


# ------------------------------------------------------------------------------------------------- Key Vault
def cmd_keyvault_create(az: Az, a: ParsedArgs) -> Any:
    rg, name = str(a.get("rg")), str(a.get("name"))
    group = az.require_group(rg)
    ctx = az.services.context
    oid = ctx.account.object_id if ctx.account is not None else None
    tid = az.tenant_id
    rbac = str(a.get("enable_rbac_authorization") or "false").casefold() == "true"
    policies = [] if rbac or not oid else [{
        "tenantId": tid, "objectId": oid,
        "permissions": {
            "keys": ["all"], "secrets": ["all"], "certificates": ["all"], "storage": ["all"]}}]
    body = {"location": normalize_location(str(a.get("location") or group.get("location"))),
            "properties": {"tenantId": tid, "sku": {"family": "A", "name": "standard"},
                           "accessPolicies": policies, "enableRbacAuthorization": rbac}}
    return _flatten(az.arm_put(f"{az.rg_path(rg)}/providers/Microsoft.KeyVault/vaults/{name}", API_KEY_VAULT, body))


def cmd_keyvault_show(az: Az, a: ParsedArgs) -> Any:
    name = str(a.get("name"))
    rg = a.get("rg")
    if rg:
        return _flatten(az.arm_get(f"{az.rg_path(str(rg))}/providers/Microsoft.KeyVault/vaults/{name}",
                                   API_KEY_VAULT))
    for v in az.arm_list(f"/subscriptions/{az.sub}/providers/Microsoft.KeyVault/vaults", API_KEY_VAULT):
        if str(v.get("name", "")).casefold() == name.casefold():
            return _flatten(v)
    raise AzCliError(f"The Vault '{name}' not found within subscription.", EXIT_NOT_FOUND)


def _secret(data: dict[str, Any]) -> dict[str, Any]:
    attrs = {k: _epoch_iso(v) for k, v in (data.get("attributes") or {}).items()}
    for k in ("enabled", "expires", "notBefore", "recoverableDays", "recoveryLevel", "created", "updated"):
        attrs.setdefault(k, None)
    sid = str(data.get("id", ""))
    return {"attributes": attrs, "contentType": data.get("contentType"), "id": sid, "kid": data.get("kid"),
            "managed": data.get("managed"), "name": sid.split("/secrets/", 1)[-1].split("/", 1)[0] or None,
            "tags": data.get("tags"), "value": data.get("value")}


def cmd_secret_set(az: Az, a: ParsedArgs) -> Any:
    url = f"https://{a.get('vault_name')}.vault.azure.net/secrets/{a.get('name')}"
    return _secret(az.data_plane("PUT", url, KEY_VAULT_RESOURCE, {"value": str(a.get("value") or "")}))


def cmd_secret_show(az: Az, a: ParsedArgs) -> Any:
    url = f"https://{a.get('vault_name')}.vault.azure.net/secrets/{a.get('name')}"
    if a.get("version"):
        url += f"/{a.get('version')}"
    return _secret(az.data_plane("GET", url, KEY_VAULT_RESOURCE))


def cmd_version(az: Az, a: ParsedArgs) -> Any:
    return {"azure-cli": AZ_VERSION, "azure-cli-core": AZ_VERSION, "azure-cli-telemetry": "1.1.0", "extensions": {}}


# -------------------------------------------------------------------------------------------- command table
_VM_TARGET = (O_RG, O_NAME)
_ASSIGN = (OptSpec(("--role",), "role"), OptSpec(("--scope",), "scope"))
COMMANDS: dict[tuple[str, ...], tuple[tuple[OptSpec, ...], Handler]] = {
    ("login",): ((OptSpec(("--identity", "-i"), "identity", "0"), OptSpec(("--username", "-u"), "username"),
                  OptSpec(("--password", "-p"), "password"), OptSpec(("--tenant", "-t"), "tenant"),
                  OptSpec(("--allow-no-subscriptions",), "allow_no_subscriptions", "0"),
                  OptSpec(("--use-device-code",), "device_code", "0"),
                  OptSpec(("--service-principal",), "service_principal", "0")), cmd_login),
    ("logout",): ((OptSpec(("--username",), "username"),), cmd_logout),
    ("version",): ((), cmd_version),
    ("account", "show"): ((), cmd_account_show),
    ("account", "list"): ((OptSpec(("--all",), "all", "0"),), cmd_account_list),
    ("account", "set"): ((OptSpec(("--subscription", "-s", "--name", "-n"), "subscription", required=True),),
                         cmd_account_set),
    ("account", "get-access-token"): ((OptSpec(("--resource",), "resource"),
                                       OptSpec(("--resource-type",), "resource_type"),
                                       OptSpec(("--scope",), "scope", "+"),
                                       OptSpec(("--tenant", "-t"), "tenant")), cmd_get_access_token),
    ("group", "create"): ((O_NAME, OptSpec(("--location", "-l"), "location", required=True), O_TAGS),
                          cmd_group_create),
    ("group", "show"): ((O_NAME,), cmd_group_show),
    ("group", "list"): ((OptSpec(("--tag",), "tag"),), cmd_group_list),
    ("group", "delete"): ((O_NAME, OptSpec(("--yes", "-y"), "yes", "0"), OptSpec(("--no-wait",), "no_wait", "0")),
                          cmd_group_delete),
    ("group", "exists"): ((O_NAME,), cmd_group_exists),
    ("vm", "create"): ((O_RG, O_NAME, OptSpec(("--image",), "image"), O_LOCATION, OptSpec(("--size",), "size"),
                        OptSpec(("--generate-ssh-keys",), "generate_ssh_keys", "0"),
                        OptSpec(("--assign-identity",), "assign_identity", "*"), *_ASSIGN,
                        OptSpec(("--admin-username",), "admin_username"),
                        OptSpec(("--admin-password",), "admin_password"),
                        OptSpec(("--authentication-type",), "authentication_type"),
                        OptSpec(("--public-ip-sku",), "public_ip_sku"), O_TAGS,
                        OptSpec(("--no-wait",), "no_wait", "0")), cmd_vm_create),
    ("vm", "show"): ((*_VM_TARGET, OptSpec(("--show-details", "-d"), "details", "0")), cmd_vm_show),
    ("vm", "list"): ((OptSpec(("--resource-group", "-g"), "rg"),), cmd_vm_list),
    ("vm", "delete"): ((*_VM_TARGET, OptSpec(("--yes", "-y"), "yes", "0")), cmd_vm_delete),
    ("vm", "update"): ((*_VM_TARGET, OptSpec(("--set",), "set", "+")), cmd_vm_update),
    ("vm", "assign-identity"): ((*_VM_TARGET, *_ASSIGN, OptSpec(("--port",), "port")), cmd_vm_assign_identity),
    ("vm", "identity", "assign"): ((*_VM_TARGET, OptSpec(("--identities",), "identities", "+"), *_ASSIGN),
                                   cmd_vm_identity_assign),
    ("vm", "identity", "remove"): ((*_VM_TARGET, OptSpec(("--identities",), "identities", "+")),
                                   cmd_vm_identity_remove),
    ("vm", "identity", "show"): (_VM_TARGET, cmd_vm_identity_show),
    ("vm", "extension", "delete"): ((O_RG, OptSpec(("--vm-name",), "vm_name", required=True), O_NAME),
                                    cmd_vm_extension_delete),
    ("vm", "extension", "list"): ((O_RG, OptSpec(("--vm-name",), "vm_name", required=True)), cmd_vm_extension_list),
    ("identity", "create"): ((O_RG, O_NAME, O_LOCATION, O_TAGS), cmd_identity_create),
    ("identity", "show"): ((O_RG, O_NAME), cmd_identity_show),
    ("identity", "list"): ((OptSpec(("--resource-group", "-g"), "rg"),), cmd_identity_list),
    ("identity", "delete"): ((O_RG, O_NAME), cmd_identity_delete),
    ("role", "assignment", "create"): ((OptSpec(("--assignee",), "assignee"),
                                        OptSpec(("--assignee-object-id",), "assignee_object_id"),
                                        OptSpec(("--assignee-principal-type",), "assignee_principal_type"),
                                        OptSpec(("--role",), "role", required=True), OptSpec(("--scope",), "scope"),
                                        OptSpec(("--resource-group", "-g"), "rg"),
                                        OptSpec(("--description",), "description")), cmd_role_assignment_create),
    ("role", "assignment", "list"): ((OptSpec(("--assignee",), "assignee"),
                                      OptSpec(("--assignee-object-id",), "assignee_object_id"),
                                      OptSpec(("--role",), "role"), OptSpec(("--scope",), "scope"),
                                      OptSpec(("--resource-group", "-g"), "rg"), OptSpec(("--all",), "all", "0"),
                                      OptSpec(("--include-inherited",), "include_inherited", "0")),
                                     cmd_role_assignment_list),
    ("role", "assignment", "delete"): ((OptSpec(("--assignee",), "assignee"),
                                        OptSpec(("--assignee-object-id",), "assignee_object_id"),
                                        OptSpec(("--role",), "role"), OptSpec(("--scope",), "scope"),
                                        OptSpec(("--resource-group", "-g"), "rg"), OptSpec(("--ids",), "ids", "+"),
                                        OptSpec(("--yes", "-y"), "yes", "0"),
                                        OptSpec(("--include-inherited",), "include_inherited", "0")),
                                       cmd_role_assignment_delete),
    ("appservice", "plan", "create"): ((O_NAME, O_RG, OptSpec(("--sku",), "sku"), O_LOCATION,
                                        OptSpec(("--is-linux",), "is_linux", "0")), cmd_plan_create),
    ("webapp", "create"): ((O_NAME, O_RG, OptSpec(("--plan", "-p"), "plan", required=True),
                            OptSpec(("--runtime", "-r"), "runtime")), cmd_webapp_create),
    ("webapp", "show"): ((O_NAME, O_RG), cmd_webapp_show),
    ("webapp", "identity", "assign"): ((O_NAME, O_RG, OptSpec(("--identities",), "identities", "+"), *_ASSIGN),
                                       cmd_webapp_identity_assign),
    ("webapp", "identity", "show"): ((O_NAME, O_RG), cmd_webapp_identity_show),
    ("keyvault", "create"): ((O_NAME, O_RG, O_LOCATION,
                              OptSpec(("--enable-rbac-authorization",), "enable_rbac_authorization", "*")),
                             cmd_keyvault_create),
    ("keyvault", "show"): ((O_NAME, OptSpec(("--resource-group", "-g"), "rg")), cmd_keyvault_show),
    ("keyvault", "secret", "set"): ((OptSpec(("--vault-name",), "vault_name", required=True), O_NAME,
                                     OptSpec(("--value",), "value"),
                                     OptSpec(("--description",), "description")), cmd_secret_set),
    ("keyvault", "secret", "show"): ((OptSpec(("--vault-name",), "vault_name", required=True), O_NAME,
                                      OptSpec(("--version",), "version")), cmd_secret_show),
}

VERSION_TEXT = f"""azure-cli                         {AZ_VERSION}

core                              {AZ_VERSION}
telemetry                          1.1.0

Dependencies:
msal                              1.31.0
azure-mgmt-resource               23.1.1

Python location '/usr/bin/python3'
Extensions directory '/home/azureuser/.azure/cliextensions'

Python (Linux) 3.11.9

Legal docs and information: aka.ms/AzureCliLegal


Your CLI is up-to-date.
"""


def _group_help(path: tuple[str, ...]) -> str:
    prefix = " ".join(["az", *path])
    children = sorted({k[len(path)] for k in COMMANDS if k[:len(path)] == path and len(k) > len(path)})
    lines = ["", "Group", f"    {prefix}", "", "Subgroups and commands:" if path else "Commands:"]
    lines += [f"    {c}" for c in children]
    lines += ["", "(azshell: the az commands of the managed-identity tutorials; global options --output/-o, "
              "--query, --only-show-errors, --debug)", ""]
    return "\n".join(lines)


def _command_help(path: tuple[str, ...], specs: tuple[OptSpec, ...]) -> str:
    lines = ["", "Command", f"    az {' '.join(path)}", "", "Arguments"]
    for s in specs:
        lines.append(f"    {s.label:<30}{' [Required]' if s.required else ''}")
    lines += ["", "Global Arguments", "    --output -o", "    --query", "    --only-show-errors", "    --debug", ""]
    return "\n".join(lines)
