"""The access graph as a text tree (the REPL's and ``-c``'s rendering of ``Show-AzAccessGraph``).

::

    Access graph of resource group DevTest
    /subscriptions/…/resourceGroups/DevTest

    myVM (VM, system-assigned)  d2c1…
    ├─ role          Reader → resource group DevTest
    └─ access policy secrets: get, list → key vault mi-lab-vault
    admin@contoso.onmicrosoft.com (user)
    └─ role          Owner → resource group DevTest  (inherited from subscription 1f0e…)

    Scopes
    resource group DevTest
    ├─ mi-lab-vault (Microsoft.KeyVault/vaults)
    └─ myVM (Microsoft.Compute/virtualMachines)

A denied request (``-Explain``) comes first, and the identity, scope and grants it concerns are marked ``▶``.
"""

from __future__ import annotations

from azshell.controls.graph import AccessGraph, Edge, Node, scope_node

__all__ = ["KIND_WORDS", "render_text", "scope_words"]

KIND_WORDS = {"role": "role", "access_policy": "access policy", "acl": "ACL", "member": "member of",
              "denied": "DENIED"}
_TYPE_WORDS = {"microsoft.keyvault/vaults": "key vault", "microsoft.datalakestore/accounts": "Data Lake store",
               "microsoft.compute/virtualmachines": "VM", "microsoft.web/sites": "app",
               "microsoft.managedidentity/userassignedidentities": "identity",
               "microsoft.storage/storageaccounts": "storage account"}


def scope_words(node: Node | None, scope_id: str = "") -> str:
    """``resource group DevTest`` / ``key vault mi-lab-vault`` / ``Data Lake path mystore/TestFolder``."""
    if node is None:
        if not scope_id:
            return ""
        node = scope_node(scope_id)
    if node.kind == "subscription":
        return node.label
    if node.kind == "resourceGroup":
        return f"resource group {node.label}"
    if node.kind == "path":
        return f"Data Lake path {node.detail}"
    word = _TYPE_WORDS.get(node.detail.casefold())
    return f"{word} {node.label}" if word else f"{node.label} ({node.detail})" if node.detail else node.label


def _short_id(oid: str) -> str:
    return oid[:8] + "…" if len(oid) > 12 else oid


def _edge_line(graph: AccessGraph, e: Edge) -> str:
    target = scope_words(graph.node(e.target), e.target) if e.kind != "member" else \
        (graph.node(e.target).label if graph.node(e.target) else e.target)  # type: ignore[union-attr]
    kind = KIND_WORDS.get(e.kind, e.kind)
    text = f"{kind:<13} {e.label} → {target}" if e.kind != "member" else f"{kind:<13} {target}"
    if e.inherited:
        text += f"  (inherited from {scope_words(graph.node(e.via), e.via)})"
    return text


def _scope_tree(graph: AccessGraph, node: Node, prefix: str, lines: list[str], children: dict[str, list[Node]],
                depth: int = 0) -> None:
    kids = children.get(node.id.casefold(), [])
    for i, kid in enumerate(kids):
        last = i == len(kids) - 1
        mark = "▶ " if kid.highlight else ""
        label = f"{kid.label} ({kid.detail})" if kid.kind == "resource" and kid.detail else kid.label
        lines.append(f"{prefix}{'└─' if last else '├─'} {mark}{label}")
        if depth < 20:
            _scope_tree(graph, kid, prefix + ("   " if last else "│  "), lines, children, depth + 1)


def render_text(graph: AccessGraph) -> str:
    """The graph as lines of text: the denied request (if any), each identity and its grants, the scope tree,
    and the notes."""
    focus = graph.node(graph.scope)
    lines = [f"Access graph of {scope_words(focus, graph.scope)}", graph.scope, ""]
    if graph.denied is not None:
        principal, action, scope, reason = graph.denied
        who = graph.node(principal)
        lines.append(f"✗ DENIED  {who.label if who else principal} → {scope_words(graph.node(scope), scope)}"
                     + (f": {action}" if action else ""))
        if reason:
            lines.append(f"  {reason}")
        lines.append("")
    by_source: dict[str, list[Edge]] = {}
    for e in graph.edges:
        if e.kind in ("role", "access_policy", "acl", "member"):
            by_source.setdefault(e.source.casefold(), []).append(e)
    identities = sorted(graph.identities, key=lambda n: (not n.highlight, n.kind, n.label.casefold()))
    if not identities:
        lines.append("No identity holds a role assignment, access policy or ACL entry here.")
    for node in identities:
        mark = "▶ " if node.highlight else ""
        detail = f"  {node.detail}" if node.detail and node.detail != node.label else ""
        lines.append(f"{mark}{node.label}{detail}")
        edges = sorted(by_source.get(node.id.casefold(), []), key=lambda e: (e.kind == "member", e.inherited))
        for i, e in enumerate(edges):
            branch = "└─" if i == len(edges) - 1 else "├─"
            lines.append(f"{branch} {'▶ ' if e.highlight else ''}{_edge_line(graph, e)}")
    children: dict[str, list[Node]] = {}
    for e in graph.edges:
        if e.kind == "contains":
            kid = graph.node(e.target)
            if kid is not None:
                children.setdefault(e.source.casefold(), []).append(kid)
    for kids in children.values():
        kids.sort(key=lambda n: (n.kind, n.label.casefold()))
    if focus is not None:
        lines.extend(["", "Scopes", f"{'▶ ' if focus.highlight else ''}{scope_words(focus, graph.scope)}"])
        _scope_tree(graph, focus, "", lines, children)
    if graph.notes:
        lines.append("")
        lines.extend(f"Note: {n}" for n in graph.notes)
    return "\n".join(lines)
