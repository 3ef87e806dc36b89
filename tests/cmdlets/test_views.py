"""Default views of the main Az object types: property names and order as Az prints them (issue 5)."""

from __future__ import annotations

import re

import pytest

from azshell.session import Session
from azshell.world import World

#: command -> the property labels of its default (list) view, in Az's order
VIEWS = {
    "New-AzResourceGroup -Name rg2 -Location westus":
        ["ResourceGroupName", "Location", "ProvisioningState", "Tags", "ResourceId"],
    "New-AzUserAssignedIdentity -ResourceGroupName rg1 -Name id2 -Location westus":
        ["Id", "ResourceGroupName", "Name", "Location", "TenantId", "PrincipalId", "ClientId", "ClientSecretUrl",
         "Type"],
    "New-AzRoleAssignment -ObjectId $vmp -RoleDefinitionName Reader -ResourceGroupName rg1":
        ["RoleAssignmentName", "RoleAssignmentId", "Scope", "DisplayName", "SignInName", "RoleDefinitionName",
         "RoleDefinitionId", "ObjectId", "ObjectType", "CanDelegate", "Description", "ConditionVersion", "Condition"],
}


@pytest.fixture
def session(world: World) -> Session:
    s = Session(world=world)
    r = s.execute("New-AzResourceGroup rg1 westus | Out-Null\n"
                  "$vmp = (New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus -IdentityType SystemAssigned)"
                  ".Identity.PrincipalId")
    assert not r.had_errors, [s.render_text(x) for x in r.records]
    return s


@pytest.mark.parametrize("command", list(VIEWS))
def test_default_view_property_order(session: Session, command: str) -> None:
    chunks: list[str] = []
    result = session.run(command, lambda stream, text: chunks.append(text))
    assert not result.had_errors, chunks
    labels = [m.group(1) for m in re.finditer(r"^(\w+)\s*:", "".join(chunks), re.MULTILINE)]
    assert labels == VIEWS[command]


def test_sessions_do_not_share_views(world: World) -> None:
    """Each session's registry has its own views: one that loaded the Az cmdlets does not lend them to another."""
    from azshell.cmdlets._azure import PS_RESOURCE_GROUP
    from azshell.lang.values import PSObject

    loaded, fresh = Session(world=world), Session(world=world)
    loaded.registry.load_all()
    group = PSObject({"ResourceGroupName": "rg9", "Location": "westus"}, type_names=(PS_RESOURCE_GROUP,))
    assert "ResourceGroupName : rg9" in loaded.render_outputs([group])  # Az's list view
    assert "ResourceGroupName Location" in fresh.render_outputs([group])  # no view: a small object's table
    assert fresh.registry.views.view_for(group) is None
    fresh.registry.load_all()
    assert fresh.render_outputs([group]) == loaded.render_outputs([group])
