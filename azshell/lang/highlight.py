"""Syntax classes for highlighting (REPL and anything else that colours source text).

A light scanner, deliberately independent of the parser so it never fails on half-typed input: it splits the
text into ``(class, text)`` pieces whose concatenation is exactly the input. Classes: ``command``,
``parameter``, ``variable``, ``string``, ``number``, ``operator``, ``keyword``, ``comment``, ``type``,
``error`` and ``text``. The span of a parse error (when the parser reports one that is not merely
"incomplete") is re-classed ``error``.
"""

from __future__ import annotations

import re
from collections.abc import Callable

KEYWORDS = frozenset(
    "begin break catch class continue data define do dynamicparam else elseif end exit filter finally for "
    "foreach from function if in param process return switch throw trap try until using var while".split()
)

_TOKEN = re.compile(
    r"""
    (?P<comment><\#.*?(?:\#>|\Z)|\#[^\n]*)
  | (?P<string>@"[\s\S]*?(?:\n"@|\Z)|@'[\s\S]*?(?:\n'@|\Z)|"(?:[^"`]|`.|"")*(?:"|\Z)|'(?:[^']|'')*(?:'|\Z))
  | (?P<variable>\$\{[^}]*\}?|\$(?:[A-Za-z_][\w]*:)?[\w?^$]+|\$\(|@[A-Za-z_]\w*)
  | (?P<type>\[[A-Za-z_][\w.`\[\], ]*\](?!\s*=))
  | (?P<parameter>(?<![\w)\]])-[A-Za-z_][\w-]*:?)
  | (?P<number>(?<![\w$])\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?:kb|mb|gb|tb|pb)?\b|0x[0-9A-Fa-f]+)
  | (?P<word>[A-Za-z_][\w.\\/:-]*)
  | (?P<operator>[-+*/%=!<>|&,;.(){}\[\]@?:]+)
  | (?P<space>\s+)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_OPERATOR_WORDS = re.compile(
    r"-(?:[ci]?(?:eq|ne|gt|ge|lt|le|like|notlike|match|notmatch|contains|notcontains|in|notin|replace|split))"
    r"|-(?:and|or|xor|not|join|f|is|isnot|as|band|bor|bxor|bnot|shl|shr)$",
    re.IGNORECASE,
)


def highlight(text: str, *, is_command: Callable[[str], bool] | None = None) -> list[tuple[str, str]]:
    """Classify ``text`` into highlight pieces; never raises."""
    pieces: list[tuple[str, str]] = []
    expect_command = True
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        value = m.group()
        cls = "text"
        if kind == "comment":
            cls = "comment"
        elif kind == "string":
            cls = "string"
            expect_command = False
        elif kind == "variable":
            cls = "variable"
            expect_command = False
        elif kind == "type":
            cls = "type"
        elif kind == "parameter":
            cls = "operator" if _OPERATOR_WORDS.fullmatch(value) else "parameter"
        elif kind == "number":
            cls = "number"
            expect_command = False
        elif kind == "word":
            if value.lower() in KEYWORDS:
                cls = "keyword"
                expect_command = value.lower() not in ("function", "filter", "param")
                pieces.append((cls, value))
                continue
            if expect_command:
                cls = "command" if (is_command is None or is_command(value) or "-" in value) else "text"
            expect_command = False
        elif kind == "operator":
            cls = "operator"
            if any(c in value for c in "|;{(=") or value.endswith("&&") or value.endswith("||"):
                expect_command = True
        elif kind == "space":
            if "\n" in value:
                expect_command = True
        pieces.append((cls, value))
    return _mark_error(text, pieces)


def _mark_error(text: str, pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    try:
        from azshell.lang.errors import ParseError
        from azshell.lang.parser import parse
    except ImportError:
        return pieces
    try:
        parse(text)
        return pieces
    except ParseError as e:
        if getattr(e, "incomplete", False):
            return pieces
        span = getattr(e, "span", None)
        start = getattr(span, "offset", None)
        end = getattr(span, "end_offset", None)
        if not isinstance(start, int):
            return pieces
        if not isinstance(end, int) or end <= start:
            end = start + 1
    except Exception:
        return pieces
    out: list[tuple[str, str]] = []
    pos = 0
    for cls, value in pieces:
        a, b = pos, pos + len(value)
        pos = b
        if b <= start or a >= end:
            out.append((cls, value))
            continue
        if a < start:
            out.append((cls, value[: start - a]))
        out.append(("error", value[max(0, start - a): end - a]))
        if b > end:
            out.append((cls, value[end - a:]))
    return [p for p in out if p[1]]
