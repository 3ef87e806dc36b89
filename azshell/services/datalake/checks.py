"""Data Lake's tutorial checks: ``datalake_item`` (a path exists in ``{store}``), ``datalake_acl`` (the identity
has at least ``perms`` on it) and ``datalake_op`` (the identity did a WebHDFS operation)."""

from __future__ import annotations

import re
from typing import Any

from azshell.services.datalake import model as dl
from azshell.tutorials.checks import Check, CheckContext, CheckResult

__all__ = ["CHECKS"]


def _store_id(ctx: CheckContext) -> str | None:
    res = ctx.resource(f"{ctx.rg_id()}/providers/Microsoft.DataLakeStore/accounts/{ctx.vars.get('store', '')}")
    return str(res.properties.get("accountId")) if res is not None else None


def _dl_item(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    sid = _store_id(ctx)
    path = str(p.get("path", "/"))
    if sid is None or dl.get_entry(ctx.world.store, sid, path) is None:
        return CheckResult(False, f"{path} does not exist in the store")
    return CheckResult(True)


def _dl_acl(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """The identity has at least ``perms`` (``r-x``/``rwx``) on ``path`` (and as a default entry if asked)."""
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


CHECKS: dict[str, Check] = {
    "datalake_item": _dl_item,
    "datalake_acl": _dl_acl,
    "datalake_op": _datalake_op,
}
