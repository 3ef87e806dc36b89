"""The services object the session puts in ``ctx.services``: Az context, tokens, host context, HTTP.

What a cmdlet may ask of it::

    services.http                 # httpx.Client routed in-process to the planes, as the current host
    services.context              # the current Az context (account, subscription, tenant) — per host
    services.get_access_token(r)  # bearer token of the current account for resource r (cached)
    services.current_host         # HostInfo of the VM/app the session is "on", or None
    services.enter_host(...) / services.exit_host()
    services.complete_value(key, prefix)   # value completion for Param.completer keys

Signing in works as Az PowerShell does it. Off-host the account is the tenant's admin user, signed in like
Cloud Shell (the user token is minted by the token service: that is the "login"). On a host the account is
empty until ``Connect-AzAccount -Identity``, which asks the host's IMDS endpoint for a token over the
in-process client, exactly as Az.Accounts does on a real VM. Every cmdlet then calls ARM with that token, so
RBAC is decided by the ARM plane and nowhere else.

Reads that only *complete* a word (``complete_value``) and directory look-ups (what Az does through Microsoft
Graph: names, UPNs, display names) read the store directly; nothing here writes the model.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx

from azshell.cmdlets._azure import (
    API_SUBSCRIPTIONS,
    AZ_IDENTITY_TYPES,
    AZURE_CLOUD,
    AZURE_LOCATIONS,
    ENTER_VM_HINT,
    IMDS_API_VERSION,
    MSI_ACCOUNT_ID,
    MSI_NO_ENDPOINT,
    MSI_NO_IDENTITY,
    MSI_UAI_NOT_ASSIGNED,
    NOT_LOGGED_IN,
    USER_ASSIGNED_IDENTITY_TYPE,
    VM_TYPE,
)
from azshell.errors import AzShellError
from azshell.hostnames import ARM_ENDPOINT, ARM_RESOURCE, IMDS_HOST, IMDS_TOKEN_URL
from azshell.planes.base import CallerContext

__all__ = [
    "APP_SERVICE_API_VERSION",
    "AzAccount",
    "AzContext",
    "CachedToken",
    "HostEnvironment",
    "HostInfo",
    "NotSignedInError",
    "Services",
    "SignInError",
    "TokenAcquisitionError",
]

#: The App Service token protocol Az.Accounts uses on a web/function app.
APP_SERVICE_API_VERSION = "2019-08-01"
MSI_NO_APP_SERVICE_ENDPOINT = (
    "ManagedIdentityCredential authentication unavailable, no response from the App Service identity endpoint."
)

#: msrestazure's log line for a failed 2017 MSI extension request (``get_msi_token``), as azure-cli 2.0.x printed it
#: and the 2017 sign-in doc quotes it (SEEN: Azure/azure-cli#11775, #13517, msrestazure-for-python#149).
MSI_EXTENSION_FAILED = ("MSI: Failed to retrieve a token from '{url}' with an error of '{error}'. This could be "
                        "caused by the MSI extension not yet fully provisioned.")
#: requests' text for a refused connection (the object address is a placeholder of a CPython repr).
MSI_EXTENSION_REFUSED = (
    "HTTPConnectionPool(host='localhost', port={port}): Max retries exceeded with url: /oauth2/token (Caused by "
    "NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f3c2a1d4e80>: Failed to establish a new "
    "connection: [Errno 111] Connection refused',))")

#: Refresh a cached token this many seconds before it expires (MSAL/Az use 5 minutes).
TOKEN_REFRESH_MARGIN = 300.0

ClientFactory = Callable[[Callable[[], CallerContext]], httpx.Client]


class NotSignedInError(AzShellError):
    """No account in the current context ("Run Connect-AzAccount to login.")."""

    def __init__(self, message: str = NOT_LOGGED_IN) -> None:
        super().__init__(message)
        self.message = message


class TokenAcquisitionError(AzShellError):
    """A token could not be obtained for the current account; ``hint`` is a teaching note."""

    def __init__(self, message: str, hint: str | None = None, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.status = status


class SignInError(TokenAcquisitionError):
    """``Connect-AzAccount`` failed."""


@dataclass
class AzAccount:
    """``PSAzureRmAccount``: ``id`` is the UPN, ``MSI@50342`` (system identity) or a client ID (user-assigned).

    ``AccessToken`` accounts (``Connect-AzAccount -AccessToken``) hold only the token they were given;
    ``msi_port`` marks a 2017 ``az login --msi`` account, whose tokens come from the VM extension's endpoint.
    """

    id: str
    type: str  # "User" | "ManagedService" | "AccessToken"
    tenant_id: str
    object_id: str | None = None
    client_id: str | None = None  # user-assigned identity selected with -AccountId
    msi_port: int | None = None  # the 2017 MSI VM extension's port (az login --msi)


@dataclass
class CachedToken:
    access_token: str
    expires_on: float


@dataclass
class AzContext:
    """``PSAzureContext``: account, subscription and tenant, plus the account's token cache."""

    account: AzAccount | None = None
    subscription_id: str | None = None
    subscription_name: str | None = None
    tenant_id: str | None = None
    environment: str = AZURE_CLOUD
    tokens: dict[str, CachedToken] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """Az's context name: ``{subscription name} ({subscription id}) - {tenant} - {account}``."""
        if self.account is None:
            return "Default"
        if self.subscription_id:
            return (f"{self.subscription_name} ({self.subscription_id}) - {self.tenant_id} - "
                    f"{self.account.id}")
        return f"Default - {self.account.id}"


