"""TenantBackend: seeding, resources, managed-identity rules, role assignments, token identity lookup."""

from __future__ import annotations

import pytest

from azshell.clock import FixedClock
from azshell.ids import is_guid, resource_id
from azshell.model.backend import KEEP, TenantBackend, normalize_identity_type
from azshell.model.builtin_roles import BUILTIN_ROLE_IDS, OWNER, READER, builtin_roles
from azshell.model.errors import (
    ConflictError,
    IdentityNotFoundError,
    NotFoundError,
    PrincipalNotFoundError,
    ValidationError,
)
from azshell.model.store import Store
from azshell.model.types import USER_ASSIGNED_IDENTITY_TYPE, VM_TYPE

EXT_TYPE = "Microsoft.Compute/virtualMachines/extensions"


# ---------------------------------------------------------------------------------------------------- seeding
def test_seed_creates_fresh_tenant(backend: TenantBackend) -> None:
    store = backend.store
    tenant = store.get_tenant()
    assert is_guid(tenant.tenant_id) and tenant.default_domain == "azshell.onmicrosoft.com"
    subs = store.list_subscriptions()
    assert [s.display_name for s in subs] == ["Azure subscription 1"] and is_guid(subs[0].subscription_id)
    admin = backend.admin_user()
    assert admin.user_principal_name == "admin@azshell.onmicrosoft.com" and admin.object_type == "User"
    assert len(store.list_role_definitions()) == len(builtin_roles())
    (ra,) = store.list_role_assignments()
    assert ra.role_definition_id == OWNER and ra.principal_id == admin.object_id
    assert ra.scope == f"/subscriptions/{subs[0].subscription_id}" and ra.principal_type == "User"
    assert backend.is_seeded()
    assert [e.kind for e in store.recent_events()] == ["tenant.seeded"]


def test_seed_is_idempotent(backend: TenantBackend) -> None:
    tid = backend.tenant_id
    gen = backend.store.generation()
    backend.seed()
    assert backend.tenant_id == tid and len(backend.store.list_subscriptions()) == 1
    assert len(backend.store.list_role_assignments()) == 1
    assert backend.store.generation() == gen + 1  # an empty transaction; nothing written


def test_not_seeded(store: Store, clock: FixedClock) -> None:
    assert not TenantBackend(store, clock).is_seeded()


def test_seed_custom_names(store: Store, clock: FixedClock) -> None:
    b = TenantBackend(store, clock)
    b.seed(tenant_name="contoso", domain="contoso.onmicrosoft.com", admin_upn="root@contoso.onmicrosoft.com")
    assert b.tenant().display_name == "contoso"
    assert b.admin_user().user_principal_name == "root@contoso.onmicrosoft.com"


# ------------------------------------------------------------------------------------------- resource groups
def test_resource_group_lifecycle(backend: TenantBackend, sub: str) -> None:
    rg = backend.create_or_update_resource_group(sub, "MyRG", "westus", {"a": "b"})
    assert rg.id == f"/subscriptions/{sub}/resourceGroups/MyRG"
    assert backend.get_resource_group(sub, "myrg").tags == {"a": "b"}
    backend.delete_resource_group(sub, "MYRG")
    with pytest.raises(NotFoundError) as exc:
        backend.get_resource_group(sub, "myrg")
    assert exc.value.code == "ResourceGroupNotFound"
    assert exc.value.message == "Resource group 'myrg' could not be found."


def test_resource_group_needs_subscription(backend: TenantBackend) -> None:
    with pytest.raises(NotFoundError) as exc:
        backend.create_or_update_resource_group("33333333-0000-0000-0000-000000000000", "rg", "westus")
    assert exc.value.code == "SubscriptionNotFound"


def test_vm_in_missing_group(backend: TenantBackend, sub: str) -> None:
    with pytest.raises(NotFoundError) as exc:
        backend.create_or_update_vm(sub, "nope", "vm1", "westus")
    assert exc.value.code == "ResourceGroupNotFound"


