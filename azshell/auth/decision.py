"""The access decision a plane takes for one request, with its evidence: the one record every explainer reads.

A plane that authorizes (ARM, Key Vault with RBAC or access policies, Data Lake's ACLs, Graph, the App Service
identity endpoint) builds an :class:`AccessDecision` where it decides, and the router attaches it to the
response it makes (``Response.decision``; in-process also ``httpx.Response.extensions["azshell.decision"]``).
The 401/403 hints, ``Test-AzAccess`` (a dry run through the same plane code) and the tutorial checks read it;
none of them re-derives it. Nothing of it goes on the wire.

::

    d = rbac_access(index, plane="arm", principal=oid, action="Microsoft.Resources/subscriptions/resourceGroups/read",
                    scope="/subscriptions/s/resourceGroups/rg")
    d.allowed, d.reason, [e.text for e in d.considered], d.fix

    problem = diagnose_token("Bearer @{access_token=eyJ…}", None, expected=ARM_RESOURCE, service="Azure Resource
                             Manager")
    problem.code == "token_response"

``model`` names how the decision was taken: ``rbac``, ``access_policy`` (Key Vault without RBAC), ``acl`` (Data
Lake's POSIX ACLs), ``directory`` (Graph's rule: users write, service principals read), ``open`` (anyone signed
in may, e.g. list their subscriptions) or ``token`` (a 401: the request carried no usable credential; ``token``
then says what is wrong with it in plain English).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from azshell.auth import errors as token_errors
from azshell.auth.rbac import (
    RbacIndex,
    action_matches,
    decide,
    scope_key,
)
from azshell.auth.resources import KNOWN_RESOURCES
from azshell.hostnames import LOGIN_JWKS_URL_TEMPLATE, STS_ISSUER_TEMPLATE

__all__ = [
    "AccessDecision",
    "DECISION_EXTENSION",
    "DRY_RUN_EXTENSION",
    "Evidence",
    "TokenProblem",
    "diagnose_token",
    "final_decision",
    "rbac_access",
    "relative_span",
    "role_fix",
    "service_name",
    "token_decision",
]

#: The key of the decision in ``httpx.Response.extensions`` (in-process only).
DECISION_EXTENSION = "azshell.decision"
#: The key of a dry-run request's options in ``httpx.Request.extensions``: ``{"subject": oid | None}``.
DRY_RUN_EXTENSION = "azshell.dry_run"

ROLE_FIX_TEMPLATE = "New-AzRoleAssignment -ObjectId {oid} -RoleDefinitionName '{role}' -Scope '{scope}'"
NO_ROLE_GRANTS = "No built-in role grants '{action}'; create a custom role with New-AzRoleDefinition."
_AUTHZ_SEGMENT = "/providers/microsoft.authorization/"


@dataclass(frozen=True)
class Evidence:
    """One thing the plane looked at: a role assignment, an access-policy entry, an ACL entry, a rule.

    ``applies``: it covers the scope / names the principal (or one of its groups); ``grants``: it allows what
    the request needs; ``why``: in plain English, why it does not apply or does not grant ("" when it does).
    """

    kind: str
    text: str
    applies: bool
    grants: bool
    why: str = ""
    #: for a role assignment: the role's name and the assignment's scope (as stored)
    role: str = ""
    scope: str = ""


@dataclass(frozen=True)
class TokenProblem:
    """Why a plane refused the credential (a 401), for people: ``code`` is stable, ``reason`` one line.

    ``expected`` is the resource (token audience) this service accepts, so a client can ask for the right token;
    ``found`` what the request carried instead (an audience, a tenant, an expiry), when it says more.
    """

    code: str
    reason: str
    expected: str = ""
    found: str = ""


@dataclass(frozen=True)
class AccessDecision:
    """What one plane decided for one request, and why.

    ``allowed`` False for every 401 and access 403 the plane answers; ``considered`` lists the evidence
    (assignments, access-policy entries, ACL entries) with, for each, whether it applied and granted;
    ``fix`` is the one command that would allow the request ("" when allowed or when no command would).
    """

    plane: str
    model: str
    allowed: bool
    reason: str
    principal: str = ""
    principal_name: str = ""
    action: str = ""
    data_action: bool = False
    scope: str = ""
    considered: tuple[Evidence, ...] = ()
    token: TokenProblem | None = None
    fix: str = ""
    notes: tuple[str, ...] = ()
    extra: tuple[tuple[str, str], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able data (events, ``$decision | ConvertTo-Json``)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AccessDecision:
        token = data.get("token")
        return cls(
            plane=str(data.get("plane", "")), model=str(data.get("model", "")), allowed=bool(data.get("allowed")),
            reason=str(data.get("reason", "")), principal=str(data.get("principal", "")),
            principal_name=str(data.get("principal_name", "")), action=str(data.get("action", "")),
            data_action=bool(data.get("data_action")), scope=str(data.get("scope", "")),
            considered=tuple(Evidence(**e) for e in data.get("considered") or ()),
            token=TokenProblem(**token) if isinstance(token, Mapping) else None,
            fix=str(data.get("fix", "")), notes=tuple(str(n) for n in data.get("notes") or ()),
            extra=tuple((str(k), str(v)) for k, v in data.get("extra") or ()),
        )

    def get(self, key: str) -> str:
        """One of ``extra``'s values ("" when absent): a plane's own details (vault, store, path, permission)."""
        return next((v for k, v in self.extra if k == key), "")

    def summary(self) -> dict[str, Any]:
        """The fields the ``http.request`` event keeps (the tutorial checks read them): the verdict, who, what,
        where, the reason, how many of the principal's assignments were outside the scope, the token problem."""
        out: dict[str, Any] = {"plane": self.plane, "model": self.model, "allowed": self.allowed,
                               "principal": self.principal, "action": self.action, "scope": self.scope,
                               "reason": self.reason[:500]}
        outside = sum(1 for e in self.considered if e.kind == "role_assignment" and not e.applies)
        if outside:
            out["not_in_scope"] = outside
        if self.token is not None:
            out["token"] = self.token.code
        return out


