"""The typed AST: frozen dataclasses, each carrying the :class:`~azshell.lang.errors.Span` of its source.

Statement nodes: :class:`Script`, :class:`StatementBlock`, :class:`Pipeline`, :class:`PipelineChain`,
:class:`Command`, :class:`CommandExpression`, :class:`Assignment`, control flow, :class:`FunctionDefinition`.
Expression nodes: everything else. The evaluator dispatches on the class name (``visit_<Node>``).
"""

from __future__ import annotations

from dataclasses import dataclass

from azshell.lang.errors import Span


@dataclass(frozen=True, slots=True)
class Node:
    span: Span


# --------------------------------------------------------------------------------------------- expressions
@dataclass(frozen=True, slots=True)
class Expr(Node):
    pass


@dataclass(frozen=True, slots=True)
class Number(Expr):
    value: int | float


@dataclass(frozen=True, slots=True)
class StringConstant(Expr):
    value: str
    bareword: bool = False


@dataclass(frozen=True, slots=True)
class ExpandableString(Expr):
    parts: tuple[str | Expr, ...]
    bareword: bool = False


@dataclass(frozen=True, slots=True)
class Variable(Expr):
    name: str
    scope: str = ""
    splat: bool = False

    @property
    def text(self) -> str:
        return f"{self.scope}:{self.name}" if self.scope else self.name


@dataclass(frozen=True, slots=True)
class ArrayLiteral(Expr):
    elements: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class ArrayExpression(Expr):
    body: StatementBlock


@dataclass(frozen=True, slots=True)
class SubExpression(Expr):
    body: StatementBlock


@dataclass(frozen=True, slots=True)
class Paren(Expr):
    pipeline: Statement


@dataclass(frozen=True, slots=True)
class Hashtable(Expr):
    pairs: tuple[tuple[Expr, Statement], ...]


@dataclass(frozen=True, slots=True)
class ScriptBlockExpression(Expr):
    block: ScriptBlock


@dataclass(frozen=True, slots=True)
class TypeLiteral(Expr):
    name: str


@dataclass(frozen=True, slots=True)
class Convert(Expr):
    """``[type]operand`` (a cast); ``[ordered]@{}`` and ``[pscustomobject]@{}`` are casts too."""

    type_name: str
    operand: Expr