# -------------------------------------------------------------------------------------------------------- VMs
def test_vm_properties_as_arm(backend: TenantBackend, sub: str, rg: str) -> None:
    vm = backend.create_or_update_vm(sub, rg, "myVM", "westus")
    assert vm.id == resource_id(sub, rg, VM_TYPE, "myVM") and vm.type == VM_TYPE
    p = vm.properties
    assert is_guid(p["vmId"])
    assert p["hardwareProfile"] == {"vmSize": "Standard_DS1_v2"}
    assert p["storageProfile"]["imageReference"]["offer"] == "WindowsServer"
    assert p["osProfile"]["computerName"] == "myVM" and p["osProfile"]["adminUsername"]
    assert p["networkProfile"]["networkInterfaces"][0]["id"].endswith("/networkInterfaces/myVM")
    assert p["provisioningState"] == "Succeeded"
    assert vm.identity is None
    # update merges, keeps vmId
    vm2 = backend.create_or_update_vm(
        sub, rg, "MYVM", "westus", properties={"hardwareProfile": {"vmSize": "Standard_B1s"}}, tags={"t": "1"}
    )
    assert vm2.id == vm.id and vm2.properties["vmId"] == p["vmId"]
    assert vm2.properties["hardwareProfile"]["vmSize"] == "Standard_B1s"
    assert vm2.properties["osProfile"] == p["osProfile"] and vm2.tags == {"t": "1"}


def test_get_resource_not_found_message(backend: TenantBackend, sub: str, rg: str) -> None:
    rid = resource_id(sub, rg, VM_TYPE, "ghost")
    with pytest.raises(NotFoundError) as exc:
        backend.get_resource(rid)
    assert exc.value.code == "ResourceNotFound"
    assert exc.value.message == (
        "The Resource 'Microsoft.Compute/virtualMachines/ghost' under resource group 'rg1' was not found. "
        "For more details please go to https://aka.ms/ARMResourceNotFoundFix"
    )


# ------------------------------------------------------------------------------------------ system identity
@pytest.mark.parametrize(
    ("given", "arm"),
    [
        (None, "None"),
        ("none", "None"),
        ("SystemAssigned", "SystemAssigned"),
        ("systemassigned", "SystemAssigned"),
        ("UserAssigned", "UserAssigned"),
        ("SystemAssigned, UserAssigned", "SystemAssigned, UserAssigned"),
        ("SystemAssigned,UserAssigned", "SystemAssigned, UserAssigned"),
        ("SystemAssignedUserAssigned", "SystemAssigned, UserAssigned"),
    ],
)
def test_normalize_identity_type(given: str | None, arm: str) -> None:
    assert normalize_identity_type(given) == arm


def test_normalize_identity_type_rejects() -> None:
    with pytest.raises(ValidationError):
        normalize_identity_type("Everything")


def test_enable_system_identity_creates_principal(backend: TenantBackend, sub: str, rg: str) -> None:
    vm = backend.create_or_update_vm(sub, rg, "vm1", "westus", identity_type="SystemAssigned")
    ident = vm.identity
    assert ident is not None and ident.type == "SystemAssigned" and ident.tenant_id == backend.tenant_id
    assert ident.principal_id is not None and is_guid(ident.principal_id)
    sp = backend.store.get_directory_object(ident.principal_id)
    assert sp is not None
    assert sp.object_type == "ServicePrincipal" and sp.service_principal_type == "ManagedIdentity"
    assert sp.display_name == "vm1" and sp.app_id and is_guid(sp.app_id) and sp.app_id != sp.object_id
    assert sp.alternative_names == ("isExplicit=False", vm.id) and sp.resource_id == vm.id
    kinds = [e.kind for e in backend.store.recent_events()]
    assert "identity.enabled" in kinds and "principal.created" in kinds and kinds[-1] == "resource.put"


def test_reenable_keeps_principal(backend: TenantBackend, sub: str, rg: str) -> None:
    vm = backend.create_or_update_vm(sub, rg, "vm1", "westus", identity_type="SystemAssigned")
    again = backend.set_identity(vm.id, identity_type="systemassigned")
    assert again.identity == vm.identity
    same = backend.create_or_update_vm(sub, rg, "vm1", "westus")  # KEEP by default
    assert same.identity == vm.identity
    assert len(backend.store.find_directory_objects(resource_id=vm.id)) == 1


