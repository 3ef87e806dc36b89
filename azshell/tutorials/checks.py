"""Step checks and mistake matchers: predicates over the tenant state and the session's recent results.

A definition refers to them by name with parameters (``check = {kind = "vm_identity", type = "SystemAssigned"}``);
parameter values may use the tutorial's placeholders (``{rg}``, ``{vm}``...), filled before the call. Checks read
the store (resources, role assignments, vault policies, Data Lake ACLs) and the events log since the tutorial
started (``token.issued``, ``http.request`` — appended by :mod:`azshell.http` for every in-process request —,
``keyvault.secret.read``, ``datalake.op``).

Principals are named by role in the tutorial, not by ID: ``"vm"`` (the VM's system-assigned identity),
``"uai"`` (the user-assigned identity ``{identity}`` in ``{identity_rg}``), ``"webapp"``/``"functionapp"``
(the app's system-assigned identity), ``"host"`` (whichever identity the session's host uses).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote

if TYPE_CHECKING:
    from azshell.model.types import Event, Resource
    from azshell.world import World

__all__ = ["CHECKS", "MATCHERS", "CheckContext", "CheckResult", "run_check", "run_matcher"]

ARM = "https://management.azure.com/"
TOKEN_HOSTS = ("169.254.169.254", "localhost", "127.0.0.1")
TOKEN_PATHS = ("/metadata/identity/oauth2/token", "/oauth2/token", "/msi/token")
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
    _events: list[Event] | None = field(default=None, repr=False)

    @property
    def sub(self) -> str:
        return self.world.default_subscription_id

    def events(self, kind: str) -> list[Event]:
        if self._events is None:
            self._events = [e for e in self.world.store.recent_events(None, EVENT_SCAN) if e.seq > self.since_seq]
        return [e for e in self._events if e.kind == kind]

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
CHECKS: dict[str, Check] = {}
MATCHERS: dict[str, Callable[[CheckContext, dict[str, Any]], bool]] = {}


def check(name: str) -> Callable[[Check], Check]:
    def deco(fn: Check) -> Check:
        CHECKS[name] = fn
        return fn
    return deco


def matcher(name: str) -> Callable[[Callable[[CheckContext, dict[str, Any]], bool]],
                                   Callable[[CheckContext, dict[str, Any]], bool]]:
    def deco(fn: Callable[[CheckContext, dict[str, Any]], bool]) -> Callable[[CheckContext, dict[str, Any]], bool]:
        MATCHERS[name] = fn
        return fn
    return deco


def run_check(ctx: CheckContext, spec: dict[str, Any]) -> CheckResult:
    """Evaluate one check; an unknown kind or a failure inside is a failed check, never an exception."""
    fn = CHECKS.get(str(spec.get("kind", "")))
    if fn is None:
        return CheckResult(False, f"unknown check {spec.get('kind')!r}")
    try:
        return fn(ctx, spec)
    except Exception as e:  # a check must never break the shell
        return CheckResult(False, f"check failed: {type(e).__name__}: {e}")


def run_matcher(ctx: CheckContext, spec: dict[str, Any]) -> bool:
    fn = MATCHERS.get(str(spec.get("kind", "")))
    if fn is None:
        return False
    try:
        return bool(fn(ctx, spec))
    except Exception:
        return False


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").rstrip("/").casefold() == (b or "").rstrip("/").casefold()


def _covers(outer: str, inner: str) -> bool:
    o, i = outer.rstrip("/").casefold(), inner.rstrip("/").casefold()
    return o == i or i.startswith(o + "/") or o == ""


# ------------------------------------------------------------------------------------------------ state
@check("all")
def _all(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    for sub in p.get("checks", []):
        r = run_check(ctx, sub)
        if not r.ok:
            return r
    return CheckResult(True)


@check("any")
def _any(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    last = CheckResult(False, "nothing matched")
    for sub in p.get("checks", []):
        last = run_check(ctx, sub)
        if last.ok:
            return last
    return last


@check("resource_group")
def _rg(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    rg = p.get("rg") or ctx.vars.get("rg", "")
    if ctx.world.store.get_resource_group(ctx.sub, rg) is None:
        return CheckResult(False, f"resource group {rg} does not exist yet")
    return CheckResult(True, f"resource group {rg} exists")


@check("resource")
def _resource(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """``{type = "Microsoft.KeyVault/vaults", name = "{vault}"}`` in ``{rg}`` (or ``rg``)."""
    rid = f"{ctx.rg_id(p.get('rg'))}/providers/{p['type']}/{p['name']}"
    if ctx.resource(rid) is None:
        return CheckResult(False, f"{p['type'].rsplit('/', 1)[-1]} {p['name']} does not exist yet")
    return CheckResult(True)


@check("vm")
def _vm(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    if ctx.resource(ctx.vm_id(p.get("rg"), p.get("vm"))) is None:
        return CheckResult(False, f"VM {p.get('vm') or ctx.vars.get('vm')} does not exist yet")
    return CheckResult(True)


def _identity_matches(res: Resource | None, want: str, uai: str | None) -> CheckResult:
    if res is None:
        return CheckResult(False, "the resource does not exist yet")
    ident = res.identity
    has_sys = ident is not None and ident.has_system
    has_user = ident is not None and ident.has_user and bool(ident.user_assigned)
    want_l = want.replace(" ", "").casefold()
    if want_l == "none":
        ok = not has_sys and not has_user
    elif want_l == "systemassigned":
        ok = has_sys
    elif want_l == "systemonly":
        ok = has_sys and not has_user
    elif want_l == "userassigned":
        ok = has_user
    elif want_l == "useronly":
        ok = has_user and not has_sys
    else:
        ok = has_sys and has_user
    if ok and uai and want_l in ("userassigned", "useronly", "systemassigned,userassigned"):
        ok = ident is not None and any(_same(k, uai) for k in ident.user_assigned)
    current = ident.type if ident is not None else "None"
    return CheckResult(ok, f"identity type is {current}")


@check("vm_identity")
def _vm_identity(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    uai = ctx.uai_id() if p.get("identity") else None
    return _identity_matches(ctx.resource(ctx.vm_id(p.get("rg"), p.get("vm"))), str(p.get("type", "SystemAssigned")),
                             uai)


@check("app_identity")
def _app_identity(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    uai = ctx.uai_id() if p.get("identity") else None
    return _identity_matches(ctx.resource(ctx.site_id(p.get("rg"), p.get("app"))),
                             str(p.get("type", "SystemAssigned")), uai)


@check("vm_extension")
def _vm_extension(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    present = bool(p.get("present", True))
    name = str(p.get("name", "ManagedIdentityExtensionForWindows"))
    found = ctx.resource(f"{ctx.vm_id()}/extensions/{name}") is not None
    if found == present:
        return CheckResult(True)
    return CheckResult(False, f"extension {name} is {'not ' if not found else ''}installed")


@check("user_identity")
def _uai(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    if ctx.resource(ctx.uai_id(p.get("rg"), p.get("name"))) is None:
        return CheckResult(False, f"user-assigned identity {p.get('name') or ctx.vars.get('identity')} does not exist")
    return CheckResult(True)


def _role_guid(ctx: CheckContext, role: str) -> str | None:
    defs = ctx.world.store.find_role_definitions(role)
    return defs[0].id if defs else None


@check("role_assignment")
def _role_assignment(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """``principal`` has ``role`` at ``scope`` (``match = "covers"`` also accepts a broader scope)."""
    pid = ctx.principal(str(p.get("principal", "vm")))
    role = str(p.get("role", "Reader"))
    if pid is None:
        return CheckResult(False, "the identity does not exist yet")
    guid = _role_guid(ctx, role)
    scope = ctx.scope(str(p.get("scope", "resource_group")))
    covers = p.get("match") == "covers"
    for ra in ctx.world.store.list_role_assignments_for([pid]):
        if guid is not None and ra.role_definition_id.casefold() != guid.casefold():
            continue
        if _same(ra.scope, scope) or (covers and _covers(ra.scope, scope)):
            return CheckResult(True)
    return CheckResult(False, f"no {role} assignment for {pid} at {scope}")


@check("group_member")
def _group_member(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    pid = ctx.principal(str(p.get("principal", "vm")))
    group = str(p.get("group") or ctx.vars.get("group", ""))
    groups = [g for g in ctx.world.store.find_directory_objects(display_name=group)] if group else []
    if pid is None or not groups:
        return CheckResult(False, "the group or the identity does not exist")
    for g in groups:
        if pid in ctx.world.store.list_group_members(g.object_id):
            return CheckResult(True)
    return CheckResult(False, f"{pid} is not a member of {group}")


@check("host")
def _host(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """The session stands on the tutorial's VM (``on = "vm"``), app (``"webapp"``), or on no host (``"none"``)."""
    on = str(p.get("on", "vm"))
    if on == "none":
        return CheckResult(ctx.host is None, "you are still on a host")
    if ctx.host is None:
        return CheckResult(False, "you are not on a host yet")
    want = ctx.vm_id() if on == "vm" else ctx.site_id()
    return CheckResult(_same(ctx.host[1], want), f"you are on {ctx.host[1].rsplit('/', 1)[-1]}")