@dataclass(frozen=True)
class HostInfo:
    """The emulated host the session is on: its ARM resource ID, name, group and OS."""

    resource_id: str
    name: str
    resource_group: str
    kind: str = "vm"  # "vm" | "vmss_vm" (a scale-set instance) | "webapp" | "functionapp"
    os_type: str = "Windows"

    @property
    def prompt_path(self) -> str:
        if self.kind in ("webapp", "functionapp"):  # App Service: the Kudu console starts in the site root
            return "C:\\home\\site\\wwwroot" if self.os_type.casefold() == "windows" else "/home/site/wwwroot"
        return "C:\\" if self.os_type.casefold() == "windows" else f"/home/{os.environ.get('USER', 'azureuser')}"


class HostEnvironment(MutableMapping[str, str]):
    """``$env:`` as code on the current host sees it: the host's variables over ``base``.

    ``overlay()`` returns the current host's mutable variables (None off-host). Names compare
    case-insensitively in the overlay. On a host, writes go to the host's variables (they vanish on Exit, as a
    remote session's do); off-host they go to ``base``. A variable removed on a host hides ``base``'s value
    only while the overlay holds it, so removing a host-only variable is enough.
    """

    def __init__(self, base: MutableMapping[str, str], overlay: Callable[[], dict[str, str] | None]) -> None:
        self.base = base
        self.overlay = overlay

    def _find(self, layer: dict[str, str], key: str) -> str | None:
        low = key.casefold()
        return next((k for k in layer if k.casefold() == low), None)

    def __getitem__(self, key: str) -> str:
        layer = self.overlay()
        if layer:
            found = self._find(layer, key)
            if found is not None:
                return layer[found]
        return self.base[key]

    def __setitem__(self, key: str, value: str) -> None:
        layer = self.overlay()
        if layer is None:
            self.base[key] = value
            return
        found = self._find(layer, key)
        layer[found if found is not None else key] = value

    def __delitem__(self, key: str) -> None:
        layer = self.overlay()
        if layer is not None:
            found = self._find(layer, key)
            if found is not None:
                del layer[found]
                return
        del self.base[key]

    def __iter__(self) -> Iterator[str]:
        layer = self.overlay() or {}
        seen = {k.casefold() for k in layer}
        yield from layer
        yield from (k for k in self.base if k.casefold() not in seen)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _managed_identity_token(resp: httpx.Response, endpoint: str, error_keys: tuple[str, str], *,
                            client_id: str | None, err_cls: type[TokenAcquisitionError]
                            ) -> tuple[CachedToken, dict[str, Any]]:
    """A managed-identity endpoint's answer → the token and its claims; a refusal → ``err_cls``, as Az says it.

    ``error_keys``: the two fields of the endpoint's error body that may describe the failure, in order.
    """
    if resp.status_code != 200:
        try:
            body = resp.json()
            desc = str(body.get(error_keys[0]) or body.get(error_keys[1]) or resp.text)
        except ValueError:
            desc = resp.text
        message = MSI_UAI_NOT_ASSIGNED if client_id else MSI_NO_IDENTITY
        if resp.status_code != 400:
            message = f"ManagedIdentityCredential authentication failed: {desc}"
        raise err_cls(message, f"{endpoint} answered {resp.status_code}: {desc}", status=resp.status_code)
    data = resp.json()
    token = CachedToken(str(data["access_token"]), float(data.get("expires_on") or 0))
    return token, decode_claims(token.access_token)


