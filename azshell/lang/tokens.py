"""Tokens of the PowerShell-style language.

The lexer is driven by the parser, because PowerShell tokenizes differently in *command mode* (arguments:
barewords are strings ending at whitespace or ``; , | ) } &``; ``-Name`` is a parameter) and in *expression
mode* (``-eq`` is an operator, words are identifiers). See :mod:`azshell.lang.lexer`.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class TokenKind(enum.Enum):
    EOF = "eof"
    NEWLINE = "newline"
    SEMI = "semi"
    VARIABLE = "variable"      # value: VarRef
    SPLAT = "splat"            # value: variable name
    PARAMETER = "parameter"    # value: name (without '-'); colon: True for -Name:
    NUMBER = "number"          # value: int | float
    STRING = "string"          # verbatim string ('...', @'...'@); value: str
    XSTRING = "xstring"        # expandable string ("...", @"..."@); value: str, parts: tuple
    GENERIC = "generic"        # command-mode bareword; value: str, parts (when it embeds $var/$(...))
    IDENT = "ident"            # expression-mode identifier (member names, keywords, hash keys)
    OP = "op"                  # operators and punctuation; value: canonical text ('-eq', '(', '@{', ...)
    REDIRECTION = "redirection"  # value: Redir
    LT = "lt"                  # '<' — reserved for future use

    # members are singletons: identity hashing is exact and much faster than Enum's name hashing
    __hash__ = object.__hash__


# Token kinds as module constants: reading an attribute of an Enum class goes through EnumType.__getattr__
# in Python 3.11 (~5x a global lookup), and the lexer and parser test kinds between every two tokens.
T_EOF = TokenKind.EOF
T_NEWLINE = TokenKind.NEWLINE
T_SEMI = TokenKind.SEMI
T_VARIABLE = TokenKind.VARIABLE
T_SPLAT = TokenKind.SPLAT
T_PARAMETER = TokenKind.PARAMETER
T_NUMBER = TokenKind.NUMBER
T_STRING = TokenKind.STRING
T_XSTRING = TokenKind.XSTRING
T_GENERIC = TokenKind.GENERIC
T_IDENT = TokenKind.IDENT
T_OP = TokenKind.OP
T_REDIRECTION = TokenKind.REDIRECTION
T_LT = TokenKind.LT


@dataclass(frozen=True, slots=True)
class VarRef:
    """A variable reference: ``scope`` is '' or 'env'/'script'/'global'/'local'/'private'/'variable'."""

    scope: str
    name: str


@dataclass(frozen=True, slots=True)
class VarPart:
    """``$name`` inside an expandable string or bareword; offsets of the ``$name`` text."""

    ref: VarRef
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class SubPart:
    """``$( ... )`` inside an expandable string; ``start``/``end`` delimit the inner statements' text."""

    start: int
    end: int


StringPart = str | VarPart | SubPart


@dataclass(frozen=True, slots=True)
class Redir:
    """A redirection operator: ``stream`` '1'..'6' or '*'; ``append``; ``merge_to`` set for ``2>&1``."""

    stream: str
    append: bool
    merge_to: str | None


@dataclass(slots=True)
class Token:
    kind: TokenKind
    text: str
    start: int
    end: int
    value: Any = None
    parts: tuple[StringPart, ...] = ()
    space_before: bool = True
    colon: bool = False

    def is_op(self, *values: str) -> bool:
        return self.kind is T_OP and self.value in values

    def __repr__(self) -> str:
        return f"Token({self.kind.name}, {self.text!r}, {self.start})"


# Comparison operators that come in plain/-i/-c forms.
COMPARISON_BASE = (
    "eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch", "contains", "notcontains",
    "in", "notin", "replace", "split",
)
OTHER_DASH_OPS = (
    "and", "or", "xor", "not", "join", "is", "isnot", "as", "band", "bor", "bxor", "bnot", "shl", "shr", "f",
)


def _build_dash_ops() -> dict[str, str]:
    ops: dict[str, str] = {}
    for base in COMPARISON_BASE:
        ops[base] = base
        ops["i" + base] = "i" + base
        ops["c" + base] = "c" + base
    for op in OTHER_DASH_OPS:
        ops[op] = op
    return ops


#: lower-case operator word (without '-') -> canonical operator name
DASH_OPERATORS: dict[str, str] = _build_dash_ops()

KEYWORDS = frozenset({
    "if", "elseif", "else", "foreach", "for", "while", "do", "until", "switch", "try", "catch", "finally",
    "throw", "break", "continue", "return", "exit", "function", "filter", "param", "begin", "process", "end",
    "trap", "data", "class", "enum", "using", "in", "dynamicparam", "workflow", "parallel", "sequence",
    "inlinescript", "configuration", "hidden", "static", "define", "from", "var",
})

ASSIGNMENT_OPERATORS = frozenset({"=", "+=", "-=", "*=", "/=", "%=", "??="})
