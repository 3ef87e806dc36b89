"""``Shell``: a whole-shell Session over the test world, with the helpers the script tests share.

Modules that need more (az's exit-code checks, model-state readers, ...) subclass it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from azshell.lang.cmdlet import Cmdlet, CommandRegistry
from azshell.session import Session
from azshell.world import World


def render_errors(errs: Iterable[Any]) -> str:
    """The error records' rendered text, one per line."""
    return "\n".join(e.render() if hasattr(e, "render") else str(e) for e in errs)


class Shell:
    #: the streams whose text ``ok_host`` returns next to the output objects
    host_streams: tuple[str, ...] = ("host",)

    def __init__(self, world: World) -> None:
        self.world = world
        self.session = Session(world=world)
        self.sub = world.default_subscription_id

    def run_all(self, text: str) -> tuple[list[Any], list[Any], list[str]]:
        """Run ``text``: (output objects, error records, warning texts)."""
        result = self.session.execute(text)
        outs = [r.value for r in result.records if r.stream == "output"]
        errs = [r.value for r in result.records if r.stream == "error"]
        warns = [str(r.value) for r in result.records if r.stream == "warning"]
        return outs, errs, warns

    def run(self, text: str) -> tuple[list[Any], list[Any]]:
        """Run ``text``: (output objects, error records)."""
        outs, errs, _ = self.run_all(text)
        return outs, errs

    def ok(self, text: str) -> list[Any]:
        """Run ``text``, assert it wrote no errors, and return its output objects."""
        outs, errs = self.run(text)
        assert not errs, render_errors(errs)
        return outs

    def error_text(self, text: str) -> str:
        """Run ``text``, assert it wrote errors, and return them rendered."""
        outs, errs = self.run(text)
        assert errs, f"expected an error, got {outs!r}"
        return render_errors(errs)

    def ok_host(self, text: str) -> tuple[list[Any], list[str]]:
        """Run ``text``, assert it wrote no errors: (output objects, texts written to ``host_streams``)."""
        result = self.session.execute(text)
        errs = [r.value for r in result.records if r.stream == "error"]
        assert not errs, render_errors(errs)
        outs = [r.value for r in result.records if r.stream == "output"]
        host = [str(r.value) for r in result.records if r.stream in self.host_streams]
        return outs, host

    def text(self, line: str) -> str:
        """The output objects of an error-free ``line``, as text, one per line."""
        return "\n".join(str(o) for o in self.ok(line))

    def exit_code(self) -> Any:
        return self.ok("$LASTEXITCODE")[0]

    def var(self, name: str) -> Any:
        return self.session.engine.get_variable(name)


def assert_documented_and_aliased(cls: type[Cmdlet], registry: CommandRegistry) -> None:
    """``cls`` resolves by name, has help text, and has its ``-AzureRm`` alias."""
    assert registry.resolve(cls.name) is cls
    assert cls.synopsis and cls.description and cls.examples
    rm = cls.name.replace("-Az", "-AzureRm", 1)
    assert rm in cls.aliases and registry.resolve(rm) is cls
