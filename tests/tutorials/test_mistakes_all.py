"""Every hint of every tutorial: a learner who makes its mistake gets the hint, the step does not pass, and the
learner recovers with the right commands.

The cases come from the definitions: each hint carries ``mistake = {at, command, fix, skip, setup}`` (see
:mod:`azshell.tutorials.definitions`), so a new hint without a realistic mistake fails here.
"""

from __future__ import annotations

import pytest

from azshell.tutorials.definitions import Hint, Tutorial, fill, load_tutorials
from azshell.world import World
from tests.conftest import skip_or_fail
from tests.tutorials.conftest import Learner, has_linux_commands


def _cases() -> list[tuple[str, str, int, Hint]]:
    out = []
    for name, tut in load_tutorials().items():
        for i, h in enumerate(tut.hints):
            out.append((name, "tutorial", i, h))
        for step in tut.steps:
            for i, h in enumerate(step.hints):
                out.append((name, step.id, i, h))
    return out


CASES = _cases()


def test_every_hint_has_a_realistic_mistake() -> None:
    missing = [f"{name} {where} hint {i + 1}" for name, where, i, h in CASES if not h.mistake]
    assert not missing, f"hints without a 'mistake' example: {missing}"
    for name, where, _i, h in CASES:
        assert h.mistake is not None
        if where != "tutorial":
            assert h.mistake["at"] == where, name
        assert h.mistake["command"].strip(), name


def _values(learner: Learner, tut: Tutorial) -> dict[str, str]:
    return learner.engine.values(tut, learner.engine.progress_of(tut.name))


def _expand(tut: Tutorial, commands: list[str]) -> list[str]:
    """``"@<step id>"`` stands for that step's commands; comments are dropped."""
    out: list[str] = []
    for c in commands:
        if c.startswith("@"):
            out.extend(_expand(tut, list(tut.steps[tut.step_index(c[1:])].commands)))
        elif not c.lstrip().startswith("#"):
            out.append(c)
    return out


def _reach(learner: Learner, tut: Tutorial, at: str, skip: list[str]) -> None:
    """Do (or skip, if the learner skips them) the steps before ``at``."""
    while learner.current() != at:
        sid = learner.current()
        assert sid is not None, f"the tutorial ended before {at}"
        assert tut.step_index(sid) < tut.step_index(at), f"passed {at} on the way (at {sid})"
        if sid in skip:
            learner.ok("Skip-TutorialStep")
        else:
            learner.do_step(sid)
        assert learner.current() != sid, f"step {sid} did not pass"


@pytest.mark.parametrize(("name", "where", "index", "hint"), CASES,
                         ids=[f"{n}:{w}:{i + 1}" for n, w, i, _h in CASES])
def test_mistake_gets_its_hint_and_the_learner_recovers(world: World, name: str, where: str, index: int,
                                                        hint: Hint) -> None:
    learner = Learner(world)
    tut = load_tutorials()[name]
    m = hint.mistake
    assert m is not None, "every hint needs a mistake (test_every_hint_has_a_realistic_mistake)"
    at, skip = str(m["at"]), list(m.get("skip") or ())
    portal = [s.id for s in learner.engine.portal_prefix(tut)]
    # the portal steps are set up for the learner unless the mistake is made in (or skips) one of them
    prereqs = tut.step_index(at) >= len(portal) and not set(skip) & set(portal)
    learner.start(name, "-SetupPrerequisites" if prereqs else "")
    if tut.flavour == "Linux" and not has_linux_commands(learner):
        skip_or_fail("curl/az not registered", "CI must register them: they are azshell's own commands")
    _reach(learner, tut, at, skip)
    for cmd in _expand(tut, list(m.get("setup") or ())):
        learner.ok(fill(cmd, _values(learner, tut)))
    assert learner.current() == at

    command = fill("\n".join(_expand(tut, [m["command"]])), _values(learner, tut))
    _outs, host, errs = learner.type(command)
    printed = "\n".join([*host, errs])
    want = fill(hint.text, _values(learner, tut))
    assert want in printed, f"the hint did not show for:\n{command}\n--- printed ---\n{printed}"
    assert learner.current() == at and at not in learner.engine.progress_of(name).passed, "the mistake passed"

    for cmd in _expand(tut, list(m.get("fix") or [f"@{at}"])):
        learner.ok(fill(cmd, _values(learner, tut)))
    assert at in learner.engine.progress_of(name).passed, f"the fix did not pass {at}"


@pytest.mark.parametrize(("mistake", "message"), [
    ({"at": "nope", "command": "x"}, "unknown step 'nope'"),
    ({"command": "x", "skip": ["nope"]}, "unknown step 'nope'"),
    ({"at": "b", "command": "x"}, "made at its own step"),
    ({"command": "x", "fix": 3}, "must be a string or a list"),
    ({"command": "x", "typo": 1}, "unknown mistake keys"),
    ({"fix": "y"}, "needs 'at'"),
])
def test_malformed_mistakes_are_packaging_errors(mistake: dict[str, object], message: str) -> None:
    from azshell.tutorials.definitions import TutorialDefinitionError, parse_tutorial

    step = {"id": "a", "title": "A", "explanation": ".", "check": {"kind": "vm"},
            "hints": [{"when": {"kind": "command", "pattern": "x"}, "text": "t", "mistake": dict(mistake)}]}
    data = {"title": "T", "era": "current", "flavour": "PowerShell", "source": "s",
            "steps": [step, {"id": "b", "title": "B", "explanation": ".", "check": {"kind": "vm"}}]}
    if mistake.get("at") == "nope":  # a tutorial-level hint names its step
        data["hints"] = step.pop("hints")
    with pytest.raises(TutorialDefinitionError, match=message):
        parse_tutorial("t", data)
    data.pop("hints", None)
    step["hints"] = [{"when": {"kind": "command", "pattern": "x"}, "text": "t", "mistake": {"command": "x", "fix": "y"}}]
    assert parse_tutorial("t", data).steps[0].hints[0].mistake == {"at": "a", "command": "x", "fix": ["y"]}
