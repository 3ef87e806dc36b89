"""The access graph: who (identities) can reach what (scopes), and through which grant.

``build_graph`` asks the planes, as any client would, with the caller's token (a :class:`GraphSource`): ARM for
the subscription's resources, user-assigned identities, role assignments and role definitions, Microsoft Graph
for the names of users, groups and service principals, and each service's own ``graph`` hook (declared in its
``Service``, see ``azshell.services.base``) for the grants only it knows: Key Vault access policies (the vault's
ARM properties), Data Lake ACL entries (WebHDFS ``GETACLSTATUS``). Nothing here reads the state file.

::

    source = HttpGraphSource(http, token_for, subscription_id)
    graph = build_graph(source, registry.graph_hooks(), scope="/subscriptions/s/resourceGroups/DevTest")
    graph = explain(graph, decision)        # a denied request's principal and scope, highlighted
    render_text(graph)   # azshell.controls.graph_text      render_svg(graph)   # azshell.controls.graph_svg

Nodes are identities (``kind``: ``vm``, ``app``, ``uai``, ``user``, ``group``, ``sp``, ``unknown``) and scopes
(``subscription``, ``resourceGroup``, ``resource``, ``path``); node ids are object ids and resource ids (a Data
Lake path is ``{account id}{path}``, as the Data Lake plane names it in its decisions). Edges go from an identity
to a scope: ``role`` (a role assignment; the role on the edge), ``access_policy`` (a Key Vault access-policy entry;
its permissions on the edge), ``acl`` (a Data Lake ACL entry; its rwx on the edge); ``member`` links a group to its
members and ``contains`` a scope to the scopes below it. An edge is ``inherited`` when the grant sits above the
graph's focus scope and reaches it from there (RBAC is inherited down the scope tree).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from azshell.hostnames import ARM_ENDPOINT, ARM_RESOURCE, GRAPH_RESOURCE, GRAPH_V1_ENDPOINT
from azshell.ids import InvalidResourceIdError, parse_resource_id, scope_kind

__all__ = [
    "API_AUTHORIZATION",
    "AccessGraph",
    "Edge",
    "GraphContext",
    "GraphFetchError",
    "GraphHook",
    "GraphPart",
    "GraphSource",
    "HttpGraphSource",
    "Node",
    "build_graph",
    "explain",
    "parent_scope",
    "scope_covers",
    "scope_node",
]

API_RESOURCES = "2021-04-01"
API_AUTHORIZATION = "2022-04-01"
API_MANAGED_IDENTITY = "2023-01-31"
UAI_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities"
#: resource types whose system-assigned identity is shown as that kind of identity node
_HOST_KINDS = {"microsoft.compute/virtualmachines": "vm", "microsoft.compute/virtualmachinescalesets": "vm",
               "microsoft.web/sites": "app"}
IDENTITY_KINDS = frozenset({"vm", "app", "uai", "user", "group", "sp", "unknown"})
SCOPE_KINDS = frozenset({"subscription", "resourceGroup", "resource", "path"})
EDGE_KINDS = ("role", "access_policy", "acl", "member", "contains", "denied")
#: how many groups' members the graph asks Graph for (each is one request)
MAX_GROUPS = 50
#: how many scopes right below the focus are drawn even when nothing is granted on them
MAX_CHILD_SCOPES = 40


# ============================================================================================== the data
@dataclass(frozen=True)
class Node:
    """An identity or a scope. ``detail``: a second line (the object id, the resource type)."""

    id: str
    label: str
    kind: str
    detail: str = ""
    #: a scope's parent scope id ("" for the subscription); a managed identity's resource (its VM, app or
    #: user-assigned identity resource); "" for users and groups
    parent: str = ""
    highlight: bool = False

    @property
    def is_identity(self) -> bool:
        return self.kind in IDENTITY_KINDS


@dataclass(frozen=True)
class Edge:
    """A grant from an identity to a scope (or ``member``/``contains`` structure). ``via``: for an inherited edge,
    the scope the grant is made at."""

    source: str
    target: str
    kind: str
    label: str = ""
    inherited: bool = False
    via: str = ""
    highlight: bool = False


@dataclass(frozen=True)
class AccessGraph:
    """Identities, scopes and the grants between them, seen from ``scope``; ``notes`` say what could not be read;
    ``denied`` is the explained request (``explain``), if any: (principal, action, scope, reason)."""

    scope: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    notes: tuple[str, ...] = ()
    denied: tuple[str, str, str, str] | None = None

    def node(self, node_id: str) -> Node | None:
        key = node_id.casefold()
        return next((n for n in self.nodes if n.id.casefold() == key), None)

    @property
    def identities(self) -> list[Node]:
        return [n for n in self.nodes if n.is_identity]

    @property
    def scopes(self) -> list[Node]:
        return [n for n in self.nodes if not n.is_identity]

    def grants(self) -> list[Edge]:
        """The edges that grant access (role, access policy, ACL)."""
        return [e for e in self.edges if e.kind in ("role", "access_policy", "acl")]


@dataclass
class GraphPart:
    """What one service's hook adds: grant edges, extra scope nodes (Data Lake paths), notes."""

    edges: list[Edge] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ============================================================================================ the source
