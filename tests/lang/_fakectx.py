"""A small CommandContext for calling cmdlet classes directly in tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from azshell.lang.cmdlet import Cmdlet, CommandRegistry
from azshell.lang.filesystem import MemoryFileSystem
from azshell.lang.formatting import format_objects
from azshell.lang.runtime import StopUpstreamCommands


class Block:
    """Stands in for the evaluator's ScriptBlock: a Python function of $_ (and args)."""

    def __init__(self, fn: Callable[..., Any], text: str = "{ ... }") -> None:
        self.fn = fn
        self.text = text

    def __str__(self) -> str:
        return self.text


Block.__name__ = "ScriptBlock"
ScriptBlock = type("ScriptBlock", (Block,), {})


def sb(fn: Callable[..., Any], text: str = "{ ... }") -> Any:
    return ScriptBlock(fn, text)


class FakeCtx:
    def __init__(self, fs: Any = None, registry: CommandRegistry | None = None) -> None:
        self.services = None
        self.output: list[Any] = []
        self.errors: list[dict[str, Any]] = []
        self.warnings: list[str] = []
        self.verbose: list[str] = []
        self.host: list[str] = []
        self.vars: dict[str, Any] = {}
        self._fs = fs if fs is not None else MemoryFileSystem()
        self.registry = registry
        self.executed: list[str] = []

    def write_output(self, obj: Any) -> None:
        self.output.append(obj)

    def write_error(self, message: Any, *, category: str = "NotSpecified", error_id: str = "", target: Any = None,
                    exception: Any = None) -> None:
        self.errors.append({"message": str(message), "category": category, "error_id": error_id,
                            "target": target})

    def write_warning(self, message: str) -> None:
        self.warnings.append(message)

    def write_verbose(self, message: str) -> None:
        self.verbose.append(message)

    def write_host(self, text: str, *, newline: bool = True, color: str | None = None) -> None:
        self.host.append(text + ("\n" if newline else ""))

    def get_variable(self, name: str) -> Any:
        return self.vars.get(name.casefold())

    def set_variable(self, name: str, value: Any) -> None:
        self.vars[name.casefold()] = value

    def list_variables(self) -> dict[str, Any]:
        return dict(self.vars)

    def remove_variable(self, name: str) -> None:
        self.vars.pop(name.casefold(), None)

    def invoke_script_block(self, block: Any, args: Iterable[Any] = (), *, dollar_under: Any = None,
                            input: Iterable[Any] | None = None) -> list[Any]:
        r = block.fn(dollar_under, *list(args))
        if r is None:
            return []
        return r if isinstance(r, list) else [r]

    def format_objects(self, objects: list[Any], *, view: str = "auto", properties: list[Any] | None = None) -> str:
        views = self.registry.views if self.registry is not None else None
        return format_objects(objects, view=view, properties=properties, views=views)

    def execute_text(self, text: str) -> list[Any]:
        self.executed.append(text)
        return [text.upper()]

    @property
    def fs(self) -> Any:
        return self._fs


def run(cls: type[Cmdlet], params: dict[str, Any] | None = None, pipeline: list[Any] | None = None,
        ctx: FakeCtx | None = None) -> FakeCtx:
    """Run a cmdlet as the engine would: begin, process per input (re-binding pipeline params), end."""
    ctx = ctx or FakeCtx()
    bound = dict(params or {})
    cmd = cls(ctx, bound)  # type: ignore[arg-type]
    cmd.begin()
    try:
        if pipeline is None:
            cmd.process()
        else:
            by_value = [p.name for p in cls.params if p.value_from_pipeline]
            for item in pipeline:
                if by_value:
                    bound[by_value[0]] = item
                cmd.input = item
                cmd.process()
    except StopUpstreamCommands as stop:  # the command needs no more input (Select-Object -First)
        assert stop.source is cmd
    cmd.end()
    return ctx
