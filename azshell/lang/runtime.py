"""Runtime values of the language, the signals that carry control flow, and variable scopes.

Everything a script can hold that the AST and :mod:`azshell.lang.values` do not define: script blocks,
type literals (``[int]``), function definitions, ``[Text.Encoding]`` objects, ``$_.Exception`` of a caught
error. Plus :class:`Scope` (one level of variables and functions) and the exceptions that implement
``break``/``continue``/``return``/``exit`` and ``throw``.

This module is a leaf of the evaluator: it imports no other part of it (``_methods``, the pipeline, the
operators and the statements all import from here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from azshell.lang import ast as A
from azshell.lang import conversions as conv
from azshell.lang.errors import ErrorRecord, RuntimeLangError, position_lines
from azshell.lang.values import PSObject


# ------------------------------------------------------------------------------------------- runtime values
class ScriptBlock:
    """A script block value (``{ ... }``). Not a closure: variables resolve dynamically, as in PowerShell."""

    __slots__ = ("node", "evaluator", "text")

    # ``evaluator`` is the evaluator that created the block (typed loosely: this module stays below the
    # evaluator's, see the module docstring)
    def __init__(self, node: A.ScriptBlock, evaluator: object | None, text: str | None = None) -> None:
        self.node = node
        self.evaluator = evaluator
        self.text = node.text if text is None else text

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"ScriptBlock({{{self.text}}})"


class TypeRef:
    """The value of a type literal such as ``[int]``."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def full_name(self) -> str:
        return conv.full_type_name(self.name) or self.name

    def __str__(self) -> str:
        return self.full_name

    def __repr__(self) -> str:
        return f"TypeRef({self.name})"

    def ps_members(self) -> dict[str, Any]:
        full = self.full_name
        return {"Name": full.rsplit(".", 1)[-1], "FullName": full, "Namespace": full.rpartition(".")[0]}


class FunctionInfo:
    """A function or filter defined by a script (``function f { }``), as ``$function:f`` returns it."""

    __slots__ = ("name", "block", "parameters", "is_filter")

    def __init__(self, name: str, block: A.ScriptBlock, parameters: tuple[A.ParameterDecl, ...], is_filter: bool) -> None:
        self.name = name
        self.block = block
        self.parameters = parameters
        self.is_filter = is_filter

    def __str__(self) -> str:
        return self.block.text


class Encoding:
    """``[Text.Encoding]::UTF8`` and friends."""

    def __init__(self, name: str, codec: str) -> None:
        self.name = name
        self.codec = codec

    ps_type_name = "System.Text.Encoding"

    def ps_methods(self) -> dict[str, Callable[..., Any]]:
        return {"getstring": self.get_string, "getbytes": self.get_bytes}

    def ps_members(self) -> dict[str, Any]:
        return {"EncodingName": self.name, "WebName": self.codec}

    def get_string(self, data: Any, *rest: Any) -> str:
        raw = bytes(data) if not isinstance(data, (bytes, bytearray)) else data
        if rest:
            raw = raw[int(rest[0]): int(rest[0]) + int(rest[1])] if len(rest) > 1 else raw[int(rest[0]):]
        return bytes(raw).decode(self.codec, errors="replace")

    def get_bytes(self, s: Any) -> bytes:
        return conv.to_string(s).encode(self.codec)

    def __str__(self) -> str:
        return "System.Text." + self.name.replace(" ", "") + "Encoding"


#: what ``[void]`` casts and value-less statements produce: "no value", distinct from ``$null``
VOID = object()


# ------------------------------------------------------------------------------------------- control flow
class Flow(Exception):
    """The base of the signals below: not an error, a jump out of the statements being run."""


class StopUpstreamCommands(Flow):
    """Raised by a command that needs no more input (``Select-Object -First 3`` after three): the commands
    before it in its pipeline stop at once, their ``end`` blocks do not run; it and the ones after it end as usual."""

    def __init__(self, source: object) -> None:
        super().__init__()
        self.source = source


class BreakSignal(Flow):
    def __init__(self, label: str | None = None) -> None:
        super().__init__()
        self.label = label


class ContinueSignal(Flow):
    def __init__(self, label: str | None = None) -> None:
        super().__init__()
        self.label = label


class ReturnSignal(Flow):
    pass


class ExitSignal(Flow):
    def __init__(self, code: int) -> None:
        super().__init__()
        self.code = code


class ScriptTerminatingError(RuntimeLangError):
    """``throw`` and ``-ErrorAction Stop``: ends the whole script unless caught."""


