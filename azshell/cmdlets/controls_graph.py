"""``Show-AzAccessGraph``: who can reach what, as a picture (Jupyter, ``-OutFile``) or a text tree (REPL, ``-c``).

The graph is read through the planes with the current account's token (``azshell.controls.graph``): ARM's
resources, user-assigned identities and role assignments, Microsoft Graph's names, each service's own grants (Key
Vault access policies, Data Lake ACL entries). ``-Explain $error[0]`` highlights a denied request's principal and
scope from the access decision the plane attached to that error; nothing is re-derived here.
"""

from __future__ import annotations

from typing import Any

from azshell.auth.decision import AccessDecision
from azshell.cmdlets._base import AzCmdlet, decision_of
from azshell.controls.graph import AccessGraph, GraphFetchError, HttpGraphSource, build_graph, explain
from azshell.controls.graph_text import render_text, scope_words
from azshell.ids import scope_kind
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.formatting import ViewTable
from azshell.lang.values import PSObject

__all__ = ["ACCESS_GRAPH_TYPE", "COMMANDS", "ShowAzAccessGraph", "decision_from", "graph_object"]

ACCESS_GRAPH_TYPE = "Azshell.AccessGraph"
GRANT_TYPE = "Azshell.AccessGraphGrant"
NO_DECISION = ("The value given to -Explain carries no access decision: give the error record of a request that "
               "azshell's planes refused with 401 or 403, e.g. -Explain $error[0] right after the failure, or $_ in "
               "a catch block.")
TOKEN_REFUSED = ("That request was refused before any access check, so there is no principal to show: {reason} "
                 "(Test-AzAccess explains it.)")
BAD_SCOPE = ("'{scope}' is not a scope the access graph can show: give a subscription "
             "(/subscriptions/{{id}}), a resource group (/subscriptions/{{id}}/resourceGroups/{{name}}) or a "
             "resource id.")
BOTH_SCOPES = "Give either -Scope or -ResourceGroupName, not both."


def decision_from(value: Any, depth: int = 0) -> AccessDecision | None:
    """The access decision an error record (or its exception, or a list of them: the first that has one)
    carries; None when it carries none."""
    if value is None or depth > 4:
        return None
    if isinstance(value, AccessDecision):
        return value
    if isinstance(value, (list, tuple)):
        for item in value:
            found = decision_from(item, depth + 1)
            if found is not None:
                return found
        return None
    direct = getattr(value, "decision", None)
    if isinstance(direct, AccessDecision):
        return direct
    response = getattr(value, "response", None)
    if response is not None and hasattr(response, "extensions"):
        found = decision_of(response)
        if found is not None:
            return found
    for attr in ("exception", "__cause__"):
        inner = getattr(value, attr, None)
        if inner is not None and inner is not value:
            found = decision_from(inner, depth + 1)
            if found is not None:
                return found
    return None


def graph_object(graph: AccessGraph) -> PSObject:
    """The cmdlet's output: the grants as objects (for scripts), text as its ToString(), SVG as ToSvg()."""
    grants = []
    for e in graph.edges:
        if e.kind not in ("role", "access_policy", "acl"):
            continue
        who = graph.node(e.source)
        grants.append(PSObject([
            ("PrincipalId", e.source), ("PrincipalName", who.label if who else e.source),
            ("PrincipalKind", who.kind if who else "unknown"),
            ("Kind", {"role": "RoleAssignment", "access_policy": "AccessPolicy", "acl": "AclEntry"}[e.kind]),
            ("Grant", e.label), ("Scope", e.target), ("ScopeName", scope_words(graph.node(e.target), e.target)),
            ("Inherited", e.inherited), ("InheritedFrom", e.via or None), ("Highlighted", e.highlight),
        ], type_names=(GRANT_TYPE, "System.Management.Automation.PSCustomObject")))
    identities = [PSObject([("Id", n.id), ("Name", n.label), ("Kind", n.kind), ("Highlighted", n.highlight)])
                  for n in graph.identities]
    scopes = [PSObject([("Id", n.id), ("Name", n.label), ("Kind", n.kind), ("Highlighted", n.highlight)])
              for n in graph.scopes]
    denied = None
    if graph.denied is not None:
        principal, action, scope, reason = graph.denied
        denied = PSObject([("PrincipalId", principal), ("Action", action), ("Scope", scope), ("Reason", reason)])
    obj = PSObject([("Scope", graph.scope), ("Identities", identities), ("Scopes", scopes), ("Grants", grants),
                    ("Denied", denied), ("Notes", list(graph.notes))],
                   type_names=(ACCESS_GRAPH_TYPE, "System.Management.Automation.PSCustomObject"))
    text = render_text(graph)
    cache: dict[str, str] = {}

    def svg(*_: Any) -> str:
        if "svg" not in cache:
            from azshell.controls.graph_svg import render_svg

            cache["svg"] = render_svg(graph)
        return cache["svg"]

    obj.methods["tostring"] = lambda *a: text
    obj.methods["tosvg"] = svg
    return obj


