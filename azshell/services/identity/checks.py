"""Managed identities' tutorial checks: ``user_identity`` (the tutorial's user-assigned identity exists) and
``token`` (the identity endpoint handed the identity a token); and :func:`identity_matches`, the identity-type
test the VM and app checks share."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from azshell.hostnames import ARM_RESOURCE, IMDS_HOST
from azshell.tutorials.checks import Check, CheckContext, CheckResult, resource_matches, same_id

if TYPE_CHECKING:
    from azshell.model.types import Resource

__all__ = ["CHECKS", "identity_matches"]

ARM = ARM_RESOURCE
TOKEN_HOSTS = (IMDS_HOST, "localhost", "127.0.0.1")
TOKEN_PATHS = ("/metadata/identity/oauth2/token", "/oauth2/token", "/msi/token")


def identity_matches(res: Resource | None, want: str, uai: str | None) -> CheckResult:
    """``res`` has the identity ``want`` (``SystemAssigned``, ``SystemOnly``, ``UserAssigned``, ``UserOnly``,
    ``None`` or both), with the user-assigned identity ``uai`` among its UAIs when one is given."""
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
        ok = ident is not None and any(same_id(k, uai) for k in ident.user_assigned)
    current = ident.type if ident is not None else "None"
    return CheckResult(ok, f"identity type is {current}")


def _uai(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    if ctx.resource(ctx.uai_id(p.get("rg"), p.get("name"))) is None:
        return CheckResult(False, f"user-assigned identity {p.get('name') or ctx.vars.get('identity')} does not exist")
    return CheckResult(True)


def _is_token_request(data: dict[str, Any]) -> bool:
    path = str(data.get("path", "")).casefold().rstrip("/")
    return path in TOKEN_PATHS or (str(data.get("host", "")) in TOKEN_HOSTS and path.endswith("/oauth2/token"))


def _token(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """A token for ``resource`` was handed to ``principal`` since the tutorial started (by the VM's/app's
    token endpoint; ``selector = "client_id"`` also requires the request to name the user-assigned identity)."""
    resource = str(p.get("resource", ARM))
    ref = str(p.get("principal", "vm"))
    pid = ctx.principal(ref)
    host_ref = "webapp" if ref in ("webapp", "functionapp") else "vm"
    host_id = ctx.site_id() if host_ref == "webapp" else ctx.vm_id()
    for e in reversed(ctx.events("http.request")):
        d = e.data
        if not _is_token_request(d) or int(d.get("status", 0)) != 200 or not same_id(d.get("caller"), host_id):
            continue
        if not resource_matches(str(d.get("resource", "")), resource):
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
            if e.data.get("principal") == pid and resource_matches(str(e.data.get("resource", "")), resource) \
                    and e.data.get("kind") == "managed_identity":
                return CheckResult(True)
    return CheckResult(False, f"no token for {resource} from the identity endpoint yet")


CHECKS: dict[str, Check] = {
    "user_identity": _uai,
    "token": _token,
}
