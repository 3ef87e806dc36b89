"""Table-driven RBAC tests over the real built-in roles: (principal, role, scope, action) → allow/deny + reason."""

from __future__ import annotations

import pytest

from azshell.auth.rbac import Decision, RbacIndex, action_matches, decide, role_permits, scope_covers
from azshell.model.builtin_roles import (
    CONTRIBUTOR,
    KEY_VAULT_SECRETS_USER,
    OWNER,
    READER,
    VIRTUAL_MACHINE_CONTRIBUTOR,
    builtin_role,
    builtin_roles,
)
from azshell.model.types import Permission, RoleAssignment, RoleDefinition

SUB = "/subscriptions/98f51385-2edc-4b79-bed9-7718de4cb861"
RG = f"{SUB}/resourceGroups/rg"
RG2 = f"{SUB}/resourceGroups/rg2"
VM = f"{RG}/providers/Microsoft.Compute/virtualMachines/vm1"
VM_EXT = f"{VM}/extensions/ext"
VAULT = f"{RG}/providers/Microsoft.KeyVault/vaults/kv1"
SECRET = f"{VAULT}/secrets/s1"
ALICE = "11111111-1111-1111-1111-111111111111"
BOB = "22222222-2222-2222-2222-222222222222"
GROUP = "33333333-3333-3333-3333-333333333333"

READ_RG = "Microsoft.Resources/subscriptions/resourceGroups/read"
WRITE_VM = "Microsoft.Compute/virtualMachines/write"
READ_VM = "Microsoft.Compute/virtualMachines/read"
WRITE_RA = "Microsoft.Authorization/roleAssignments/write"
GET_SECRET = "Microsoft.KeyVault/vaults/secrets/getSecret/action"
READ_SECRET_DATA = "Microsoft.KeyVault/vaults/secrets/readMetadata/action"


def ra(name: str, principal: str, role: str, scope: str) -> RoleAssignment:
    return RoleAssignment(name=name, scope=scope, role_definition_id=role, principal_id=principal,
                          principal_type="ServicePrincipal")


@pytest.mark.parametrize("pattern, action, expected", [
    ("*", WRITE_VM, True),
    ("Microsoft.Compute/*", WRITE_VM, True),
    ("microsoft.compute/*", WRITE_VM, True),
    ("Microsoft.Compute/*", READ_RG, False),
    ("*/read", READ_RG, True),
    ("*/read", WRITE_VM, False),
    ("Microsoft.KeyVault/vaults/secrets/*", GET_SECRET, True),
    ("Microsoft.KeyVault/vaults/secrets/*", "Microsoft.KeyVault/vaults/keys/read", False),
    ("Microsoft.Compute/virtualMachines/write", "MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE", True),
    ("Microsoft.Compute/virtualMachines/write", "Microsoft.Compute/virtualMachines/writeX", False),
    ("Microsoft.Authorization/*/Delete", "Microsoft.Authorization/roleAssignments/delete", True),
    ("Microsoft.Compute/virtualMachines/*", "Microsoft.Compute/virtualMachinesScaleSets/read", False),
])
def test_action_matches(pattern: str, action: str, expected: bool) -> None:
    assert action_matches(pattern, action) is expected


@pytest.mark.parametrize("outer, inner, expected", [
    ("/", VM, True),
    (SUB, VM, True),
    (RG, VM, True),
    (RG, RG, True),
    (RG + "/", RG, True),
    (RG.lower(), VM.upper(), True),
    (VM, VM_EXT, True),
    (RG, RG2, False),
    (RG, f"{SUB}/resourceGroups/rg2/providers/x/y/z", False),
    (VM, RG, False),
    (SUB, "/subscriptions/other", False),
    (f"{SUB}/resourceGroups/r", RG, False),
])
def test_scope_covers(outer: str, inner: str, expected: bool) -> None:
    assert scope_covers(outer, inner) is expected


