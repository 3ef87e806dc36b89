"""The typed AST: immutable record classes, each carrying the :class:`~azshell.lang.errors.Span` of its source.

Statement nodes: :class:`Script`, :class:`StatementBlock`, :class:`Pipeline`, :class:`PipelineChain`,
:class:`Command`, :class:`CommandExpression`, :class:`Assignment`, control flow, :class:`FunctionDefinition`.
Expression nodes: everything else. The evaluator dispatches on the class name (``visit_<Node>``).

Nodes are declared like dataclasses (annotated fields, defaults) but built by :class:`_NodeMeta`, which is
much cheaper than ``@dataclass`` both at import (one ``exec`` for every ``__init__``, at the end of this module)
and per node (plain slot stores, where a frozen dataclass pays ``object.__setattr__`` per field). Type checkers
see them as frozen dataclasses (``dataclass_transform``); at run time nothing stops an assignment, but nothing
assigns: a parsed tree is shared by every evaluation of it.
"""

from __future__ import annotations

from typing import Any, ClassVar, dataclass_transform

from azshell.lang.errors import Span

_PENDING: list[type[Any]] = []


@dataclass_transform(eq_default=True, frozen_default=True)
class _NodeMeta(type):
    """Turns annotated class bodies into slotted records with ``__init__``, ``__eq__``, ``__hash__``,
    ``__repr__`` and ``__match_args__`` (``__init__`` s are compiled together by :func:`_compile_inits`)."""

    def __new__(mcls, name: str, bases: tuple[type, ...], ns: dict[str, Any]) -> _NodeMeta:
        own = [k for k in ns.get("__annotations__", {}) if not k.startswith("_")]
        defaults = {k: ns.pop(k) for k in own if k in ns}
        ns["__slots__"] = tuple(own)
        cls = super().__new__(mcls, name, bases, ns)
        base_fields: tuple[str, ...] = getattr(cls, "_fields", ())
        base_defaults: dict[str, Any] = getattr(cls, "_defaults", {})
        cls._fields = (*base_fields, *own)  # type: ignore[attr-defined]
        cls._defaults = {**base_defaults, **defaults}  # type: ignore[attr-defined]
        cls.__match_args__ = cls._fields  # type: ignore[attr-defined,misc]
        _PENDING.append(cls)
        return cls


def _compile_inits() -> None:
    """Give every node class declared so far its ``__init__`` (one ``exec`` for all of them)."""
    lines: list[str] = []
    env: dict[str, Any] = {}
    for i, cls in enumerate(_PENDING):
        params = ["self"]
        for f in cls._fields:
            if f in cls._defaults:
                env[f"_d{i}_{f}"] = cls._defaults[f]
                params.append(f"{f}=_d{i}_{f}")
            else:
                params.append(f)
        body = [f"    self.{f} = {f}" for f in cls._fields] or ["    pass"]
        lines.append(f"def _init{i}({', '.join(params)}):")
        lines.extend(body)
    exec("\n".join(lines), env)  # noqa: S102 - generated from the class declarations above
    for i, cls in enumerate(_PENDING):
        fn = env[f"_init{i}"]
        fn.__qualname__ = f"{cls.__name__}.__init__"
        cls.__init__ = fn
    _PENDING.clear()


class Node(metaclass=_NodeMeta):
    span: Span
    _fields: ClassVar[tuple[str, ...]]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, f) == getattr(other, f) for f in self._fields)

    def __hash__(self) -> int:
        return hash((self.__class__, *(getattr(self, f) for f in self._fields)))

    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._fields)
        return f"{self.__class__.__name__}({inner})"


# --------------------------------------------------------------------------------------------- expressions
class Expr(Node):
    pass


class Number(Expr):
    value: int | float
    #: a command argument's own text when it differs from the value's (``24l``, ``0x10``, ``1kb``): bound to a
    #: ``[string]`` parameter, PowerShell passes that text, not the number
    text: str = ""


class StringConstant(Expr):
    value: str
    bareword: bool = False


class ExpandableString(Expr):
    parts: tuple[str | Expr, ...]
    bareword: bool = False


class Variable(Expr):
    name: str
    scope: str = ""
    splat: bool = False

    @property
    def text(self) -> str:
        return f"{self.scope}:{self.name}" if self.scope else self.name


class ArrayLiteral(Expr):
    elements: tuple[Expr, ...]


class ArrayExpression(Expr):
    body: StatementBlock


class SubExpression(Expr):
    body: StatementBlock


class Paren(Expr):
    pipeline: Statement


class Hashtable(Expr):
    pairs: tuple[tuple[Expr, Statement], ...]


class ScriptBlockExpression(Expr):
    block: ScriptBlock


class TypeLiteral(Expr):
    name: str


class Convert(Expr):
    """``[type]operand`` (a cast); ``[ordered]@{}`` and ``[pscustomobject]@{}`` are casts too."""

    type_name: str
    operand: Expr


class BinaryOp(Expr):
    op: str
    left: Expr
    right: Expr


class UnaryOp(Expr):
    """``op`` is ``-not ! - + -bnot -join -split ,`` or ``++ --`` (``postfix`` for ``$i++``)."""

    op: str
    operand: Expr
    postfix: bool = False


