"""Tokens and teaching verbs: ``Get-AzAccessToken`` (as current Az), ``Show-Token`` and ``Test-AzAccess``.

``Show-Token`` decodes a JWT, explains each claim in one line, shows its times as local and relative, and checks
its signature against the tenant's JWKS fetched from ``login.microsoftonline.com`` (in-process), as a resource
server would. ``Test-AzAccess -Uri`` sends the call as a dry run (``azshell.auth.decision.DRY_RUN_EXTENSION``)
through the same plane code that answers it for real and prints the decision the plane attaches to its answer;
there is no second mapper from URLs to actions here. ``Test-AzAccess -Action -Scope`` asks azshell's ``POST
{scope}/providers/Microsoft.Authorization/checkAccess``, which runs the same RBAC code. Either way it shows the
reasons and the one command that would fix a denial."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from azshell.auth.decision import DRY_RUN_EXTENSION, AccessDecision, TokenProblem
from azshell.cmdlets._azure import API_AUTHORIZATION
from azshell.cmdlets._base import AzCmdlet, arm_error_parts, checked_uri, decision_of
from azshell.hostnames import (
    AAD_GRAPH_RESOURCE,
    ARM_CLASSIC_RESOURCE,
    ARM_ENDPOINT,
    DATA_LAKE_RESOURCE,
    GRAPH_RESOURCE,
    IMDS_TOKEN_URL,
    KEY_VAULT_RESOURCE,
    LOGIN_HOST,
    LOGIN_JWKS_URL_TEMPLATE,
    STORAGE_RESOURCE,
    STS_HOST,
)
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.formatting import ViewTable
from azshell.lang.values import PSHashtable, PSObject, SecureString
from azshell.services.authorization.cmdlets import RoleCmdlet
from azshell.services.entra.cmdlets import GraphCmdlet

__all__ = ["COMMANDS", "GetAzAccessToken", "ShowToken", "TestAzAccess", "explain_claim", "relative_time"]

# ----------------------------------------------------------------------------------------- Get-AzAccessToken
PS_SECURE_ACCESS_TOKEN = "Microsoft.Azure.Commands.Profile.Models.PSSecureAccessToken"
PS_ACCESS_TOKEN = "Microsoft.Azure.Commands.Profile.Models.PSAccessToken"
#: Az's default resource for Get-AzAccessToken: the environment's ActiveDirectoryServiceEndpointResourceId.
AZ_DEFAULT_RESOURCE = ARM_CLASSIC_RESOURCE
RESOURCE_TYPE_URLS: dict[str, str] = {
    "AadGraph": AAD_GRAPH_RESOURCE,
    "AnalysisServices": "https://region.asazure.windows.net",
    "AppConfiguration": "https://azconfig.io",
    "Arm": AZ_DEFAULT_RESOURCE,
    "Attestation": "https://attest.azure.net",
    "Batch": "https://batch.core.windows.net/",
    "DataLake": DATA_LAKE_RESOURCE,
    "KeyVault": KEY_VAULT_RESOURCE,
    "MSGraph": GRAPH_RESOURCE,
    "OperationalInsights": "https://api.loganalytics.io",
    "ResourceManager": AZ_DEFAULT_RESOURCE,
    "Storage": STORAGE_RESOURCE,
    "Synapse": "https://dev.azuresynapse.net",
}
TOKEN_TYPE = "Bearer"
WRONG_TENANT = ("The current account is signed in to tenant '{current}'; a token for tenant '{wanted}' needs "
                "Connect-AzAccount -Tenant {wanted}.")

# ------------------------------------------------------------------------------------------------ Show-Token
PS_TOKEN_INFO = "azshell.TokenInfo"
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
    "iss": f"who issued it: the tenant's security token service ({STS_HOST}/{{tenant}}/)",
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
    "ver": f"the token format version: 1.0 (v1 endpoint, {STS_HOST} issuer) or 2.0",
    "xms_mirid": "the resource the managed identity belongs to (its VM, app, or the user-assigned identity)",
    "xms_tcdt": "when the tenant was created",
    "wids": "directory roles of the user (well-known template ids)",
    "groups": "ids of the groups the identity belongs to",
}
TIME_CLAIMS = ("iat", "nbf", "exp")

# ---------------------------------------------------------------------------------------------- Test-AzAccess
PS_ACCESS_DECISION = "azshell.AccessDecision"
CHECK_ACCESS_PATH = "{base}/providers/Microsoft.Authorization/checkAccess"
ROLE_ASSIGNMENTS_PATH = "{base}/providers/Microsoft.Authorization/roleAssignments"
AUTHZ_SEGMENT = re.compile(r"/providers/Microsoft\.Authorization/.*$", re.IGNORECASE)
PRINCIPAL_NOT_FOUND = "Cannot find a principal named '{name}' (a VM, app or identity name, a UPN, or an object id)."
NEED_ACTION = "Specify -Action and -Scope, or -Uri (and -Method) of the REST call."
CANNOT_TEST = "Cannot test access for '{uri}': {why}"
TOKEN_OR_PRINCIPAL = "Give either -Token/-Authorization (a credential to test) or -ObjectId/-Assignee, not both."
NEEDS_ASSIGNMENT_READ = ("Checking another principal's access needs Microsoft.Authorization/roleAssignments/read at "
                         "'{scope}' (the assignments it reads): {reason}")
#: Where a token comes from, by where the session is (the Fix of a 401's explanation).
TOKEN_FIX_OFF_HOST = "$token = (Get-AzAccessToken -ResourceUrl '{resource}').Token | ConvertFrom-SecureString -AsPlainText"
TOKEN_FIX_VM = ("$token = (Invoke-RestMethod '" + IMDS_TOKEN_URL + "?api-version=2018-02-01&resource={resource}' "
                "-Headers @{{Metadata='true'}}).access_token")
TOKEN_FIX_APP = ("$token = (Invoke-RestMethod \"$env:IDENTITY_ENDPOINT?resource={resource}&api-version=2019-08-01\" "
                 "-Headers @{{'X-IDENTITY-HEADER'=$env:IDENTITY_HEADER}}).access_token")
HEADER_FIX = "-Headers @{{Authorization = \"Bearer {expr}\"}}"
VERDICTS = {True: ("✓", "ALLOWED"), False: ("✗", "DENIED"), None: ("?", "NOT DECIDED")}


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
        url = LOGIN_JWKS_URL_TEMPLATE.format(tenant=tid)
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
        notes = [f"signed by key '{kid}' of tenant {tid} (JWKS from {LOGIN_HOST})"]
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


def _arm_scope_of(scope: str) -> str | None:
    """The longest prefix of ``scope`` that is an ARM scope (``/``, subscription, group, resource), or None."""
    from azshell.ids import scope_kind

    parts = [p for p in _strip_authz(scope).split("/") if p]
    if not parts or parts[0].casefold() != "subscriptions":
        return None
    while parts:
        candidate = "/" + "/".join(parts)
        if scope_kind(candidate) not in ("invalid", "managementGroup"):
            return candidate
        parts.pop()
    return None


class TestAzAccess(GraphCmdlet, RoleCmdlet):
    name = "Test-AzAccess"
    synopsis = "Explains an access decision: may this principal make this call, why, and the one command that fixes it."
    description = (
        "With -Uri (and -Method, -Body) the call is sent as a dry run through the same service code that answers "
        "it for real: the service decides (RBAC on ARM and on RBAC vaults, access policies on other vaults, POSIX "
        "ACLs on Data Lake, Graph's rule) and nothing is written. The principal is you, -ObjectId/-Assignee (a VM "
        "or app name = its system-assigned identity, a user-assigned identity's name, a UPN, or an object id), or "
        "the credential you give with -Token (a token, or the object holding it) or -Authorization (the header "
        "verbatim, to see why a request got 401). With -Action and -Scope it asks ARM's checkAccess instead. "
        "Shows every assignment, access-policy entry or ACL entry considered, which granted, why the others did "
        "not (an assignment on a child scope does not cover its parent), and the fix."
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
        Param("Body", "object", parameter_sets=("Uri",)),
        Param("Token", "object", parameter_sets=("Uri",)),
        Param("Authorization", "string", parameter_sets=("Uri",)),
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
        Example("Test-AzAccess -Token $token -Uri https://management.azure.com/subscriptions/<sub>?api-version="
                "2022-12-01", "Why does ARM answer 401 to this token?"),
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
            return text, str((obj or {}).get("userPrincipalName") or (obj or {}).get("displayName") or text)
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
        if p.get("Uri"):
            self.write(self.uri_result(str(p["Uri"]), str(p.get("Method") or "GET").upper()))
            return
        if not p.get("Action") or not p.get("Scope"):
            self.fail(NEED_ACTION, error_id="MissingAction")
        oid, who = self.principal()
        target = oid or self.own_object_id()
        self.write(self.action_result(str(p["Action"]), str(p["Scope"]), target, who))

    def action_result(self, action: str, scope: str, target: str, who: str) -> PSObject:
        """``-Action -Scope``: ARM's checkAccess (the same RBAC code the planes run) for the principal."""
        check_scope = _strip_authz(scope)
        base = "" if check_scope == "/" else check_scope
        item: dict[str, Any] = {"id": action}
        if self.bound.get("DataAction"):
            item["isDataAction"] = True
        body = {"subject": {"principalId": target}, "actions": [item]}
        resp = self.arm_request("POST", CHECK_ACCESS_PATH.format(base=base), API_AUTHORIZATION, body=body)
        if resp.status_code != 200:
            self.raise_arm_error(resp)
        answer = (resp.json().get("value") or [{}])[0]
        d = AccessDecision.from_dict(answer.get("decision") or {})
        if d.scope != scope:
            d = replace(d, scope=scope)
        return self.decision(d, who=who or d.principal_name, status=None, uri=None, method=None)

    def dry_run(self, method: str, uri: str, headers: dict[str, str], subject: str | None) -> httpx.Response:
        """Send the call as a dry run (in-process: the service decides, nothing is written, nothing is logged)."""
        body = self.bound.get("Body")
        content: bytes | None = None
        if body is not None:
            if isinstance(body, (str, bytes)):
                content = body.encode("utf-8") if isinstance(body, str) else body
            else:
                from azshell.lang.jsonconv import to_json

                content = to_json(body, depth=20, compress=True).encode("utf-8")
                headers = {**headers, "Content-Type": "application/json"}
        try:
            return self.services.http.request(method, uri, headers=headers, content=content,
                                              extensions={DRY_RUN_EXTENSION: {"subject": subject}})
        except httpx.HTTPError as e:
            self.fail(CANNOT_TEST.format(uri=uri, why=e), error_id="CannotTestAccess")

    def credential(self) -> tuple[bool, str | None]:
        """(given, Authorization header) from -Authorization or -Token."""
        p = self.bound
        if "Authorization" in p and p.get("Authorization") is not None:
            value = str(p["Authorization"])
            return True, value if value.strip() else None
        if "Token" in p:  # -Token $null (an unset variable) tests exactly that: a header with no token
            token = _token_from(p["Token"]) if p.get("Token") is not None else None
            return True, f"Bearer {token}" if token else "Bearer "
        return False, None

    def uri_result(self, uri: str, method: str) -> PSObject:
        p = self.bound
        url = checked_uri(uri if "://" in uri else f"https://{uri}", uri)
        given, header = self.credential()
        if given and (p.get("ObjectId") or p.get("Assignee")):
            self.fail(TOKEN_OR_PRINCIPAL, error_id="TokenOrPrincipal")
        oid, who = (None, "") if given else self.principal()
        if given:
            resp = self.dry_run(method, url, {"Authorization": header} if header is not None else {}, None)
        else:
            resp = self.dry_run(method, url, {}, None)  # the service names the token it wants in its 401
            probe = decision_of(resp)
            if probe is not None and probe.token is not None and probe.token.expected:
                token = self.token(probe.token.expected)
                own = self.own_object_id()
                subject = oid if oid and oid.casefold() != own.casefold() else None
                resp = self.dry_run(method, url, {"Authorization": f"Bearer {token}"}, subject)
                d = decision_of(resp)
                if subject and d is not None and d.model != "token":
                    self.check_may_inspect(d)
        d = decision_of(resp)
        return self.decision(d, who=who, status=resp.status_code, uri=url, method=method, resp=resp)

    def check_may_inspect(self, d: AccessDecision) -> None:
        """Another principal's decision is shown only to who may read the assignments behind it (as checkAccess)."""
        scope = _arm_scope_of(d.scope)
        if scope is None:
            return
        base = "" if scope == "/" else scope
        probe = self.dry_run("GET", f"{ARM_ENDPOINT}{ROLE_ASSIGNMENTS_PATH.format(base=base)}"
                                    f"?api-version={API_AUTHORIZATION}",
                             {"Authorization": f"Bearer {self.token()}"}, None)
        mine = decision_of(probe)
        if mine is not None and not mine.allowed:
            self.fail(NEEDS_ASSIGNMENT_READ.format(scope=scope, reason=mine.reason), category="PermissionDenied",
                      error_id="AuthorizationFailed")

    def token_fix(self, problem: TokenProblem) -> str:
        host = self.services.current_host
        if problem.code == "not_bearer":
            return HEADER_FIX.format(expr="$token")
        if problem.code == "token_response":
            return HEADER_FIX.format(expr="$($response.access_token)")
        if host is None:
            return TOKEN_FIX_OFF_HOST.format(resource=problem.expected)
        if host.kind in ("webapp", "functionapp"):
            return TOKEN_FIX_APP.format(resource=problem.expected)
        return TOKEN_FIX_VM.format(resource=problem.expected)

    # ---------------------------------------------------------------------------------------- output
    def decision(self, d: AccessDecision | None, *, who: str, status: int | None, uri: str | None,
                 method: str | None, resp: httpx.Response | None = None) -> PSObject:
        """The explainer's object over the plane's decision (or over its absence)."""
        if d is None:
            allowed: bool | None = True if status is not None and status < 400 else None
            if allowed:
                reason = f"No access check: the service answered {status} without deciding access for this call."
            else:
                code, message = arm_error_parts(resp) if resp is not None else ("", "")
                reason = (f"The call fails before any access check: {status} {code}: {message}").strip()
            d = AccessDecision(plane="", model="none", allowed=bool(allowed), reason=reason)
        else:
            allowed = d.allowed
        applies = [e for e in d.considered if e.applies]
        others = [e for e in d.considered if not e.applies]
        considered = [e.text for e in applies]
        matched = [e.text for e in applies if e.grants]
        not_in_scope = [f"{e.text}: {e.why}" for e in others]
        missing = "" if allowed is not False or d.model == "token" else d.action
        if missing and d.model == "acl":
            missing = f"{d.get('permission')} on {d.get('denied_path')}" if d.get("denied_path") else "ownership"
        elif missing and d.model == "access_policy":
            missing = f"the secret permission '{d.get('permission')}' in an access policy"
        fix = d.fix or None
        if d.model == "token" and d.token is not None and not fix:
            fix = self.token_fix(d.token)
        principal = d.principal
        name = who or d.principal_name
        obj = PSObject([
            ("Allowed", allowed), ("Action", d.action), ("DataAction", d.data_action), ("Scope", d.scope),
            ("Principal", principal), ("PrincipalName", name), ("Reason", d.reason), ("Considered", considered),
            ("Matched", matched), ("NotInScope", not_in_scope), ("Missing", missing), ("Fix", fix),
            ("Notes", list(d.notes)), ("Model", d.model), ("Service", d.plane), ("StatusCode", status),
            ("TokenProblem", d.token.code if d.token is not None else None), ("Uri", uri), ("Method", method),
        ], type_names=(PS_ACCESS_DECISION, "System.Object"))

        def render() -> str:
            mark, verdict = VERDICTS[allowed]
            if d.model == "token":
                verdict = "UNAUTHENTICATED"
            answer = f" — the service answers {status}" if status is not None else ""
            lines = [f"{mark} {verdict}{answer}"]
            if principal:
                lines.append(f"  Principal : {name} ({principal})" if name and name != principal else
                             f"  Principal : {principal}")
            if d.action:
                lines.append(f"  Action    : {d.action}" + (" (data action)" if d.data_action else ""))
            if d.scope:
                lines.append(f"  Scope     : {d.scope}")
            lines.append(f"  Reason    : {d.reason}")
            if applies:
                lines.append("  Considered:")
                lines += [f"    {'✓' if e.grants else '✗'} {e.text}" + (f": {e.why}" if e.why and not e.grants
                                                                         else "") for e in applies]
            elif d.model == "rbac":
                lines.append("  Considered: (no role assignment of this principal or its groups covers the scope)")
            if others:
                lines.append("  Not in scope:" if d.model == "rbac" else "  Not applicable:")
                lines += [f"    ✗ {e.text}: {e.why}" for e in others]
            if missing:
                lines.append(f"  Missing   : {missing}")
            lines += [f"  Note      : {n}" for n in d.notes if n not in d.reason]
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


def register_views(views: ViewTable) -> None:
    for type_name, kind, props in VIEWS:
        views.register(type_name, kind, props)
