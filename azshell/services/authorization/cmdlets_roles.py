"""Custom role definitions: New/Set/Remove-AzRoleDefinition, through ARM's ``roleDefinitions`` with the token.

As the Az docs show it, a custom role starts from a built-in one::

    $role = Get-AzRoleDefinition "Reader"
    $role.Id = $null
    $role.Name = "VM Operator"
    $role.Actions.Add("Microsoft.Compute/virtualMachines/start/action")
    $role.AssignableScopes.Clear()
    $role.AssignableScopes.Add("/subscriptions/<sub>")
    New-AzRoleDefinition -Role $role

or from a JSON file (``-InputFile``) with ``Name``, ``Description``, ``Actions``, ``NotActions``, ``DataActions``,
``NotDataActions`` and ``AssignableScopes``. The definition is written at its first assignable scope, which
needs ``Microsoft.Authorization/roleDefinitions/write`` there (and at every other assignable scope).
"""

from __future__ import annotations

import json
from typing import Any

from azshell.cmdlets._azure import API_AUTHORIZATION, PS_ROLE_DEFINITION
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.values import PSHashtable, PSObject
from azshell.services.authorization.cmdlets import RoleCmdlet, role_definition_object

__all__ = ["COMMANDS", "NewAzRoleDefinition", "RemoveAzRoleDefinition", "SetAzRoleDefinition"]

ROLE_DEFINITION_PATH = "{base}/providers/Microsoft.Authorization/roleDefinitions/{guid}"
CUSTOM_ROLE = "CustomRole"
NO_ROLE_GIVEN = "Specify the role with -Role (a PSRoleDefinition) or -InputFile (a JSON file)."
NO_ASSIGNABLE_SCOPES = "The role definition must have at least one assignable scope (AssignableScopes)."
NO_NAME = "The role definition must have a Name."
BAD_INPUT_FILE = "Cannot read the role definition from '{path}': {detail}"
NEED_ID_FOR_SET = "Set-AzRoleDefinition needs the Id (or the Name) of an existing custom role."
REMOVE_TARGET = "Specify the role with -Id, -Name or -InputObject."
#: azshell's wording: built-in roles cannot be deleted (ARM refuses; Az has no client-side text for it).
BUILT_IN_NOT_REMOVABLE = "The role definition '{name}' is a built-in role; only custom roles can be deleted."
_FIELDS = ("Name", "Id", "Description", "Actions", "NotActions", "DataActions", "NotDataActions",
           "AssignableScopes", "Condition")


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None]
    return [str(value)]


class _DefinitionWriter(RoleCmdlet):
    """Reads a role from -Role / -InputFile and PUTs it through ARM."""

    def role_input(self) -> dict[str, Any]:
        p = self.bound
        role = p.get("Role")
        if isinstance(role, PSObject):
            return {f: role.get(f) for f in _FIELDS}
        if isinstance(role, (PSHashtable, dict)):
            items = role.items() if isinstance(role, dict) else role.items()
            low = {str(k).casefold(): v for k, v in items}
            return {f: low.get(f.casefold()) for f in _FIELDS}
        path = p.get("InputFile")
        if path:
            try:
                data = json.loads(self.ctx.fs.read_text(str(path)))
            except (OSError, ValueError) as e:
                raise CmdletError(BAD_INPUT_FILE.format(path=path, detail=e), category="InvalidArgument",
                                  error_id="InvalidInputFile") from None
            if not isinstance(data, dict):
                raise CmdletError(BAD_INPUT_FILE.format(path=path, detail="not a JSON object"),
                                  category="InvalidArgument", error_id="InvalidInputFile")
            low = {str(k).casefold(): v for k, v in data.items()}
            return {f: low.get(f.casefold()) for f in _FIELDS}
        self.fail(NO_ROLE_GIVEN, error_id="MissingRole")

    def put_definition(self, role: dict[str, Any], guid: str) -> PSObject:
        name = str(role.get("Name") or "").strip()
        if not name:
            self.fail(NO_NAME, error_id="InvalidRoleDefinition")
        scopes = [s.rstrip("/") or "/" for s in _strings(role.get("AssignableScopes"))]
        if not scopes:
            self.fail(NO_ASSIGNABLE_SCOPES, error_id="InvalidRoleDefinition")
        props = {
            "roleName": name, "description": str(role.get("Description") or ""), "type": CUSTOM_ROLE,
            "permissions": [{"actions": _strings(role.get("Actions")), "notActions": _strings(role.get("NotActions")),
                             "dataActions": _strings(role.get("DataActions")),
                             "notDataActions": _strings(role.get("NotDataActions"))}],
            "assignableScopes": scopes,
        }
        base = "" if scopes[0] == "/" else scopes[0]
        data = self.arm_put(ROLE_DEFINITION_PATH.format(base=base, guid=guid), API_AUTHORIZATION,
                            {"name": guid, "properties": props})
        return role_definition_object(data if isinstance(data, dict) else {})


_INPUT_PARAMS = (
    Param("InputFile", "string", parameter_sets=("InputFileParameterSet",)),
    Param("Role", "object", value_from_pipeline=True, parameter_sets=("RoleDefinitionParameterSet",)),
)


