"""App Service's tutorial checks: ``app_identity`` (the app's managed identity is of ``type``)."""

from __future__ import annotations

from typing import Any

from azshell.services.identity.checks import identity_matches
from azshell.tutorials.checks import Check, CheckContext, CheckResult

__all__ = ["CHECKS"]


def _app_identity(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    uai = ctx.uai_id() if p.get("identity") else None
    return identity_matches(ctx.resource(ctx.site_id(p.get("rg"), p.get("app"))),
                            str(p.get("type", "SystemAssigned")), uai)


CHECKS: dict[str, Check] = {
    "app_identity": _app_identity,
}
