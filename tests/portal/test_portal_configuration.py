"""The 2017 VM blades: Configuration's "Managed service identity" Yes/No (the system-assigned identity plus the MSI
VM extension, as Enable-Msi/Disable-Msi) and Extensions (the list the 2017 troubleshooting steps look at).
In-process; every change goes through ARM and the shell, and the VM's localhost:50342 endpoint, see it."""

from __future__ import annotations

import html
import re

from azshell.cmdlets.context import decode_claims
from tests.cmdlets._shell import render_errors
from tests.portal.conftest import Page, Tenant

WINDOWS = "ManagedIdentityExtensionForWindows"
LINUX = "ManagedIdentityExtensionForLinux"
TOKEN = ('$r = Invoke-WebRequest -Uri http://localhost:50342/oauth2/token -Method GET '
         '-Body @{resource="https://management.azure.com/"} -Headers @{Metadata="true"}; '
         '($r.Content | ConvertFrom-Json).access_token')


def _save(t: Tenant, choice: str, vm_id: str | None = None) -> Page:
    page = t.browse.post(f"{vm_id or t.vm_id}?blade=configuration",
                         {"blade": "configuration", "action": "msi", "msi": choice})
    assert page.status == 200 and not page.alert, page.alert
    return page


def _vm(t: Tenant, expr: str, name: str = "vm1") -> list[object]:
    return t.shell.ok(f"(Get-AzVM -ResourceGroupName rg1 -Name {name}){expr}")


def _extensions(t: Tenant, name: str = "vm1") -> list[str]:
    return [str(n) for n in t.shell.ok(f"Get-AzVMExtension -ResourceGroupName rg1 -VMName {name} | "
                                       "ForEach-Object Name")]


def _rows(page: Page) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", page.text, re.S)
    if body is None:
        return []
    return [[html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)]


def test_yes_turns_on_the_identity_and_installs_the_extension_whose_endpoint_answers(tenant: Tenant) -> None:
    before = tenant.browse.get(f"{tenant.vm_id}?blade=configuration")
    assert before.status == 200 and "<legend>Managed service identity</legend>" in before.text
    assert 'value="No" checked' in before.text and 'id="msi-extension">Not installed' in before.text
    assert "This operation can take 60 seconds or more to complete." in before.text
    on = _save(tenant, "Yes")
    oid = str(_vm(tenant, ".Identity.PrincipalId")[0])
    assert re.fullmatch(r"[0-9a-f-]{36}", oid)
    assert str(_vm(tenant, ".Identity.Type")[0]) == "SystemAssigned"
    assert on.status_message == f"Managed service identity is enabled: system assigned identity {oid}, extension {WINDOWS}."
    assert 'value="Yes" checked' in on.text and f'<code id="principal-id">{oid}</code>' in on.text
    assert "http://localhost:50342/oauth2/token" in on.text
    # Get-AzVM and Get-AzVMExtension see the extension, as Azure named it, with the 2017 settings
    assert [str(n) for n in _vm(tenant, ".Extensions | ForEach-Object Name")] == [WINDOWS]
    ext = "Get-AzVMExtension -ResourceGroupName rg1 -VMName vm1 -Name " + WINDOWS
    assert tenant.shell.ok(f"({ext}).Publisher") == ["Microsoft.ManagedIdentity"]
    assert tenant.shell.ok(f"({ext}).ExtensionType") == [WINDOWS]
    assert tenant.shell.ok(f"({ext}).TypeHandlerVersion") == ["1.0"]
    # on the VM, the extension's token endpoint answers for the VM's identity
    tenant.shell.ok("Enter-AzVM -ResourceGroupName rg1 -Name vm1")
    token = str(tenant.shell.ok(TOKEN)[0])
    claims = decode_claims(token)
    assert claims["oid"] == oid and claims["aud"] == "https://management.azure.com/"
    tenant.shell.ok("Exit-AzVM")


def test_no_removes_the_extension_and_the_identity_and_the_endpoint_stops(tenant: Tenant) -> None:
    _save(tenant, "Yes")
    off = _save(tenant, "No")
    assert off.status_message == (f"Managed service identity is disabled: removed extension {WINDOWS} and the "
                                  "system assigned identity.")
    assert 'value="No" checked' in off.text and "principal-id" not in off.text
    assert _vm(tenant, ".Identity.Type") in ([], [None], ["None"])
    assert _extensions(tenant) == []
    assert _rows(tenant.browse.get(f"{tenant.vm_id}?blade=extensions")) == []
    tenant.shell.ok("Enter-AzVM -ResourceGroupName rg1 -Name vm1")
    _, errs = tenant.shell.run(TOKEN)
    assert errs and "actively refused" in render_errors(errs)
    tenant.shell.ok("Exit-AzVM")
    # saving No again changes nothing and says so
    again = _save(tenant, "No")
    assert again.status_message == "Managed service identity is disabled (it was not enabled)."


def test_extensions_blade_lists_name_type_version_status_and_settings(tenant: Tenant) -> None:
    empty = tenant.browse.get(f"{tenant.vm_id}?blade=extensions")
    assert empty.status == 200 and "This virtual machine has no extensions." in empty.text
    assert 'aria-current="page">Extensions</a>' in empty.text
    _save(tenant, "Yes")
    page = tenant.browse.get(f"{tenant.vm_id}?blade=extensions")
    assert "<caption>Extensions of this virtual machine</caption>" in page.text
    assert _rows(page) == [[WINDOWS, f"Microsoft.ManagedIdentity.{WINDOWS}", "1.0", "Provisioning succeeded",
                            '{"port": 50342}']]
    assert f'<option value="{WINDOWS}">{WINDOWS}</option>' in page.text
    # uninstalling it there leaves the identity on: Configuration then says the extension is missing
    gone = tenant.browse.post(f"{tenant.vm_id}?blade=extensions",
                              {"blade": "extensions", "action": "uninstall", "name": WINDOWS})
    assert gone.status_message == f"Uninstalled extension {WINDOWS}.", gone.alert
    assert _extensions(tenant) == [] and str(_vm(tenant, ".Identity.Type")[0]) == "SystemAssigned"
    config = tenant.browse.get(f"{tenant.vm_id}?blade=configuration")
    assert "the MSI VM extension is not installed: nothing listens on localhost:50342" in config.text