class GraphFetchError(Exception):
    """A plane refused a read the graph needs; ``response`` is its answer (a cmdlet renders it as Az does)."""

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(f"{response.request.method} {response.request.url}: {response.status_code}")
        self.response = response


class GraphSource(Protocol):
    """How the graph reads Azure: HTTP calls to the planes with the caller's bearer token."""

    subscription_id: str

    def arm_list(self, path: str, api_version: str) -> list[dict[str, Any]]:
        """A list call (``value`` pages followed); raises :class:`GraphFetchError` on a 4xx/5xx."""
        ...

    def arm_get(self, path: str, api_version: str) -> httpx.Response:
        """One ARM GET, whatever its status."""
        ...

    def request(self, method: str, url: str, resource: str, *, body: Any = None) -> httpx.Response:
        """One data-plane call with a token for ``resource``, whatever its status."""
        ...


class HttpGraphSource:
    """A :class:`GraphSource` over an httpx client (the in-process one) and a token getter."""

    def __init__(self, http: httpx.Client, token_for: Callable[[str], str], subscription_id: str) -> None:
        self.http = http
        self.token_for = token_for
        self.subscription_id = subscription_id

    def request(self, method: str, url: str, resource: str, *, body: Any = None,
                params: dict[str, str] | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token_for(resource)}", "Accept": "application/json"}
        return self.http.request(method, url, headers=headers, json=body, params=params)

    def arm_get(self, path: str, api_version: str) -> httpx.Response:
        url = path if path.startswith("https://") else ARM_ENDPOINT + quote(path, safe="/")
        return self.request("GET", url, ARM_RESOURCE, params=None if "api-version=" in url
                            else {"api-version": api_version})

    def arm_list(self, path: str, api_version: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        resp = self.arm_get(path, api_version)
        for _ in range(100):
            if resp.status_code >= 400:
                raise GraphFetchError(resp)
            data = resp.json() if resp.content else {}
            out.extend(v for v in data.get("value", []) if isinstance(v, dict))
            nxt = data.get("nextLink")
            if not nxt:
                break
            resp = self.arm_get(str(nxt), api_version)
        return out


# ============================================================================================ the hooks
@dataclass
class GraphContext:
    """What a service's graph hook is given: the source, the focus scope and the resources under it (as ARM's
    ``GET /subscriptions/{s}/resources`` lists them)."""

    source: GraphSource
    scope: str
    resources: list[dict[str, Any]]

    @property
    def subscription_id(self) -> str:
        return self.source.subscription_id

    def in_focus(self, scope: str) -> bool:
        """``scope`` is the focus scope or below it."""
        return scope_covers(self.scope, scope)

    def resources_of_type(self, rtype: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if str(r.get("type", "")).casefold() == rtype.casefold()]


GraphHook = Callable[[GraphContext], GraphPart]


# =========================================================================================== scope helpers
def _norm(scope: str) -> str:
    return scope.rstrip("/").casefold()


def scope_covers(outer: str, inner: str) -> bool:
    """``inner`` is ``outer`` or below it (a Data Lake path id is below its account)."""
    a, b = _norm(outer), _norm(inner)
    return a == "" or a == b or b.startswith(a + "/")


def parent_scope(scope: str) -> str:
    """The scope right above an ARM scope ("" above a subscription)."""
    kind = scope_kind(scope)
    parts = [p for p in scope.split("/") if p]
    if kind == "resourceGroup":
        return "/" + "/".join(parts[:2])
    if kind == "resource":
        try:
            parsed = parse_resource_id(scope)
        except InvalidResourceIdError:
            return ""
        parent = parsed["parent"]
        if parent:
            return str(parent)
        rg = parsed["resource_group"]
        return f"/subscriptions/{parsed['subscription']}/resourceGroups/{rg}" if rg else \
            f"/subscriptions/{parsed['subscription']}"
    return ""


def scope_node(scope: str) -> Node:
    kind = scope_kind(scope)
    parts = [p for p in scope.split("/") if p]
    if kind == "subscription":
        return Node(scope, f"subscription {parts[1][:8]}…", "subscription", parts[1])
    if kind == "resourceGroup":
        return Node(scope, parts[3], "resourceGroup", "resource group", parent_scope(scope))
    if kind == "resource":
        try:
            parsed = parse_resource_id(scope)
            rtype = parsed["type"]
            return Node(scope, str(parsed["name"]), "resource", rtype, parent_scope(scope))
        except InvalidResourceIdError:
            pass
    return Node(scope, scope, "resource", "")


# =============================================================================================== building
@dataclass
class _Builder:
    source: GraphSource
    scope: str
    object_id: str = ""
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, node: Node) -> None:
        key = node.id.casefold()
        if key not in self.nodes:
            self.nodes[key] = node

    def add_scope_chain(self, scope: str) -> None:
        """``scope`` and every scope between it and the focus (so the picture shows where it sits)."""
        current = scope
        while current and scope_covers(self.scope, current):
            if current.casefold() not in self.nodes:
                self.add(scope_node(current))
            node = self.nodes[current.casefold()]
            if _norm(current) == _norm(self.scope):
                break
            current = node.parent or parent_scope(current)


