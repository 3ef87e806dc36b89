"""The one facade the front ends use: :class:`Session`.

The REPL, the Jupyter kernel and the command line only call this: ``execute``/``run`` (streamed records),
``is_complete``, ``complete``, ``inspect``, ``interrupt``, ``prompt`` and ``toolbar``. It wires the language
engine (``azshell.lang``) to the Azure cmdlets (``azshell.cmdlets``) over one :class:`~azshell.world.World`.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from azshell.errors import AzShellError

if TYPE_CHECKING:
    from azshell.cmdlets.context import Services
    from azshell.lang.cmdlet import CommandRegistry, FileSystem
    from azshell.lang.completion import CompletionResult
    from azshell.lang.engine import Engine, StreamRecord
    from azshell.services.base import Registry as ServiceRegistry
    from azshell.world import World

Completeness = Literal["complete", "incomplete", "invalid"]


class SessionError(AzShellError):
    """The session could not start (e.g. the state file is unusable); the message says why."""


def default_state_path() -> str:
    """``$AZSHELL_STATE``, else ``$AZSHELL_HOME/state.db`` (``AZSHELL_HOME`` defaults to ``~/.azshell``)."""
    if os.environ.get("AZSHELL_STATE"):
        return os.environ["AZSHELL_STATE"]
    return os.path.join(azshell_home(), "state.db")


def azshell_home() -> str:
    return os.environ.get("AZSHELL_HOME") or os.path.join(os.path.expanduser("~"), ".azshell")


@dataclass
class ExecuteResult:
    records: list[StreamRecord] = field(default_factory=list)
    had_errors: bool = False
    exit_requested: int | None = None


class Session:
    """One user's shell over one state file."""

    def __init__(self, *, state: str | None = None, world: World | None = None, interactive: bool = False) -> None:
        from azshell.lang.builtins import register_builtins
        from azshell.lang.cmdlet import CommandRegistry
        from azshell.lang.engine import Engine

        self.interactive = interactive
        self.closed = False
        self._lock = threading.Lock()
        self._state_path = state if state is not None else default_state_path()
        self._world: World | None = world
        self._service_registry: ServiceRegistry | None = world.registry if world is not None else None
        if interactive:
            _ = self.world  # the prompt and toolbar show the tenant: fail now if the state is unusable
        self._services: Services | None = None
        self._history: list[str] = []  # recent commands, for hints that look back (doc typos)
        self._local_fs: FileSystem | None = None  # the real folder, kept while the session is on a host
        registry = CommandRegistry()
        register_builtins(registry)
        registry.add_loader(self._register_azure)  # the Az cmdlets load on first use: start-up stays light
        self.registry = registry
        self.engine: Engine = Engine(registry, services=_DeferredServices(self), random_bytes=self._random_bytes)
        self._clear_screen: Callable[[], None] | None = None
        #: the last command's output already said where the tutorial stands (see tutorial_status)
        self._tutorial_said = False

    @property
    def service_registry(self) -> ServiceRegistry:
        """The Azure services of this session's world (every service unless the world was built otherwise)."""
        if self._service_registry is None:
            from azshell.services.registry import default_registry

            self._service_registry = default_registry()
        return self._service_registry

    def _register_azure(self, commands: CommandRegistry) -> None:
        from azshell.cmdlets import register_all

        register_all(commands, self.service_registry)

    def _random_bytes(self, n: int) -> bytes:
        """The language's randomness (New-Guid, ``[guid]::NewGuid()``, Get-Random): the world's id source, so
        ``--seed`` repeats it. Unseeded, a script that never touches Azure does not open the state for it."""
        if self._world is None and not os.environ.get("AZSHELL_SEED"):
            return os.urandom(n)
        try:
            world = self.world
        except SessionError:
            return os.urandom(n)
        return world.ids.bytes(n)

    @property
    def world(self) -> World:
        """The tenant state, opened on first use (a script that never touches Azure never opens it)."""
        if self._world is None:
            from azshell.model.errors import ModelError
            from azshell.services.registry import open_world

            path = self._state_path
            try:
                self._world = open_world(path, registry=self.service_registry)
            except ModelError as e:
                raise SessionError(str(e)) from None
            except OSError as e:
                raise SessionError(f"cannot open the state file {path}: {e.strerror or e}") from None
        return self._world

    @property
    def services(self) -> Services:
        """The Azure side of the session (Az context, host context, in-process HTTP), built on first use."""
        if self._services is None:
            from azshell.cmdlets.context import Services

            services = Services(self.world)
            services.cwd_provider = lambda: self.engine.fs.cwd()
            services.on_host_change.append(self._switch_disk)
            self._services = services
        return self._services

    def _switch_disk(self, host: Any) -> None:
        """On a host, file cmdlets use that host's disk (kept in the state); off-host, the real folder."""
        from azshell.hostdisk import HostDisk

        if host is None:
            if self._local_fs is not None:
                self.engine.fs = self._local_fs
            return
        if self._local_fs is None:
            self._local_fs = self.engine.fs
        self.engine.fs = HostDisk(self.world.store, host.resource_id, cwd=host.prompt_path)

    def warm_up(self) -> None:
        """Load what the first Azure command would (front ends call this in the background after start)."""
        self.registry.load_all()
        _ = self.services

    # -- running ------------------------------------------------------------------------------------
    def execute(self, text: str, on_record: Callable[[StreamRecord], None] | None = None, *,
                script_path: str | None = None, script_args: Sequence[str] | None = None) -> ExecuteResult:
        """Run ``text``; each record is passed to ``on_record`` as it happens and also returned.

        With ``script_path``, ``text`` is that script file's content, run as ``pwsh -File script_path
        script_args…`` runs it: its ``param()`` block and ``$args`` bound from the command-line strings.
        """
        result = ExecuteResult()

        def sink(record: StreamRecord) -> None:
            if record.stream == "error":
                self._add_typo_hint(text, record.value)
            result.records.append(record)
            if on_record is not None:
                on_record(record)

        with self._lock:
            outcome = self.engine.execute(text, sink, script_path=script_path, script_args=script_args)
        self._history.append(text)
        del self._history[:-20]
        result.had_errors = outcome.had_errors
        if outcome.exit_requested is not None:
            # `exit` on an emulated host leaves the host, as closing a remote session does
            if self._services is not None and self._services.current_host is not None:
                self.services.exit_host()
            else:
                result.exit_requested = outcome.exit_requested
                self.closed = True
        self._tutorial_said = False
        if self._world is not None and not self.closed:
            notes = self._tutorial_after(text, result)
            for note in notes:
                sink(_host_record(note))
            self._tutorial_said = bool(notes) or _is_tutorial_command(text)
        return result

    # -- tutorials (azshell.tutorials): the step is re-checked after every command ----------------------------
    def tutorial_view(self) -> Any:
        """What tutorial checks may see of this session: the host it stands on and its variables."""
        from azshell.tutorials.engine import SessionView

        host = self._services.current_host if self._services is not None else None
        return SessionView(host=(host.kind, host.resource_id) if host is not None else None,
                           get_variable=self._variable_or_none)

    def _variable_or_none(self, name: str) -> Any:
        try:
            return self.engine.get_variable(name)
        except Exception:
            return None

    def _tutorial_after(self, text: str, result: ExecuteResult) -> list[str]:
        try:
            from azshell.tutorials.engine import TutorialEngine

            tutorials = TutorialEngine(self.world)
            if not tutorials.is_active():
                return []
            # error records first, then what else the command said (curl prints failures as text, not errors)
            errors = "\n".join([self.render_text(r) for r in result.records if r.stream == "error"]
                               + [self.render_text(r) for r in result.records
                                  if r.stream in ("host", "warning") or isinstance(r.value, str)])[:20000]
            return tutorials.after_command(self.tutorial_view(), text, not result.had_errors, errors)
        except Exception:  # a tutorial problem must never break the shell
            return []

    def tutorial_panel(self) -> list[str]:
        """The REPL's step panel lines ([] when no tutorial is active)."""
        try:
            from azshell.tutorials.engine import TutorialEngine

            return TutorialEngine(self.world).panel_lines()
        except Exception:
            return []

    def tutorial_status(self) -> str | None:
        """One short status line for the end of a notebook cell while a tutorial is active, else None: only for
        a cell that said nothing about the tutorial itself (no step passed, no hint, not a tutorial cmdlet), so
        every cell shows one status."""
        if self._tutorial_said:
            return None
        try:
            from azshell.tutorials.engine import TutorialEngine

            return TutorialEngine(self.world).status_line(self.tutorial_view())
        except Exception:
            return None

    def _add_typo_hint(self, text: str, record: Any) -> None:
        """Name the typo when a failure comes from a command typed as an official tutorial misprints it."""
        from azshell.doctypos import hint_for

        if getattr(record, "suggestion", "x"):  # not an error record, or it has a suggestion already
            return
        message = str(getattr(record, "message", ""))
        # the failing command named the problem itself (a 401's hint names what is wrong with the credential, not
        # which misprinted line emptied it: that one is still worth naming)
        if "Hint:" in message and "401 (Unauthorized)" not in message:
            return
        hint = hint_for(text, record, self._history)
        if hint:
            record.suggestion = hint

    def run(self, text: str, write: Callable[[str, str], None], *, script_path: str | None = None,
            script_args: Sequence[str] | None = None) -> ExecuteResult:
        """Run ``text`` and write formatted text chunks as ``write(stream, text)`` (``script_path``,
        ``script_args``: as for :meth:`execute`).

        Consecutive output objects are formatted together (so objects of one type share one table), and
        flushed whenever another stream interleaves, so output order is kept.
        """
        pending: list[Any] = []

        def flush() -> None:
            if pending:
                text_out = self.render_outputs(pending)
                pending.clear()
                if text_out:
                    write("output", text_out if text_out.endswith("\n") else text_out + "\n")

        def on_record(record: StreamRecord) -> None:
            if record.stream == "output":
                pending.append(record.value)
                return
            flush()
            chunk = self.render_text(record)
            write(record.stream, chunk if chunk.endswith("\n") else chunk + "\n")

        result = self.execute(text, on_record, script_path=script_path, script_args=script_args)
        flush()
        return result

    # -- rendering ----------------------------------------------------------------------------------
    def render_outputs(self, objects: list[Any]) -> str:
        from azshell.lang.formatting import format_objects

        return format_objects(objects, views=self.registry.views)

    def render_html(self, objects: list[Any]) -> str | None:
        from azshell.lang.formatting import format_html
        from azshell.lang.values import PSObject

        # objects that render themselves (a tutorial step): their ``ToHtml`` method
        own = [o.methods["tohtml"]() for o in objects if isinstance(o, PSObject) and "tohtml" in o.methods]
        if own and len(own) == len(objects):
            return "\n".join(str(h) for h in own)
        return format_html(objects, views=self.registry.views)

    def render_text(self, record: StreamRecord) -> str:
        stream, value = record.stream, record.value
        if stream == "output":
            return self.render_outputs([value])
        if stream == "error":
            render = getattr(value, "render", None)
            return str(render()) if callable(render) else str(value)
        if stream == "warning":
            return f"WARNING: {value}"
        if stream == "verbose":
            return f"VERBOSE: {value}"
        if stream == "debug":
            return f"DEBUG: {value}"
        from azshell.lang.conversions import to_string

        return value if isinstance(value, str) else to_string(value)

    # -- editing support ----------------------------------------------------------------------------
    def is_complete(self, text: str) -> Completeness:
        return self.engine.is_complete(text)

    def complete(self, text: str, cursor: int) -> CompletionResult:
        from azshell.lang.completion import complete

        return complete(
            text,
            cursor,
            registry=self.registry,
            variables=lambda: list(self.engine.variables()),
            members=self._members_of,
            value_completer=lambda key, prefix: self.services.complete_value(key, prefix),
            fs=self.engine.fs,
        )

    def _members_of(self, name: str) -> list[str]:
        from azshell.lang.conversions import property_names

        try:
            return [str(n) for n in property_names(self.engine.get_variable(name))]
        except Exception:  # completion must never fail loudly
            return []

    def inspect(self, text: str, cursor: int, detail: int = 0) -> str | None:
        """Help for the command under the cursor, as ``Get-Help`` shows it: the command named there, or the one
        whose arguments the cursor is in (``Get-AzVM ``, ``Get-AzVM -ResourceGroupName x``); on a parameter
        name, that parameter's entry comes first. ``detail`` > 0 gives the full help."""
        from azshell.lang.help import find_parameter, render_help

        word = _word_at(text, cursor)
        command, on_command = _command_at(text, cursor)
        cls = None
        if command and not on_command:
            cls = self.registry.resolve(command)
            # the argument of Get-Help/Get-Command names the command wanted
            if cls is not None and cls.name in _NAMES_A_COMMAND and word and self.registry.resolve(word):
                cls = None
        if cls is None and word:
            cls = self.registry.resolve(word)
        if cls is None and command:
            cls = self.registry.resolve(command)
        if cls is None:
            return None
        page = render_help(cls, full=detail > 0, width=INSPECT_WIDTH)
        param = find_parameter(cls, word) if word.startswith("-") and not on_command else None
        if param is not None:
            entry = render_help(cls, parameter=param.name).strip("\n")
            page = f"{cls.name} {entry.lstrip()}\n" + page
        return page

    def highlight_tokens(self, text: str) -> list[tuple[str, str]]:
        from azshell.lang.highlight import highlight

        return highlight(text, is_command=lambda n: self.registry.resolve(n) is not None)

    def interrupt(self) -> None:
        self.engine.interrupt()

    # -- host presentation ----------------------------------------------------------------------------
    def prompt(self) -> str:
        """``PS /subscriptions/{id}> `` off-host (Cloud Shell's Azure view), ``[myVM]: PS C:\\> `` on a host."""
        if self._services is not None and self._services.current_host is not None:
            return str(self._services.prompt())
        return f"PS /subscriptions/{self.world.default_subscription_id}> "

    def toolbar(self) -> dict[str, str]:
        """Tenant, subscription, account and host, for the REPL's bottom toolbar."""
        world = self.world
        info = {"tenant": world.tenant.default_domain}
        if self._services is None:  # nothing has signed in yet: the admin user will, like Cloud Shell
            sub = world.store.get_subscription(world.default_subscription_id)
            info.update(host="Cloud Shell", account=world.admin_user.user_principal_name or "",
                        subscription=sub.display_name if sub is not None else "")
            return info
        info.update(self.services.toolbar())
        return info

    def history_path(self) -> str:
        return os.path.join(azshell_home(), "history")

    def set_clear_screen(self, fn: Callable[[], None] | None) -> None:
        self._clear_screen = fn
        setattr(self.engine.evaluator, "clear_screen", fn)  # noqa: B010 - found by Clear-Host via getattr

    def set_progress(self, fn: Callable[[Any], None] | None) -> None:
        """Where Write-Progress records go (the REPL's bar, the kernel's display); None: nowhere."""
        self.engine.progress = fn

    def close(self) -> None:
        if self._world is not None:
            self._world.close()


