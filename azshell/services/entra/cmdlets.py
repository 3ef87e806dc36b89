"""Az.Resources' directory cmdlets (Microsoft Graph): service principals, users, groups and membership.

Every cmdlet calls ``https://graph.microsoft.com/v1.0`` with the current account's Graph token, as Az.Resources
(MSGraph) does, and returns Az's ``MicrosoftGraph*`` objects. Group membership counts in RBAC: a role assigned
to a group reaches every member (a VM's identity included).
"""

from __future__ import annotations

from typing import Any, NoReturn

import httpx

from azshell.cmdlets._base import (
    AzCmdlet,
    AzureRestError,
    access_hints,
    category_for_status,
    connection_error,
    encode_path,
    json_result,
)
from azshell.hostnames import GRAPH_RESOURCE, GRAPH_V1_ENDPOINT
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.formatting import ViewTable
from azshell.lang.values import PSObject

__all__ = [
    "AddAzADGroupMember",
    "COMMANDS",
    "GetAzADGroup",
    "GetAzADGroupMember",
    "GetAzADServicePrincipal",
    "GetAzADUser",
    "GraphCmdlet",
    "NewAzADGroup",
    "NewMgGroupMember",
    "register_views",
]

DIRECTORY_OBJECT_URL = GRAPH_V1_ENDPOINT + "/directoryObjects/{id}"
_MODELS = "Microsoft.Azure.PowerShell.Cmdlets.Resources.MSGraph.Models.ApiV10."
PS_GRAPH_SP = _MODELS + "MicrosoftGraphServicePrincipal"
PS_GRAPH_USER = _MODELS + "MicrosoftGraphUser"
PS_GRAPH_GROUP = _MODELS + "MicrosoftGraphGroup"
PS_GRAPH_DIRECTORY_OBJECT = _MODELS + "MicrosoftGraphDirectoryObject"
GRAPH_EXCEPTION = "Microsoft.Azure.PowerShell.Cmdlets.Resources.MSGraph.Runtime.RestException"
GROUP_NOT_FOUND = "Group with display name '{name}' does not exist."
USER_NOT_FOUND = "User with user principal name '{upn}' does not exist."
MEMBER_SPEC_NEEDED = "Specify the member with -MemberObjectId or -MemberUserPrincipalName."
GROUP_SPEC_NEEDED = "Specify the group with -TargetGroupObjectId, -TargetGroupDisplayName or -TargetGroupObject."


def _odata_quote(value: str) -> str:
    return value.replace("'", "''")


def _sp_object(d: dict[str, Any]) -> PSObject:
    return PSObject([
        ("DisplayName", d.get("displayName")),
        ("Id", d.get("id")),
        ("AppId", d.get("appId")),
        ("ServicePrincipalType", d.get("servicePrincipalType")),
        ("AlternativeName", list(d.get("alternativeNames") or [])),
        ("ServicePrincipalName", list(d.get("servicePrincipalNames") or [])),
        ("AccountEnabled", d.get("accountEnabled")),
        ("AppOwnerOrganizationId", d.get("appOwnerOrganizationId")),
        ("Tag", list(d.get("tags") or [])),
        ("OdataType", "#microsoft.graph.servicePrincipal"),
    ], type_names=(PS_GRAPH_SP, PS_GRAPH_DIRECTORY_OBJECT, "System.Object"))


def _user_object(d: dict[str, Any]) -> PSObject:
    return PSObject([
        ("DisplayName", d.get("displayName")),
        ("Id", d.get("id")),
        ("Mail", d.get("mail")),
        ("UserPrincipalName", d.get("userPrincipalName")),
        ("GivenName", d.get("givenName")),
        ("Surname", d.get("surname")),
        ("JobTitle", d.get("jobTitle")),
        ("BusinessPhone", list(d.get("businessPhones") or [])),
        ("OdataType", "#microsoft.graph.user"),
    ], type_names=(PS_GRAPH_USER, PS_GRAPH_DIRECTORY_OBJECT, "System.Object"))


def _group_object(d: dict[str, Any]) -> PSObject:
    return PSObject([
        ("DisplayName", d.get("displayName")),
        ("Id", d.get("id")),
        ("Description", d.get("description")),
        ("MailNickname", d.get("mailNickname")),
        ("SecurityEnabled", d.get("securityEnabled")),
        ("MailEnabled", d.get("mailEnabled")),
        ("GroupType", list(d.get("groupTypes") or [])),
        ("OdataType", "#microsoft.graph.group"),
    ], type_names=(PS_GRAPH_GROUP, PS_GRAPH_DIRECTORY_OBJECT, "System.Object"))


