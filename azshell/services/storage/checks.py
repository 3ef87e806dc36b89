"""Storage's tutorial checks and mistake matchers.

Checks: ``storage_container`` (``{container}`` exists in ``{storage}``), ``storage_blob`` (``blob`` exists in it,
optionally written by the identity's host), ``storage_role`` (the identity holds one of ``roles`` at a scope that
covers the account), ``host_file`` (``path`` exists on the VM's disk).

Matchers read the plane's decision and answer, never a scope comparison of their own: ``storage_refused`` (the
command's last request to Storage was refused, optionally with ``code``).
"""

from __future__ import annotations

import re
from typing import Any

from azshell.model import hosts as host_store
from azshell.services.storage import model
from azshell.tutorials.checks import Check, CheckContext, CheckResult, Matcher, covers

__all__ = ["CHECKS", "MATCHERS"]


def _account(ctx: CheckContext, p: dict[str, Any]) -> str:
    return str(p.get("account") or ctx.vars.get("storage", ""))


def _container(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    account, name = _account(ctx, p), str(p.get("container") or ctx.vars.get("container", ""))
    if model.get_container(ctx.world.store, account, name) is None:
        return CheckResult(False, f"container {name} does not exist in {account} yet")
    return CheckResult(True)


def _blob(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    account = _account(ctx, p)
    container = str(p.get("container") or ctx.vars.get("container", ""))
    name = str(p.get("blob") or ctx.vars.get("blob", ""))
    blob = model.get_blob(ctx.world.store, account, container, name)
    if blob is None:
        return CheckResult(False, f"blob {name} does not exist in {account}/{container} yet")
    return CheckResult(True)


def _storage_role(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """The identity holds one of ``roles`` (names) at the account or a scope above it."""
    pid = ctx.principal(str(p.get("principal", "vm")))
    if pid is None:
        return CheckResult(False, "the identity does not exist yet")
    wanted = {str(r).casefold() for r in p.get("roles") or []}
    scope = ctx.scope(str(p.get("scope", "storage")))
    held = []
    for ra in ctx.world.store.list_role_assignments_for([pid]):
        rd = ctx.world.store.get_role_definition(ra.role_definition_id)
        if rd is None or not covers(ra.scope, scope):
            continue
        if rd.role_name.casefold() in wanted:
            return CheckResult(True)
        held.append(rd.role_name)
    have = f" (it holds {', '.join(sorted(set(held)))} there)" if held else ""
    return CheckResult(False, f"no {' / '.join(p.get('roles') or [])} for {pid} covering {scope}{have}")


def _host_file(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """``path`` (a file name, matched at the end of the stored path, case-insensitively) is on the VM's disk."""
    name = str(p.get("path", "")).replace("/", "\\").casefold()
    for f in host_store.list_host_files(ctx.world.store, ctx.vm_id()):
        stored = f.path.replace("/", "\\").casefold()
        if stored == name or stored.endswith("\\" + name):
            return CheckResult(True)
    return CheckResult(False, f"{p.get('path')} is not on {ctx.vars.get('vm', 'the VM')}'s disk yet")


def _m_refused(ctx: CheckContext, p: dict[str, Any]) -> bool | CheckResult:
    """The command's last request to ``host`` (a regex; default the Blob hosts) whose path matches ``path`` was
    refused (status 400 or more; ``code``: also that error code in the command's output). curl and az print the
    error body as output, so this reads the request log, not the error text."""
    after = max(ctx.command_seq, ctx.since_seq)
    code = str(p.get("code") or "")
    host_re = re.compile(str(p.get("host") or r".*\.blob\.core\.windows\.net"), re.I)
    path_re = re.compile(str(p.get("path") or ".*"), re.I)
    for e in reversed(ctx.events("http.request")):
        if e.seq <= after:
            break
        d = e.data
        if not host_re.fullmatch(str(d.get("host", ""))) or not path_re.search(str(d.get("path", ""))):
            continue
        status = int(d.get("status", 0))
        if status < 400:
            return False
        if code and code.casefold() not in str(d.get("error_code") or "").casefold() \
                and not re.search(code, ctx.errors, re.I):
            return False
        decision = d.get("decision")
        reason = decision.get("reason") if isinstance(decision, dict) else ""
        return CheckResult(True, str(reason or ""))
    return False


CHECKS: dict[str, Check] = {
    "storage_container": _container,
    "storage_blob": _blob,
    "storage_role": _storage_role,
    "host_file": _host_file,
}
MATCHERS: dict[str, Matcher] = {
    "storage_refused": _m_refused,
}