def final_decision(decisions: Sequence[AccessDecision]) -> AccessDecision | None:
    """The decision of a request that checked several things: the denial if one was denied, else the first."""
    for d in reversed(decisions):
        if not d.allowed:
            return d
    return decisions[0] if decisions else None


# ============================================================================================== RBAC
_SCOPE_WORDS = {"root": "the root scope (/)", "subscription": "the subscription", "resourceGroup": "the resource group",
                "resource": "the resource", "managementGroup": "the management group"}


def _base_scope(scope: str) -> str:
    """``scope`` without a trailing ``/providers/Microsoft.Authorization/…`` (the scope it is an extension of)."""
    cut = scope.lower().find(_AUTHZ_SEGMENT)
    return (scope[:cut] if cut >= 0 else scope.rstrip("/")) or "/"


def _scope_word(scope: str) -> str:
    """``the resource group`` / ``the subscription`` / ``the child resource`` … for a scope."""
    from azshell.ids import scope_kind

    base = _base_scope(scope)
    kind = scope_kind(base)
    if kind == "resource":
        tail = scope_key(base).rsplit("/providers/", 1)[-1].split("/")
        if len(tail) > 3:
            return "the child resource"
    return _SCOPE_WORDS.get(kind, "this scope")


def _short(scope: str, relative_to: str) -> str:
    """``scope`` with the segments it shares with ``relative_to`` shown as ``…`` (whole when they share little)."""
    a = [s for s in scope.split("/") if s]
    b = [s for s in relative_to.split("/") if s]
    n = 0
    while n < min(len(a), len(b)) and a[n].lower() == b[n].lower():
        n += 1
    if n < 2 or n == len(a):
        return "/" + "/".join(a)
    return "…/" + "/".join(a[n:])