def graph_object(d: dict[str, Any]) -> PSObject:
    """A Graph directory object (by its ``@odata.type``) → Az's MicrosoftGraph* object."""
    kind = str(d.get("@odata.type", ""))
    if kind.endswith("servicePrincipal"):
        return _sp_object(d)
    if kind.endswith("group"):
        return _group_object(d)
    return _user_object(d)


class GraphCmdlet(AzCmdlet):
    """Microsoft Graph calls with the current account's Graph token; Graph errors as Az prints them."""

    def graph(self, method: str, path: str, *, params: dict[str, str] | None = None, body: Any = None,
              allow_404: bool = False) -> Any:
        token = self.token(GRAPH_RESOURCE)
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        try:
            resp = self.services.http.request(method, f"{GRAPH_V1_ENDPOINT}{encode_path(path)}", params=params,
                                              headers=headers, json=body)
        except httpx.HTTPError as e:
            raise connection_error(e) from None
        return json_result(resp, self.graph_error, allow_404=allow_404)

    def graph_list(self, path: str, *, filter_: str | None = None) -> list[dict[str, Any]]:
        data = self.graph("GET", path, params={"$filter": filter_} if filter_ else None)
        value = data.get("value", []) if isinstance(data, dict) else []
        return [v for v in value if isinstance(v, dict)]

    def graph_error(self, resp: httpx.Response) -> NoReturn:
        code, message = "", resp.text
        try:
            err = resp.json().get("error", {})
            code, message = str(err.get("code", "")), str(err.get("message", message))
        except (ValueError, AttributeError):
            pass
        exc = AzureRestError(message, status=resp.status_code, code=code, error_message=message, response=resp)
        exc.ps_type_name = exc.ps_exception_type = GRAPH_EXCEPTION
        text = "\n".join([message, *access_hints(resp, ctx=self.ctx)])
        raise CmdletError(text, category=category_for_status(resp.status_code), error_id=code or "GraphError",
                          exception=exc)

    # ------------------------------------------------------------------------------------ look-ups
    def group_by_name(self, name: str) -> dict[str, Any]:
        found = self.graph_list("/groups", filter_=f"displayName eq '{_odata_quote(name)}'")
        if not found:
            raise CmdletError(GROUP_NOT_FOUND.format(name=name), category="ObjectNotFound",
                              error_id="GroupNotFound")
        return found[0]

    def user_by_upn(self, upn: str) -> dict[str, Any]:
        data = self.graph("GET", f"/users/{upn}", allow_404=True)
        if not isinstance(data, dict):
            raise CmdletError(USER_NOT_FOUND.format(upn=upn), category="ObjectNotFound", error_id="UserNotFound")
        return data


def _emit_filtered(cmd: GraphCmdlet, collection: str, make: Any, *, object_id: str | None,
                   eq: tuple[str, str] | None, starts: str | None) -> None:
    if object_id:
        cmd.write(make(cmd.graph("GET", f"/{collection}/{object_id}")))
        return
    flt: str | None = None
    if eq is not None:
        flt = f"{eq[0]} eq '{_odata_quote(eq[1])}'"
    elif starts is not None:
        flt = f"startswith(displayName,'{_odata_quote(starts)}')"
    for d in cmd.graph_list(f"/{collection}", filter_=flt):
        cmd.write(make(d))


