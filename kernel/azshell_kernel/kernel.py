"""``AzShellKernel``: ipykernel's wrapper-kernel pattern over :class:`azshell.session.Session`.

What a cell sends (iopub), in the order things happen:

* text output (strings), ``Write-Host`` and information records: ``stream`` ``stdout``; a record whose value
  has an HTML form (``_repr_html_``, e.g. a tutorial's next-step card) is ``display_data`` with both forms;
* warnings, verbose and debug text: ``stream`` ``stderr`` (``WARNING: …``/``VERBOSE: …``);
* consecutive output objects are formatted together (one table) as ``display_data`` with ``text/plain`` and,
  for tables, ``text/html``; the objects still pending when the cell ends are the cell's value and are sent as
  ``execute_result`` instead (so ``1+2`` gives ``execute_result`` ``3``);
* each error record: one ``error`` message whose traceback is the rendered PowerShell error; the reply is then
  ``status: error`` with the last error's ``ename``/``evalue``/``traceback``;
* ``Clear-Host``/``cls``: ``clear_output``;
* ``Write-Progress``: one ``display_data`` with a ``display_id`` (the bars as text and HTML ``<progress>``),
  then ``update_display_data`` of it; emptied when the last activity completes or the cell ends;
* while a tutorial is active, a cell that said nothing about it (no step passed, no hint) ends with one short
  status line (``Session.tutorial_status``).

Interrupts (``interrupt_mode: signal``, and ``interrupt_request`` which ipykernel turns into SIGINT too): while
a handler runs, SIGINT calls ``Session.interrupt()``, and the running command ends with "The pipeline has been
stopped."; a third SIGINT during one cell raises ``KeyboardInterrupt`` as a last resort, which is also caught.
"""

from __future__ import annotations

import fnmatch
import re
import signal
import time
import uuid
from collections.abc import Callable
from typing import Any

from ipykernel.kernelbase import Kernel

from azshell_kernel import KERNEL_NAME, __version__
from azshell_kernel.display import (
    error_content,
    internal_error_content,
    is_text_output,
    mime_bundle,
    progress_bundle,
    stopped_content,
    stream_name,
    with_newline,
)

FORCE_AFTER = 3
#: seconds between two updates of a progress display whose activities did not change
PROGRESS_INTERVAL = 0.1
HISTORY_SESSION = 1

LANGUAGE_INFO: dict[str, Any] = {
    "name": "powershell",
    "version": __version__,
    "mimetype": "text/x-powershell",
    "file_extension": ".ps1",
    "pygments_lexer": "powershell",
    "codemirror_mode": "powershell",
}


def default_session_factory() -> Any:
    """A ``Session`` over ``$AZSHELL_STATE`` / ``$AZSHELL_HOME/state.db``, as the command line uses."""
    from azshell.session import Session

    return Session(interactive=True)


#: a cell that is one help request: Get-Help/help/man with plain arguments (no pipeline, no second statement)
_HELP_CELL = re.compile(r"^\s*(?:Get-Help|help|man)(?:\s+[^|;&\r\n]*)?\s*$", re.IGNORECASE)