class ShowAzAccessGraph(AzCmdlet):
    name = "Show-AzAccessGraph"
    synopsis = "Shows who can reach what: identities, their role assignments, access policies and ACL entries."
    description = (
        "Draws the access graph of a subscription, a resource group or a resource: identities (VMs and apps through "
        "their system-assigned identities, user-assigned identities, users, groups) on one side, scopes on the "
        "other, and an edge for every grant: role assignments (the role on the edge), Key Vault access-policy "
        "entries (their permissions) and Data Lake ACL entries (their rwx). Access inherited from above the scope "
        "is drawn dashed and says where it comes from. Everything is read through ARM, Microsoft Graph and the "
        "data planes with your current account, so a VM's identity sees only what it may read. In Jupyter the "
        "graph is a picture (SVG); in the shell a text tree. -OutFile writes the SVG. -Explain $error[0] "
        "highlights the principal and scope of a request that was denied, from the plane's own decision.")
    params = (
        Param("Scope", "string", position=0, help="The subscription, resource group or resource to show."),
        Param("ResourceGroupName", "string", completer="resource_group", help="Show this resource group."),
        Param("ObjectId", "string", aliases=("PrincipalId",),
              help="Only this principal's grants (and those of the groups it is a member of)."),
        Param("OutFile", "string", help="Write the graph as SVG to this file."),
        Param("PassThru", "switch", help="With -OutFile, also write the graph object."),
        Param("Explain", "object",
              help="An error record of a denied request ($error[0], $_): highlight its principal and scope."),
    )
    examples = (
        Example("Show-AzAccessGraph -ResourceGroupName DevTest", "The identities that can reach DevTest, and how."),
        Example("Show-AzAccessGraph -ObjectId $vm.Identity.PrincipalId", "Everything one VM's identity can reach."),
        Example("Show-AzAccessGraph -ResourceGroupName DevTest -OutFile graph.svg", "Writes the picture to a file."),
        Example("try { Get-AzKeyVaultSecret -VaultName myvault -Name db } catch { Show-AzAccessGraph -Explain $_ }",
                "Shows where a denied request's principal stands."),
    )
    outputs = (ACCESS_GRAPH_TYPE,)

    def focus_scope(self, decision: AccessDecision | None = None) -> str:
        """-Scope, -ResourceGroupName; with -Explain alone the denied scope's resource group (which the principal
        may read when its subscription is out of reach); else the subscription."""
        sub = self.subscription_id
        scope = str(self.bound.get("Scope") or "").strip()
        rg = str(self.bound.get("ResourceGroupName") or "").strip()
        if scope and rg:
            self.fail(BOTH_SCOPES, error_id="AmbiguousScope")
        if rg:
            return f"/subscriptions/{sub}/resourceGroups/{rg}"
        if scope:
            if scope_kind(scope) not in ("subscription", "resourceGroup", "resource"):
                self.fail(BAD_SCOPE.format(scope=scope), error_id="InvalidScope")
            return scope.rstrip("/")
        if decision is not None and decision.scope:
            parts = [p for p in decision.scope.split("/") if p]
            if len(parts) >= 4 and parts[0].casefold() == "subscriptions" and parts[2].casefold() == "resourcegroups":
                return "/" + "/".join(parts[:4])
        return f"/subscriptions/{sub}"

    def process(self) -> None:
        decision: AccessDecision | None = None
        if "Explain" in self.bound:
            decision = decision_from(self.bound.get("Explain"))
            if decision is None:
                self.fail(NO_DECISION, error_id="NoAccessDecision")
            if decision.model == "token" or not decision.principal:
                self.fail(TOKEN_REFUSED.format(reason=decision.reason), error_id="NoPrincipal")
        focus = self.focus_scope(decision)
        source = HttpGraphSource(self.services.http, self.token, self.subscription_id)
        with self.progress("Reading the access graph") as bar:
            bar.update(f"Reading {focus}", 10)
            try:
                graph = build_graph(source, self.services_registry_hooks(), scope=focus,
                                    object_id=str(self.bound.get("ObjectId") or ""),
                                    include=[decision.principal] if decision is not None else [])
            except GraphFetchError as e:
                raise self.arm_error(e.response) from None
            bar.update("Drawing", 90)
        if decision is not None:
            graph = explain(graph, decision)
        obj = graph_object(graph)
        out_file = self.bound.get("OutFile")
        if out_file:
            try:
                self.ctx.fs.write_text(str(out_file), obj.methods["tosvg"]())
            except OSError as e:
                raise CmdletError(f"Could not write '{out_file}': {e.strerror or e}", category="WriteError",
                                  error_id="FileWriteError", target=str(out_file)) from None
            if not self.bound.get("PassThru"):
                return
        self.write(obj)

    def services_registry_hooks(self) -> list[Any]:
        """Every service's access-graph hook (``Service.graph``) from the session's registry."""
        return list(self.services.world.registry.graph_hooks())


def register_views(views: ViewTable) -> None:
    views.register(ACCESS_GRAPH_TYPE, "text")
    views.register(GRANT_TYPE, "table", ("PrincipalName", "Kind", "Grant", "ScopeName", "Inherited"))


COMMANDS = (ShowAzAccessGraph,)
