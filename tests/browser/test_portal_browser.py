"""The portal in a real Chromium: click through Identity, IAM (add + Check access), Key Vault access policies,
Data Lake Access and the 2017 VM Configuration/Extensions blades, and check the state changed through the shell; a
screenshot per blade; no console errors; no horizontal scrolling at phone width."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from azshell.planes.router import Planes
from azshell.server import AzShellServer, TokenEndpoints
from azshell.server.ca import LocalCA
from azshell.server.proxy import TlsHosts
from azshell.services.registry import open_world
from tests.browser.conftest import PHONE, horizontal_overflow, shot
from tests.cmdlets._shell import Shell
from tests.conftest import require_module

pytestmark = pytest.mark.slow

Portal = require_module("azshell.portal").Portal  # needs jinja2 (the `server` and `test` extras)


@dataclass
class Served:
    url: str
    shell: Shell
    tmp: Path


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    world = open_world(str(tmp_path / "state.db"))
    shell = Shell(world)
    shell.ok("New-AzResourceGroup -Name rg1 -Location westus | Out-Null")
    shell.ok("New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus | Out-Null")
    shell.ok("New-AzKeyVault -Name kv-browser -ResourceGroupName rg1 -Location westus -DisableRbacAuthorization"
             " | Out-Null")
    shell.ok("New-AzDataLakeStoreAccount -ResourceGroupName rg1 -Name adlsbrowser -Location eastus2 | Out-Null")
    planes = Planes(world)
    portal = Portal(planes)
    ca = LocalCA.load_or_create(str(tmp_path / "ca"))
    with AzShellServer.start(planes.dispatch, TokenEndpoints(), ca, tls_hosts=TlsHosts.of(world.registry),
                             portal=portal) as server:
        yield Served(server.url, shell, tmp_path)
    portal.close()
    world.close()


def _banner(page: Any) -> str:
    if page.locator("[role=alert]").count():
        raise AssertionError(page.locator("[role=alert]").first.inner_text())
    return str(page.locator("[role=status]").inner_text())


def test_click_through_the_tutorial_blades(served: Served, page: Any) -> None:
    visited: list[str] = []

    def go(name: str) -> None:
        page.wait_for_load_state("load")
        visited.append(page.url)
        shot(page, served.tmp, name)

    page.goto(f"{served.url}/")
    assert page.title().startswith("Azure services")
    go("home")
    page.get_by_role("link", name="Azure subscription 1").first.click()
    go("subscription")
    page.get_by_role("link", name="rg1", exact=True).first.click()
    go("resource-group")
    page.get_by_role("main").get_by_role("link", name="vm1", exact=True).click()
    go("vm-overview")

    # Identity: System assigned On, Save, the object id shows
    page.get_by_role("navigation", name="Resource menu").get_by_role("link", name="Identity").click()
    page.get_by_label("On").check()
    page.get_by_role("button", name="Save").click()
    assert "System assigned identity is on" in _banner(page)
    oid = page.locator("#principal-id").inner_text()
    assert oid == str(served.shell.ok("(Get-AzVM -ResourceGroupName rg1 -Name vm1).Identity.PrincipalId")[0])
    go("identity")

    # IAM on the resource group: Reader for the VM's identity
    page.get_by_role("link", name="rg1").first.click()
    page.get_by_role("link", name="Access control (IAM)").click()
    go("iam")
    page.get_by_role("link", name="Add role assignment").click()
    page.get_by_label("Role").select_option(label="Reader")
    page.get_by_label("Managed identity").check()
    page.get_by_role("button", name="Next: Members").click()
    page.get_by_label("Members").select_option(label="vm1 (resource group rg1)")
    go("iam-add-members")
    page.get_by_role("button", name="Review + assign").click()
    assert _banner(page) == "Added role assignment."
    rg_id = f"/subscriptions/{served.shell.sub}/resourceGroups/rg1"
    assert served.shell.ok(f"Get-AzRoleAssignment -ObjectId {oid} | ForEach-Object {{ $_.RoleDefinitionName + '@' + $_.Scope }}") \
        == [f"Reader@{rg_id}"]
    go("iam-assigned")

    # Check access for the identity: the Test-AzAccess explanation
    page.get_by_role("link", name="Check access").click()
    page.get_by_label("User, group, or managed identity").select_option(label="vm1 (resource group rg1)")
    page.get_by_role("button", name="Check access").click()
    assert "ALLOWED" in page.locator("#verdict").inner_text()
    assert "Reader" in page.locator(".decision").inner_text()
    go("check-access")

    # Key Vault: an access policy from the "Secret Management" template for the VM's identity
    page.goto(f"{served.url}{rg_id}")
    page.get_by_role("main").get_by_role("link", name="kv-browser").click()
    page.get_by_role("link", name="Access policies").click()
    page.get_by_role("link", name="+ Create").click()
    page.get_by_label("Configure from a template").select_option(label="Secret Management")
    page.get_by_label("Principal").select_option(label="vm1 (resource group rg1)")
    go("access-policy-add")
    page.get_by_role("button", name="Create", exact=True).click()
    assert _banner(page) == "Access policy added."
    perms = served.shell.ok(f"(Get-AzKeyVault -VaultName kv-browser).AccessPolicies | Where-Object ObjectId -eq '{oid}'"
                            " | ForEach-Object { $_.PermissionsToSecrets }")
    assert {str(p).lower() for p in perms} == {"get", "list", "set", "delete", "recover", "backup", "restore"}
    go("access-policies")

    # Data Lake: Data explorer -> new folder -> Access -> add the identity with Read + Execute
    page.goto(f"{served.url}{rg_id}")
    page.get_by_role("main").get_by_role("link", name="adlsbrowser").click()
    page.get_by_role("link", name="Data explorer").click()
    page.get_by_label("New folder").fill("Test1")
    page.get_by_role("button", name="Create").click()
    assert _banner(page) == "Created folder Test1."
    go("data-explorer")
    page.get_by_role("link", name="Access for Test1").click()
    page.get_by_role("link", name="+ Add").click()
    page.get_by_label("Select user or group").select_option(label="vm1 (resource group rg1)")
    page.get_by_label("This folder and all children").check()
    go("data-lake-access-add")
    page.get_by_role("button", name="Ok").click()
    assert "Added r-x" in _banner(page)
    entries = [str(e) for e in served.shell.ok(
        "Get-AzDataLakeStoreItemAclEntry -Account adlsbrowser -Path /Test1 | ForEach-Object { $_.ToString() }")]
    assert f"user:{oid}:r-x" in entries
    go("data-lake-access")

    # every page visited: no horizontal scrolling at phone width
    page.set_viewport_size(PHONE)
    for url in visited:
        page.goto(url)
        assert horizontal_overflow(page) == 0, url
    shot(page, served.tmp, "phone-data-lake-access")
    assert len(list((served.tmp / "screenshots").glob("*.png"))) >= 10


def test_click_the_2017_configuration_and_extensions_blades(served: Served, page: Any) -> None:
    """Configuration > Managed service identity "Yes" > Save: the identity and the MSI VM extension, which the
    Extensions blade lists; "No" removes both."""
    vm = f"/subscriptions/{served.shell.sub}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1"
    page.goto(f"{served.url}{vm}")
    menu = page.get_by_role("navigation", name="Resource menu")
    menu.get_by_role("link", name="Configuration").click()
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Save").click()
    assert "Managed service identity is enabled" in _banner(page)
    oid = page.locator("#principal-id").inner_text()
    assert oid == str(served.shell.ok("(Get-AzVM -ResourceGroupName rg1 -Name vm1).Identity.PrincipalId")[0])
    shot(page, served.tmp, "configuration-yes")
    configuration = page.url
    page.locator("#msi-extension").get_by_role("link", name="ManagedIdentityExtensionForWindows").click()
    row = page.get_by_role("row").filter(has_text="ManagedIdentityExtensionForWindows")
    assert "Microsoft.ManagedIdentity.ManagedIdentityExtensionForWindows" in row.inner_text()
    assert '{"port": 50342}' in row.inner_text() and "Provisioning succeeded" in row.inner_text()
    shot(page, served.tmp, "extensions")
    extensions = page.url
    page.set_viewport_size(PHONE)
    for url in (configuration, extensions):
        page.goto(url)
        assert horizontal_overflow(page) == 0, url
    page.goto(configuration)
    page.get_by_label("No", exact=True).check()
    page.get_by_role("button", name="Save").click()
    assert "Managed service identity is disabled" in _banner(page)
    assert served.shell.ok("Get-AzVMExtension -ResourceGroupName rg1 -VMName vm1") == []
    shot(page, served.tmp, "phone-configuration-no")


def test_keyboard_reaches_the_skip_link_and_the_menu(served: Served, page: Any) -> None:
    page.goto(f"{served.url}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
