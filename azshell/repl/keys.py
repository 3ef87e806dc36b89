"""Key bindings of the REPL, built by a factory over the session (ptpython's ``load_python_bindings`` shape).

* Enter          run the input if ``Session.is_complete`` says complete (or invalid: the error then shows);
                 on incomplete input insert a newline with indentation. With a completion selected in a
                 menu of several, Enter only accepts that completion (as in ptpython); a sole match runs.
* Alt+Enter      always insert a newline.
* Ctrl+Space     open the completion menu.
* F1             help (``Session.inspect``) for the word under the cursor, printed above the prompt.
* Tab, Ctrl+R, Ctrl+C (cancel the line), Ctrl+D (exit), Ctrl+L: prompt_toolkit's defaults.
"""

from __future__ import annotations

from collections.abc import Callable

from prompt_toolkit.application import run_in_terminal
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.enums import DEFAULT_BUFFER
from prompt_toolkit.filters import has_completions, has_focus
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

from azshell.repl._types import SessionLike

INDENT = "    "


def input_status(session: SessionLike, text: str) -> str:
    """``complete``/``incomplete``/``invalid`` for ``text``; a failing check counts as complete (run it)."""
    if not text.strip():
        return "complete"
    try:
        status = session.is_complete(text)
    except Exception:
        return "complete"
    return status if status in ("complete", "incomplete", "invalid") else "complete"


def newline_indent(buffer: Buffer) -> None:
    """Insert a newline keeping the current line's indentation, one level deeper after ``{``, ``(`` or ``@(``."""
    line = buffer.document.current_line_before_cursor
    indent = line[: len(line) - len(line.lstrip())]
    if line.rstrip().endswith(("{", "(", "@(", "@{")):
        indent += INDENT
    buffer.insert_text("\n" + indent)


def help_text(session: SessionLike, text: str, cursor: int) -> str:
    """What F1 prints: the session's help for the word under the cursor, or a short hint."""
    try:
        found = session.inspect(text, cursor, 1)
    except Exception:
        found = None
    if found:
        return found.rstrip("\n")
    return "No help found for the word under the cursor. Try Get-Help <command> or Get-Command."


def load_bindings(session: SessionLike, printer: Callable[[str], None] | None = None) -> KeyBindings:
    """The REPL's extra key bindings; ``printer`` writes F1 help (default: ``print``)."""
    kb = KeyBindings()
    focused = has_focus(DEFAULT_BUFFER)
    show = printer or print

    @kb.add("enter", filter=focused)
    def _enter(event: KeyPressEvent) -> None:
        """Accept a selected completion, continue an incomplete input, or run the input."""
        buffer = event.current_buffer
        state = buffer.complete_state
        if state is not None and state.current_completion is not None:
            buffer.complete_state = None  # keep the inserted completion, close the menu
            if len(state.completions) > 1:
                return  # picked from a menu: look at it first, Enter again runs it
        if input_status(session, buffer.text) == "incomplete":
            newline_indent(buffer)
            return
        buffer.validate_and_handle()

    @kb.add("escape", "enter", filter=focused)
    def _newline(event: KeyPressEvent) -> None:
        """Insert a newline without running (Alt+Enter)."""
        newline_indent(event.current_buffer)

    @kb.add("c-space", filter=focused)
    def _complete(event: KeyPressEvent) -> None:
        """Open the completion menu (Ctrl+Space), or move to the next entry when it is open."""
        buffer = event.current_buffer
        if buffer.complete_state:
            buffer.complete_next()
        else:
            buffer.start_completion(select_first=False)

    @kb.add("f1", filter=focused)
    def _help(event: KeyPressEvent) -> None:
        """Print help for the word under the cursor above the prompt."""
        buffer = event.current_buffer
        text = help_text(session, buffer.text, buffer.cursor_position)
        run_in_terminal(lambda: show(text))

    @kb.add("escape", filter=focused & has_completions, eager=True)
    def _close_menu(event: KeyPressEvent) -> None:
        """Close the completion menu (Escape)."""
        event.current_buffer.cancel_completion()

    return kb