class Services:
    """Everything the Azure cmdlets need from the session. Build one per session: ``Services(world)``."""

    def __init__(self, world: Any, *, client_factory: ClientFactory | None = None,
                 admin_upn: str | None = None) -> None:
        self.world = world
        self._client_factory = client_factory
        self._http: httpx.Client | None = None
        self._admin_upn = admin_upn
        self._host: HostInfo | None = None
        #: Az contexts by host resource ID ("" off-host); kept across Exit/Enter like Az's autosaved context
        self._contexts: dict[str, AzContext] = {}
        #: environment variables set on each host (App Service hosts: IDENTITY_ENDPOINT, ...), by host ID
        self.host_env: dict[str, dict[str, str]] = {}
        #: called after the host changes (the session may refresh the prompt or the file system)
        self.on_host_change: list[Callable[[HostInfo | None], None]] = []
        #: the off-host prompt's folder (the session may point this at the engine's file system)
        self.cwd_provider: Callable[[], str] = os.getcwd

    # ------------------------------------------------------------------------------------------- http
    @property
    def http(self) -> httpx.Client:
        """The in-process client; requests carry the current host as their caller context."""
        if self._http is None:
            factory = self._client_factory
            if factory is None:
                from azshell.http import make_client

                world = self.world

                def factory(provider: Callable[[], CallerContext]) -> httpx.Client:
                    return make_client(world, provider)

            self._http = factory(self.caller_context)
        return self._http

    def caller_context(self) -> CallerContext:
        return CallerContext(host_id=self._host.resource_id if self._host else None)

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None

    # ------------------------------------------------------------------------------------------- hosts
    @property
    def current_host(self) -> HostInfo | None:
        return self._host

    def enter_host(self, resource_id: str, *, name: str | None = None, resource_group: str | None = None,
                   kind: str = "vm", os_type: str = "Windows", env: dict[str, str] | None = None) -> HostInfo:
        """Put the session on a host. The cmdlet (Enter-AzVM) has already read the host through ARM."""
        parts = [p for p in resource_id.strip("/").split("/")]
        host = HostInfo(
            resource_id=resource_id,
            name=name or (parts[-1] if parts else resource_id),
            resource_group=resource_group or (parts[3] if len(parts) > 3 else ""),
            kind=kind,
            os_type=os_type or "Windows",
        )
        self._host = host
        if env is not None:
            self.host_env[resource_id.casefold()] = dict(env)
        self._notify()
        return host

    def exit_host(self) -> HostInfo | None:
        """Leave the current host (``Exit-AzVM`` / ``exit``); returns the host left, or None."""
        left = self._host
        self._host = None
        if left is not None:
            self._notify()
        return left

    def _notify(self) -> None:
        for fn in list(self.on_host_change):
            fn(self._host)

    def env_overrides(self) -> dict[str, str]:
        """Environment variables of the current host ({} off-host)."""
        if self._host is None:
            return {}
        return dict(self.host_env.get(self._host.resource_id.casefold(), {}))

    def current_host_env(self) -> dict[str, str] | None:
        """The live (mutable) environment of the current host, or None off-host (see ``HostEnvironment``)."""
        if self._host is None:
            return None
        return self.host_env.setdefault(self._host.resource_id.casefold(), {})

    def environment(self, base: MutableMapping[str, str]) -> HostEnvironment:
        """``$env:`` for the engine: the current host's variables over ``base`` (``Engine(env=...)``)."""
        return HostEnvironment(base, self.current_host_env)

    def prompt(self) -> str:
        """``[myVM]: PS C:\\> `` on a host, ``PS {cwd}> `` off-host."""
        if self._host is not None:
            return f"[{self._host.name}]: PS {self._host.prompt_path}> "
        return f"PS {self.cwd_provider()}> "

    def toolbar(self) -> dict[str, str]:
        ctx = self.context
        out = {"account": ctx.account.id if ctx.account else "(not signed in)"}
        if ctx.subscription_name:
            out["subscription"] = ctx.subscription_name
        out["host"] = self._host.name if self._host else "Cloud Shell"
        return out

    # ----------------------------------------------------------------------------------------- context
    @property
    def _context_key(self) -> str:
        return self._host.resource_id.casefold() if self._host else ""

    @property
    def context(self) -> AzContext:
        """The Az context of where the session is: off-host the admin user signs in on first use."""
        key = self._context_key
        ctx = self._contexts.get(key)
        if ctx is None:
            ctx = AzContext()
            self._contexts[key] = ctx
            if not key:
                try:
                    self._sign_in_admin(ctx)
                except AzShellError:
                    pass  # no tenant yet: stays empty, cmdlets say "Run Connect-AzAccount to login."
        return ctx

    def reset_contexts(self) -> None:
        """Forget every Az context (the state now holds another tenant: Import-AzShellState); off-host the
        admin signs in again on first use."""
        self._contexts.clear()

    def sign_out(self) -> AzContext:
        """``Disconnect-AzAccount``: the current context becomes empty; returns the context signed out of."""
        old = self.context
        self._contexts[self._context_key] = AzContext()
        return old

    def connect_user(self, *, tenant: str | None = None, subscription: str | None = None) -> AzContext:
        """``Connect-AzAccount`` without ``-Identity``: the admin user, as Cloud Shell signs you in."""
        ctx = AzContext()
        self._sign_in_admin(ctx, tenant=tenant)
        self._contexts[self._context_key] = ctx
        self._select_subscription(ctx, subscription)
        return ctx

    def connect_identity(self, *, client_id: str | None = None, tenant: str | None = None,
                         subscription: str | None = None, msi_port: int | None = None,
                         account_id: str | None = None) -> AzContext:
        """``Connect-AzAccount -Identity [-AccountId CLIENT_ID]``: a token from this host's IMDS endpoint
        (``msi_port``: from the 2017 MSI VM extension's endpoint on that port, as ``az login --msi`` asked it)."""
        ctx = AzContext()
        if msi_port is not None:
            token, claims = self._extension_token(ARM_RESOURCE, msi_port, client_id, SignInError)
        else:
            token, claims = self._imds_token(ARM_RESOURCE, client_id=client_id, sign_in=True)
        tid = str(claims.get("tid") or tenant or "")
        ctx.account = AzAccount(
            id=account_id or (client_id if client_id else MSI_ACCOUNT_ID),
            type="ManagedService",
            tenant_id=tid,
            object_id=str(claims.get("oid")) if claims.get("oid") else None,
            client_id=client_id,
            msi_port=msi_port,
        )
        ctx.tenant_id = tid or None
        ctx.tokens[ARM_RESOURCE] = token
        self._contexts[self._context_key] = ctx
        self._select_subscription(ctx, subscription)
        return ctx

    def connect_access_token(self, access_token: str, account_id: str, *, tenant: str | None = None,
                             subscription: str | None = None) -> AzContext:
        """``Connect-AzAccount -AccessToken $t -AccountId ID``: the account is that bearer token for ARM until it
        expires (ARM then answers 401, as it does to Az); nothing else can be asked for a new one."""
        claims = decode_claims(access_token)
        if not claims:
            raise SignInError("The access token is not a valid JWT: -AccessToken takes the access_token string of "
                              "a token response, not the whole response.")
        ctx = AzContext()
        tid = str(claims.get("tid") or tenant or "")
        ctx.account = AzAccount(id=account_id, type="AccessToken", tenant_id=tid,
                                object_id=str(claims.get("oid")) if claims.get("oid") else None)
        ctx.tenant_id = tid or None
        ctx.tokens[ARM_RESOURCE] = CachedToken(access_token, float(claims.get("exp") or 0))
        self._contexts[self._context_key] = ctx
        self._select_subscription(ctx, subscription)
        return ctx

    def _sign_in_admin(self, ctx: AzContext, *, tenant: str | None = None) -> None:
        admin = self.admin_user()
        tid = getattr(admin, "tenant_id", None) or self._tenant_id()
        ctx.account = AzAccount(
            id=str(getattr(admin, "user_principal_name", None) or getattr(admin, "display_name", "admin")),
            type="User",
            tenant_id=tid,
            object_id=admin.object_id,
        )
        ctx.tenant_id = tid
        self._select_subscription(ctx, None)

    def _select_subscription(self, ctx: AzContext, wanted: str | None) -> None:
        """List the subscriptions the account can see (through ARM) and pick ``wanted`` or the first."""
        subs = self.list_subscriptions(ctx)
        chosen: dict[str, Any] | None = None
        if wanted:
            for s in subs:
                if wanted.casefold() in (str(s.get("subscriptionId", "")).casefold(),
                                         str(s.get("displayName", "")).casefold()):
                    chosen = s
                    break
            if chosen is None:
                raise SignInError(
                    f"The provided account {ctx.account.id if ctx.account else ''} does not have access to "
                    f"subscription ID \"{wanted}\". Please try logging in with different credentials or a "
                    "different subscription ID."
                )
        elif subs:
            chosen = subs[0]
        if chosen is None:
            ctx.subscription_id = ctx.subscription_name = None
            return
        ctx.subscription_id = str(chosen.get("subscriptionId"))
        ctx.subscription_name = str(chosen.get("displayName"))
        ctx.tenant_id = str(chosen.get("tenantId") or ctx.tenant_id or "") or None

    def set_subscription(self, wanted: str) -> AzContext:
        ctx = self.context
        if ctx.account is None:
            raise NotSignedInError()
        self._select_subscription(ctx, wanted)
        return ctx

    def list_subscriptions(self, ctx: AzContext | None = None) -> list[dict[str, Any]]:
        """``GET /subscriptions`` with the context's token (ARM lists only what the account can see)."""
        ctx = ctx or self.context
        if ctx.account is None:
            raise NotSignedInError()
        token = self._token_for(ctx, ARM_RESOURCE)
        resp = self.http.get(f"{ARM_ENDPOINT}/subscriptions", params={"api-version": API_SUBSCRIPTIONS},
                             headers={"Authorization": f"Bearer {token}"})
        if resp.status_code >= 400:
            return []
        value = resp.json().get("value", [])
        return [v for v in value if isinstance(v, dict)]

    # ------------------------------------------------------------------------------------------ tokens
    def get_access_token(self, resource: str = ARM_RESOURCE) -> str:
        """The current account's bearer token for ``resource``; raises NotSignedInError/TokenAcquisitionError."""
        ctx = self.context
        if ctx.account is None:
            raise NotSignedInError()
        return self._token_for(ctx, resource)

    def get_token_info(self, resource: str = ARM_RESOURCE) -> CachedToken:
        self.get_access_token(resource)
        return self.context.tokens[resource]

    def _now(self) -> float:
        clock = getattr(self.world, "clock", None)
        return float(clock.now()) if clock is not None else 0.0

    def new_guid(self) -> str:
        """A GUID for an id the client makes itself (an operation id): from the world's id source, which
        ``--seed`` makes reproducible."""
        ids = getattr(self.world, "ids", None)
        if ids is not None:
            return str(ids.guid())
        import uuid

        return str(uuid.uuid4())

    def _still_valid(self, token: str) -> bool:
        """False once the key that signed ``token`` has left the tenant's JWKS (Invoke-AzShellKeyRollover), or
        when the tenant clock was moved back before its ``nbf`` (Set-AzShellClock): the session then gets a new
        token, as Az does when ARM refuses its cached one."""
        import base64
        import json

        def part(i: int) -> dict[str, Any]:
            seg = (token.split(".") + ["", ""])[i]
            try:
                data = json.loads(base64.urlsafe_b64decode(seg + "=" * (-len(seg) % 4)))
            except ValueError:
                return {}
            return data if isinstance(data, dict) else {}

        nbf = part(1).get("nbf")
        if isinstance(nbf, int) and nbf - TOKEN_REFRESH_MARGIN > self._now():
            return False
        kid = part(0).get("kid")
        return not isinstance(kid, str) or self.world.tokens.key_ring().find(kid) is not None

    def _token_for(self, ctx: AzContext, resource: str) -> str:
        cached = ctx.tokens.get(resource)
        if ctx.account is not None and ctx.account.type == "AccessToken":
            if cached is not None or resource == ARM_RESOURCE:
                given = cached or ctx.tokens.get(ARM_RESOURCE)
                if given is not None:
                    return given.access_token  # sent as given, expired or not: ARM decides
            raise TokenAcquisitionError(
                f"The account {ctx.account.id} signed in with -AccessToken has a token for Azure Resource Manager "
                f"only; it cannot get one for {resource}.",
                "Sign in with -Identity (on a VM) or without -AccessToken to reach other services.")
        if cached is not None and cached.expires_on - TOKEN_REFRESH_MARGIN > self._now() \
                and self._still_valid(cached.access_token):
            return cached.access_token
        acct = ctx.account
        assert acct is not None
        if acct.type == "User":
            admin = self._directory_object(acct.object_id) if acct.object_id else None
            if admin is None:
                raise NotSignedInError("The signed-in user no longer exists in the tenant. " + NOT_LOGGED_IN)
            issued = self.world.tokens.issue_for_principal(principal=admin, resource=resource, kind="user")
            token = CachedToken(str(issued.access_token), float(issued.expires_on))
        elif acct.msi_port is not None:
            token, _ = self._extension_token(resource, acct.msi_port, acct.client_id, TokenAcquisitionError)
        else:
            token, _ = self._imds_token(resource, client_id=acct.client_id)
        ctx.tokens[resource] = token
        return token.access_token

    def _imds_token(self, resource: str, *, client_id: str | None = None,
                    sign_in: bool = False) -> tuple[CachedToken, dict[str, Any]]:
        """Ask the current host's IMDS endpoint for a token, as Az.Accounts (ManagedIdentityCredential) does.

        On an App Service host (``IDENTITY_ENDPOINT`` set) it asks that endpoint instead (2019-08-01).
        """
        env = self.env_overrides()
        err_cls = SignInError if sign_in else TokenAcquisitionError
        if env.get("IDENTITY_ENDPOINT") and env.get("IDENTITY_HEADER"):
            # App Service: IDENTITY_ENDPOINT with the X-IDENTITY-HEADER secret
            return self._endpoint_token(
                env["IDENTITY_ENDPOINT"], APP_SERVICE_API_VERSION, resource, client_id, err_cls,
                headers={"X-IDENTITY-HEADER": env["IDENTITY_HEADER"]}, name="The App Service identity endpoint",
                error_keys=("message", "Message"), unreachable=MSI_NO_APP_SERVICE_ENDPOINT, hint=None)
        return self._endpoint_token(
            IMDS_TOKEN_URL, IMDS_API_VERSION, resource, client_id, err_cls, headers={"Metadata": "true"},
            name="IMDS", error_keys=("error_description", "error"), unreachable=MSI_NO_ENDPOINT,
            hint=f"{IMDS_HOST} only answers on a VM: {ENTER_VM_HINT}")

    def _extension_token(self, resource: str, port: int, client_id: str | None,
                         err_cls: type[TokenAcquisitionError]) -> tuple[CachedToken, dict[str, Any]]:
        """A token from the 2017 MSI VM extension (``POST http://localhost:{port}/oauth2/token``, form body), as
        the 2017 CLI's ``az login --msi`` (msrestazure's MSIAuthentication) asked it."""
        url = f"http://localhost:{port}/oauth2/token"
        form = {"resource": resource, **({"client_id": client_id} if client_id else {})}
        try:
            resp = self.http.post(url, data=form, headers={"Metadata": "true"})
        except httpx.HTTPError as e:
            raise err_cls(MSI_EXTENSION_FAILED.format(url=url, error=MSI_EXTENSION_REFUSED.format(port=port)),
                          hint_of(e), status=0) from None
        if resp.status_code != 200:
            raise err_cls(MSI_EXTENSION_FAILED.format(url=url, error=(
                f"{resp.status_code} Client Error: {resp.reason_phrase} for url: {url}")), resp.text,
                status=resp.status_code)
        data = resp.json()
        token = CachedToken(str(data["access_token"]), float(data.get("expires_on") or 0))
        return token, decode_claims(token.access_token)

    def _endpoint_token(self, endpoint: str, api_version: str, resource: str, client_id: str | None,
                        err_cls: type[TokenAcquisitionError], *, headers: dict[str, str], name: str,
                        error_keys: tuple[str, str], unreachable: str,
                        hint: str | None) -> tuple[CachedToken, dict[str, Any]]:
        """A token from a host's managed-identity endpoint, asked as Az.Accounts asks it."""
        params = {"api-version": api_version, "resource": resource}
        if client_id:
            params["client_id"] = client_id
        try:
            resp = self.http.get(f"{endpoint}?{urlencode(params)}", headers=headers)
        except httpx.HTTPError as e:
            raise err_cls(unreachable, hint_of(e) or hint) from None
        return _managed_identity_token(resp, name, error_keys, client_id=client_id, err_cls=err_cls)

    # ------------------------------------------------------------------------------- directory (Graph)
    @property
    def store(self) -> Any:
        return self.world.store

    def _tenant_id(self) -> str:
        return str(self.store.get_tenant().tenant_id)

    def admin_user(self) -> Any:
        """The tenant's admin user (the Cloud Shell account)."""
        if self._admin_upn:
            found = self.store.find_directory_objects(object_type="User", user_principal_name=self._admin_upn)
            if found:
                return found[0]
        try:
            return self.world.admin_user
        except AzShellError:
            raise NotSignedInError("The tenant has no user to sign in with. " + NOT_LOGGED_IN) from None

    def _directory_object(self, object_id: str | None) -> Any:
        if not object_id:
            return None
        return self.store.get_directory_object(object_id)

    def directory_object(self, object_id: str) -> Any:
        """The directory object with this ID, or None (what Az learns from Microsoft Graph)."""
        try:
            return self._directory_object(object_id)
        except Exception:
            return None

    def find_principals(self, *, display_name: str | None = None, user_principal_name: str | None = None,
                        app_id: str | None = None, resource_id: str | None = None) -> list[Any]:
        kw = {k: v for k, v in (("display_name", display_name), ("user_principal_name", user_principal_name),
                                ("app_id", app_id), ("resource_id", resource_id)) if v is not None}
        return list(self.store.find_directory_objects(**kw))

    # -------------------------------------------------------------------------------------- completion
    def complete_value(self, key: str, prefix: str) -> list[str]:
        """Values for a ``Param.completer`` key, from live state; never raises."""
        from azshell.cmdlets.completers import complete_value

        try:
            return complete_value(self, key, prefix)
        except Exception:
            return []

    @property
    def identity_types(self) -> tuple[str, ...]:
        return AZ_IDENTITY_TYPES

    @property
    def locations(self) -> tuple[str, ...]:
        return AZURE_LOCATIONS

    @staticmethod
    def vm_type() -> str:
        return VM_TYPE

    @staticmethod
    def uai_type() -> str:
        return USER_ASSIGNED_IDENTITY_TYPE


