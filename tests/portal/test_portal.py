"""The portal's pages and blades, in-process: every change goes through the planes and the shell sees it."""

from __future__ import annotations

import html
import re
from urllib.parse import quote

from tests.portal.conftest import Tenant

READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"


def _principal_of(t: Tenant, name: str = "vm1") -> str:
    return str(t.shell.ok(f"(Get-AzVM -ResourceGroupName rg1 -Name {name}).Identity.PrincipalId")[0])


def _enable_identity(t: Tenant) -> str:
    page = t.browse.post(f"{t.vm_id}?blade=identity", {"blade": "identity", "action": "system", "status": "On"})
    assert page.status == 200 and not page.alert, page.alert
    return _principal_of(t)


def test_home_subscription_and_group_list_what_arm_lists(tenant: Tenant) -> None:
    home = tenant.browse.get("/")
    assert home.status == 200
    assert "Azure subscription 1" in home.text and tenant.sub in home.text
    assert 'href="/subscriptions/' in home.text and ">vm1</a>" in home.text and "Key vault" in home.text
    sub = tenant.browse.get(f"/subscriptions/{tenant.sub}")
    assert f'href="{tenant.rg_id}"' in sub.text
    group = tenant.browse.get(tenant.rg_id)
    for name in ("vm1", "id1", "kv-portal", "adlsportal"):
        assert f">{name}</a>" in group.text
    assert "Data Lake Storage Gen1" in group.text and "Managed Identity" in group.text


def test_resource_overview_and_menu_by_type(tenant: Tenant) -> None:
    vm = tenant.browse.get(tenant.vm_id)
    assert vm.status == 200 and "Virtual machine" in vm.text
    assert "blade=identity" in vm.text and "blade=iam" in vm.text and "blade=secrets" not in vm.text
    vault = tenant.browse.get(tenant.vault_id)
    assert "blade=accesspolicies" in vault.text and "blade=secrets" in vault.text and "blade=identity" not in vault.text
    assert "https://kv-portal.vault.azure.net/" in vault.text
    store = tenant.browse.get(tenant.store_id)
    assert "blade=explorer" in store.text


def test_identity_on_shows_the_object_id_and_the_shell_sees_it(tenant: Tenant) -> None:
    before = tenant.browse.get(f"{tenant.vm_id}?blade=identity")
    assert 'value="Off" checked' in before.text and "principal-id" not in before.text
    oid = _enable_identity(tenant)
    assert re.fullmatch(r"[0-9a-f-]{36}", oid)
    page = tenant.browse.get(f"{tenant.vm_id}?blade=identity")
    assert f'<code id="principal-id">{oid}</code>' in page.text and 'value="On" checked' in page.text
    off = tenant.browse.post(f"{tenant.vm_id}?blade=identity", {"blade": "identity", "action": "system",
                                                                 "status": "Off"})
    assert "System assigned identity is off." in off.status_message
    assert tenant.shell.ok("(Get-AzVM -ResourceGroupName rg1 -Name vm1).Identity.Type") in ([], [None], ["None"])


def test_user_assigned_add_and_remove(tenant: Tenant) -> None:
    _enable_identity(tenant)
    tab = tenant.browse.get(f"{tenant.vm_id}?blade=identity&tab=user")
    assert f'<option value="{tenant.uai_id}">id1' in tab.text
    added = tenant.browse.post(f"{tenant.vm_id}?blade=identity&tab=user",
                               {"blade": "identity", "action": "add_user", "identity": tenant.uai_id})
    assert not added.alert, added.alert
    assert "Added user assigned identity id1." in added.status_message
    kind = tenant.shell.ok("(Get-AzVM -ResourceGroupName rg1 -Name vm1).Identity.Type")[0]
    assert "UserAssigned" in str(kind) and "SystemAssigned" in str(kind)
    keys = tenant.shell.ok("(Get-AzVM -ResourceGroupName rg1 -Name vm1).Identity.UserAssignedIdentities.Keys")
    assert [str(k).lower() for k in keys] == [tenant.uai_id.lower()]
    removed = tenant.browse.post(f"{tenant.vm_id}?blade=identity&tab=user",
                                 {"blade": "identity", "action": "remove_user", "identity": tenant.uai_id})
    assert not removed.alert, removed.alert
    assert str(tenant.shell.ok("(Get-AzVM -ResourceGroupName rg1 -Name vm1).Identity.Type")[0]) == "SystemAssigned"