def test_disable_deletes_principal_and_orphans_assignments(backend: TenantBackend, sub: str, rg: str) -> None:
    vm = backend.create_or_update_vm(sub, rg, "vm1", "westus", identity_type="SystemAssigned")
    assert vm.identity is not None and vm.identity.principal_id
    pid = vm.identity.principal_id
    ra = backend.create_role_assignment(
        scope=f"/subscriptions/{sub}/resourceGroups/{rg}", role_definition_id=READER, principal_id=pid
    )
    assert ra.principal_type == "ServicePrincipal"
    off = backend.set_identity(vm.id, identity_type="None")
    assert off.identity is None
    assert backend.store.get_directory_object(pid) is None
    assert backend.store.get_role_assignment(ra.name) == ra  # orphaned, still there
    assert backend.principal_type_of(pid) == "Unknown"
    assert "identity.disabled" in [e.kind for e in backend.store.recent_events()]
    # enabling again gives a NEW principal
    on = backend.set_identity(vm.id, identity_type="SystemAssigned")
    assert on.identity is not None and on.identity.principal_id != pid


def test_switch_to_user_assigned_only_deletes_system_principal(
    backend: TenantBackend, sub: str, rg: str
) -> None:
    uai = backend.create_or_update_user_assigned_identity(sub, rg, "uai1", "westus")
    vm = backend.create_or_update_vm(sub, rg, "vm1", "westus", identity_type="SystemAssigned")
    assert vm.identity is not None
    pid = vm.identity.principal_id
    vm2 = backend.set_identity(vm.id, identity_type="UserAssigned", user_assigned_ids=[uai.id])
    assert vm2.identity is not None and vm2.identity.type == "UserAssigned"
    assert vm2.identity.principal_id is None and vm2.identity.tenant_id is None
    assert pid is not None and backend.store.get_directory_object(pid) is None


def test_delete_resource_deletes_principal(backend: TenantBackend, sub: str, rg: str) -> None:
    vm = backend.create_or_update_vm(sub, rg, "vm1", "westus", identity_type="SystemAssigned")
    assert vm.identity is not None and vm.identity.principal_id
    ra = backend.create_role_assignment(
        scope=f"/subscriptions/{sub}", role_definition_id=READER, principal_id=vm.identity.principal_id
    )
    backend.delete_resource(vm.id.upper())
    assert backend.store.get_resource(vm.id) is None
    assert backend.store.get_directory_object(vm.identity.principal_id) is None
    assert backend.store.get_role_assignment(ra.name) is not None
    assert backend.store.recent_events()[-1].kind == "resource.deleted"
    with pytest.raises(NotFoundError):
        backend.delete_resource(vm.id)


def test_delete_resource_group_cascades(backend: TenantBackend, sub: str, rg: str) -> None:
    vm = backend.create_or_update_vm(sub, rg, "vm1", "westus", identity_type="SystemAssigned")
    uai = backend.create_or_update_user_assigned_identity(sub, rg, "uai1", "westus")
    backend.create_or_update_resource(sub, rg, EXT_TYPE, "vm1/ext1", "westus", {"publisher": "p"})
    backend.delete_resource_group(sub, rg)
    assert backend.store.list_resources() == []
    assert vm.identity is not None and vm.identity.principal_id
    assert backend.store.get_directory_object(vm.identity.principal_id) is None
    assert backend.store.get_directory_object(uai.properties["principalId"]) is None
    assert [o.object_type for o in backend.store.list_directory_objects()] == ["User"]


