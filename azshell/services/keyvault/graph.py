"""Key Vault's part of the access graph: access-policy entries (``Show-AzAccessGraph``).

Read as ``Get-AzKeyVault`` reads them: ``GET .../Microsoft.KeyVault/vaults/{v}`` through ARM, one edge per entry of
``properties.accessPolicies`` with its permissions on the edge. A vault with ``enableRbacAuthorization`` ignores
its access policies (its data-plane access comes from role assignments, which authorization's hook draws), so its
entries are left out with a note.
"""

from __future__ import annotations

from azshell.controls.graph import Edge, GraphContext, GraphPart
from azshell.model.types import KEY_VAULT_TYPE

__all__ = ["edges", "permissions_label"]

API_KEY_VAULT = "2023-07-01"
_KINDS = ("secrets", "keys", "certificates", "storage")


def permissions_label(permissions: dict[str, object]) -> str:
    """``secrets: get, list; keys: get`` (the kinds an entry grants anything on)."""
    parts = []
    for kind in _KINDS:
        granted = permissions.get(kind) or []
        if isinstance(granted, list) and granted:
            parts.append(f"{kind}: {', '.join(str(p) for p in granted)}")
    return "; ".join(parts) or "no permissions"


def edges(ctx: GraphContext) -> GraphPart:
    """One ``access_policy`` edge per access-policy entry of each vault under the focus scope."""
    part = GraphPart()
    for vault in ctx.resources_of_type(KEY_VAULT_TYPE):
        vid = str(vault.get("id", ""))
        resp = ctx.source.arm_get(vid, API_KEY_VAULT)
        if resp.status_code >= 400:
            part.notes.append(f"Key Vault {vault.get('name')}: its access policies could not be read "
                              f"({resp.status_code}).")
            continue
        props = (resp.json() or {}).get("properties") or {}
        if props.get("enableRbacAuthorization"):
            policies = props.get("accessPolicies") or []
            if policies:
                part.notes.append(f"Key Vault {vault.get('name')} uses Azure RBAC: its {len(policies)} access "
                                  "policy entries are ignored.")
            continue
        for entry in props.get("accessPolicies") or []:
            oid = str(entry.get("objectId") or "")
            if oid:
                part.edges.append(Edge(oid, vid, "access_policy", permissions_label(entry.get("permissions") or {})))
    return part