def _identities(ctx: GraphContext, builder: _Builder) -> dict[str, Node]:
    """Identity nodes by object id (lower-case), from what ARM lists: hosts' system identities and user-assigned
    identities (and the hosts a user-assigned identity is attached to)."""
    found: dict[str, Node] = {}
    for res in ctx.resources:
        ident = res.get("identity")
        if not isinstance(ident, dict):
            continue
        rtype = str(res.get("type", ""))
        kind = _HOST_KINDS.get(rtype.casefold(), "sp")
        pid = str(ident.get("principalId") or "")
        if pid:
            word = {"vm": "VM", "app": "app"}.get(kind, rtype.rsplit("/", 1)[-1])
            found[pid.casefold()] = Node(pid, f"{res.get('name')} ({word}, system-assigned)", kind, pid,
                                         str(res.get("id", "")))
    try:
        uais = ctx.source.arm_list(f"/subscriptions/{ctx.subscription_id}/providers/{UAI_TYPE}",
                                   API_MANAGED_IDENTITY)
    except GraphFetchError as e:
        builder.notes.append(f"User-assigned identities could not be listed ({e.response.status_code}).")
        uais = []
    for uai in uais:
        props = uai.get("properties") or {}
        pid = str(props.get("principalId") or "")
        if pid:
            found[pid.casefold()] = Node(pid, f"{uai.get('name')} (user-assigned)", "uai", pid, str(uai.get("id", "")))
    return found


def _directory_names(source: GraphSource, ids: Sequence[str], builder: _Builder) -> dict[str, Node]:
    """Users, groups and service principals by object id, from Microsoft Graph's ``getByIds``."""
    if not ids:
        return {}
    try:
        resp = source.request("POST", f"{GRAPH_V1_ENDPOINT}/directoryObjects/getByIds", GRAPH_RESOURCE,
                              body={"ids": list(ids), "types": ["user", "group", "servicePrincipal"]})
    except Exception as e:  # a token the caller cannot get for Graph (a host without Graph rights): ids only
        builder.notes.append(f"Names from Microsoft Graph are not available ({e}).")
        return {}
    if resp.status_code >= 400:
        builder.notes.append(f"Microsoft Graph refused to name the principals ({resp.status_code}); their object "
                             "ids are shown.")
        return {}
    out: dict[str, Node] = {}
    for obj in (resp.json() or {}).get("value", []):
        oid = str(obj.get("id", ""))
        otype = str(obj.get("@odata.type", "")).rsplit(".", 1)[-1]
        name = str(obj.get("displayName") or oid)
        if otype == "user":
            upn = str(obj.get("userPrincipalName") or "")
            out[oid.casefold()] = Node(oid, f"{upn or name} (user)", "user", oid)
        elif otype == "group":
            out[oid.casefold()] = Node(oid, f"{name} (group)", "group", oid)
        else:
            out[oid.casefold()] = Node(oid, f"{name} (service principal)", "sp", oid)
    return out


def _group_members(source: GraphSource, group_id: str) -> list[str]:
    try:
        resp = source.request("GET", f"{GRAPH_V1_ENDPOINT}/groups/{group_id}/members", GRAPH_RESOURCE)
    except Exception:  # see _directory_names
        return []
    if resp.status_code >= 400:
        return []
    return [str(m.get("id")) for m in (resp.json() or {}).get("value", []) if m.get("id")]


