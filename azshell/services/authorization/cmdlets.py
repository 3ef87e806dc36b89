"""Az.Resources access control: New/Get/Remove-AzRoleAssignment and Get-AzRoleDefinition.

Assignments are written and read through ARM (``{scope}/providers/Microsoft.Authorization/roleAssignments``)
with the current account's token, so a principal without ``roleAssignments/write`` gets ARM's 403. Names of
principals (DisplayName, SignInName, ObjectType) come from the directory, as Az gets them from Microsoft Graph:
an assignment whose principal was deleted shows an empty DisplayName and ObjectType ``Unknown``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from azshell.cmdlets._azure import (
    API_AUTHORIZATION,
    PS_ROLE_ASSIGNMENT,
    PS_ROLE_DEFINITION,
    ROLE_ASSIGNMENT_EXISTS,
    ROLE_ASSIGNMENT_NOT_FOUND,
    ROLE_ASSIGNMENTS_PATH,
    ROLE_DEFINITIONS_PATH,
    ROLE_NOT_FOUND,
)
from azshell.cmdlets._base import AzCmdlet, arm_error_parts
from azshell.cmdlets.views import ViewSpec, register_table
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.values import PSObject

if TYPE_CHECKING:
    from azshell.lang.formatting import ViewTable

__all__ = [
    "GetAzRoleAssignment",
    "GetAzRoleDefinition",
    "NewAzRoleAssignment",
    "RemoveAzRoleAssignment",
    "RoleCmdlet",
    "role_definition_object",
]

PRINCIPAL_NOT_FOUND = "Cannot find principal using the specified options"
UNKNOWN_OBJECT_TYPE = "Unknown"
ROLE_ID_NOT_FOUND = "Cannot find role definition with id '{id}'."
#: ARM's error code for a role definition GUID it does not have
ROLE_DEFINITION_DOES_NOT_EXIST = "RoleDefinitionDoesNotExist"
#: the error id of a built-in role Azure has and azshell ships no definition of (not "not found")
ROLE_NOT_AVAILABLE = "BuiltInRoleNotAvailable"


def _odata_quote(text: str) -> str:
    return text.replace("'", "''")


def role_not_available(name_or_id: str) -> CmdletError | None:
    """The error for a built-in role of Azure's index whose definition azshell does not ship, else None."""
    from azshell.model.builtin_roles import missing_role_message

    message = missing_role_message(name_or_id)
    if message is None:
        return None
    return CmdletError(message, category="ObjectNotFound", error_id=ROLE_NOT_AVAILABLE)


def other_role_name(name: str) -> str | None:
    """The name azshell ships a built-in role under, when ``name`` is that role's other (newer) name in Azure's
    index; else None."""
    from azshell.model.builtin_roles import known_role

    known = known_role(name)
    return known.defined_as if known is not None and known.defined else None


def _guid_of(role_definition_id: str) -> str:
    return role_definition_id.rstrip("/").rsplit("/", 1)[-1]


def _norm_scope(scope: str) -> str:
    s = scope.strip()
    return s if s == "/" else s.rstrip("/")


def role_definition_object(data: dict[str, Any]) -> PSObject:
    """ARM role definition JSON → ``PSRoleDefinition`` (the permission blocks joined, as Az shows them; the ABAC
    condition is the one block's that has one)."""
    props = data.get("properties") or {}
    perms = props.get("permissions") or [{}]
    actions: list[str] = []
    not_actions: list[str] = []
    data_actions: list[str] = []
    not_data_actions: list[str] = []
    condition = props.get("condition")
    condition_version = props.get("conditionVersion")
    for perm in perms:
        if isinstance(perm, dict):
            actions += list(perm.get("actions") or [])
            not_actions += list(perm.get("notActions") or [])
            data_actions += list(perm.get("dataActions") or [])
            not_data_actions += list(perm.get("notDataActions") or [])
            if condition is None and perm.get("condition"):
                condition, condition_version = perm.get("condition"), perm.get("conditionVersion")
    return PSObject([
        ("Name", props.get("roleName", "")),
        ("Id", data.get("name") or _guid_of(str(data.get("id", "")))),
        ("IsCustom", str(props.get("type", "")).casefold() == "customrole"),
        ("Description", props.get("description", "")),
        ("Actions", actions),
        ("NotActions", not_actions),
        ("DataActions", data_actions),
        ("NotDataActions", not_data_actions),
        ("AssignableScopes", list(props.get("assignableScopes") or [])),
        ("Condition", condition),
        ("ConditionVersion", condition_version),
    ], type_names=(PS_ROLE_DEFINITION, "System.Object"))