class Range(Expr):
    start: Expr
    end: Expr


class Ternary(Expr):
    condition: Expr
    if_true: Expr
    if_false: Expr


class NullCoalesce(Expr):
    left: Expr
    right: Expr


class Member(Expr):
    """``target.name``; ``static`` for ``[type]::name``. ``name`` is a StringConstant or any expression."""

    target: Expr
    name: Expr
    static: bool = False


class MethodCall(Expr):
    target: Expr
    name: Expr
    args: tuple[Expr, ...]
    static: bool = False


class StaticMember(Expr):
    type_name: str
    name: str


class StaticCall(Expr):
    type_name: str
    name: str
    args: tuple[Expr, ...]


class Index(Expr):
    target: Expr
    index: Expr


class Attribute(Node):
    """``[Name(positional, Named = value, Flag)]`` on a parameter or param block."""

    name: str
    positional: tuple[Expr, ...] = ()
    named: tuple[tuple[str, Expr | None], ...] = ()


# ----------------------------------------------------------------------------------------------- statements
class Statement(Node):
    pass


class StatementBlock(Node):
    statements: tuple[Statement, ...]
    #: the block's ``trap`` statements (not among ``statements``: a trap covers its whole block, wherever it is)
    traps: tuple[Trap, ...] = ()


class ParameterDecl(Node):
    name: str
    type_name: str | None = None
    attributes: tuple[Attribute, ...] = ()
    default: Expr | None = None


class ParamBlock(Node):
    parameters: tuple[ParameterDecl, ...]
    attributes: tuple[Attribute, ...] = ()


class ScriptBlock(Node):
    """A script block body: optional ``param()``, and either named blocks or just ``end`` (the body)."""

    param_block: ParamBlock | None
    begin: StatementBlock | None
    process: StatementBlock | None
    end: StatementBlock | None
    text: str = ""
    #: PowerShell 7.3's ``clean { }``: runs last, always (even when the pipeline stops or fails), output dropped
    clean: StatementBlock | None = None


class Script(Node):
    block: ScriptBlock


class Redirection(Node):
    """``>``/``>>``/``2>``/``*>`` to ``target``, or a merge ``2>&1`` (``merge_to`` = '1', no target)."""

    stream: str
    append: bool
    merge_to: str | None
    target: Expr | None


class CommandParameter(Node):
    """``-Name``, ``-Name value`` is two elements; ``-Name:value`` has ``argument`` and ``colon``."""

    name: str
    argument: Expr | None = None
    colon: bool = False


CommandElement = CommandParameter | Expr


class Command(Statement):
    """``invocation`` is '' for a plain name, '&' or '.' for the call/dot-source operators."""

    name: Expr
    elements: tuple[CommandElement, ...]
    invocation: str = ""
    redirections: tuple[Redirection, ...] = ()


class CommandExpression(Statement):
    expression: Expr
    redirections: tuple[Redirection, ...] = ()


class Pipeline(Statement):
    elements: tuple[Command | CommandExpression, ...]


class PipelineChain(Statement):
    first: Statement
    rest: tuple[tuple[str, Statement], ...]


class Assignment(Statement):
    targets: tuple[Expr, ...]
    op: str
    value: Statement
    void: bool = False


class If(Statement):
    clauses: tuple[tuple[Statement, StatementBlock], ...]
    else_body: StatementBlock | None = None


class While(Statement):
    condition: Statement
    body: StatementBlock
    label: str | None = None


class DoWhile(Statement):
    body: StatementBlock
    condition: Statement
    label: str | None = None


class DoUntil(Statement):
    body: StatementBlock
    condition: Statement
    label: str | None = None


class For(Statement):
    init: Statement | None
    condition: Statement | None
    step: Statement | None
    body: StatementBlock
    label: str | None = None


class Foreach(Statement):
    variable: Variable
    iterable: Statement
    body: StatementBlock
    label: str | None = None


class SwitchClause(Node):
    condition: Expr | None  # None: default
    body: StatementBlock


class Switch(Statement):
    subject: Statement
    clauses: tuple[SwitchClause, ...]
    flags: frozenset[str] = frozenset()
    label: str | None = None


class Catch(Node):
    types: tuple[str, ...]
    body: StatementBlock


class Try(Statement):
    body: StatementBlock
    catches: tuple[Catch, ...]
    finally_body: StatementBlock | None = None


class Trap(Statement):
    """``trap [Type] { body }``: handles a terminating error anywhere in its statement block."""

    type_name: str | None
    body: StatementBlock


class Throw(Statement):
    value: Statement | None = None


class Break(Statement):
    label: Expr | None = None


class Continue(Statement):
    label: Expr | None = None


class Return(Statement):
    value: Statement | None = None


class Exit(Statement):
    value: Statement | None = None


class FunctionDefinition(Statement):
    name: str
    body: ScriptBlock
    #: parameters declared as ``function f($a, $b)``
    parameters: tuple[ParameterDecl, ...] = ()
    is_filter: bool = False


_compile_inits()
