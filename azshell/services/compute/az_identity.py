"""What ``az vm`` and ``az vmss`` share about identities: the summary ``identity assign``/``show`` print and the
deprecation warning of the 2018 ``assign-identity``/``remove-identity`` commands."""

from __future__ import annotations

from typing import Any

__all__ = ["deprecated_identity_command", "identity_summary"]


def identity_summary(identity: Any) -> dict[str, Any]:
    """What ``az vm identity assign`` / ``az vmss identity assign`` print."""
    ident = identity if isinstance(identity, dict) else {}
    uais = ident.get("userAssignedIdentities") or {}
    return {"systemAssignedIdentity": ident.get("principalId") or "",
            "userAssignedIdentities": {k: {"clientId": (v or {}).get("clientId"),
                                           "principalId": (v or {}).get("principalId")}
                                       for k, v in uais.items()}}


def deprecated_identity_command(group: str, verb: str) -> str:
    """az's warning for ``az vm assign-identity`` and its siblings (``group`` vm/vmss, ``verb`` assign/remove)."""
    return (f"This command has been deprecated and will be removed in a future release. Use "
            f"'{group} identity {verb}' instead.")