def test_iam_add_role_assignment_for_the_vm_identity_then_remove(tenant: Tenant) -> None:
    oid = _enable_identity(tenant)
    role_id = f"/subscriptions/{tenant.sub}/providers/Microsoft.Authorization/roleDefinitions/{READER}"
    iam = tenant.browse.get(f"{tenant.rg_id}?blade=iam")
    assert "Owner" in iam.text and "(Inherited)" in iam.text  # the admin's Owner on the subscription
    step1 = tenant.browse.get(f"{tenant.rg_id}?blade=iam&view=add")
    assert "Privileged administrator roles" in step1.text and f'value="{role_id}"' in step1.text
    step2 = tenant.browse.get(f"{tenant.rg_id}?blade=iam&view=add&step=members&assign_to=mi&role={quote(role_id)}")
    assert f'value="ServicePrincipal:{oid}">vm1 (resource group rg1)' in step2.text
    assert '<optgroup label="Virtual machine">' in step2.text
    done = tenant.browse.post(f"{tenant.rg_id}?blade=iam", {"blade": "iam", "action": "assign", "role": role_id,
                                                             "member": f"ServicePrincipal:{oid}"})
    assert "Added role assignment." in done.status_message, done.alert
    found = tenant.shell.ok(f"Get-AzRoleAssignment -ObjectId {oid} | ForEach-Object {{ $_.RoleDefinitionName + '@' + $_.Scope }}")
    assert found == [f"Reader@{tenant.rg_id}"]
    listed = tenant.browse.get(f"{tenant.rg_id}?blade=iam")
    row = re.search(r"<tr><td>vm1<br>.*?</tr>", listed.text, re.S)
    assert row is not None and "Reader" in row.group(0) and "This resource" in row.group(0)
    assignment = re.search(r'name="assignment" value="([^"]+)"', row.group(0))
    assert assignment is not None
    # the VM inherits it: on the VM's IAM page it is marked inherited, without a Remove button
    on_vm = tenant.browse.get(f"{tenant.vm_id}?blade=iam")
    vm_row = re.search(r"<tr><td>vm1<br>.*?</tr>", on_vm.text, re.S)
    assert vm_row is not None and "(Inherited)" in vm_row.group(0) and "Remove" not in vm_row.group(0)
    gone = tenant.browse.post(f"{tenant.rg_id}?blade=iam", {"blade": "iam", "action": "remove",
                                                             "assignment": assignment.group(1)})
    assert "Removed role assignment." in gone.status_message
    assert tenant.shell.ok(f"Get-AzRoleAssignment -ObjectId {oid}") == []


def test_check_access_shows_the_test_azaccess_explanation(tenant: Tenant) -> None:
    oid = _enable_identity(tenant)
    tenant.shell.ok(f"New-AzRoleAssignment -ObjectId {oid} -RoleDefinitionName Reader -Scope {tenant.vm_id} | Out-Null")
    form = tenant.browse.get(f"{tenant.rg_id}?blade=iam&view=check")
    assert f'value="ServicePrincipal:{oid}"' in form.text and "Microsoft.Resources/subscriptions/resourceGroups/read" in form.text
    denied = tenant.browse.get(f"{tenant.rg_id}?blade=iam&view=check&principal=ServicePrincipal:{oid}")
    assert "✗ DENIED" in denied.text
    # the same evidence Test-AzAccess shows: the assignment on the child scope does not cover the group
    not_in_scope = tenant.shell.ok(f"(Test-AzAccess -ObjectId {oid} -Action "
                                   f"Microsoft.Resources/subscriptions/resourceGroups/read -Scope {tenant.rg_id}).NotInScope")
    assert not_in_scope
    for line in not_in_scope:
        text, _, why = str(line).partition(": ")
        assert text in html.unescape(denied.text) and why in html.unescape(denied.text)
    assert "Not in scope" in denied.text and "New-AzRoleAssignment" in denied.text
    allowed = tenant.browse.get(f"{tenant.vm_id}?blade=iam&view=check&principal=ServicePrincipal:{oid}")
    assert "✓ ALLOWED" in allowed.text and "Microsoft.Compute/virtualMachines/read" in allowed.text
    assert "Reader" in allowed.text


