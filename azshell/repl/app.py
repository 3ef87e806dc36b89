"""The REPL loop: read with prompt_toolkit, run through the session, print as records stream.

``main(session)`` is what ``azshell`` (no arguments, on a terminal) calls. When stdin is not a terminal it
falls back to a plain line-mode loop. Never a Python traceback: every failure becomes one line of text.

Interrupts: while a command runs, Ctrl+C (SIGINT) calls ``Session.interrupt()``, which stops the pipeline
("The pipeline has been stopped."); a third Ctrl+C during the same command forces a ``KeyboardInterrupt``.
At the prompt, Ctrl+C cancels the line and Ctrl+D (on an empty line) exits.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from azshell.repl._types import SessionLike
from azshell.repl.output import RED, RESET, RecordPrinter

if TYPE_CHECKING:
    from prompt_toolkit import PromptSession
    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output

    from azshell.repl.progress import TerminalProgress

BANNER = (
    "azshell — Azure managed identities, offline. Tab completes, F1 shows help for the word under the "
    "cursor, Ctrl+R searches history, Ctrl+D exits."
)
STOPPED = "The pipeline has been stopped."
CLEAR_WORDS = frozenset({"cls", "clear-host", "clear"})
FORCE_AFTER = 3  # Ctrl+C presses during one command before a KeyboardInterrupt is forced


def execute_interruptibly(session: SessionLike, text: str, on_record: Callable[[Any], None]) -> Any:
    """``session.execute`` with SIGINT routed to ``session.interrupt()`` (main thread only).

    The handler only asks the session to stop, so a command is never torn down half-way through a write;
    after ``FORCE_AFTER`` presses it raises ``KeyboardInterrupt`` as a last resort.
    """
    if threading.current_thread() is not threading.main_thread():
        return session.execute(text, on_record)
    presses = 0

    def on_sigint(signum: int, frame: object) -> None:
        nonlocal presses
        presses += 1
        try:
            session.interrupt()
        except Exception:
            pass
        if presses >= FORCE_AFTER:
            raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGINT, on_sigint)
    except (ValueError, OSError):
        return session.execute(text, on_record)
    try:
        return session.execute(text, on_record)
    finally:
        signal.signal(signal.SIGINT, previous)


class Runner:
    """Runs one input and prints its records; shared by the prompt_toolkit REPL and the line mode."""

    def __init__(self, session: SessionLike, out: TextIO, err: TextIO, *, color: bool) -> None:
        self.session = session
        self.out = out
        self.err = err
        self.color = color
        self.last_status = 0
        #: the REPL's Write-Progress bar (None in line mode: progress is not shown there)
        self.progress: TerminalProgress | None = None

    def _end_progress(self) -> None:
        if self.progress is not None:
            try:
                self.progress.finish()
            except Exception:
                pass

    def error_line(self, text: str) -> None:
        line = f"{RED}{text}{RESET}" if self.color else text
        try:
            self.err.write(line + "\n")
            self.err.flush()
        except (OSError, ValueError):
            pass

    def run(self, text: str) -> int | None:
        """Run ``text``; returns the exit code when the session was closed (``exit``), else None."""
        printer = RecordPrinter(self.session, self.out, self.err, color=self.color)
        progress = self.progress
        on_record: Callable[[Any], None] = printer
        if progress is not None:
            def on_record(record: Any) -> None:  # the bar leaves the screen while the command prints
                progress.suspend()
                printer(record)
                progress.resume()
        try:
            result = execute_interruptibly(self.session, text, on_record)
        except KeyboardInterrupt:
            self._end_progress()
            printer.flush()
            self.error_line(STOPPED)
            self.last_status = 1
            return None
        except Exception as e:
            self._end_progress()
            printer.flush()
            self.error_line(f"azshell: internal error: {type(e).__name__}: {e}")
            self.last_status = 1
            return None
        self._end_progress()
        printer.flush()
        self.last_status = 1 if getattr(result, "had_errors", False) else 0
        code = getattr(result, "exit_requested", None)
        if getattr(self.session, "closed", False):
            return int(code) if code is not None else 0
        return None


class Repl:
    """The prompt_toolkit REPL. ``input``/``output`` are injectable for tests (pipe input, DummyOutput)."""

    def __init__(
        self,
        session: SessionLike,
        *,
        input: Input | None = None,
        output: Output | None = None,
        out: TextIO | None = None,
        err: TextIO | None = None,
        color: bool | None = None,
        history_path: str | None = None,
    ) -> None:
        self.session = session
        out = out or sys.stdout
        err = err or sys.stderr
        if color is None:
            color = output is None and _isatty(out) and "NO_COLOR" not in os.environ
        self.runner = Runner(session, out, err, color=color)
        self.out = out
        self._toolbar: dict[str, str] = {}
        self._panel: list[str] = []
        self.prompt_session: PromptSession[str] = self._build(input, output, history_path)
        self._hook_clear_screen()
        self._hook_progress(color)

    def _build(self, input: Input | None, output: Output | None, history_path: str | None) -> PromptSession[str]:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
        from prompt_toolkit.shortcuts import CompleteStyle

        from azshell.repl.completer import SessionCompleter
        from azshell.repl.keys import load_bindings
        from azshell.repl.lexer import SessionLexer
        from azshell.repl.toolbar import make_style, panel_fragments, toolbar_fragments

        return PromptSession(
            input=input,
            output=output,
            history=_history(self.session, history_path),
            auto_suggest=AutoSuggestFromHistory(),
            completer=SessionCompleter(self.session),
            complete_while_typing=True,
            complete_style=CompleteStyle.COLUMN,
            lexer=SessionLexer(self.session),
            style=make_style(),
            include_default_pygments_style=False,
            multiline=True,
            prompt_continuation=lambda width, line_number, is_soft_wrap: ">> ".rjust(width),
            key_bindings=load_bindings(self.session, self._print_help),
            bottom_toolbar=lambda: panel_fragments(self._panel) + toolbar_fragments(self._toolbar),
            enable_history_search=False,
            mouse_support=False,
            erase_when_done=False,
        )

    def _print_help(self, text: str) -> None:
        try:
            self.out.write(text + "\n")
            self.out.flush()
        except (OSError, ValueError):
            pass

    def _hook_clear_screen(self) -> None:
        setter = getattr(self.session, "set_clear_screen", None)
        self._session_clears = callable(setter)
        if callable(setter):
            try:
                setter(self.clear_screen)
            except Exception:
                self._session_clears = False

    def _hook_progress(self, color: bool) -> None:
        """Write-Progress draws a bar on the terminal (``azshell.repl.progress``)."""
        setter = getattr(self.session, "set_progress", None)
        if not callable(setter):
            return
        from azshell.repl.progress import TerminalProgress

        try:
            bar = TerminalProgress(self.prompt_session.app.output, color=color)
            setter(bar)
            self.runner.progress = bar
        except Exception:
            self.runner.progress = None

    def clear_screen(self) -> None:
        """Clear the terminal (``Clear-Host``/``cls``)."""
        try:
            output = self.prompt_session.app.output
            output.erase_screen()
            output.cursor_goto(0, 0)
            output.flush()
        except Exception:
            pass

    def read(self) -> str | None:
        """One input from the prompt: the text, ``""`` when Ctrl+C cancelled the line, None at Ctrl+D."""
        from azshell.repl.toolbar import read_panel, read_prompt, read_toolbar

        self._toolbar = read_toolbar(self.session)
        self._panel = read_panel(self.session)
        try:
            return self.prompt_session.prompt(read_prompt(self.session))
        except KeyboardInterrupt:
            return ""
        except EOFError:
            return None

    def _warm_up_in_background(self) -> None:
        """Let the session import what the first Azure command needs while the user types."""
        warm_up = getattr(self.session, "warm_up", None)
        if not callable(warm_up):
            return
        import threading

        def work() -> None:
            import time

            time.sleep(0.5)  # after the first prompt is drawn: imports would compete with it for the GIL
            try:
                warm_up()
            except Exception:  # the first command will report whatever went wrong, as a record
                pass

        threading.Thread(target=work, name="azshell-warm-up", daemon=True).start()

    def run_one(self, text: str) -> int | None:
        if not text.strip():
            return None
        if not self._session_clears and text.strip().lower() in CLEAR_WORDS:
            self.clear_screen()
            return None
        return self.runner.run(text)

    def run(self, *, banner: bool = True) -> int:
        if banner:
            self._print_help(BANNER)
        self._warm_up_in_background()
        while True:
            try:
                text = self.read()
                if text is None:
                    return 0
                code = self.run_one(text)
                if code is not None:
                    return code
            except KeyboardInterrupt:
                continue
            except EOFError:
                return 0
            except Exception as e:  # never a traceback; keep the REPL alive
                self.runner.error_line(f"azshell: internal error: {type(e).__name__}: {e}")


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _history(session: SessionLike, path: str | None) -> Any:
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    try:
        path = path or session.history_path()
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        return FileHistory(path)
    except Exception:
        return InMemoryHistory()


def line_loop(session: SessionLike, stdin: TextIO, out: TextIO, err: TextIO) -> int:
    """Plain line mode (stdin is not a terminal): read lines, continue while incomplete, run, print."""
    from azshell.repl.keys import input_status

    runner = Runner(session, out, err, color=False)
    buf: list[str] = []
    try:
        for line in stdin:
            buf.append(line.rstrip("\r\n"))
            text = "\n".join(buf)
            if input_status(session, text) == "incomplete":
                continue
            buf.clear()
            if not text.strip():
                continue
            code = runner.run(text)
            if code is not None:
                return code
        if buf and "\n".join(buf).strip():
            code = runner.run("\n".join(buf))
            if code is not None:
                return code
    except KeyboardInterrupt:
        return 130
    return runner.last_status


def main(
    session: SessionLike,
    *,
    input: Input | None = None,
    output: Output | None = None,
    stdin: TextIO | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the interactive shell over ``session``; returns the process exit code."""
    stdin = stdin or sys.stdin
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        if input is None and not (_isatty(stdin) and _isatty(out)):
            return line_loop(session, stdin, out, err)
        repl = Repl(session, input=input, output=output, out=out, err=err)
        return repl.run(banner=input is None)
    except Exception as e:
        try:
            err.write(f"azshell: internal error: {type(e).__name__}: {e}\n")
        except (OSError, ValueError):
            pass
        return 1