@dataclass(frozen=True, slots=True)
class BinaryOp(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class UnaryOp(Expr):
    """``op`` is ``-not ! - + -bnot -join -split ,`` or ``++ --`` (``postfix`` for ``$i++``)."""

    op: str
    operand: Expr
    postfix: bool = False


@dataclass(frozen=True, slots=True)
class Range(Expr):
    start: Expr
    end: Expr


@dataclass(frozen=True, slots=True)
class Ternary(Expr):
    condition: Expr
    if_true: Expr
    if_false: Expr


@dataclass(frozen=True, slots=True)
class NullCoalesce(Expr):
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Member(Expr):
    """``target.name``; ``static`` for ``[type]::name``. ``name`` is a StringConstant or any expression."""

    target: Expr
    name: Expr
    static: bool = False


@dataclass(frozen=True, slots=True)
class MethodCall(Expr):
    target: Expr
    name: Expr
    args: tuple[Expr, ...]
    static: bool = False


@dataclass(frozen=True, slots=True)
class StaticMember(Expr):
    type_name: str
    name: str


@dataclass(frozen=True, slots=True)
class StaticCall(Expr):
    type_name: str
    name: str
    args: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Index(Expr):
    target: Expr
    index: Expr


@dataclass(frozen=True, slots=True)
class Attribute(Node):
    """``[Name(positional, Named = value, Flag)]`` on a parameter or param block."""

    name: str
    positional: tuple[Expr, ...] = ()
    named: tuple[tuple[str, Expr | None], ...] = ()


# ----------------------------------------------------------------------------------------------- statements
@dataclass(frozen=True, slots=True)
class Statement(Node):
    pass


@dataclass(frozen=True, slots=True)
class StatementBlock(Node):
    statements: tuple[Statement, ...]


@dataclass(frozen=True, slots=True)
class ParameterDecl(Node):
    name: str
    type_name: str | None = None
    attributes: tuple[Attribute, ...] = ()
    default: Expr | None = None


@dataclass(frozen=True, slots=True)
class ParamBlock(Node):
    parameters: tuple[ParameterDecl, ...]
    attributes: tuple[Attribute, ...] = ()


@dataclass(frozen=True, slots=True)
class ScriptBlock(Node):
    """A script block body: optional ``param()``, and either named blocks or just ``end`` (the body)."""

    param_block: ParamBlock | None
    begin: StatementBlock | None
    process: StatementBlock | None
    end: StatementBlock | None
    text: str = ""


@dataclass(frozen=True, slots=True)
class Script(Node):
    block: ScriptBlock


@dataclass(frozen=True, slots=True)
class Redirection(Node):
    """``>``/``>>``/``2>``/``*>`` to ``target``, or a merge ``2>&1`` (``merge_to`` = '1', no target)."""

    stream: str
    append: bool
    merge_to: str | None
    target: Expr | None


@dataclass(frozen=True, slots=True)
class CommandParameter(Node):
    """``-Name``, ``-Name value`` is two elements; ``-Name:value`` has ``argument`` and ``colon``."""

    name: str
    argument: Expr | None = None
    colon: bool = False


CommandElement = CommandParameter | Expr


@dataclass(frozen=True, slots=True)
class Command(Statement):
    """``invocation`` is '' for a plain name, '&' or '.' for the call/dot-source operators."""

    name: Expr
    elements: tuple[CommandElement, ...]
    invocation: str = ""
    redirections: tuple[Redirection, ...] = ()


@dataclass(frozen=True, slots=True)
class CommandExpression(Statement):
    expression: Expr
    redirections: tuple[Redirection, ...] = ()


@dataclass(frozen=True, slots=True)
class Pipeline(Statement):
    elements: tuple[Command | CommandExpression, ...]


@dataclass(frozen=True, slots=True)
class PipelineChain(Statement):
    first: Statement
    rest: tuple[tuple[str, Statement], ...]


@dataclass(frozen=True, slots=True)
class Assignment(Statement):
    targets: tuple[Expr, ...]
    op: str
    value: Statement
    void: bool = False


@dataclass(frozen=True, slots=True)
class If(Statement):
    clauses: tuple[tuple[Statement, StatementBlock], ...]
    else_body: StatementBlock | None = None


@dataclass(frozen=True, slots=True)
class While(Statement):
    condition: Statement
    body: StatementBlock
    label: str | None = None


@dataclass(frozen=True, slots=True)
class DoWhile(Statement):
    body: StatementBlock
    condition: Statement
    label: str | None = None


@dataclass(frozen=True, slots=True)
class DoUntil(Statement):
    body: StatementBlock
    condition: Statement
    label: str | None = None


@dataclass(frozen=True, slots=True)
class For(Statement):
    init: Statement | None
    condition: Statement | None
    step: Statement | None
    body: StatementBlock
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Foreach(Statement):
    variable: Variable
    iterable: Statement
    body: StatementBlock
    label: str | None = None


@dataclass(frozen=True, slots=True)
class SwitchClause(Node):
    condition: Expr | None  # None: default
    body: StatementBlock


@dataclass(frozen=True, slots=True)
class Switch(Statement):
    subject: Statement
    clauses: tuple[SwitchClause, ...]
    flags: frozenset[str] = frozenset()
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Catch(Node):
    types: tuple[str, ...]
    body: StatementBlock


@dataclass(frozen=True, slots=True)
class Try(Statement):
    body: StatementBlock
    catches: tuple[Catch, ...]
    finally_body: StatementBlock | None = None


@dataclass(frozen=True, slots=True)
class Throw(Statement):
    value: Statement | None = None


@dataclass(frozen=True, slots=True)
class Break(Statement):
    label: Expr | None = None


@dataclass(frozen=True, slots=True)
class Continue(Statement):
    label: Expr | None = None


@dataclass(frozen=True, slots=True)
class Return(Statement):
    value: Statement | None = None


@dataclass(frozen=True, slots=True)
class Exit(Statement):
    value: Statement | None = None


@dataclass(frozen=True, slots=True)
class FunctionDefinition(Statement):
    name: str
    body: ScriptBlock
    #: parameters declared as ``function f($a, $b)``
    parameters: tuple[ParameterDecl, ...] = ()
    is_filter: bool = False
