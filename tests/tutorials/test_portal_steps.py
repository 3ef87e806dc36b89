"""A walkthrough's portal steps: each names the portal page where it can be done ("Do it in the portal at …, or
type: …"), and doing it there — through the portal's own HTTP handlers, in-process — passes the step, as typing
the command does (the checks read the tenant, not how it changed)."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest

from azshell.controls.served import forget_served_url, record_served_url, served_url
from azshell.tutorials.definitions import TutorialDefinitionError, load_tutorials, parse_tutorial
from azshell.tutorials.engine import PORTAL_START, Progress
from azshell.tutorials.notebooks import notebook_for
from azshell.world import World
from tests.conftest import require_module
from tests.tutorials.conftest import Learner

require_module("jinja2")

from azshell.planes.router import Planes  # noqa: E402
from azshell.portal import Portal  # noqa: E402
from azshell.portal.pages import parse_scope  # noqa: E402
from tests.portal.conftest import Browse  # noqa: E402

READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
#: the blades each resource type's menu offers (azshell/portal/pages.py ``blades``); IAM is everywhere
BLADES = {"microsoft.compute/virtualmachines": {"identity", "configuration", "extensions"},
          "microsoft.web/sites": {"identity"},
          "microsoft.keyvault/vaults": {"accesspolicies", "secrets"},
          "microsoft.datalakestore/accounts": {"explorer", "access"}, "microsoft.storage/storageaccounts": {"containers"}}
PAGES = [(name, step.id) for name, tut in load_tutorials().items() for step in tut.steps if step.portal_page]
#: the 2017 "Enable MSI" steps done in the VM's Configuration blade (identity plus the MSI VM extension)
CONFIGURATION = [(name, step.id) for name, tut in load_tutorials().items() for step in tut.steps
                 if step.portal_page.endswith("?blade=configuration") and step.id != "disable"]


@pytest.fixture
def browse(world: World) -> Iterator[Browse]:
    portal = Portal(Planes(world))
    yield Browse(portal)
    portal.close()


def _page_of(learner: Learner, step_id: str) -> str:
    got = learner.engine.active()
    assert got is not None
    tut, prog = got
    link = learner.engine.portal_link(tut, prog, tut.steps[tut.step_index(step_id)])
    assert link is not None and not link[1], link  # no server recorded: the page's path
    return link[0]


def _principal(learner: Learner, vm: str = "myVM", rg: str = "myResourceGroup") -> str:
    return str(learner.session.execute(f"(Get-AzVM -ResourceGroupName {rg} -Name {vm}).Identity.PrincipalId")
               .records[0].value)


# ------------------------------------------------------------------------------------------- definitions
def test_the_portal_tutorials_and_the_doc_portal_steps_name_a_page() -> None:
    assert len(PAGES) >= 50
    named = {(n, s) for n, s in PAGES}
    for expected in [("2017-qs-configure-portal-windows-vm", "enable"), ("2017-qs-configure-portal-windows-vm", "disable"),
                     ("2017-windows-vm-access-arm", "enable-msi"), ("2017-linux-vm-access-storage", "enable-msi"),
                     ("2017-how-to-use-vm-msi-token", "enable-msi"),
                     ("current-howto-assign-access-portal", "assign"), ("2017-howto-assign-access-portal", "assign"),
                     ("current-windows-vm-access-arm", "enable-identity"), ("current-windows-vm-access-arm", "grant-reader"),
                     ("2017-windows-vm-access-nonaad-keyvault", "grant-access"),
                     ("2017-windows-vm-access-nonaad-keyvault", "create-secret"),
                     ("current-windows-vm-access-datalake", "grant-folder"),
                     ("current-windows-vm-access-storage", "create-container")]:
        assert expected in named


@pytest.mark.parametrize(("name", "step_id"), PAGES)
def test_every_portal_page_is_a_blade_the_portal_has(world: World, name: str, step_id: str) -> None:
    from azshell.tutorials.engine import TutorialEngine

    engine = TutorialEngine(world)
    tut = load_tutorials()[name]
    step = tut.steps[tut.step_index(step_id)]
    link = engine.portal_link(tut, Progress(name=name), step)
    assert link is not None
    path, live = link
    assert not live and "{" not in path and "<" not in path, path
    parts = urlsplit(path)
    scope = parse_scope(parts.path)
    assert scope is not None, path
    assert scope.subscription == world.default_subscription_id
    blade = parse_qs(parts.query)["blade"][0]
    assert blade == "iam" or blade in BLADES.get(scope.type.lower(), set()), (path, scope.type)


def test_a_portal_page_must_be_a_path() -> None:
    data = {"title": "t", "era": "current", "flavour": "PowerShell", "source": "s",
            "steps": [{"id": "a", "title": "a", "explanation": "e", "check": {"kind": "vm"},
                       "portal_page": "https://portal.azure.com/#blade"}]}
    with pytest.raises(TutorialDefinitionError, match="portal_page"):
        parse_tutorial("bad", data)


# ------------------------------------------------------------------------------------------- rendering
def test_the_step_says_where_in_the_portal_and_what_to_type(learner: Learner, world: World) -> None:
    learner.start("current-howto-assign-access-portal", "-SetupPrerequisites")
    assert learner.current() == "assign"
    storage = (f"/subscriptions/{learner.sub}/resourceGroups/myResourceGroup/providers/Microsoft.Storage/"
               "storageAccounts/mystorageacct4711")
    card = learner.type("Get-TutorialStep")[0][0]
    text = str(card.methods["tostring"]())
    assert (f"Do it in the portal ({PORTAL_START}) at:\n    {storage}?blade=iam&view=add\n  (then press Enter here: "
            "the step is checked after every command)\n  or type:") in text
    assert "New-AzRoleAssignment -ObjectId" in text
    assert f"<code>{storage}?blade=iam&amp;view=add</code> (then run" in str(card.methods["tohtml"]())
    assert f"In the portal: {storage}?blade=iam&view=add" in learner.type("Show-TutorialHint")[1][0]
    # with an `azshell serve` on the state, a live link
    record_served_url(world.store, "http://127.0.0.1:8123")
    try:
        card = learner.type("Get-TutorialStep")[0][0]
        text = str(card.methods["tostring"]())
        assert f"Do it in the portal at:\n    http://127.0.0.1:8123{storage}?blade=iam&view=add\n" in text
        html_text = str(card.methods["tohtml"]())
        assert f'<a href="http://127.0.0.1:8123{storage}?blade=iam&amp;view=add" target="_blank"' in html_text
    finally:
        forget_served_url(world.store, "http://127.0.0.1:8123")


def test_the_served_address_is_ignored_once_its_server_is_gone(world: World) -> None:
    assert served_url(world.store) is None
    record_served_url(world.store, "http://127.0.0.1:9/")
    assert served_url(world.store) == "http://127.0.0.1:9"
    forget_served_url(world.store, "http://127.0.0.1:9", pid=1)  # not ours: kept
    assert served_url(world.store) == "http://127.0.0.1:9"
    record_served_url(world.store, "http://127.0.0.1:9", pid=2 ** 22 + 12345)  # no such process
    assert served_url(world.store) is None
    world.store.set_setting("serve.url", "not json")
    assert served_url(world.store) is None


def test_the_notebook_cell_names_the_portal_page() -> None:
    nb = notebook_for(load_tutorials()["2017-qs-configure-portal-windows-vm"])
    md = "".join(next(c for c in nb["cells"] if c["id"] == "s3-md")["source"])
    assert ("**Do it in the portal** (start it with `azshell portal`, which prints its address; `Get-TutorialStep` "
            "shows the full link) at `/subscriptions/<subscription_id>/resourceGroups/myResourceGroup/providers/"
            "Microsoft.Compute/virtualMachines/myVM?blade=configuration` and go on with the check cell, or run the cell "
            "below") in md


# ------------------------------------------------------------------------------------------- done in the portal
def _extensions(learner: Learner, vm: str = "myVM", rg: str = "myResourceGroup") -> list[str]:
    return [str(r.value) for r in learner.session.execute(
        f"Get-AzVMExtension -ResourceGroupName {rg} -VMName {vm} | ForEach-Object Name").records
        if r.stream == "output"]


def test_qs_configure_portal_enable_and_remove_in_the_configuration_blade(learner: Learner, browse: Browse) -> None:
    learner.start("2017-qs-configure-portal-windows-vm", "-SetupPrerequisites")
    assert learner.current() == "enable"
    page = _page_of(learner, "enable")
    assert page.endswith("/virtualMachines/myVM?blade=configuration")
    on = browse.post(page, {"blade": "configuration", "action": "msi", "msi": "Yes"})
    assert not on.alert and "Managed service identity is enabled" in on.status_message, on.alert
    host = learner.ok("")  # back in the shell: the next line re-checks the step
    assert any("Step 3 passed: Enable MSI" in h for h in host), host
    assert _extensions(learner) == ["ManagedIdentityExtensionForWindows"]
    assert learner.current() == "disable"
    off = browse.post(_page_of(learner, "disable"), {"blade": "configuration", "action": "msi", "msi": "No"})
    assert "Managed service identity is disabled" in off.status_message, off.alert
    host = learner.ok("Get-TutorialStep")
    assert any("Step 4 passed: Remove MSI" in h for h in host), host
    assert _extensions(learner) == []
    assert learner.status("2017-qs-configure-portal-windows-vm") == "Completed"


def test_qs_configure_portal_todays_identity_blade_is_not_the_2017_msi(learner: Learner, browse: Browse) -> None:
    """The identity alone (today's Identity blade) does not pass the 2017 step: the hint names the missing
    extension, and the Configuration blade's "Yes" adds it; "Off" in the Identity blade leaves it behind."""
    learner.start("2017-qs-configure-portal-windows-vm", "-SetupPrerequisites")
    vm = _page_of(learner, "enable").partition("?")[0]
    on = browse.post(f"{vm}?blade=identity", {"blade": "identity", "action": "system", "status": "On"})
    assert not on.alert, on.alert
    hints = learner.hints("")
    assert learner.current() == "enable"
    assert any("has its system-assigned identity but not the MSI VM extension" in h for h in hints), hints
    assert "Save with Yes to install the extension." in browse.get(f"{vm}?blade=configuration").text
    browse.post(f"{vm}?blade=configuration", {"blade": "configuration", "action": "msi", "msi": "Yes"})
    learner.ok("")
    assert learner.current() == "disable"
    off = browse.post(f"{vm}?blade=identity", {"blade": "identity", "action": "system", "status": "Off"})
    assert not off.alert, off.alert
    hints = learner.hints("")
    assert learner.current() == "disable"
    assert any("still installed" in h for h in hints), hints
    gone = browse.post(f"{vm}?blade=extensions", {"blade": "extensions", "action": "uninstall",
                                                  "name": "ManagedIdentityExtensionForWindows"})
    assert "Uninstalled extension" in gone.status_message, gone.alert
    learner.ok("")
    assert learner.status("2017-qs-configure-portal-windows-vm") == "Completed"


@pytest.mark.parametrize(("name", "step_id"), CONFIGURATION)
def test_2017_enable_msi_steps_pass_with_the_configuration_blade(learner: Learner, browse: Browse, name: str,
                                                                 step_id: str) -> None:
    learner.start(name)
    learner.do_until(step_id)
    on = browse.post(_page_of(learner, step_id), {"blade": "configuration", "action": "msi", "msi": "Yes"})
    assert not on.alert and "Managed service identity is enabled" in on.status_message, on.alert
    learner.ok("")
    assert learner.current() != step_id, learner.engine.progress_of(name)
    assert step_id in learner.engine.progress_of(name).passed


def test_qs_configure_portal_still_passes_when_typed(learner: Learner) -> None:
    learner.start("2017-qs-configure-portal-windows-vm", "-SetupPrerequisites")
    learner.do_until(None)
    assert learner.status("2017-qs-configure-portal-windows-vm") == "Completed"


def test_assign_access_portal_role_assignment_added_in_iam(learner: Learner, browse: Browse) -> None:
    learner.start("current-howto-assign-access-portal", "-SetupPrerequisites")
    assert learner.current() == "assign"
    page = _page_of(learner, "assign")
    role = f"/subscriptions/{learner.sub}/providers/Microsoft.Authorization/roleDefinitions/{CONTRIBUTOR}"
    oid = _principal(learner)
    form = browse.get(page)
    assert form.status == 200 and f'value="{role}"' in form.text
    members = browse.get(f"{page}&step=members&assign_to=mi&role={quote(role)}")
    assert f'value="ServicePrincipal:{oid}">myVM' in members.text
    done = browse.post(page.replace("&view=add", ""), {"blade": "iam", "action": "assign", "role": role,
                                                        "member": f"ServicePrincipal:{oid}"})
    assert "Added role assignment." in done.status_message, done.alert
    host = learner.ok("")
    assert any("passed" in h for h in host), host
    assert learner.status("current-howto-assign-access-portal") == "Completed"


def test_arm_tutorial_identity_and_reader_in_the_portal(learner: Learner, browse: Browse) -> None:
    learner.start("current-windows-vm-access-arm")
    learner.do_until("enable-identity")
    on = browse.post(_page_of(learner, "enable-identity"), {"blade": "identity", "action": "system", "status": "On"})
    assert not on.alert, on.alert
    learner.ok("")
    assert learner.current() == "grant-reader"
    oid = _principal(learner)
    page = _page_of(learner, "grant-reader")
    assert page.startswith(f"/subscriptions/{learner.sub}/resourceGroups/myResourceGroup?blade=iam")
    role = f"/subscriptions/{learner.sub}/providers/Microsoft.Authorization/roleDefinitions/{READER}"
    done = browse.post(page, {"blade": "iam", "action": "assign", "role": role, "member": f"ServicePrincipal:{oid}"})
    assert "Added role assignment." in done.status_message, done.alert
    learner.ok("")
    assert learner.current() not in ("grant-reader", "enable-identity")


def test_keyvault_policy_and_secret_in_the_portal(learner: Learner, browse: Browse) -> None:
    name = "current-windows-vm-access-nonaad-keyvault"
    tut = learner.start(name)
    learner.do_until("grant-access")
    oid = _principal(learner)
    page = _page_of(learner, "grant-access")
    form = browse.get(page)
    assert "Secret Management" in form.text and f"ServicePrincipal:{oid}" in form.text
    added = browse.post(page, {"blade": "accesspolicies", "action": "add_policy", "template": "Secret Management",
                               "principal": f"ServicePrincipal:{oid}"})
    assert "Access policy added." in added.status_message, added.alert
    learner.ok("")
    assert learner.current() == "create-secret"
    values = learner.engine.values(tut, learner.engine.progress_of(name))
    made = browse.post(_page_of(learner, "create-secret"), {"blade": "secrets", "action": "add_secret",
                                                             "name": values["secret"],
                                                             "value": values.get("secret_value", "s3cret")})
    assert "has been created" in made.status_message, made.alert
    learner.ok("")
    assert learner.current() not in ("grant-access", "create-secret")


def test_datalake_folder_and_acls_in_the_data_explorer(learner: Learner, browse: Browse) -> None:
    name = "current-windows-vm-access-datalake"
    tut = learner.start(name)
    learner.do_until("grant-root")
    oid = _principal(learner)
    folder = learner.engine.values(tut, learner.engine.progress_of(name))["folder"]
    root = browse.post(_page_of(learner, "grant-root"), {"blade": "access", "action": "add_acl",
                                                         "principal": f"ServicePrincipal:{oid}", "read": "1",
                                                         "execute": "1", "add_to": "this", "add_as": "access"})
    assert "Added r-x" in root.status_message, root.alert
    learner.ok("")
    assert learner.current() == "create-folder"
    made = browse.post(_page_of(learner, "create-folder"), {"blade": "explorer", "action": "mkdir", "name": folder})
    assert not made.alert, made.alert
    learner.ok("")
    assert learner.current() == "grant-folder"
    page = _page_of(learner, "grant-folder")
    assert re.search(rf"path=/{folder}\b", page)
    both = browse.post(page, {"blade": "access", "action": "add_acl", "principal": f"ServicePrincipal:{oid}",
                              "read": "1", "write": "1", "execute": "1", "add_to": "this", "add_as": "both"})
    assert "Added rwx" in both.status_message, both.alert
    learner.ok("")
    assert learner.current() not in ("grant-root", "create-folder", "grant-folder")


def test_storage_container_and_role_in_the_portal(learner: Learner, browse: Browse) -> None:
    name = "current-windows-vm-access-storage"
    tut = learner.start(name)
    learner.do_until("create-container")
    container = learner.engine.values(tut, learner.engine.progress_of(name))["container"]
    made = browse.post(_page_of(learner, "create-container"), {"blade": "containers", "action": "add_container",
                                                               "name": container})
    assert f"Created container {container}." in made.status_message, made.alert
    learner.ok("")
    assert learner.current() != "create-container"


# ------------------------------------------------------------------------------------------- a real server
def test_azshell_portal_records_its_address_for_the_walkthrough_and_removes_it(tmp_path: Path) -> None:
    """``azshell portal`` on a state file: a shell on the same file shows live links while it runs."""
    from azshell.services.registry import open_world
    from tests.portal.test_portal_cli import ROOT, _env
    from tests.server.conftest import seed_tenant

    state = str(tmp_path / "state.db")
    seed_tenant(state).world.close()
    proc = subprocess.Popen([sys.executable, "-m", "azshell", "--state", state, "portal", "--port", "0"], cwd=ROOT,
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    world = open_world(state)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().rstrip("\n")
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", first), first
        deadline = time.monotonic() + 30
        while served_url(world.store) is None:
            assert time.monotonic() < deadline and proc.poll() is None, "the server recorded no address"
            time.sleep(0.1)
        assert served_url(world.store) == first.rstrip("/")
        learner = Learner(world)
        learner.start("2017-qs-configure-portal-windows-vm", "-SetupPrerequisites")
        text = str(learner.type("Get-TutorialStep")[0][0].methods["tostring"]())
        vm = f"/subscriptions/{learner.sub}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/virtualMachines/myVM"
        assert f"Do it in the portal at:\n    {first.rstrip('/')}{vm}?blade=configuration\n" in text
        page = httpx.get(f"{first.rstrip('/')}{vm}?blade=configuration", timeout=10, trust_env=False)
        assert page.status_code == 200 and "Managed service identity" in page.text
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    try:
        assert proc.returncode == 0, err
        assert served_url(world.store) is None
        assert world.store.get_setting("serve.url") is None
    finally:
        world.close()
