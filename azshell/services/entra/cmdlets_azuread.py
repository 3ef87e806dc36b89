"""The AzureAD PowerShell module (2017): Connect-AzureAD, New-AzureADGroup, Get-AzureADGroup,
Add-AzureADGroupMember, Get-AzureADGroupMember, Get-AzureADServicePrincipal.

The real module called Azure AD Graph (``graph.windows.net``); azshell answers the same questions from its
Microsoft Graph plane with the current account's Graph token, and shows the module's objects (``ObjectId``,
``ObjectType``, ``AppId``...) and tables. As in the module, every cmdlet but Connect-AzureAD first needs
Connect-AzureAD in this session (on each host: a VM's session starts disconnected).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azshell.cmdlets.context import NotSignedInError, TokenAcquisitionError
from azshell.hostnames import GRAPH_RESOURCE
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.values import PSObject
from azshell.services.entra.cmdlets import DIRECTORY_OBJECT_URL, GraphCmdlet

if TYPE_CHECKING:
    from azshell.lang.formatting import ViewTable

__all__ = [
    "AddAzureADGroupMember",
    "ConnectAzureAD",
    "GetAzureADGroup",
    "GetAzureADGroupMember",
    "GetAzureADServicePrincipal",
    "NewAzureADGroup",
]

_MODEL = "Microsoft.Open.AzureAD.Model."
PS_AAD_CONTEXT = "Microsoft.Open.Azure.AD.CommonLibrary.PSAzureContext"
PS_AAD_GROUP = _MODEL + "Group"
PS_AAD_SP = _MODEL + "ServicePrincipal"
PS_AAD_USER = _MODEL + "User"
PS_AAD_DIRECTORY_OBJECT = _MODEL + "DirectoryObject"
#: The module's answer before Connect-AzureAD (AadNeedAuthenticationException).
NEED_AUTHENTICATION = "You must call the Connect-AzureAD cmdlet before calling any other cmdlets."
NEED_AUTHENTICATION_ID = ("Microsoft.Open.Azure.AD.CommonLibrary.AadNeedAuthenticationException,"
                          "Microsoft.Open.AzureAD16.PowerShell.{cmdlet}")
#: Where the session keeps "Connect-AzureAD was run", per host (the Services object is the session's).
_SESSION_KEY = "_azuread_connected"


def _connected(services: Any) -> set[str]:
    table: set[str] = vars(services).setdefault(_SESSION_KEY, set())
    return table


def _host_key(services: Any) -> str:
    host = services.current_host
    return str(host.resource_id).casefold() if host is not None else ""


def _directory_object(d: dict[str, Any]) -> PSObject:
    """A Graph object → the AzureAD module's object (ObjectId, ObjectType, DisplayName, AppId...)."""
    kind = str(d.get("@odata.type", "")).rsplit(".", 1)[-1]
    if kind == "servicePrincipal":
        return PSObject([
            ("DeletionTimestamp", None), ("ObjectId", d.get("id")), ("ObjectType", "ServicePrincipal"),
            ("AccountEnabled", d.get("accountEnabled", True)), ("AlternativeNames", d.get("alternativeNames") or []),
            ("AppDisplayName", d.get("appDisplayName")), ("AppId", d.get("appId")),
            ("AppOwnerTenantId", d.get("appOwnerOrganizationId")), ("DisplayName", d.get("displayName")),
            ("ServicePrincipalNames", d.get("servicePrincipalNames") or []),
            ("ServicePrincipalType", d.get("servicePrincipalType")), ("Tags", d.get("tags") or []),
        ], type_names=(PS_AAD_SP, PS_AAD_DIRECTORY_OBJECT, "System.Object"))
    if kind == "group":
        return _group(d)
    return PSObject([
        ("DeletionTimestamp", None), ("ObjectId", d.get("id")), ("ObjectType", "User"),
        ("AccountEnabled", True), ("DisplayName", d.get("displayName")),
        ("UserPrincipalName", d.get("userPrincipalName")), ("UserType", "Member"),
    ], type_names=(PS_AAD_USER, PS_AAD_DIRECTORY_OBJECT, "System.Object"))


def _group(d: dict[str, Any]) -> PSObject:
    return PSObject([
        ("DeletionTimestamp", None), ("ObjectId", d.get("id")), ("ObjectType", "Group"),
        ("Description", d.get("description")), ("DirSyncEnabled", None), ("DisplayName", d.get("displayName")),
        ("LastDirSyncTime", None), ("Mail", d.get("mail")), ("MailEnabled", d.get("mailEnabled", False)),
        ("MailNickName", d.get("mailNickname")), ("OnPremisesSecurityIdentifier", None),
        ("ProvisioningErrors", []), ("ProxyAddresses", []), ("SecurityEnabled", d.get("securityEnabled", True)),
    ], type_names=(PS_AAD_GROUP, PS_AAD_DIRECTORY_OBJECT, "System.Object"))


