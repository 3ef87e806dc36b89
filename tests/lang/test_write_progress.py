"""Write-Progress: records reach the host hook (never the pipeline), $ProgressPreference/-ProgressAction hide them,
the board nests and removes activities, the cmdlet base's ``progress()`` completes its activity even on an error,
the REPL's terminal bar appears and disappears, and ``azshell -c`` prints nothing for it."""

from __future__ import annotations

import io
import subprocess
import sys
from typing import Any

import pytest

from azshell.lang.builtins import register_builtins
from azshell.lang.cmdlet import Cmdlet, CmdletError, CommandRegistry
from azshell.lang.engine import Engine, StreamRecord
from azshell.lang.progress import ProgressBoard, ProgressRecord, bar_line


class Boom(Cmdlet):
    name = "Invoke-Boom"

    def process(self) -> None:
        with self.progress("Working", activity_id=7) as p:
            p.update("half way", 50)
            raise CmdletError("boom")


def engine() -> tuple[Engine, list[ProgressRecord], list[StreamRecord]]:
    registry = CommandRegistry()
    register_builtins(registry)
    registry.register(Boom)
    eng = Engine(registry)
    shown: list[ProgressRecord] = []
    eng.progress = shown.append
    return eng, shown, []


def run(eng: Engine, text: str) -> list[StreamRecord]:
    records: list[StreamRecord] = []
    eng.execute(text, records.append)
    return records


def test_write_progress_goes_to_the_host_not_the_pipeline() -> None:
    eng, shown, _ = engine()
    records = run(eng, "$x = Write-Progress -Activity 'Copying' -Status 'file 2 of 5' -PercentComplete 40 -Id 2 "
                       "-ParentId 1 -CurrentOperation 'a.txt' -SecondsRemaining 12\n$x -eq $null\n"
                       "Write-Progress -Activity 'Copying' -Id 2 -Completed")
    assert [r.value for r in records] == [True]  # nothing entered the pipeline
    assert shown[0] == ProgressRecord("Copying", "file 2 of 5", 2, 1, 40, 12, "a.txt", False, "Write-Progress")
    assert shown[1].completed and shown[1].activity_id == 2 and shown[1].record_type == "Completed"


def test_positional_parameters_and_defaults() -> None:
    eng, shown, _ = engine()
    run(eng, "Write-Progress 'Search' 'Looking' 3")
    assert shown == [ProgressRecord("Search", "Looking", 3, -1, -1, -1, "", False, "Write-Progress")]
    run(eng, "Write-Progress -Activity 'Search'")
    assert shown[-1].status == "Processing" and shown[-1].activity_id == 0


def test_percent_complete_is_validated() -> None:
    eng, shown, _ = engine()
    records = run(eng, "Write-Progress -Activity a -PercentComplete 101")
    assert shown == [] and records and records[0].stream == "error"
    assert "101" in str(records[0].value.message)


@pytest.mark.parametrize("hide", ["$ProgressPreference = 'SilentlyContinue'; Write-Progress -Activity a",
                                  "$ProgressPreference = 'Ignore'; Write-Progress -Activity a",
                                  "Write-Progress -Activity a -ProgressAction SilentlyContinue"])
def test_progress_preference_hides_it(hide: str) -> None:
    eng, shown, _ = engine()
    assert run(eng, hide) == []
    assert shown == []
    run(eng, "$ProgressPreference = 'Continue'; Write-Progress -Activity b")
    assert [r.activity for r in shown] == ["b"]


def test_without_a_host_view_nothing_happens() -> None:
    registry = CommandRegistry()
    register_builtins(registry)
    eng = Engine(registry)
    assert run(eng, "Write-Progress -Activity a -PercentComplete 5; 'after'") == [
        StreamRecord("output", "after")]


