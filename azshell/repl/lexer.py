"""``Session.highlight_tokens`` as a prompt_toolkit lexer (errors are marked with the ``ps.error`` style)."""

from __future__ import annotations

from collections.abc import Callable

from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.lexers import Lexer

from azshell.repl._types import SessionLike

TOKEN_CLASSES = (
    "command", "parameter", "variable", "string", "number", "operator", "keyword", "comment", "type",
    "error", "text",
)


def style_for(token_class: str) -> str:
    """The prompt_toolkit style class of one highlight class (unknown classes are plain text)."""
    return f"class:ps.{token_class}" if token_class in TOKEN_CLASSES else "class:ps.text"


def split_lines(tokens: list[tuple[str, str]]) -> list[StyleAndTextTuples]:
    """Turn ``(class, text)`` pieces spanning several lines into one fragment list per line."""
    lines: list[StyleAndTextTuples] = [[]]
    for cls, text in tokens:
        style = style_for(cls)
        parts = text.split("\n")
        for i, part in enumerate(parts):
            if i:
                lines.append([])
            if part:
                lines[-1].append((style, part))
    return lines


class SessionLexer(Lexer):
    """Highlights the buffer from the session's token classes; the last result is cached per text."""

    def __init__(self, session: SessionLike) -> None:
        self.session = session
        self._cache: tuple[str, list[StyleAndTextTuples]] | None = None

    def lex_document(self, document: Document) -> Callable[[int], StyleAndTextTuples]:
        text = document.text
        if self._cache is not None and self._cache[0] == text:
            lines = self._cache[1]
        else:
            try:
                tokens = self.session.highlight_tokens(text)
                if "".join(t for _, t in tokens) != text:  # never lose characters on screen
                    raise ValueError("highlight tokens do not cover the text")
                lines = split_lines(tokens)
            except Exception:
                lines = [[("", line)] for line in document.lines]
            self._cache = (text, lines)

        def get_line(lineno: int) -> StyleAndTextTuples:
            return lines[lineno] if 0 <= lineno < len(lines) else []

        return get_line
