"""Starting a tutorial over (``Start-Tutorial -Restart``), quiet runs, and status lines in words."""

from __future__ import annotations

import re

import pytest

from azshell.tutorials.definitions import load_tutorials
from azshell.tutorials.engine import Progress, SessionView, StepCard, TutorialEngine, assigned_variables
from azshell.world import World
from tests.tutorials.conftest import Learner

CUR = "current-windows-vm-access-arm"
#: what a regular expression looks like (a status line must never show one)
REGEX = re.compile(r"\[\^|\\[.dswS]|\(\?|\.\*|\]\+|\$\)")


@pytest.mark.parametrize("name", list(load_tutorials()))
def test_status_lines_speak_english(world: World, name: str) -> None:
    """What every step's check says while it has not passed (the status line's detail) is words, not a regex."""
    engine = TutorialEngine(world)
    tut = load_tutorials()[name]
    for i, step in enumerate(tut.steps):
        prog = Progress(name=name, step=i, status="InProgress")
        result = engine.check_step(tut, prog, i, engine.context(tut, prog, SessionView()))
        assert result.ok or result.detail, f"{name} {step.id}: a failed check says nothing"
        assert not REGEX.search(result.detail), f"{name} {step.id}: {result.detail}"


def test_http_check_names_the_url(learner: Learner) -> None:
    learner.start(CUR, "-SetupPrerequisites")
    learner.do_until("call-arm")
    learner.ok("$null = 1")
    status = learner.session.tutorial_status() or ""
    assert status == (f"── step 8/8 (Call Resource Manager with the token) not passed yet: no GET of management.azure.com"
                      f"/subscriptions/{learner.sub}/resourceGroups/myResourceGroup has answered 200 on myVM yet")


def test_restart_leaves_the_host_removes_the_group_and_forgets_the_variables(learner: Learner) -> None:
    tut = learner.start(CUR)
    learner.do_until(None)
    assert learner.status(CUR) == "Completed"
    assert learner.session.services.current_host is not None  # the last steps run on the VM
    assert learner.type("$ArmToken")[0]
    host = learner.ok(f"Start-Tutorial {CUR} -Restart")
    assert host[0] == "Starting over: left myVM; removed resource group myResourceGroup."
    assert host[1].startswith("Tutorial: ")  # not quiet: the header, then the first step's card
    assert learner.session.services.current_host is None
    assert learner.world.store.get_resource_group(learner.sub, "myResourceGroup") is None
    assert learner.current() == "create-resource-group"  # nothing left that would pass a step by itself
    for var in ("vm", "spID", "response", "content", "ArmToken"):
        assert learner.type(f"${var}")[0] in ([], [None]), var
    learner.do_until(None)  # and every step is done again, without an error
    assert learner.engine.progress_of(CUR).passed == [s.id for s in tut.steps]


def test_restart_on_a_fresh_tenant_and_with_resume(learner: Learner) -> None:
    assert learner.ok(f"Start-Tutorial {CUR} -Restart -Quiet") == [
        f"▶ {CUR} started over — step 1/8: Create a resource group"]
    errs = learner.type(f"Start-Tutorial {CUR} -Restart -Resume")[2]
    assert "use one of them" in errs


def test_restart_deletes_the_tutorials_entra_group(learner: Learner) -> None:
    name = "current-qs-configure-powershell-windows-vm"
    learner.start(name)
    learner.do_until(None)
    store = learner.world.store
    assert len(store.find_directory_objects(display_name="myGroup", object_type="Group")) == 1
    host = learner.ok(f"Start-Tutorial {name} -Restart -Quiet")
    assert host == [f"▶ {name} started over (removed resource group myResourceGroup; deleted group myGroup) — "
                    "step 1/8: Create a resource group"]
    assert store.find_directory_objects(display_name="myGroup", object_type="Group") == []
    learner.do_until(None)
    assert learner.status(name) == "Completed"


def test_quiet_runs_say_one_line_per_command(learner: Learner) -> None:
    learner.ok(f"Start-Tutorial {CUR} -Quiet")
    assert learner.ok("New-AzResourceGroup -Name myResourceGroup -Location westus") == [
        "✔ Step 1 passed: Create a resource group"]
    assert learner.ok("Assert-TutorialStep create-resource-group") == [
        "✔ Step 1 (create-resource-group) has passed."]
    learner.ok(f"Start-Tutorial {CUR} -Restart")  # not quiet: the pass line, then the next step's card
    result = learner.session.execute("New-AzResourceGroup -Name myResourceGroup -Location westus")
    notes = [r.value for r in result.records if r.stream == "host"]
    assert notes[0] == "✔ Step 1 passed: Create a resource group"
    card = notes[1]
    assert isinstance(card, StepCard) and card.startswith("Step 2/8: Create the Windows VM")
    assert "<h4>Step 2/8: Create the Windows VM" in card._repr_html_()


def test_assigned_variables() -> None:
    tut = load_tutorials()[CUR]
    assert assigned_variables(tut) == ["vm", "spID", "response", "content", "ArmToken"]
