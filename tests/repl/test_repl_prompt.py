"""A real ``PromptSession`` driven through a pipe input and ``DummyOutput`` (prompt_toolkit's own test style)."""

from __future__ import annotations

import io
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent, merge_key_bindings
from prompt_toolkit.output import DummyOutput

from azshell.repl.app import STOPPED, Repl, Runner
from tests.repl._fake_session import FakeSession

F1 = "\x1bOP"
CTRL_C = "\x03"
CTRL_D = "\x04"
TAB = "\t"
ENTER = "\r"

pytestmark = pytest.mark.timeout(30)


@pytest.fixture
def pipe() -> Iterator[PipeInput]:
    with create_pipe_input() as inp:
        yield inp


def feed(inp: PipeInput, *chunks: str, delay: float = 0.15) -> threading.Thread:
    """Type ``chunks`` one after another from a thread, pausing so async completion can run in between."""

    def run() -> None:
        for chunk in chunks:
            time.sleep(delay)
            inp.send_text(chunk)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def make_repl(inp: PipeInput, tmp_path: Path, session: FakeSession | None = None) -> tuple[Repl, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    repl = Repl(session or FakeSession(), input=inp, output=DummyOutput(), out=out, err=err,
                history_path=str(tmp_path / "history"))
    return repl, out, err


def test_runs_a_command_and_exits_on_ctrl_d(pipe: PipeInput, tmp_path: Path) -> None:
    repl, out, _ = make_repl(pipe, tmp_path)
    pipe.send_text("Write-Output hi" + ENTER + CTRL_D)
    assert repl.run(banner=False) == 0
    assert out.getvalue() == "hi\n"
    assert repl.prompt_session.message == "PS /subscriptions/0000> "


def test_multiline_entry_follows_is_complete(pipe: PipeInput, tmp_path: Path) -> None:
    session = FakeSession()
    repl, out, _ = make_repl(pipe, tmp_path, session)
    pipe.send_text("if (1) {" + ENTER + "Write-Output b" + ENTER + "}" + ENTER + CTRL_D)
    assert repl.run(banner=False) == 0
    assert session.executed == ["if (1) {\n    Write-Output b\n    }"]
    assert out.getvalue() == "b\n"


def test_invalid_input_is_accepted_and_the_error_shows(pipe: PipeInput, tmp_path: Path) -> None:
    session = FakeSession()
    repl, _, err = make_repl(pipe, tmp_path, session)
    pipe.send_text("nope }" + ENTER + CTRL_D)
    assert repl.run(banner=False) == 0
    assert session.executed == ["nope }"]
    assert "not recognized" in err.getvalue()


def test_ctrl_c_cancels_the_line_and_the_repl_goes_on(pipe: PipeInput, tmp_path: Path) -> None:
    session = FakeSession()
    repl, out, _ = make_repl(pipe, tmp_path, session)
    pipe.send_text("Write-Output abc" + CTRL_C + "Write-Output after" + ENTER + CTRL_D)
    assert repl.run(banner=False) == 0
    assert session.executed == ["Write-Output after"]
    assert out.getvalue() == "after\n"


def test_tab_completes_a_partial_cmdlet(pipe: PipeInput, tmp_path: Path) -> None:
    session = FakeSession()
    repl, _, _ = make_repl(pipe, tmp_path, session)
    feed(pipe, "Get-Ch", TAB, ENTER, CTRL_D)
    assert repl.run(banner=False) == 0
    assert session.executed == ["Get-ChildItem"]


def test_completion_menu_lists_commands_with_descriptions(pipe: PipeInput, tmp_path: Path) -> None:
    repl, _, _ = make_repl(pipe, tmp_path)
    seen: list[tuple[str, str]] = []
    probe = KeyBindings()

    @probe.add("c-t")
    def _(event: KeyPressEvent) -> None:
        state = event.current_buffer.complete_state
        seen.extend((c.text, c.display_meta_text) for c in (state.completions if state else []))

    ps = repl.prompt_session
    ps.key_bindings = merge_key_bindings([ps.key_bindings, probe]) if ps.key_bindings else probe
    feed(pipe, "Write-", TAB, "\x14", CTRL_C, CTRL_D)
    assert repl.run(banner=False) == 0
    assert ("Write-Warning", "Writes a warning message.") in seen
    assert {t for t, _ in seen} == {"Write-Output", "Write-Host", "Write-Warning", "Write-Verbose", "Write-Error"}


def test_ctrl_space_opens_the_menu(pipe: PipeInput, tmp_path: Path) -> None:
    repl, _, _ = make_repl(pipe, tmp_path)
    seen: list[str] = []
    probe = KeyBindings()

    @probe.add("c-t")
    def _(event: KeyPressEvent) -> None:
        state = event.current_buffer.complete_state
        seen.extend(c.text for c in (state.completions if state else []))

    ps = repl.prompt_session
    ps.key_bindings = merge_key_bindings([ps.key_bindings, probe]) if ps.key_bindings else probe
    feed(pipe, "Start-Sleep ", "\x00", "\x14", CTRL_C, CTRL_D)  # \x00 is Ctrl+Space
    assert repl.run(banner=False) == 0
    assert "Get-Command" in seen  # all commands, since nothing was typed after the space


def test_f1_prints_help_for_the_word_under_the_cursor(pipe: PipeInput, tmp_path: Path) -> None:
    repl, out, _ = make_repl(pipe, tmp_path)
    feed(pipe, "Get-Help", F1, CTRL_C, CTRL_D)
    assert repl.run(banner=False) == 0
    assert "NAME\n    Get-Help" in out.getvalue()
    assert "SYNOPSIS" in out.getvalue()


def test_clear_host_calls_the_clear_screen_hook(pipe: PipeInput, tmp_path: Path) -> None:
    cleared: list[int] = []

    class Counting(Repl):
        def clear_screen(self) -> None:
            cleared.append(1)

    out, err = io.StringIO(), io.StringIO()
    repl = Counting(FakeSession(), input=pipe, output=DummyOutput(), out=out, err=err,
                    history_path=str(tmp_path / "history"))
    pipe.send_text("Clear-Host" + ENTER + CTRL_D)
    assert repl.run(banner=False) == 0
    assert cleared == [1]


def test_history_is_persistent(pipe: PipeInput, tmp_path: Path) -> None:
    repl, _, _ = make_repl(pipe, tmp_path)
    pipe.send_text("Write-Output one" + ENTER + "Write-Output two" + ENTER + CTRL_D)
    repl.run(banner=False)
    text = (tmp_path / "history").read_text()
    assert "+Write-Output one" in text and "+Write-Output two" in text


def test_history_search_with_ctrl_r(pipe: PipeInput, tmp_path: Path) -> None:
    (tmp_path / "history").write_text("\n# t\n+Write-Output remembered\n")
    session = FakeSession()
    repl, out, _ = make_repl(pipe, tmp_path, session)
    feed(pipe, "\x12", "remem", ENTER, ENTER, CTRL_D)
    assert repl.run(banner=False) == 0
    assert session.executed == ["Write-Output remembered"]


def test_exit_returns_its_code(pipe: PipeInput, tmp_path: Path) -> None:
    repl, _, _ = make_repl(pipe, tmp_path)
    pipe.send_text("exit 4" + ENTER)
    assert repl.run(banner=False) == 4


def test_toolbar_reads_the_session(pipe: PipeInput, tmp_path: Path) -> None:
    repl, _, _ = make_repl(pipe, tmp_path)
    pipe.send_text(CTRL_D)
    repl.run(banner=False)
    toolbar = repl.prompt_session.bottom_toolbar
    assert callable(toolbar)
    assert "admin@contoso" in "".join(f[1] for f in toolbar())


def test_ctrl_c_while_running_interrupts_the_command() -> None:
    session = FakeSession()
    out, err = io.StringIO(), io.StringIO()
    runner = Runner(session, out, err, color=False)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    t0 = time.monotonic()
    timer.start()
    assert runner.run("Start-Sleep 30") is None
    assert time.monotonic() - t0 < 5
    assert STOPPED in err.getvalue()
    assert runner.run("Write-Output still-alive") is None
    assert out.getvalue() == "still-alive\n"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_exploding_session_never_shows_a_traceback(pipe: PipeInput, tmp_path: Path) -> None:
    class Exploding(FakeSession):
        def execute(self, text, on_record=None):  # type: ignore[no-untyped-def]
            raise ZeroDivisionError("oops")

        def prompt(self) -> str:
            raise RuntimeError("no prompt")

    repl, _, err = make_repl(pipe, tmp_path, Exploding())
    pipe.send_text("anything" + ENTER + CTRL_D)
    assert repl.run(banner=False) == 0
    assert err.getvalue() == "azshell: internal error: ZeroDivisionError: oops\n"
    assert "Traceback" not in err.getvalue()