def hint_of(exc: BaseException) -> str | None:
    """The teaching hint of a HostUnreachableError somewhere in ``exc``'s chain, if any."""
    from azshell.planes.base import HostUnreachableError

    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, HostUnreachableError):
            return cur.hint
        for arg in getattr(cur, "args", ()):
            if isinstance(arg, HostUnreachableError):
                return arg.hint
        h = getattr(cur, "hint", None)
        if isinstance(h, str):
            return h
        cur = cur.__cause__ or cur.__context__
    return None


def unreachable_of(exc: BaseException) -> Any:
    """The HostUnreachableError in ``exc``'s chain, or None."""
    from azshell.planes.base import HostUnreachableError

    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, HostUnreachableError):
            return cur
        for arg in getattr(cur, "args", ()):
            if isinstance(arg, HostUnreachableError):
                return arg
        cur = cur.__cause__ or cur.__context__
    return None


def decode_claims(token: str) -> dict[str, Any]:
    """The claims of a JWT without verifying it (the caller trusts where it came from)."""
    import base64
    import json

    try:
        payload = token.split(".")[1]
        payload += "=" * (-len(payload) % 4)
        data = json.loads(base64.urlsafe_b64decode(payload.encode("ascii")))
        return data if isinstance(data, dict) else {}
    except (IndexError, ValueError):
        return {}