def test_key_vault_access_policy_from_a_template(tenant: Tenant) -> None:
    oid = _enable_identity(tenant)
    add = tenant.browse.get(f"{tenant.vault_id}?blade=accesspolicies&view=add")
    for name in ("Secret Management", "Key &amp; Secret Management", "Secret &amp; Certificate Management"):
        assert f">{name}</option>" in add.text
    done = tenant.browse.post(f"{tenant.vault_id}?blade=accesspolicies&view=add",
                              {"blade": "accesspolicies", "action": "add_policy", "template": "Secret Management",
                               "principal": f"ServicePrincipal:{oid}"})
    assert "Access policy added." in done.status_message, done.alert
    perms = tenant.shell.ok(f"(Get-AzKeyVault -VaultName kv-portal).AccessPolicies | Where-Object ObjectId -eq '{oid}' | "
                            "ForEach-Object { $_.PermissionsToSecrets }")
    assert sorted(str(p).lower() for p in perms) == sorted(
        ["get", "list", "set", "delete", "recover", "backup", "restore"])
    assert "vm1" not in done.text or oid in done.text
    gone = tenant.browse.post(f"{tenant.vault_id}?blade=accesspolicies", {"blade": "accesspolicies",
                                                                           "action": "remove_policy", "object_id": oid})
    assert "Access policy removed." in gone.status_message, gone.alert
    assert tenant.shell.ok(f"(Get-AzKeyVault -VaultName kv-portal).AccessPolicies | Where-Object ObjectId -eq '{oid}'") == []


def test_key_vault_permission_model_and_secrets(tenant: Tenant) -> None:
    made = tenant.browse.post(f"{tenant.vault_id}?blade=secrets&view=add",
                              {"blade": "secrets", "action": "add_secret", "name": "db-password", "value": "s3cr3t!"})
    assert "The secret 'db-password' has been created." in made.status_message, made.alert
    assert tenant.shell.ok("Get-AzKeyVaultSecret -VaultName kv-portal -Name db-password -AsPlainText") == ["s3cr3t!"]
    listed = tenant.browse.get(f"{tenant.vault_id}?blade=secrets")
    assert "db-password" in listed.text and "s3cr3t!" not in listed.text
    shown = tenant.browse.get(f"{tenant.vault_id}?blade=secrets&secret=db-password")
    assert '<code id="secret-value">s3cr3t!</code>' in shown.text
    # switch to RBAC: the admin (Owner, no data role) is refused by the data plane, in Azure's words
    rbac = tenant.browse.post(f"{tenant.vault_id}?blade=accesspolicies", {"blade": "accesspolicies",
                                                                          "action": "model", "model": "rbac"})
    assert "Azure role-based access control" in rbac.status_message
    assert tenant.shell.ok("(Get-AzKeyVault -VaultName kv-portal).EnableRbacAuthorization") == [True]
    refused = tenant.browse.get(f"{tenant.vault_id}?blade=secrets")
    assert refused.status == 200 and "Forbidden" in refused.alert and "Traceback" not in refused.text


