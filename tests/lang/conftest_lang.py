"""Helpers shared by the language tests (an engine with the generic cmdlets)."""

from __future__ import annotations

from typing import Any

from azshell.lang.cmdlet import CommandRegistry
from azshell.lang.engine import Engine


def make_registry() -> CommandRegistry:
    reg = CommandRegistry()
    try:
        from azshell.lang.builtins import register_builtins
    except ImportError:  # pragma: no cover - builtins are written in parallel
        return reg
    register_builtins(reg)
    return reg


def make_engine(registry: CommandRegistry | None = None, **kw: Any) -> Engine:
    kw.setdefault("env", {"HOME": "/home/user"})
    return Engine(registry if registry is not None else make_registry(), **kw)


def run_text(engine: Engine, code: str) -> tuple[list[Any], list[Any], list[Any]]:
    """(outputs, errors, other records)."""
    out: list[Any] = []
    err: list[Any] = []
    other: list[Any] = []

    def sink(rec: Any) -> None:
        if rec.stream == "output":
            out.append(rec.value)
        elif rec.stream == "error":
            err.append(rec.value)
        else:
            other.append(rec)

    engine.execute(code, sink)
    return out, err, other
