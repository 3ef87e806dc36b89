"""Step checks and mistake matchers: predicates over the tenant state and the session's recent results.

A definition refers to them by name with parameters (``check = {kind = "vm_identity", type = "SystemAssigned"}``);
parameter values may use the tutorial's placeholders (``{rg}``, ``{vm}``...), filled before the call. Checks read
the store (resources, role assignments, vault policies, Data Lake ACLs) and the events log since the tutorial
started (``token.issued``, ``http.request`` — appended by :mod:`azshell.http` for every in-process request —,
``keyvault.secret.read``, ``datalake.op``).

This module holds the machinery (:class:`CheckContext`, :func:`run_check`, :func:`match`), the kinds that
belong to no service (``all``, ``any``, ``resource``, ``host``, ``http``, ``variable``, ``command``) and the
mistake matchers that belong to none (``error``, ``text``, ``command``, ``check``, ``stale_token``).
The kinds that read one service's state live with it (``azshell/services/<name>/checks.py``, a ``CHECKS`` table
of kind → ``check(ctx, params) -> CheckResult`` and a ``MATCHERS`` table of kind → ``matcher(ctx, params) -> bool
| CheckResult``) and are found through the world's registry (``ctx.world.registry.checks()`` / ``.matchers()``),
so they load when a tutorial first checks a step::

    def _vault(ctx: CheckContext, p: dict[str, Any]) -> CheckResult: ...

    CHECKS: dict[str, Check] = {"vault": _vault}

Matchers that explain an access problem read the plane's access decision (``azshell.auth.decision``), never the
error's text and never a scope comparison of their own: :meth:`CheckContext.last_decision` is the decision
recorded with the last ``http.request`` event the command just run caused. A matcher may return a
``CheckResult`` whose ``detail`` (what the decision says) is shown under the hint.

Principals are named by role in the tutorial, not by ID: ``"vm"`` (the VM's system-assigned identity),
``"uai"`` (the user-assigned identity ``{identity}`` in ``{identity_rg}``), ``"webapp"``/``"functionapp"``
(the app's system-assigned identity), ``"host"`` (whichever identity the session's host uses).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

if TYPE_CHECKING:
    from azshell.model.types import Event, Resource
    from azshell.world import World

__all__ = [
    "CHECKS",
    "MATCHERS",
    "Check",
    "CheckContext",
    "CheckResult",
    "Matcher",
    "covers",
    "find_check",
    "find_matcher",
    "match",
    "readable_pattern",
    "resource_matches",
    "run_check",
    "run_matcher",
    "same_id",
]

EVENT_SCAN = 3000


@dataclass
class CheckContext:
    """What a check may look at: the world, the session's host and variables, and the last command."""

    world: World
    vars: dict[str, str]
    #: (kind, resource id) of the host the session stands on, or None off-host
    host: tuple[str, str] | None = None
    get_variable: Callable[[str], Any] = lambda name: None
    #: the command that just ran, whether it succeeded, and its rendered error text
    command: str = ""
    ok: bool = True
    errors: str = ""
    #: only events after this sequence number count (the tutorial's start)
    since_seq: int = 0
    #: events after this sequence number were caused by the command just run (0: not known, use ``since_seq``)
    command_seq: int = 0
    _events: list[Event] | None = field(default=None, repr=False)

    @property
    def sub(self) -> str:
        return self.world.default_subscription_id

    def events(self, kind: str) -> list[Event]:
        if self._events is None:
            self._events = [e for e in self.world.store.recent_events(None, EVENT_SCAN) if e.seq > self.since_seq]
        return [e for e in self._events if e.kind == kind]

    def last_decision(self) -> dict[str, Any] | None:
        """The access decision (its summary: ``allowed``, ``model``, ``principal``, ``action``, ``scope``,
        ``reason``, ``not_in_scope``, ``token``) recorded with the last ``http.request`` event of the command just
        run that carries one; None when the command's requests carried none (or it made none)."""
        after = max(self.command_seq, self.since_seq)
        for e in reversed(self.events("http.request")):
            if e.seq <= after:
                break
            decision = e.data.get("decision")
            if isinstance(decision, dict):
                return decision
        return None

    # -- ids ------------------------------------------------------------------------------------------
    def rg_id(self, rg: str | None = None) -> str:
        return f"/subscriptions/{self.sub}/resourceGroups/{rg or self.vars.get('rg', '')}"

    def vm_id(self, rg: str | None = None, vm: str | None = None) -> str:
        return f"{self.rg_id(rg)}/providers/Microsoft.Compute/virtualMachines/{vm or self.vars.get('vm', '')}"

    def uai_id(self, rg: str | None = None, name: str | None = None) -> str:
        rg = rg or self.vars.get("identity_rg") or self.vars.get("rg", "")
        return (f"{self.rg_id(rg)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/"
                f"{name or self.vars.get('identity', '')}")

    def site_id(self, rg: str | None = None, app: str | None = None) -> str:
        return f"{self.rg_id(rg)}/providers/Microsoft.Web/sites/{app or self.vars.get('app', '')}"

    def resource(self, rid: str) -> Resource | None:
        return self.world.store.get_resource(rid)

    def principal(self, ref: str) -> str | None:
        """The object ID behind a principal reference (see the module docstring), or None."""
        ref = ref or "vm"
        if ref == "host":
            if self.host is None:
                return None
            res = self.resource(self.host[1])
            return res.identity.principal_id if res is not None and res.identity is not None else None
        if ref == "uai":
            res = self.resource(self.uai_id())
            return str(res.properties.get("principalId") or "") or None if res is not None else None
        rid = self.vm_id() if ref == "vm" else self.site_id()
        res = self.resource(rid)
        if res is None or res.identity is None:
            return None
        return res.identity.principal_id

    def scope(self, spec: str) -> str:
        """``resource_group``/``subscription``/``vm``/``vault``/``storage``/``identity_rg`` or a literal scope."""
        spec = spec or "resource_group"
        if spec == "resource_group":
            return self.rg_id()
        if spec == "identity_rg":
            return self.rg_id(self.vars.get("identity_rg"))
        if spec == "subscription":
            return f"/subscriptions/{self.sub}"
        if spec == "vm":
            return self.vm_id()
        if spec == "vault":
            return f"{self.rg_id()}/providers/Microsoft.KeyVault/vaults/{self.vars.get('vault', '')}"
        if spec == "storage":
            return f"{self.rg_id()}/providers/Microsoft.Storage/storageAccounts/{self.vars.get('storage', '')}"
        return spec


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: str = ""