class CellRun:
    """Sends one cell's records to iopub as they stream (see the module docstring for the mapping)."""

    def __init__(self, kernel: AzShellKernel, session: Any, *, silent: bool) -> None:
        self.kernel = kernel
        self.session = session
        self.silent = silent
        self.pending: list[Any] = []
        self.last_error: dict[str, Any] | None = None
        #: Write-Progress: the activities shown now, and the display that shows them (one per cell)
        self.board: Any = None
        self.progress_id: str | None = None
        self._progress_at = 0.0
        self._progress_ids: tuple[int, ...] = ()

    def send(self, msg_type: str, content: dict[str, Any]) -> None:
        if not self.silent:
            self.kernel.send_response(self.kernel.iopub_socket, msg_type, content)  # type: ignore[no-untyped-call]

    def on_record(self, record: Any) -> None:
        try:
            stream = str(getattr(record, "stream", "output"))
            value = getattr(record, "value", record)
            if stream == "output" and not is_text_output(value):
                self.pending.append(value)
                return
            self.flush_display()
            if stream == "error":
                self.error(error_content(self.session, record))
                return
            try:
                text = self.session.render_text(record)
            except Exception:
                text = str(value)
            to_html = getattr(value, "_repr_html_", None)
            if text and callable(to_html):
                self.send("display_data", {"data": {"text/plain": text.rstrip("\n"), "text/html": str(to_html())},
                                           "metadata": {}})
                return
            if text:
                self.send("stream", {"name": stream_name(stream), "text": with_newline(text)})
        except Exception as e:  # a display problem must not lose the cell's reply
            self.error(internal_error_content(e))

    def progress(self, record: Any) -> None:
        """A Write-Progress record: the first one of a cell is ``display_data`` with a ``display_id``; later ones
        ``update_display_data`` of that display (throttled, except new and completed activities); when the last
        activity completes the display is emptied (the bar disappears, as in PowerShell)."""
        try:
            if self.board is None:
                from azshell.lang.progress import ProgressBoard

                self.board = ProgressBoard()
            self.board.apply(record)
            ids = tuple(r.activity_id for r in self.board.records)
            now = time.monotonic()
            if not (record.completed or ids != self._progress_ids or now - self._progress_at >= PROGRESS_INTERVAL):
                return
            self._progress_ids, self._progress_at = ids, now
            self.show_progress()
        except Exception as e:  # a display problem must not lose the cell's reply
            self.error(internal_error_content(e))

    def show_progress(self) -> None:
        if self.board is None:
            return
        bundle = progress_bundle(self.board.records, self.board.lines(100))
        if self.progress_id is None:
            if not self.board:
                return
            self.progress_id = uuid.uuid4().hex
            self.send("display_data", {"data": bundle, "metadata": {},
                                       "transient": {"display_id": self.progress_id}})
        else:
            self.send("update_display_data", {"data": bundle, "metadata": {},
                                              "transient": {"display_id": self.progress_id}})

    def end_progress(self) -> None:
        """The cell ended: any activity still shown is removed."""
        if self.board is not None and self.board:
            self.board.clear()
            self.show_progress()

    def error(self, content: dict[str, Any]) -> None:
        self.last_error = content
        self.send("error", content)

    def flush_display(self) -> None:
        if self.pending:
            objects, self.pending = self.pending, []
            self.send("display_data", {"data": mime_bundle(self.session, objects), "metadata": {}})

    def finish(self) -> dict[str, str] | None:
        """Send the pending objects as the cell's ``execute_result``; returns the bundle."""
        if not self.pending:
            return None
        objects, self.pending = self.pending, []
        bundle = mime_bundle(self.session, objects)
        self.send("execute_result", {"execution_count": self.kernel.execution_count, "data": bundle,
                                     "metadata": {}})
        return bundle

    def clear(self) -> None:
        """``Clear-Host``: drop what is pending and clear the cell's output."""
        self.pending = []
        self.progress_id = None
        self.send("clear_output", {"wait": False})