def test_bad_names_show_the_planes_error(tenant: Tenant) -> None:
    page = tenant.browse.post(f"{tenant.vault_id}?blade=secrets&view=add",
                              {"blade": "secrets", "action": "add_secret", "name": "bad name", "value": "x"})
    assert "letters, digits and dashes" in page.alert
    bad_role = tenant.browse.post(f"{tenant.rg_id}?blade=iam", {
        "blade": "iam", "action": "assign", "member": "User:00000000-0000-0000-0000-000000000001",
        "role": f"/subscriptions/{tenant.sub}/providers/Microsoft.Authorization/roleDefinitions/"
                "11111111-1111-1111-1111-111111111111"})
    assert "RoleDefinitionDoesNotExist" in bad_role.alert and "Traceback" not in bad_role.text


def test_data_lake_explorer_and_access(tenant: Tenant) -> None:
    oid = _enable_identity(tenant)
    made = tenant.browse.post(f"{tenant.store_id}?blade=explorer&path=/",
                              {"blade": "explorer", "action": "mkdir", "name": "Test1"})
    assert "Created folder Test1." in made.status_message, made.alert
    tenant.browse.post(f"{tenant.store_id}?blade=explorer&path=/Test1",
                       {"blade": "explorer", "action": "mkdir", "name": "inner"})
    root = tenant.browse.get(f"{tenant.store_id}?blade=explorer")
    assert ">Test1</a>" in root.text
    form = tenant.browse.get(f"{tenant.store_id}?blade=access&path=/Test1&view=add")
    assert "This folder and all children" in form.text and f'value="ServicePrincipal:{oid}"' in form.text
    done = tenant.browse.post(f"{tenant.store_id}?blade=access&path=/Test1&view=add", {
        "blade": "access", "action": "add_acl", "principal": f"ServicePrincipal:{oid}", "read": "1",
        "execute": "1", "add_to": "children", "add_as": "both"})
    assert "Added r-x" in done.status_message, done.alert
    for path in ("/Test1", "/Test1/inner"):
        entries = [str(e) for e in tenant.shell.ok(
            f"Get-AzDataLakeStoreItemAclEntry -Account adlsportal -Path {path} | ForEach-Object {{ $_.ToString() }}")]
        assert f"user:{oid}:r-x" in entries and f"default:user:{oid}:r-x" in entries, entries
    page = tenant.browse.get(f"{tenant.store_id}?blade=access&path=/Test1")
    assert "vm1" in page.text and "Default" in page.text
    removed = tenant.browse.post(f"{tenant.store_id}?blade=access&path=/Test1",
                                 {"blade": "access", "action": "remove_acl", "spec": f"user:{oid}:r-x"})
    assert "Removed the entry." in removed.status_message
    entries = [str(e) for e in tenant.shell.ok(
        "Get-AzDataLakeStoreItemAclEntry -Account adlsportal -Path /Test1 | ForEach-Object { $_.ToString() }")]
    assert f"user:{oid}:r-x" not in entries and f"default:user:{oid}:r-x" in entries


def test_cross_origin_posts_and_foreign_hosts_are_refused(tenant: Tenant) -> None:
    form = {"blade": "identity", "action": "system", "status": "On"}
    r = tenant.browse.raw("POST", f"{tenant.vm_id}?blade=identity", form=form,
                          headers={"Origin": "http://evil.example"})
    assert r.status == 403 and b"another site" in r.body
    r = tenant.browse.raw("POST", f"{tenant.vm_id}?blade=identity", form=form,
                          headers={"Origin": "http://127.0.0.1:9999"})
    assert r.status == 403
    assert tenant.shell.ok("(Get-AzVM -ResourceGroupName rg1 -Name vm1).Identity.Type") in ([], [None], ["None"])
    r = tenant.browse.raw("GET", "/", headers={"Host": "rebound.example:8123"})
    assert r.status == 421
    assert tenant.browse.get("/nothing/here").status == 404
    assert tenant.browse.raw("DELETE", "/").status == 405


