"""Errors of the language core, and PowerShell-shaped error records.

Hierarchy::

    LangError                 (any error the language raises on purpose; has a span and the script text)
     +-- ParseError           (the text is not valid; ``incomplete`` when more input could complete it)
     +-- RuntimeLangError     (a terminating error while running; carries an :class:`ErrorRecord`)
          +-- PipelineStoppedError   ("The pipeline has been stopped.")

:class:`ErrorRecord` is what users see (``$Error[0]``, ``$_`` in ``catch``, the error stream). ``render()``
gives Windows PowerShell 5.1's "NormalView", which the product standardises on::

    Get-Thing : A parameter cannot be found that matches parameter name 'Nme'.
    At line:1 char:11
    + Get-Thing -Nme x
    +           ~~~~
        + CategoryInfo          : InvalidArgument: (:) [Get-Thing], ParameterBindingException
        + FullyQualifiedErrorId : NamedParameterNotFound,Get-Thing
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

RUNTIME_EXCEPTION = "System.Management.Automation.RuntimeException"


class Span:
    """A source range: ``offset``/``end_offset`` are character offsets; ``line``/``col`` are 1-based.

    Immutable by convention (a hand-written slotted class: the parser makes one per node, and a frozen
    dataclass's ``__init__`` costs several times more)."""

    __slots__ = ("offset", "line", "col", "end_offset")
    __match_args__ = ("offset", "line", "col", "end_offset")

    def __init__(self, offset: int, line: int, col: int, end_offset: int) -> None:
        self.offset = offset
        self.line = line
        self.col = col
        self.end_offset = end_offset

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Span:
            return NotImplemented
        o: Span = other  # type: ignore[assignment]
        return (self.offset == o.offset and self.line == o.line and self.col == o.col
                and self.end_offset == o.end_offset)

    def __hash__(self) -> int:
        return hash((self.offset, self.line, self.col, self.end_offset))

    def __repr__(self) -> str:
        return f"Span(offset={self.offset}, line={self.line}, col={self.col}, end_offset={self.end_offset})"

    @staticmethod
    def at(text: str, offset: int, end_offset: int | None = None) -> Span:
        """Build a span for ``text[offset:end_offset]`` computing line and column."""
        offset = max(0, min(offset, len(text)))
        end = offset if end_offset is None else max(offset, min(end_offset, len(text)))
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return Span(offset, line, col, end)


def position_lines(text: str, span: Span | None, script_name: str = "") -> list[str]:
    """``At line:N char:M`` (``At FILE:N char:M`` in a script file) + the source line + a ``~`` caret line
    (PowerShell 5.1 shape)."""
    if span is None or not text:
        return []
    start = text.rfind("\n", 0, span.offset) + 1
    nl = text.find("\n", span.offset)
    end = len(text) if nl < 0 else nl
    line_text = text[start:end].rstrip("\r")
    width = max(1, min(span.end_offset, end) - span.offset)
    pad = "".join(ch if ch == "\t" else " " for ch in line_text[: span.offset - start])
    where = f"{script_name}:{span.line}" if script_name else f"line:{span.line}"
    return [f"At {where} char:{span.col}", f"+ {line_text}", f"+ {pad}{'~' * width}"]


@dataclass
class ErrorRecord:
    """A PowerShell ErrorRecord.

    ``error_id`` is the fully qualified id (``NamedParameterNotFound,Get-Thing``); ``exception_type`` the .NET
    exception type name that typed ``catch`` blocks match (``System.Management.Automation.RuntimeException``,
    ``Microsoft.PowerShell.Commands.HttpResponseException`` ...); ``exception`` the originating Python
    exception or object (a cmdlet may attach e.g. the HTTP response as ``exception.response``).
    """

    message: str
    category: str = "NotSpecified"
    error_id: str = ""
    target: Any = None
    span: Span | None = None
    script: str = ""
    exception: Any = None
    exception_type: str = RUNTIME_EXCEPTION
    command_name: str = ""
    target_name: str = ""
    target_type: str = ""
    error_details: str | None = None
    suggestion: str | None = None
    #: parse errors print the message below the position (5.1 shape); others before it
    is_parse_error: bool = False
    #: the bracketed activity of CategoryInfo; defaults to ``command_name``
    activity: str | None = None
    #: the script file ``script`` was read from ("" for typed text): the position reads ``At FILE:N char:M``
    script_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return self.exception_type.rsplit(".", 1)[-1]

    @property
    def fully_qualified_error_id(self) -> str:
        return self.error_id or self.reason

    def category_info(self) -> str:
        activity = self.command_name if self.activity is None else self.activity
        return f"{self.category}: ({self.target_name}:{self.target_type}) [{activity}], {self.reason}"

    def __str__(self) -> str:
        return self.error_details or self.message

    def render(self) -> str:
        """The 5.1 NormalView text (no trailing newline)."""
        out: list[str] = []
        pos = position_lines(self.script, self.span, self.script_name)
        # ErrorDetails replace the message, unless the message already shows them (an HTTP error shows the
        # service's body AND the status line)
        details = self.error_details
        message = self.message if not details or details in self.message else details
        if self.is_parse_error:
            out.extend(pos)
            out.append(message)
        else:
            out.append(f"{self.command_name} : {message}" if self.command_name else message)
            out.extend(pos)
        out.append(f"    + CategoryInfo          : {self.category_info()}")
        out.append(f"    + FullyQualifiedErrorId : {self.fully_qualified_error_id}")
        if self.suggestion:
            out.append(f"    Suggestion: {self.suggestion}")
        return "\n".join(out)


class LangError(Exception):
    """Root of the language core's errors."""

    def __init__(self, message: str, span: Span | None = None, text: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.text = text


class ParseError(LangError):
    """The script is not valid. ``incomplete`` is set when the text ended inside an unclosed construct."""

    def __init__(self, message: str, span: Span | None = None, text: str = "", *,
                 error_id: str = "UnexpectedToken", incomplete: bool = False) -> None:
        super().__init__(message, span, text)
        self.error_id = error_id
        self.incomplete = incomplete

    def to_record(self) -> ErrorRecord:
        return ErrorRecord(
            message=self.message, category="ParserError", error_id=self.error_id, span=self.span,
            script=self.text, exception=self, exception_type="System.Management.Automation.ParentContainsErrorRecordException",
            is_parse_error=True,
        )


class RuntimeLangError(LangError):
    """A terminating error raised while running; ``record`` is what ``catch`` sees as ``$_``."""

    def __init__(self, record: ErrorRecord) -> None:
        super().__init__(record.message, record.span, record.script)
        self.record = record


class PipelineStoppedError(RuntimeLangError):
    def __init__(self) -> None:
        super().__init__(ErrorRecord(
            "The pipeline has been stopped.", category="OperationStopped", error_id="PipelineStopped",
            exception_type="System.Management.Automation.PipelineStoppedException"))


def internal_error_record(exc: BaseException, span: Span | None = None, script: str = "") -> ErrorRecord:
    """One record for an unexpected Python exception (a bug): never a traceback."""
    detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return ErrorRecord(
        message=f"internal error: {detail}", category="NotSpecified", error_id="InternalError",
        span=span, script=script, exception=exc, exception_type="System.InvalidOperationException",
    )


def runtime_error(message: str, *, error_id: str = "", category: str = "InvalidOperation",
                  exception_type: str = RUNTIME_EXCEPTION, target: Any = None, span: Span | None = None,
                  script: str = "", command_name: str = "", exception: Any = None) -> RuntimeLangError:
    """Shorthand for a terminating error with a record."""
    return RuntimeLangError(ErrorRecord(
        message=message, category=category, error_id=error_id, target=target, span=span, script=script,
        exception_type=exception_type, command_name=command_name, exception=exception,
    ))