class RoleCmdlet(AzCmdlet):
    """Scopes, role definitions and principals, shared by the role cmdlets (and the short verbs)."""

    _role_defs: list[dict[str, Any]] | None = None
    #: every definition this command has read, by lower-case GUID (names of assignments' roles come from here)
    _seen_defs: dict[str, dict[str, Any]] | None = None

    def _remember(self, defs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        seen = self._seen_defs if self._seen_defs is not None else {}
        self._seen_defs = seen
        for d in defs:
            seen[_guid_of(str(d.get("name") or d.get("id") or "")).casefold()] = d
        return defs

    # --------------------------------------------------------------------------------------- scopes
    def scope_from_params(self) -> str:
        """-Scope, or -ResourceGroupName [+ -ResourceName -ResourceType [-ParentResource]], or the subscription."""
        p = self.bound
        scope = p.get("Scope")
        if scope:
            return _norm_scope(str(scope))
        sub = f"/subscriptions/{self.subscription_id}"
        rg = p.get("ResourceGroupName")
        if not rg:
            if p.get("ResourceName"):
                self.fail("Parameter set cannot be resolved: -ResourceName needs -ResourceGroupName and "
                          "-ResourceType.", error_id="AmbiguousParameterSet")
            return sub
        scope = f"{sub}/resourceGroups/{rg}"
        name = p.get("ResourceName")
        if name:
            rtype = p.get("ResourceType")
            if not rtype:
                self.fail("-ResourceName needs -ResourceType (for example Microsoft.Compute/virtualMachines).",
                          error_id="MissingResourceType")
            ns, _, typ = str(rtype).partition("/")
            parent = p.get("ParentResource")
            middle = f"/{parent}" if parent else ""
            scope = f"{scope}/providers/{ns}{middle}/{typ}/{name}"
        return scope

    # ------------------------------------------------------------------------------ role definitions
    def role_definitions(self, scope: str | None = None, *, name: str | None = None,
                         custom: bool = False) -> list[dict[str, Any]]:
        """The role definitions seen at ``scope`` (default: the subscription; the whole list is read once per
        command), or, as Az asks ARM, only those named ``name`` / only the custom ones (``$filter``)."""
        at = scope or f"/subscriptions/{self.subscription_id}"
        base = "" if at == "/" else at
        if name is not None or custom:
            clauses = ([f"roleName eq '{_odata_quote(name)}'"] if name is not None else []) + \
                (["type eq 'CustomRole'"] if custom else [])
            defs = self.arm_list(f"{base}/{ROLE_DEFINITIONS_PATH}", API_AUTHORIZATION,
                                 params={"$filter": " and ".join(clauses)})
            return self._remember([d for d in defs if isinstance(d, dict)])
        if self._role_defs is None or scope is not None:
            defs = self.arm_list(f"{base}/{ROLE_DEFINITIONS_PATH}", API_AUTHORIZATION)
            if scope is not None:
                return self._remember([d for d in defs if isinstance(d, dict)])
            self._role_defs = self._remember([d for d in defs if isinstance(d, dict)])
        return self._role_defs

    def role_definition(self, role_id: str, scope: str | None = None) -> dict[str, Any] | None:
        """The role definition with this GUID (or full ID) read at ``scope`` (default: the subscription); None
        when ARM has none."""
        guid = _guid_of(str(role_id))
        at = scope or f"/subscriptions/{self.subscription_id}"
        base = "" if at == "/" else at
        resp = self.arm_request("GET", f"{base}/{ROLE_DEFINITIONS_PATH}/{guid}", API_AUTHORIZATION)
        if resp.status_code == 404 and arm_error_parts(resp)[0] == ROLE_DEFINITION_DOES_NOT_EXIST:
            return None
        if resp.status_code >= 400:
            self.raise_arm_error(resp)
        data = resp.json()
        return self._remember([data])[0] if isinstance(data, dict) and data.get("name") else None

    def find_role(self, *, name: str | None = None, role_id: str | None = None,
                  scope: str | None = None) -> dict[str, Any]:
        """The role definition by name or id, as seen at ``scope`` (default: the subscription), as Az looks it
        up where it will assign it — so a caller who may read only a resource group still finds the role.

        A built-in role Azure has but azshell ships no definition of fails saying so (``BuiltInRoleNotAvailable``);
        a built-in role's newer name (Azure's index) finds the role azshell ships under the older one."""
        if role_id:
            found = self.role_definition(str(role_id), scope)
            if found is not None:
                return found
            raise role_not_available(str(role_id)) or CmdletError(
                ROLE_ID_NOT_FOUND.format(id=role_id), category="ObjectNotFound", error_id="RoleDefinitionNotFound")
        want_name = str(name or "")
        for candidate in (want_name, other_role_name(want_name)):
            if not candidate:
                continue
            for d in self.role_definitions(scope, name=candidate):
                if str((d.get("properties") or {}).get("roleName", "")).casefold() == candidate.casefold():
                    return d
        raise role_not_available(want_name) or CmdletError(
            ROLE_NOT_FOUND.format(name=want_name), category="ObjectNotFound", error_id="RoleDefinitionNotFound")

    def role_name_of(self, role_definition_id: str) -> str:
        """The name of the role with this definition ID ("" when it no longer exists or cannot be read): from the
        definitions this command has read, else from the whole list, read once per command."""
        want = _guid_of(role_definition_id).casefold()
        seen = self._seen_defs or {}
        if want not in seen and self._role_defs is None:
            try:
                self.role_definitions()
            except CmdletError:
                self._role_defs = []
            seen = self._seen_defs or {}
        return str(((seen.get(want) or {}).get("properties") or {}).get("roleName", ""))

    # ------------------------------------------------------------------------------------ principals
    def principal_from_params(self, *, required: bool = True) -> tuple[str | None, Any]:
        """(object ID, directory object or None) from -ObjectId / -SignInName / -ServicePrincipalName."""
        p = self.bound
        oid = p.get("ObjectId")
        if oid:
            return str(oid), self.services.directory_object(str(oid))
        upn = p.get("SignInName")
        if upn:
            found = self.services.find_principals(user_principal_name=str(upn))
            if not found:
                raise CmdletError(PRINCIPAL_NOT_FOUND, category="ObjectNotFound", error_id="PrincipalNotFound")
            return str(found[0].object_id), found[0]
        spn = p.get("ServicePrincipalName")
        if spn:
            found = self.services.find_principals(app_id=str(spn))
            if not found:
                found = [o for o in self.services.store.list_directory_objects()
                         if o.object_type == "ServicePrincipal"
                         and any(str(spn).casefold() == n.casefold() for n in o.alternative_names)]
            if not found:
                raise CmdletError(PRINCIPAL_NOT_FOUND, category="ObjectNotFound", error_id="PrincipalNotFound")
            return str(found[0].object_id), found[0]
        if required:
            self.fail("Specify the principal with -ObjectId, -SignInName or -ServicePrincipalName.",
                      error_id="MissingPrincipal")
        return None, None

    def assignment_object(self, data: dict[str, Any]) -> PSObject:
        """ARM role assignment JSON → ``PSRoleAssignment``."""
        props = data.get("properties") or {}
        oid = str(props.get("principalId", ""))
        principal = self.services.directory_object(oid) if oid else None
        rd_id = str(props.get("roleDefinitionId", ""))
        if principal is None:
            display, sign_in, obj_type = "", None, UNKNOWN_OBJECT_TYPE
        else:
            display = principal.display_name
            sign_in = principal.user_principal_name if principal.object_type == "User" else None
            obj_type = principal.object_type
        return PSObject([
            ("RoleAssignmentName", data.get("name", "")),
            ("RoleAssignmentId", data.get("id", "")),
            ("Scope", props.get("scope", "")),
            ("DisplayName", display),
            ("SignInName", sign_in),
            ("RoleDefinitionName", self.role_name_of(rd_id)),
            ("RoleDefinitionId", _guid_of(rd_id)),
            ("ObjectId", oid),
            ("ObjectType", obj_type),
            ("CanDelegate", False),
            ("Description", props.get("description")),
            ("ConditionVersion", props.get("conditionVersion")),
            ("Condition", props.get("condition")),
        ], type_names=(PS_ROLE_ASSIGNMENT, "System.Object"))

    # ----------------------------------------------------------------------------------- assignments
    def list_assignments(self, scope: str | None) -> list[dict[str, Any]]:
        at = scope or f"/subscriptions/{self.subscription_id}"
        base = "" if at == "/" else at
        return [a for a in self.arm_list(f"{base}/{ROLE_ASSIGNMENTS_PATH}", API_AUTHORIZATION)
                if isinstance(a, dict)]

    def create_assignment(self, scope: str, principal_id: str, principal: Any, role: dict[str, Any], *,
                          description: str | None = None, condition: str | None = None,
                          condition_version: str | None = None) -> PSObject:
        name = self.ctx.services.world.ids.guid()
        props: dict[str, Any] = {"roleDefinitionId": role.get("id"), "principalId": principal_id}
        if principal is not None:
            props["principalType"] = principal.object_type
        if description:
            props["description"] = description
        if condition:
            props["condition"] = condition
            props["conditionVersion"] = condition_version or "2.0"
        base = "" if scope == "/" else scope
        resp = self.arm_request("PUT", f"{base}/{ROLE_ASSIGNMENTS_PATH}/{name}", API_AUTHORIZATION,
                                body={"properties": props})
        if resp.status_code == 409:
            err = self.arm_error(resp, message=ROLE_ASSIGNMENT_EXISTS)
            err.error_id = "Conflict"
            raise err
        if resp.status_code >= 400:
            self.raise_arm_error(resp)
        return self.assignment_object(resp.json())


_PRINCIPAL_PARAMS = (
    Param("ObjectId", "string", aliases=("Id", "PrincipalId"), completer="principal",
          parameter_sets=("ObjectId",), value_from_pipeline_by_property_name=True),
    Param("SignInName", "string", aliases=("Email", "UserPrincipalName"), completer="user",
          parameter_sets=("SignInName",)),
    Param("ServicePrincipalName", "string", aliases=("SPN", "ApplicationId"), parameter_sets=("SPN",)),
)
_SCOPE_PARAMS = (
    Param("Scope", "string", completer="scope"),
    Param("ResourceGroupName", "string", completer="resource_group"),
    Param("ResourceName", "string"),
    Param("ResourceType", "string"),
    Param("ParentResource", "string"),
)


class NewAzRoleAssignment(RoleCmdlet):
    name = "New-AzRoleAssignment"
    aliases = ("New-AzureRmRoleAssignment",)
    synopsis = "Assigns the specified RBAC role to the specified principal, at the specified scope."
    description = (
        "Name the principal with -ObjectId (e.g. a VM's Identity.PrincipalId), -SignInName (a user's UPN) or "
        "-ServicePrincipalName (an application ID); the role with -RoleDefinitionName or -RoleDefinitionId; the "
        "scope with -Scope, -ResourceGroupName [-ResourceName -ResourceType], or nothing for the subscription."
    )
    supports_should_process = True
    params = (
        *_PRINCIPAL_PARAMS,
        Param("RoleDefinitionName", "string", aliases=("Role",), completer="role"),
        Param("RoleDefinitionId", "string"),
        *_SCOPE_PARAMS,
        Param("Description", "string"),
        Param("Condition", "string"),
        Param("ConditionVersion", "string"),
        Param("AllowDelegation", "switch"),
        Param("ObjectType", "string"),
        Param("SkipClientSideScopeValidation", "switch"),
    )
    default_parameter_set = "ObjectId"
    outputs = (PS_ROLE_ASSIGNMENT,)
    examples = (
        Example('$spID = (Get-AzVM -ResourceGroupName myRG -Name myVM).Identity.PrincipalId\n'
                'New-AzRoleAssignment -ObjectId $spID -RoleDefinitionName "Reader" '
                '-Scope "/subscriptions/<sub>/resourceGroups/myRG"',
                "Grants the VM's managed identity Reader on the resource group."),
        Example("New-AzRoleAssignment -SignInName admin@contoso.onmicrosoft.com -RoleDefinitionName Contributor "
                "-ResourceGroupName myRG", "Grants a user Contributor on a resource group."),
    )

    def process(self) -> None:
        p = self.bound
        if not p.get("RoleDefinitionName") and not p.get("RoleDefinitionId"):
            self.fail("Specify the role with -RoleDefinitionName or -RoleDefinitionId.", error_id="MissingRole")
        oid, principal = self.principal_from_params()
        assert oid is not None
        scope = self.scope_from_params()
        role = self.find_role(name=p.get("RoleDefinitionName"), role_id=p.get("RoleDefinitionId"), scope=scope)
        role_name = str((role.get("properties") or {}).get("roleName", ""))
        if not self.should_process(scope, f"Create role assignment '{role_name}' for '{oid}'"):
            return
        self.write(self.create_assignment(scope, oid, principal, role, description=p.get("Description"),
                                          condition=p.get("Condition"),
                                          condition_version=p.get("ConditionVersion")))


class GetAzRoleAssignment(RoleCmdlet):
    name = "Get-AzRoleAssignment"
    aliases = ("Get-AzureRmRoleAssignment",)
    synopsis = "Lists Azure RBAC role assignments at the specified scope."
    description = ("Lists assignments of the subscription, or those at -Scope/-ResourceGroupName and above "
                   "and below it, filtered by principal and role. Assignments whose principal was deleted show "
                   "ObjectType Unknown.")
    params = (
        *_PRINCIPAL_PARAMS,
        Param("RoleDefinitionName", "string", aliases=("Role",), completer="role"),
        Param("RoleDefinitionId", "string"),
        *_SCOPE_PARAMS,
        Param("IncludeClassicAdministrators", "switch"),
        Param("ExpandPrincipalGroups", "switch"),
        Param("AtScope", "switch"),
    )
    default_parameter_set = "ObjectId"
    outputs = (PS_ROLE_ASSIGNMENT,)
    examples = (
        Example("Get-AzRoleAssignment -ObjectId $spID", "Every role the principal holds in the subscription."),
        Example("Get-AzRoleAssignment -ResourceGroupName myRG", "Assignments that apply to a resource group."),
    )

    def process(self) -> None:
        p = self.bound
        scope_given = any(p.get(k) for k in ("Scope", "ResourceGroupName"))
        scope = self.scope_from_params() if scope_given else None
        oid, _ = self.principal_from_params(required=False)
        role_guid: str | None = None
        if p.get("RoleDefinitionName") or p.get("RoleDefinitionId"):
            role = self.find_role(name=p.get("RoleDefinitionName"), role_id=p.get("RoleDefinitionId"))
            role_guid = str(role.get("name", "")).casefold()
        for a in self.list_assignments(scope):
            props = a.get("properties") or {}
            if oid and str(props.get("principalId", "")).casefold() != oid.casefold():
                continue
            if role_guid and _guid_of(str(props.get("roleDefinitionId", ""))).casefold() != role_guid:
                continue
            if p.get("AtScope") and scope and _norm_scope(str(props.get("scope", ""))).casefold() != scope.casefold():
                continue
            self.write(self.assignment_object(a))


class RemoveAzRoleAssignment(RoleCmdlet):
    name = "Remove-AzRoleAssignment"
    aliases = ("Remove-AzureRmRoleAssignment",)
    synopsis = "Removes a role assignment to the specified principal who is assigned to a particular role at a particular scope."
    supports_should_process = True
    params = (
        *_PRINCIPAL_PARAMS,
        Param("RoleDefinitionName", "string", aliases=("Role",), completer="role"),
        Param("RoleDefinitionId", "string"),
        *_SCOPE_PARAMS,
        Param("InputObject", "object", value_from_pipeline=True, parameter_sets=("InputObject",)),
        Param("PassThru", "switch"),
    )
    default_parameter_set = "ObjectId"
    outputs = (PS_ROLE_ASSIGNMENT,)
    examples = (
        Example('Remove-AzRoleAssignment -ObjectId $spID -RoleDefinitionName Reader -ResourceGroupName myRG',
                "Removes the Reader assignment of a principal on a resource group."),
        Example("Get-AzRoleAssignment -ObjectId $spID | Remove-AzRoleAssignment",
                "Removes every assignment of a principal."),
    )

    def process(self) -> None:
        p = self.bound
        obj = p.get("InputObject") or (self.input if isinstance(self.input, PSObject) else None)
        if isinstance(obj, PSObject) and obj.get("RoleAssignmentId"):
            target_id = str(obj.get("RoleAssignmentId"))
            if not self.should_process(target_id, "Remove role assignment"):
                return
            self.arm_delete(target_id, API_AUTHORIZATION)
            if p.get("PassThru"):
                self.write(obj)
            return
        oid, _ = self.principal_from_params()
        scope = self.scope_from_params()
        role_guid: str | None = None
        if p.get("RoleDefinitionName") or p.get("RoleDefinitionId"):
            role = self.find_role(name=p.get("RoleDefinitionName"), role_id=p.get("RoleDefinitionId"))
            role_guid = str(role.get("name", "")).casefold()
        matches = []
        for a in self.list_assignments(scope):
            props = a.get("properties") or {}
            if str(props.get("principalId", "")).casefold() != str(oid).casefold():
                continue
            if _norm_scope(str(props.get("scope", ""))).casefold() != scope.casefold():
                continue
            if role_guid and _guid_of(str(props.get("roleDefinitionId", ""))).casefold() != role_guid:
                continue
            matches.append(a)
        if not matches:
            raise CmdletError(ROLE_ASSIGNMENT_NOT_FOUND, category="ObjectNotFound",
                              error_id="RoleAssignmentNotFound")
        for a in matches:
            out = self.assignment_object(a)
            if not self.should_process(str(a.get("id")), "Remove role assignment"):
                continue
            self.arm_delete(str(a.get("id")), API_AUTHORIZATION)
            self.write(out)


class GetAzRoleDefinition(RoleCmdlet):
    name = "Get-AzRoleDefinition"
    aliases = ("Get-AzureRmRoleDefinition",)
    synopsis = "Lists all Azure RBAC roles that are available for assignment."
    params = (
        Param("Name", "string", position=0, completer="role", parameter_sets=("RoleDefinitionName",)),
        Param("Id", "string", parameter_sets=("RoleDefinitionId",)),
        Param("Scope", "string", completer="scope"),
        Param("Custom", "switch", parameter_sets=("Custom",)),
        Param("AtScopeAndBelow", "switch"),
    )
    default_parameter_set = "RoleDefinitionName"
    outputs = (PS_ROLE_DEFINITION,)
    examples = (
        Example("Get-AzRoleDefinition Reader", "The Reader role: its actions and not-actions."),
        Example("Get-AzRoleDefinition | Format-Table Name, Id, IsCustom", "Every role."),
    )

    def process(self) -> None:
        p = self.bound
        scope = p.get("Scope")
        at = _norm_scope(str(scope)) if scope else None
        name = p.get("Name")
        rid = p.get("Id")
        if rid:
            found = self.role_definition(str(rid), at)
            if found is None or (p.get("Custom") and not _is_custom(found)):
                raise role_not_available(str(rid)) or CmdletError(
                    ROLE_ID_NOT_FOUND.format(id=rid), category="ObjectNotFound", error_id="RoleDefinitionNotFound")
            self.write(role_definition_object(found))
            return
        if name:
            defs = self.role_definitions(at, name=str(name), custom=bool(p.get("Custom")))
            if not defs and other_role_name(str(name)):
                defs = self.role_definitions(at, name=other_role_name(str(name)), custom=bool(p.get("Custom")))
            if not defs:
                missing = role_not_available(str(name))
                if missing is not None:
                    raise missing
        else:
            defs = self.role_definitions(at, custom=bool(p.get("Custom")))
        for d in defs:
            self.write(role_definition_object(d))


def _is_custom(data: dict[str, Any]) -> bool:
    return str((data.get("properties") or {}).get("type", "")).casefold() == "customrole"


COMMANDS = (NewAzRoleAssignment, GetAzRoleAssignment, RemoveAzRoleAssignment, GetAzRoleDefinition)


#: The default views of this module's output types (Az PowerShell's format files).
VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec(PS_ROLE_ASSIGNMENT, "list",
             ("RoleAssignmentName", "RoleAssignmentId", "Scope", "DisplayName", "SignInName",
              "RoleDefinitionName", "RoleDefinitionId", "ObjectId", "ObjectType", "CanDelegate",
              "Description", "ConditionVersion", "Condition")),
    ViewSpec(PS_ROLE_DEFINITION, "list",
             ("Name", "Id", "IsCustom", "Description", "Actions", "NotActions", "DataActions",
              "NotDataActions", "AssignableScopes")),
)


def register_views(views: ViewTable) -> None:
    register_table(views, VIEWS)


# ------------------------------------------------------------------------------------------- completion
def _roles(s: Any) -> list[str]:
    """Every role's name (read once per change of the state: there are some 450)."""
    cache = s.world.generation_cache("authorization.role_names")
    names = cache.get("names")
    if names is None:
        names = cache["names"] = tuple(sorted(rd.role_name for rd in s.store.list_role_definitions()))
    return list(names)


COMPLETERS: dict[str, Callable[[Any], list[str]]] = {
    "role": _roles,
}
