"""Data Lake's part of the access graph: named ACL entries (``Show-AzAccessGraph``).

Read as the portal's Data Explorer → Access reads them: WebHDFS ``LISTSTATUS`` walks each store's folders from
``/`` (breadth first, at most ``MAX_PATHS`` paths) and ``GETACLSTATUS`` gives each path's entries; every named
``user:{oid}:…``/``group:{oid}:…`` entry (access and default) is an ``acl`` edge to that path. Paths are nodes
named ``{account id}{path}``, as the Data Lake plane names them in its access decisions (``/`` is the account).
The base entries (``user::``, ``group::``, ``other::``, ``mask::``) name nobody and are not drawn.
"""

from __future__ import annotations

from urllib.parse import quote

from azshell.controls.graph import Edge, GraphContext, GraphPart, Node
from azshell.hostnames import DATA_LAKE_HOST_SUFFIX, DATA_LAKE_RESOURCE
from azshell.model.types import DATA_LAKE_STORE_TYPE

__all__ = ["MAX_PATHS", "edges"]

MAX_PATHS = 200
WEBHDFS_PREFIX = "/webhdfs/v1"


def _url(store: str, path: str, op: str) -> str:
    return f"https://{store.lower()}{DATA_LAKE_HOST_SUFFIX}{WEBHDFS_PREFIX}{quote(path, safe='/')}?op={op}"


def _label(entries: list[tuple[bool, str]]) -> str:
    """``rwx`` / ``r-x, default r-x`` for one principal's entries on one path."""
    return ", ".join(f"default {perm}" if default else perm for default, perm in sorted(entries))


def _add_path_nodes(part: GraphPart, account_id: str, store: str, path: str, is_file: bool) -> None:
    """A node for ``path`` and for each folder above it (so the picture shows where it sits)."""
    have = {n.id for n in part.nodes}
    while path not in ("", "/"):
        node_id = account_id + path
        if node_id in have:
            return
        parent = path.rsplit("/", 1)[0]
        part.nodes.append(Node(node_id, path.rsplit("/", 1)[-1] + ("" if is_file else "/"), "path",
                               f"{store}{path}", account_id + parent if parent else account_id))
        path, is_file = parent, False


def edges(ctx: GraphContext) -> GraphPart:
    part = GraphPart()
    for store in ctx.resources_of_type(DATA_LAKE_STORE_TYPE):
        account_id, name = str(store.get("id", "")), str(store.get("name", ""))
        pending, seen = ["/"], 0
        while pending and seen < MAX_PATHS:
            path = pending.pop(0)
            seen += 1
            resp = ctx.source.request("GET", _url(name, path, "LISTSTATUS"), DATA_LAKE_RESOURCE)
            if resp.status_code >= 400:
                part.notes.append(f"Data Lake {name}: {path} could not be listed ({resp.status_code}).")
                continue
            statuses = ((resp.json() or {}).get("FileStatuses") or {}).get("FileStatus") or []
            is_file = len(statuses) == 1 and statuses[0].get("pathSuffix") == "" and statuses[0].get("type") == "FILE"
            if not is_file:
                for st in statuses:
                    child = path.rstrip("/") + "/" + str(st.get("pathSuffix"))
                    pending.append(child)
            acl = ctx.source.request("GET", _url(name, path, "GETACLSTATUS"), DATA_LAKE_RESOURCE)
            if acl.status_code >= 400:
                part.notes.append(f"Data Lake {name}: the ACL of {path} could not be read ({acl.status_code}).")
                continue
            named: dict[str, list[tuple[bool, str]]] = {}
            for spec in ((acl.json() or {}).get("AclStatus") or {}).get("entries") or []:
                fields = str(spec).split(":")
                default = fields[0] == "default"
                fields = fields[1:] if default else fields
                if len(fields) != 3 or fields[0] not in ("user", "group") or not fields[1] or fields[2] == "---":
                    continue
                named.setdefault(fields[1], []).append((default, fields[2]))
            node_id = account_id if path == "/" else account_id + path
            if named and path != "/":
                _add_path_nodes(part, account_id, name, path, is_file)
            for oid, entries in named.items():
                part.edges.append(Edge(oid, node_id, "acl", _label(entries)))
        if pending:
            part.notes.append(f"Data Lake {name}: only the first {MAX_PATHS} paths were read.")
    return part