Check = Callable[[CheckContext, dict[str, Any]], CheckResult]
#: a mistake matcher: True/False, or a CheckResult whose ``detail`` is shown under the hint
Matcher = Callable[[CheckContext, dict[str, Any]], "bool | CheckResult"]
def find_check(ctx: CheckContext, kind: str) -> Check | None:
    """The check of ``kind``: one of this module's, or one of a service's in the world's registry."""
    fn = CHECKS.get(kind)
    if fn is None:
        fn = ctx.world.registry.checks().get(kind)
    return fn


def run_check(ctx: CheckContext, spec: dict[str, Any]) -> CheckResult:
    """Evaluate one check; an unknown kind or a failure inside is a failed check, never an exception."""
    try:
        fn = find_check(ctx, str(spec.get("kind", "")))
        if fn is None:
            return CheckResult(False, f"unknown check {spec.get('kind')!r}")
        return fn(ctx, spec)
    except Exception as e:  # a check must never break the shell
        return CheckResult(False, f"check failed: {type(e).__name__}: {e}")


def find_matcher(ctx: CheckContext, kind: str) -> Matcher | None:
    """The matcher of ``kind``: one of this module's, or one of a service's in the world's registry."""
    fn = MATCHERS.get(kind)
    if fn is None:
        fn = ctx.world.registry.matchers().get(kind)
    return fn


def match(ctx: CheckContext, spec: dict[str, Any]) -> CheckResult:
    """Evaluate one mistake matcher: ``ok`` when the mistake was made, ``detail`` what to show with the hint.
    An unknown kind or a failure inside is no match, never an exception."""
    try:
        fn = find_matcher(ctx, str(spec.get("kind", "")))
        if fn is None:
            return CheckResult(False, f"unknown matcher {spec.get('kind')!r}")
        got = fn(ctx, spec)
    except Exception as e:  # a hint must never break the shell
        return CheckResult(False, f"matcher failed: {type(e).__name__}: {e}")
    return got if isinstance(got, CheckResult) else CheckResult(bool(got))


def run_matcher(ctx: CheckContext, spec: dict[str, Any]) -> bool:
    """Was the mistake ``spec`` describes made (see :func:`match`)?"""
    return match(ctx, spec).ok


def same_id(a: str | None, b: str | None) -> bool:
    """Two resource IDs (or scopes) name the same thing: case and a trailing slash aside."""
    return (a or "").rstrip("/").casefold() == (b or "").rstrip("/").casefold()


