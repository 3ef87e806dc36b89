"""The language engine: parse + evaluate text against a command registry, streaming records to a sink.

Usage::

    engine = Engine(registry, services=..., fs=..., env=...)
    outcome = engine.execute('Get-Thing -Name a | Select-Object Name', sink)

``sink`` receives :class:`StreamRecord` s as they happen: every object that reaches the end of a top-level
pipeline ("output"), :class:`~azshell.lang.errors.ErrorRecord` s ("error"), warnings, verbose text, debug text
("debug": Write-Debug, render it as ``DEBUG: text``), Write-Host text ("host"). The engine keeps the global scope between calls and never lets a Python exception escape.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar, overload

from azshell.lang.binder import ArgItem
from azshell.lang.cmdlet import CommandRegistry, FileSystem
from azshell.lang.errors import (
    ErrorRecord,
    ParseError,
    PipelineStoppedError,
    RuntimeLangError,
    internal_error_record,
)

#: "debug" carries Write-Debug text (shown as ``DEBUG: text``), only when -Debug or $DebugPreference asks for it
StreamName = Literal["output", "error", "warning", "verbose", "debug", "host", "information"]


@dataclass
class StreamRecord:
    stream: StreamName
    value: Any
    #: Write-Host -NoNewline gives False
    newline: bool = True
    color: str | None = None


@dataclass
class ExecutionOutcome:
    had_errors: bool
    exit_requested: int | None = None


Sink = Callable[[StreamRecord], None]


_T = TypeVar("_T")


class _OnEvaluator(Generic[_T]):
    """An engine attribute that lives on its evaluator: reading or assigning it reads or assigns the evaluator's
    attribute of the same name."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, engine: None, owner: type) -> _OnEvaluator[_T]: ...
    @overload
    def __get__(self, engine: Engine, owner: type) -> _T: ...
    def __get__(self, engine: Engine | None, owner: type) -> _OnEvaluator[_T] | _T:
        if engine is None:
            return self
        value: _T = getattr(engine.evaluator, self.name)
        return value

    def __set__(self, engine: Engine, value: _T) -> None:
        setattr(engine.evaluator, self.name, value)