class AzureADCmdlet(GraphCmdlet):
    """A cmdlet of the AzureAD module: refuses to run before Connect-AzureAD."""

    def require_connected(self) -> None:
        if _host_key(self.services) not in _connected(self.services):
            raise CmdletError(NEED_AUTHENTICATION, category="AuthenticationError",
                              error_id=NEED_AUTHENTICATION_ID.format(cmdlet=self.name.replace("-", "")))

    def process(self) -> None:
        self.require_connected()
        self.run()

    def run(self) -> None:
        raise NotImplementedError


class ConnectAzureAD(GraphCmdlet):
    name = "Connect-AzureAD"
    synopsis = "Connects an authenticated account to use for Active Directory cmdlet requests."
    description = ("Signs the AzureAD module in with the session's account (off a VM: the tenant's admin user, as "
                   "Cloud Shell does); the AzureAD cmdlets then call the directory with its token.")
    params = (
        Param("TenantId", "string", aliases=("Domain", "TenantDomain")),
        Param("Credential", "pscredential"),
        Param("AccountId", "string"),
        Param("AzureEnvironmentName", "string", validate_set=("AzureCloud",)),
        Param("LogLevel", "string"),
    )
    outputs = (PS_AAD_CONTEXT,)
    examples = (Example("Connect-AzureAD", "Signs the AzureAD module in (as the tenant's admin here)."),)

    def process(self) -> None:
        try:
            ctx = self.services.context
            if ctx.account is None:
                raise NotSignedInError()
            self.token(GRAPH_RESOURCE)
        except (NotSignedInError, TokenAcquisitionError) as e:
            raise CmdletError(f"One or more errors occurred.: {getattr(e, 'message', str(e))}",
                              category="AuthenticationError",
                              error_id="Microsoft.Open.Azure.AD.CommonLibrary.AadAuthenticationFailedException,"
                                       "Microsoft.Open.Azure.AD.CommonLibrary.ConnectAzureAD") from None
        _connected(self.services).add(_host_key(self.services))
        account = ctx.account
        domain = "contoso.onmicrosoft.com"
        if account is not None and "@" in account.id:
            domain = account.id.split("@", 1)[1]
        self.write(PSObject([
            ("Account", account.id if account is not None else ""),
            ("Environment", "AzureCloud"),
            ("TenantId", ctx.tenant_id or ""),
            ("TenantDomain", domain),
            ("AccountType", "User" if account is not None and account.type == "User" else "ServicePrincipal"),
        ], type_names=(PS_AAD_CONTEXT, "System.Object")))


class NewAzureADGroup(AzureADCmdlet):
    name = "New-AzureADGroup"
    synopsis = "Creates a group in Azure Active Directory."
    description = "Creates a security group (POST /groups); the 2017 SQL tutorial puts a VM's identity in one."
    params = (
        Param("DisplayName", "string", mandatory=True),
        Param("MailEnabled", "bool", mandatory=True),
        Param("SecurityEnabled", "bool", mandatory=True),
        Param("MailNickName", "string", mandatory=True),
        Param("Description", "string"),
    )
    outputs = (PS_AAD_GROUP,)
    examples = (Example('$Group = New-AzureADGroup -DisplayName "VM MSI access to SQL" -MailEnabled $false '
                        '-SecurityEnabled $true -MailNickName "NotSet"', "A security group."),)

    def run(self) -> None:
        p = self.bound
        if p.get("MailEnabled") or not p.get("SecurityEnabled"):
            # SEEN (MicrosoftDocs/azure-docs issue 85186): "New-AzureADGroup : Error occurred while executing NewGroup
            # Code: Request_BadRequest Message: Cannot Create a mail-enabled security groups and or distribution list."
            self.fail("Error occurred while executing NewGroup \nCode: Request_BadRequest\nMessage: Cannot Create a "
                      "mail-enabled security groups and or distribution list.\nHttpStatusCode: BadRequest\n"
                      "HttpStatusDescription: Bad Request", error_id="Microsoft.Open.AzureAD16.Client.ApiException")
        body: dict[str, Any] = {"displayName": str(p["DisplayName"]), "mailNickname": str(p["MailNickName"]),
                                "mailEnabled": False, "securityEnabled": True}
        if p.get("Description"):
            body["description"] = str(p["Description"])
        self.write(_group(self.graph("POST", "/groups", body=body)))