@pytest.mark.parametrize("role, action, data, expected", [
    (OWNER, WRITE_RA, False, True),
    (OWNER, GET_SECRET, True, False),  # Actions "*" grants no data action
    (CONTRIBUTOR, WRITE_VM, False, True),
    (CONTRIBUTOR, WRITE_RA, False, False),  # NotActions subtracts
    (READER, READ_RG, False, True),
    (READER, WRITE_VM, False, False),
    (KEY_VAULT_SECRETS_USER, GET_SECRET, True, True),
    (KEY_VAULT_SECRETS_USER, GET_SECRET, False, False),  # a data action is not a control-plane action
    (VIRTUAL_MACHINE_CONTRIBUTOR, WRITE_VM, False, True),
])
def test_role_permits_builtin(role: str, action: str, data: bool, expected: bool) -> None:
    assert role_permits(builtin_role(role), action, data_action=data) is expected


def test_not_data_actions_subtract() -> None:
    role = RoleDefinition("c1", "Custom", "", "CustomRole", (Permission(
        data_actions=("Microsoft.KeyVault/vaults/secrets/*",),
        not_data_actions=(GET_SECRET,)),))
    assert role_permits(role, READ_SECRET_DATA, data_action=True)
    assert not role_permits(role, GET_SECRET, data_action=True)


INDEX = RbacIndex(
    [
        ra("a1", ALICE, READER, RG),
        ra("a2", ALICE, KEY_VAULT_SECRETS_USER, VAULT),
        ra("b1", BOB, CONTRIBUTOR, SUB),
        ra("g1", GROUP, VIRTUAL_MACHINE_CONTRIBUTOR, RG),
        ra("o1", ALICE, "deadbeef-0000-0000-0000-000000000000", SUB),  # orphaned
    ],
    builtin_roles(),
)


@pytest.mark.parametrize("principal, groups, action, scope, data, allowed, reason", [
    (ALICE, (), READ_RG, RG,
     False, True, f"Allowed: 'Reader' assigned to the principal at scope {RG} grants '{READ_RG}' (via '*/read')."),
    (ALICE, (), READ_VM, VM, False, True, "'Reader'"),
    (ALICE, (), WRITE_VM, VM, False, False,
     f"Denied: the principal has 1 role assignment (Reader at {RG}) but none grants '{WRITE_VM}'."),
    (ALICE, (), READ_RG, RG2, False, False, "Denied: the principal has no role assignments in scope."),
    (ALICE, (), GET_SECRET, SECRET, True, True, "'Key Vault Secrets User'"),
    (ALICE, (), GET_SECRET, f"{RG}/providers/Microsoft.KeyVault/vaults/kv2/secrets/s1", True, False,
     "but none grants"),
    (ALICE, (GROUP,), WRITE_VM, VM, False, True, f"assigned to group {GROUP}"),
    (BOB, (), WRITE_VM, VM, False, True, f"'Contributor' assigned to the principal at scope {SUB}"),
    (BOB, (), WRITE_RA, RG, False, False, "Denied: the principal has 1 role assignment (Contributor at"),
    (BOB, (), GET_SECRET, SECRET, True, False, "as a data action"),
    ("44444444-4444-4444-4444-444444444444", (), READ_RG, RG, False, False, "no role assignments in scope"),
    (ALICE.upper(), (), READ_RG, RG.upper() + "/", False, True, "Allowed"),
])
def test_decide_table(principal: str, groups: tuple[str, ...], action: str, scope: str, data: bool,
                      allowed: bool, reason: str) -> None:
    d = decide(principal_id=principal, group_ids=groups, action=action, scope=scope, data_action=data, index=INDEX)
    assert isinstance(d, Decision)
    assert d.allowed is allowed, d.reason
    assert reason in d.reason
    assert d.missing_action == ("" if allowed else action)
    assert bool(d.matched) is allowed


def test_decide_lists_considered_and_skips_orphans() -> None:
    d = decide(principal_id=ALICE, action=WRITE_VM, scope=VM, index=INDEX)
    assert [a.name for a in d.considered] == ["a1"]
    assert any("orphaned" in n for n in d.notes) and "orphaned" in d.reason