class Engine:
    """One language session: global scope, functions, ``$Error``; thread-safe :meth:`interrupt`."""

    def __init__(self, registry: CommandRegistry, *, services: Any = None, fs: FileSystem | None = None,
                 env: MutableMapping[str, str] | None = None, clock: Callable[[], datetime] | None = None,
                 random_bytes: Callable[[int], bytes] | None = None) -> None:
        """``clock`` (optional) is what Get-Date and friends read as "now" (tests and the emulated tenant
        inject one); without it the system clock is used. ``random_bytes(n)`` (optional) is where New-Guid,
        ``[guid]::NewGuid()`` and Get-Random get randomness (a host passes a seeded source for reproducible
        runs); without it the operating system's."""
        from azshell.lang.evaluator import Evaluator

        self.registry = registry
        self.evaluator = Evaluator(registry, services=services, fs=fs, env=env, clock=clock)
        self.evaluator.random_bytes = random_bytes
        self.after_command: Callable[[str, bool], None] | None = None

    # host hooks: a REPL/kernel sets these; they live on the evaluator, where the generic cmdlets find them --
    #: called by Clear-Host (``cls``); None (the default) makes Clear-Host do nothing
    clear_screen: _OnEvaluator[Callable[[], None] | None] = _OnEvaluator()
    #: ``read_host(prompt, secure) -> str`` for Read-Host; the default (non-interactive) returns ""
    read_host: _OnEvaluator[Callable[[str, bool], str | None]] = _OnEvaluator()
    #: ``prompt_credential(user, message) -> PSCredential | None`` for Get-Credential (None: no prompt)
    prompt_credential: _OnEvaluator[Callable[[str, str | None], Any]] = _OnEvaluator()
    #: ``progress(record)`` shows a Write-Progress record (an ``azshell.lang.progress.ProgressRecord``); None
    #: (the default) shows nothing, as a non-interactive host does
    progress: _OnEvaluator[Callable[[Any], None] | None] = _OnEvaluator()
    clock: _OnEvaluator[Callable[[], datetime] | None] = _OnEvaluator()
    random_bytes: _OnEvaluator[Callable[[int], bytes] | None] = _OnEvaluator()
    services: _OnEvaluator[Any] = _OnEvaluator()
    fs: _OnEvaluator[FileSystem] = _OnEvaluator()
    env: _OnEvaluator[MutableMapping[str, str]] = _OnEvaluator()

    @property
    def console_width(self) -> int:
        """Columns the formatting cmdlets (Out-String, Format-Table) wrap to; default 120."""
        return self.evaluator.console_width

    @console_width.setter
    def console_width(self, value: int) -> None:
        self.evaluator.console_width = int(value)

    # ------------------------------------------------------------------------------------------------
    def is_complete(self, text: str) -> Literal["complete", "incomplete", "invalid"]:
        from azshell.lang.parser import is_complete

        return is_complete(text)

    def interrupt(self) -> None:
        """Ask the running script to stop at the next statement, loop iteration or pipeline item."""
        self.evaluator.interrupted.set()

    def variables(self) -> dict[str, Any]:
        return self.evaluator.visible_variables()

    def get_variable(self, name: str) -> Any:
        if name.casefold().startswith("env:"):
            return self.evaluator.get_variable(name[4:], "env")
        return self.evaluator.get_variable(name)

    def set_variable(self, name: str, value: Any) -> None:
        self.evaluator.set_variable(name, value)

    def functions(self) -> list[str]:
        return sorted(f.name for f in self.evaluator.global_scope.functions.values())

    # ------------------------------------------------------------------------------------------------
    def execute(self, text: str, sink: Sink, *, script_path: str | None = None,
                script_args: Sequence[str] | None = None, source_name: str | None = None) -> ExecutionOutcome:
        """Run ``text``; stream records to ``sink``. Never raises.

        ``script_path`` runs ``text`` as that script file (``pwsh -File``): in its own scope, with
        ``script_args`` (command-line strings, see :func:`command_line_arguments`) bound to its ``param()``
        block and ``$args``. Without it, a ``param()`` block of ``text`` gets its defaults in the global scope.
        ``source_name`` names the file ``text`` was read from without running it as a script file (a test
        harness running one block of a file): ``$MyInvocation.ScriptName`` reports it.
        """
        from azshell.lang.parser import parse
        from azshell.lang.runtime import ExitSignal, Flow, ScriptTerminatingError

        ev = self.evaluator
        had_errors = False
        exit_code: int | None = None

        def emit_error(rec: ErrorRecord) -> None:
            nonlocal had_errors
            had_errors = True
            if script_path is not None and rec.span is not None and not rec.script_name \
                    and (rec.script is text or rec.script == text):
                rec.script_name = script_path  # a position in the script file: "At FILE:N char:M"
            sink(StreamRecord("error", rec))

        def emit_output(value: Any) -> None:
            if value is None:
                return
            sink(StreamRecord("output", value))

        def emit_stream(stream: str, value: Any, extra: dict[str, Any]) -> None:
            sink(StreamRecord(stream, value, bool(extra.get("newline", True)), extra.get("color")))  # type: ignore[arg-type]

        ev.interrupted.clear()
        try:
            script = parse(text)
        except ParseError as exc:
            rec = exc.to_record()
            ev.errors.insert(0, rec)
            ev.last_success = False
            emit_error(rec)
            self._after(text, False)
            return ExecutionOutcome(True, None)
        except RecursionError:
            rec = ErrorRecord("The script is nested too deeply to be parsed.", category="ParserError",
                              error_id="ScriptTooComplicated", is_parse_error=True, script=text)
            emit_error(rec)
            self._after(text, False)
            return ExecutionOutcome(True, None)

        prev = (ev.out, ev.err, ev.stream_fn, ev.script_text, ev.scope, ev.try_depth, ev.call_depth, ev.script_name)
        ev.out, ev.err, ev.stream_fn, ev.script_text = emit_output, emit_error, emit_stream, text
        ev.script_name = script_path or source_name or ""
        ev.scope = ev.global_scope
        ev.try_depth = 0
        try:
            if script_path is not None:
                ev.run_script(script.block, command_line_arguments(script_args or ()), path=script_path)
            elif script.block.param_block is not None:
                ev.run_script(script.block, [])
            else:
                ev.run_script_block(script.block)
        except ExitSignal as sig:
            exit_code = sig.code
            ev.global_scope.set("LASTEXITCODE", sig.code)
        except PipelineStoppedError as exc:
            emit_error(exc.record)
        except ScriptTerminatingError as exc:
            ev.last_success = False
            rec = exc.record
            if not ev.errors or ev.errors[0] is not rec:
                ev.errors.insert(0, rec)
            emit_error(rec)
        except RuntimeLangError as exc:
            ev.last_success = False
            ev.errors.insert(0, exc.record)
            emit_error(exc.record)
        except Flow:
            pass  # break/continue/return outside a loop or function end the script quietly
        except RecursionError as exc:
            rec = ErrorRecord("The script failed due to call depth overflow.", category="InvalidOperation",
                              error_id="CallDepthOverflow", exception=exc,
                              exception_type="System.Management.Automation.ScriptCallDepthException")
            ev.errors.insert(0, rec)
            emit_error(rec)
        except Exception as exc:  # a bug: one clear record, the session goes on
            rec = internal_error_record(exc, script=text)
            ev.errors.insert(0, rec)
            emit_error(rec)
        finally:
            ev.out, ev.err, ev.stream_fn, ev.script_text, ev.scope, ev.try_depth, ev.call_depth, ev.script_name = prev
            ev.catch_stack.clear()
        if len(ev.errors) > 256:
            del ev.errors[256:]
        self._after(text, not had_errors)
        return ExecutionOutcome(had_errors, exit_code)

    def _after(self, text: str, ok: bool) -> None:
        hook = self.after_command
        if hook is not None:
            try:
                hook(text, ok)
            except Exception:  # a host hook must not break the engine
                pass