def _is_tutorial_command(text: str) -> bool:
    from azshell.tutorials.engine import is_tutorial_command

    return is_tutorial_command(text)


def _host_record(text: str) -> StreamRecord:
    from azshell.lang.engine import StreamRecord

    return StreamRecord("host", text)


def _word_at(text: str, cursor: int) -> str:
    cursor = max(0, min(cursor, len(text)))
    start = cursor
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-_"):
        start -= 1
    end = cursor
    while end < len(text) and (text[end].isalnum() or text[end] in "-_"):
        end += 1
    return text[start:end]


#: the commands whose first argument names a command (inspection shows that one)
_NAMES_A_COMMAND = frozenset({"Get-Help", "Get-Command"})
#: the width inspection (a Jupyter tooltip) lays help out for
INSPECT_WIDTH = 100


def _command_at(text: str, cursor: int) -> tuple[str, bool]:
    """The command of the pipeline element the cursor is in, and whether the cursor is on its name.

    Scans ``text[:cursor]`` outside quotes and comments: ``(``, ``$(``, ``@(``, ``{`` open a nested element and
    the matching closer returns to the outer one; ``|``, ``;``, a newline, ``&&``/``||`` and an assignment's
    ``=`` start a new element. ``("", False)`` when there is no command there."""
    cursor = max(0, min(cursor, len(text)))
    starts = [0]
    quote = ""
    i = 0
    while i < cursor:
        c = text[i]
        if quote:
            if c == "`" and quote == '"':
                i += 2
                continue
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "`":
            i += 2
            continue
        elif c == "#" and (i == 0 or text[i - 1].isspace() or text[i - 1] in ";|({"):
            nl = text.find("\n", i, cursor)
            if nl == -1:
                return "", False
            i = nl
            continue
        elif c in "({":
            starts.append(i + 1)
        elif c in ")}":
            if len(starts) > 1:
                starts.pop()
        elif c in "|;\n" or (c == "&" and text[i:i + 2] == "&&") or (c == "=" and text[i:i + 2] != "=="
                                                                      and text[i - 1:i] not in ("!", "=")):
            starts[-1] = i + 1
            if text[i:i + 2] in ("&&", "||"):
                i += 1
        i += 1
    segment = text[starts[-1]:cursor]
    stripped = segment.lstrip()
    while stripped[:1] in ("&", ".") and stripped[1:2].isspace():  # the call operators
        stripped = stripped[1:].lstrip()
    name = ""
    for ch in stripped:
        if ch.isspace():
            break
        name += ch
    if not name or name[0] in "$'\"@(-0123456789[":
        return "", False
    on_name = len(name) == len(stripped)  # no space after the name yet: the cursor is on it
    if on_name:
        rest = text[cursor:]
        k = 0
        while k < len(rest) and (rest[k].isalnum() or rest[k] in "-_."):
            k += 1
        name += rest[:k]
    return name, on_name


class _DeferredServices:
    """Stands in for the session's Services in the engine until a cmdlet first touches it."""

    __slots__ = ("_session",)

    def __init__(self, session: Session) -> None:
        self._session = session

    def __getattr__(self, name: str) -> Any:
        try:
            services = self._session.services
        except SessionError as e:
            from azshell.lang.cmdlet import CmdletError

            raise CmdletError(str(e), category="ResourceUnavailable", error_id="StateUnavailable") from None
        return getattr(services, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _DeferredServices.__slots__:
            object.__setattr__(self, name, value)
        else:
            setattr(self._session.services, name, value)
