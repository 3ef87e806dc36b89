"""Entra's ``az`` commands: ``az login`` (as the admin user, or ``--identity`` through the host's IMDS endpoint),
``az logout`` and ``az account show|list|set|get-access-token``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from azshell.cmdlets._azure import AZURE_CLOUD
from azshell.cmdlets.context import TokenAcquisitionError
from azshell.cmdlets.linux.az import PLEASE_LOGIN, Az, AzCommandTable
from azshell.cmdlets.linux.azcli import EXIT_USAGE, AzCliError, OptSpec, ParsedArgs
from azshell.hostnames import (
    AAD_GRAPH_RESOURCE,
    ARM_CLASSIC_RESOURCE,
    DATA_LAKE_RESOURCE,
    GRAPH_RESOURCE,
    MSI_EXTENSION_PORT,
)
from azshell.ids import is_guid
from azshell.services.authorization.cmdlets import _norm_scope

__all__ = ["AZ_COMMANDS", "account_entry", "subscriptions_list"]

#: The az CLI's default resource (its cloud's ``active_directory_resource_id``).
ARM_CLI_RESOURCE = ARM_CLASSIC_RESOURCE
RESOURCE_TYPES = {
    "arm": ARM_CLI_RESOURCE,
    "aad-graph": AAD_GRAPH_RESOURCE,
    "ms-graph": GRAPH_RESOURCE,
    "batch": "https://batch.core.windows.net/",
    "data-lake": DATA_LAKE_RESOURCE,
    "media": "https://rest.media.azure.net",
    "oss-rdbms": "https://ossrdbms-aad.database.windows.net",
}
#: az's two failures of ``az login --identity`` (SEEN: Azure/azure-cli issues 17695 and 20715, "Failed to connect to
#: MSI. Please make sure MSI is configured correctly.\nGet Token request returned: <Response [400]>"; issues 19396 and
#: 20605 for an endpoint that cannot be reached, "… and check the network connection.\nError detail: …").
MSI_FAILED = "Failed to connect to MSI. Please make sure MSI is configured correctly."
MSI_FAILED_RESPONSE = MSI_FAILED + "\nGet Token request returned: <Response [{status}]>"
MSI_FAILED_NETWORK = ("Failed to connect to MSI. Please make sure MSI is configured correctly and check the network "
                      "connection.\nError detail: {detail}")
NO_SUBSCRIPTIONS_FOR_MSI = ("No access was configured for the VM, hence no subscriptions were found. If this is "
                            "expected, use '--allow-no-subscriptions' to have tenant level access.")


def account_entry(az: Az, *, is_default: bool = True, sub: dict[str, Any] | None = None) -> dict[str, Any]:
    """One entry of ``az account list`` (``az account show``): the session's account on ``sub``."""
    ctx = az.services.context
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


def subscriptions_list(az: Az) -> list[dict[str, Any]]:
    ctx = az.services.context
    subs = az.services.list_subscriptions(ctx)
    if not subs:
        return [account_entry(az)]
    return [account_entry(az, is_default=str(s.get("subscriptionId")) == ctx.subscription_id, sub=s)
            for s in subs]


def _login_msi_extension(az: Az, a: ParsedArgs) -> Any:
    """The 2017 ``az login --msi [--msi-port N]``: an ARM token from the MSI VM extension's endpoint
    (``POST http://localhost:50342/oauth2/token``); the later tokens come from there too."""
    services = az.services
    raw_port = a.get("msi_port")
    try:
        port = int(raw_port) if raw_port is not None else MSI_EXTENSION_PORT
    except ValueError:
        raise AzCliError(f"argument --msi-port: invalid int value: '{raw_port}'", EXIT_USAGE) from None
    username = a.get("username")
    try:
        ctx = services.connect_identity(client_id=str(username) if username else None, msi_port=port)
    except TokenAcquisitionError as e:
        # msrestazure printed this line, then az failed (INFERRED: shown here as the command's error; no capture
        # found of what az 2.0.x printed after msrestazure's warning)
        raise AzCliError(e.message + (f"\nHint: {e.hint}" if e.hint else ""), raw=True) from None
    if not ctx.subscription_id and not a.get("allow_no_subscriptions"):
        services.sign_out()
        raise AzCliError(NO_SUBSCRIPTIONS_FOR_MSI)
    return subscriptions_list(az)


def cmd_login(az: Az, a: ParsedArgs) -> Any:
    services = az.services
    if a.get("msi") or a.get("msi_port") is not None:
        return _login_msi_extension(az, a)
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
            text = (MSI_FAILED_RESPONSE.format(status=e.status) if e.status else
                    MSI_FAILED_NETWORK.format(detail=e.message))
            # the detail az leaves out (the endpoint's own answer) goes to the hint
            hint = "\n".join(h for h in (e.message if e.status else None, e.hint) if h)
            raise AzCliError(text + (f"\nHint: {hint}" if hint else "")) from None
        if not ctx.subscription_id and not a.get("allow_no_subscriptions"):
            services.sign_out()
            raise AzCliError(NO_SUBSCRIPTIONS_FOR_MSI)
        return subscriptions_list(az)
    services.connect_user(tenant=a.get("tenant"))
    return subscriptions_list(az)


def cmd_logout(az: Az, a: ParsedArgs) -> Any:
    if az.services.context.account is None:
        raise AzCliError("There are no active accounts.")
    az.services.sign_out()
    return None


def cmd_account_show(az: Az, a: ParsedArgs) -> Any:
    return account_entry(az)


def cmd_account_list(az: Az, a: ParsedArgs) -> Any:
    if az.services.context.account is None:
        return []
    return subscriptions_list(az)


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


AZ_COMMANDS: AzCommandTable = {
    ("login",): ((OptSpec(("--identity", "-i"), "identity", "0"), OptSpec(("--username", "-u"), "username"),
                  OptSpec(("--msi",), "msi", "0"), OptSpec(("--msi-port",), "msi_port"),
                  OptSpec(("--password", "-p"), "password"), OptSpec(("--tenant", "-t"), "tenant"),
                  OptSpec(("--allow-no-subscriptions",), "allow_no_subscriptions", "0"),
                  OptSpec(("--use-device-code",), "device_code", "0"),
                  OptSpec(("--service-principal",), "service_principal", "0")), cmd_login),
    ("logout",): ((OptSpec(("--username",), "username"),), cmd_logout),
    ("account", "show"): ((), cmd_account_show),
    ("account", "list"): ((OptSpec(("--all",), "all", "0"),), cmd_account_list),
    ("account", "set"): ((OptSpec(("--subscription", "-s", "--name", "-n"), "subscription", required=True),),
                         cmd_account_set),
    ("account", "get-access-token"): ((OptSpec(("--resource",), "resource"),
                                       OptSpec(("--resource-type",), "resource_type"),
                                       OptSpec(("--scope",), "scope", "+"),
                                       OptSpec(("--tenant", "-t"), "tenant")), cmd_get_access_token),
}
