"""Az.Resources access control: New/Get/Remove-AzRoleAssignment and Get-AzRoleDefinition.

Assignments are written and read through ARM (``{scope}/providers/Microsoft.Authorization/roleAssignments``)
with the current account's token, so a principal without ``roleAssignments/write`` gets ARM's 403. Names of
principals (DisplayName, SignInName, ObjectType) come from the directory, as Az gets them from Microsoft Graph:
an assignment whose principal was deleted shows an empty DisplayName and ObjectType ``Unknown``.
"""

from __future__ import annotations

import uuid
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
from azshell.cmdlets._base import AzCmdlet
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


def _guid_of(role_definition_id: str) -> str:
    return role_definition_id.rstrip("/").rsplit("/", 1)[-1]


def _norm_scope(scope: str) -> str:
    s = scope.strip()
    return s if s == "/" else s.rstrip("/")


def role_definition_object(data: dict[str, Any]) -> PSObject:
    """ARM role definition JSON → ``PSRoleDefinition``."""
    props = data.get("properties") or {}
    perms = props.get("permissions") or [{}]
    actions: list[str] = []
    not_actions: list[str] = []
    data_actions: list[str] = []
    not_data_actions: list[str] = []
    for perm in perms:
        if isinstance(perm, dict):
            actions += list(perm.get("actions") or [])
            not_actions += list(perm.get("notActions") or [])
            data_actions += list(perm.get("dataActions") or [])
            not_data_actions += list(perm.get("notDataActions") or [])
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
        ("Condition", props.get("condition")),
        ("ConditionVersion", props.get("conditionVersion")),
    ], type_names=(PS_ROLE_DEFINITION, "System.Object"))


class RoleCmdlet(AzCmdlet):
    """Scopes, role definitions and principals, shared by the role cmdlets (and the short verbs)."""

    _role_defs: list[dict[str, Any]] | None = None

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
    def role_definitions(self, scope: str | None = None) -> list[dict[str, Any]]:
        if self._role_defs is None or scope is not None:
            at = scope or f"/subscriptions/{self.subscription_id}"
            base = "" if at == "/" else at
            defs = self.arm_list(f"{base}/{ROLE_DEFINITIONS_PATH}", API_AUTHORIZATION)
            if scope is not None:
                return [d for d in defs if isinstance(d, dict)]
            self._role_defs = [d for d in defs if isinstance(d, dict)]
        return self._role_defs

    def find_role(self, *, name: str | None = None, role_id: str | None = None,
                  scope: str | None = None) -> dict[str, Any]:
        """The role definition by name or id, as seen at ``scope`` (default: the subscription), as Az looks it
        up where it will assign it — so a caller who may read only a resource group still finds the role."""
        defs = self.role_definitions(scope)
        if role_id:
            want = _guid_of(str(role_id)).casefold()
            for d in defs:
                if str(d.get("name", "")).casefold() == want or _guid_of(str(d.get("id", ""))).casefold() == want:
                    return d
            raise CmdletError(f"Cannot find role definition with id '{role_id}'.", category="ObjectNotFound",
                              error_id="RoleDefinitionNotFound")
        want_name = str(name or "")
        for d in defs:
            if str((d.get("properties") or {}).get("roleName", "")).casefold() == want_name.casefold():
                return d
        raise CmdletError(ROLE_NOT_FOUND.format(name=want_name), category="ObjectNotFound",
                          error_id="RoleDefinitionNotFound")

    def role_name_of(self, role_definition_id: str) -> str:
        want = _guid_of(role_definition_id).casefold()
        try:
            defs = self.role_definitions()
        except CmdletError:
            return ""
        for d in defs:
            if str(d.get("name", "")).casefold() == want:
                return str((d.get("properties") or {}).get("roleName", ""))
        return ""

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
        name = str(uuid.uuid4())
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
        defs = self.role_definitions(_norm_scope(str(scope)) if scope else None)
        name = p.get("Name")
        rid = p.get("Id")
        found = False
        for d in defs:
            props = d.get("properties") or {}
            if name and str(props.get("roleName", "")).casefold() != str(name).casefold():
                continue
            if rid and str(d.get("name", "")).casefold() != _guid_of(str(rid)).casefold():
                continue
            if p.get("Custom") and str(props.get("type", "")).casefold() != "customrole":
                continue
            found = True
            self.write(role_definition_object(d))
        if rid and not found:
            raise CmdletError(f"Cannot find role definition with id '{rid}'.", category="ObjectNotFound",
                              error_id="RoleDefinitionNotFound")

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
    return sorted(rd.role_name for rd in s.store.list_role_definitions())


COMPLETERS: dict[str, Callable[[Any], list[str]]] = {
    "role": _roles,
}