class GetAzureADGroup(AzureADCmdlet):
    name = "Get-AzureADGroup"
    synopsis = "Gets a group from Azure Active Directory."
    params = (
        Param("ObjectId", "string"),
        Param("SearchString", "string"),
        Param("Filter", "string"),
        Param("All", "bool"),
        Param("Top", "int"),
    )
    outputs = (PS_AAD_GROUP,)
    examples = (Example('Get-AzureADGroup -SearchString "VM MSI"', "Groups whose name starts with the text."),)

    def run(self) -> None:
        p = self.bound
        if p.get("ObjectId"):
            self.write(_group(self.graph("GET", f"/groups/{p['ObjectId']}")))
            return
        flt = p.get("Filter")
        if p.get("SearchString"):
            flt = f"startswith(displayName,'{str(p['SearchString']).replace(chr(39), chr(39) * 2)}')"
        for d in self.graph_list("/groups", filter_=str(flt) if flt else None)[: p.get("Top") or None]:
            self.write(_group(d))


class AddAzureADGroupMember(AzureADCmdlet):
    name = "Add-AzureADGroupMember"
    synopsis = "Adds a member to a group."
    description = ("Adds a user, group or service principal (a VM's managed identity) to a group: "
                   "POST /groups/{id}/members/$ref.")
    params = (
        Param("ObjectId", "string", mandatory=True, help="The group's object ID."),
        Param("RefObjectId", "string", mandatory=True, help="The object ID of the member to add."),
    )
    outputs = ()
    examples = (Example("Add-AzureAdGroupMember -ObjectId $Group.ObjectId -RefObjectId $VM.Identity.PrincipalId",
                        "Puts the VM's identity in the group."),)

    def run(self) -> None:
        gid, member = str(self.bound["ObjectId"]), str(self.bound["RefObjectId"])
        self.graph("POST", f"/groups/{gid}/members/$ref", body={"@odata.id": DIRECTORY_OBJECT_URL.format(id=member)})


class GetAzureADGroupMember(AzureADCmdlet):
    name = "Get-AzureADGroupMember"
    synopsis = "Gets a member of a group."
    params = (
        Param("ObjectId", "string", mandatory=True, help="The group's object ID."),
        Param("All", "bool"),
        Param("Top", "int"),
    )
    outputs = (PS_AAD_DIRECTORY_OBJECT,)
    examples = (Example("Get-AzureAdGroupMember -ObjectId $Group.ObjectId", "ObjectId, AppId and DisplayName."),)

    def run(self) -> None:
        items = self.graph_list(f"/groups/{self.bound['ObjectId']}/members")
        for d in items[: self.bound.get("Top") or None]:
            self.write(_directory_object(d))


class GetAzureADServicePrincipal(AzureADCmdlet):
    name = "Get-AzureADServicePrincipal"
    synopsis = "Gets a service principal."
    params = (
        Param("ObjectId", "string"),
        Param("SearchString", "string"),
        Param("Filter", "string"),
        Param("All", "bool"),
        Param("Top", "int"),
    )
    outputs = (PS_AAD_SP,)
    examples = (Example("Get-AzureADServicePrincipal -ObjectId $VM.Identity.PrincipalId",
                        "The service principal of a VM's identity."),)

    def run(self) -> None:
        p = self.bound
        if p.get("ObjectId"):
            d = self.graph("GET", f"/servicePrincipals/{p['ObjectId']}")
            if isinstance(d, dict):
                d.setdefault("@odata.type", "#microsoft.graph.servicePrincipal")
                self.write(_directory_object(d))
            return
        flt = p.get("Filter")
        if p.get("SearchString"):
            flt = f"startswith(displayName,'{str(p['SearchString']).replace(chr(39), chr(39) * 2)}')"
        for d in self.graph_list("/servicePrincipals", filter_=str(flt) if flt else None)[: p.get("Top") or None]:
            d.setdefault("@odata.type", "#microsoft.graph.servicePrincipal")
            self.write(_directory_object(d))


COMMANDS = (ConnectAzureAD, NewAzureADGroup, GetAzureADGroup, AddAzureADGroupMember, GetAzureADGroupMember,
            GetAzureADServicePrincipal)

#: The module's default views (its format file): the tables the 2017 SQL tutorial shows.
VIEWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (PS_AAD_CONTEXT, "table", ("Account", "Environment", "TenantId", "TenantDomain", "AccountType")),
    (PS_AAD_GROUP, "table", ("ObjectId", "DisplayName", "Description")),
    (PS_AAD_SP, "table", ("ObjectId", "AppId", "DisplayName")),
    (PS_AAD_USER, "table", ("ObjectId", "DisplayName", "UserPrincipalName", "UserType")),
)


def register_views(views: ViewTable) -> None:
    for type_name, kind, props in VIEWS:
        views.register(type_name, kind, props)
