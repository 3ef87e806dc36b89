"""Progress records (``Write-Progress``) and what a host needs to show them.

PowerShell writes progress to the host, never to the pipeline: a record goes to the engine's ``progress`` hook
(``Engine.progress``; the REPL draws a bar, the Jupyter kernel an updating display) and, without a hook (``-c``,
scripts, a pipe), nowhere. ``$ProgressPreference`` (or ``-ProgressAction``) ``SilentlyContinue``/``Ignore`` hides
it. A cmdlet reports progress with ``self.write_progress(...)`` or, for a loop, ``with self.progress("Activity")
as p: p.update(status, percent)`` (completed on leaving the block, even on an error).

:class:`ProgressBoard` keeps the records a host currently shows (by ``ActivityId``, children under their parent)
and renders them as text lines, as PowerShell 7's minimal view does::

    Deploying template [=======>            ] 40% Creating myVM
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["ProgressBoard", "ProgressHook", "ProgressRecord", "ProgressReporter", "bar_line", "hidden_by"]


@dataclass(frozen=True)
class ProgressRecord:
    """One ``Write-Progress`` call (``System.Management.Automation.ProgressRecord``'s fields).

    ``percent_complete`` -1 and ``seconds_remaining`` -1 mean "not given", as in PowerShell; ``completed`` is
    ``-Completed`` (RecordType Completed): the host removes the activity (and its children).
    """

    activity: str
    status: str = "Processing"
    activity_id: int = 0
    parent_id: int = -1
    percent_complete: int = -1
    seconds_remaining: int = -1
    current_operation: str = ""
    completed: bool = False
    #: which command wrote it (hosts may group by it; not shown)
    source: str = ""

    @property
    def record_type(self) -> str:
        return "Completed" if self.completed else "Processing"


ProgressHook = Callable[[ProgressRecord], None]


def hidden_by(preference: Any) -> bool:
    """``$ProgressPreference``/``-ProgressAction`` values that hide progress."""
    return str(preference or "Continue").casefold() in ("silentlycontinue", "ignore")


class ProgressReporter:
    """``with cmdlet.progress("Activity") as p: p.update("step", 40)``: one activity, completed at the end."""

    def __init__(self, write: Callable[[ProgressRecord], None], activity: str, *, activity_id: int = 0,
                 parent_id: int = -1, source: str = "") -> None:
        self._write = write
        self.activity = activity
        self.activity_id = activity_id
        self.parent_id = parent_id
        self.source = source
        self.status = "Processing"

    def update(self, status: str, percent: int = -1, *, operation: str = "", seconds_remaining: int = -1) -> None:
        self.status = status or self.status
        pct = -1 if percent < 0 else max(0, min(100, int(percent)))
        self._write(ProgressRecord(self.activity, self.status, self.activity_id, self.parent_id, pct,
                                   seconds_remaining, operation, False, self.source))

    def step(self, index: int, total: int, status: str, *, operation: str = "") -> None:
        """``index`` of ``total`` items started (0-based): the percentage is computed."""
        self.update(status, int(index * 100 / total) if total > 0 else -1, operation=operation)

    def complete(self) -> None:
        self._write(ProgressRecord(self.activity, self.status, self.activity_id, self.parent_id, 100, -1, "", True,
                                   self.source))


@contextmanager
def reporting(write: Callable[[ProgressRecord], None], activity: str, **kw: Any) -> Iterator[ProgressReporter]:
    reporter = ProgressReporter(write, activity, **kw)
    try:
        yield reporter
    finally:
        reporter.complete()


# ------------------------------------------------------------------------------------------------- hosts
def bar_line(record: ProgressRecord, width: int = 80) -> str:
    """One record as a line: ``Activity [====>     ] 40% Status · operation · 12s left`` (fits ``width``)."""
    parts = [record.activity]
    if record.percent_complete >= 0:
        cells = 20
        filled = round(cells * record.percent_complete / 100)
        bar = "=" * max(0, filled - 1) + (">" if 0 < filled < cells else "=" if filled == cells else "")
        parts.append(f"[{bar.ljust(cells)}] {record.percent_complete}%")
    if record.status:
        parts.append(record.status)
    tail = []
    if record.current_operation:
        tail.append(record.current_operation)
    if record.seconds_remaining >= 0:
        tail.append(f"{record.seconds_remaining}s left")
    line = " ".join(parts) + (" · " + " · ".join(tail) if tail else "")
    return line if len(line) <= width else line[: max(1, width - 1)] + "…"


class ProgressBoard:
    """The activities a host shows now: ``apply(record)`` updates it; ``lines()`` renders it (children indented
    under their parent, in the order activities started); empty once every activity completed."""

    def __init__(self) -> None:
        self._records: dict[int, ProgressRecord] = {}

    def apply(self, record: ProgressRecord) -> None:
        if record.completed:
            self._remove(record.activity_id)
        else:
            self._records[record.activity_id] = record

    def _remove(self, activity_id: int) -> None:
        self._records.pop(activity_id, None)
        for child in [k for k, r in self._records.items() if r.parent_id == activity_id]:
            self._remove(child)

    def clear(self) -> None:
        self._records.clear()

    def __bool__(self) -> bool:
        return bool(self._records)

    @property
    def records(self) -> list[ProgressRecord]:
        return list(self._records.values())

    def lines(self, width: int = 80) -> list[str]:
        out: list[str] = []
        seen: set[int] = set()

        def walk(record: ProgressRecord, depth: int) -> None:
            if record.activity_id in seen:
                return
            seen.add(record.activity_id)
            out.append("  " * depth + bar_line(record, max(20, width - 2 * depth)))
            for child in self._records.values():
                if child.parent_id == record.activity_id:
                    walk(child, depth + 1)

        for r in self._records.values():
            if r.parent_id == -1 or r.parent_id not in self._records:
                walk(r, 0)
        return out
