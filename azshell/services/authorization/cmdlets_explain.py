"""Tokens and teaching verbs: ``Get-AzAccessToken`` (as current Az), ``Show-Token`` and ``Test-AzAccess``.

``Show-Token`` decodes a JWT, explains each claim in one line, shows its times as local and relative, and checks
its signature against the tenant's JWKS fetched from ``login.microsoftonline.com`` (in-process), as a resource
server would. ``Test-AzAccess`` asks ARM for the RBAC decision — ``GET {scope}/providers/Microsoft.Authorization/
permissions`` for the signed-in account, azshell's ``POST {scope}/providers/Microsoft.Authorization/checkAccess``
for another principal — and prints it with its reasons and the one command that would fix a denial.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from azshell.auth.rbac import action_matches
from azshell.cmdlets._azure import API_AUTHORIZATION
from azshell.cmdlets._base import AzCmdlet
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.values import PSHashtable, PSObject, SecureString
from azshell.services.authorization.cmdlets import RoleCmdlet
from azshell.services.entra.cmdlets import GraphCmdlet

__all__ = ["COMMANDS", "GetAzAccessToken", "ShowToken", "TestAzAccess", "derive_request_access",
           "explain_claim", "relative_time"]

# ----------------------------------------------------------------------------------------- Get-AzAccessToken
PS_SECURE_ACCESS_TOKEN = "Microsoft.Azure.Commands.Profile.Models.PSSecureAccessToken"
PS_ACCESS_TOKEN = "Microsoft.Azure.Commands.Profile.Models.PSAccessToken"
#: Az's default resource for Get-AzAccessToken: the environment's ActiveDirectoryServiceEndpointResourceId.
AZ_DEFAULT_RESOURCE = "https://management.core.windows.net/"
RESOURCE_TYPE_URLS: dict[str, str] = {
    "AadGraph": "https://graph.windows.net/",
    "AnalysisServices": "https://region.asazure.windows.net",
    "AppConfiguration": "https://azconfig.io",
    "Arm": AZ_DEFAULT_RESOURCE,
    "Attestation": "https://attest.azure.net",
    "Batch": "https://batch.core.windows.net/",
    "DataLake": "https://datalake.azure.net/",
    "KeyVault": "https://vault.azure.net",
    "MSGraph": "https://graph.microsoft.com/",
    "OperationalInsights": "https://api.loganalytics.io",
    "ResourceManager": AZ_DEFAULT_RESOURCE,
    "Storage": "https://storage.azure.com/",
    "Synapse": "https://dev.azuresynapse.net",
}
TOKEN_TYPE = "Bearer"
WRONG_TENANT = ("The current account is signed in to tenant '{current}'; a token for tenant '{wanted}' needs "
                "Connect-AzAccount -Tenant {wanted}.")

# ------------------------------------------------------------------------------------------------ Show-Token
PS_TOKEN_INFO = "azshell.TokenInfo"
JWKS_URL = "https://login.microsoftonline.com/{tenant}/discovery/keys"
NOT_A_JWT = "The value is not a JWT (three base64url parts separated by dots): {detail}"
NO_TOKEN = ("Give the token with -Token, or pipe a string, a token response (access_token), the result of "
            "Get-AzAccessToken (Token) or of Invoke-WebRequest (Content).")
HEADER_HELP: dict[str, str] = {
    "typ": "the kind of token: a JSON Web Token",
    "alg": "how it is signed: RS256 = RSA signature over a SHA-256 hash",
    "x5t": "thumbprint of the signing certificate (same as kid for Entra ID v1 tokens)",
    "kid": "which of the tenant's signing keys signed it (look it up in the JWKS)",
}
CLAIM_HELP: dict[str, str] = {
    "aud": "the service this token is for (its audience); other services refuse it",
    "iss": "who issued it: the tenant's security token service (sts.windows.net/{tenant}/)",
    "iat": "when it was issued",
    "nbf": "not valid before this time",
    "exp": "when it expires; services refuse it after this (5 minutes of clock skew allowed)",
    "aio": "opaque data Entra ID uses internally; ignore it",
    "acr": "authentication context class: 1 = the user signed in with a password or more",
    "amr": "how the user authenticated (pwd = password, mfa = multi-factor)",
    "appid": "the client (application) id that asked for the token; for a managed identity its client id",
    "appidacr": ("how the client authenticated: 0 = public client, 1 = secret, 2 = the app authenticated "
                 "with a certificate (managed identities do)"),
    "family_name": "the user's surname",
    "given_name": "the user's first name",
    "idp": "the identity provider that authenticated the subject",
    "idtyp": "the kind of identity: app (a service principal or managed identity) or user",
    "ipaddr": "the IP address the user signed in from",
    "name": "the user's display name",
    "oid": "the object id of the identity (its service principal, or the user); RBAC assignments name it",
    "rh": "an opaque refresh hint Entra ID uses internally; ignore it",
    "scp": "delegated permissions (scopes) the user consented to for this client",
    "roles": "application permissions (app roles) granted to the identity",
    "sub": "the subject: for app tokens the same as oid; for users a per-application id",
    "tid": "the tenant (directory) id the identity lives in",
    "unique_name": "a human-readable name of the user (their UPN)",
    "upn": "the user principal name (sign-in name) of the user",
    "uti": "a unique id of this token (for revocation and logs)",
    "ver": "the token format version: 1.0 (v1 endpoint, sts.windows.net issuer) or 2.0",
    "xms_mirid": "the resource the managed identity belongs to (its VM, app, or the user-assigned identity)",
    "xms_tcdt": "when the tenant was created",
    "wids": "directory roles of the user (well-known template ids)",
    "groups": "ids of the groups the identity belongs to",
}
TIME_CLAIMS = ("iat", "nbf", "exp")

# ---------------------------------------------------------------------------------------------- Test-AzAccess
PS_ACCESS_DECISION = "azshell.AccessDecision"
PERMISSIONS_PATH = "{base}/providers/Microsoft.Authorization/permissions"
CHECK_ACCESS_PATH = "{base}/providers/Microsoft.Authorization/checkAccess"
AUTHZ_SEGMENT = re.compile(r"/providers/Microsoft\.Authorization/.*$", re.IGNORECASE)
FIX_TEMPLATE = "New-AzRoleAssignment -ObjectId {oid} -RoleDefinitionName '{role}' -Scope '{scope}'"
KV_FIX_TEMPLATE = "Set-AzKeyVaultAccessPolicy -VaultName {vault} -ObjectId {oid} -PermissionsToSecrets {perm}"
DL_FIX_TEMPLATE = ("Set-AzDataLakeStoreItemAclEntry -AccountName {store} -Path '{path}' -AceType User -Id {oid} "
                   "-Permissions {perms}")
NO_ROLE_GRANTS = "No built-in role grants '{action}'; create a custom role with New-AzRoleDefinition."
PRINCIPAL_NOT_FOUND = "Cannot find a principal named '{name}' (a VM, app or identity name, a UPN, or an object id)."
NEED_ACTION = "Specify -Action and -Scope, or -Uri (and -Method) of the REST call."
CANNOT_DERIVE = "Cannot derive an Azure action from '{uri}': {why}"
KV_HOST_SUFFIX = ".vault.azure.net"
DL_HOST_SUFFIX = ".azuredatalakestore.net"
ARM_HOST = "management.azure.com"
API_KEY_VAULT = "2022-07-01"
KEY_VAULT_TYPE = "Microsoft.KeyVault/vaults"
KV_SECRET_ACTIONS: dict[str, str] = {
    "get": "Microsoft.KeyVault/vaults/secrets/getSecret/action",
    "list": "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
    "set": "Microsoft.KeyVault/vaults/secrets/setSecret/action",
    "update": "Microsoft.KeyVault/vaults/secrets/update/action",
    "delete": "Microsoft.KeyVault/vaults/secrets/delete",
}
DATA_LAKE_NOTE = ("Data Lake Storage Gen1 decides file access with POSIX ACLs on each path, not with RBAC: "
                  "a role on the account only lets you manage it. See Get-AzDataLakeStoreItemAclEntry.")
ACCESS_POLICY_NOTE = "This vault uses access policies (enableRbacAuthorization is false), not RBAC data actions."
_DATA_ACTION_RE = re.compile(
    r"^Microsoft\.KeyVault/vaults/(secrets|keys|certificates)/([^/]+/action|delete)$"
    r"|^Microsoft\.Storage/storageAccounts/\w+Services/.+/(blobs|messages|entities|files)(/|$)"
    r"|/(runCommand|login)/action$", re.IGNORECASE)
_VERBS = {"GET": "read", "HEAD": "read", "PUT": "write", "PATCH": "write", "DELETE": "delete", "POST": "action"}


# ============================================================================================ Get-AzAccessToken
class GetAzAccessToken(AzCmdlet):
    name = "Get-AzAccessToken"
    aliases = ("Get-AzureRmAccessToken",)
    synopsis = "Gets an access token of the current account for a resource."
    description = (
        "As current Az (Az.Accounts 5, Az 14 and later): Token is a SecureString by default — use "
        "(Get-AzAccessToken).Token | ConvertFrom-SecureString -AsPlainText, or pipe the result to Show-Token. "
        "-AsSecureString is accepted for older scripts and changes nothing. The resource is -ResourceUrl or "
        "-ResourceTypeName (Arm, MSGraph, KeyVault, Storage, ...); the default is Azure Resource Manager. On a "
        "host after Connect-AzAccount -Identity the token is the managed identity's, from the host's endpoint."
    )
    params = (
        Param("ResourceUrl", "string", aliases=("Resource", "ResourceUri"), parameter_sets=("KnownResourceUrl",),
              completer="token_resource"),
        Param("ResourceTypeName", "string", validate_set=tuple(RESOURCE_TYPE_URLS),
              parameter_sets=("KnownResourceType",)),
        Param("TenantId", "string"),
        Param("AsSecureString", "switch"),
    )
    default_parameter_set = "KnownResourceUrl"
    outputs = (PS_SECURE_ACCESS_TOKEN,)
    examples = (
        Example("Get-AzAccessToken -ResourceTypeName MSGraph", "A Microsoft Graph token of the current account."),
        Example("$t = Get-AzAccessToken -ResourceUrl https://vault.azure.net\n$t | Show-Token",
                "A Key Vault token, decoded and explained."),
    )

    def process(self) -> None:
        p = self.bound
        resource = str(p.get("ResourceUrl") or "")
        if not resource:
            kind = str(p.get("ResourceTypeName") or "Arm")
            resource = next((u for k, u in RESOURCE_TYPE_URLS.items() if k.casefold() == kind.casefold()),
                            AZ_DEFAULT_RESOURCE)
        ctx = self.services.context
        wanted = p.get("TenantId")
        if wanted and ctx.tenant_id and str(wanted).casefold() != ctx.tenant_id.casefold():
            self.fail(WRONG_TENANT.format(current=ctx.tenant_id, wanted=wanted), error_id="TenantMismatch")
        token = self.token(resource)
        cached = ctx.tokens.get(resource)
        claims = _decode_part(token, 1) or {}
        acct = ctx.account
        user = acct.id if acct is not None and acct.type == "User" else str(claims.get("appid") or "")
        expires = float(cached.expires_on) if cached is not None else float(claims.get("exp") or 0)
        self.write(PSObject([
            ("Token", SecureString(token)),
            ("ExpiresOn", datetime.fromtimestamp(expires, tz=UTC)),
            ("Type", TOKEN_TYPE),
            ("TenantId", str(claims.get("tid") or ctx.tenant_id or "")),
            ("UserId", user),
        ], type_names=(PS_SECURE_ACCESS_TOKEN, PS_ACCESS_TOKEN, "System.Object")))


# ================================================================================================= Show-Token
def _b64url(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _decode_part(token: str, index: int) -> dict[str, Any] | None:
    try:
        data = json.loads(_b64url(token.split(".")[index]))
    except (IndexError, ValueError, binascii.Error, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def relative_time(seconds: float) -> str:
    """``in 59 min`` / ``5 min ago`` / ``in 23 h 59 min`` / ``just now``."""
    ago = seconds < 0
    s = abs(int(seconds))
    if s < 60:
        text = f"{s} s"
    elif s < 3600:
        text = f"{s // 60} min"
    elif s < 86400 * 2:
        h, m = divmod(s // 60, 60)
        text = f"{h} h {m} min" if m else f"{h} h"
    else:
        text = f"{s // 86400} days"
    if s == 0:
        return "just now"
    return f"{text} ago" if ago else f"in {text}"


def _local(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).astimezone().strftime("%Y-%m-%d %H:%M:%S %z")


def explain_claim(name: str, value: Any, now: float) -> str:
    """One plain-English line for a claim (time claims get local and relative times)."""
    help_text = CLAIM_HELP.get(name, "a claim azshell has no note for")
    if name in TIME_CLAIMS and isinstance(value, (int, float)) and not isinstance(value, bool):
        delta = float(value) - now
        rel = relative_time(delta)
        if name == "exp":
            rel = f"expired {relative_time(delta)}" if delta < 0 else f"expires {rel}"
        elif name == "iat":
            rel = f"issued {rel}"
        return f"{_local(float(value))} ({rel}) — {help_text}"
    return help_text


def _token_from(value: Any) -> str | None:
    if isinstance(value, SecureString):
        return value.reveal()
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("{"):
            try:
                data = json.loads(text)
            except ValueError:
                return text
            return _token_from(data)
        return text
    if isinstance(value, (PSObject, PSHashtable, dict)):
        for key in ("access_token", "Token", "AccessToken", "accessToken", "Content"):
            if isinstance(value, PSObject):
                got = value.get(key)
            elif isinstance(value, dict):
                got = next((v for k, v in value.items() if str(k).casefold() == key.casefold()), None)
            else:
                got = next((v for k, v in value.items() if str(k).casefold() == key.casefold()), None)
            if got is not None:
                return _token_from(got)
    return None


class ShowToken(AzCmdlet):
    name = "Show-Token"
    synopsis = "Decodes an access token, explains each claim and checks its signature against the tenant's JWKS."
    description = (
        "Shows the JWT's header and claims, each explained in one line; iat/nbf/exp as local time and relative "
        "to now ('expires in 59 min'); and whether the signature is valid for a key of the tenant's JWKS, fetched "
        "from https://login.microsoftonline.com/{tenant}/discovery/keys as a resource server does. The output "
        "object keeps Header, Claims and each claim as properties ($t.oid, $t.Claims.aud)."
    )
    params = (
        Param("Token", "object", position=0, value_from_pipeline=True),
    )
    outputs = (PS_TOKEN_INFO,)
    examples = (
        Example("Enter-AzVM -ResourceGroupName myRG -Name myVM\nGet-Token | Show-Token",
                "The VM identity's token, explained."),
        Example("(Get-AzAccessToken).Token | Show-Token", "The current account's ARM token."),
        Example('$content = $response.Content | ConvertFrom-Json\nShow-Token $content.access_token',
                "The token of a tutorial's Invoke-WebRequest."),
    )

    def process(self) -> None:
        value = self.bound.get("Token")
        if value is None:
            value = self.input
        token = _token_from(value) if value is not None else None
        if not token:
            self.fail(NO_TOKEN, error_id="MissingToken")
        header, claims = _decode_part(token, 0), _decode_part(token, 1)
        if header is None or claims is None or token.count(".") != 2:
            self.fail(NOT_A_JWT.format(detail="the header or claims do not decode to JSON objects"),
                      error_id="NotAJwt")
        valid, why = self.check_signature(token, header, claims)
        self.write(self.token_info(header, claims, valid, why))

    def now(self) -> float:
        clock = getattr(self.services.world, "clock", None)
        return float(clock.now()) if clock is not None else datetime.now(tz=UTC).timestamp()

    def check_signature(self, token: str, header: dict[str, Any], claims: dict[str, Any]) -> tuple[bool, str]:
        alg = header.get("alg")
        if alg != "RS256":
            return False, f"the algorithm is {alg!r}; Entra ID tokens are signed with RS256"
        tid = str(claims.get("tid") or "common")
        url = JWKS_URL.format(tenant=tid)
        try:
            resp = self.services.http.get(url)
        except httpx.HTTPError as e:
            return False, f"could not fetch the JWKS from {url}: {e}"
        if resp.status_code != 200:
            return False, f"{url} answered {resp.status_code}: the tenant '{tid}' is not known"
        try:
            keys = resp.json().get("keys", [])
        except (ValueError, AttributeError):
            keys = []
        kid = header.get("kid") or header.get("x5t")
        jwk = next((k for k in keys if isinstance(k, dict) and kid in (k.get("kid"), k.get("x5t"))), None)
        if jwk is None:
            return False, (f"key '{kid}' is not in the tenant's JWKS ({url}): the token was not signed by this "
                           "tenant, or its keys rolled over")
        try:
            modulus = int.from_bytes(_b64url(str(jwk["n"])), "big")
            exponent = int.from_bytes(_b64url(str(jwk["e"])), "big")
            public = rsa.RSAPublicNumbers(exponent, modulus).public_key()
            head, body, sig = token.split(".")
            public.verify(_b64url(sig), f"{head}.{body}".encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
        except (InvalidSignature, ValueError, KeyError, binascii.Error, UnicodeEncodeError):
            return False, (f"the signature does not match key '{kid}': the header or claims were changed after "
                           "signing (or the signature was)")
        notes = [f"signed by key '{kid}' of tenant {tid} (JWKS from login.microsoftonline.com)"]
        exp = claims.get("exp")
        if isinstance(exp, (int, float)) and float(exp) < self.now():
            notes.append("but the token has EXPIRED: services answer 401")
        return True, "; ".join(notes)

    def token_info(self, header: dict[str, Any], claims: dict[str, Any], valid: bool, why: str) -> PSObject:
        now = self.now()
        explained = {k: explain_claim(k, v, now) for k, v in claims.items()}
        signature = ("✓ valid: " if valid else "✗ invalid: ") + why
        exp = claims.get("exp")
        expires = datetime.fromtimestamp(float(exp), tz=UTC) if isinstance(exp, (int, float)) else None
        props: list[tuple[str, Any]] = [
            ("Header", PSObject(list(header.items()))),
            ("Claims", PSObject(list(claims.items()))),
            ("Explanation", PSObject(list(explained.items()))),
            ("SignatureValid", valid),
            ("Signature", signature),
            ("ExpiresOn", expires),
        ]
        props += [(k, v) for k, v in claims.items() if k.casefold() not in {p[0].casefold() for p in props}]
        obj = PSObject(props, type_names=(PS_TOKEN_INFO, "System.Object"))

        def render() -> str:
            width = max((len(k) for k in (*header, *claims)), default=3)
            lines = ["Header"]
            for k, v in header.items():
                lines.append(f"  {k:<{width}}  {v}")
                lines.append(f"  {'':<{width}}    ↳ {HEADER_HELP.get(k, 'a header field')}")
            lines.append("Claims")
            for k, v in claims.items():
                shown = json.dumps(v) if not isinstance(v, str) else v
                lines.append(f"  {k:<{width}}  {shown}")
                lines.append(f"  {'':<{width}}    ↳ {explained[k]}")
            lines.append(f"Signature  {signature}")
            return "\n".join(lines)

        obj.methods["tostring"] = render
        return obj


# ============================================================================================== Test-AzAccess
def _strip_authz(scope: str) -> str:
    base = AUTHZ_SEGMENT.sub("", scope.rstrip("/"))
    return base or "/"


def is_data_action(action: str) -> bool:
    return _DATA_ACTION_RE.search(action) is not None


def _arm_access(path: str, method: str) -> tuple[str, str]:
    """(action, scope) ARM checks for ``method path``; ValueError when the path names no action."""
    verb = _VERBS.get(method.upper())
    if verb is None:
        raise ValueError(f"the method {method} is not one ARM authorizes")
    segs = [s for s in path.split("/") if s]
    low = [s.lower() for s in segs]
    full = "/" + "/".join(segs)
    idx = max((i for i, s in enumerate(low[:-1]) if s == "providers"), default=-1)
    if idx >= 0:
        ns, rest = segs[idx + 1], segs[idx + 2:]
        base = "/" + "/".join(segs[:idx])
        if not rest:
            raise ValueError("the path ends at a provider namespace")
        if ns.lower() == "microsoft.authorization":
            if rest[0].lower() == "permissions":
                raise ValueError("anyone may read their own permissions")
            return f"Microsoft.Authorization/{rest[0]}/{'read' if verb == 'action' else verb}", full
        types, names = rest[0::2], rest[1::2]
        if verb == "action" and len(types) > len(names) and names:
            parent = base + "/providers/" + ns + "/" + "/".join(rest[:-1])
            return f"{ns}/{'/'.join(types)}/action", parent
        type_path = f"{ns}/{'/'.join(types)}"
        if len(types) > len(names):  # a list: read at the parent
            parent = base if len(types) == 1 else base + "/providers/" + ns + "/" + "/".join(rest[:-1])
            return f"{type_path}/read", parent
        return f"{type_path}/{'read' if verb == 'action' else verb}", full
    if not low or low[0] != "subscriptions" or len(low) < 2:
        raise ValueError("the path is not under /subscriptions/{id}")
    sub = "/" + "/".join(segs[:2])
    if len(low) == 2:
        return "Microsoft.Resources/subscriptions/read", sub
    if low[2] == "resourcegroups":
        if len(low) == 3:
            return "Microsoft.Resources/subscriptions/resourceGroups/read", sub
        rg = "/" + "/".join(segs[:4])
        if len(low) == 4:
            return f"Microsoft.Resources/subscriptions/resourceGroups/{'read' if verb == 'action' else verb}", rg
        if len(low) == 5 and low[4] == "resources":
            return "Microsoft.Resources/subscriptions/resourceGroups/resources/read", rg
    if low[2] == "resources" and len(low) == 3:
        return "Microsoft.Resources/subscriptions/resources/read", sub
    raise ValueError("azshell does not know which action this path needs")


def derive_request_access(uri: str, method: str) -> dict[str, Any]:
    """What a REST call needs: ``{"action", "scope" | "vault" | "store", "data", "perm", "path"}``."""
    parts = urlsplit(uri if "://" in uri else f"https://{uri}")
    host = (parts.hostname or "").lower()
    m = method.upper()
    if host == ARM_HOST:
        action, scope = _arm_access(parts.path, m)
        return {"kind": "arm", "action": action, "scope": scope, "data": False}
    if host.endswith(KV_HOST_SUFFIX):
        vault = host[: -len(KV_HOST_SUFFIX)]
        segs = [s for s in parts.path.split("/") if s]
        if not segs or segs[0].lower() not in ("secrets", "deletedsecrets"):
            raise ValueError("azshell's Key Vault serves secrets (/secrets/{name})")
        name = segs[1] if len(segs) > 1 else None
        perm = {"GET": "get" if name else "list", "PUT": "set", "PATCH": "update", "DELETE": "delete"}.get(m)
        if perm is None:
            raise ValueError(f"Key Vault has no secret operation for {m}")
        return {"kind": "keyvault", "action": KV_SECRET_ACTIONS[perm], "vault": vault, "secret": name,
                "perm": perm, "data": True}
    if host.endswith(DL_HOST_SUFFIX):
        store = host[: -len(DL_HOST_SUFFIX)]
        path = parts.path
        if path.lower().startswith("/webhdfs/v1"):
            path = path[len("/webhdfs/v1"):] or "/"
        op = dict((k.lower(), v) for k, v in parse_qsl(parts.query)).get("op", "").upper()
        read = op in ("", "LISTSTATUS", "GETFILESTATUS", "OPEN", "GETACLSTATUS", "GETCONTENTSUMMARY")
        return {"kind": "datalake", "store": store, "path": path or "/", "read": read,
                "action": f"WebHDFS {op or m}", "data": True}
    raise ValueError(f"'{host}' is not an Azure service azshell knows (management.azure.com, "
                     "{vault}.vault.azure.net, {store}.azuredatalakestore.net)")


def _breadth(pattern: str) -> int:
    """How much a permission pattern grants: ``*`` 1000, ``Namespace/type/*`` 100, other wildcards 10, exact 1.

    A role's breadth is the sum over its patterns; the least-privileged role that grants an action is the one
    with the smallest breadth (Reader's single ``*/read`` beats Contributor's ``*``).
    """
    if pattern == "*":
        return 1000
    if pattern.endswith("/*"):
        return 100
    return 10 if "*" in pattern else 1


def _grants(perms: list[dict[str, Any]], action: str, data: bool) -> bool:
    allow_key, deny_key = ("dataActions", "notDataActions") if data else ("actions", "notActions")
    return any(any(action_matches(str(p), action) for p in (perm.get(allow_key) or []))
               and not any(action_matches(str(p), action) for p in (perm.get(deny_key) or []))
               for perm in perms)


class TestAzAccess(GraphCmdlet, RoleCmdlet):
    name = "Test-AzAccess"
    synopsis = "Explains an access decision: may this principal do this action at this scope, why, and the fix."
    description = (
        "Give the principal with -ObjectId or -Assignee (a VM or app name = its system-assigned identity, a "
        "user-assigned identity's name, a UPN, or an object id; none = you), and either -Action and -Scope or "
        "the REST call (-Uri, -Method) whose action and scope azshell derives: ARM paths map to their "
        "read/write/delete action, Key Vault secret URLs to the vault's data actions (or its access policies), "
        "Data Lake URLs to a note on ACLs. Shows which role assignments at which scopes were considered, which "
        "granted the action, what is missing, and the one command that would fix it (the built-in role with the "
        "fewest actions that grants it)."
    )
    params = (
        Param("ObjectId", "string", aliases=("PrincipalId",), completer="principal"),
        Param("Assignee", "string", completer="principal_name"),
        Param("Action", "string", parameter_sets=("Action",)),
        Param("Scope", "string", completer="scope", parameter_sets=("Action",)),
        Param("DataAction", "switch", parameter_sets=("Action",)),
        Param("Uri", "string", parameter_sets=("Uri",)),
        Param("Method", "string", default="GET", parameter_sets=("Uri",),
              validate_set=("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE")),
    )
    default_parameter_set = "Action"
    outputs = (PS_ACCESS_DECISION,)
    examples = (
        Example("Test-AzAccess -Assignee myVM -Action Microsoft.Resources/subscriptions/resourceGroups/read "
                "-Scope /subscriptions/<sub>/resourceGroups/myRG",
                "May myVM's identity read the resource group? Why, and how to fix it."),
        Example("Test-AzAccess -Assignee myVM -Uri https://myvault.vault.azure.net/secrets/mysecret",
                "May myVM read the secret (RBAC data action or access policy)?"),
        Example("Test-AzAccess -Uri https://management.azure.com/subscriptions/<sub>/resourceGroups/myRG "
                "-Method DELETE", "May I delete the resource group?"),
    )

    # ------------------------------------------------------------------------------------------ principal
    def principal(self) -> tuple[str | None, str]:
        """(object id or None for the signed-in account, display text)."""
        p = self.bound
        given = p.get("ObjectId") or p.get("Assignee")
        if not given:
            return None, self.services.context.account.id if self.services.context.account else ""
        text = str(given).strip()
        if re.fullmatch(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}", text):
            obj = self.graph("GET", f"/directoryObjects/{text}", allow_404=True)
            return text, str((obj or {}).get("displayName") or (obj or {}).get("userPrincipalName") or text)
        if "@" in text:
            user = self.user_by_upn(text)
            return str(user["id"]), text
        found = self.graph_list("/servicePrincipals", filter_=f"displayName eq '{text.replace(chr(39), chr(39) * 2)}'")
        if not found:
            raise CmdletError(PRINCIPAL_NOT_FOUND.format(name=text), category="ObjectNotFound",
                              error_id="PrincipalNotFound")
        return str(found[0]["id"]), text

    def own_object_id(self) -> str:
        acct = self.services.context.account
        if acct is not None and acct.object_id:
            return acct.object_id
        token = self.token()
        return str((_decode_part(token, 1) or {}).get("oid") or "")

    # ------------------------------------------------------------------------------------------- decide
    def process(self) -> None:
        p = self.bound
        oid, who = self.principal()
        if p.get("Uri"):
            try:
                need = derive_request_access(str(p["Uri"]), str(p.get("Method") or "GET"))
            except ValueError as e:
                self.fail(CANNOT_DERIVE.format(uri=p["Uri"], why=e), error_id="CannotDeriveAction")
        else:
            if not p.get("Action") or not p.get("Scope"):
                self.fail(NEED_ACTION, error_id="MissingAction")
            action = str(p["Action"])
            need = {"kind": "arm", "action": action, "scope": str(p["Scope"]),
                    "data": bool(p.get("DataAction")) or is_data_action(action)}
        target = oid or self.own_object_id()
        if need["kind"] == "datalake":
            self.write(self.datalake_result(need, target, who))
            return
        if need["kind"] == "keyvault":
            vault = self.find_vault(str(need["vault"]))
            scope = str(vault.get("id")) + (f"/secrets/{need['secret']}" if need.get("secret") else "")
            props = vault.get("properties") or {}
            if not props.get("enableRbacAuthorization"):
                self.write(self.access_policy_result(need, vault, target, who))
                return
            need = {**need, "scope": scope}
        self.write(self.rbac_result(str(need["action"]), str(need["scope"]), bool(need["data"]), oid, target, who))

    def rbac_result(self, action: str, scope: str, data: bool, oid: str | None, target: str, who: str) -> PSObject:
        check_scope = _strip_authz(scope)
        base = "" if check_scope == "/" else check_scope
        detail: dict[str, Any] | None = None
        allowed: bool
        body = {"subject": {"principalId": target}, "actions": [{"id": action, "isDataAction": data}]}
        resp = self.arm_request("POST", CHECK_ACCESS_PATH.format(base=base), API_AUTHORIZATION, body=body)
        if resp.status_code == 200:
            detail = (resp.json().get("value") or [{}])[0]
            allowed = detail.get("accessDecision") == "Allowed"
        elif oid is None and resp.status_code == 403:
            perms = self.arm_get(PERMISSIONS_PATH.format(base=base), API_AUTHORIZATION)
            allowed = _grants(list((perms or {}).get("value") or []), action, data)
        else:
            self.raise_arm_error(resp)
        considered = [self._describe(a) for a in (detail or {}).get("consideredAssignments", [])]
        matched = [self._describe(a) for a in (detail or {}).get("matchedAssignments", [])]
        if detail is not None:
            reason = str(detail.get("reason", ""))
        else:
            reason = ("Allowed by your effective permissions at this scope (Microsoft.Authorization/permissions)."
                      if allowed else f"Denied: none of your effective permissions at this scope grants '{action}'.")
        fix = None if allowed else self.fix_command(action, data, target, check_scope)
        return self.decision(allowed=allowed, action=action, data=data, scope=scope, principal=target, who=who,
                             reason=reason, considered=considered, matched=matched, fix=fix, notes=[])

    @staticmethod
    def _describe(a: dict[str, Any]) -> str:
        via = " (via a group)" if a.get("viaGroup") else ""
        return f"{a.get('roleName') or a.get('roleDefinitionId')} at {a.get('scope')}{via}"

    def fix_command(self, action: str, data: bool, oid: str, scope: str) -> str:
        best: tuple[int, int, str] | None = None
        for d in self.role_definitions():
            props = d.get("properties") or {}
            if str(props.get("type", "")).casefold() != "builtinrole":
                continue
            perms = [x for x in (props.get("permissions") or []) if isinstance(x, dict)]
            if not _grants(perms, action, data):
                continue
            key_name = "dataActions" if data else "actions"
            breadth = sum(_breadth(str(a)) for x in perms for a in (x.get(key_name) or []))
            key = (breadth, sum(len(x.get("actions") or []) + len(x.get("dataActions") or []) for x in perms),
                   str(props.get("roleName", "")))
            if best is None or key < best:
                best = key
        if best is None:
            return NO_ROLE_GRANTS.format(action=action)
        return FIX_TEMPLATE.format(oid=oid, role=best[2], scope=scope)

    # ------------------------------------------------------------------------------------ Key Vault, Lake
    def find_vault(self, name: str) -> dict[str, Any]:
        for v in self.arm_list(f"/subscriptions/{self.subscription_id}/providers/{KEY_VAULT_TYPE}", API_KEY_VAULT):
            if isinstance(v, dict) and str(v.get("name", "")).casefold() == name.casefold():
                return v
        raise CmdletError(f"Cannot find a key vault named '{name}' in the subscription.",
                          category="ObjectNotFound", error_id="VaultNotFound")

    def access_policy_result(self, need: dict[str, Any], vault: dict[str, Any], oid: str, who: str) -> PSObject:
        props = vault.get("properties") or {}
        perm = str(need["perm"])
        policy_perm = "set" if perm == "update" else perm
        considered: list[str] = []
        matched: list[str] = []
        for pol in props.get("accessPolicies") or []:
            if not isinstance(pol, dict) or str(pol.get("objectId", "")).casefold() != oid.casefold():
                continue
            secrets = [str(s).lower() for s in ((pol.get("permissions") or {}).get("secrets") or [])]
            line = f"access policy for {oid}: secrets {', '.join(secrets) or '(none)'}"
            considered.append(line)
            if policy_perm in secrets or "all" in secrets:
                matched.append(line)
        allowed = bool(matched)
        vault_name = str(vault.get("name", need["vault"]))
        reason = (f"Allowed: the vault's access policy gives {who} the secret permission '{policy_perm}'."
                  if allowed else
                  f"Denied: no access policy of vault '{vault_name}' gives {who} the secret permission "
                  f"'{policy_perm}'.")
        fix = None if allowed else KV_FIX_TEMPLATE.format(vault=vault_name, oid=oid, perm=policy_perm)
        return self.decision(allowed=allowed, action=f"secrets/{policy_perm} (access policy)", data=True,
                             scope=str(vault.get("id", "")), principal=oid, who=who, reason=reason,
                             considered=considered, matched=matched, fix=fix, notes=[ACCESS_POLICY_NOTE])

    def datalake_result(self, need: dict[str, Any], oid: str, who: str) -> PSObject:
        perms = "ReadExecute" if need.get("read") else "All"
        fix = DL_FIX_TEMPLATE.format(store=need["store"], path=need["path"], oid=oid, perms=perms)
        return self.decision(allowed=None, action=str(need["action"]), data=True,
                             scope=f"{need['store']}{DL_HOST_SUFFIX}{need['path']}", principal=oid, who=who,
                             reason="Not decided by RBAC: " + DATA_LAKE_NOTE, considered=[], matched=[],
                             fix=f"If the ACLs deny it: {fix} (and --x on every parent folder)",
                             notes=[DATA_LAKE_NOTE])

    # ---------------------------------------------------------------------------------------- output
    def decision(self, *, allowed: bool | None, action: str, data: bool, scope: str, principal: str, who: str,
                 reason: str, considered: list[str], matched: list[str], fix: str | None,
                 notes: list[str]) -> PSObject:
        missing = "" if allowed or allowed is None else action
        obj = PSObject([
            ("Allowed", allowed), ("Action", action), ("DataAction", data), ("Scope", scope),
            ("Principal", principal), ("PrincipalName", who), ("Reason", reason), ("Considered", considered),
            ("Matched", matched), ("Missing", missing), ("Fix", fix), ("Notes", notes),
        ], type_names=(PS_ACCESS_DECISION, "System.Object"))

        def render() -> str:
            verdict = "ALLOWED" if allowed else ("NOT DECIDED BY RBAC" if allowed is None else "DENIED")
            mark = "✓" if allowed else ("?" if allowed is None else "✗")
            lines = [f"{mark} {verdict}",
                     f"  Principal : {who} ({principal})" if who and who != principal else
                     f"  Principal : {principal}",
                     f"  Action    : {action}" + (" (data action)" if data else ""),
                     f"  Scope     : {scope}",
                     f"  Reason    : {reason}"]
            if considered:
                lines.append("  Considered:")
                lines += [f"    {'✓' if c in matched else '✗'} {c}" for c in considered]
            elif allowed is not None:
                lines.append("  Considered: (no role assignment of this principal or its groups covers the scope)")
            if missing:
                lines.append(f"  Missing   : {missing}")
            lines += [f"  Note      : {n}" for n in notes if n not in reason]
            if fix:
                lines.append(f"  Fix       : {fix}")
            return "\n".join(lines)

        obj.methods["tostring"] = render
        return obj


COMMANDS = (GetAzAccessToken, ShowToken, TestAzAccess)

VIEWS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (PS_SECURE_ACCESS_TOKEN, "list", ("Token", "ExpiresOn", "Type", "TenantId", "UserId")),
    (PS_TOKEN_INFO, "text", ()),
    (PS_ACCESS_DECISION, "text", ()),
)


def register_views() -> None:
    from azshell.lang.formatting import register_view

    for type_name, kind, props in VIEWS:
        register_view(type_name, kind, props)
