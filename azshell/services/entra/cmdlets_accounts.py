"""Az.Accounts: Connect-AzAccount, Disconnect-AzAccount, Get-AzContext, Set-AzContext, Get-AzSubscription."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azshell.cmdlets._azure import (
    AZURE_CLOUD,
    PS_AZURE_CONTEXT,
    PS_AZURE_PROFILE,
    PS_AZURE_RM_ACCOUNT,
    PS_AZURE_SUBSCRIPTION,
)
from azshell.cmdlets._base import AzCmdlet
from azshell.cmdlets.context import AzContext, NotSignedInError, SignInError
from azshell.cmdlets.views import ViewSpec, register_table
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.values import PSObject

if TYPE_CHECKING:
    from azshell.lang.formatting import ViewTable

__all__ = [
    "ConnectAzAccount",
    "DisconnectAzAccount",
    "GetAzContext",
    "GetAzSubscription",
    "SetAzContext",
    "account_object",
    "context_object",
]


def _named(type_name: str, props: list[tuple[str, Any]], text: str) -> PSObject:
    obj = PSObject(props, type_names=(type_name, "System.Object"))
    obj.methods["tostring"] = lambda: text
    return obj


def account_object(ctx: AzContext) -> PSObject | None:
    acct = ctx.account
    if acct is None:
        return None
    return _named(PS_AZURE_RM_ACCOUNT, [
        ("Id", acct.id),
        ("Type", acct.type),
        ("Tenants", [acct.tenant_id] if acct.tenant_id else []),
        ("AccessToken", None),
        ("Credential", None),
        ("TenantMap", {}),
        ("CertificateThumbprint", None),
        ("ExtendedProperties", {"Tenants": acct.tenant_id, "Subscriptions": ctx.subscription_id or ""}),
    ], acct.id)


def subscription_object(sub_id: str | None, name: str | None, tenant_id: str | None,
                        state: str = "Enabled") -> PSObject | None:
    if not sub_id:
        return None
    return _named(PS_AZURE_SUBSCRIPTION, [
        ("Id", sub_id),
        ("Name", name or ""),
        ("State", state),
        ("SubscriptionId", sub_id),
        ("TenantId", tenant_id or ""),
        ("HomeTenantId", tenant_id or ""),
        ("ManagedByTenantIds", []),
        ("CurrentStorageAccountName", None),
        ("SubscriptionPolicies", None),
        ("ExtendedProperties", {}),
        ("Tags", {}),
    ], name or sub_id)


def context_object(ctx: AzContext) -> PSObject:
    """``PSAzureContext``: Name, Account, Environment, Subscription, Tenant (+ SubscriptionName for the view)."""
    tenant = _named("Microsoft.Azure.Commands.Profile.Models.PSAzureTenant",
                    [("Id", ctx.tenant_id or ""), ("TenantId", ctx.tenant_id or "")], ctx.tenant_id or "")
    env = _named("Microsoft.Azure.Commands.Profile.Models.PSAzureEnvironment", [("Name", ctx.environment)],
                 ctx.environment)
    return PSObject([
        ("Name", ctx.name),
        ("Account", account_object(ctx)),
        ("Environment", env),
        ("Subscription", subscription_object(ctx.subscription_id, ctx.subscription_name, ctx.tenant_id)),
        ("Tenant", tenant),
        ("TokenCache", None),
        ("VersionProfile", None),
        ("ExtendedProperties", {}),
        ("SubscriptionName", ctx.subscription_name or ""),
        ("TenantId", ctx.tenant_id or ""),
    ], type_names=(PS_AZURE_CONTEXT, "System.Object"))


def profile_object(ctx: AzContext) -> PSObject:
    """``PSAzureProfile`` as Connect-AzAccount prints it: Account, SubscriptionName, TenantId, Environment."""
    return PSObject([
        ("Context", context_object(ctx)),
        ("Account", account_object(ctx)),
        ("SubscriptionName", ctx.subscription_name or ""),
        ("TenantId", ctx.tenant_id or ""),
        ("Environment", ctx.environment),
    ], type_names=(PS_AZURE_PROFILE, "System.Object"))


class ConnectAzAccount(AzCmdlet):
    name = "Connect-AzAccount"
    aliases = ("Login-AzAccount", "Login-AzureRmAccount", "Connect-AzureRmAccount", "Add-AzureRmAccount",
               "Add-AzAccount")
    synopsis = "Connect to Azure with an authenticated account for use with cmdlets from the Az modules."
    description = (
        "Without -Identity you are signed in as the tenant's admin user, as Azure Cloud Shell signs you in. "
        "With -Identity, on a host you entered with Enter-AzVM, Az asks the host's token endpoint "
        "(169.254.169.254) for a token of the host's managed identity and every following Az cmdlet runs with "
        "that identity's rights. -AccountId picks a user-assigned identity by its client ID or resource ID. "
        "-AccessToken $token -AccountId ID signs in with a bearer token you already have (the 2017 "
        "Login-AzureRmAccount -AccessToken $access_token -AccountId \"MSI@50342\"): cmdlets call ARM with that "
        "token until it expires."
    )
    params = (
        Param("Identity", "switch", parameter_sets=("ManagedServiceLogin",),
              help="Sign in with the managed identity of the host you are on."),
        Param("AccessToken", "string", parameter_sets=("AccessTokenWithSubscriptionId",), mandatory=True,
              help="An ARM bearer token (the access_token of a token response)."),
        Param("AccountId", "string",
              parameter_sets=("ManagedServiceLogin", "UserWithSubscriptionId", "AccessTokenWithSubscriptionId"),
              aliases=("ApplicationId",), completer="identity_client_id",
              help="With -Identity: the client ID or resource ID of a user-assigned identity; with -AccessToken: "
                   "any string that names the session (required)."),
        Param("Tenant", "string", aliases=("TenantId", "Domain", "TenantName"), help="Tenant ID or domain."),
        Param("Subscription", "string", aliases=("SubscriptionId", "SubscriptionName"),
              completer="subscription", help="Subscription name or ID to select."),
        Param("Environment", "string", aliases=("EnvironmentName",), validate_set=(AZURE_CLOUD,)),
        Param("Credential", "pscredential", help="Accepted and ignored: the admin user is signed in."),
        Param("UseDeviceAuthentication", "switch", aliases=("DeviceCode", "DeviceAuth", "Device")),
        Param("Force", "switch"),
        Param("SkipContextPopulation", "switch"),
    )
    default_parameter_set = "UserWithSubscriptionId"
    outputs = (PS_AZURE_PROFILE,)
    examples = (
        Example("Connect-AzAccount", "Sign in as the tenant's admin user (as in Cloud Shell)."),
        Example("Enter-AzVM -ResourceGroupName myRG -Name myVM\nConnect-AzAccount -Identity\nGet-AzResourceGroup",
                "On a VM: sign in with the VM's system-assigned identity; Get-AzResourceGroup then lists only "
                "what the identity may read."),
        Example("Connect-AzAccount -Identity -AccountId $uai.ClientId",
                "Sign in with a user-assigned identity attached to the VM."),
        Example("Login-AzureRmAccount -AccessToken $access_token -AccountId \"MSI@50342\"",
                "The 2017 way: sign in with a token you got from the VM's token endpoint."),
    )

    def process(self) -> None:
        p = self.bound
        try:
            if p.get("AccessToken") is not None:
                if not p.get("AccountId"):
                    raise CmdletError(
                        "Cannot process command because of one or more missing mandatory parameters: AccountId.",
                        category="InvalidArgument", error_id="MissingMandatoryParameter")
                ctx = self.services.connect_access_token(str(p["AccessToken"]), str(p["AccountId"]),
                                                         tenant=p.get("Tenant"), subscription=p.get("Subscription"))
            elif p.get("Identity"):
                account = p.get("AccountId")
                ctx = self.services.connect_identity(client_id=self._client_id(account), tenant=p.get("Tenant"),
                                                     subscription=p.get("Subscription"),
                                                     account_id=str(account) if account else None)
            else:
                ctx = self.services.connect_user(tenant=p.get("Tenant"), subscription=p.get("Subscription"))
        except SignInError as e:
            raise self.token_error(e) from None
        except NotSignedInError as e:
            raise CmdletError(e.message, category="AuthenticationError", error_id="AuthenticationFailed") from None
        if ctx.subscription_id is None and ctx.account is not None:
            self.write_warning(
                f"Unable to find a subscription that {ctx.account.id} can access. Grant it a role on a "
                "subscription or resource group (New-AzRoleAssignment), then run Connect-AzAccount again."
            )
        self.write(profile_object(ctx))

    def _client_id(self, account: Any) -> str | None:
        """-AccountId as a client ID: a user-assigned identity's resource ID is looked up in the directory."""
        if not account:
            return None
        text = str(account)
        if text.startswith("/"):
            found = [o for o in self.services.find_principals(resource_id=text) if getattr(o, "app_id", None)]
            if not found:
                found = [o for o in self.services.find_principals(resource_id=text.rstrip("/"))
                         if getattr(o, "app_id", None)]
            if found:
                return str(found[0].app_id)
        return text