class NewAzRoleDefinition(_DefinitionWriter):
    name = "New-AzRoleDefinition"
    aliases = ("New-AzureRmRoleDefinition",)
    synopsis = "Creates a custom role in Azure RBAC."
    description = (
        "Provide the role as a JSON file (-InputFile) or as a PSRoleDefinition (-Role), usually one read with "
        "Get-AzRoleDefinition and changed: set Id to $null, give it a Name, edit Actions and AssignableScopes. "
        "The role is created at its first assignable scope."
    )
    params = _INPUT_PARAMS
    outputs = (PS_ROLE_DEFINITION,)
    examples = (
        Example('$role = Get-AzRoleDefinition "Reader"\n$role.Id = $null\n$role.Name = "VM Operator"\n'
                '$role.Actions.Add("Microsoft.Compute/virtualMachines/start/action")\n'
                '$role.AssignableScopes.Clear()\n$role.AssignableScopes.Add("/subscriptions/<sub>")\n'
                "New-AzRoleDefinition -Role $role", "A custom role based on Reader."),
        Example("New-AzRoleDefinition -InputFile C:\\Temp\\roleDefinition.json", "A custom role from a file."),
    )

    def process(self) -> None:
        role = self.role_input()
        rid = role.get("Id")
        guid = str(rid).rstrip("/").rsplit("/", 1)[-1] if rid else self.ctx.services.world.ids.guid()
        self.write(self.put_definition(role, guid))


class SetAzRoleDefinition(_DefinitionWriter):
    name = "Set-AzRoleDefinition"
    aliases = ("Set-AzureRmRoleDefinition",)
    synopsis = "Modifies a custom role in Azure RBAC."
    description = ("Provide the updated role as a PSRoleDefinition (-Role, from Get-AzRoleDefinition) or a JSON "
                   "file (-InputFile) that carries its Id.")
    params = _INPUT_PARAMS
    outputs = (PS_ROLE_DEFINITION,)
    examples = (
        Example('$role = Get-AzRoleDefinition "VM Operator"\n'
                '$role.Actions.Add("Microsoft.Compute/virtualMachines/restart/action")\n'
                "Set-AzRoleDefinition -Role $role", "Adds an action to a custom role."),
    )

    def process(self) -> None:
        role = self.role_input()
        rid = role.get("Id")
        if rid:
            guid = str(rid).rstrip("/").rsplit("/", 1)[-1]
        elif role.get("Name"):
            guid = str(self.find_role(name=str(role["Name"])).get("name", ""))
        else:
            self.fail(NEED_ID_FOR_SET, error_id="MissingRoleId")
        self.find_role(role_id=guid)  # the role must exist: RoleDefinitionNotFound otherwise
        self.write(self.put_definition(role, guid))


class RemoveAzRoleDefinition(RoleCmdlet):
    name = "Remove-AzRoleDefinition"
    aliases = ("Remove-AzureRmRoleDefinition",)
    synopsis = "Deletes a custom role in Azure RBAC."
    description = ("Name the role with -Id, -Name or a PSRoleDefinition from the pipeline. Built-in roles cannot "
                   "be deleted. -Force skips the confirmation (a script never waits for one).")
    supports_should_process = True
    params = (
        Param("Id", "string", parameter_sets=("RoleDefinitionId",)),
        Param("Name", "string", position=0, completer="role", parameter_sets=("RoleDefinitionName",)),
        Param("InputObject", "object", value_from_pipeline=True, parameter_sets=("InputObject",)),
        Param("Scope", "string", completer="scope"),
        Param("Force", "switch"),
        Param("PassThru", "switch"),
    )
    default_parameter_set = "RoleDefinitionName"
    examples = (
        Example('Remove-AzRoleDefinition -Name "VM Operator" -Force', "Deletes a custom role."),
        Example('Get-AzRoleDefinition -Custom | Remove-AzRoleDefinition -Force -WhatIf',
                "Shows which custom roles would be deleted."),
    )

    def process(self) -> None:
        p = self.bound
        obj = p.get("InputObject") or (self.input if isinstance(self.input, PSObject) else None)
        if isinstance(obj, PSObject) and obj.get("Id"):
            found = self.find_role(role_id=str(obj.get("Id")))
        elif p.get("Id"):
            found = self.find_role(role_id=str(p["Id"]))
        elif p.get("Name"):
            found = self.find_role(name=str(p["Name"]))
        else:
            self.fail(REMOVE_TARGET, error_id="MissingRole")
        props = found.get("properties") or {}
        name = str(props.get("roleName", ""))
        if str(props.get("type", "")).casefold() != CUSTOM_ROLE.casefold():
            raise CmdletError(BUILT_IN_NOT_REMOVABLE.format(name=name), category="InvalidOperation",
                              error_id="BuiltInRoleNotRemovable")
        if not self.should_process(name, "Remove role definition"):
            return
        scope = p.get("Scope") or next(iter(props.get("assignableScopes") or []), None) or \
            f"/subscriptions/{self.subscription_id}"
        scope = str(scope).rstrip("/") or "/"
        base = "" if scope == "/" else scope
        self.arm_delete(ROLE_DEFINITION_PATH.format(base=base, guid=found.get("name", "")), API_AUTHORIZATION)
        self._role_defs = None
        if p.get("PassThru"):
            self.write(True)


COMMANDS = (NewAzRoleDefinition, SetAzRoleDefinition, RemoveAzRoleDefinition)
