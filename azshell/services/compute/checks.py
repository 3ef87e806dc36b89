"""Compute's tutorial checks: ``vm`` (the VM exists), ``vm_identity`` (its managed identity is of ``type``),
``vm_extension`` (the MSI VM extension is, or is not, installed) and ``vmss_identity`` (the scale set ``{vmss}``
exists with a managed identity of ``type``)."""

from __future__ import annotations

from typing import Any

from azshell.model.types import VMSS_TYPE
from azshell.services.identity.checks import identity_matches
from azshell.tutorials.checks import Check, CheckContext, CheckResult

__all__ = ["CHECKS"]


def _vm(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    if ctx.resource(ctx.vm_id(p.get("rg"), p.get("vm"))) is None:
        return CheckResult(False, f"VM {p.get('vm') or ctx.vars.get('vm')} does not exist yet")
    return CheckResult(True)


def _vm_identity(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    uai = ctx.uai_id() if p.get("identity") else None
    return identity_matches(ctx.resource(ctx.vm_id(p.get("rg"), p.get("vm"))), str(p.get("type", "SystemAssigned")),
                            uai)


def _vm_extension(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    present = bool(p.get("present", True))
    name = str(p.get("name", "ManagedIdentityExtensionForWindows"))
    found = ctx.resource(f"{ctx.vm_id()}/extensions/{name}") is not None
    if found == present:
        return CheckResult(True)
    return CheckResult(False, f"extension {name} is {'not ' if not found else ''}installed")


def _vmss_identity(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    name = str(p.get("vmss") or ctx.vars.get("vmss", ""))
    rid = f"{ctx.rg_id(p.get('rg'))}/providers/{VMSS_TYPE}/{name}"
    res = ctx.resource(rid)
    if res is None:
        return CheckResult(False, f"scale set {name} does not exist yet")
    uai = ctx.uai_id() if p.get("identity") else None
    return identity_matches(res, str(p.get("type", "SystemAssigned")), uai)


CHECKS: dict[str, Check] = {
    "vmss_identity": _vmss_identity,
    "vm": _vm,
    "vm_identity": _vm_identity,
    "vm_extension": _vm_extension,
}