class DisconnectAzAccount(AzCmdlet):
    name = "Disconnect-AzAccount"
    aliases = ("Logout-AzAccount", "Logout-AzureRmAccount", "Disconnect-AzureRmAccount")
    synopsis = "Disconnects a connected Azure account and removes all credentials and contexts associated with it."
    params = (
        Param("Username", "string", aliases=("Id", "UserId", "AccountId")),
        Param("Scope", "string", validate_set=("Process", "CurrentUser")),
    )
    outputs = (PS_AZURE_RM_ACCOUNT,)
    examples = (Example("Disconnect-AzAccount", "Sign out; Az cmdlets then say \"Run Connect-AzAccount to login.\""),)

    def process(self) -> None:
        old = self.services.sign_out()
        acct = account_object(old)
        if acct is not None:
            self.write(acct)


class GetAzContext(AzCmdlet):
    name = "Get-AzContext"
    aliases = ("Get-AzureRmContext",)
    synopsis = "Gets the metadata used to authenticate Azure Resource Manager requests."
    params = (
        Param("Name", "string", position=0),
        Param("ListAvailable", "switch"),
    )
    outputs = (PS_AZURE_CONTEXT,)
    examples = (Example("Get-AzContext", "Shows the account, subscription and tenant Az cmdlets use now."),)

    def process(self) -> None:
        ctx = self.services.context
        if ctx.account is None:
            return
        name = self.bound.get("Name")
        if name and name.casefold() != ctx.name.casefold():
            return
        self.write(context_object(ctx))