class GetAzADServicePrincipal(GraphCmdlet):
    default_parameter_set = "EmptyParameterSet"  # as Az: no arguments lists them all
    name = "Get-AzADServicePrincipal"
    aliases = ("Get-AzureRmADServicePrincipal",)
    synopsis = "Lists entities from service principals or get entity from service principals by key."
    description = (
        "A managed identity is a service principal of type ManagedIdentity whose DisplayName is the name of "
        "its VM, app or user-assigned identity, and whose AlternativeName holds 'isExplicit=False|True' and the "
        "resource ID. -DisplayName matches exactly (case-insensitive); -DisplayNameBeginsWith (-SearchString) "
        "matches a prefix."
    )
    params = (
        Param("DisplayName", "string", parameter_sets=("DisplayName",), completer="principal_name"),
        Param("ObjectId", "string", aliases=("Id", "ServicePrincipalId"), parameter_sets=("ObjectId",),
              value_from_pipeline_by_property_name=True),
        Param("ApplicationId", "string", aliases=("AppId",), parameter_sets=("ApplicationId",)),
        Param("DisplayNameBeginsWith", "string", aliases=("SearchString",),
              parameter_sets=("DisplayNameBeginsWith",)),
        Param("ServicePrincipalName", "string", aliases=("SPN",), parameter_sets=("ServicePrincipalName",)),
    )
    outputs = (PS_GRAPH_SP,)
    examples = (
        Example('Get-AzADServicePrincipal -DisplayName "myVM"',
                "The system-assigned identity of the VM myVM (its Id is the VM's Identity.PrincipalId)."),
        Example("Get-AzADServicePrincipal -SearchString my | Format-Table DisplayName, Id, ServicePrincipalType",
                "Service principals whose name starts with 'my'."),
    )

    def process(self) -> None:
        p = self.bound
        if p.get("ServicePrincipalName"):
            spn = str(p["ServicePrincipalName"])
            for d in self.graph_list("/servicePrincipals",
                                     filter_=f"servicePrincipalNames/any(c:c eq '{_odata_quote(spn)}')"):
                self.write(_sp_object(d))
            return
        eq = ("displayName", str(p["DisplayName"])) if p.get("DisplayName") else \
            ("appId", str(p["ApplicationId"])) if p.get("ApplicationId") else None
        starts = str(p["DisplayNameBeginsWith"]) if p.get("DisplayNameBeginsWith") else None
        _emit_filtered(self, "servicePrincipals", _sp_object, object_id=p.get("ObjectId"), eq=eq, starts=starts)


class GetAzADUser(GraphCmdlet):
    default_parameter_set = "EmptyParameterSet"  # as Az: no arguments lists them all
    name = "Get-AzADUser"
    aliases = ("Get-AzureRmADUser",)
    synopsis = "Lists entities from users or get entity from users by key."
    params = (
        Param("UserPrincipalName", "string", aliases=("UPN",), parameter_sets=("UPN",), completer="user"),
        Param("ObjectId", "string", aliases=("Id", "UserId"), parameter_sets=("ObjectId",),
              value_from_pipeline_by_property_name=True),
        Param("DisplayName", "string", parameter_sets=("DisplayName",)),
        Param("StartsWith", "string", aliases=("SearchString",), parameter_sets=("StartsWith",)),
        Param("SignedIn", "switch", aliases=("Me",), parameter_sets=("SignedIn",)),
    )
    outputs = (PS_GRAPH_USER,)
    examples = (
        Example("Get-AzADUser -SignedIn", "The signed-in user (Graph's /me)."),
        Example("Get-AzADUser -UserPrincipalName admin@contoso.onmicrosoft.com", "One user by UPN."),
    )

    def process(self) -> None:
        p = self.bound
        if p.get("SignedIn"):
            self.write(_user_object(self.graph("GET", "/me")))
            return
        if p.get("UserPrincipalName"):
            self.write(_user_object(self.user_by_upn(str(p["UserPrincipalName"]))))
            return
        eq = ("displayName", str(p["DisplayName"])) if p.get("DisplayName") else None
        starts = str(p["StartsWith"]) if p.get("StartsWith") else None
        _emit_filtered(self, "users", _user_object, object_id=p.get("ObjectId"), eq=eq, starts=starts)


class GetAzADGroup(GraphCmdlet):
    default_parameter_set = "EmptyParameterSet"  # as Az: no arguments lists them all
    name = "Get-AzADGroup"
    aliases = ("Get-AzureRmADGroup",)
    synopsis = "Lists entities from groups or get entity from groups by key."
    params = (
        Param("DisplayName", "string", parameter_sets=("DisplayName",), completer="group"),
        Param("DisplayNameStartsWith", "string", aliases=("SearchString",),
              parameter_sets=("DisplayNameStartsWith",)),
        Param("ObjectId", "string", aliases=("Id", "GroupId"), parameter_sets=("ObjectId",),
              value_from_pipeline_by_property_name=True),
    )
    outputs = (PS_GRAPH_GROUP,)
    examples = (
        Example('Get-AzADGroup -SearchString "myGroup"', "Groups whose display name starts with myGroup."),
        Example('(Get-AzADGroup -DisplayName "myGroup").Id', "The object ID of a group."),
    )

    def process(self) -> None:
        p = self.bound
        eq = ("displayName", str(p["DisplayName"])) if p.get("DisplayName") else None
        starts = str(p["DisplayNameStartsWith"]) if p.get("DisplayNameStartsWith") else None
        _emit_filtered(self, "groups", _group_object, object_id=p.get("ObjectId"), eq=eq, starts=starts)