def _relation(assignment_scope: str, scope: str) -> str:
    """Why an assignment at ``assignment_scope`` does not cover ``scope`` ("" when it does)."""
    a, t = scope_key(assignment_scope), scope_key(scope)
    if a == "" or a == t or t.startswith(a + "/"):
        return ""
    target = _scope_word(scope)
    if t == "" or a.startswith(t + "/"):
        return (f"a child of this scope: it does not cover {target} (an assignment applies to its scope and "
                "below, never above)")
    a_sub = a.split("/")[2] if a.startswith("/subscriptions/") and a.count("/") >= 2 else ""
    t_sub = t.split("/")[2] if t.startswith("/subscriptions/") and t.count("/") >= 2 else ""
    if a_sub and t_sub and a_sub != t_sub:
        return f"another subscription: it does not cover {target}"
    name = assignment_scope.rstrip("/").rsplit("/", 1)[-1]
    return f"another branch, {_scope_word(assignment_scope)} {name}: it does not cover {target}"


def _not_granted(role: Any, action: str, data_action: bool) -> str:
    """Why role definition ``role`` does not grant ``action``."""
    allow = [p for perm in role.permissions for p in (perm.data_actions if data_action else perm.actions)]
    deny = [p for perm in role.permissions for p in (perm.not_data_actions if data_action else perm.not_actions)]
    hit = next((p for p in allow if action_matches(p, action)), None)
    if hit is not None:
        excl = next((p for p in deny if action_matches(p, action)), hit)
        return f"'{role.role_name}' grants '{hit}' but excludes it ('{excl}' in Not{'Data' if data_action else ''}Actions)"
    if data_action and not allow:
        return (f"'{role.role_name}' grants control-plane actions only; '{action}' is a data action "
                "(it needs a role with DataActions)")
    if not data_action and not allow:
        return f"'{role.role_name}' grants data actions only; '{action}' is a control-plane action"
    shown = ", ".join(f"'{p}'" for p in allow[:3]) + (f" and {len(allow) - 3} more" if len(allow) > 3 else "")
    return f"'{role.role_name}' grants {shown}, not '{action}'"


def role_fix(index: RbacIndex, principal: str, action: str, scope: str, *, data_action: bool) -> str:
    """The ``New-AzRoleAssignment`` of the least-privileged built-in role that grants ``action``."""
    role = index.least_privileged_role(action, data_action=data_action)
    if role is None:
        return NO_ROLE_GRANTS.format(action=action)
    return ROLE_FIX_TEMPLATE.format(oid=principal, role=role.role_name, scope=_base_scope(scope))