def test_yes_after_todays_identity_blade_only_adds_the_extension(tenant: Tenant) -> None:
    on = tenant.browse.post(f"{tenant.vm_id}?blade=identity", {"blade": "identity", "action": "system", "status": "On"})
    assert not on.alert, on.alert
    oid = str(_vm(tenant, ".Identity.PrincipalId")[0])
    config = tenant.browse.get(f"{tenant.vm_id}?blade=configuration")
    assert 'value="Yes" checked' in config.text and "Save with Yes to install the extension." in config.text
    _save(tenant, "Yes")
    assert str(_vm(tenant, ".Identity.PrincipalId")[0]) == oid  # the same identity: not re-created
    assert _extensions(tenant) == [WINDOWS]


def test_a_linux_vm_gets_the_linux_extension(tenant: Tenant) -> None:
    tenant.shell.ok("New-AzVM -ResourceGroupName rg1 -Name lx1 -Location westus -Image UbuntuLTS | Out-Null")
    lx = tenant.vm_id.replace("/vm1", "/lx1")
    assert f"({LINUX}, the token endpoint" in tenant.browse.get(f"{lx}?blade=configuration").text
    on = _save(tenant, "Yes", lx)
    assert on.status_message.endswith(f"extension {LINUX}.")
    assert _extensions(tenant, "lx1") == [LINUX]
    oid = str(_vm(tenant, ".Identity.PrincipalId", "lx1")[0])
    tenant.shell.ok("Enter-AzVM -ResourceGroupName rg1 -Name lx1")
    assert decode_claims(str(tenant.shell.ok(TOKEN)[0]))["oid"] == oid
    tenant.shell.ok("Exit-AzVM")


def test_user_assigned_identities_stay_through_yes_and_no(tenant: Tenant) -> None:
    tenant.shell.ok(f"Update-AzVM -ResourceGroupName rg1 -VM (Get-AzVM -ResourceGroupName rg1 -Name vm1) "
                    f"-IdentityType UserAssigned -IdentityId {tenant.uai_id} | Out-Null")
    _save(tenant, "Yes")
    kind = str(_vm(tenant, ".Identity.Type")[0])
    assert "SystemAssigned" in kind and "UserAssigned" in kind
    _save(tenant, "No")
    assert str(_vm(tenant, ".Identity.Type")[0]) == "UserAssigned"
    keys = _vm(tenant, ".Identity.UserAssignedIdentities.Keys")
    assert [str(k).lower() for k in keys] == [tenant.uai_id.lower()]
    assert _extensions(tenant) == []


def test_bad_forms_and_other_resource_types(tenant: Tenant) -> None:
    none = tenant.browse.post(f"{tenant.vm_id}?blade=configuration", {"blade": "configuration", "action": "msi"})
    assert "Choose Yes or No under Managed service identity." in none.alert
    assert tenant.shell.ok("(Get-AzVM -ResourceGroupName rg1 -Name vm1).Identity.Type") in ([], [None], ["None"])
    odd = tenant.browse.post(f"{tenant.vm_id}?blade=extensions", {"blade": "extensions", "action": "uninstall",
                                                                   "name": "Nope"})
    assert odd.status_message == "The extension Nope is not installed." and "Traceback" not in odd.text
    # only a VM has these blades: elsewhere the page is the overview, and a posted form is refused
    vault = tenant.browse.get(f"{tenant.vault_id}?blade=configuration")
    assert vault.status == 200 and "blade=configuration" not in vault.text and "blade=extensions" not in vault.text
    refused = tenant.browse.post(f"{tenant.vault_id}?blade=configuration",
                                 {"blade": "configuration", "action": "msi", "msi": "Yes"})
    assert "Unknown form." in refused.alert
    missing = tenant.browse.get(f"{tenant.rg_id}/providers/Microsoft.Compute/virtualMachines/nope?blade=configuration")
    assert "ResourceNotFound" in missing.alert and "Traceback" not in missing.text


def test_the_blades_have_one_h1_labelled_controls_and_no_script(tenant: Tenant) -> None:
    vm = tenant.browse.get(tenant.vm_id)
    assert "blade=configuration" in vm.text and "blade=extensions" in vm.text
    _save(tenant, "Yes")
    for url in (f"{tenant.vm_id}?blade=configuration", f"{tenant.vm_id}?blade=extensions"):
        r = tenant.browse.raw("GET", url)
        text = r.body.decode()
        assert r.status == 200 and text.count("<h1>") == 1, url
        assert "<script" not in text and " on" + "click=" not in text
        assert "frame-ancestors 'none'" in (r.headers.get("Content-Security-Policy") or "")
        for control in re.findall(r'<(?:select|input)[^>]*\bid="([^"]+)"', text):
            assert f'for="{control}"' in text, (url, control)
        for radio in re.findall(r'<input type="radio"[^>]*>', text):
            assert re.search(re.escape(radio) + r" (?:Yes|No)</label>", text), radio
