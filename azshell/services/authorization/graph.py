"""Authorization's part of the access graph: role assignments (``Show-AzAccessGraph``).

Read as Az reads them: ``GET {scope}/providers/Microsoft.Authorization/roleAssignments`` at the graph's focus scope
(ARM answers the assignments at, above and below it) and the role definitions listed there for the role
names.
An assignment above the focus scope is drawn to the focus scope, marked inherited, by ``build_graph``.
"""

from __future__ import annotations

from azshell.controls.graph import API_AUTHORIZATION, Edge, GraphContext, GraphFetchError, GraphPart

__all__ = ["edges"]


def edges(ctx: GraphContext) -> GraphPart:
    """One ``role`` edge per role assignment at, above or below the focus scope (the role's name on it)."""
    assignments = ctx.source.arm_list(f"{ctx.scope}/providers/Microsoft.Authorization/roleAssignments",
                                      API_AUTHORIZATION)
    part = GraphPart()
    names: dict[str, str] = {}
    try:  # at the focus scope: a principal that may read only there may list the definitions assignable there
        for d in ctx.source.arm_list(f"{ctx.scope}/providers/Microsoft.Authorization/roleDefinitions",
                                     API_AUTHORIZATION):
            names[str(d.get("name", "")).casefold()] = str((d.get("properties") or {}).get("roleName") or "")
    except GraphFetchError as e:
        part.notes.append(f"Role definitions could not be read ({e.response.status_code}): roles are shown by id.")
    for ra in assignments:
        props = ra.get("properties") or {}
        principal = str(props.get("principalId") or "")
        scope = str(props.get("scope") or "")
        if not principal or not scope:
            continue
        guid = str(props.get("roleDefinitionId") or "").rstrip("/").rsplit("/", 1)[-1]
        role = names.get(guid.casefold()) or guid
        part.edges.append(Edge(principal, scope, "role", role))
    return part
