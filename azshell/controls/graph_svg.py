"""The access graph as SVG: ``render_svg(graph) -> str`` (Jupyter's ``image/svg+xml``, ``-OutFile``, the portal).

The layout is networkx's layered (multipartite) layout: identities in the first column, groups next, then the
scopes one column per level (subscription, resource groups, resources, Data Lake folders). Within a column the
nodes are ordered by the barycentre of their neighbours (a few sweeps, the usual crossing reduction of layered
drawing) and networkx places them; this module only maps its coordinates to pixels and draws. No system binary
(no Graphviz) is needed.

Edge kinds are drawn distinctly (colour and arrow head): role assignments blue, Key Vault access policies green,
Data Lake ACL entries purple, group membership grey dotted, scope containment light grey; inherited access is
dashed (and says where it comes from); a denied request (``-Explain``) is a thick red line, and its principal,
scope and the grants it considered are outlined in red.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

from azshell.controls.graph import AccessGraph, Edge, Node

__all__ = ["EDGE_STYLES", "render_svg"]

#: kind → (colour, dash pattern, width, legend text)
EDGE_STYLES: dict[str, tuple[str, str, float, str]] = {
    "role": ("#0078d4", "", 1.8, "role assignment"),
    "access_policy": ("#107c10", "", 1.8, "Key Vault access policy"),
    "acl": ("#8764b8", "", 1.8, "Data Lake ACL entry"),
    "member": ("#605e5c", "2 3", 1.2, "group member"),
    "contains": ("#c8c6c4", "", 1.0, "contains"),
    "denied": ("#d13438", "8 4", 3.0, "denied request"),
}
INHERITED_DASH = "6 4"
_NODE_FILL = {"vm": "#deecf9", "app": "#dff6dd", "uai": "#fff4ce", "user": "#f3f2f1", "group": "#fde7e9",
              "sp": "#eeeeee", "unknown": "#ffffff", "subscription": "#ffffff", "resourceGroup": "#ffffff",
              "resource": "#ffffff", "path": "#faf9f8"}
_KIND_TAG = {"vm": "VM identity", "app": "app identity", "uai": "user-assigned identity", "user": "user",
             "group": "group", "sp": "service principal", "unknown": "unknown principal",
             "subscription": "subscription", "resourceGroup": "resource group", "resource": "resource",
             "path": "Data Lake path"}
FONT = "Segoe UI, Helvetica, Arial, sans-serif"
CHAR_W = 6.8  # px per character at 12px, for box widths
NODE_H = 38
ROW_GAP = 26
COL_GAP = 70
MARGIN = 24
SWEEPS = 12


@dataclass
class _Layout:
    """Where everything goes: pixel centres of nodes, label slots and bend points; widths; the canvas size."""

    pos: dict[str, tuple[float, float]]
    width: dict[str, float]
    chains: list[list[str]]
    canvas_w: float
    canvas_h: float


def _layer_of(graph: AccessGraph) -> tuple[dict[str, int], int]:
    """Each node's column (identities 0, groups with members 1, scopes after the label column, by depth) and
    the label column (where each grant's label gets a slot of its own)."""
    ids = {n.id.casefold(): n for n in graph.nodes}
    has_members = {e.target.casefold() for e in graph.edges if e.kind == "member"}
    depth: dict[str, int] = {}

    def scope_depth(node: Node, guard: int = 0) -> int:
        key = node.id.casefold()
        if key in depth:
            return depth[key]
        parent = ids.get(node.parent.casefold()) if node.parent else None
        d = scope_depth(parent, guard + 1) + 1 if parent is not None and guard < 50 else 0
        depth[key] = d
        return d

    label_col = 2 if has_members else 1
    layers: dict[str, int] = {}
    for n in graph.nodes:
        key = n.id.casefold()
        layers[key] = (1 if key in has_members else 0) if n.is_identity else label_col + 1 + scope_depth(n)
    if any(not n.is_identity for n in graph.nodes):  # no empty scope columns (a focus deep in the tree)
        first = min(v for k, v in layers.items() if not ids[k].is_identity)
        for k in layers:
            if not ids[k].is_identity:
                layers[k] -= first - (label_col + 1)
    return layers, label_col


def _chains(graph: AccessGraph, layers: dict[str, int], label_col: int) -> tuple[list[list[str]], dict[str, int]]:
    """For each edge (in ``graph.edges`` order) the keys it runs through: its source, a bend point in every
    column it crosses (a grant's label slot in the label column), its target. Returns them and every key's column.
    """
    columns = dict(layers)
    chains: list[list[str]] = []
    for i, e in enumerate(graph.edges):
        a, b = e.source.casefold(), e.target.casefold()
        if a not in layers or b not in layers:
            chains.append([])
            continue
        la, lb = layers[a], layers[b]
        chain = [a]
        step = 1 if lb >= la else -1
        for col in range(la + step, lb, step):
            key = f"\x00{i}:{'label' if col == label_col and e.label and e.kind != 'member' else col}"
            columns[key] = col
            chain.append(key)
        chain.append(b)
        chains.append(chain)
    return chains, columns


def _crossings(by_col: dict[int, list[str]], segments: list[tuple[str, str]], columns: dict[str, int]) -> int:
    """How many pairs of segments between neighbouring columns cross, for this order."""
    position = {k: i for c in by_col.values() for i, k in enumerate(c)}
    per_gap: dict[int, list[tuple[int, int]]] = {}
    for x, y in segments:
        cx, cy = columns[x], columns[y]
        if abs(cx - cy) != 1:
            continue
        if cx > cy:
            x, y, cx = y, x, cy
        per_gap.setdefault(cx, []).append((position[x], position[y]))
    total = 0
    for pairs in per_gap.values():
        for i, (a1, b1) in enumerate(pairs):
            for a2, b2 in pairs[i + 1:]:
                if (a1 - a2) * (b1 - b2) < 0:
                    total += 1
    return total


def _ordered(columns: dict[str, int], chains: list[list[str]], graph: AccessGraph) -> dict[int, list[str]]:
    """Keys per column, ordered to cross few edges: barycentre sweeps down and up the columns (the usual
    crossing reduction of layered drawing), keeping the order with the fewest crossings seen."""
    order = {n.id.casefold(): (n.kind, n.label.casefold()) for n in graph.nodes}
    by_col: dict[int, list[str]] = {}
    for key in sorted(columns, key=lambda k: order.get(k, ("~", k))):
        by_col.setdefault(columns[key], []).append(key)
    neighbours: dict[str, list[str]] = {}
    segments: list[tuple[str, str]] = []
    for chain in chains:
        for x, y in zip(chain, chain[1:], strict=False):
            neighbours.setdefault(x, []).append(y)
            neighbours.setdefault(y, []).append(x)
            segments.append((x, y))
    best = {c: list(keys) for c, keys in by_col.items()}
    fewest = _crossings(best, segments, columns)
    for sweep in range(SWEEPS):
        cols = sorted(by_col) if sweep % 2 == 0 else sorted(by_col, reverse=True)
        for col in cols:
            rank = {k: i / max(1, len(c) - 1) for c in by_col.values() for i, k in enumerate(c)}

            def centre(key: str, col: int = col, rank: dict[str, float] = rank) -> float:
                near = [rank[m] for m in neighbours.get(key, []) if columns.get(m) != col]
                return sum(near) / len(near) if near else rank[key]

            by_col[col] = sorted(by_col[col], key=lambda k: (centre(k), rank[k]))
        now = _crossings(by_col, segments, columns)
        if now < fewest:
            fewest, best = now, {c: list(keys) for c, keys in by_col.items()}
        if fewest == 0:
            break
    return best


def _layout(graph: AccessGraph) -> _Layout:
    """networkx's multipartite layout of the nodes, label slots and bend points, mapped to pixels."""
    import networkx as nx

    layers, label_col = _layer_of(graph)
    chains, columns = _chains(graph, layers, label_col)
    by_col = _ordered(columns, chains, graph)
    g: nx.Graph[str] = nx.Graph()
    for col, keys in by_col.items():
        g.add_nodes_from(keys, layer=col)
    g.add_edges_from((x, y) for chain in chains for x, y in zip(chain, chain[1:], strict=False))
    raw = nx.multipartite_layout(g, subset_key=by_col, align="vertical")
    width: dict[str, float] = {}
    for i, e in enumerate(graph.edges):
        key = f"\x00{i}:label"
        if key in columns:
            width[key] = len(_edge_text(e)) * 6.0 + 10
    for key in columns:
        if key not in width:
            width[key] = 0.0 if key.startswith("\x00") else _box_width(graph, key)
    cols = sorted(by_col)
    col_w = {c: max([width[k] for k in by_col[c]] + [24.0]) for c in cols}
    col_x: dict[int, float] = {}
    acc = float(MARGIN)
    for c in cols:
        col_x[c] = acc + col_w[c] / 2
        acc += col_w[c] + COL_GAP
    canvas_w = acc - COL_GAP + MARGIN
    tallest = max(len(keys) for keys in by_col.values())
    height = tallest * (NODE_H + ROW_GAP) - ROW_GAP
    ys = [float(p[1]) for p in raw.values()]
    y0, y1 = min(ys), max(ys)
    pos: dict[str, tuple[float, float]] = {}
    for key, p in raw.items():
        y = MARGIN + NODE_H / 2 + ((float(p[1]) - y0) / (y1 - y0) * (height - NODE_H) if y1 > y0 else
                                   (height - NODE_H) / 2)
        pos[key] = (col_x[columns[key]], y)
    return _Layout(pos, width, chains, canvas_w, height + MARGIN * 2)


def _box_width(graph: AccessGraph, key: str) -> float:
    node = graph.node(key)
    if node is None:
        return 120.0
    longest = max(len(_first_line(node)), len(_second_line(node)) * 0.85)
    return max(110.0, min(340.0, longest * CHAR_W + 24))


def _edge_text(e: Edge) -> str:
    text = e.label if len(e.label) <= 48 else e.label[:47] + "…"
    return text + " (inherited)" if e.inherited else text


def _first_line(node: Node) -> str:
    text = node.label
    return text if len(text) <= 46 else text[:45] + "…"


def _second_line(node: Node) -> str:
    if node.kind == "resource" and node.detail:
        return node.detail
    if node.kind == "path":
        return f"Data Lake {node.detail}"
    tag = _KIND_TAG.get(node.kind, node.kind)
    if node.is_identity and node.parent:  # a managed identity: where its resource lives
        parts = node.parent.split("/")
        group = parts[4] if len(parts) > 4 and parts[3].casefold() == "resourcegroups" else ""
        return f"{tag} · {group} · {node.detail[:8]}…" if group else f"{tag} · {node.detail[:8]}…"
    if node.is_identity and node.detail and node.detail not in node.label:
        return f"{tag} · {node.detail[:8]}…"
    return tag


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def _edge_svg(e: Edge, chain: list[str], layout: _Layout) -> list[str]:
    """One edge: a smooth path from the source's side through its bend points (and label slot) to the target."""
    color, dash, width, _ = EDGE_STYLES.get(e.kind, EDGE_STYLES["role"])
    if e.inherited:
        dash = INHERITED_DASH
    if e.highlight and e.kind != "denied":
        width += 1.6
    points: list[tuple[float, float]] = []
    for i, key in enumerate(chain):
        x, y = layout.pos[key]
        w = layout.width.get(key, 0.0)
        forward = layout.pos[chain[-1]][0] >= layout.pos[chain[0]][0]
        if i == 0:
            points.append((x + (w / 2 if forward else -w / 2), y))
        elif i == len(chain) - 1:
            points.append((x - (w / 2 if forward else -w / 2), y))
        elif w:
            points.append((x - w / 2 if forward else x + w / 2, y))
            points.append((x + w / 2 if forward else x - w / 2, y))
        else:
            points.append((x, y))
    path = f"M{points[0][0]:.1f},{points[0][1]:.1f}"
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        bend = (x2 - x1) / 2
        path += f" C{x1 + bend:.1f},{y1:.1f} {x2 - bend:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
    classes = f"edge edge-{e.kind}" + (" inherited" if e.inherited else "") + (" highlight" if e.highlight else "")
    title = f"{e.label} ({EDGE_STYLES.get(e.kind, EDGE_STYLES['role'])[3]})" + \
        (f", inherited from {e.via}" if e.inherited else "")
    parts = [f'<g class="{classes}"><title>{_attr(title)}</title>'
             f'<path d="{path}" fill="none" stroke="{color}" stroke-width="{width:.1f}"'
             + (f' stroke-dasharray="{dash}"' if dash else "")
             + (f' marker-end="url(#arrow-{e.kind})"' if e.kind != "contains" else "") + "/>"]
    label = next((k for k in chain if k.endswith(":label")), None)
    if label is not None:
        lx, ly = layout.pos[label]
        parts.append(f'<text x="{lx:.1f}" y="{ly - 5:.1f}" text-anchor="middle" font-size="11" fill="{color}" '
                     f'stroke="#ffffff" stroke-width="3" paint-order="stroke">{_attr(_edge_text(e))}</text>')
    parts.append("</g>")
    return parts


def _node_svg(node: Node, x: float, y: float, w: float) -> list[str]:
    fill = _NODE_FILL.get(node.kind, "#ffffff")
    stroke, sw = ("#d13438", 3.0) if node.highlight else ("#8a8886", 1.0)
    rx = 14 if node.is_identity else 3
    classes = f"node node-{node.kind}" + (" highlight" if node.highlight else "")
    title = f"{node.label}\n{node.id}"
    left, top = x - w / 2, y - NODE_H / 2
    return [f'<g class="{classes}"><title>{_attr(title)}</title>',
            f'<rect x="{left:.1f}" y="{top:.1f}" width="{w:.1f}" height="{NODE_H}" rx="{rx}" fill="{fill}" '
            f'stroke="{stroke}" stroke-width="{sw}"/>',
            f'<text x="{x:.1f}" y="{top + 16:.1f}" text-anchor="middle" font-size="12" '
            f'font-weight="600" fill="#201f1e">{_attr(_first_line(node))}</text>',
            f'<text x="{x:.1f}" y="{top + 30:.1f}" text-anchor="middle" font-size="10" '
            f'fill="#605e5c">{_attr(_second_line(node))}</text>', "</g>"]


def _legend(graph: AccessGraph, top: float) -> tuple[list[str], float]:
    kinds = [k for k in EDGE_STYLES if any(e.kind == k for e in graph.edges)]
    inherited = any(e.inherited for e in graph.edges)
    items: list[tuple[str, str, float, str]] = [EDGE_STYLES[k][:3] + (EDGE_STYLES[k][3],) for k in kinds]
    if inherited:
        items.append(("#0078d4", INHERITED_DASH, 1.8, "inherited (granted above this scope)"))
    out = []
    x = MARGIN
    for color, dash, width, text in items:
        out.append(f'<line x1="{x}" y1="{top:.1f}" x2="{x + 34}" y2="{top:.1f}" stroke="{color}" '
                   f'stroke-width="{width}"' + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
        out.append(f'<text x="{x + 40}" y="{top + 4:.1f}" font-size="11" fill="#323130">{_attr(text)}</text>')
        x += 52 + int(len(text) * 6.2)
    return out, float(x)


def render_svg(graph: AccessGraph) -> str:
    """The graph as a standalone SVG document (UTF-8 text, no external references)."""
    if not graph.nodes:
        return ('<svg xmlns="http://www.w3.org/2000/svg" width="320" height="40" viewBox="0 0 320 40">'
                f'<text x="10" y="24" font-family="{FONT}" font-size="12">The access graph is empty.</text></svg>')
    layout = _layout(graph)
    width, height = layout.canvas_w, layout.canvas_h - MARGIN
    header: list[str] = []
    head_h = 0.0
    if graph.denied is not None:
        principal, action, scope, reason = graph.denied
        who = graph.node(principal)
        line = f"✗ Denied: {who.label if who else principal} → {scope.rsplit('/', 1)[-1] or scope}" + \
            (f" ({action})" if action else "")
        header.append(f'<text x="{MARGIN}" y="{MARGIN + 4}" font-size="13" font-weight="600" fill="#d13438">'
                      f'{_attr(line)}</text>')
        if reason:
            short = reason if len(reason) <= 160 else reason[:159] + "…"
            header.append(f'<text x="{MARGIN}" y="{MARGIN + 22}" font-size="11" fill="#323130">{_attr(short)}'
                          "</text>")
        head_h = 40.0
    body: list[str] = []
    drawn = sorted(zip(graph.edges, layout.chains, strict=True), key=lambda ec: (ec[0].kind != "contains",
                                                                                   ec[0].highlight))
    for e, chain in drawn:
        if chain:
            body.extend(_edge_svg(e, chain, layout))
    for n in graph.nodes:
        key = n.id.casefold()
        x, y = layout.pos[key]
        body.extend(_node_svg(n, x, y, layout.width[key]))
    legend, legend_w = _legend(graph, height + 6)
    total_w = math.ceil(max(width, legend_w + MARGIN, 320.0))
    total_h = math.ceil(height + 30 + head_h)
    markers = "".join(
        f'<marker id="arrow-{k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{c}"/></marker>'
        for k, (c, _, _, _) in EDGE_STYLES.items() if k != "contains")
    return "\n".join([
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{total_w}" height="{total_h}" '
        f'viewBox="0 0 {total_w} {total_h}" font-family="{FONT}" role="img">',
        f"<title>{_attr('Access graph of ' + graph.scope)}</title>",
        f"<defs>{markers}</defs>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        *header,
        f'<g transform="translate(0,{head_h:.0f})">',
        *body,
        *legend,
        "</g>",
        "</svg>",
    ])