class NewAzADGroup(GraphCmdlet):
    name = "New-AzADGroup"
    aliases = ("New-AzureRmADGroup",)
    synopsis = "Adds new entity to groups."
    description = "Creates a security group. Assign roles to the group and they reach every member."
    supports_should_process = True
    params = (
        Param("DisplayName", "string", mandatory=True, position=0),
        Param("MailNickname", "string", mandatory=True),
        Param("Description", "string"),
        Param("SecurityEnabled", "bool", default=True),
        Param("MailEnabled", "switch"),
    )
    outputs = (PS_GRAPH_GROUP,)
    examples = (
        Example('New-AzADGroup -DisplayName "myGroup" -MailNickname "myGroup"', "A new security group."),
    )

    def process(self) -> None:
        p = self.bound
        name = str(p.get("DisplayName") or "")
        if not self.should_process(name, "Create group"):
            return
        body = {"displayName": name, "mailNickname": str(p.get("MailNickname") or ""),
                "securityEnabled": bool(p.get("SecurityEnabled", True)), "mailEnabled": bool(p.get("MailEnabled"))}
        if p.get("Description"):
            body["description"] = str(p["Description"])
        self.write(_group_object(self.graph("POST", "/groups", body=body)))


class RemoveAzADGroup(GraphCmdlet):
    name = "Remove-AzADGroup"
    aliases = ("Remove-AzureRmADGroup",)
    synopsis = "Deletes entity from groups."
    description = ("Deletes a group (by -ObjectId, -DisplayName or a group object from the pipeline). Role "
                   "assignments made to it stay, naming a principal that no longer exists, as in Azure.")
    supports_should_process = True
    default_parameter_set = "ObjectIdParameterSet"
    params = (
        Param("ObjectId", "string", mandatory=True, aliases=("Id",), parameter_sets=("ObjectIdParameterSet",)),
        Param("DisplayName", "string", mandatory=True, parameter_sets=("DisplayNameParameterSet",)),
        Param("InputObject", "object", mandatory=True, value_from_pipeline=True,
              parameter_sets=("InputObjectParameterSet",)),
        Param("PassThru", "switch"),
    )
    outputs = ("System.Boolean",)
    examples = (
        Example('Remove-AzADGroup -DisplayName "myGroup"', "Deletes the group named myGroup."),
    )

    def process(self) -> None:
        p = self.bound
        obj = p.get("InputObject")
        if isinstance(obj, PSObject) and obj.get("Id"):
            gid, label = str(obj.get("Id")), str(obj.get("DisplayName") or obj.get("Id"))
        elif p.get("ObjectId"):
            gid = label = str(p["ObjectId"])
        else:
            label = str(p.get("DisplayName") or "")
            gid = str(self.group_by_name(label)["id"])
        if not self.should_process(label, "Remove group"):
            return
        self.graph("DELETE", f"/groups/{gid}")
        if p.get("PassThru"):
            self.write(True)


class _MemberCmdlet(GraphCmdlet):
    def target_group_id(self) -> str:
        p = self.bound
        obj = p.get("TargetGroupObject")
        if isinstance(obj, PSObject) and obj.get("Id"):
            return str(obj.get("Id"))
        if p.get("TargetGroupObjectId"):
            return str(p["TargetGroupObjectId"])
        if p.get("TargetGroupDisplayName"):
            return str(self.group_by_name(str(p["TargetGroupDisplayName"]))["id"])
        self.fail(GROUP_SPEC_NEEDED, error_id="MissingGroup")

    def add_member(self, group_id: str, member_id: str) -> None:
        if not self.should_process(group_id, f"Add member '{member_id}'"):
            return
        self.graph("POST", f"/groups/{group_id}/members/$ref",
                   body={"@odata.id": DIRECTORY_OBJECT_URL.format(id=member_id)})


class AddAzADGroupMember(_MemberCmdlet):
    name = "Add-AzADGroupMember"
    aliases = ("Add-AzureRmADGroupMember",)
    synopsis = "Adds members to a group."
    description = ("Adds users, service principals (managed identities) or groups to a group. Roles assigned "
                   "to the group then apply to the member.")
    supports_should_process = True
    params = (
        Param("TargetGroupObjectId", "string", aliases=("GroupObjectId",)),
        Param("TargetGroupDisplayName", "string", aliases=("GroupDisplayName",), completer="group"),
        Param("TargetGroupObject", "object", value_from_pipeline=True),
        Param("MemberObjectId", "string[]"),
        Param("MemberUserPrincipalName", "string[]", completer="user"),
        Param("PassThru", "switch"),
    )
    examples = (
        Example('$sp = Get-AzADServicePrincipal -DisplayName myVM\n'
                'Add-AzADGroupMember -TargetGroupDisplayName myGroup -MemberObjectId $sp.Id',
                "Adds a VM's managed identity to a group."),
    )

    def process(self) -> None:
        p = self.bound
        members = [str(m) for m in (p.get("MemberObjectId") or [])]
        members += [str(self.user_by_upn(str(u))["id"]) for u in (p.get("MemberUserPrincipalName") or [])]
        if not members:
            self.fail(MEMBER_SPEC_NEEDED, error_id="MissingMember")
        gid = self.target_group_id()
        for m in members:
            self.add_member(gid, m)
        if p.get("PassThru"):
            self.write(True)