# --------------------------------------------------------------------------------------- user-assigned (UAI)
def test_user_assigned_identity_resource(backend: TenantBackend, sub: str, rg: str) -> None:
    uai = backend.create_or_update_user_assigned_identity(sub, rg, "myUAI", "westus", {"k": "v"})
    assert uai.type == USER_ASSIGNED_IDENTITY_TYPE
    props = uai.properties
    assert (
        props["tenantId"] == backend.tenant_id
        and is_guid(props["principalId"])
        and is_guid(props["clientId"])
    )
    sp = backend.store.get_directory_object(props["principalId"])
    assert sp is not None and sp.app_id == props["clientId"] and sp.display_name == "myUAI"
    assert sp.alternative_names == ("isExplicit=True", uai.id)
    again = backend.create_or_update_user_assigned_identity(sub, rg, "myuai", "westus")
    assert again.properties == props and again.id == uai.id


def test_attach_user_assigned(backend: TenantBackend, sub: str, rg: str) -> None:
    u1 = backend.create_or_update_user_assigned_identity(sub, rg, "u1", "westus")
    u2 = backend.create_or_update_user_assigned_identity(sub, rg, "u2", "westus")
    vm = backend.create_or_update_vm(
        sub,
        rg,
        "vm1",
        "westus",
        identity_type="SystemAssignedUserAssigned",
        user_assigned_ids=[u1.id.lower(), u2.id],
    )
    ident = vm.identity
    assert ident is not None and ident.type == "SystemAssigned, UserAssigned" and ident.principal_id
    assert ident.user_assigned == {
        u1.id: (u1.properties["principalId"], u1.properties["clientId"]),
        u2.id: (u2.properties["principalId"], u2.properties["clientId"]),
    }
    # KEEP type with new ids replaces the list
    vm2 = backend.create_or_update_vm(sub, rg, "vm1", "westus", identity_type=KEEP, user_assigned_ids=[u2.id])
    assert vm2.identity is not None and list(vm2.identity.user_assigned) == [u2.id]
    kinds = [e.kind for e in backend.store.recent_events()]
    assert kinds.count("identity.attached") == 2 and kinds.count("identity.detached") == 1


def test_attach_missing_uai(backend: TenantBackend, sub: str, rg: str) -> None:
    ghost = resource_id(sub, rg, USER_ASSIGNED_IDENTITY_TYPE, "ghost")
    with pytest.raises(NotFoundError) as exc:
        backend.create_or_update_vm(
            sub, rg, "vm1", "westus", identity_type="UserAssigned", user_assigned_ids=[ghost]
        )
    assert "userAssignedIdentities/ghost" in exc.value.message
    assert backend.store.get_resource(resource_id(sub, rg, VM_TYPE, "vm1")) is None  # nothing written


def test_user_assigned_needs_ids(backend: TenantBackend, sub: str, rg: str) -> None:
    with pytest.raises(ValidationError):
        backend.create_or_update_vm(sub, rg, "vm1", "westus", identity_type="UserAssigned")
    u1 = backend.create_or_update_user_assigned_identity(sub, rg, "u1", "westus")
    with pytest.raises(ValidationError):
        backend.create_or_update_vm(
            sub, rg, "vm1", "westus", identity_type="SystemAssigned", user_assigned_ids=[u1.id]
        )


def test_deleting_uai_leaves_dangling_reference(backend: TenantBackend, sub: str, rg: str) -> None:
    u1 = backend.create_or_update_user_assigned_identity(sub, rg, "u1", "westus")
    vm = backend.create_or_update_vm(
        sub, rg, "vm1", "westus", identity_type="UserAssigned", user_assigned_ids=[u1.id]
    )
    backend.delete_resource(u1.id)
    assert backend.store.get_directory_object(u1.properties["principalId"]) is None
    still = backend.get_resource(vm.id)
    assert still.identity is not None and u1.id in still.identity.user_assigned
    with pytest.raises(IdentityNotFoundError):
        backend.find_identity_for_token(vm.id, client_id=u1.properties["clientId"])