def command_line_arguments(argv: Sequence[str]) -> list[ArgItem]:
    """A script's command-line arguments as ``pwsh -File script.ps1 arg…`` passes them: ``-Name`` is a parameter
    name (its value is the next argument unless it is a switch), ``-Name:value`` a name with its value
    (``true``/``false``/``$true``/``$false`` become booleans, so ``-Force:$false`` works), anything else a
    positional string (no number parsing: ``[int]$N`` converts ``"5"`` when it binds). After ``--`` every
    argument is positional."""
    items: list[ArgItem] = []
    pending: str | None = None
    literal = False
    for arg in argv:
        if pending is not None:
            items.append(ArgItem("param", arg, pending, True, text=f"-{pending}:"))
            pending = None
        elif literal or len(arg) < 2 or arg[0] != "-":
            items.append(ArgItem("value", arg, text=arg))
        elif arg == "--":
            literal = True
        elif ":" in arg:
            name, _, value = arg[1:].partition(":")
            if not value:
                pending = name
                continue
            flag = value[1:] if value[0] == "$" else value
            converted: Any = value
            if flag.casefold() in ("true", "false"):
                converted = flag.casefold() == "true"
            items.append(ArgItem("param", converted, name, True, text=f"-{name}:"))
        else:
            items.append(ArgItem("param", None, arg[1:], False, text=arg))
    return items  # a trailing "-Name:" with nothing after it is dropped, as pwsh drops it
