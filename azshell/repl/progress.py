"""Write-Progress in the terminal: a bar below the command's output that disappears when the activity completes.

The REPL hands :class:`TerminalProgress` to the session (``Session.set_progress``). Each record updates a
:class:`~azshell.lang.progress.ProgressBoard`; the board is drawn as reverse-video lines (PowerShell 7's minimal
view) through prompt_toolkit's ``Output`` (cursor movement, erase, attributes), erased before any other output is
printed and drawn again after it, and erased for good when the last activity completes or the command ends.
Redraws are throttled (``MIN_INTERVAL``) so a tight ``for`` loop of ``Write-Progress`` does not flood the
terminal; a completion or a new activity is always drawn.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Any

from azshell.lang.progress import ProgressBoard, ProgressRecord

if TYPE_CHECKING:
    from prompt_toolkit.output import Output

__all__ = ["MIN_INTERVAL", "TerminalProgress"]

MIN_INTERVAL = 0.1  # seconds between two redraws of an unchanged set of activities


class TerminalProgress:
    """Callable progress hook drawing on ``output`` (prompt_toolkit); ``suspend``/``resume`` around other output."""

    def __init__(self, output: Output, *, color: bool = True) -> None:
        self.output = output
        self.color = color
        self.board = ProgressBoard()
        self._drawn = 0  # lines currently on screen
        self._last = 0.0
        self._ids: tuple[int, ...] = ()
        self._lock = threading.RLock()

    def __call__(self, record: ProgressRecord) -> None:
        with self._lock:
            self.board.apply(record)
            ids = tuple(r.activity_id for r in self.board.records)
            now = time.monotonic()
            if record.completed or ids != self._ids or now - self._last >= MIN_INTERVAL:
                self._ids = ids
                self._last = now
                self._erase()
                self._draw()

    def _width(self) -> int:
        try:
            return max(20, int(self.output.get_size().columns) - 1)
        except Exception:
            return 79

    def _draw(self) -> None:
        lines = self.board.lines(self._width())
        if not lines:
            return
        from prompt_toolkit.styles import DEFAULT_ATTRS

        out: Any = self.output
        bar = DEFAULT_ATTRS._replace(color="ansiblack", bgcolor="ansiyellow")
        for line in lines:
            if self.color:
                out.set_attributes(bar, self.output.get_default_color_depth())
            out.write(line.ljust(self._width()) if self.color else line)
            if self.color:
                out.reset_attributes()
            out.write_raw("\r\n")
        self._drawn = len(lines)
        out.flush()

    def _erase(self) -> None:
        if not self._drawn:
            return
        out: Any = self.output
        out.write_raw("\r")
        out.cursor_up(self._drawn)
        out.erase_down()
        out.flush()
        self._drawn = 0

    def suspend(self) -> None:
        """Take the bar off the screen (before the command prints something)."""
        with self._lock:
            self._erase()

    def resume(self) -> None:
        """Draw the bar again (after the command printed something)."""
        with self._lock:
            if self.board and not self._drawn:
                self._draw()

    def finish(self) -> None:
        """The command ended: every bar disappears (PowerShell removes a finished command's progress)."""
        with self._lock:
            self._erase()
            self.board.clear()
            self._ids = ()