# ------------------------------------------------------------------------------------- token identity lookup
def test_identities_of_and_find_identity(backend: TenantBackend, sub: str, rg: str) -> None:
    u1 = backend.create_or_update_user_assigned_identity(sub, rg, "u1", "westus")
    u2 = backend.create_or_update_user_assigned_identity(sub, rg, "u2", "westus")
    vm = backend.create_or_update_vm(
        sub,
        rg,
        "vm1",
        "westus",
        identity_type="SystemAssigned, UserAssigned",
        user_assigned_ids=[u1.id, u2.id],
    )
    ids = backend.identities_of(vm.id)
    assert (
        ids.system is not None
        and vm.identity is not None
        and ids.system.object_id == vm.identity.principal_id
    )
    assert [(r.resource_id, r.principal_id, r.client_id) for r in ids.user_assigned] == [
        (u1.id, u1.properties["principalId"], u1.properties["clientId"]),
        (u2.id, u2.properties["principalId"], u2.properties["clientId"]),
    ]
    uai_id, pid, cid = ids.user_assigned[0]  # tuple unpacking works too
    assert uai_id == u1.id
    assert backend.find_identity_for_token(vm.id) == ids.system
    assert (
        backend.find_identity_for_token(vm.id, client_id=u2.properties["clientId"].upper()).display_name
        == "u2"
    )
    assert backend.find_identity_for_token(vm.id, object_id=u1.properties["principalId"]).display_name == "u1"
    assert backend.find_identity_for_token(vm.id, mi_res_id=u2.id.lower()).display_name == "u2"
    with pytest.raises(IdentityNotFoundError) as exc:
        backend.find_identity_for_token(vm.id, client_id="00000000-0000-0000-0000-000000000000")
    assert exc.value.reason == "not_assigned"
    with pytest.raises(ValidationError):
        backend.find_identity_for_token(vm.id, client_id="a", object_id="b")


def test_find_identity_no_identity(backend: TenantBackend, sub: str, rg: str) -> None:
    vm = backend.create_or_update_vm(sub, rg, "vm1", "westus")
    with pytest.raises(IdentityNotFoundError) as exc:
        backend.find_identity_for_token(vm.id)
    assert exc.value.reason == "no_identity"
    assert backend.identities_of(vm.id).system is None
    with pytest.raises(IdentityNotFoundError) as exc2:
        backend.find_identity_for_token(resource_id(sub, rg, VM_TYPE, "ghost"))
    assert exc2.value.reason == "no_host"


def test_find_identity_single_uai_quirk(backend: TenantBackend, sub: str, rg: str) -> None:
    u1 = backend.create_or_update_user_assigned_identity(sub, rg, "u1", "westus")
    vm = backend.create_or_update_vm(
        sub, rg, "vm1", "westus", identity_type="UserAssigned", user_assigned_ids=[u1.id]
    )
    assert backend.find_identity_for_token(vm.id).display_name == "u1"


# ------------------------------------------------------------------------------------------ generic resources
def test_generic_resource_with_identity_and_children(backend: TenantBackend, sub: str, rg: str) -> None:
    app = backend.create_or_update_resource(
        sub,
        rg,
        "Microsoft.Web/sites",
        "myapp",
        "westus",
        {"defaultHostName": "myapp.azurewebsites.net"},
        identity_type="SystemAssigned",
        extra={"kind": "app"},
    )
    assert app.properties["provisioningState"] == "Succeeded" and app.extra == {"kind": "app"}
    assert app.identity is not None and app.identity.principal_id
    vm = backend.create_or_update_vm(sub, rg, "vm1", "westus")
    ext = backend.create_or_update_resource(
        sub, rg, EXT_TYPE, "vm1/ManagedIdentityExtensionForWindows", "westus", {"settings": {"port": 50342}}
    )
    assert ext.id == vm.id + "/extensions/ManagedIdentityExtensionForWindows"
    assert ext.name == "ManagedIdentityExtensionForWindows" and ext.type == EXT_TYPE
    assert backend.store.list_child_resources(vm.id) == [ext]
    with pytest.raises(NotFoundError):
        backend.create_or_update_resource(sub, rg, EXT_TYPE, "ghost/ext", "westus", {})
    with pytest.raises(ValidationError):
        backend.create_or_update_resource(sub, rg, EXT_TYPE, "justone", "westus", {})
    backend.delete_resource(vm.id)
    assert backend.store.get_resource(ext.id) is None