def covers(outer: str, inner: str) -> bool:
    """``outer`` is ``inner`` or a scope above it (an assignment there applies to ``inner``)."""
    o, i = outer.rstrip("/").casefold(), inner.rstrip("/").casefold()
    return o == i or i.startswith(o + "/") or o == ""


# ------------------------------------------------------------------------------------------------ state
def _all(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    for sub in p.get("checks", []):
        r = run_check(ctx, sub)
        if not r.ok:
            return r
    return CheckResult(True)


def _any(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    last = CheckResult(False, "nothing matched")
    for sub in p.get("checks", []):
        last = run_check(ctx, sub)
        if last.ok:
            return last
    return last


def _resource(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """``{type = "Microsoft.KeyVault/vaults", name = "{vault}"}`` in ``{rg}`` (or ``rg``)."""
    rid = f"{ctx.rg_id(p.get('rg'))}/providers/{p['type']}/{p['name']}"
    if ctx.resource(rid) is None:
        return CheckResult(False, f"{p['type'].rsplit('/', 1)[-1]} {p['name']} does not exist yet")
    return CheckResult(True)


def _host(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """The session stands on the tutorial's VM (``on = "vm"``), app (``"webapp"``), or on no host (``"none"``)."""
    on = str(p.get("on", "vm"))
    if on == "none":
        return CheckResult(ctx.host is None, "you are still on a host")
    if ctx.host is None:
        return CheckResult(False, "you are not on a host yet")
    want = ctx.vm_id() if on == "vm" else ctx.site_id()
    return CheckResult(same_id(ctx.host[1], want), f"you are on {ctx.host[1].rsplit('/', 1)[-1]}")


# ------------------------------------------------------------------------------------------------ events
def _http_events(ctx: CheckContext) -> list[Event]:
    return ctx.events("http.request")


def resource_matches(got: str, want: str) -> bool:
    """Two token audiences (resource URIs) are the same, a trailing slash aside."""
    return got.rstrip("/").casefold() == want.rstrip("/").casefold()


def _http(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """An in-process request matching ``method``/``host``/``path`` (regexes) returned ``status`` on ``on``."""
    method = str(p.get("method", "GET")).upper()
    host_re = re.compile(str(p.get("host", ".*")), re.I)
    path_re = re.compile(str(p.get("path", ".*")), re.I)
    status = int(p.get("status", 200))
    on = str(p.get("on", "vm"))
    want_caller = ctx.vm_id() if on == "vm" else ctx.site_id() if on == "webapp" else None
    query_re = re.compile(str(p["query"]), re.I) if p.get("query") else None
    for e in reversed(_http_events(ctx)):
        d = e.data
        if str(d.get("method", "")).upper() != method or int(d.get("status", 0)) != status:
            continue
        if not host_re.fullmatch(str(d.get("host", ""))) or not path_re.fullmatch(unquote(str(d.get("path", "")))):
            continue
        if query_re is not None and not query_re.search(unquote(str(d.get("query", "")))):
            continue
        if want_caller is not None and not same_id(d.get("caller"), want_caller):
            continue
        return CheckResult(True)
    where = {"vm": f" on {ctx.vars.get('vm', 'the VM')}", "webapp": f" on {ctx.vars.get('app', 'the app')}"}.get(on, "")
    url = readable_pattern(str(p.get("host", ""))) + readable_pattern(str(p.get("path", "")), ctx)
    return CheckResult(False, f"no {method} of {url or 'the URL'} has answered {status}{where} yet")


#: regex pieces a check's URL pattern uses, in words: a segment after /subscriptions/ is the subscription
_SEGMENT = re.compile(r"\[\^/\]\+|\[\^/\]\*|\.\*|\.\+|\\S\+|\\w\+")


def readable_pattern(pattern: str, ctx: CheckContext | None = None) -> str:
    """A URL regex as a learner reads it: ``/subscriptions/[^/]+/resourceGroups/x`` → the subscription's ID in
    place of ``[^/]+`` (``<…>`` for any other wildcard segment), escapes and anchors dropped."""
    text = pattern.strip("^$")
    if ctx is not None:
        text = re.sub(r"(?i)(/subscriptions/)(\[\^/\]\+)", lambda m: m.group(1) + ctx.sub, text)
    text = _SEGMENT.sub("<…>", text)
    text = re.sub(r"\(\?:([^()|]*)\)\??", r"\1", text)  # (?:/)? and the like
    return re.sub(r"\\(.)", r"\1", text)


def _variable(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """Session variable ``name`` is set (``jwt_aud``: holds a JWT for that audience)."""
    value = ctx.get_variable(str(p["name"]))
    if value is None or value == "":
        return CheckResult(False, f"${p['name']} is empty")
    aud = p.get("jwt_aud")
    if aud:
        claims = _jwt_claims(str(value))
        if claims is None:
            return CheckResult(False, f"${p['name']} is not an access token")
        if not resource_matches(str(claims.get("aud", "")), str(aud)):
            return CheckResult(False, f"${p['name']} is a token for {claims.get('aud')}")
    return CheckResult(True)


def _jwt_claims(token: str) -> dict[str, Any] | None:
    import base64
    import json

    parts = token.strip().split(".")
    if len(parts) != 3:
        return None
    try:
        raw = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(raw)
    except (ValueError, TypeError):
        return None
    return claims if isinstance(claims, dict) else None


def _command(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """The command just run matches ``pattern`` (and succeeded, unless ``success = false``)."""
    if not ctx.command or not re.search(str(p["pattern"]), ctx.command, re.I | re.M):
        return CheckResult(False, "not run yet")
    if p.get("success", True) and not ctx.ok:
        return CheckResult(False, "the command failed")
    return CheckResult(True)


# ------------------------------------------------------------------------------------------------ matchers
def _m_error(ctx: CheckContext, p: dict[str, Any]) -> bool:
    """The command failed and its error text matches ``pattern`` (``on_host``: only on/off a host)."""
    if ctx.ok or not re.search(str(p["pattern"]), ctx.errors, re.I | re.S):
        return False
    if p.get("not_pattern") and re.search(str(p["not_pattern"]), ctx.errors, re.I | re.S):
        return False
    if "on_host" in p and bool(p["on_host"]) != (ctx.host is not None):
        return False
    return True


def _m_text(ctx: CheckContext, p: dict[str, Any]) -> bool:
    """What the command printed or raised matches ``pattern``, whether or not it failed (curl, az)."""
    if p.get("pattern_command") and not re.search(str(p["pattern_command"]), ctx.command, re.I | re.M):
        return False
    if p.get("not_pattern") and re.search(str(p["not_pattern"]), ctx.errors, re.I | re.S):
        return False
    return bool(re.search(str(p["pattern"]), ctx.errors, re.I | re.S))


def _m_command(ctx: CheckContext, p: dict[str, Any]) -> bool:
    """The command text matches ``pattern`` (``failed``: only when it failed / succeeded)."""
    if not re.search(str(p["pattern"]), ctx.command, re.I | re.M):
        return False
    if "failed" in p and bool(p["failed"]) == ctx.ok:
        return False
    return True


def _m_check(ctx: CheckContext, p: dict[str, Any]) -> bool:
    """After the command, ``check`` holds (or fails with ``negate``); ``pattern`` additionally on the command."""
    if p.get("pattern") and not re.search(str(p["pattern"]), ctx.command, re.I | re.M):
        return False
    if p.get("failed") is not None and bool(p["failed"]) == ctx.ok:
        return False
    r = run_check(ctx, dict(p["check"]))
    return r.ok != bool(p.get("negate", False))


def _m_stale_token(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """The command's last request was refused — the decision the plane recorded with it: a denial, or a 401 for
    an expired token — although the identity now has the access the step needs (``check``): the token in hand is
    older than the permission, or belongs to an identity that was since re-created."""
    d = ctx.last_decision()
    if d is None or d.get("allowed"):
        return CheckResult(False)
    if d.get("model") == "token" and d.get("token") != "expired":
        return CheckResult(False)  # a credential problem of another kind: its 401 names it
    if not run_check(ctx, dict(p["check"])).ok:
        return CheckResult(False)
    refused = str(d.get("principal") or "")
    ref = str(dict(p["check"]).get("principal") or "vm")
    now = ctx.principal(ref) or ""
    if refused and now and refused.casefold() != now.casefold():
        return CheckResult(True, f"The refused request was decided for principal {refused}; the identity is "
                                 f"{now} now: the token was issued to the identity before it was re-created.")
    return CheckResult(True, str(d.get("reason") or ""))


#: the kinds of no service (the services' come from the registry); fixed once the module is read
CHECKS: Mapping[str, Check] = MappingProxyType({
    "all": _all, "any": _any, "resource": _resource, "host": _host, "http": _http, "variable": _variable,
    "command": _command,
})
MATCHERS: Mapping[str, Matcher] = MappingProxyType({
    "error": _m_error, "text": _m_text, "command": _m_command, "check": _m_check, "stale_token": _m_stale_token,
})