@check("keyvault_access")
def _kv_access(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """The identity may read secrets of ``{vault}``: an access policy with ``get``, or an RBAC data role."""
    pid = ctx.principal(str(p.get("principal", "vm")))
    vault = ctx.resource(ctx.scope("vault"))
    if pid is None or vault is None:
        return CheckResult(False, "the vault or the identity does not exist yet")
    if vault.properties.get("enableRbacAuthorization"):
        for ra in ctx.world.store.list_role_assignments_for([pid]):
            if _covers(ra.scope, vault.id):
                rd = ctx.world.store.get_role_definition(ra.role_definition_id)
                if rd is not None and rd.role_name in ("Key Vault Secrets User", "Key Vault Secrets Officer",
                                                       "Key Vault Administrator"):
                    return CheckResult(True)
        return CheckResult(False, "no Key Vault data role for the identity")
    for pol in vault.properties.get("accessPolicies") or []:
        if str(pol.get("objectId", "")).casefold() == pid.casefold():
            perms = [str(x).casefold() for x in (pol.get("permissions") or {}).get("secrets", [])]
            if "get" in perms or "all" in perms:
                return CheckResult(True)
    return CheckResult(False, "no access policy with secret 'get' for the identity")


@check("secret")
def _secret(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    from azshell.services.keyvault import model as kv

    vault, name = ctx.vars.get("vault", ""), ctx.vars.get("secret", "")
    if kv.get_secret(ctx.world.store, vault, name) is None:
        return CheckResult(False, f"secret {name} does not exist in {vault}")
    return CheckResult(True)


def _store_id(ctx: CheckContext) -> str | None:
    res = ctx.resource(f"{ctx.rg_id()}/providers/Microsoft.DataLakeStore/accounts/{ctx.vars.get('store', '')}")
    return str(res.properties.get("accountId")) if res is not None else None


@check("datalake_item")
def _dl_item(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    from azshell.services.datalake import model as dl

    sid = _store_id(ctx)
    path = str(p.get("path", "/"))
    if sid is None or dl.get_entry(ctx.world.store, sid, path) is None:
        return CheckResult(False, f"{path} does not exist in the store")
    return CheckResult(True)


@check("datalake_acl")
def _dl_acl(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """The identity has at least ``perms`` (``r-x``/``rwx``) on ``path`` (and as a default entry if asked)."""
    from azshell.services.datalake import model as dl

    sid = _store_id(ctx)
    pid = ctx.principal(str(p.get("principal", "vm")))
    path = str(p.get("path", "/"))
    entry = dl.get_entry(ctx.world.store, sid, path) if sid else None
    if entry is None or pid is None:
        return CheckResult(False, f"{path} or the identity does not exist yet")
    want = 0
    for ch, bit in zip(str(p.get("perms", "r-x")), (4, 2, 1), strict=False):
        if ch != "-":
            want |= bit
    entries = entry.default_acl if p.get("default") else entry.acl
    for e in entries:
        if e.type == "user" and e.name.casefold() == pid.casefold() and e.perm & want == want:
            return CheckResult(True)
    return CheckResult(False, f"no {'default ' if p.get('default') else ''}ACL entry {p.get('perms')} on {path}")


# ------------------------------------------------------------------------------------------------ events
def _http_events(ctx: CheckContext) -> list[Event]:
    return ctx.events("http.request")


def _resource_matches(got: str, want: str) -> bool:
    return got.rstrip("/").casefold() == want.rstrip("/").casefold()


def _is_token_request(data: dict[str, Any]) -> bool:
    path = str(data.get("path", "")).casefold().rstrip("/")
    return path in TOKEN_PATHS or (str(data.get("host", "")) in TOKEN_HOSTS and path.endswith("/oauth2/token"))


@check("token")
def _token(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """A token for ``resource`` was handed to ``principal`` since the tutorial started (by the VM's/app's
    token endpoint; ``selector = "client_id"`` also requires the request to name the user-assigned identity)."""
    resource = str(p.get("resource", ARM))
    ref = str(p.get("principal", "vm"))
    pid = ctx.principal(ref)
    host_ref = "webapp" if ref in ("webapp", "functionapp") else "vm"
    host_id = ctx.site_id() if host_ref == "webapp" else ctx.vm_id()
    for e in reversed(_http_events(ctx)):
        d = e.data
        if not _is_token_request(d) or int(d.get("status", 0)) != 200 or not _same(d.get("caller"), host_id):
            continue
        if not _resource_matches(str(d.get("resource", "")), resource):
            continue
        sel = p.get("selector")
        if sel:
            q = dict(parse_qsl(str(d.get("query", ""))))
            val = next((q[k] for k in ("client_id", "clientid", "object_id", "principal_id", "msi_res_id",
                                       "mi_res_id") if k in q), "")
            uai = ctx.resource(ctx.uai_id())
            want = {str(uai.properties.get("clientId", "")).casefold(), str(uai.properties.get("principalId", ""))
                    .casefold(), uai.id.casefold()} if uai is not None else set()
            if val.casefold() not in want:
                continue
        return CheckResult(True)
    if pid is not None:
        for e in reversed(ctx.events("token.issued")):
            if e.data.get("principal") == pid and _resource_matches(str(e.data.get("resource", "")), resource) \
                    and e.data.get("kind") == "managed_identity":
                return CheckResult(True)
    return CheckResult(False, f"no token for {resource} from the identity endpoint yet")


@check("http")
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
        if want_caller is not None and not _same(d.get("caller"), want_caller):
            continue
        return CheckResult(True)
    return CheckResult(False, f"no {method} {p.get('path', '')} answered {status} yet")


@check("secret_read")
def _secret_read(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    pid = ctx.principal(str(p.get("principal", "vm")))
    for e in reversed(ctx.events("keyvault.secret.read")):
        d = e.data
        if str(d.get("vault", "")).casefold() == ctx.vars.get("vault", "").casefold() \
                and str(d.get("name", "")).casefold() == ctx.vars.get("secret", "").casefold() \
                and pid is not None and str(d.get("oid", "")).casefold() == pid.casefold():
            return CheckResult(True)
    return CheckResult(False, "the identity has not read the secret yet")


@check("datalake_op")
def _datalake_op(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    pid = ctx.principal(str(p.get("principal", "vm")))
    op = str(p.get("op", "LISTSTATUS")).upper()
    path_re = re.compile(str(p.get("path", ".*")), re.I)
    for e in reversed(ctx.events("datalake.op")):
        d = e.data
        if str(d.get("op", "")).upper() != op or not path_re.fullmatch(str(d.get("path", ""))):
            continue
        if pid is not None and str(d.get("caller", "")).casefold() == pid.casefold() \
                and d.get("status", 200) in (200, 201) and not d.get("denied"):
            return CheckResult(True)
    return CheckResult(False, f"the identity has not done {op} yet")


@check("variable")
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
        if not _resource_matches(str(claims.get("aud", "")), str(aud)):
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


@check("command")
def _command(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """The command just run matches ``pattern`` (and succeeded, unless ``success = false``)."""
    if not ctx.command or not re.search(str(p["pattern"]), ctx.command, re.I | re.M):
        return CheckResult(False, "not run yet")
    if p.get("success", True) and not ctx.ok:
        return CheckResult(False, "the command failed")
    return CheckResult(True)


# ------------------------------------------------------------------------------------------------ matchers
@matcher("error")
def _m_error(ctx: CheckContext, p: dict[str, Any]) -> bool:
    """The command failed and its error text matches ``pattern`` (``on_host``: only on/off a host)."""
    if ctx.ok or not re.search(str(p["pattern"]), ctx.errors, re.I | re.S):
        return False
    if p.get("not_pattern") and re.search(str(p["not_pattern"]), ctx.errors, re.I | re.S):
        return False
    if "on_host" in p and bool(p["on_host"]) != (ctx.host is not None):
        return False
    return True


@matcher("text")
def _m_text(ctx: CheckContext, p: dict[str, Any]) -> bool:
    """What the command printed or raised matches ``pattern``, whether or not it failed (curl, az)."""
    if p.get("pattern_command") and not re.search(str(p["pattern_command"]), ctx.command, re.I | re.M):
        return False
    if p.get("not_pattern") and re.search(str(p["not_pattern"]), ctx.errors, re.I | re.S):
        return False
    return bool(re.search(str(p["pattern"]), ctx.errors, re.I | re.S))


@matcher("command")
def _m_command(ctx: CheckContext, p: dict[str, Any]) -> bool:
    """The command text matches ``pattern`` (``failed``: only when it failed / succeeded)."""
    if not re.search(str(p["pattern"]), ctx.command, re.I | re.M):
        return False
    if "failed" in p and bool(p["failed"]) == ctx.ok:
        return False
    return True


@matcher("check")
def _m_check(ctx: CheckContext, p: dict[str, Any]) -> bool:
    """After the command, ``check`` holds (or fails with ``negate``); ``pattern`` additionally on the command."""
    if p.get("pattern") and not re.search(str(p["pattern"]), ctx.command, re.I | re.M):
        return False
    if p.get("failed") is not None and bool(p["failed"]) == ctx.ok:
        return False
    r = run_check(ctx, dict(p["check"]))
    return r.ok != bool(p.get("negate", False))


@matcher("wrong_scope")
def _m_wrong_scope(ctx: CheckContext, p: dict[str, Any]) -> bool:
    """The identity holds ``role`` somewhere, but not at (or above) the scope the step needs."""
    pid = ctx.principal(str(p.get("principal", "vm")))
    if pid is None:
        return False
    guid = _role_guid(ctx, str(p.get("role", "Reader")))
    scope = ctx.scope(str(p.get("scope", "resource_group")))
    mine = [ra for ra in ctx.world.store.list_role_assignments_for([pid])
            if guid is None or ra.role_definition_id.casefold() == guid.casefold()]
    return bool(mine) and not any(_covers(ra.scope, scope) for ra in mine)


@matcher("stale_token")
def _m_stale_token(ctx: CheckContext, p: dict[str, Any]) -> bool:
    """A 401/403 although the identity now has the access the step needs: the token in hand is older than
    the permission (or belongs to an identity that was since re-created)."""
    if not re.search(r"\b(401|403)\b|AuthorizationFailed|\"Forbidden\"", ctx.errors):
        return False
    return run_check(ctx, dict(p["check"])).ok