class AzShellKernel(Kernel):
    implementation = KERNEL_NAME
    implementation_version = __version__
    banner = (
        f"azshell {__version__} — Azure managed identities, offline: a PowerShell-style shell over an "
        "emulated tenant. Try Get-Command, Get-Help, New-AzVM, Enter-AzVM."
    )
    language_info = LANGUAGE_INFO
    help_links = [{"text": "azshell commands (Get-Command)", "url": "https://learn.microsoft.com/powershell/azure/"}]

    #: builds the session; tests replace it (``AzShellKernel.session_factory = staticmethod(...)``)
    session_factory: Callable[[], Any] = staticmethod(default_session_factory)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]
        self._history: list[tuple[int, int, str, str | None]] = []
        self._cell: CellRun | None = None
        self._interrupts = 0
        self._session: Any = None
        self._session_error: str | None = None
        self._start_session()

    # ---------------------------------------------------------------- session
    def _start_session(self) -> None:
        try:
            self._session = type(self).session_factory()
        except Exception as e:  # e.g. an unusable state file: report it on every cell
            self._session = None
            self._session_error = f"azshell: {e}"
            return
        setter = getattr(self._session, "set_clear_screen", None)
        if callable(setter):
            try:
                setter(self._clear_screen)
            except Exception:
                pass
        progress = getattr(self._session, "set_progress", None)
        if callable(progress):
            try:
                progress(self._progress)
            except Exception:
                pass

    def _clear_screen(self) -> None:
        if self._cell is not None:
            self._cell.clear()

    def _progress(self, record: Any) -> None:
        if self._cell is not None:
            self._cell.progress(record)

    @property
    def kernel_info(self) -> dict[str, Any]:
        info: dict[str, Any] = super().kernel_info
        # ipykernel advertises "debugger" whenever debugpy is importable; this kernel has none.
        info["supported_features"] = [f for f in info.get("supported_features", []) if f != "debugger"]
        return info

    # ---------------------------------------------------------------- interrupts
    def pre_handler_hook(self) -> None:
        self._interrupts = 0
        self.saved_sigint_handler = signal.signal(signal.SIGINT, self._on_sigint)

    def post_handler_hook(self) -> None:
        signal.signal(signal.SIGINT, self.saved_sigint_handler)

    def _on_sigint(self, signum: int, frame: object) -> None:
        self._interrupts += 1
        if self._session is not None:
            try:
                self._session.interrupt()
            except Exception:
                pass
        if self._interrupts >= FORCE_AFTER:
            raise KeyboardInterrupt

    # ---------------------------------------------------------------- execute
    async def do_execute(
        self,
        code: str,
        silent: bool,
        store_history: bool = True,
        user_expressions: dict[str, str] | None = None,
        allow_stdin: bool = False,
        *,
        cell_meta: Any = None,
        cell_id: Any = None,
    ) -> dict[str, Any]:
        return self.run_cell(code, silent=silent, store_history=store_history,
                             user_expressions=user_expressions)

    def run_cell(self, code: str, *, silent: bool = False, store_history: bool = True,
                 user_expressions: dict[str, str] | None = None) -> dict[str, Any]:
        """Run one cell synchronously (on the kernel's main thread, so SIGINT reaches the handler)."""
        session = self._session
        cell = CellRun(self, session, silent=silent)
        result_bundle: dict[str, str] | None = None
        if session is None:
            cell.error({"ename": "SessionError", "evalue": self._session_error or "no session",
                        "traceback": [self._session_error or "azshell: no session"]})
        elif code.strip() and (page := self._help_page(session, code)) is not None:
            payload = [{"source": "page", "data": {"text/plain": page}, "start": 0}]
            if store_history and not silent:
                self._history.append((HISTORY_SESSION, self.execution_count, code, None))
            return {"status": "ok", "execution_count": self.execution_count, "payload": payload,
                    "user_expressions": self._user_expressions(user_expressions or {})}
        elif code.strip():
            self._cell = cell
            self._interrupts = 0
            try:
                session.execute(code, cell.on_record)
                cell.end_progress()
                result_bundle = cell.finish()
                self._tutorial_status(cell, session)
            except KeyboardInterrupt:
                cell.end_progress()
                cell.flush_display()
                cell.error(stopped_content())
            except Exception as e:
                cell.end_progress()
                cell.flush_display()
                cell.error(internal_error_content(e))
            finally:
                self._cell = None
        if store_history and not silent:
            self._history.append((HISTORY_SESSION, self.execution_count, code,
                                  result_bundle["text/plain"] if result_bundle else None))
        if cell.last_error is not None:
            return {"status": "error", "execution_count": self.execution_count, **cell.last_error}
        return {
            "status": "ok",
            "execution_count": self.execution_count,
            "payload": [],
            "user_expressions": self._user_expressions(user_expressions or {}),
        }

    @staticmethod
    def _help_page(session: Any, code: str) -> str | None:
        """A cell that only asks for help (``Get-Help X``, ``help X``, ``man X``) opens Jupyter's pager, as
        IPython's ``?`` does; anything else, or a help request that fails, runs as a normal cell."""
        if _HELP_CELL.match(code) is None:
            return None
        texts: list[str] = []
        failed = False

        def collect(record: Any) -> None:
            nonlocal failed
            if record.stream == "error":
                failed = True
            else:
                texts.append(session.render_text(record))

        try:
            session.execute(code, collect)
        except Exception:
            return None
        text = "".join(t if t.endswith("\n") else t + "\n" for t in texts).strip("\n")
        return None if failed or not text else text + "\n"

    def _tutorial_status(self, cell: CellRun, session: Any) -> None:
        """While a tutorial is active, each cell's output ends with the current step's status line."""
        status_fn = getattr(session, "tutorial_status", None)
        if not callable(status_fn):
            return
        try:
            line = status_fn()
        except Exception:
            return
        if line:
            cell.send("stream", {"name": "stdout", "text": with_newline(str(line))})

    def _user_expressions(self, expressions: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        session = self._session
        for name, expr in expressions.items():
            if session is None:
                out[name] = {"status": "error", "ename": "SessionError", "evalue": self._session_error or "",
                             "traceback": []}
                continue
            try:
                result = session.execute(expr)
                records = list(getattr(result, "records", []))
                errors = [r for r in records if getattr(r, "stream", "") == "error"]
                if errors:
                    out[name] = {"status": "error", **error_content(session, errors[-1])}
                    continue
                values = [r.value for r in records if getattr(r, "stream", "") == "output"]
                out[name] = {"status": "ok", "data": mime_bundle(session, values), "metadata": {}}
            except BaseException as e:  # noqa: B036 - an expression must never take the kernel down
                out[name] = {"status": "error", **internal_error_content(e)}
        return out

    # ---------------------------------------------------------------- editing support
    async def do_complete(self, code: str, cursor_pos: int | None) -> dict[str, Any]:
        cursor = len(code) if cursor_pos is None else cursor_pos
        empty = {"status": "ok", "matches": [], "cursor_start": cursor, "cursor_end": cursor, "metadata": {}}
        if self._session is None:
            return empty
        try:
            result = self._session.complete(code, cursor)
            start, end = int(result.start), int(result.end)
            items = list(result.items)
        except Exception:
            return empty
        matches: list[str] = []
        types: list[dict[str, Any]] = []
        seen: set[str] = set()
        for item in items:
            text = str(item.text)
            if text in seen:
                continue
            seen.add(text)
            matches.append(text)
            types.append({"start": start, "end": end, "text": text,
                          "type": str(getattr(item, "kind", None) or "text"),
                          "signature": str(getattr(item, "meta", None) or getattr(item, "description", None) or "")})
        return {"status": "ok", "matches": matches, "cursor_start": start, "cursor_end": end,
                "metadata": {"_jupyter_types_experimental": types}}

    async def do_inspect(
        self, code: str, cursor_pos: int | None, detail_level: int = 0, omit_sections: Any = ()
    ) -> dict[str, Any]:
        cursor = len(code) if cursor_pos is None else cursor_pos
        text: str | None = None
        if self._session is not None:
            try:
                text = self._session.inspect(code, cursor, detail_level)
            except Exception:
                text = None
        if not text:
            return {"status": "ok", "found": False, "data": {}, "metadata": {}}
        return {"status": "ok", "found": True, "data": {"text/plain": text}, "metadata": {}}

    async def do_is_complete(self, code: str) -> dict[str, Any]:
        if self._session is None:
            return {"status": "unknown"}
        try:
            status = str(self._session.is_complete(code))
        except Exception:
            return {"status": "unknown"}
        if status == "incomplete":
            return {"status": "incomplete", "indent": "    "}
        if status in ("complete", "invalid"):
            return {"status": status}
        return {"status": "unknown"}

    # ---------------------------------------------------------------- history
    async def do_history(
        self,
        hist_access_type: str,
        output: bool,
        raw: bool,
        session: int | None = None,
        start: int | None = None,
        stop: int | None = None,
        n: int | None = None,
        pattern: str | None = None,
        unique: bool = False,
        **kwargs: Any,
    ) -> dict[str, Any]:
        rows = list(self._history)
        if hist_access_type == "tail":
            rows = rows[-n:] if n else rows
        elif hist_access_type == "range":
            rows = [r for r in rows if (session in (None, 0, r[0]))
                    and (start is None or r[1] >= start) and (stop is None or r[1] < stop)]
        elif hist_access_type == "search":
            rows = [r for r in rows if fnmatch.fnmatchcase(r[2], pattern or "*")]
            if unique:
                latest: dict[str, tuple[int, int, str, str | None]] = {}
                for r in rows:  # keep the latest occurrence of each input, in order
                    latest.pop(r[2], None)
                    latest[r[2]] = r
                rows = list(latest.values())
            if n:
                rows = rows[-n:]
        else:
            rows = []
        history = [(s, line, (code, out) if output else code) for s, line, code, out in rows]
        return {"status": "ok", "history": history}

    # ---------------------------------------------------------------- shutdown
    async def do_shutdown(self, restart: bool) -> dict[str, Any]:
        close = getattr(self._session, "close", None)
        if callable(close):
            try:
                close()
            except Exception:
                pass
        if restart:
            self._start_session()
        return {"status": "ok", "restart": restart}