def test_every_page_has_one_h1_labels_and_security_headers(tenant: Tenant) -> None:
    _enable_identity(tenant)
    urls = ["/", f"/subscriptions/{tenant.sub}", tenant.rg_id, tenant.vm_id, f"{tenant.vm_id}?blade=identity",
            f"{tenant.vm_id}?blade=identity&tab=user", f"{tenant.rg_id}?blade=iam&view=add",
            f"{tenant.rg_id}?blade=iam&view=check", f"{tenant.vault_id}?blade=accesspolicies&view=add",
            f"{tenant.vault_id}?blade=secrets&view=add", f"{tenant.store_id}?blade=explorer",
            f"{tenant.store_id}?blade=access&view=add"]
    for url in urls:
        r = tenant.browse.raw("GET", url)
        text = r.body.decode()
        assert r.status == 200, url
        assert text.count("<h1>") == 1, url
        assert "frame-ancestors 'none'" in (r.headers.get("Content-Security-Policy") or "")
        assert "<script" not in text
        for control in re.findall(r'<(?:select|input)[^>]*\bid="([^"]+)"', text):
            assert f'for="{control}"' in text, (url, control)


def test_storage_containers_with_the_access_key_and_with_entra(tenant: Tenant) -> None:
    tenant.shell.ok("New-AzStorageAccount -ResourceGroupName rg1 -Name stportal -Location westus -SkuName Standard_LRS"
                    " | Out-Null")
    account = f"{tenant.rg_id}/providers/Microsoft.Storage/storageAccounts/stportal"
    assert "blade=containers" in tenant.browse.get(account).text
    made = tenant.browse.post(f"{account}?blade=containers", {"blade": "containers", "action": "add_container",
                                                               "name": "images", "auth": "key"})
    assert "Created container images." in made.status_message, made.alert
    assert "<td>images</td>" in made.text and "Access key" in made.text
    names = tenant.shell.ok("$ctx = New-AzStorageContext -StorageAccountName stportal -StorageAccountKey "
                            "(Get-AzStorageAccountKey -ResourceGroupName rg1 -Name stportal)[0].Value; "
                            "Get-AzStorageContainer -Context $ctx | ForEach-Object Name")
    assert names == ["images"]
    # with the admin's Entra token RBAC decides: containers/read and /write are Owner's (control-plane actions)
    entra = tenant.browse.post(f"{account}?blade=containers&auth=entra", {
        "blade": "containers", "action": "add_container", "name": "docs", "auth": "entra"})
    assert not entra.alert and "Microsoft Entra user account" in entra.text
    assert "<td>images</td>" in entra.text and "<td>docs</td>" in entra.text
    bad = tenant.browse.post(f"{account}?blade=containers", {"blade": "containers", "action": "add_container",
                                                              "name": "No_Good", "auth": "key"})
    assert "Container names are 3-63" in bad.alert


def test_web_app_identity_and_a_missing_resource(tenant: Tenant) -> None:
    tenant.shell.ok("New-AzWebApp -ResourceGroupName rg1 -Name web-portal -Location westus | Out-Null")
    site = f"{tenant.rg_id}/providers/Microsoft.Web/sites/web-portal"
    on = tenant.browse.post(f"{site}?blade=identity", {"blade": "identity", "action": "system", "status": "On"})
    assert "System assigned identity is on" in on.status_message, on.alert
    oid = str(tenant.shell.ok("(Get-AzWebApp -ResourceGroupName rg1 -Name web-portal).Identity.PrincipalId")[0])
    assert f'<code id="principal-id">{oid}</code>' in on.text
    added = tenant.browse.post(f"{site}?blade=identity&tab=user",
                               {"blade": "identity", "action": "add_user", "identity": tenant.uai_id})
    assert not added.alert, added.alert
    assert "UserAssigned" in str(tenant.shell.ok("(Get-AzWebApp -ResourceGroupName rg1 -Name web-portal).Identity.Type")[0])
    missing = tenant.browse.get(f"{tenant.rg_id}/providers/Microsoft.Web/sites/nope?blade=identity")
    assert missing.status == 200 and "ResourceNotFound" in missing.alert and "Traceback" not in missing.text
