"""Key Vault's tutorial checks: ``keyvault_access`` (the identity may read ``{vault}``'s secrets), ``secret``
(``{secret}`` exists in ``{vault}``) and ``secret_read`` (the identity has read it)."""

from __future__ import annotations

from typing import Any

from azshell.services.keyvault import model as kv
from azshell.tutorials.checks import Check, CheckContext, CheckResult, covers

__all__ = ["CHECKS"]

#: the built-in roles that let a principal read secrets under Azure RBAC
SECRET_READER_ROLES = ("Key Vault Secrets User", "Key Vault Secrets Officer", "Key Vault Administrator")


def _kv_access(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """The identity may read secrets of ``{vault}``: an access policy with ``get``, or an RBAC data role."""
    pid = ctx.principal(str(p.get("principal", "vm")))
    vault = ctx.resource(ctx.scope("vault"))
    if pid is None or vault is None:
        return CheckResult(False, "the vault or the identity does not exist yet")
    if vault.properties.get("enableRbacAuthorization"):
        for ra in ctx.world.store.list_role_assignments_for([pid]):
            if covers(ra.scope, vault.id):
                rd = ctx.world.store.get_role_definition(ra.role_definition_id)
                if rd is not None and rd.role_name in SECRET_READER_ROLES:
                    return CheckResult(True)
        return CheckResult(False, "no Key Vault data role for the identity")
    for pol in vault.properties.get("accessPolicies") or []:
        if str(pol.get("objectId", "")).casefold() == pid.casefold():
            perms = [str(x).casefold() for x in (pol.get("permissions") or {}).get("secrets", [])]
            if "get" in perms or "all" in perms:
                return CheckResult(True)
    return CheckResult(False, "no access policy with secret 'get' for the identity")


def _secret(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    vault, name = ctx.vars.get("vault", ""), ctx.vars.get("secret", "")
    if kv.get_secret(ctx.world.store, vault, name) is None:
        return CheckResult(False, f"secret {name} does not exist in {vault}")
    return CheckResult(True)


def _secret_read(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    pid = ctx.principal(str(p.get("principal", "vm")))
    for e in reversed(ctx.events("keyvault.secret.read")):
        d = e.data
        if str(d.get("vault", "")).casefold() == ctx.vars.get("vault", "").casefold() \
                and str(d.get("name", "")).casefold() == ctx.vars.get("secret", "").casefold() \
                and pid is not None and str(d.get("oid", "")).casefold() == pid.casefold():
            return CheckResult(True)
    return CheckResult(False, "the identity has not read the secret yet")


CHECKS: dict[str, Check] = {
    "keyvault_access": _kv_access,
    "secret": _secret,
    "secret_read": _secret_read,
}
