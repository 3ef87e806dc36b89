"""The declarative cmdlet model: what a command declares, and what it may ask of the engine.

A cmdlet is a class with a PowerShell name, a tuple of :class:`Param` specs and three optional stages::

    class GetThing(Cmdlet):
        name = "Get-Thing"
        aliases = ("gth",)
        synopsis = "Gets things."
        params = (
            Param("Name", "string", position=0, value_from_pipeline_by_property_name=True,
                  completer="thing_name"),
            Param("Force", "switch"),
        )
        examples = (Example("Get-Thing -Name a", "Gets the thing named a."),)

        def process(self) -> None:
            self.write(self.params.get("Name"))

The engine (``lang.binder``/``lang.evaluator``) binds arguments to ``self.params`` (a dict keyed by the
*canonical* parameter name, only the parameters that were bound; a switch that was given is ``True``), calls
``begin()`` once, ``process()`` once per pipeline input (with pipeline-bound parameters re-bound and
``self.input`` set to the current input object; once with ``self.input = None`` when there is no pipeline
input), then ``end()``. Output goes through ``self.write``. A terminating error is raised as
:class:`CmdletError` (or any :class:`~azshell.lang.errors.LangError`); a non-terminating one is
``self.write_error(...)``.

This module imports nothing Azure. Azure cmdlets live in ``azshell.cmdlets`` and reach their services through
``self.ctx.services`` (an object the session provides; opaque here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from azshell.lang.formatting import ViewTable

if TYPE_CHECKING:
    from azshell.lang.progress import ProgressRecord, ProgressReporter

# Parameter types understood by the binder (conversion happens on bind, with PowerShell's error text
# "Cannot convert value "x" to type "System.Int32"..." on failure):
#   "string" "int" "double" "bool" "switch" "object" "hashtable" "scriptblock" "securestring" "datetime"
#   "pscredential" and any of those with "[]" (arrays: a scalar is wrapped in a list).
PARAM_TYPES = frozenset(
    {"string", "int", "double", "bool", "switch", "object", "hashtable", "scriptblock", "securestring",
     "datetime", "pscredential"}
)

ALL_PARAMETER_SETS = "__AllParameterSets"


@dataclass(frozen=True)
class Param:
    """One parameter of a cmdlet (or of an advanced function: the evaluator builds these from ``param()``)."""

    name: str
    type: str = "object"
    mandatory: bool = False
    position: int | None = None
    aliases: tuple[str, ...] = ()
    #: names of the sets this parameter belongs to; empty means all sets
    parameter_sets: tuple[str, ...] = ()
    value_from_pipeline: bool = False
    value_from_pipeline_by_property_name: bool = False
    value_from_remaining_arguments: bool = False
    validate_set: tuple[str, ...] | None = None
    validate_range: tuple[float, float] | None = None
    validate_not_null_or_empty: bool = False
    #: [ValidatePattern('regex')]
    validate_pattern: str | None = None
    #: [ValidateScript({ ... })]: (the script's text, a callable value -> bool)
    validate_script: tuple[str, Callable[[Any], bool]] | None = None
    #: [ValidateLength(min, max)], [ValidateCount(min, max)]
    validate_length: tuple[int, int] | None = None
    validate_count: tuple[int, int] | None = None
    #: the ErrorMessage = '...' of a Validate* attribute (``{0}`` the value, ``{1}`` the pattern/script/set), by
    #: attribute kind: "pattern", "script", "set"
    validate_messages: tuple[tuple[str, str], ...] = ()
    allow_null: bool = False
    allow_empty_string: bool = False
    allow_empty_collection: bool = False
    #: value completion: a key the session resolves from live state ("resource_group", "vm", "location",
    #: "role", ...) or a callable ``(word) -> list[str]``; ``validate_set`` values complete on their own
    completer: str | Callable[[str], list[str]] | None = None
    help: str = ""
    default: Any = None

    @property
    def is_switch(self) -> bool:
        return self.type == "switch"


@dataclass(frozen=True)
class Example:
    code: str
    description: str = ""


class CommandContext(Protocol):
    """What a running command may ask of the engine. Implemented by the evaluator."""

    #: opaque services object given to the session (Azure state, host context, ...); None in pure lang use
    services: Any

    def write_output(self, obj: Any) -> None: ...
    def write_error(self, message: str | BaseException, *, category: str = "NotSpecified",
                    error_id: str = "", target: Any = None, exception: Any = None) -> None: ...
    def write_warning(self, message: str) -> None: ...
    def write_verbose(self, message: str) -> None: ...
    def write_host(self, text: str, *, newline: bool = True, color: str | None = None) -> None: ...
    def get_variable(self, name: str) -> Any: ...
    def set_variable(self, name: str, value: Any) -> None: ...
    def invoke_script_block(self, block: Any, args: Iterable[Any] = (), *, dollar_under: Any = None,
                            input: Iterable[Any] | None = None) -> list[Any]: ...
    def format_objects(self, objects: list[Any], *, view: str = "auto", properties: list[Any] | None = None) -> str: ...
    @property
    def fs(self) -> FileSystem: ...


class FileSystem(Protocol):
    """The one file-system interface the language uses. Off-host it is the real current folder; on an
    emulated host (a later issue) each host has its own disk in the state."""

    def read_text(self, path: str) -> str: ...
    def read_bytes(self, path: str) -> bytes: ...
    def write_text(self, path: str, text: str, *, append: bool = False) -> None: ...
    def write_bytes(self, path: str, data: bytes) -> None: ...
    def exists(self, path: str) -> bool: ...
    def is_dir(self, path: str) -> bool: ...
    def list_dir(self, path: str) -> list[str]: ...
    def remove(self, path: str) -> None: ...
    def cwd(self) -> str: ...
    def set_cwd(self, path: str) -> None: ...


class CmdletError(Exception):
    """A terminating error raised by a cmdlet; the evaluator turns it into an ErrorRecord with position."""

    def __init__(self, message: str, *, category: str = "NotSpecified", error_id: str = "",
                 target: Any = None, exception: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.category = category
        self.error_id = error_id
        self.target = target
        self.exception = exception


class Cmdlet:
    """Base class of every command. Subclasses set the class attributes and override the stages."""

    name: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    params: ClassVar[tuple[Param, ...]] = ()  # type: ignore[assignment]
    default_parameter_set: ClassVar[str | None] = None
    #: adds -WhatIf / -Confirm; call ``self.should_process(target, action)`` before changing state
    supports_should_process: ClassVar[bool] = False
    #: takes dynamic parameters: ``-Name value`` pairs no declared parameter matches are bound, by the name typed,
    #: into ``self.dynamic_params`` (the cmdlet checks them: New-AzResourceGroupDeployment against its template)
    dynamic_parameters: ClassVar[bool] = False
    synopsis: ClassVar[str] = ""
    description: ClassVar[str] = ""
    examples: ClassVar[tuple[Example, ...]] = ()
    #: type names of the output objects, for Get-Help and Get-Member
    outputs: ClassVar[tuple[str, ...]] = ()

    def __init__(self, ctx: CommandContext, bound: dict[str, Any], parameter_set: str | None = None) -> None:
        self.ctx = ctx
        self.params: dict[str, Any] = bound  # type: ignore[misc,assignment]
        self.parameter_set = parameter_set
        self.input: Any = None
        self.what_if = False
        self.dynamic_params: dict[str, Any] = {}

    def begin(self) -> None:
        pass

    def process(self) -> None:
        pass

    def end(self) -> None:
        pass

    # helpers -----------------------------------------------------------------------------------------
    def write(self, obj: Any) -> None:
        self.ctx.write_output(obj)

    def write_error(self, message: str | BaseException, **kw: Any) -> None:
        self.ctx.write_error(message, **kw)

    def write_warning(self, message: str) -> None:
        self.ctx.write_warning(message)

    def write_verbose(self, message: str) -> None:
        self.ctx.write_verbose(message)

    def write_progress(self, record: ProgressRecord) -> None:
        """Show a progress record on the host (not the pipeline); nothing where the host has no progress."""
        write = getattr(self.ctx, "write_progress", None)
        if callable(write):
            write(record)

    def progress(self, activity: str, *, activity_id: int = 0, parent_id: int = -1) -> AbstractContextManager[
            ProgressReporter]:
        """``with self.progress("Deploying") as p: p.update("Creating myVM", 40)``: one activity, completed when
        the block ends (also on an error). Long commands use it; ``$ProgressPreference`` still applies."""
        from azshell.lang.progress import reporting

        return reporting(self.write_progress, activity, activity_id=activity_id, parent_id=parent_id,
                         source=self.name)

    def should_process(self, target: str, action: str) -> bool:
        """False under -WhatIf (after printing PowerShell's 'What if: Performing the operation ...' line)."""
        if self.what_if:
            self.ctx.write_host(f'What if: Performing the operation "{action}" on target "{target}".')
            return False
        return True


class CommandRegistry:
    """Name → cmdlet class, plus aliases, plus the default views of their output types (``views``, a
    :class:`~azshell.lang.formatting.ViewTable` of this registry alone). Lookups are case-insensitive.

    ``add_loader(fn)`` defers registering a group of commands until one is needed: loaders run (once, in
    order) on the first lookup that misses, or when every name is asked for (``names()``, ``commands``,
    ``alias_map``). Start-up then pays only for the commands a script actually uses.
    """

    def __init__(self) -> None:
        self._commands: dict[str, type[Cmdlet]] = {}
        self._aliases: dict[str, str] = {}
        self._loaders: list[Callable[[CommandRegistry], None]] = []
        #: the default views of the registered commands' output types (each module adds its own)
        self.views = ViewTable()

    def register(self, cls: type[Cmdlet]) -> type[Cmdlet]:
        self._commands[cls.name.casefold()] = cls
        for alias in cls.aliases:
            self._aliases[alias.casefold()] = cls.name
        return cls

    def add_loader(self, loader: Callable[[CommandRegistry], None]) -> None:
        self._loaders.append(loader)

    def load_all(self) -> None:
        """Run the pending loaders now."""
        while self._loaders:
            self._loaders.pop(0)(self)

    @property
    def commands(self) -> dict[str, type[Cmdlet]]:
        self.load_all()
        return self._commands

    @property
    def alias_map(self) -> dict[str, str]:
        self.load_all()
        return self._aliases

    def peek_alias(self, name: str) -> str | None:
        """The alias target of ``name`` among the commands registered so far (runs no loader)."""
        return self._aliases.get(name.casefold())

    def resolve(self, name: str) -> type[Cmdlet] | None:
        found = self._resolve(name)
        if found is None and self._loaders:
            self.load_all()
            found = self._resolve(name)
        return found

    def _resolve(self, name: str) -> type[Cmdlet] | None:
        key = name.casefold()
        if key in self._aliases:
            key = self._aliases[key].casefold()
        return self._commands.get(key)

    def names(self) -> list[str]:
        self.load_all()
        return sorted(cls.name for cls in self._commands.values())
