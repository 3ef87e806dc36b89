"""A scripted learner over ``Session(world=...)``: types commands, collects what the shell says."""

from __future__ import annotations

from typing import Any

import pytest

from azshell.session import Session
from azshell.tutorials.definitions import Tutorial, get_tutorial
from azshell.tutorials.engine import TutorialEngine
from azshell.world import World


class Learner:
    def __init__(self, world: World) -> None:
        self.session = Session(world=world)
        self.world = world
        self.sub = world.default_subscription_id
        self.engine = TutorialEngine(world)

    def type(self, text: str) -> tuple[list[Any], list[str], str]:
        """Run ``text``: (outputs, host lines, rendered errors)."""
        result = self.session.execute(text)
        outs = [r.value for r in result.records if r.stream == "output"]
        host = [str(r.value) for r in result.records if r.stream == "host"]
        errs = "\n".join(self.session.render_text(r) for r in result.records if r.stream == "error")
        return outs, host, errs

    def ok(self, text: str) -> list[str]:
        outs, host, errs = self.type(text)
        assert not errs, f"{text}\n{errs}"
        return host

    def hints(self, text: str) -> list[str]:
        return [h for h in self.type(text)[1] if "Hint:" in h]

    def start(self, name: str, *extra: str) -> Tutorial:
        tut = get_tutorial(name)
        assert tut is not None
        self.ok(f"Start-Tutorial {name} {' '.join(extra)}")
        return tut

    def current(self) -> str | None:
        got = self.engine.active()
        return None if got is None else got[0].steps[got[1].step].id

    def commands(self, step_id: str) -> list[str]:
        got = self.engine.active()
        assert got is not None, "no active tutorial"
        tut, prog = got
        return self.engine.step_commands(tut, prog, tut.steps[tut.step_index(step_id)])

    def do_step(self, step_id: str) -> list[str]:
        """Type the step's commands (as shown now); the host lines of the last one."""
        assert self.current() == step_id, f"expected to be at {step_id}, at {self.current()}"
        host: list[str] = []
        for c in self.commands(step_id):
            if c.lstrip().startswith("#"):
                continue
            host = self.ok(c)
        return host

    def do_until(self, step_id: str | None) -> None:
        """Do every step up to (not including) ``step_id`` (None: to the end)."""
        while self.current() is not None and self.current() != step_id:
            sid = self.current()
            assert sid is not None
            self.do_step(sid)
            assert self.current() != sid, f"step {sid} did not pass"

    def status(self, name: str) -> str:
        return self.engine.progress_of(name).status


@pytest.fixture
def learner(world: World) -> Learner:
    return Learner(world)


def has_linux_commands(learner: Learner) -> bool:
    reg = learner.session.registry
    return reg.resolve("curl") is not None and reg.resolve("az") is not None