def test_the_cmdlet_base_completes_its_activity_even_on_an_error() -> None:
    eng, shown, _ = engine()
    records = run(eng, "Invoke-Boom")
    assert [r.stream for r in records] == ["error"]
    assert [(r.activity, r.percent_complete, r.completed) for r in shown] == [("Working", 50, False),
                                                                              ("Working", 100, True)]
    assert shown[0].source == "Invoke-Boom" and shown[0].activity_id == 7


def test_the_board_nests_children_and_removes_them_with_their_parent() -> None:
    board = ProgressBoard()
    board.apply(ProgressRecord("Deploy", "template", 1, -1, 30))
    board.apply(ProgressRecord("VM", "creating", 2, 1, 50, current_operation="myVM"))
    board.apply(ProgressRecord("Other", "x", 3))
    lines = board.lines(80)
    assert lines[0].startswith("Deploy [=====>") and "30% template" in lines[0]
    assert lines[1].startswith("  VM [=========>") and lines[1].endswith("creating · myVM")
    assert lines[2] == "Other x"
    board.apply(ProgressRecord("Deploy", completed=True, activity_id=1))
    assert board.lines() == ["Other x"]
    board.apply(ProgressRecord("Other", completed=True, activity_id=3))
    assert not board and board.lines() == []


def test_bar_line_fits_the_width() -> None:
    line = bar_line(ProgressRecord("A" * 100, "status", percent_complete=100, seconds_remaining=3), 40)
    assert len(line) == 40 and line.endswith("…")
    assert "[====================] 100%" in bar_line(ProgressRecord("x", percent_complete=100), 80)
    assert bar_line(ProgressRecord("x", "s", seconds_remaining=9), 80) == "x s · 9s left"


def test_the_terminal_bar_is_drawn_and_erased() -> None:
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.output.vt100 import Vt100_Output

    from azshell.repl.progress import TerminalProgress

    buf = io.StringIO()
    out = Vt100_Output(buf, lambda: Size(rows=24, columns=60), term="xterm")
    bar = TerminalProgress(out, color=True)
    bar(ProgressRecord("Copying", "file 1", 0, -1, 10))
    drawn = buf.getvalue()
    assert "Copying [=>" in drawn and "10% file 1" in drawn
    buf.truncate(0), buf.seek(0)
    bar.suspend()
    assert buf.getvalue() == "\r\x1b[A\x1b[J"  # up over the one bar line, erase down
    bar.resume()
    assert "Copying" in buf.getvalue()
    buf.truncate(0), buf.seek(0)
    bar(ProgressRecord("Copying", completed=True))
    assert "\x1b[J" in buf.getvalue() and "Copying" not in buf.getvalue()  # gone, nothing redrawn
    assert not bar.board


def test_the_repl_runner_takes_the_bar_down_around_output_and_at_the_end() -> None:
    from azshell.repl.app import Runner

    calls: list[str] = []

    class Bar:
        def suspend(self) -> None:
            calls.append("suspend")

        def resume(self) -> None:
            calls.append("resume")

        def finish(self) -> None:
            calls.append("finish")

    class Session:
        closed = False

        def execute(self, text: str, on_record: Any) -> Any:
            on_record(StreamRecord("output", "hello"))

            class Result:
                had_errors = False
                exit_requested = None
            return Result()

        def render_text(self, record: Any) -> str:
            return str(record.value)

    out = io.StringIO()
    runner = Runner(Session(), out, io.StringIO(), color=False)  # type: ignore[arg-type]
    runner.progress = Bar()  # type: ignore[assignment]
    runner.run("anything")
    assert calls == ["suspend", "resume", "finish"] and out.getvalue() == "hello\n"


@pytest.mark.timeout(120)
def test_command_line_prints_nothing_for_progress(tmp_path: Any) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "azshell", "--state", ":memory:", "-c",
         "Write-Progress -Activity 'Working' -PercentComplete 50; 'done'; "
         "Write-Progress -Activity 'Working' -Completed"],
        capture_output=True, text=True, timeout=100, cwd=tmp_path)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "done\n", "")