# ----------------------------------------------------------------------------------------- role assignments
def test_create_role_assignment_errors(backend: TenantBackend, sub: str) -> None:
    scope = f"/subscriptions/{sub}"
    ghost = "0f14a80d-42e5-4d57-afe0-46acf9dfae05"
    with pytest.raises(PrincipalNotFoundError) as exc:
        backend.create_role_assignment(scope=scope, role_definition_id=READER, principal_id=ghost)
    assert exc.value.code == "PrincipalNotFound" and exc.value.principal_id == ghost
    assert str(exc.value) == (
        f"Principal 0f14a80d42e54d57afe046acf9dfae05 does not exist in the directory {backend.tenant_id}. "
        "Check that you have the correct principal ID. If you are creating this principal and then immediately "
        "assigning a role, this error might be related to a replication delay. In this case, set the role "
        "assignment principalType property to a value, such as ServicePrincipal, User, or Group.  "
        "See https://aka.ms/docs-principaltype"
    )
    # with principalType the existence check is skipped, as Azure does
    ra = backend.create_role_assignment(
        scope=scope, role_definition_id=READER, principal_id=ghost, principal_type="ServicePrincipal"
    )
    assert ra.principal_type == "ServicePrincipal"
    with pytest.raises(ValidationError) as bad:
        backend.create_role_assignment(
            scope=scope, role_definition_id=READER, principal_id=ghost, name="not-a-guid"
        )
    assert bad.value.code == "InvalidRoleAssignmentId"
    with pytest.raises(NotFoundError) as nodef:
        backend.create_role_assignment(
            scope=scope, role_definition_id="99999999-9999-9999-9999-999999999999", principal_id=ghost
        )
    assert nodef.value.code == "RoleDefinitionDoesNotExist"
    admin = backend.admin_user()
    with pytest.raises(ValidationError) as mismatch:
        backend.create_role_assignment(
            scope=scope, role_definition_id=READER, principal_id=admin.object_id, principal_type="Group"
        )
    assert mismatch.value.code == "UnmatchedPrincipalType"
    with pytest.raises(ValidationError):
        backend.create_role_assignment(
            scope="garbage", role_definition_id=READER, principal_id=admin.object_id
        )


def test_role_assignment_exists_and_delete(backend: TenantBackend, sub: str) -> None:
    admin = backend.admin_user()
    full_def = f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{READER}"
    ra = backend.create_role_assignment(
        scope=f"/subscriptions/{sub}/",
        role_definition_id=full_def,
        principal_id=admin.object_id,
        created_by="me",
    )
    assert ra.role_definition_id == READER and ra.principal_type == "User" and ra.created_by == "me"
    assert ra.created_on == 1_700_000_000.0
    with pytest.raises(ConflictError) as exc:
        backend.create_role_assignment(
            scope=f"/SUBSCRIPTIONS/{sub}", role_definition_id=READER, principal_id=admin.object_id
        )
    assert exc.value.code == "RoleAssignmentExists"
    assert backend.delete_role_assignment(ra.name) == ra
    with pytest.raises(NotFoundError):
        backend.delete_role_assignment(ra.name)
    kinds = [e.kind for e in backend.store.recent_events()]
    assert kinds[-2:] == ["role_assignment.created", "role_assignment.deleted"]