class NewMgGroupMember(_MemberCmdlet):
    name = "New-MgGroupMember"
    synopsis = "Adds a member to a group (Microsoft Graph PowerShell; the AzureAD module's Add-AzureADGroupMember)."
    description = ("The Microsoft.Graph.Groups form the current quickstart uses; -ObjectId/-RefObjectId are "
                   "the AzureAD module's names.")
    supports_should_process = True
    params = (
        Param("GroupId", "string", mandatory=True, aliases=("ObjectId",)),
        Param("DirectoryObjectId", "string", mandatory=True, aliases=("RefObjectId",)),
    )
    examples = (
        Example('New-MgGroupMember -GroupId $group.Id -DirectoryObjectId $sp.Id',
                "Adds a VM's service principal to a group."),
    )

    def process(self) -> None:
        self.add_member(str(self.bound["GroupId"]), str(self.bound["DirectoryObjectId"]))


class GetAzADGroupMember(GraphCmdlet):
    default_parameter_set = "ObjectId"
    name = "Get-AzADGroupMember"
    aliases = ("Get-AzureRmADGroupMember",)
    synopsis = "Lists the members of a group."
    params = (
        Param("GroupObjectId", "string", aliases=("ObjectId", "Id"), parameter_sets=("ObjectId",)),
        Param("GroupDisplayName", "string", aliases=("DisplayName",), parameter_sets=("DisplayName",),
              completer="group"),
        Param("GroupObject", "object", value_from_pipeline=True, parameter_sets=("GroupObject",)),
    )
    outputs = (PS_GRAPH_DIRECTORY_OBJECT,)
    examples = (Example("Get-AzADGroupMember -GroupDisplayName myGroup", "Members of a group."),)

    def process(self) -> None:
        p = self.bound
        obj = p.get("GroupObject") or (self.input if isinstance(self.input, PSObject) else None)
        if isinstance(obj, PSObject) and obj.get("Id"):
            gid = str(obj.get("Id"))
        elif p.get("GroupObjectId"):
            gid = str(p["GroupObjectId"])
        elif p.get("GroupDisplayName"):
            gid = str(self.group_by_name(str(p["GroupDisplayName"]))["id"])
        else:
            self.fail("Specify the group with -GroupObjectId or -GroupDisplayName.", error_id="MissingGroup")
        for d in self.graph_list(f"/groups/{gid}/members"):
            self.write(graph_object(d))


COMMANDS = (GetAzADServicePrincipal, GetAzADUser, GetAzADGroup, NewAzADGroup, RemoveAzADGroup, AddAzADGroupMember,
            GetAzADGroupMember, NewMgGroupMember)

#: (type name, kind, properties) of the default views
VIEWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (PS_GRAPH_SP, "table", ("DisplayName", "Id", "AppId")),
    (PS_GRAPH_USER, "table", ("DisplayName", "Id", "Mail", "UserPrincipalName")),
    (PS_GRAPH_GROUP, "table", ("DisplayName", "Id", "Description")),
)


def _principal_names(services: Any) -> list[str]:
    return sorted({o.display_name for o in services.store.list_directory_objects()
                   if o.object_type == "ServicePrincipal"})


def _group_names(services: Any) -> list[str]:
    return sorted({o.display_name for o in services.store.list_directory_objects() if o.object_type == "Group"})



# ------------------------------------------------------------------------------------------- completion
def _principals(s: Any) -> list[str]:
    out: list[str] = []
    for o in s.store.list_directory_objects():
        out.append(o.user_principal_name or o.display_name)
    return out


def _users(s: Any) -> list[str]:
    return [o.user_principal_name for o in s.store.find_directory_objects(object_type="User")
            if o.user_principal_name]


COMPLETERS = {
    "principal": _principals,
    "user": _users,
    "principal_name": _principal_names,
    "group": _group_names,
}


def register_views(views: ViewTable) -> None:
    for type_name, kind, props in VIEWS:
        views.register(type_name, kind, props)
