"""Default views of the Azure cmdlets' output types, registered in a command registry's ``views``.

The property lists are the ones Az PowerShell's format files use (what the docs' sample outputs show).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from azshell.cmdlets._azure import (
    AZSHELL_MSI_STATUS,
    AZSHELL_TOKEN,
    PS_AZURE_CONTEXT,
    PS_AZURE_PROFILE,
    PS_AZURE_RM_ACCOUNT,
    PS_AZURE_SUBSCRIPTION,
    PS_OPERATION_RESPONSE,
    PS_RESOURCE_GROUP,
    PS_ROLE_ASSIGNMENT,
    PS_ROLE_DEFINITION,
    PS_VIRTUAL_MACHINE,
    PS_VIRTUAL_MACHINE_INSTANCE_VIEW,
    PS_VIRTUAL_MACHINE_LIST,
    PS_WEB_RESPONSE,
)

if TYPE_CHECKING:
    from azshell.lang.formatting import ViewTable

__all__ = ["VIEWS", "register_views"]

#: (type name, kind, properties)
VIEWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (PS_AZURE_PROFILE, "table", ("Account", "SubscriptionName", "TenantId", "Environment")),
    (PS_AZURE_CONTEXT, "table", ("Name", "Account", "SubscriptionName", "Environment", "TenantId")),
    (PS_AZURE_RM_ACCOUNT, "table", ("Id", "Type", "Tenants")),
    (PS_AZURE_SUBSCRIPTION, "table", ("Name", "Id", "TenantId", "State")),
    (PS_RESOURCE_GROUP, "list", ("ResourceGroupName", "Location", "ProvisioningState", "Tags", "ResourceId")),
    (PS_VIRTUAL_MACHINE_LIST, "table",
     ("ResourceGroupName", "Name", "Location", "VmSize", "OsType", "NIC", "ProvisioningState", "Zone")),
    (PS_VIRTUAL_MACHINE, "list",
     ("ResourceGroupName", "Id", "VmId", "Name", "Type", "Location", "Tags", "Extensions", "HardwareProfile",
      "NetworkProfile", "OSProfile", "ProvisioningState", "StorageProfile", "Identity")),
    (PS_VIRTUAL_MACHINE_INSTANCE_VIEW, "list",
     ("ResourceGroupName", "Name", "ComputerName", "OsName", "HyperVGeneration", "Extensions", "Statuses")),
    (PS_OPERATION_RESPONSE, "table", ("RequestId", "IsSuccessStatusCode", "StatusCode", "ReasonPhrase")),
    (PS_ROLE_ASSIGNMENT, "list",
     ("RoleAssignmentName", "RoleAssignmentId", "Scope", "DisplayName", "SignInName", "RoleDefinitionName",
      "RoleDefinitionId", "ObjectId", "ObjectType", "CanDelegate", "Description", "ConditionVersion",
      "Condition")),
    (PS_ROLE_DEFINITION, "list",
     ("Name", "Id", "IsCustom", "Description", "Actions", "NotActions", "DataActions", "NotDataActions",
      "AssignableScopes")),
    (PS_WEB_RESPONSE, "list",
     ("StatusCode", "StatusDescription", "Content", "RawContent", "Forms", "Headers", "Images", "InputFields",
      "Links", "ParsedHtml", "RawContentLength")),
    (AZSHELL_TOKEN, "list",
     ("access_token", "client_id", "expires_in", "expires_on", "not_before", "resource", "token_type")),
    (AZSHELL_MSI_STATUS, "list",
     ("ResourceGroupName", "Name", "IdentityType", "PrincipalId", "TenantId", "Extension", "TokenEndpoints")),
)


#: Windows PowerShell's web response view shows the first 200 characters of Content and RawContent
WEB_TEXT_LIMIT = 200
DICT_ENUMERATION_LIMIT = 4


def _truncated(name: str) -> Callable[[Any], Any]:
    def get(obj: Any) -> Any:
        value = obj.get(name) if hasattr(obj, "get") else None
        if isinstance(value, str) and len(value) > WEB_TEXT_LIMIT:
            return value[:WEB_TEXT_LIMIT] + "..."
        return value

    return get


def _pairs(name: str) -> Callable[[Any], Any]:
    """An IDictionary cell as PowerShell prints it: ``{[Pragma, no-cache], [x-ms-request-id, ...]...}``."""

    def get(obj: Any) -> Any:
        value = obj.get(name) if hasattr(obj, "get") else None
        if value is None or not hasattr(value, "items"):
            return value
        items = list(value.items())
        shown = ", ".join(f"[{k}, {v}]" for k, v in items[:DICT_ENUMERATION_LIMIT])
        return "{" + shown + ("..." if len(items) > DICT_ENUMERATION_LIMIT else "") + "}"

    return get


#: per type: property name -> getter that replaces the plain property read
CALCULATED: dict[str, dict[str, Callable[[Any], Any]]] = {
    PS_WEB_RESPONSE: {"Content": _truncated("Content"), "RawContent": _truncated("RawContent"),
                      "Headers": _pairs("Headers")},
    PS_VIRTUAL_MACHINE: {"Tags": _pairs("Tags")},
    PS_RESOURCE_GROUP: {"Tags": _pairs("Tags")},
}


def register_views(views: ViewTable) -> None:
    """Register every view in ``views``."""
    for type_name, kind, props in VIEWS:
        calc = CALCULATED.get(type_name, {})
        views.register(type_name, kind, [(p, calc[p]) if p in calc else p for p in props])