def build_graph(source: GraphSource, hooks: Iterable[GraphHook], *, scope: str = "",
                object_id: str = "", include: Sequence[str] = ()) -> AccessGraph:
    """The access graph of ``scope`` (default: the subscription), optionally only for ``object_id`` (and the
    groups it belongs to); ``include``: principals to show (named) even where they hold nothing. Raises :class:`GraphFetchError` when ARM refuses what the graph cannot do without (the
    resources or the role assignments of the scope); a service that cannot be read is a note instead."""
    sub = source.subscription_id
    focus = (scope or f"/subscriptions/{sub}").rstrip("/")
    builder = _Builder(source, focus, object_id)
    kind = scope_kind(focus)
    if kind == "subscription":
        listed = source.arm_list(f"{focus}/resources", API_RESOURCES)
    elif kind == "resourceGroup":
        listed = source.arm_list(f"{focus}/resources", API_RESOURCES)
    else:
        listed = source.arm_list(f"/subscriptions/{sub}/resources", API_RESOURCES)
        listed = [r for r in listed if scope_covers(focus, str(r.get("id", "")))]
    resources = [r for r in listed if isinstance(r, dict)]
    # identities live anywhere in the subscription (a VM in another group may hold a role here)
    everywhere = resources if kind == "subscription" else _all_resources(source, sub, builder)
    ctx = GraphContext(source, focus, resources)
    known = _identities(GraphContext(source, focus, everywhere), builder)
    builder.add_scope_chain(focus)
    # the scopes right below the focus (a subscription's groups, a group's resources) show where access reaches
    if kind in ("subscription", "resourceGroup") and not object_id:
        below = {str(r.get("id", "")) for r in resources}
        if kind == "subscription":
            try:
                below = {str(g.get("id", "")) for g in source.arm_list(f"{focus}/resourcegroups", API_RESOURCES)}
            except GraphFetchError:  # groups the caller may not list: those its resources are in
                below = {parent_scope(rid) for rid in below if scope_kind(parent_scope(rid)) == "resourceGroup"}
        for rid in sorted(below)[:MAX_CHILD_SCOPES]:
            builder.add_scope_chain(rid)
    parts = [hook(ctx) for hook in hooks]
    grants = [e for p in parts for e in p.edges]
    for p in parts:
        builder.notes.extend(p.notes)
        for n in p.nodes:
            builder.add(n)
    principals = {e.source.casefold(): e.source for e in grants}
    principals.update({x.casefold(): x for x in include if x})
    names = _directory_names(source, [p for k, p in principals.items() if k not in known], builder)
    known.update(names)
    # group membership: a member reaches what its groups reach
    groups = [n for n in known.values() if n.kind == "group" and n.id.casefold() in principals][:MAX_GROUPS]
    members: dict[str, list[str]] = {g.id.casefold(): _group_members(source, g.id) for g in groups}
    missing = sorted({m.casefold(): m for ms in members.values() for m in ms if m.casefold() not in known}.values())
    known.update(_directory_names(source, missing, builder) if missing else {})
    wanted = _principals_of_interest(object_id, members)
    for e in grants:
        if wanted is not None and e.source.casefold() not in wanted:
            continue
        builder.add(known.get(e.source.casefold()) or Node(e.source, f"{e.source} (unknown)", "unknown", e.source))
        target = e.target if scope_covers(focus, e.target) else focus
        builder.add_scope_chain(target)
        builder.edges.append(e if target == e.target else replace(e, target=target, inherited=True, via=e.target))
    for extra in include:
        if extra and extra.casefold() in known:
            builder.add(known[extra.casefold()])
    for gid, ms in members.items():
        if gid not in builder.nodes:
            continue
        for m in ms:
            if wanted is not None and m.casefold() not in wanted:
                continue
            builder.add(known.get(m.casefold()) or Node(m, f"{m} (unknown)", "unknown", m))
            builder.edges.append(Edge(m, builder.nodes[gid].id, "member", "member of"))
    # structure: each scope to the scopes right below it that are shown
    for node in list(builder.nodes.values()):
        if not node.is_identity and node.parent and node.parent.casefold() in builder.nodes \
                and _norm(node.id) != _norm(focus):
            builder.edges.append(Edge(builder.nodes[node.parent.casefold()].id, node.id, "contains"))
    return AccessGraph(focus, tuple(builder.nodes.values()), tuple(_dedupe(builder.edges)),
                       tuple(dict.fromkeys(builder.notes)))