# ------------------------------------------------------------------------------------------- scopes
class Scope:
    """One level of variables (``casefolded name -> [name, value]``) and functions, linked to its parent."""

    __slots__ = ("vars", "functions", "parent")

    def __init__(self, parent: Scope | None = None) -> None:
        self.vars: dict[str, list[Any]] = {}
        self.functions: dict[str, FunctionInfo] = {}
        self.parent = parent

    def find(self, key: str) -> list[Any] | None:
        """The variable cell ``key`` (case-folded) names, here or in an enclosing scope."""
        s: Scope | None = self
        while s is not None:
            hit = s.vars.get(key)
            if hit is not None:
                return hit
            s = s.parent
        return None

    def find_function(self, key: str) -> FunctionInfo | None:
        """The function ``key`` (case-folded) names, here or in an enclosing scope."""
        s: Scope | None = self
        while s is not None:
            f = s.functions.get(key)
            if f is not None:
                return f
            s = s.parent
        return None

    def set(self, name: str, value: Any) -> None:
        key = name.casefold()
        hit = self.vars.get(key)
        if hit is None:
            self.vars[key] = [name, value]
        else:
            hit[1] = value


# ------------------------------------------------------------------------------------------- helpers
def unwrap(results: list[Any]) -> Any:
    """Output as one value: nothing → None, one object → it, more → a list of them."""
    if not results:
        return None
    if len(results) == 1:
        return results[0]
    return list(results)


def unroll(v: Any) -> Iterator[Any]:
    """The items of an array (list or tuple), or the value itself."""
    if isinstance(v, list):
        yield from v
    elif isinstance(v, tuple):
        yield from v
    else:
        yield v


def norm_type(name: str) -> str:
    """A type name casefolded, without its ``System.`` prefix (``[System.IO.Path]`` -> ``io.path``)."""
    n = name.strip().casefold()
    if n.startswith("system."):
        n = n[7:]
    return n


# ------------------------------------------------------------------------------------------- error records
class ExceptionInfo:
    """``$_.Exception``: Message, the HTTP Response when there is one, InnerException."""

    def __init__(self, rec: ErrorRecord) -> None:
        self.rec = rec

    @property
    def ps_type_name(self) -> str:
        return self.rec.exception_type

    def ps_members(self) -> dict[str, Any]:
        exc = self.rec.exception
        own = getattr(exc, "message", None)  # e.g. an HTTP error's status line, its body being in ErrorDetails
        return {
            "Message": own if isinstance(own, str) and own else self.rec.message,
            "Response": getattr(exc, "response", None),
            "InnerException": getattr(exc, "inner", None),
            "StatusCode": getattr(getattr(exc, "response", None), "StatusCode", None),
            "ErrorRecord": self.rec,
            "HResult": -2146233087,
        }

    def ps_methods(self) -> dict[str, Callable[..., Any]]:
        return {"tostring": lambda: f"{self.rec.exception_type}: {self.rec.message}",
                "gettype": lambda: TypeRef(self.rec.exception_type)}

    def __str__(self) -> str:
        return self.rec.message


def error_member(rec: ErrorRecord, name: str) -> Any:
    """The members of an ErrorRecord beyond its own fields (``$_.Exception``, ``.CategoryInfo``, ...)."""
    key = name.casefold()
    if key == "exception":
        info = rec.extra.get("exception_info")  # one object per record: $a.Exception -eq $a.Exception
        if not isinstance(info, ExceptionInfo):
            info = rec.extra["exception_info"] = ExceptionInfo(rec)
        return info
    if key == "errordetails":
        return None if rec.error_details is None else PSObject([("Message", rec.error_details),
                                                                ("RecommendedAction", None)],
                                                               ("System.Management.Automation.ErrorDetails",))
    if key == "categoryinfo":
        ci = PSObject([("Category", rec.category), ("Activity", rec.command_name), ("Reason", rec.reason),
                       ("TargetName", rec.target_name), ("TargetType", rec.target_type)],
                      ("System.Management.Automation.ErrorCategoryInfo",))
        text = rec.category_info()
        ci.methods["tostring"] = lambda: text
        return ci
    if key == "fullyqualifiederrorid":
        return rec.fully_qualified_error_id
    if key == "targetobject":
        return rec.target
    if key == "invocationinfo":
        line = ""
        if rec.span is not None and rec.script:
            start = rec.script.rfind("\n", 0, rec.span.offset) + 1
            end = rec.script.find("\n", rec.span.offset)
            line = rec.script[start:end if end >= 0 else len(rec.script)]
        return PSObject([
            ("MyCommand", rec.command_name or None),
            ("ScriptLineNumber", rec.span.line if rec.span else 0),
            ("OffsetInLine", rec.span.col if rec.span else 0),
            ("Line", line), ("PositionMessage", "\n".join(position_lines(rec.script, rec.span, rec.script_name))),
            ("ScriptName", rec.script_name), ("InvocationName", rec.command_name),
        ], ("System.Management.Automation.InvocationInfo",))
    if key == "scriptstacktrace":
        return f"at <ScriptBlock>, {rec.script_name or '<No file>'}: line {rec.span.line if rec.span else 1}"
    if key == "pstypenames":
        return ["System.Management.Automation.ErrorRecord", "System.Object"]
    return None