def test_decide_plural_reason() -> None:
    idx = RbacIndex([ra("x1", ALICE, READER, RG), ra("x2", ALICE, READER, SUB)], builtin_roles())
    d = decide(principal_id=ALICE, action=WRITE_VM, scope=VM, index=idx)
    assert f"has 2 role assignments (Reader at {RG}, Reader at {SUB})" in d.reason


def test_root_scope_assignment_covers_everything() -> None:
    idx = RbacIndex([ra("r", ALICE, READER, "/")], builtin_roles())
    assert decide(principal_id=ALICE, action=READ_VM, scope=VM, index=idx).allowed


def test_index_cost_independent_of_other_principals() -> None:
    others = [ra(f"n{i}", f"00000000-0000-0000-0000-{i:012d}", READER, RG) for i in range(4000)]
    idx = RbacIndex([*others, ra("a", ALICE, READER, RG)], builtin_roles())
    assert len(idx.assignments_for(ALICE)) == 1
    assert decide(principal_id=ALICE, action=READ_RG, scope=RG, index=idx).allowed


def test_whole_segment_wildcard_also_matches_no_segment() -> None:
    """Managed Identity Operator's '*/assign/action' grants the UAI assign action (issue 3)."""
    from azshell.auth.rbac import action_matches

    pattern = "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action"
    assert action_matches(pattern, "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action")
    assert action_matches(pattern, "Microsoft.ManagedIdentity/userAssignedIdentities/x/assign/action")
    assert not action_matches(pattern, "Microsoft.ManagedIdentity/userAssignedIdentities/assign/read")
    assert not action_matches(pattern, "Microsoft.ManagedIdentity/userAssignedIdentitiesassign/action")


def test_token_events_do_not_invalidate_the_rbac_index() -> None:
    from azshell.clock import FixedClock
    from azshell.model.store import Store

    store = Store.open(":memory:", clock=FixedClock())
    before = store.generation()
    store.append_event("token.issued", {"aud": "https://management.azure.com/"})
    assert store.generation() == before
    store.set_setting("x", "1")
    assert store.generation() != before


# ------------------------------------------------------------------------------ the whole built-in catalogue
KV_DATA_ACCESS_ADMIN = "8b54135c-b56d-4d72-a534-26097cfdc8d8"  # one block, with an ABAC condition
AZURE_MIGRATE_OWNER = "fd8ea4d5-6509-4db0-bada-356ab233b4fa"  # two blocks, the second with the condition
MONITORING_READER = "43d0d8ad-25c7-4714-9337-8ba259a9fe05"
DELETE_RA = "Microsoft.Authorization/roleAssignments/delete"


def test_any_builtin_role_decides() -> None:
    idx = RbacIndex([ra("m", ALICE, MONITORING_READER, RG)], builtin_roles())
    d = decide(principal_id=ALICE, action=READ_VM, scope=VM, index=idx)
    assert d.allowed and "'Monitoring Reader'" in d.reason and d.notes == []


def test_condition_concerns_only_the_actions_it_names() -> None:
    from azshell.auth.rbac import condition_concerns
    from azshell.model.builtin_roles import builtin_role_conditions

    [cond] = builtin_role_conditions(KV_DATA_ACCESS_ADMIN)
    assert condition_concerns(cond.condition, WRITE_RA) and condition_concerns(cond.condition, DELETE_RA.upper())
    assert not condition_concerns(cond.condition, READ_RG)
    assert condition_concerns("@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] "
                              "StringEquals 'logs'", READ_RG)  # not the guarded shape: cannot tell
    assert condition_concerns(f"((!(ActionMatches{{'{WRITE_RA}'}})) OR (x)) OR (y)", READ_RG)  # grouping unclear
    assert not condition_concerns(f"((!(ActionMatches{{'{WRITE_RA}'}})) OR (x))", READ_RG)


