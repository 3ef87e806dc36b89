"""Show-AzAccessGraph: the graph of a known tenant (edges of each kind, inherited marking, group membership,
-ObjectId), -Explain from a denied request's own decision, the text tree, the SVG (well-formed, labelled, each edge
kind drawn its own way) and -OutFile."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from azshell.controls.graph import AccessGraph, Edge, Node, explain, scope_covers
from azshell.controls.graph_svg import EDGE_STYLES, render_svg
from azshell.world import World
from tests.cmdlets._shell import Shell

SVG = "{http://www.w3.org/2000/svg}"

SETUP = """
New-AzResourceGroup -Name DevTest -Location westus | Out-Null
New-AzResourceGroup -Name Other -Location westus | Out-Null
New-AzVM -ResourceGroupName DevTest -Name myVM -Location westus -IdentityType SystemAssigned | Out-Null
$uai = New-AzUserAssignedIdentity -ResourceGroupName DevTest -Name myUAI -Location westus
$vm = Get-AzVM -ResourceGroupName DevTest -Name myVM
New-AzRoleAssignment -ObjectId $vm.Identity.PrincipalId -RoleDefinitionName Reader -ResourceGroupName DevTest | Out-Null
New-AzRoleAssignment -ObjectId $uai.PrincipalId -RoleDefinitionName Contributor -Scope $vm.Id | Out-Null
New-AzKeyVault -VaultName mi-lab-vault -ResourceGroupName DevTest -Location westus -DisableRbacAuthorization | Out-Null
Set-AzKeyVaultAccessPolicy -VaultName mi-lab-vault -ObjectId $vm.Identity.PrincipalId -PermissionsToSecrets get,list
New-AzKeyVault -VaultName rbac-vault -ResourceGroupName DevTest -Location westus | Out-Null
Set-AzKeyVaultAccessPolicy -VaultName rbac-vault -ObjectId $vm.Identity.PrincipalId -PermissionsToSecrets get
New-AzDataLakeStoreAccount -ResourceGroupName DevTest -Name mystore -Location westus | Out-Null
Set-AzDataLakeStoreItemAclEntry -Account mystore -Path / -AceType User -Id $vm.Identity.PrincipalId -Permissions ReadExecute
New-AzDataLakeStoreItem -Account mystore -Path /TestFolder -Folder | Out-Null
Set-AzDataLakeStoreItemAclEntry -Account mystore -Path /TestFolder -AceType User -Id $vm.Identity.PrincipalId -Permissions All
Set-AzDataLakeStoreItemAclEntry -Account mystore -Path /TestFolder -AceType User -Id $vm.Identity.PrincipalId -Permissions All -Default
$g = New-AzADGroup -DisplayName readers -MailNickname readers
Add-AzADGroupMember -TargetGroupObjectId $g.Id -MemberObjectId $uai.PrincipalId
New-AzRoleAssignment -ObjectId $g.Id -RoleDefinitionName 'Key Vault Reader' -ResourceGroupName DevTest | Out-Null
"""


@pytest.fixture
def tenant(world: World) -> Shell:
    shell = Shell(world)
    shell.ok(SETUP)
    return shell


def grants(shell: Shell, command: str) -> tuple[Any, set[tuple[str, str, str, str, bool]]]:
    graph = shell.ok(command)[0]
    rows = {(str(g.get("PrincipalName")), str(g.get("Kind")), str(g.get("Grant")), str(g.get("ScopeName")),
             bool(g.get("Inherited"))) for g in graph.get("Grants")}
    return graph, rows


def oid(shell: Shell, expr: str) -> str:
    return str(shell.ok(expr)[0])


def test_the_graph_of_a_resource_group_has_every_kind_of_grant(tenant: Shell) -> None:
    graph, rows = grants(tenant, "Show-AzAccessGraph -ResourceGroupName DevTest")
    assert ("myVM (VM, system-assigned)", "RoleAssignment", "Reader", "resource group DevTest", False) in rows
    assert ("myVM (VM, system-assigned)", "AccessPolicy", "secrets: get, list", "key vault mi-lab-vault",
            False) in rows
    assert ("myVM (VM, system-assigned)", "AclEntry", "r-x", "Data Lake store mystore", False) in rows
    assert ("myVM (VM, system-assigned)", "AclEntry", "rwx, default rwx", "Data Lake path mystore/TestFolder",
            False) in rows
    assert ("myUAI (user-assigned)", "RoleAssignment", "Contributor", "VM myVM", False) in rows
    assert ("readers (group)", "RoleAssignment", "Key Vault Reader", "resource group DevTest", False) in rows
    # the admin's Owner is made at the subscription: it reaches DevTest from above
    admin = [r for r in rows if r[0].endswith("(user)") and r[1] == "RoleAssignment"]
    assert admin == [(admin[0][0], "RoleAssignment", "Owner", "resource group DevTest", True)]
    owner = next(g for g in graph.get("Grants") if g.get("Grant") == "Owner")
    assert owner.get("InheritedFrom") == f"/subscriptions/{tenant.sub}"
    # an RBAC vault's access policies are ignored (by Key Vault, and so here), and the graph says so
    assert any("rbac-vault uses Azure RBAC: its 1 access policy entries are ignored" in n for n in graph.get("Notes"))
    assert not any("rbac-vault" in r[3] for r in rows)
    # the other group is out of the picture
    assert not any("Other" in str(r) for r in rows)
    # the Data Lake path node is named as the Data Lake plane names it in its decisions
    store = next(s for s in graph.get("Scopes") if s.get("Name") == "mystore")
    assert any(s.get("Id") == f"{store.get('Id')}/TestFolder" for s in graph.get("Scopes"))


def test_the_subscription_graph_draws_assignments_where_they_are_made(tenant: Shell) -> None:
    _, rows = grants(tenant, "Show-AzAccessGraph")
    admin = next(r for r in rows if r[2] == "Owner")
    assert admin[3].startswith("subscription ") and admin[4] is False
    assert ("myVM (VM, system-assigned)", "RoleAssignment", "Reader", "resource group DevTest", False) in rows


def test_group_membership_is_an_edge_and_object_id_follows_it(tenant: Shell) -> None:
    uai = oid(tenant, "$uai.PrincipalId")
    graph, rows = grants(tenant, f"Show-AzAccessGraph -ResourceGroupName DevTest -ObjectId {uai}")
    assert {r[0] for r in rows} == {"myUAI (user-assigned)", "readers (group)"}
    assert ("readers (group)", "RoleAssignment", "Key Vault Reader", "resource group DevTest", False) in rows
    text = graph.methods["tostring"]()
    assert "member of     readers (group)" in text
    assert "myVM (VM, system-assigned)" not in text


def test_the_text_tree_lists_identities_grants_and_scopes(tenant: Shell) -> None:
    text = tenant.session.render_outputs(tenant.ok("Show-AzAccessGraph -ResourceGroupName DevTest"))
    assert text.startswith("Access graph of resource group DevTest")
    assert "├─ role          Reader → resource group DevTest" in text
    assert "access policy secrets: get, list → key vault mi-lab-vault" in text
    assert f"Owner → resource group DevTest  (inherited from subscription {tenant.sub[:8]}…)" in text
    assert "Scopes\nresource group DevTest\n" in text
    assert "│  └─ TestFolder/" in text  # the path sits under its store


def svg_of(shell: Shell, command: str) -> ET.Element:
    graph = shell.ok(command)[0]
    svg = graph.methods["tosvg"]()
    return ET.fromstring(svg)  # well-formed XML, or this raises


def test_the_svg_is_well_formed_and_draws_each_kind_its_own_way(tenant: Shell) -> None:
    root = svg_of(tenant, "Show-AzAccessGraph -ResourceGroupName DevTest")
    assert root.tag == f"{SVG}svg"
    texts = {t.text for t in root.iter(f"{SVG}text")}
    for label in ("myVM (VM, system-assigned)", "myUAI (user-assigned)", "readers (group)", "DevTest",
                  "mi-lab-vault", "mystore", "TestFolder/", "Reader", "secrets: get, list", "rwx, default rwx",
                  "Owner (inherited)", "Key Vault Reader"):
        assert label in texts, label
    groups = [g for g in root.iter(f"{SVG}g") if "edge" in (g.get("class") or "").split()]
    strokes: dict[str, set[str]] = {}
    for g in groups:
        kind = next(c[5:] for c in g.get("class", "").split() if c.startswith("edge-"))
        path = g.find(f"{SVG}path")
        assert path is not None
        strokes.setdefault(kind, set()).add(path.get("stroke", ""))
        dashed = path.get("stroke-dasharray")
        if "inherited" in g.get("class", "").split():
            assert dashed, "inherited access is dashed"
        elif kind in ("role", "access_policy", "acl"):
            assert not dashed, "direct access is a solid line"
    assert {"role", "access_policy", "acl", "member", "contains"} <= set(strokes)
    colours = [strokes[k] for k in ("role", "access_policy", "acl", "member")]
    assert all(len(c) == 1 for c in colours) and len({next(iter(c)) for c in colours}) == 4
    # laid out in columns: identities left of the scopes they reach
    xs = {t.text: float(t.get("x", "0")) for t in root.iter(f"{SVG}text")}
    assert xs["myVM (VM, system-assigned)"] < xs["DevTest"] < xs["mi-lab-vault"] < xs["TestFolder/"]


def test_explain_highlights_a_denied_data_lake_request(tenant: Shell) -> None:
    tenant.ok("Enter-AzVM -ResourceGroupName DevTest -Name myVM\n"
              "$t = (Invoke-RestMethod -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?"
              "api-version=2018-02-01&resource=https://datalake.azure.net/' -Headers @{Metadata='true'}).access_token\n"
              "try { Invoke-WebRequest -Uri 'https://mystore.azuredatalakestore.net/webhdfs/v1/Test2.txt?op=CREATE"
              "&write=true' -Method PUT -Headers @{Authorization=\"Bearer $t\"} -Body 'x' } catch { $denied = $_ }\n"
              "Exit-AzVM")
    vm = oid(tenant, "$vm.Identity.PrincipalId")
    graph = tenant.ok("Show-AzAccessGraph -Explain $denied")[0]
    denied = graph.get("Denied")
    assert denied.get("PrincipalId") == vm
    assert denied.get("Action") == "WebHDFS CREATE"
    assert "Denied:" in denied.get("Reason")
    marked = {n.get("Name") for n in [*graph.get("Identities"), *graph.get("Scopes")] if n.get("Highlighted")}
    assert "myVM (VM, system-assigned)" in marked and "mystore" in marked
    assert graph.get("Scope").endswith("/resourceGroups/DevTest")  # the denied scope's group, by default
    # the grant the plane looked at: the VM's ACL entry on / (the folder CREATE needs -wx on)
    shown = {(g.get("Grant"), g.get("ScopeName")) for g in graph.get("Grants") if g.get("Highlighted")}
    assert shown == {("r-x", "Data Lake store mystore")}
    text = graph.methods["tostring"]()
    assert text.splitlines()[3].startswith("✗ DENIED  myVM (VM, system-assigned) → Data Lake store mystore")
    assert "▶ myVM (VM, system-assigned)" in text
    root = ET.fromstring(graph.methods["tosvg"]())
    assert any("edge-denied" in (g.get("class") or "") for g in root.iter(f"{SVG}g"))
    highlighted = [g for g in root.iter(f"{SVG}g") if "node" in (g.get("class") or "").split()
                   and "highlight" in (g.get("class") or "").split()]
    assert {g.find(f"{SVG}text").text for g in highlighted} == {"myVM (VM, system-assigned)", "mystore"}  # type: ignore[union-attr]


def test_explain_reads_an_az_cmdlet_error_too(tenant: Shell) -> None:
    tenant.ok("Enter-AzVM -ResourceGroupName DevTest -Name myVM; Connect-AzAccount -Identity | Out-Null\n"
              "try { Get-AzResourceGroup -Name Other -ErrorAction Stop } catch { $denied = $_ }\nExit-AzVM")
    graph = tenant.ok("Show-AzAccessGraph -Explain $denied")[0]
    assert graph.get("Denied").get("Scope").endswith("/resourceGroups/Other")
    assert graph.get("Scope") == f"/subscriptions/{tenant.sub}/resourceGroups/Other"
    # the VM's Reader on DevTest does not reach Other: in the graph of Other it is only the denied edge
    assert any(n.get("Name") == "Other" and n.get("Highlighted") for n in graph.get("Scopes"))
    assert not [g for g in graph.get("Grants") if g.get("PrincipalKind") == "vm"]
    assert "✗ DENIED  myVM (VM, system-assigned) → resource group Other: Microsoft.Resources/subscriptions/" \
        "resourceGroups/read" in graph.methods["tostring"]()


def test_explain_without_a_decision_says_what_to_give(tenant: Shell) -> None:
    text = tenant.error_text("Show-AzAccessGraph -Explain 'nothing'")
    assert "carries no access decision" in text and "$error[0]" in text


def test_scope_errors_are_plain(tenant: Shell) -> None:
    assert "not a scope the access graph can show" in tenant.error_text("Show-AzAccessGraph -Scope nowhere")
    assert "either -Scope or -ResourceGroupName" in tenant.error_text(
        f"Show-AzAccessGraph -Scope /subscriptions/{tenant.sub} -ResourceGroupName DevTest")
    assert "ResourceGroupNotFound" in tenant.error_text("Show-AzAccessGraph -ResourceGroupName Nope")


def test_a_vm_identity_sees_only_what_it_may_read(tenant: Shell) -> None:
    text = tenant.error_text("Enter-AzVM -ResourceGroupName DevTest -Name myVM; Connect-AzAccount -Identity | "
                             "Out-Null; Show-AzAccessGraph")
    assert "AuthorizationFailed" in text and "roleAssignments/read" in text


def test_out_file_writes_the_svg(tenant: Shell, tmp_path: Path) -> None:
    target = tmp_path / "graph.svg"
    assert tenant.ok(f"Show-AzAccessGraph -ResourceGroupName DevTest -OutFile '{target}'") == []
    root = ET.fromstring(target.read_text(encoding="utf-8"))
    assert root.tag == f"{SVG}svg"
    assert tenant.ok(f"Show-AzAccessGraph -ResourceGroupName DevTest -OutFile '{target}' -PassThru")


def test_the_services_declare_their_graph_hooks(world: World) -> None:
    hooks = world.registry.graph_hooks()
    assert {h.__module__ for h in hooks} == {"azshell.services.authorization.graph",
                                             "azshell.services.keyvault.graph", "azshell.services.datalake.graph"}


def test_render_and_explain_without_a_tenant() -> None:
    sub = "/subscriptions/00000000-0000-0000-0000-000000000001"
    rg = f"{sub}/resourceGroups/rg"
    graph = AccessGraph(rg, (Node("u1", "ann (user)", "user", "u1"), Node(rg, "rg", "resourceGroup", "", sub)),
                        (Edge("u1", rg, "role", "Reader <&>", inherited=True, via=sub),))
    root = ET.fromstring(render_svg(graph))  # labels are escaped
    assert "Reader <&> (inherited)" in {t.text for t in root.iter(f"{SVG}text")}

    class Decision:
        principal, scope, action, reason, considered = "u2", f"{rg}/providers/Microsoft.Web/sites/app", "read", \
            "Denied: no role", ()

    shown = explain(graph, Decision())
    assert shown.node("u2") is not None and shown.node("u2").highlight  # type: ignore[union-attr]
    assert [e.kind for e in shown.edges if e.kind == "denied"] == ["denied"]
    assert scope_covers(rg, Decision.scope) and not scope_covers(Decision.scope, rg)
    assert set(EDGE_STYLES) >= {"role", "access_policy", "acl", "member", "contains", "denied"}
    assert "The access graph is empty" in render_svg(AccessGraph(rg, (), ()))


def test_a_vm_identity_with_reader_draws_its_group_with_role_names(tenant: Shell) -> None:
    graph = tenant.ok("Enter-AzVM -ResourceGroupName DevTest -Name myVM; Connect-AzAccount -Identity | Out-Null\n"
                      "Show-AzAccessGraph -ResourceGroupName DevTest")[0]
    tenant.ok("Exit-AzVM")
    rows = {(g.get("PrincipalName"), g.get("Grant")) for g in graph.get("Grants")}
    assert ("myVM (VM, system-assigned)", "Reader") in rows
    assert not any("could not be read" in n and "Role definitions" in n for n in graph.get("Notes"))