def _all_resources(source: GraphSource, sub: str, builder: _Builder) -> list[dict[str, Any]]:
    try:
        return source.arm_list(f"/subscriptions/{sub}/resources", API_RESOURCES)
    except GraphFetchError as e:
        builder.notes.append(f"The subscription's resources could not be listed ({e.response.status_code}): "
                             "identities of hosts outside this scope are shown by object id.")
        return []


def _principals_of_interest(object_id: str, members: dict[str, list[str]]) -> set[str] | None:
    """None (everyone), or ``object_id`` and the groups it is a member of."""
    if not object_id:
        return None
    oid = object_id.casefold()
    return {oid} | {g for g, ms in members.items() if oid in (m.casefold() for m in ms)}


def _dedupe(edges: list[Edge]) -> list[Edge]:
    seen: dict[tuple[str, str, str, str, bool], Edge] = {}
    for e in edges:
        seen.setdefault((e.source.casefold(), e.target.casefold(), e.kind, e.label, e.inherited), e)
    return list(seen.values())


# =============================================================================================== explain
def explain(graph: AccessGraph, decision: Any) -> AccessGraph:
    """``graph`` with a denied request highlighted: its principal and scope nodes (added when the graph does not
    show them), the grants of that principal the decision considered, and a ``denied`` edge between the two.
    ``decision`` is an :class:`azshell.auth.decision.AccessDecision` (the plane's, attached to the answer)."""
    principal = str(getattr(decision, "principal", "") or "")
    scope = str(getattr(decision, "scope", "") or "")
    # a Data Lake denial names the path whose ACL said no (a parent folder when creating): that is the scope
    getter = getattr(decision, "get", None)
    denied_path = str(getter("denied_path") or "") if callable(getter) else ""
    asked = str(getter("path") or "") if callable(getter) else ""
    if denied_path and asked and scope.endswith(asked if asked != "/" else ""):
        store = scope[: len(scope) - len(asked)] if asked != "/" else scope
        scope = store + (denied_path if denied_path != "/" else "")
    action = str(getattr(decision, "action", "") or "")
    reason = str(getattr(decision, "reason", "") or "")
    nodes = {n.id.casefold(): n for n in graph.nodes}
    edges = list(graph.edges)
    if principal and principal.casefold() not in nodes:
        name = str(getattr(decision, "principal_name", "") or principal)
        nodes[principal.casefold()] = Node(principal, name, "unknown", principal)
    target = scope
    if scope and scope.casefold() not in nodes:
        # the Data Lake plane names a path as {account id}{path}; an ARM scope gets its own node
        account = next((n for n in nodes.values() if n.kind == "resource" and scope_covers(n.id, scope)
                        and _norm(n.id) != _norm(scope)), None)
        if account is not None and scope_kind(scope) != "resource":
            nodes[scope.casefold()] = Node(scope, scope[len(account.id):] or "/", "path", "path", account.id)
            edges.append(Edge(account.id, scope, "contains"))
        else:
            node = scope_node(scope)
            nodes[scope.casefold()] = node
            if node.parent and node.parent.casefold() in nodes:
                edges.append(Edge(nodes[node.parent.casefold()].id, scope, "contains"))
    for key in (principal.casefold(), scope.casefold()):
        if key in nodes:
            nodes[key] = replace(nodes[key], highlight=True)
    considered = {(str(getattr(e, "role", "")).casefold(), _norm(str(getattr(e, "scope", ""))))
                  for e in getattr(decision, "considered", ()) or ()}
    model = str(getattr(decision, "model", "") or "")
    kind = {"rbac": "role", "access_policy": "access_policy", "acl": "acl"}.get(model)

    def considered_by_decision(e: Edge) -> bool:
        """The grant is one the plane looked at: an assignment it lists, an entry on the scope it checked."""
        if kind is None:
            return True
        if e.kind != kind:
            return False
        if kind == "role":
            return (e.label.casefold(), _norm(e.via or e.target)) in considered
        return _norm(e.target) == _norm(scope)

    out: list[Edge] = []
    for e in edges:
        if principal and e.source.casefold() == principal.casefold() and e.kind in ("role", "access_policy", "acl"):
            out.append(replace(e, highlight=considered_by_decision(e)))
        else:
            out.append(e)
    if principal and target:
        out.append(Edge(principal, target, "denied", f"denied: {action}" if action else "denied", highlight=True))
    return replace(graph, nodes=tuple(nodes.values()), edges=tuple(out),
                   denied=(principal, action, scope, reason))
