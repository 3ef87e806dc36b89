"""Authorization's ``az`` commands: ``az role assignment create|list|delete``; and the role helpers the other
groups use (``az vm create --assign-identity --role R --scope S`` assigns through :func:`assign_role`)."""

from __future__ import annotations

from typing import Any

from azshell.cmdlets._azure import ROLE_ASSIGNMENTS_PATH
from azshell.cmdlets.linux.az import Az, AzCommandTable, flatten
from azshell.cmdlets.linux.azcli import EXIT_USAGE, AzCliError, OptSpec, ParsedArgs
from azshell.ids import is_guid
from azshell.lang.cmdlet import CmdletError
from azshell.services.authorization.cmdlets import ROLE_NOT_AVAILABLE, RoleCmdlet, _norm_scope
from azshell.services.identity.cmdlets_short import resolve_assignee

__all__ = ["AZ_COMMANDS", "assign_role", "assignment_az", "find_role_az", "roles"]


class AzRoles(RoleCmdlet):
    """The role cmdlets' lookups (definitions by name or id, assignments at a scope) for ``az``'s handlers."""

    name = "az"


def roles(az: Az) -> AzRoles:
    """The role lookups on this ``az`` call's context (role definitions are read once per call)."""
    return az.helper(AzRoles)


def find_role_az(az: Az, role: str) -> dict[str, Any]:
    """A role definition by name, GUID or ID; az's error when there is none."""
    try:
        if is_guid(role) or role.startswith("/"):
            return roles(az).find_role(role_id=role)
        return roles(az).find_role(name=role)
    except CmdletError as e:
        if e.error_id == "RoleDefinitionNotFound":
            raise AzCliError(f"Role '{role}' doesn't exist.") from None
        if e.error_id == ROLE_NOT_AVAILABLE:  # a built-in role azshell has no definition of: say so
            raise AzCliError(str(e)) from None
        raise


def assignment_az(data: dict[str, Any]) -> dict[str, Any]:
    """az's view of a role assignment."""
    out = flatten(data)
    out.pop("tags", None)
    for k in ("condition", "conditionVersion", "createdBy", "createdOn", "delegatedManagedIdentityResourceId",
              "description", "updatedBy", "updatedOn"):
        out.setdefault(k, None)
    return out


def assign_role(az: Az, principal_id: str, principal_type: str, role_name: str, scope: str) -> dict[str, Any]:
    """Assign ``role_name`` to the principal at ``scope``; the new assignment as az prints it."""
    role = find_role_az(az, role_name)
    base = _norm_scope(scope)
    body = {"properties": {"roleDefinitionId": role.get("id"), "principalId": principal_id,
                           "principalType": principal_type}}
    resp = az.arm_request("PUT", f"{base}/{ROLE_ASSIGNMENTS_PATH}/{az.services.world.ids.guid()}", "2022-04-01", body=body)
    if resp.status_code >= 400:
        az.raise_arm_error(resp)
    data: dict[str, Any] = resp.json()
    return assignment_az(data)


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
            oid, principal = resolve_assignee(roles(az), str(a.get("assignee")))
        except CmdletError:
            raise AzCliError(f"Cannot find user or service principal in graph database for "
                             f"'{a.get('assignee')}'. If the assignee is an appId, make sure the corresponding "
                             "service principal is created with 'az ad sp create --id "
                             f"{a.get('assignee')}'.") from None
    ptype = str(a.get("assignee_principal_type") or (principal.object_type if principal is not None
                                                     else "ServicePrincipal"))
    scope = _scope(az, a) or f"/subscriptions/{az.sub}"
    return assign_role(az, oid, ptype, str(a.get("role")), scope)


def _principal_name(az: Az, oid: str) -> str:
    obj = az.services.directory_object(oid)
    if obj is None:
        return ""
    if getattr(obj, "user_principal_name", None):
        return str(obj.user_principal_name)
    return str(getattr(obj, "app_id", None) or obj.display_name)


def _matching_assignments(az: Az, a: ParsedArgs) -> list[dict[str, Any]]:
    scope = _scope(az, a)
    found = roles(az).list_assignments(scope)
    want_scope = (scope or f"/subscriptions/{az.sub}").casefold()
    if not a.get("all") and not a.get("include_inherited"):
        found = [r for r in found
                 if str((r.get("properties") or {}).get("scope", "")).rstrip("/").casefold() == want_scope]
    elif a.get("all") and not scope:
        found = roles(az).list_assignments(None)
    if a.get("assignee") or a.get("assignee_object_id"):
        oid = str(a.get("assignee_object_id") or "")
        if not oid:
            try:
                oid, _ = resolve_assignee(roles(az), str(a.get("assignee")))
            except CmdletError:
                return []
        found = [r for r in found if str((r.get("properties") or {}).get("principalId", "")).casefold()
                 == oid.casefold()]
    if a.get("role"):
        role_id = str(find_role_az(az, str(a.get("role"))).get("name", "")).casefold()
        found = [r for r in found
                 if str((r.get("properties") or {}).get("roleDefinitionId", "")).rsplit("/", 1)[-1].casefold()
                 == role_id]
    return found


def cmd_role_assignment_list(az: Az, a: ParsedArgs) -> Any:
    out = []
    for r in _matching_assignments(az, a):
        item = assignment_az(r)
        item["principalName"] = _principal_name(az, str(item.get("principalId", "")))
        item["roleDefinitionName"] = roles(az).role_name_of(str(item.get("roleDefinitionId", "")))
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


AZ_COMMANDS: AzCommandTable = {
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
}
