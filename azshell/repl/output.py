"""Printing streamed records as PowerShell's host does.

Output objects are formatted by the session; consecutive non-text objects are formatted together (objects of one
type share one table) and flushed as soon as anything else is written, so the order of streams is kept. Text
output is written at once. Errors go to ``err`` in red, warnings and verbose text in yellow.
"""

from __future__ import annotations

import threading
from typing import Any, TextIO

from azshell.repl._types import SessionLike

RED = "\x1b[91m"
YELLOW = "\x1b[93m"
RESET = "\x1b[0m"

COLORS = {"error": RED, "warning": YELLOW, "verbose": YELLOW, "debug": YELLOW}
TO_ERR = frozenset({"error"})


def is_text(value: Any) -> bool:
    return isinstance(value, str)


class RecordPrinter:
    """Callable ``on_record`` for ``Session.execute`` that writes to two text streams."""

    def __init__(self, session: SessionLike, out: TextIO, err: TextIO, *, color: bool = False) -> None:
        self.session = session
        self.out = out
        self.err = err
        self.color = color
        self._pending: list[Any] = []
        self._lock = threading.RLock()

    def __call__(self, record: Any) -> None:
        with self._lock:
            try:
                stream = str(getattr(record, "stream", "output"))
                value = getattr(record, "value", record)
                if stream == "output" and not is_text(value):
                    self._pending.append(value)
                    return
                self.flush()
                self._write(stream, self._render(record))
            except Exception as e:  # printing must never kill the REPL
                self._write("error", f"(could not display a {type(record).__name__}: {e})")

    def _render(self, record: Any) -> str:
        try:
            return self.session.render_text(record)
        except Exception:
            return str(getattr(record, "value", record))

    def flush(self) -> None:
        """Write the buffered output objects (call after ``execute`` returns)."""
        with self._lock:
            if not self._pending:
                return
            objects, self._pending = self._pending, []
            try:
                text = self.session.render_outputs(objects)
            except Exception:
                text = "\n".join(str(o) for o in objects)
            self._write("output", text)

    def _write(self, stream: str, text: str) -> None:
        if not text:
            return
        if not text.endswith("\n"):
            text += "\n"
        target = self.err if stream in TO_ERR else self.out
        color = COLORS.get(stream) if self.color else None
        if color:
            text = "".join(f"{color}{line}{RESET}\n" if line else "\n" for line in text[:-1].split("\n"))
        try:
            target.write(text)
            target.flush()
        except (OSError, ValueError):
            pass