def test_role_grant_names_the_block_and_its_condition() -> None:
    from azshell.auth.rbac import role_grant

    migrate = builtin_role(AZURE_MIGRATE_OWNER)
    g = role_grant(migrate, WRITE_RA, data_action=False)
    assert g is not None and g.block == 1 and g.condition is not None and g.condition.version == "2.0"
    g = role_grant(migrate, "Microsoft.Migrate/projects/read", data_action=False)
    assert g is not None and g.block == 0 and g.condition is None
    kv = builtin_role(KV_DATA_ACCESS_ADMIN)
    read = role_grant(kv, READ_RG, data_action=False)
    assert read is not None and read.condition is None  # the condition plainly holds for any other action
    g = role_grant(kv, WRITE_RA, data_action=False)
    assert g is not None and g.condition is not None and g.pattern == WRITE_RA
    assert role_grant(builtin_role(OWNER), WRITE_RA, data_action=False, conditions=lambda _id: ()) is not None


def test_decision_says_a_condition_was_not_evaluated() -> None:
    idx = RbacIndex([ra("k", ALICE, KV_DATA_ACCESS_ADMIN, RG)], builtin_roles())
    d = decide(principal_id=ALICE, action=WRITE_RA, scope=RG, index=idx)
    assert d.allowed and "under an ABAC condition that was not evaluated (taken as met)" in d.reason
    [note] = d.notes
    assert note.startswith("Condition not evaluated: 'Key Vault Data Access Administrator' grants "
                           f"'{WRITE_RA}' only where its ABAC condition (version 2.0) holds")
    assert note.endswith("(the whole condition: Get-AzRoleDefinition 'Key Vault Data Access Administrator').")
    assert decide(principal_id=ALICE, action=READ_RG, scope=RG, index=idx).notes == []


def test_an_unconditional_grant_wins_over_a_conditional_one() -> None:
    idx = RbacIndex([ra("k", ALICE, KV_DATA_ACCESS_ADMIN, RG), ra("u", ALICE, OWNER, SUB)], builtin_roles())
    d = decide(principal_id=ALICE, action=WRITE_RA, scope=RG, index=idx)
    assert d.allowed and "'Owner'" in d.reason and d.notes == [] and len(d.matched) == 2


def test_assignment_condition_is_not_evaluated_either() -> None:
    conditional = RoleAssignment(name="c", scope=RG, role_definition_id=READER, principal_id=ALICE,
                                 principal_type="User", condition="@Resource[x] StringEquals 'y'")
    d = decide(principal_id=ALICE, action=READ_RG, scope=RG, index=RbacIndex([conditional], builtin_roles()))
    assert d.allowed and "not evaluated" in d.reason
    assert d.notes == [f"Condition not evaluated: the assignment of 'Reader' at {RG} has an ABAC condition; "
                       "azshell does not evaluate conditions, so it was taken as met: @Resource[x] StringEquals 'y'"]


def test_suggested_role_from_the_whole_catalogue() -> None:
    idx = RbacIndex([], builtin_roles())
    # the well-known roles first, as before
    assert idx.least_privileged_role(READ_RG, data_action=False).role_name == "Reader"  # type: ignore[union-attr]
    assert idx.least_privileged_role(WRITE_VM, data_action=False).role_name == \
        "Virtual Machine Contributor"  # type: ignore[union-attr]
    push = idx.least_privileged_role("Microsoft.ContainerRegistry/registries/push/write", data_action=False)
    assert push is not None and push.role_name == "Contributor"
    # else the narrowest grant of the ~430 roles; one granting only under a condition comes last
    queue = idx.least_privileged_role("Microsoft.Storage/storageAccounts/queueServices/queues/messages/read",
                                      data_action=True)
    assert queue is not None and queue.role_name == "Storage Queue Data Reader"
    sender = idx.least_privileged_role("Microsoft.ServiceBus/namespaces/messages/send/action", data_action=True)
    assert sender is not None and sender.role_name == "Azure Service Bus Data Sender"
    assert idx.least_privileged_role("Microsoft.Nothing/at/all", data_action=True) is None
    assert idx.is_data_action(GET_SECRET) and not idx.is_data_action(READ_RG)
