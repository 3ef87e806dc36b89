"""The evaluator's state: scopes and variables, the output/error/stream routing, error reporting, host hooks.

:class:`EvaluatorState` is the base of :class:`~azshell.lang.evaluator.Evaluator`. The evaluator is put
together from mixins that each do one job (:mod:`~azshell.lang.pipeline`, :mod:`~azshell.lang.operators`,
:mod:`~azshell.lang.statements`, and the visitor core in :mod:`~azshell.lang.evaluator`); they all derive
from this class, which declares (for type checking only) the few methods they call across each other.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from azshell.lang import ast as A
from azshell.lang import conversions as conv
from azshell.lang.cmdlet import CommandRegistry, FileSystem
from azshell.lang.errors import (
    RUNTIME_EXCEPTION,
    ErrorRecord,
    PipelineStoppedError,
    RuntimeLangError,
    runtime_error,
)
from azshell.lang.runtime import FunctionInfo, ReturnSignal, Scope, ScriptTerminatingError
from azshell.lang.values import Guid, PSHashtable, PSObject

Emit = Callable[[Any], None]
ErrEmit = Callable[[ErrorRecord], None]
StreamEmit = Callable[[str, Any, dict[str, Any]], None]


_CONSTANT_VARIABLES = frozenset({"true", "false", "null", "?", "home", "pid", "psversiontable", "host"})


def _no_input(prompt: str, secure: bool) -> str | None:
    """The default Read-Host hook: a non-interactive host reads an empty line."""
    return ""


def _no_credential(user: str, message: str | None) -> Any:
    """The default Get-Credential hook: no prompt (Get-Credential falls back to its fixed password)."""
    return None


def discard(_: Any) -> None:
    """An output sink that drops everything (``> $null``, the default ``out``)."""


def ps_version_table() -> PSHashtable:
    """A fresh ``$PSVersionTable`` (each evaluator gets its own: a script may change it)."""
    return PSHashtable([
        ("PSVersion", "7.4.6"), ("PSEdition", "Core"), ("GitCommitId", "7.4.6"), ("OS", "azshell"),
        ("Platform", "Win32NT"), ("PSCompatibleVersions", ["1.0", "2.0", "3.0", "4.0", "5.0", "5.1", "6.0", "7.0"]),
        ("PSRemotingProtocolVersion", "2.3"), ("SerializationVersion", "1.1.0.1"), ("WSManStackVersion", "3.0"),
    ])


class EvaluatorState:
    """Scopes, variables, streams and error reporting of one evaluator (see the module docstring)."""

    def __init__(self, registry: CommandRegistry, *, services: Any = None, fs: FileSystem | None = None,
                 env: MutableMapping[str, str] | None = None, clock: Callable[[], datetime] | None = None) -> None:
        self.registry = registry
        # host hooks (see azshell.lang.builtins): a host replaces them through the Engine's properties
        self.clock = clock
        #: ``random_bytes(n)``: where New-Guid, [guid]::NewGuid() and Get-Random get randomness (the session
        #: passes its world's seeded id source); None: the operating system's
        self.random_bytes: Callable[[int], bytes] | None = None
        self.clear_screen: Callable[[], None] | None = None
        self.read_host: Callable[[str, bool], str | None] = _no_input
        self.prompt_credential: Callable[[str, str | None], Any] = _no_credential
        #: Write-Progress records go here (azshell.lang.progress); None: the host shows no progress (-c, pipes)
        self.progress: Callable[[Any], None] | None = None
        self.console_width = 120
        self.services = services
        if fs is None:
            from azshell.lang.filesystem import LocalFileSystem

            fs = LocalFileSystem()
        self.fs: FileSystem = fs
        self.env: MutableMapping[str, str] = env if env is not None else os.environ
        self.global_scope = Scope()
        self.scope = self.global_scope
        self.out: Emit = discard
        self.err: ErrEmit = lambda rec: None
        self.stream_fn: StreamEmit = lambda stream, value, extra: None
        self.errors: list[Any] = []
        self.error_count = 0
        self.last_success = True
        self.script_text = ""
        #: the file the running text came from ("" for typed text): ``$MyInvocation.ScriptName``
        self.script_name = ""
        self.try_depth = 0
        self.catch_stack: list[ErrorRecord] = []
        self.interrupted = threading.Event()
        self.call_depth = 0
        self._init_globals()

    def _init_globals(self) -> None:
        g = self.global_scope
        home = self.env.get("HOME") or self.env.get("USERPROFILE") or os.path.expanduser("~")
        for name, value in (
            ("Error", self.errors), ("ErrorActionPreference", "Continue"), ("WarningPreference", "Continue"),
            ("VerbosePreference", "SilentlyContinue"), ("DebugPreference", "SilentlyContinue"),
            ("InformationPreference", "SilentlyContinue"), ("ConfirmPreference", "High"), ("WhatIfPreference", False),
            ("ProgressPreference", "Continue"),
            ("PSVersionTable", ps_version_table()), ("HOME", home), ("LASTEXITCODE", None), ("OFS", " "),
            ("IsWindows", False), ("IsLinux", True), ("IsMacOS", False), ("IsCoreCLR", True), ("PID", os.getpid()),
            ("Host", PSObject([("Name", "azshell"), ("Version", "7.4.6"), ("InstanceId", Guid(str(uuid.uuid4()))),
                               ("UI", PSObject([("RawUI", PSObject([("WindowTitle", "azshell")]))]))],
                              ("System.Management.Automation.Internal.Host.InternalHost",))),
            ("PSScriptRoot", ""), ("PSCommandPath", ""), ("NestedPromptLevel", 0), ("MaximumHistoryCount", 4096),
            ("FormatEnumerationLimit", 4), ("PSCulture", "en-US"), ("PSUICulture", "en-US"),
        ):
            g.set(name, value)

    # ---------------------------------------------------------------------------------------- helpers
    def check_interrupt(self) -> None:
        if self.interrupted.is_set():
            self.interrupted.clear()
            raise PipelineStoppedError()

    def stream(self, stream: str, value: Any, **extra: Any) -> None:
        self.stream_fn(stream, value, extra)

    @contextmanager
    def redirect(self, out: Emit, err: ErrEmit | None = None) -> Iterator[None]:
        prev_out, prev_err = self.out, self.err
        self.out = out
        if err is not None:
            self.err = err
        try:
            yield
        finally:
            self.out, self.err = prev_out, prev_err

    def capture(self, fn: Callable[[], None]) -> list[Any]:
        buf: list[Any] = []
        try:
            with self.redirect(buf.append):
                fn()
        except ReturnSignal:
            # `$x = if (...) { return "one" }`, `$("1"; return "2")`: a return leaves the function, and what was
            # written so far goes to the function's output, not to the assignment or subexpression
            for item in buf:
                self.out(item)
            raise
        return buf

    def record_at(self, node: A.Node | None, message: str, *, error_id: str, category: str = "InvalidOperation",
                  exception_type: str = RUNTIME_EXCEPTION, target: Any = None, exception: Any = None,
                  command_name: str = "") -> RuntimeLangError:
        return runtime_error(message, error_id=error_id, category=category, exception_type=exception_type,
                             target=target, span=node.span if node is not None else None, script=self.script_text,
                             command_name=command_name, exception=exception)

    def report_error(self, rec: ErrorRecord, action: str | None, err: ErrEmit | None = None) -> None:
        """Write a non-terminating error honouring -ErrorAction / $ErrorActionPreference."""
        if action is None:
            action = conv.to_string(self.get_variable("ErrorActionPreference") or "Continue")
        a = action.casefold()
        if a == "ignore":
            return
        self.errors.insert(0, rec)
        self.error_count += 1
        if a == "stop":
            stop = ScriptTerminatingError(rec)
            raise stop
        if a == "silentlycontinue":
            return
        (err or self.err)(rec)

    # ---------------------------------------------------------------------------------------- variables
    def get_variable(self, name: str, scope: str = "") -> Any:
        key = name.casefold()
        if scope:
            s = scope.casefold()
            if s == "env":
                return self._env_get(name)
            if s in ("global", "script"):
                hit = self.global_scope.vars.get(key)
                return None if hit is None else hit[1]
            if s in ("local", "private"):
                hit = self.scope.vars.get(key)
                return None if hit is None else hit[1]
            if s == "function":
                return self.find_function(name)
        if key in ("true", "false", "null"):
            return {"true": True, "false": False, "null": None}[key]
        if key == "?":
            return self.last_success
        if key == "psitem":
            key = "_"
        if key == "pwd":
            return self.fs.cwd()
        hit = self.scope.find(key)
        return None if hit is None else hit[1]

    def has_variable(self, name: str) -> bool:
        return self.scope.find(name.casefold()) is not None

    def _env_get(self, name: str) -> Any:
        env = self.env
        if name in env:
            return env[name]
        key = name.casefold()
        for k, v in env.items():
            if k.casefold() == key:
                return v
        return None

    def _env_set(self, name: str, value: Any) -> None:
        key = name.casefold()
        existing = next((k for k in self.env if k.casefold() == key), name)
        if value is None or value == "":
            self.env.pop(existing, None)
        else:
            self.env[existing] = conv.to_string(value)

    def set_variable(self, name: str, value: Any, scope: str = "") -> None:
        s = scope.casefold()
        key = name.casefold()
        if s == "env":
            self._env_set(name, value)
            return
        if key == "null" and not s:
            return
        if key in _CONSTANT_VARIABLES and key != "null":
            raise runtime_error(f"Cannot overwrite variable {name} because it is read-only or constant.",
                                error_id="VariableNotWritable", category="WriteError",
                                exception_type="System.Management.Automation.SessionStateUnauthorizedAccessException",
                                target=name)
        if s in ("global", "script"):
            self.global_scope.set(name, value)
        else:
            self.scope.set(name, value)

    def find_function(self, name: str) -> FunctionInfo | None:
        return self.scope.find_function(name.casefold())

    def visible_variables(self) -> dict[str, Any]:
        chain: list[Scope] = []
        s: Scope | None = self.scope
        while s is not None:
            chain.append(s)
            s = s.parent
        out: dict[str, Any] = {}
        for sc in reversed(chain):
            for name, value in sc.vars.values():
                out[name] = value
        return out

    def list_variables(self) -> dict[str, Any]:
        """Every variable visible from the current scope, as Get-Variable lists them (automatic ones too)."""
        out: dict[str, Any] = {"?": self.last_success, "false": False, "null": None, "true": True}
        try:
            out["PWD"] = self.fs.cwd()
        except Exception:  # a file system without a cwd
            pass
        out.update(self.visible_variables())
        return out

    def remove_variable(self, name: str) -> bool:
        """Remove ``name`` from the nearest scope that has it; False when there is none (or it is constant)."""
        key = name.casefold()
        if key in _CONSTANT_VARIABLES:
            raise runtime_error(f"Cannot remove variable {name} because it is constant or read-only.",
                                error_id="VariableNotRemovable", category="WriteError",
                                exception_type="System.Management.Automation.SessionStateUnauthorizedAccessException",
                                target=name)
        s: Scope | None = self.scope
        while s is not None:
            if s.vars.pop(key, None) is not None:
                return True
            s = s.parent
        return False

    def random_data(self, n: int) -> bytes:
        """``n`` random bytes, from the injected source when there is one (else ``os.urandom``)."""
        source = self.random_bytes
        return source(n) if source is not None else os.urandom(n)

    def new_guid(self) -> str:
        """A version-4 GUID from :meth:`random_data` (New-Guid, ``[guid]::NewGuid()``)."""
        return str(uuid.UUID(bytes=self.random_data(16), version=4))

    def now(self) -> datetime:
        """The current local time, from the injected clock when there is one (Get-Date)."""
        clock = self.clock
        value = clock() if clock is not None else None
        if isinstance(value, datetime):
            return value if value.tzinfo is not None else value.replace(tzinfo=UTC).astimezone()
        return datetime.now(UTC).astimezone()

    def debug_enabled(self, switch: bool = False) -> bool:
        if switch:
            return True
        pref = conv.to_string(self.get_variable("DebugPreference") or "SilentlyContinue").casefold()
        return pref in ("continue", "inquire", "stop")

    def write_debug(self, text: str, *, switch: bool = False) -> None:
        """Write-Debug: a ``"debug"`` stream record (hosts show ``DEBUG: text``) when -Debug was given or
        ``$DebugPreference`` is Continue (or Inquire/Stop, which a non-interactive host treats as Continue)."""
        if self.debug_enabled(switch):
            self.stream("debug", text)

    # ---------------------------------------------------------------------------------------- across the mixins
    if TYPE_CHECKING:
        # Implemented by the visitor core (evaluator.py) and the mixins; declared here so that each part
        # type-checks on its own. Nothing is defined at run time: the Evaluator's MRO finds the real methods.
        def eval(self, node: A.Node) -> Any: ...

        def exec_block(self, block: A.StatementBlock) -> None: ...

        def exec_statement(self, stmt: A.Statement) -> None: ...

        def statement_value(self, stmt: A.Statement) -> Any: ...

        def run_script_block(self, block: A.ScriptBlock) -> None: ...

        def assign(self, target: A.Expr, value: Any) -> None: ...

        def cast(self, type_name: str, value: Any, node: A.Node) -> Any: ...

        def get_member(self, obj: Any, name: str) -> Any: ...

        def call_method(self, obj: Any, name: str, args: list[Any], node: A.Node | None) -> Any: ...

        def invoke_script_block(self, block: Any, args: list[Any], *, dollar_under: Any = None,
                                input: list[Any] | None = None, new_scope: bool = False) -> list[Any]: ...