def rbac_access(index: RbacIndex, *, plane: str, principal: str, action: str, scope: str,
                group_ids: Iterable[str] = (), data_action: bool = False, principal_name: str = "",
                extra: tuple[tuple[str, str], ...] = ()) -> AccessDecision:
    """The RBAC decision for ``principal`` (and its groups), with every one of its assignments as evidence.

    Assignments that cover the scope say whether their role grants the action (and why not); the others say why
    they do not cover it ("a child of this scope", "another resource group") — the most common mistake.
    """
    groups = tuple(group_ids)
    d = decide(principal_id=principal, group_ids=groups, action=action, scope=scope, data_action=data_action,
               index=index)
    matched = {id(a) for a in d.matched}
    evidence: list[Evidence] = []
    outside: list[Evidence] = []
    target = scope_key(scope)
    for owner in (principal, *groups):
        via = "" if owner.lower() == principal.lower() else " (via a group)"
        for a, norm in index.assignments_for(owner):
            covers = norm == "" or norm == target or target.startswith(norm + "/")
            if not covers and d.allowed:
                continue  # an allowed decision lists what covers the scope; a denial also what does not
            role = index.definition(a.role_definition_id)
            name = role.role_name if role is not None else a.role_definition_id
            text = f"{name} at {a.scope}{via}"
            if not covers:
                outside.append(Evidence("role_assignment", text, False, False, _relation(a.scope, scope), name,
                                        a.scope))
                continue
            if role is None:
                evidence.append(Evidence("role_assignment", text, True, False, "its role definition no longer exists",
                                         name, a.scope))
                continue
            grants = id(a) in matched
            evidence.append(Evidence("role_assignment", text, True, grants,
                                     "" if grants else _not_granted(role, action, data_action), name, a.scope))
    pending, waiting, notes = _pending_evidence(index, principal, groups, action, scope, data_action, matched)
    evidence.extend(pending)
    reason = d.reason
    fix = ""
    if not d.allowed and waiting:
        text, ago, left, remaining = waiting[0]
        reason = (f"Denied: {text} was granted {ago} ago and takes effect in {left}: a new role assignment "
                  "applies only once it has propagated (Set-AzShellOption -RoleAssignmentDelay); wait, or move the "
                  "tenant clock.")
        fix = f"Set-AzShellClock -Advance {_timespan(remaining + 1)}"
        extra = (*extra, ("propagation", "pending"))
    elif not d.allowed:
        covering = [e for e in evidence if e.applies]
        if not covering and outside:
            n = len(outside)
            first = outside[0]
            name, _, at = first.text.partition(" at ")
            head = "the principal's only role assignment does not" if n == 1 else \
                f"none of the principal's {n} role assignments"
            reason = (f"Denied: {head} cover{'s' if n > 1 else ''} this scope: {name} at "
                      f"{_short(at.removesuffix(' (via a group)'), scope)} ({first.why.split(':', 1)[0]}) does not "
                      f"cover {_scope_word(scope)}.")
        elif not covering:
            reason = "Denied: the principal has no role assignments at all (none at, above or below this scope)."
        fix = role_fix(index, principal, action, scope, data_action=data_action)
    return AccessDecision(
        plane=plane, model="rbac", allowed=d.allowed, reason=reason, principal=principal,
        principal_name=principal_name, action=action, data_action=data_action, scope=scope,
        considered=tuple(evidence + outside), fix=fix, notes=tuple(d.notes) + tuple(notes), extra=extra)


def _timespan(seconds: float) -> str:
    """``[d.]hh:mm:ss`` as PowerShell writes a TimeSpan (whole seconds)."""
    s = max(0, int(seconds))
    days, rest = divmod(s, 86400)
    text = f"{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}"
    return f"{days}.{text}" if days else text


def _pending_evidence(index: RbacIndex, principal: str, groups: tuple[str, ...], action: str, scope: str,
                      data_action: bool, matched: set[int]
                      ) -> tuple[list[Evidence], list[tuple[str, str, str, float]], list[str]]:
    """What the propagation delay holds back at ``scope``: the evidence of grants not in effect yet, those among
    them that would allow the request (text, how long ago, how long still, seconds still), and notes on removed
    assignments that still apply. Nothing without a delay."""
    now_fn = index.now
    evidence: list[Evidence] = []
    waiting: list[tuple[str, str, str, float]] = []
    notes: list[str] = []
    if now_fn is None:
        return evidence, waiting, notes
    now = now_fn()
    target = scope_key(scope)
    for owner in (principal, *groups):
        via = "" if owner.lower() == principal.lower() else " (via a group)"
        for p in index.pending_for(owner):
            a = p.assignment
            norm = scope_key(a.scope)
            if not (norm == "" or norm == target or target.startswith(norm + "/")):
                continue
            role = index.definition(a.role_definition_id)
            name = role.role_name if role is not None else a.role_definition_id
            text = f"{name} at {a.scope}{via}"
            ago, left = relative_span(now - p.changed_at), relative_span(p.effective_at - now)
            if p.change == "granted":
                evidence.append(Evidence("role_assignment", text, True, False,
                                         f"was granted {ago} ago and takes effect in {left} (role assignment "
                                         "propagation delay)", name, a.scope))
                if role is not None and index.grant(role, action, data_action) is not None:
                    waiting.append((text, ago, left, p.effective_at - now))
            else:
                still = "and still grants it" if any(id(a) == m for m in matched) else "and still applies"
                notes.append(f"{text} was removed {ago} ago {still} for {left} more (role assignment propagation "
                             "delay).")
    return evidence, waiting, notes