class SetAzContext(AzCmdlet):
    name = "Set-AzContext"
    aliases = ("Select-AzSubscription", "Set-AzureRmContext", "Select-AzureRmSubscription")
    synopsis = "Sets the tenant, subscription, and environment for cmdlets to use in the current session."
    params = (
        Param("Subscription", "string", position=0, aliases=("SubscriptionId", "SubscriptionName"),
              completer="subscription", parameter_sets=("Subscription",), mandatory=True),
        Param("Tenant", "string", aliases=("TenantId", "Domain", "TenantName")),
        Param("Context", "object", parameter_sets=("Context",), mandatory=True, value_from_pipeline=True),
        Param("Name", "string"),
        Param("Force", "switch"),
    )
    default_parameter_set = "Subscription"
    outputs = (PS_AZURE_CONTEXT,)
    examples = (Example("Set-AzContext -Subscription 'Azure subscription 1'", "Select a subscription by name or ID."),)

    def process(self) -> None:
        wanted = self.bound.get("Subscription")
        if wanted is None:
            ctx_obj = self.bound.get("Context")
            sub = ctx_obj.get("Subscription") if isinstance(ctx_obj, PSObject) else None
            wanted = sub.get("Id") if isinstance(sub, PSObject) else None
        if not wanted:
            self.fail("Please provide a valid tenant or a valid subscription.")
        try:
            ctx = self.services.set_subscription(str(wanted))
        except SignInError as e:
            raise CmdletError(e.message, category="CloseError", error_id="InvalidOperation") from None
        except NotSignedInError as e:
            raise CmdletError(e.message, category="CloseError", error_id="InvalidOperation") from None
        self.write(context_object(ctx))


class GetAzSubscription(AzCmdlet):
    name = "Get-AzSubscription"
    aliases = ("Get-AzureRmSubscription",)
    synopsis = "Get subscriptions that the current account can access."
    params = (
        Param("SubscriptionId", "string", parameter_sets=("ListById",), completer="subscription"),
        Param("SubscriptionName", "string", parameter_sets=("ListByName",), completer="subscription"),
        Param("TenantId", "string"),
    )
    default_parameter_set = "ListByName"
    outputs = (PS_AZURE_SUBSCRIPTION,)
    examples = (Example("Get-AzSubscription", "Lists the subscriptions the signed-in account can see."),)

    def process(self) -> None:
        try:
            subs = self.services.list_subscriptions()
        except NotSignedInError as e:
            raise CmdletError(e.message, category="CloseError", error_id="InvalidOperation") from None
        want_id = self.bound.get("SubscriptionId")
        want_name = self.bound.get("SubscriptionName")
        tenant = self.bound.get("TenantId")
        found = []
        for s in subs:
            if want_id and str(s.get("subscriptionId", "")).casefold() != want_id.casefold():
                continue
            if want_name and str(s.get("displayName", "")).casefold() != want_name.casefold():
                continue
            if tenant and str(s.get("tenantId", "")).casefold() != tenant.casefold():
                continue
            found.append(s)
        if (want_id or want_name) and not found:
            what = want_id or want_name
            raise CmdletError(
                f"Subscription {what} was not found in tenant {tenant or self.tenant_id}. Please verify that the "
                "subscription exists in this tenant.",
                category="CloseError", error_id="InvalidOperation")
        for s in found:
            obj = subscription_object(str(s.get("subscriptionId")), str(s.get("displayName", "")),
                                      str(s.get("tenantId", "") or self.tenant_id), str(s.get("state", "Enabled")))
            if obj is not None:
                self.write(obj)

COMMANDS = (ConnectAzAccount, DisconnectAzAccount, GetAzContext, SetAzContext, GetAzSubscription)


#: The default views of this module's output types (Az PowerShell's format files).
VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec(PS_AZURE_PROFILE, "table", ("Account", "SubscriptionName", "TenantId", "Environment")),
    ViewSpec(PS_AZURE_CONTEXT, "table", ("Name", "Account", "SubscriptionName", "Environment", "TenantId")),
    ViewSpec(PS_AZURE_RM_ACCOUNT, "table", ("Id", "Type", "Tenants")),
    ViewSpec(PS_AZURE_SUBSCRIPTION, "table", ("Name", "Id", "TenantId", "State")),
)


def register_views(views: ViewTable) -> None:
    register_table(views, VIEWS)
