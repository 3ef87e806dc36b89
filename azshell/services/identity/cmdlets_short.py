"""azshell's short verbs: Enable-Msi, Disable-Msi, Get-Token, New/Get/Remove-RoleAssignment.

They do what the portal (or several Az cmdlets) do in one step, through the same ARM and token endpoints:

* ``Enable-Msi`` is what the 2017 portal's "Managed Service Identity: Yes" did — a system-assigned identity plus
  the MSI VM extension (``ManagedIdentityExtensionForWindows``/``ForLinux``, port 50342);
* ``Get-Token`` asks the token endpoint of the host you are on and returns its JSON answer as an object;
* ``New-RoleAssignment -Assignee`` takes a VM, app or identity *name* (or a UPN, or an object ID).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

import httpx

from azshell.cmdlets._azure import (
    API_AUTHORIZATION,
    API_COMPUTE,
    AZSHELL_MSI_STATUS,
    AZSHELL_TOKEN,
    ENTER_VM_HINT,
    IMDS_API_VERSION,
    MSI_EXTENSION_LINUX,
    MSI_EXTENSION_PUBLISHER,
    MSI_EXTENSION_VERSION,
    MSI_EXTENSION_WINDOWS,
    arm_identity_type_to_az,
)
from azshell.cmdlets._base import category_for_status, reason_phrase
from azshell.cmdlets._objects import rg_of
from azshell.cmdlets.context import hint_of
from azshell.cmdlets.views import ViewSpec, register_table
from azshell.hostnames import (
    ARM_RESOURCE,
    IMDS_HOST,
    IMDS_TOKEN_URL,
    MSI_EXTENSION_PORT,
    MSI_EXTENSION_TOKEN_URL,
)
from azshell.ids import is_guid
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.values import PSObject
from azshell.services.authorization.cmdlets import RoleCmdlet, _guid_of, _norm_scope
from azshell.services.compute.cmdlets import REALISTIC_PARAM, VM_TARGET_PARAMS, VmCmdlet, _os_type

if TYPE_CHECKING:
    from azshell.lang.formatting import ViewTable

__all__ = [
    "DisableMsi",
    "EnableMsi",
    "GetRoleAssignment",
    "GetToken",
    "NewRoleAssignment",
    "RemoveRoleAssignment",
    "resolve_assignee",
]

ENDPOINTS = ("Imds", "Extension", "AppService")
#: the 2019-08-01 App Service identity endpoint api-version (what Az.Accounts and azure-identity send)
APP_SERVICE_TOKEN_API_VERSION = "2019-08-01"
TOKEN_TRACE_TYPE = "Azshell.TokenTrace"


def _msi_status(data: dict[str, Any], extension: str | None) -> PSObject:
    ident = data.get("identity") or {}
    return PSObject([
        ("ResourceGroupName", rg_of(str(data.get("id", "")))),
        ("Name", data.get("name", "")),
        ("IdentityType", arm_identity_type_to_az(ident.get("type")) or "None"),
        ("PrincipalId", ident.get("principalId")),
        ("TenantId", ident.get("tenantId")),
        ("Extension", extension),
        ("TokenEndpoints", [IMDS_TOKEN_URL, MSI_EXTENSION_TOKEN_URL] if extension else [IMDS_TOKEN_URL]
         if ident.get("principalId") else []),
    ], type_names=(AZSHELL_MSI_STATUS, "System.Object"))


def _with_system(arm_type: str | None) -> str:
    t = (arm_type or "None").replace(" ", "").casefold()
    return "SystemAssigned, UserAssigned" if "userassigned" in t else "SystemAssigned"


def _without_system(arm_type: str | None) -> str:
    t = (arm_type or "None").replace(" ", "").casefold()
    return "UserAssigned" if "userassigned" in t else "None"


class EnableMsi(VmCmdlet):
    name = "Enable-Msi"
    synopsis = "Enables a VM's managed identity the 2017 way: system-assigned identity plus the MSI VM extension."
    description = (
        "What the 2017 portal's \"Managed Service Identity: Yes\" did: turns on the VM's system-assigned "
        "identity (a service principal named after the VM) and installs the MSI VM extension "
        "(ManagedIdentityExtensionForWindows or ForLinux, settings {\"port\": 50342}), so on the VM both "
        "http://169.254.169.254/metadata/identity/oauth2/token and http://localhost:50342/oauth2/token answer. "
        "Update-AzVM -IdentityType SystemAssigned does what Azure does today: the identity only (IMDS)."
    )
    supports_should_process = True
    params = (*VM_TARGET_PARAMS, REALISTIC_PARAM)
    default_parameter_set = "ByName"
    outputs = (AZSHELL_MSI_STATUS,)
    examples = (
        Example("Enable-Msi -ResourceGroupName myRG -Name myVM",
                "Identity plus extension; then New-RoleAssignment -Assignee myVM -Role Reader -ResourceGroupName myRG."),
        Example("Get-AzVM -ResourceGroupName myRG -Name myVM | Enable-Msi", "The same, from the pipeline."),
    )

    def process(self) -> None:
        rg, name = self.bound_target()
        if not self.should_process(name, "Enable managed identity and install the MSI VM extension"):
            return
        data = self.get_vm(rg, name)
        ident = data.get("identity") or {}
        if not ident.get("principalId"):
            self.arm_patch(self.vm_path(rg, name), API_COMPUTE, {"identity": {"type": _with_system(ident.get("type"))}})
        ext = MSI_EXTENSION_WINDOWS if _os_type(data) == "Windows" else MSI_EXTENSION_LINUX
        self.arm_put(f"{self.vm_path(rg, name)}/extensions/{ext}", API_COMPUTE, {
            "location": data.get("location"),
            "properties": {
                "publisher": MSI_EXTENSION_PUBLISHER,
                "type": ext,
                "typeHandlerVersion": MSI_EXTENSION_VERSION,
                "autoUpgradeMinorVersion": True,
                "settings": {"port": MSI_EXTENSION_PORT},
            },
        })
        vm = self.get_vm(rg, name)
        if self.bound.get("Realistic"):
            self.realistic_identity(vm, already_on=bool(ident.get("principalId")))
        self.write(_msi_status(vm, ext))


class DisableMsi(VmCmdlet):
    name = "Disable-Msi"
    synopsis = "Removes the MSI VM extension and the VM's system-assigned identity (the reverse of Enable-Msi)."
    description = (
        "Deletes the MSI VM extension and turns the system-assigned identity off (user-assigned identities "
        "stay). The identity's service principal is deleted; its role assignments stay behind, orphaned "
        "(ObjectType Unknown in Get-AzRoleAssignment), as in Azure."
    )
    supports_should_process = True
    params = VM_TARGET_PARAMS
    default_parameter_set = "ByName"
    outputs = (AZSHELL_MSI_STATUS,)
    examples = (Example("Disable-Msi -ResourceGroupName myRG -Name myVM", "Identity and extension gone."),)

    def process(self) -> None:
        rg, name = self.bound_target()
        if not self.should_process(name, "Disable managed identity and remove the MSI VM extension"):
            return
        data = self.get_vm(rg, name)
        for ext in (MSI_EXTENSION_WINDOWS, MSI_EXTENSION_LINUX):
            self.arm_delete(f"{self.vm_path(rg, name)}/extensions/{ext}", API_COMPUTE, allow_404=True)
        ident = data.get("identity") or {}
        if ident.get("principalId"):
            self.arm_patch(self.vm_path(rg, name), API_COMPUTE,
                           {"identity": {"type": _without_system(ident.get("type"))}})
        self.write(_msi_status(self.get_vm(rg, name), None))


class GetToken(VmCmdlet):
    name = "Get-Token"
    synopsis = "Gets an access token from the token endpoint of the host you are on."
    description = (
        "On a host (Enter-AzVM), asks the managed-identity token endpoint — IMDS "
        "(http://169.254.169.254/metadata/identity/oauth2/token), or the 2017 MSI extension "
        "(http://localhost:50342/oauth2/token) with -Endpoint Extension or when IMDS does not answer — and "
        "returns its JSON answer as an object: access_token, client_id, expires_in, expires_on, not_before, "
        "resource, token_type. -ClientId, -ObjectId or -ResourceId pick a user-assigned identity. On an App "
        "Service app it asks IDENTITY_ENDPOINT with the X-IDENTITY-HEADER secret. -Trace shows how the token came "
        "to be instead: the local endpoint, the identity's service principal and its certificate, the "
        "client-credentials request to Entra ID and the JWT, with timings from the event log."
    )
    params = (
        Param("Resource", "string", position=0, completer="token_resource", default=ARM_RESOURCE),
        Param("ClientId", "string", parameter_sets=("ClientId",), completer="identity_client_id"),
        Param("ObjectId", "string", parameter_sets=("ObjectId",), aliases=("PrincipalId",)),
        Param("ResourceId", "string", parameter_sets=("ResourceId",), aliases=("MsiResId",), completer="identity"),
        Param("Endpoint", "string", validate_set=ENDPOINTS),
        Param("Trace", "switch", help="Show the chain that produced the token (endpoint, identity, certificate, "
                                      "Entra ID request, JWT) instead of the token."),
    )
    default_parameter_set = "ClientId"  # none given: the system-assigned identity
    outputs = (AZSHELL_TOKEN, TOKEN_TRACE_TYPE)
    examples = (
        Example("Enter-AzVM -ResourceGroupName myRG -Name myVM\n$t = Get-Token\n$t.access_token",
                "An ARM token for the VM's system-assigned identity."),
        Example("Get-Token -Resource https://vault.azure.net -ClientId $uai.ClientId",
                "A Key Vault token for a user-assigned identity attached to the VM."),
        Example("Get-Token -Trace", "How the token came to be, step by step, with timings."),
    )

    def process(self) -> None:
        host = self.services.current_host
        if host is None:
            raise CmdletError(
                "Get-Token asks the managed-identity token endpoint of the host you are on, and you are not on a "
                f"host.\nHint: {IMDS_HOST} only answers on a VM: {ENTER_VM_HINT}.",
                category="ConnectionError", error_id="NotOnHost")
        p = self.bound
        resource = str(p.get("Resource") or ARM_RESOURCE)
        selector: list[tuple[str, str]] = []
        if p.get("ClientId"):
            selector.append(("client_id", str(p["ClientId"])))
        elif p.get("ObjectId"):
            selector.append(("object_id", str(p["ObjectId"])))
        elif p.get("ResourceId"):
            selector.append(("msi_res_id", str(p["ResourceId"])))
        endpoint = p.get("Endpoint")
        env = self.services.env_overrides()
        app_endpoint, app_header = env.get("IDENTITY_ENDPOINT"), env.get("IDENTITY_HEADER")
        default = ["AppService"] if app_endpoint and app_header else ["Imds", "Extension"]
        order = [str(endpoint)] if endpoint else default
        last_error: CmdletError | None = None
        for which in order:
            headers = {"Metadata": "true"}
            if which.casefold() == "imds":
                api_version = IMDS_API_VERSION
                url = f"{IMDS_TOKEN_URL}?" + urlencode([("api-version", IMDS_API_VERSION), ("resource", resource),
                                                        *selector])
            elif which.casefold() == "appservice":
                if not app_endpoint or not app_header:
                    raise CmdletError(
                        "The App Service identity endpoint answers only on an App Service app with a managed "
                        "identity (IDENTITY_ENDPOINT and IDENTITY_HEADER are not set on this host).",
                        category="ConnectionError", error_id="TokenEndpointUnreachable")
                api_version = APP_SERVICE_TOKEN_API_VERSION
                headers = {"X-IDENTITY-HEADER": app_header}
                url = f"{app_endpoint}?" + urlencode([("api-version", api_version), ("resource", resource),
                                                      *selector])
            else:
                api_version = ""
                url = f"{MSI_EXTENSION_TOKEN_URL}?" + urlencode([("resource", resource), *selector])
            trace = self._trace_start() if p.get("Trace") else None
            try:
                resp = self.services.http.get(url, headers=headers)
            except httpx.HTTPError as e:
                hint = hint_of(e)
                last_error = CmdletError(f"{e}" + (f"\nHint: {hint}" if hint else ""), category="ConnectionError",
                                         error_id="TokenEndpointUnreachable")
                continue
            if resp.status_code != 200:
                text = resp.text.strip()
                raise CmdletError(
                    f"The token endpoint {url.split('?')[0]} answered {resp.status_code} "
                    f"({reason_phrase(resp.status_code)}): {text}",
                    category=category_for_status(resp.status_code), error_id="TokenRequestFailed")
            if trace is not None:
                self.write(self._trace_object(trace, url, api_version, headers, resp, host.name))
                return
            self.write(self._token_object(resp.json()))
            return
        assert last_error is not None
        raise last_error

    def _trace_start(self) -> tuple[int, float, float]:
        """(the newest event's seq, tenant time, wall time) before the request."""
        import time

        world = self.services.world
        newest = world.store.recent_events(None, 1)
        return (newest[-1].seq if newest else 0), float(world.clock.now()), time.perf_counter()

    def _trace_object(self, start: tuple[int, float, float], url: str, api_version: str, headers: dict[str, str],
                      resp: httpx.Response, host_name: str) -> PSObject:
        import time

        from azshell.controls.trace import token_trace

        since, started, wall = start
        elapsed = (time.perf_counter() - wall) * 1000.0
        shown = [f"{k}: {'(the IDENTITY_HEADER secret)' if k.lower() == 'x-identity-header' else v}"
                 for k, v in headers.items()]
        t = token_trace(self.services.world, endpoint=url.split("?")[0], url=url, api_version=api_version,
                        request_headers=shown, answer=resp.json(), status=resp.status_code, since_seq=since,
                        started=started, elapsed_ms=elapsed, host_name=host_name)
        steps = [PSObject([("Step", s.title), ("AtMs", None if s.at_ms is None else round(s.at_ms, 1)),
                           ("Detail", PSObject(list(s.details)))]) for s in t.steps]
        obj = PSObject([
            ("Resource", t.resource), ("Identity", t.identity_name), ("Endpoint", url.split("?")[0]),
            ("ApiVersion", api_version or None), ("Steps", steps), ("ElapsedMs", round(t.elapsed_ms, 1)),
            ("Kid", t.header.get("kid")), ("Audience", t.claims.get("aud")), ("ExpiresOn", t.claims.get("exp")),
            ("AccessToken", resp.json().get("access_token")),
        ], type_names=(TOKEN_TRACE_TYPE, "System.Object"))
        obj.methods["tostring"] = t.text
        obj.methods["tohtml"] = t.html
        return obj

    @staticmethod
    def _token_object(data: dict[str, Any]) -> PSObject:
        keys = ("access_token", "client_id", "expires_in", "expires_on", "not_before", "resource", "token_type")
        obj = PSObject([(k, data.get(k)) for k in keys], type_names=(AZSHELL_TOKEN, "System.Object"))
        for k, v in data.items():
            if k not in keys and k != "refresh_token":
                obj.set(k, v)
        return obj


def _describe(obj: Any) -> str:
    kind = obj.service_principal_type or obj.object_type
    where = obj.resource_id or obj.user_principal_name or obj.app_id or ""
    return f"{obj.display_name} ({kind}, object ID {obj.object_id}{', ' + where if where else ''})"


def resolve_assignee(cmd: RoleCmdlet, assignee: str) -> tuple[str, Any]:
    """(object ID, directory object or None) for a VM/app/identity name, a UPN, a resource ID or an object ID."""
    services = cmd.services
    text = assignee.strip()
    if is_guid(text):
        obj = services.directory_object(text)
        if obj is not None:
            return obj.object_id, obj
        by_app = services.find_principals(app_id=text)
        if len(by_app) == 1:
            return by_app[0].object_id, by_app[0]
        return text, None
    if text.startswith("/"):
        found = services.find_principals(resource_id=_norm_scope(text))
        if not found:
            raise CmdletError(
                f"The resource '{text}' has no managed identity. Enable one first (Enable-Msi, or Update-AzVM "
                "-IdentityType SystemAssigned).", category="ObjectNotFound", error_id="PrincipalNotFound")
        return found[0].object_id, found[0]
    if "@" in text:
        found = services.find_principals(user_principal_name=text)
        if found:
            return found[0].object_id, found[0]
    found = services.find_principals(display_name=text)
    if len(found) == 1:
        return found[0].object_id, found[0]
    if len(found) > 1:
        listing = "\n".join(f"  {_describe(o)}" for o in found)
        raise CmdletError(
            f"'{text}' names {len(found)} principals:\n{listing}\nUse -Assignee with the object ID (or the "
            "resource ID) of the one you mean.", category="InvalidArgument", error_id="AmbiguousAssignee")
    raise CmdletError(
        f"No principal named '{text}'. A VM or app is a principal only once its managed identity is on (Enable-Msi "
        "or Update-AzVM -IdentityType SystemAssigned); a user is named by UPN; anything can be named by object "
        "ID.", category="ObjectNotFound", error_id="PrincipalNotFound")


_SHORT_SCOPE = (
    Param("Scope", "string", completer="scope"),
    Param("ResourceGroupName", "string", completer="resource_group"),
)


class NewRoleAssignment(RoleCmdlet):
    name = "New-RoleAssignment"
    synopsis = "Grants a role to a VM, app, identity, user or object ID at a scope."
    description = (
        "The short form of New-AzRoleAssignment: -Assignee takes a VM or app name (its system-assigned "
        "identity), a user-assigned identity name, a user's UPN, a resource ID or an object ID; -Role a role "
        "name; -Scope a scope, or -ResourceGroupName, or nothing for the subscription."
    )
    supports_should_process = True
    params = (
        Param("Assignee", "string", mandatory=True, position=0, completer="principal"),
        Param("Role", "string", mandatory=True, position=1, completer="role", aliases=("RoleDefinitionName",)),
        *_SHORT_SCOPE,
        Param("Description", "string"),
    )
    outputs = ("Microsoft.Azure.Commands.Resources.Models.Authorization.PSRoleAssignment",)
    examples = (
        Example("New-RoleAssignment -Assignee myVM -Role Reader -ResourceGroupName myRG",
                "Grants the VM's identity Reader on its resource group."),
        Example("New-RoleAssignment -Assignee ID1 -Role 'Key Vault Secrets User' -Scope $vault.Id",
                "Grants a user-assigned identity access to a vault's secrets."),
    )

    def process(self) -> None:
        oid, principal = resolve_assignee(self, str(self.bound["Assignee"]))
        scope = self.scope_from_params()
        role = self.find_role(name=str(self.bound["Role"]))
        if not self.should_process(scope, f"Assign '{self.bound['Role']}' to '{self.bound['Assignee']}'"):
            return
        self.write(self.create_assignment(scope, oid, principal, role, description=self.bound.get("Description")))


class GetRoleAssignment(RoleCmdlet):
    name = "Get-RoleAssignment"
    synopsis = "Lists role assignments, by assignee name and scope."
    params = (
        Param("Assignee", "string", position=0, completer="principal"),
        Param("Role", "string", completer="role"),
        *_SHORT_SCOPE,
    )
    outputs = ("Microsoft.Azure.Commands.Resources.Models.Authorization.PSRoleAssignment",)
    examples = (Example("Get-RoleAssignment -Assignee myVM", "Every role the VM's identity holds."),)

    def process(self) -> None:
        p = self.bound
        oid = resolve_assignee(self, str(p["Assignee"]))[0] if p.get("Assignee") else None
        scope = self.scope_from_params() if (p.get("Scope") or p.get("ResourceGroupName")) else None
        role_guid = str(self.find_role(name=str(p["Role"])).get("name", "")).casefold() if p.get("Role") else None
        for a in self.list_assignments(scope):
            props = a.get("properties") or {}
            if oid and str(props.get("principalId", "")).casefold() != oid.casefold():
                continue
            if role_guid and _guid_of(str(props.get("roleDefinitionId", ""))).casefold() != role_guid:
                continue
            self.write(self.assignment_object(a))


class RemoveRoleAssignment(RoleCmdlet):
    name = "Remove-RoleAssignment"
    synopsis = "Removes a role assignment, by assignee name, role and scope."
    supports_should_process = True
    params = (
        Param("Assignee", "string", mandatory=True, position=0, completer="principal"),
        Param("Role", "string", position=1, completer="role"),
        *_SHORT_SCOPE,
    )
    outputs = ("Microsoft.Azure.Commands.Resources.Models.Authorization.PSRoleAssignment",)
    examples = (Example("Remove-RoleAssignment -Assignee myVM -Role Reader -ResourceGroupName myRG",
                        "Takes the role away again."),)

    def process(self) -> None:
        p = self.bound
        oid, _ = resolve_assignee(self, str(p["Assignee"]))
        scope = self.scope_from_params()
        role_guid = str(self.find_role(name=str(p["Role"])).get("name", "")).casefold() if p.get("Role") else None
        matches = []
        for a in self.list_assignments(scope):
            props = a.get("properties") or {}
            if str(props.get("principalId", "")).casefold() != oid.casefold():
                continue
            if _norm_scope(str(props.get("scope", ""))).casefold() != scope.casefold():
                continue
            if role_guid and _guid_of(str(props.get("roleDefinitionId", ""))).casefold() != role_guid:
                continue
            matches.append(a)
        if not matches:
            raise CmdletError("The provided information does not map to a role assignment.",
                              category="ObjectNotFound", error_id="RoleAssignmentNotFound")
        for a in matches:
            if not self.should_process(str(a.get("id")), "Remove role assignment"):
                continue
            out = self.assignment_object(a)
            self.arm_delete(str(a.get("id")), API_AUTHORIZATION)
            self.write(out)

COMMANDS = (EnableMsi, DisableMsi, GetToken, NewRoleAssignment, GetRoleAssignment, RemoveRoleAssignment)


#: The default views of this module's output types (Az PowerShell's format files).
VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec(AZSHELL_TOKEN, "list",
             ("access_token", "client_id", "expires_in", "expires_on", "not_before", "resource", "token_type")),
    ViewSpec(AZSHELL_MSI_STATUS, "list",
             ("ResourceGroupName", "Name", "IdentityType", "PrincipalId", "TenantId", "Extension",
              "TokenEndpoints")),
)


def register_views(views: ViewTable) -> None:
    register_table(views, VIEWS)
    views.register(TOKEN_TRACE_TYPE, "text", ())