# ============================================================================================= tokens
def service_name(resource: str) -> str:
    """``https://vault.azure.net`` → ``Azure Key Vault`` (the first-party app's name), else the URI itself."""
    r = resource.rstrip("/").lower()
    for known in KNOWN_RESOURCES:
        if any(u.rstrip("/").lower() == r for u in known.identifier_uris):
            return "Azure Resource Manager" if known.display_name.startswith("Windows Azure Service") \
                else known.display_name
    return resource


def relative_span(seconds: float) -> str:
    s = abs(int(seconds))
    if s < 120:
        return f"{s} s"
    if s < 7200:
        return f"{s // 60} min"
    if s < 172800:
        return f"{s // 3600} h {s // 60 % 60} min"
    return f"{s // 86400} days"


def _utc(epoch: float) -> str:
    return datetime.fromtimestamp(int(epoch), tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _claims(token: str) -> dict[str, Any]:
    try:
        part = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError, binascii.Error, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def _looks_like_jwt(text: str) -> bool:
    return text.startswith("eyJ") and text.count(".") == 2 and " " not in text


def _whole_response(text: str) -> str | None:
    """What kind of non-token object text this is (a stringified token response, a SecureString…), or None."""
    t = text.strip()
    if t.startswith("@{") and "access_token=" in t:
        return ("a whole token response turned into text (@{access_token=…; …}), not the token: use "
                "\"Bearer $($response.access_token)\"")
    if t.startswith("@{") and "Token=" in t:
        return ("a whole Get-AzAccessToken result turned into text (@{Token=…; …}), not the token: use "
                "$t = (Get-AzAccessToken).Token | ConvertFrom-SecureString -AsPlainText")
    if t.startswith("{") and "access_token" in t:
        return ("the JSON text of a token response, not the token: use "
                "($response.Content | ConvertFrom-Json).access_token")
    if t in ("System.Security.SecureString", "Microsoft.Azure.Commands.Profile.Models.PSSecureAccessToken"):
        return (f"the type name {t}: the token is a SecureString, which turns into its type name in a string; use "
                "(Get-AzAccessToken).Token | ConvertFrom-SecureString -AsPlainText")
    if t in ("System.Collections.Hashtable", "System.Object[]"):
        return f"the type name {t}: a collection was put in the header instead of the token string"
    return None


def diagnose_token(authorization: str | None, error: BaseException | None, *, expected: str, service: str,
                   now: float = 0.0, tenant: str = "") -> TokenProblem:
    """What is wrong with the credential of a refused request, in one plain line.

    ``authorization`` is the Authorization header as sent (None: absent); ``error`` the verifier's exception
    (None when the header was refused before verification); ``expected`` the resource this service's tokens
    are for, ``service`` its name.
    """
    ask = f"get a token for resource={expected}"
    if authorization is None or not authorization.strip():
        return TokenProblem("missing", f"The request has no Authorization header: {ask} and send it as "
                                       "-Headers @{Authorization = \"Bearer $token\"}.", expected)
    value = authorization.strip()
    scheme, _, rest = value.partition(" ")
    if scheme.lower() != "bearer":
        whole = _whole_response(value)
        if whole:
            return TokenProblem("token_response", f"The Authorization header is {whole} (and 'Bearer ' is missing "
                                                  "in front).", expected)
        if _looks_like_jwt(value):
            return TokenProblem("not_bearer", "The Authorization header is the bare token: it must start with "
                                              "'Bearer ' (-Headers @{Authorization = \"Bearer $token\"}).", expected)
        if scheme.lower() == "bearer:" or scheme.lower().startswith("bearer"):
            return TokenProblem("not_bearer", f"The Authorization header starts with '{scheme}': write 'Bearer', "
                                              "a space, then the token.", expected)
        return TokenProblem("not_bearer", f"The Authorization header uses the scheme '{scheme[:20]}'; "
                                          f"{service} wants 'Bearer <token>'.", expected)
    token = rest.strip()
    if not token:
        return TokenProblem("empty", "'Bearer' is followed by nothing: the variable after it is empty ($null or "
                                     f"not set in this session); {ask}.", expected)
    whole = _whole_response(token)
    if whole:
        return TokenProblem("token_response", f"The Authorization header holds {whole}.", expected)
    claims = _claims(token)
    if isinstance(error, token_errors.InvalidAudienceError):
        aud = error.audience
        return TokenProblem("audience", f"The token's audience (aud) is {aud} ({service_name(aud)}), but this is "
                                        f"{service}: {ask}.", expected, aud)
    if isinstance(error, token_errors.ExpiredTokenError):
        ago = relative_span(now - error.expires_on) if now else ""
        start = claims.get("nbf", claims.get("iat"))
        lasted = relative_span(error.expires_on - start) if isinstance(start, int) and start < error.expires_on \
            else "about an hour"
        return TokenProblem("expired", f"The token expired at {_utc(error.expires_on)}"
                                       + (f" ({ago} ago)" if ago else "") + f": it was valid for {lasted} "
                                       f"(Get-AzShellClock shows the tenant's time); {ask} again.", expected,
                            _utc(error.expires_on))
    if isinstance(error, token_errors.NotYetValidError):
        return TokenProblem("not_yet_valid", f"The token is not valid before {_utc(error.not_before)} (its nbf "
                                             "claim): the tenant clock is earlier than when it was issued "
                                             f"(Get-AzShellClock); {ask} now.", expected,
                            _utc(error.not_before))
    if isinstance(error, token_errors.WrongTenantError):
        return TokenProblem("tenant", f"The token is from tenant {error.token_tenant} (issuer "
                                      f"{error.token_issuer}), but this {service} belongs to tenant "
                                      f"{error.expected_tenant}: {ask} from that tenant.", expected,
                            error.token_tenant)
    their_tenant = tenant or claims.get("tid", "{tenant}")
    if isinstance(error, token_errors.InvalidIssuerError):
        return TokenProblem("issuer", f"The token's issuer {error.issuer} is not the tenant's "
                                      f"({STS_ISSUER_TEMPLATE.format(tenant=their_tenant)}): it was "
                                      f"not issued by Entra ID for this tenant; {ask}.", expected, str(error.issuer))
    if isinstance(error, token_errors.UnknownKeyError):
        jwks = LOGIN_JWKS_URL_TEMPLATE.format(tenant=their_tenant)
        return TokenProblem("unknown_key", f"The token was signed with key '{error.kid}', which is not one of the "
                                           f"tenant's signing keys ({jwks}): it was not issued by this tenant, or "
                                           f"its keys rolled over; {ask}.", expected, str(error.kid))
    if isinstance(error, token_errors.InvalidSignatureError):
        return TokenProblem("signature", "The token's signature does not match its contents: it was changed after "
                                         f"it was signed, or copied incompletely; {ask}.", expected)
    if isinstance(error, token_errors.UnsupportedAlgorithmError):
        return TokenProblem("algorithm", f"The token is signed with {error.algorithm!r}; Entra ID tokens use RS256 "
                                         f"and {service} accepts nothing else; {ask}.", expected, error.algorithm)
    if isinstance(error, token_errors.MalformedTokenError) or not claims:
        if not _looks_like_jwt(token):
            start = token[:24] + ("…" if len(token) > 24 else "")
            return TokenProblem("not_jwt", f"The value after 'Bearer ' is not a JWT (three base64url parts "
                                           f"separated by dots, starting eyJ): it starts with '{start}'.", expected)
        return TokenProblem("not_jwt", "The token's header or claims do not decode to JSON (a truncated or "
                                       f"altered token?); {ask}.", expected)
    if error is None and not claims.get("oid"):
        return TokenProblem("no_oid", "The token has no oid claim: it names no principal a role can be assigned "
                                      f"to; {ask} for a user or a managed identity.", expected)
    return TokenProblem("invalid", f"The token was refused ({error or 'invalid'}); {ask}.", expected)


def token_decision(plane: str, problem: TokenProblem, *, fix: str = "") -> AccessDecision:
    """A 401's decision: nobody was authenticated, so only the credential problem is known."""
    return AccessDecision(plane=plane, model="token", allowed=False, reason=f"Unauthenticated: {problem.reason}",
                          token=problem, fix=fix)
