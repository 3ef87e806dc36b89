"""Helpers shared by the generic cmdlets."""

from __future__ import annotations

from typing import Any

from azshell.lang.cmdlet import Cmdlet, CmdletError, CommandContext, CommandRegistry
from azshell.lang.conversions import enumerate_value, get_member, to_string
from azshell.lang.formatting import ViewTable
from azshell.lang.runtime import unwrap
from azshell.lang.values import PSHashtable

UTILITY = "Microsoft.PowerShell.Utility"
MANAGEMENT = "Microsoft.PowerShell.Management"
CORE = "Microsoft.PowerShell.Core"
SECURITY = "Microsoft.PowerShell.Security"


def is_scriptblock(v: Any) -> bool:
    return type(v).__name__ == "ScriptBlock"


def eval_block(ctx: CommandContext, block: Any, obj: Any, args: list[Any] | None = None) -> Any:
    """Run ``block`` with ``$_`` bound to ``obj`` and return its output as one value."""
    return unwrap(list(ctx.invoke_script_block(block, args or [], dollar_under=obj)))


def evaluator(ctx: CommandContext) -> Any:
    def run(block: Any, obj: Any) -> Any:
        return eval_block(ctx, block, obj)

    return run


def as_list(v: Any) -> list[Any]:
    """A parameter value that may be a scalar or an array, as a list (``$null`` → [])."""
    return enumerate_value(v)


def hashtable_get(h: PSHashtable, *names: str) -> Any:
    """The value of the first key of ``h`` that is a prefix of one of ``names`` (``n``/``e``/``l`` forms)."""
    for k, v in h.items():
        if not isinstance(k, str) or not k:
            continue
        kl = k.casefold()
        for n in names:
            if n.startswith(kl):
                return v
    return None


def property_value(ctx: CommandContext, obj: Any, spec: Any) -> Any:
    """A property of ``obj`` named by a string, computed by a script block, or by ``@{Expression=...}``."""
    if is_scriptblock(spec):
        return eval_block(ctx, spec, obj)
    if isinstance(spec, PSHashtable):
        expr = hashtable_get(spec, "expression")
        return property_value(ctx, obj, expr)
    if spec is None:
        return obj
    return get_member(obj, to_string(spec))


def resolved_path(ctx: CommandContext, path: str) -> str:
    resolve = getattr(ctx.fs, "resolve", None)
    if callable(resolve):
        return str(resolve(path))
    return path


def not_found(cmd: Cmdlet, path: str, command_class: str, *, terminating: bool = False) -> None:
    msg = f"Cannot find path '{resolved_path(cmd.ctx, path)}' because it does not exist."
    eid = f"PathNotFound,Microsoft.PowerShell.Commands.{command_class}"
    if terminating:
        raise CmdletError(msg, category="ObjectNotFound", error_id=eid, target=path)
    cmd.write_error(msg, category="ObjectNotFound", error_id=eid, target=path)


def wants(ctx: CommandContext, name: str) -> Any:
    """An optional engine hook (``check_interrupt``, ``registry``, ``execute_text`` ...) or None.

    Looked up on the context, then on the evaluator behind it (``ctx.ev``) when there is one.
    """
    hit = getattr(ctx, name, None)
    if hit is None:
        hit = getattr(getattr(ctx, "ev", None), name, None)
    return hit


def views_of(ctx: CommandContext) -> ViewTable | None:
    """The default views of the command registry behind ``ctx``; None without one (plain formatting)."""
    reg = wants(ctx, "registry")
    return reg.views if isinstance(reg, CommandRegistry) else None


class Builtin(Cmdlet):
    """Base of the generic cmdlets: ``self.bound`` is the bound-parameter dict, typed for mypy.

    (``Cmdlet.params`` is both the class's Param tuple and the instance's bound dict; subclasses that assign
    the tuple make mypy see a tuple on ``self.params``.)
    """

    @property
    def bound(self) -> dict[str, Any]:
        value = self.__dict__.get("params")
        return value if isinstance(value, dict) else {}