# ------------------------------------------------------------------------------------------------ custom roles
def test_custom_roles(backend: TenantBackend, sub: str) -> None:
    rd = backend.create_or_update_custom_role(
        role_name="VM Reader",
        actions=["Microsoft.Compute/virtualMachines/read"],
        assignable_scopes=[f"/subscriptions/{sub}"],
    )
    assert rd.role_type == "CustomRole" and backend.get_role_definition(rd.id) == rd
    upd = backend.create_or_update_custom_role(
        id=rd.id, role_name="VM Reader", description="x", assignable_scopes=[f"/subscriptions/{sub}"]
    )
    assert upd.description == "x"
    with pytest.raises(ConflictError):
        backend.create_or_update_custom_role(
            role_name="vm reader", assignable_scopes=[f"/subscriptions/{sub}"]
        )
    with pytest.raises(ConflictError):
        backend.create_or_update_custom_role(id=READER, role_name="Reader2", assignable_scopes=["/"])
    with pytest.raises(ValidationError):
        backend.create_or_update_custom_role(role_name="x", assignable_scopes=[])
    admin = backend.admin_user()
    with pytest.raises(ValidationError):  # outside the assignable scopes
        backend.create_role_assignment(scope="/", role_definition_id=rd.id, principal_id=admin.object_id)
    ra = backend.create_role_assignment(
        scope=f"/subscriptions/{sub}/resourceGroups/x", role_definition_id=rd.id, principal_id=admin.object_id
    )
    with pytest.raises(ConflictError):
        backend.delete_custom_role(rd.id)
    backend.delete_role_assignment(ra.name)
    assert backend.delete_custom_role(rd.id).id == rd.id
    with pytest.raises(ConflictError):
        backend.delete_custom_role(OWNER)


# ------------------------------------------------------------------------------------------ users and groups
def test_groups_transitive(backend: TenantBackend) -> None:
    admin = backend.admin_user()
    inner = backend.create_group("inner")
    outer = backend.create_group("outer")
    backend.add_group_member(inner.object_id, admin.object_id)
    backend.add_group_member(outer.object_id, inner.object_id)
    assert set(backend.store.group_ids_of(admin.object_id)) == {inner.object_id, outer.object_id}
    assert backend.remove_group_member(outer.object_id, inner.object_id)
    assert backend.store.group_ids_of(admin.object_id) == [inner.object_id]
    assert backend.principal_type_of(inner.object_id) == "Group"


def test_create_user(backend: TenantBackend) -> None:
    u = backend.create_user("Bob", "bob@azshell.onmicrosoft.com")
    assert backend.store.find_directory_objects(user_principal_name="BOB@azshell.onmicrosoft.com") == [u]
    with pytest.raises(ConflictError):
        backend.create_user("Bob2", "bob@azshell.onmicrosoft.com")


def test_builtin_ids_cover_issue_list() -> None:
    for name in (
        "Owner",
        "Contributor",
        "Reader",
        "User Access Administrator",
        "Virtual Machine Contributor",
        "Managed Identity Operator",
        "Managed Identity Contributor",
        "Key Vault Administrator",
        "Key Vault Secrets Officer",
        "Key Vault Secrets User",
        "Key Vault Reader",
        "Key Vault Contributor",
        "Storage Blob Data Owner",
        "Storage Blob Data Contributor",
        "Storage Blob Data Reader",
        "Website Contributor",
    ):
        assert is_guid(BUILTIN_ROLE_IDS[name])


def test_to_arm_shapes(backend: TenantBackend, sub: str, rg: str) -> None:
    u1 = backend.create_or_update_user_assigned_identity(sub, rg, "u1", "westus")
    vm = backend.create_or_update_vm(
        sub, rg, "vm1", "westus", identity_type="SystemAssigned", tags={"a": "b"}
    )
    body = vm.to_arm()
    assert body["id"] == vm.id and body["name"] == "vm1" and body["type"] == VM_TYPE
    assert body["tags"] == {"a": "b"} and body["properties"]["provisioningState"] == "Succeeded"
    assert vm.identity is not None
    assert body["identity"] == {
        "type": "SystemAssigned",
        "principalId": vm.identity.principal_id,
        "tenantId": backend.tenant_id,
    }
    vm2 = backend.set_identity(vm.id, identity_type="UserAssigned", user_assigned_ids=[u1.id])
    assert vm2.identity is not None
    assert vm2.identity.to_arm() == {
        "type": "UserAssigned",
        "userAssignedIdentities": {
            u1.id: {"principalId": u1.properties["principalId"], "clientId": u1.properties["clientId"]}
        },
    }
    assert backend.store.recent_events("resource.put")[-1].data["identityType"] == "UserAssigned"
