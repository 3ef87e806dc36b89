"""Tree-walking evaluator: ``visit_<Node>`` dispatch over :mod:`azshell.lang.ast`.

Output is push-based: every statement writes objects to ``self.out`` (a callable). A pipeline is a chain of
stages; each stage's ``process`` runs once per input object and pushes its output straight into the next
stage, so objects stream one by one through ``begin``/``process``/``end`` and reach the host immediately.
Errors go to ``self.err`` (the error stream); terminating errors are :class:`RuntimeLangError`.
"""

from __future__ import annotations

import binascii
import dataclasses
import math
import os
import re
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from azshell.lang import ast as A
from azshell.lang import conversions as conv
from azshell.lang.binder import ArgItem, Binder, BindingError, dotnet_type_name
from azshell.lang.cmdlet import Cmdlet, CmdletError, CommandRegistry, FileSystem, Param
from azshell.lang.errors import (
    RUNTIME_EXCEPTION,
    ErrorRecord,
    LangError,
    ParseError,
    PipelineStoppedError,
    RuntimeLangError,
    Span,
    runtime_error,
)
from azshell.lang.values import Guid, PSCredential, PSHashtable, PSObject, SecureString

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


# ------------------------------------------------------------------------------------------- runtime values
class ScriptBlock:
    """A script block value (``{ ... }``). Not a closure: variables resolve dynamically, as in PowerShell."""

    __slots__ = ("node", "evaluator", "text")

    def __init__(self, node: A.ScriptBlock, evaluator: Evaluator | None, text: str | None = None) -> None:
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
    __slots__ = ("name", "block", "parameters", "is_filter")

    def __init__(self, name: str, block: A.ScriptBlock, parameters: tuple[A.ParameterDecl, ...], is_filter: bool) -> None:
        self.name = name
        self.block = block
        self.parameters = parameters
        self.is_filter = is_filter

    def __str__(self) -> str:
        return self.block.text


class _Encoding:
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


_VOID = object()


# ------------------------------------------------------------------------------------------- control flow
class _Flow(Exception):
    pass


class BreakSignal(_Flow):
    def __init__(self, label: str | None = None) -> None:
        super().__init__()
        self.label = label


class ContinueSignal(_Flow):
    def __init__(self, label: str | None = None) -> None:
        super().__init__()
        self.label = label


class ReturnSignal(_Flow):
    pass


class ExitSignal(_Flow):
    def __init__(self, code: int) -> None:
        super().__init__()
        self.code = code


class ScriptTerminatingError(RuntimeLangError):
    """``throw`` and ``-ErrorAction Stop``: ends the whole script unless caught."""


# ------------------------------------------------------------------------------------------- scopes
class Scope:
    __slots__ = ("vars", "functions", "parent")

    def __init__(self, parent: Scope | None = None) -> None:
        self.vars: dict[str, list[Any]] = {}
        self.functions: dict[str, FunctionInfo] = {}
        self.parent = parent

    def find(self, key: str) -> list[Any] | None:
        s: Scope | None = self
        while s is not None:
            hit = s.vars.get(key)
            if hit is not None:
                return hit
            s = s.parent
        return None

    def set(self, name: str, value: Any) -> None:
        key = name.casefold()
        hit = self.vars.get(key)
        if hit is None:
            self.vars[key] = [name, value]
        else:
            hit[1] = value


# ------------------------------------------------------------------------------------------- type hierarchy
_EXCEPTION_PARENTS: dict[str, str] = {
    "system.management.automation.runtimeexception": "system.systemexception",
    "system.management.automation.commandnotfoundexception": "system.management.automation.runtimeexception",
    "system.management.automation.parameterbindingexception": "system.management.automation.runtimeexception",
    "system.management.automation.parentcontainserrorrecordexception": "system.management.automation.runtimeexception",
    "system.management.automation.actionpreferencestopexception": "system.management.automation.runtimeexception",
    "system.management.automation.pipelinestoppedexception": "system.management.automation.runtimeexception",
    "system.management.automation.methodinvocationexception": "system.management.automation.runtimeexception",
    "system.management.automation.itemnotfoundexception": "system.management.automation.sessionstateexception",
    "system.management.automation.sessionstateexception": "system.management.automation.runtimeexception",
    "microsoft.powershell.commands.writeerrorexception": "system.systemexception",
    "microsoft.powershell.commands.httpresponseexception": "system.net.http.httprequestexception",
    "system.net.http.httprequestexception": "system.exception",
    "system.net.webexception": "system.invalidoperationexception",
    "system.invalidoperationexception": "system.systemexception",
    "system.argumentexception": "system.systemexception",
    "system.argumentoutofrangeexception": "system.argumentexception",
    "system.argumentnullexception": "system.argumentexception",
    "system.io.filenotfoundexception": "system.io.ioexception",
    "system.io.ioexception": "system.systemexception",
    "system.unauthorizedaccessexception": "system.systemexception",
    "system.dividebyzeroexception": "system.arithmeticexception",
    "system.arithmeticexception": "system.systemexception",
    "system.formatexception": "system.systemexception",
    "system.invalidcastexception": "system.systemexception",
    "system.management.automation.psinvalidcastexception": "system.invalidcastexception",
    "system.management.automation.validationmetadataexception": "system.management.automation.runtimeexception",
    "system.systemexception": "system.exception",
}


def _exception_matches(actual: str, wanted: str) -> bool:
    w = wanted.casefold()
    if not w.startswith("system.") and not w.startswith("microsoft."):
        w2 = "system." + w
    else:
        w2 = w
    if w in ("exception", "system.exception"):
        return True
    a: str | None = actual.casefold()
    seen = 0
    while a is not None and seen < 20:
        if a == w or a == w2 or a.rsplit(".", 1)[-1] == w:
            return True
        a = _EXCEPTION_PARENTS.get(a, "system.exception" if a != "system.exception" else None)
        seen += 1
    return False


def _unroll(v: Any) -> Iterator[Any]:
    if isinstance(v, list):
        yield from v
    elif isinstance(v, tuple):
        yield from v
    else:
        yield v


def _norm_type(name: str) -> str:
    n = name.strip().casefold()
    if n.startswith("system."):
        n = n[7:]
    return n


_PS_VERSION = PSHashtable([
    ("PSVersion", "7.4.6"), ("PSEdition", "Core"), ("GitCommitId", "7.4.6"), ("OS", "azshell"),
    ("Platform", "Win32NT"), ("PSCompatibleVersions", ["1.0", "2.0", "3.0", "4.0", "5.0", "5.1", "6.0", "7.0"]),
    ("PSRemotingProtocolVersion", "2.3"), ("SerializationVersion", "1.1.0.1"), ("WSManStackVersion", "3.0"),
])


# ------------------------------------------------------------------------------------------- invocation context
class InvocationContext:
    """What one running command sees (:class:`~azshell.lang.cmdlet.CommandContext`)."""

    def __init__(self, ev: Evaluator, name: str, span: Span | None, downstream: Emit, err: ErrEmit,
                 common: dict[str, Any]) -> None:
        self.ev = ev
        self.name = name
        self.span = span
        self.downstream = downstream
        self.err = err
        self.common = common
        self.services = ev.services
        self.error_action: str | None = common.get("ErrorAction")
        self.warning_action: str | None = common.get("WarningAction")
        self.verbose = bool(common.get("Verbose"))
        self.debug = bool(common.get("Debug"))
        self.out_variable: list[Any] | None = [] if common.get("OutVariable") else None
        self.error_variable: list[Any] | None = [] if common.get("ErrorVariable") else None

    @property
    def fs(self) -> FileSystem:
        return self.ev.fs

    def write_output(self, obj: Any) -> None:
        self.ev.check_interrupt()
        if self.out_variable is not None:
            self.out_variable.append(obj)
        self.downstream(obj)

    def make_record(self, message: str | BaseException, *, category: str = "NotSpecified", error_id: str = "",
                    target: Any = None, exception: Any = None) -> ErrorRecord:
        if isinstance(message, RuntimeLangError):
            rec = message.record
            if not rec.command_name:
                rec.command_name = self.name
            if rec.span is None:
                rec.span, rec.script = self.span, self.ev.script_text
            return rec
        if isinstance(message, CmdletError):
            return self.make_record(message.message, category=message.category, error_id=message.error_id,
                                    target=message.target, exception=message.exception or message)
        if isinstance(message, BaseException):
            exception = exception or message
            message = getattr(message, "message", None) or str(message)
        exc_type = getattr(exception, "ps_exception_type", None) or "Microsoft.PowerShell.Commands.WriteErrorException"
        # an id that already names its command class ("PathNotFound,Microsoft.PowerShell.Commands.GetItemCommand")
        # is complete; a bare one gets the command's name, as PowerShell does for script cmdlets
        fqid = (error_id if "," in error_id else f"{error_id},{self.name}") if error_id else (
            "Microsoft.PowerShell.Commands.WriteErrorException" if self.name.casefold() == "write-error"
            else f"Microsoft.PowerShell.Commands.WriteErrorException,{self.name}")
        return ErrorRecord(
            message=str(message), category=category, error_id=fqid, target=target, span=self.span,
            script=self.ev.script_text, exception=exception, exception_type=str(exc_type), command_name=self.name,
            target_name=conv.to_string(target) if isinstance(target, (str, int, float)) else "",
            target_type=conv.type_name_of(target).rsplit(".", 1)[-1] if isinstance(target, (str, int, float)) else "",
            error_details=getattr(exception, "error_details", None),
        )

    def write_error(self, message: str | BaseException, *, category: str = "NotSpecified", error_id: str = "",
                    target: Any = None, exception: Any = None) -> None:
        rec = self.make_record(message, category=category, error_id=error_id, target=target, exception=exception)
        if self.error_variable is not None:
            self.error_variable.append(rec)
        self.ev.report_error(rec, self.error_action, self.err)

    def write_warning(self, message: str) -> None:
        action = self.warning_action or conv.to_string(self.ev.get_variable("WarningPreference") or "Continue")
        if action.casefold() in ("silentlycontinue", "ignore"):
            return
        self.ev.stream("warning", message)

    def write_verbose(self, message: str) -> None:
        pref = conv.to_string(self.ev.get_variable("VerbosePreference") or "SilentlyContinue")
        if self.verbose or pref.casefold() == "continue":
            self.ev.stream("verbose", message)

    def write_host(self, text: str, *, newline: bool = True, color: str | None = None) -> None:
        self.ev.stream("host", text, newline=newline, color=color)

    def write_information(self, message: Any) -> None:
        self.ev.stream("information", message)

    def get_variable(self, name: str) -> Any:
        return self.ev.get_variable(name)

    def set_variable(self, name: str, value: Any) -> None:
        self.ev.set_variable(name, value)

    # engine hooks the generic cmdlets look up by name (the rest are found on ``self.ev``)
    def has_variable(self, name: str) -> bool:
        return self.ev.has_variable(name)

    def list_variables(self) -> dict[str, Any]:
        return self.ev.list_variables()

    def now(self) -> datetime:
        return self.ev.now()

    @property
    def console_width(self) -> int:
        return int(self.ev.console_width)

    def write_debug(self, text: str) -> None:
        self.ev.write_debug(text, switch=self.debug)

    def invoke_script_block(self, block: Any, args: Iterable[Any] = (), *, dollar_under: Any = None,
                            input: Iterable[Any] | None = None) -> list[Any]:
        return self.ev.invoke_script_block(block, list(args), dollar_under=dollar_under,
                                           input=list(input) if input is not None else None)

    def format_objects(self, objects: list[Any], *, view: str = "auto", properties: list[Any] | None = None) -> str:
        from azshell.lang.formatting import format_objects

        return format_objects(objects, view=view, properties=properties)

    def finish(self) -> None:
        if self.out_variable is not None:
            self._store(self.common["OutVariable"], self.out_variable)
        if self.error_variable is not None:
            self._store(self.common["ErrorVariable"], self.error_variable)

    def _store(self, name: str, values: list[Any]) -> None:
        if name.startswith("+"):
            prior = self.ev.get_variable(name[1:])
            base = list(prior) if isinstance(prior, list) else ([] if prior is None else [prior])
            self.ev.set_variable(name[1:], base + values)
        else:
            self.ev.set_variable(name, values)


# ------------------------------------------------------------------------------------------- pipeline stages
class Stage:
    expects_input = False

    def begin(self) -> None:
        pass

    def process(self, item: Any, has_input: bool) -> None:
        pass

    def end(self) -> None:
        pass


class CmdletStage(Stage):
    def __init__(self, ev: Evaluator, cls: type[Cmdlet], name: str, items: list[ArgItem], node: A.Command,
                 out: Emit, err: ErrEmit, has_input: bool) -> None:
        self.ev = ev
        self.cls = cls
        self.node = node
        self.has_input = has_input
        self.binder = Binder(cls.name, tuple(cls.params), default_set=cls.default_parameter_set,
                             should_process=cls.supports_should_process)
        ev.bind_or_raise(self.binder, items, cls.name, node)
        self.common = self.binder.common
        self.ctx = InvocationContext(ev, cls.name, node.span, out, err, self.common)
        self.instance: Cmdlet | None = None
        self.base: dict[str, Any] = {}

    def begin(self) -> None:
        try:
            pset = self.binder.resolve_set(has_input=self.has_input)
            self.binder.check_mandatory(pset, has_input=self.has_input)
        except BindingError as exc:
            raise self.ev.binding_record(exc, self.cls.name, self.node) from None
        self.pset = pset
        self.base = dict(self.binder.bound)
        inst = self.cls(self.ctx, dict(self.base), pset)
        if self.common.get("WhatIf"):
            inst.what_if = True
        self.instance = inst
        self.ev.run_cmdlet_stage(self.ctx, inst.begin)

    def process(self, item: Any, has_input: bool) -> None:
        inst = self.instance
        assert inst is not None
        if has_input:
            try:
                extra = self._bind_item(item)
                merged = dict(self.base)
                merged.update(extra)
                missing = [p.name for p in self.binder.declared if p.mandatory and p.name not in merged
                           and (p.value_from_pipeline or p.value_from_pipeline_by_property_name)
                           and (not self.pset or not p.parameter_sets or self.pset in p.parameter_sets)]
                if missing:
                    raise BindingError("Cannot process command because of one or more missing mandatory parameters: "
                                       f"{' '.join(missing)}.", "MissingMandatoryParameter")
            except BindingError as exc:
                rec = self.ev.binding_record(exc, self.cls.name, self.node).record
                rec.target = item
                self.ev.report_error(rec, self.ctx.error_action, self.ctx.err)
                return
            inst.params = merged  # type: ignore[misc,assignment]
            inst.input = item
        else:
            inst.input = None
        self.ev.run_cmdlet_stage(self.ctx, inst.process)

    def _bind_item(self, item: Any) -> dict[str, Any]:
        if not self.binder.expects_pipeline():
            return {}
        try:
            return self.binder.bind_pipeline(item, self.pset)
        except BindingError:
            for other in sorted(self.binder.candidates):
                if other == self.pset:
                    continue
                try:
                    extra = self.binder.bind_pipeline(item, other)
                except BindingError:
                    continue
                if self.instance is not None:
                    self.instance.parameter_set = other
                return extra
            raise

    def end(self) -> None:
        inst = self.instance
        assert inst is not None
        try:
            self.ev.run_cmdlet_stage(self.ctx, inst.end)
        finally:
            self.ctx.finish()


class ScriptStage(Stage):
    """A function, filter or script block in a pipeline."""

    def __init__(self, ev: Evaluator, name: str, block: A.ScriptBlock, parameters: tuple[A.ParameterDecl, ...],
                 items: list[ArgItem], node: A.Node, out: Emit, err: ErrEmit, *, dot_source: bool = False,
                 is_filter: bool = False, has_input: bool = False) -> None:
        self.ev = ev
        self.name = name
        self.block = block
        self.out = out
        self.err = err
        self.dot_source = dot_source
        self.has_input = has_input
        self.node = node
        decls = block.param_block.parameters if block.param_block is not None else parameters
        self.decls = decls
        attrs = block.param_block.attributes if block.param_block is not None else ()
        self.advanced = any(a.name.casefold() in ("cmdletbinding", "parameter") for a in attrs) or any(
            a.name.casefold() in ("parameter",) for d in decls for a in d.attributes)
        self.process_block = block.process
        self.end_block = block.end
        if is_filter and block.process is None:
            self.process_block, self.end_block = block.end, None
        self.scope = ev.scope if dot_source else Scope(ev.scope)
        self.collected: list[Any] = []
        self.binder: Binder | None = None
        self.specs: tuple[Param, ...] = ()
        self.common: dict[str, Any] = {}
        self._bind(items)

    def _bind(self, items: list[ArgItem]) -> None:
        ev = self.ev
        bound: dict[str, Any]
        if self.advanced:
            specs = tuple(ev.param_spec(d) for d in self.decls)
            self.specs = specs
            cmdlet_binding = next((a for a in (self.block.param_block.attributes if self.block.param_block else ())
                                   if a.name.casefold() == "cmdletbinding"), None)
            default_set = None
            should_process = False
            positional_binding = True
            if cmdlet_binding is not None:
                for k, v in cmdlet_binding.named:
                    if k.casefold() == "defaultparametersetname" and v is not None:
                        default_set = conv.to_string(ev.eval(v))
                    if k.casefold() == "supportsshouldprocess":
                        should_process = v is None or conv.to_bool(ev.eval(v))
                    if k.casefold() == "positionalbinding":
                        positional_binding = v is None or conv.to_bool(ev.eval(v))
            if positional_binding and all(p.position is None for p in specs):
                # PowerShell numbers the parameters in declaration order when none sets Position
                # (switches and remaining-arguments parameters stay named)
                pos = 0
                numbered = []
                for p in specs:
                    if p.is_switch or p.value_from_remaining_arguments:
                        numbered.append(p)
                    else:
                        numbered.append(dataclasses.replace(p, position=pos))
                        pos += 1
                specs = tuple(numbered)
                self.specs = specs
            self.binder = Binder(self.name, specs, default_set=default_set, should_process=should_process,
                                 is_function=True)
            ev.bind_or_raise(self.binder, items, self.name, self.node)
            self.common = self.binder.common
            bound = dict(self.binder.bound)
            args: list[Any] = []
        else:
            bound, args = self._simple_bind(items)
        self.bound = bound
        self.args = args

    def _simple_bind(self, items: list[ArgItem]) -> tuple[dict[str, Any], list[Any]]:
        names = [d.name for d in self.decls]
        types = {d.name: (d.type_name or "") for d in self.decls}
        bound: dict[str, Any] = {}
        args: list[Any] = []
        positional: list[Any] = []
        i = 0
        while i < len(items):
            it = items[i]
            if it.kind == "param":
                key = it.name.casefold()
                match = [n for n in names if n.casefold() == key] or [n for n in names if n.casefold().startswith(key)]
                if len(match) == 1:
                    n = match[0]
                    if types[n].casefold() == "switch":
                        bound[n] = conv.to_bool(it.value) if it.colon else True
                    elif it.colon or it.splatted:
                        bound[n] = it.value
                    elif i + 1 < len(items) and items[i + 1].kind == "value":
                        bound[n] = items[i + 1].value
                        i += 1
                    else:
                        raise self.ev.binding_record(BindingError(
                            f"Missing an argument for parameter '{n}'. Specify a parameter of type "
                            f"'{dotnet_type_name(types[n] or 'object')}' and try again.", "MissingArgument",
                            span=it.span), self.name, self.node)
                else:
                    args.append(it.text or "-" + it.name)
                    if it.colon and it.value is not None:
                        args.append(it.value)
            else:
                positional.append(it.value)
            i += 1
        for n in names:
            if n not in bound and positional:
                bound[n] = positional.pop(0)
        args = positional + args
        for n, v in list(bound.items()):
            t = types.get(n)
            if t and t.casefold() not in ("switch", "object"):
                try:
                    bound[n] = conv.convert_to(t, v)
                except conv.ConversionError as exc:
                    raise self.ev.binding_record(BindingError(
                        f"Cannot process argument transformation on parameter '{n}'. {exc.message}",
                        "ParameterArgumentTransformationError"), self.name, self.node) from None
        return bound, args

    def _enter(self) -> Scope:
        prev = self.ev.scope
        self.ev.scope = self.scope
        return prev

    def begin(self) -> None:
        ev = self.ev
        prev = self._enter()
        try:
            if self.binder is not None:
                try:
                    pset = self.binder.resolve_set(has_input=self.has_input)
                    self.binder.check_mandatory(pset, has_input=self.has_input)
                except BindingError as exc:
                    raise ev.binding_record(exc, self.name, self.node) from None
                self.pset = pset
            else:
                self.pset = None
            bound_table = PSHashtable(list(self.bound.items()))
            for d in self.decls:
                if d.name in self.bound:
                    self.scope.set(d.name, self.bound[d.name])
                elif d.default is not None:
                    self.scope.set(d.name, ev.eval(d.default))
                elif (d.type_name or "").casefold() == "switch":
                    self.scope.set(d.name, False)
                else:
                    self.scope.set(d.name, None)
            if not self.dot_source:
                self.scope.set("args", list(self.args))
                self.scope.set("PSBoundParameters", bound_table)
                self.scope.set("PSCmdlet", PSObject([("ParameterSetName", self.pset or "__AllParameterSets")]))
                self.scope.set("MyInvocation", PSObject([("MyCommand", PSObject([("Name", self.name)])),
                                                         ("BoundParameters", bound_table),
                                                         ("InvocationName", self.name)]))
            if self.common.get("Verbose"):
                self.scope.set("VerbosePreference", "Continue")
            if self.common.get("ErrorAction"):
                self.scope.set("ErrorActionPreference", self.common["ErrorAction"])
            if self.block.begin is not None:
                self._run(self.block.begin)
        finally:
            ev.scope = prev

    def _run(self, body: A.StatementBlock) -> None:
        ev = self.ev
        with ev.redirect(self.out, self.err):
            try:
                ev.exec_block(body)
            except ReturnSignal:
                pass

    def process(self, item: Any, has_input: bool) -> None:
        ev = self.ev
        prev = self._enter()
        try:
            if has_input:
                self.scope.set("_", item)
                if self.binder is not None and self.binder.expects_pipeline():
                    try:
                        extra = self.binder.bind_pipeline(item, self.pset)
                    except BindingError as exc:
                        rec = ev.binding_record(exc, self.name, self.node).record
                        ev.report_error(rec, None, self.err)
                        return
                    for k, v in extra.items():
                        self.scope.set(k, v)
                if self.process_block is None:
                    self.collected.append(item)
                    return
            elif self.process_block is None:
                return
            assert self.process_block is not None
            self._run(self.process_block)
        finally:
            ev.scope = prev

    def end(self) -> None:
        ev = self.ev
        prev = self._enter()
        try:
            if self.end_block is not None:
                self.scope.set("input", list(self.collected))
                if self.has_input and self.collected:
                    self.scope.set("_", self.collected[-1])
                self._run(self.end_block)
        finally:
            ev.scope = prev


class _Redirected:
    """Output/error routing of one pipeline element with redirections."""

    def __init__(self, ev: Evaluator, redirs: tuple[A.Redirection, ...], out: Emit, err: ErrEmit) -> None:
        self.ev = ev
        self.out = out
        self.err = err
        self.files: list[tuple[str, bool, list[Any]]] = []
        for r in redirs:
            target = None if r.target is None else ev.eval(r.target)
            path = None if target is None else conv.to_string(target)
            if r.merge_to is not None:
                if r.stream in ("2", "*") and r.merge_to == "1":
                    self.err = self._err_to_out
                continue
            if r.target is not None and isinstance(r.target, A.Variable) and r.target.name.casefold() == "null":
                sink: Callable[[Any], None] = _discard
                if r.stream in ("1", "*"):
                    self.out = sink
                if r.stream in ("2", "*"):
                    self.err = self._err_dropped
                continue
            if path is None:
                continue
            buf: list[Any] = []
            self.files.append((path, r.append, buf))
            if r.stream in ("1", "*"):
                self.out = buf.append
            if r.stream in ("2", "*"):
                self.err = buf.append

    def _err_to_out(self, rec: ErrorRecord) -> None:
        self.out(rec)

    def _err_dropped(self, rec: ErrorRecord) -> None:
        pass

    def flush(self) -> None:
        for path, append, buf in self.files:
            text = ""
            if buf:
                from azshell.lang.formatting import format_objects

                text = format_objects([r.render() if isinstance(r, ErrorRecord) else r for r in buf])
                if not text.endswith("\n"):
                    text += "\n"
            self.ev.fs.write_text(path, text, append=append)


def _discard(_: Any) -> None:
    pass


# ------------------------------------------------------------------------------------------- the evaluator
class Evaluator:
    def __init__(self, registry: CommandRegistry, *, services: Any = None, fs: FileSystem | None = None,
                 env: MutableMapping[str, str] | None = None, clock: Callable[[], datetime] | None = None) -> None:
        self.registry = registry
        # host hooks (see azshell.lang.builtins): a host replaces them through the Engine's properties
        self.clock = clock
        self.clear_screen: Callable[[], None] | None = None
        self.read_host: Callable[[str, bool], str | None] = _no_input
        self.prompt_credential: Callable[[str, str | None], Any] = _no_credential
        self.console_width = 120
        self.services = services
        if fs is None:
            from azshell.lang.filesystem import LocalFileSystem

            fs = LocalFileSystem()
        self.fs: FileSystem = fs
        self.env: MutableMapping[str, str] = env if env is not None else os.environ
        self.global_scope = Scope()
        self.scope = self.global_scope
        self.out: Emit = _discard
        self.err: ErrEmit = lambda rec: None
        self.stream_fn: StreamEmit = lambda stream, value, extra: None
        self.errors: list[Any] = []
        self.error_count = 0
        self.last_success = True
        self.script_text = ""
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
            ("PSVersionTable", _PS_VERSION), ("HOME", home), ("LASTEXITCODE", None), ("OFS", " "),
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
        with self.redirect(buf.append):
            fn()
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
        key = name.casefold()
        s: Scope | None = self.scope
        while s is not None:
            f = s.functions.get(key)
            if f is not None:
                return f
            s = s.parent
        return None

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

    def execute_text(self, text: str) -> None:
        """Invoke-Expression: parse ``text`` and run it in the current scope; output goes to ``self.out``.

        A parse error is raised as a :class:`RuntimeLangError` carrying the parser's record (the caller's
        statement fails, the script goes on unless ``-ErrorAction Stop``).
        """
        from azshell.lang.parser import parse

        try:
            script = parse(text)
        except ParseError as exc:
            raise RuntimeLangError(exc.to_record()) from None
        prev_text = self.script_text
        self.script_text = text
        try:
            self.run_script_block(script.block)
        finally:
            self.script_text = prev_text

    def invoke_method(self, obj: Any, name: str, args: list[Any]) -> Any:
        """``obj.name(args)`` as a method call expression would do it (ForEach-Object -MemberName)."""
        return self.call_method(obj, name, list(args), None)

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

    # ---------------------------------------------------------------------------------------- dispatch
    _dispatch: dict[type, Callable[[Evaluator, Any], Any]] = {}

    def eval(self, node: A.Node) -> Any:
        fn = self._dispatch.get(type(node))
        if fn is None:
            fn = getattr(type(self), "visit_" + type(node).__name__, None)
            if fn is None:
                raise self.record_at(node, f"The construct '{type(node).__name__}' is not supported.",
                                     error_id="NotSupported")
            self._dispatch[type(node)] = fn
        try:
            return fn(self, node)
        except conv.ConversionError as exc:
            raise self.conversion_record(exc, node) from None

    def conversion_record(self, exc: conv.ConversionError, node: A.Node) -> RuntimeLangError:
        name = type(exc).__name__
        if name == "UnknownTypeError":
            return self.record_at(node, exc.message, error_id="TypeNotFound", category="InvalidOperation",
                                  exception_type=RUNTIME_EXCEPTION)
        if name == "PropertyNotFoundError":
            return self.record_at(node, exc.message, error_id="PropertyNotFound", category="InvalidOperation")
        if name == "PatternError":
            return self.record_at(node, exc.message, error_id="InvalidRegularExpression", category="InvalidOperation")
        if name == "FormatError":
            return self.record_at(node, exc.message, error_id="FormatError", category="InvalidOperation")
        if name == "ComparisonError":
            return self.record_at(node, exc.message, error_id="ComparisonFailure", category="InvalidOperation")
        return self.record_at(node, exc.message, error_id=getattr(exc, "error_id", "ConvertToFinalInvalidCastException"),
                              category="InvalidArgument",
                              exception_type="System.Management.Automation.PSInvalidCastException")

    # ---------------------------------------------------------------------------------------- statements
    def exec_block(self, block: A.StatementBlock) -> None:
        for stmt in block.statements:
            self.exec_statement(stmt)

    def exec_statement(self, stmt: A.Statement) -> None:
        self.check_interrupt()
        try:
            self.eval(stmt)
        except ScriptTerminatingError:
            self.last_success = False
            raise
        except RuntimeLangError as exc:
            self.last_success = False
            if self.try_depth > 0 or isinstance(exc, PipelineStoppedError):
                raise
            rec = exc.record
            self.errors.insert(0, rec)
            self.error_count += 1
            self.err(rec)

    def statement_value(self, stmt: A.Statement) -> Any:
        """The value of a statement used as an expression (``$x = <stmt>``)."""
        if isinstance(stmt, A.Pipeline) and len(stmt.elements) == 1:
            el = stmt.elements[0]
            if isinstance(el, A.CommandExpression) and not el.redirections:
                v = self.eval(el.expression)
                return None if v is _VOID else v
        if isinstance(stmt, A.Assignment):
            self.eval(stmt)
            return None
        items = self.capture(lambda: self.eval(stmt))
        if not items:
            return None
        if len(items) == 1:
            return items[0]
        return items

    def visit_Script(self, node: A.Script) -> None:
        self.run_script_block(node.block)

    def run_script_block(self, block: A.ScriptBlock) -> None:
        for body in (block.begin, block.process, block.end):
            if body is not None:
                self.exec_block(body)

    def visit_StatementBlock(self, node: A.StatementBlock) -> None:
        self.exec_block(node)

    def visit_PipelineChain(self, node: A.PipelineChain) -> None:
        self.run_pipeline_statement(node.first)
        for op, stmt in node.rest:
            if (op == "&&") == self.last_success:
                self.run_pipeline_statement(stmt)

    def run_pipeline_statement(self, stmt: A.Statement) -> None:
        before = self.error_count
        try:
            self.eval(stmt)
        except ScriptTerminatingError:
            self.last_success = False
            raise
        except RuntimeLangError as exc:
            self.last_success = False
            if self.try_depth > 0 or isinstance(exc, PipelineStoppedError):
                raise
            self.errors.insert(0, exc.record)
            self.error_count += 1
            self.err(exc.record)
            return
        if self.error_count != before:
            self.last_success = False

    def visit_Pipeline(self, node: A.Pipeline) -> None:
        before = self.error_count
        elements = node.elements
        if len(elements) == 1 and isinstance(elements[0], A.CommandExpression):
            el = elements[0]
            if el.redirections:
                red = _Redirected(self, el.redirections, self.out, self.err)
                with self.redirect(red.out, red.err):
                    self._emit_expression(el.expression)
                red.flush()
            else:
                self._emit_expression(el.expression)
            self.last_success = self.error_count == before
            return
        self.run_pipeline(elements, self.out, self.err)
        self.last_success = self.error_count == before

    def _emit_expression(self, expr: A.Expr) -> None:
        if isinstance(expr, A.UnaryOp) and expr.op in ("++", "--"):
            self.eval(expr)
            return
        value = self.eval(expr)
        if value is _VOID:
            return
        out = self.out
        if isinstance(value, (list, tuple)):
            for item in value:
                out(item)
        elif value is None and isinstance(expr, A.MethodCall):
            return
        else:
            out(value)

    def run_pipeline(self, elements: tuple[A.Command | A.CommandExpression, ...], out: Emit, err: ErrEmit,
                     input_items: list[Any] | None = None) -> None:
        """Build the stages (binding arguments), then stream: begin all, feed, end all in order."""
        n = len(elements)
        stages: list[Stage] = [Stage()] * n
        downstream: list[Emit] = [out] * n
        redirected: list[_Redirected | None] = [None] * n
        # build from the last stage so each knows its downstream
        for i in range(n - 1, -1, -1):
            el = elements[i]
            target = out if i == n - 1 else self._feeder(stages, i + 1)
            e_err = err
            red: _Redirected | None = None
            if el.redirections:
                red = _Redirected(self, el.redirections, target, err)
                target, e_err = red.out, red.err
                redirected[i] = red
            downstream[i] = target
            if isinstance(el, A.CommandExpression):
                stages[i] = _ExpressionStage(self, el.expression, target, e_err)
            else:
                stages[i] = self.make_command_stage(el, target, e_err, has_input=i > 0 or input_items is not None)
        for st in stages:
            st.begin()
        first = stages[0]
        if input_items is not None:
            for item in input_items:
                self.check_interrupt()
                first.process(item, True)
        else:
            first.process(None, False)
        for st in stages:
            st.end()
        for red in redirected:
            if red is not None:
                red.flush()

    def _feeder(self, stages: list[Stage], index: int) -> Emit:
        def feed(item: Any) -> None:
            self.check_interrupt()
            stages[index].process(item, True)
        return feed

    def run_cmdlet_stage(self, ctx: InvocationContext, fn: Callable[[], None]) -> None:
        try:
            with self.redirect(ctx.downstream, ctx.err):
                fn()
        except CmdletError as exc:
            rec = ctx.make_record(exc)
            if ctx.error_action and ctx.error_action.casefold() == "stop" or self._eap_stop():
                raise ScriptTerminatingError(rec) from None
            raise RuntimeLangError(rec) from None
        except BindingError as exc:
            raise self.binding_record(exc, ctx.name, None) from None
        except LangError:
            raise
        except _Flow:
            raise
        except conv.ConversionError as exc:
            rec = ctx.make_record(exc.message, category="InvalidArgument", error_id="ConversionError", exception=exc)
            raise RuntimeLangError(rec) from None

    def _eap_stop(self) -> bool:
        return conv.to_string(self.get_variable("ErrorActionPreference") or "").casefold() == "stop"

    # ---------------------------------------------------------------------------------------- commands
    def visit_Command(self, node: A.Command) -> None:
        self.run_pipeline((node,), self.out, self.err)

    def visit_CommandExpression(self, node: A.CommandExpression) -> None:
        self._emit_expression(node.expression)

    def command_args(self, elements: tuple[A.CommandElement, ...]) -> list[ArgItem]:
        items: list[ArgItem] = []
        for el in elements:
            if isinstance(el, A.CommandParameter):
                value = None
                if el.argument is not None:
                    value = self.eval(el.argument)
                items.append(ArgItem("param", value, el.name, el.colon, el.span,
                                     "-" + el.name + (":" if el.colon else "")))
            elif isinstance(el, A.Variable) and el.splat:
                value = self.get_variable(el.name, el.scope)
                if isinstance(value, (PSHashtable, dict)):
                    for k, v in value.items():
                        if isinstance(v, bool) and v is True:
                            items.append(ArgItem("param", True, conv.to_string(k), True, el.span, splatted=True))
                        else:
                            items.append(ArgItem("param", v, conv.to_string(k), True, el.span, splatted=True))
                elif isinstance(value, list):
                    items.extend(ArgItem("value", v, span=el.span) for v in value)
                elif value is not None:
                    items.append(ArgItem("value", value, span=el.span))
            else:
                value = self.eval(el)
                text = self.script_text[el.span.offset:el.span.end_offset] if el.span.end_offset <= len(self.script_text) else ""
                if value is _VOID:
                    value = None
                items.append(ArgItem("value", value, span=el.span, text=text if isinstance(value, str) else ""))
        return items

    def make_command_stage(self, node: A.Command, out: Emit, err: ErrEmit, *, has_input: bool) -> Stage:
        name_node = node.name
        if isinstance(name_node, A.StringConstant) and name_node.bareword:
            target: Any = name_node.value
        else:
            target = self.eval(name_node)
        items = self.command_args(node.elements)
        dot = node.invocation == "."
        if isinstance(target, ScriptBlock):
            return ScriptStage(self, "<ScriptBlock>", target.node, (), items, node, out, err, dot_source=dot,
                               has_input=has_input)
        if isinstance(target, FunctionInfo):
            return ScriptStage(self, target.name, target.block, target.parameters, items, node, out, err,
                               dot_source=dot, is_filter=target.is_filter, has_input=has_input)
        name = conv.to_string(target)
        func = self.find_function(name)
        if func is None:
            alias = self.registry.peek_alias(name)
            if alias is not None:
                func = self.find_function(alias)
        if func is not None:
            return ScriptStage(self, func.name, func.block, func.parameters, items, node, out, err, dot_source=dot,
                               is_filter=func.is_filter, has_input=has_input)
        cls = self.registry.resolve(name)
        if cls is not None:
            return CmdletStage(self, cls, name, items, node, out, err, has_input)
        script = self._script_file(name)
        if script is not None:
            return ScriptStage(self, name, script, (), items, node, out, err, dot_source=dot, has_input=has_input)
        raise self.command_not_found(name, node)

    def _script_file(self, name: str) -> A.ScriptBlock | None:
        if not name.casefold().endswith(".ps1"):
            return None
        try:
            if not self.fs.exists(name):
                return None
            text = self.fs.read_text(name)
        except Exception:
            return None
        from azshell.lang.parser import parse

        try:
            return parse(text).block
        except ParseError as exc:
            raise RuntimeLangError(exc.to_record()) from None

    def command_not_found(self, name: str, node: A.Command) -> RuntimeLangError:
        rec = ErrorRecord(
            message=(f"The term '{name}' is not recognized as a name of a cmdlet, function, script file, or "
                     "executable program.\nCheck the spelling of the name, or if a path was included, verify that "
                     "the path is correct and try again."),
            category="ObjectNotFound", error_id="CommandNotFoundException", target=name,
            span=node.name.span, script=self.script_text,
            exception_type="System.Management.Automation.CommandNotFoundException", command_name=name,
            target_name=name, target_type="String", activity="",
        )
        names = list(self.registry.names()) + list(self.registry.alias_map)
        s: Scope | None = self.scope
        while s is not None:
            names.extend(f.name for f in s.functions.values())
            s = s.parent
        lowered = {n.casefold(): n for n in names}
        import difflib

        close = difflib.get_close_matches(name.casefold(), list(lowered), n=1, cutoff=0.7)
        if close:
            rec.suggestion = f"Did you mean '{lowered[close[0]]}'?"
        return RuntimeLangError(rec)

    def bind_or_raise(self, binder: Binder, items: list[ArgItem], name: str, node: A.Node) -> None:
        try:
            binder.bind(items)
        except BindingError as exc:
            raise self.binding_record(exc, name, node) from None

    def binding_record(self, exc: BindingError, name: str, node: A.Node | None) -> RuntimeLangError:
        span = exc.span or (node.span if node is not None else None)
        if isinstance(node, A.Command) and exc.span is None:
            span = node.span
        rec = ErrorRecord(
            message=exc.message, category=exc.category, error_id=f"{exc.error_id},{name}", target=exc.target,
            span=span, script=self.script_text,
            exception_type="System.Management.Automation.ParameterBindingException"
            if "Validation" not in exc.error_id else "System.Management.Automation.ParameterBindingValidationException",
            command_name=name, suggestion=exc.suggestion, exception=exc,
        )
        if exc.error_id.startswith("ParameterArgumentValidation"):
            rec.exception_type = "System.Management.Automation.ParameterBindingValidationException"
        if exc.error_id == "ParameterArgumentTransformationError":
            rec.exception_type = "System.Management.Automation.ParameterBindingArgumentTransformationException"
        return RuntimeLangError(rec)

    def param_spec(self, d: A.ParameterDecl) -> Param:
        """Build a :class:`Param` from a script parameter declaration."""
        type_name = (d.type_name or "object")
        t = type_name.casefold()
        if t in ("switchparameter", "system.management.automation.switchparameter"):
            type_name = "switch"
        kw: dict[str, Any] = {}
        sets: list[str] = []
        mandatory = False
        position: int | None = None
        vfp = vfpbn = vfra = False
        for attr in d.attributes:
            an = attr.name.casefold()
            if an in ("parameter", "system.management.automation.parameter"):
                for k, v in attr.named:
                    kk = k.casefold()
                    val = True if v is None else self.eval(v)
                    if kk == "mandatory":
                        mandatory = conv.to_bool(val)
                    elif kk == "position":
                        position = int(conv.to_number(val))
                    elif kk == "valuefrompipeline":
                        vfp = conv.to_bool(val)
                    elif kk == "valuefrompipelinebypropertyname":
                        vfpbn = conv.to_bool(val)
                    elif kk == "valuefromremainingarguments":
                        vfra = conv.to_bool(val)
                    elif kk == "parametersetname":
                        sets.append(conv.to_string(val))
                    elif kk == "helpmessage":
                        kw["help"] = conv.to_string(val)
            elif an == "alias":
                kw["aliases"] = tuple(conv.to_string(x) for v in attr.positional for x in _unroll(self.eval(v)))
            elif an == "validateset":
                kw["validate_set"] = tuple(conv.to_string(x) for v in attr.positional for x in _unroll(self.eval(v)))
            elif an == "validaterange":
                vals = [self.eval(v) for v in attr.positional]
                if len(vals) == 2:
                    kw["validate_range"] = (float(conv.to_number(vals[0])), float(conv.to_number(vals[1])))
            elif an == "validatenotnullorempty" or an == "validatenotnull":
                kw["validate_not_null_or_empty"] = True
            elif an == "allownull":
                kw["allow_null"] = True
            elif an == "allowemptystring":
                kw["allow_empty_string"] = True
            elif an == "allowemptycollection":
                kw["allow_empty_collection"] = True
        return Param(d.name, type_name, mandatory=mandatory, position=position, parameter_sets=tuple(sets),
                     value_from_pipeline=vfp, value_from_pipeline_by_property_name=vfpbn,
                     value_from_remaining_arguments=vfra, **kw)

    # ---------------------------------------------------------------------------------------- script blocks
    def invoke_script_block(self, block: Any, args: list[Any], *, dollar_under: Any = None,
                            input: list[Any] | None = None, new_scope: bool = False) -> list[Any]:
        """Run a script block (as ForEach-Object/Where-Object do: in the current scope, ``$_`` set) and
        collect its output."""
        if isinstance(block, ScriptBlock):
            node = block.node
        elif isinstance(block, A.ScriptBlock):
            node = block
        else:
            raise runtime_error("The argument is not a script block.", error_id="NotAScriptBlock")
        buf: list[Any] = []
        scope = Scope(self.scope) if new_scope or node.param_block is not None else self.scope
        prev_scope = self.scope
        key = "_"
        prior = scope.vars.get(key)
        prior_value = prior[1] if prior is not None else None
        self.scope = scope
        self.call_depth += 1
        try:
            if self.call_depth > 200:
                raise runtime_error("The script failed due to call depth overflow.", error_id="CallDepthOverflow",
                                    category="InvalidOperation",
                                    exception_type="System.Management.Automation.ScriptCallDepthException")
            scope.set("_", dollar_under)
            if node.param_block is not None:
                for i, d in enumerate(node.param_block.parameters):
                    if i < len(args):
                        value = args[i]
                        if d.type_name and d.type_name.casefold() not in ("switch", "object"):
                            value = conv.convert_to(d.type_name, value)
                        scope.set(d.name, value)
                    elif d.default is not None:
                        scope.set(d.name, self.eval(d.default))
                    else:
                        scope.set(d.name, None)
                scope.set("args", args[len(node.param_block.parameters):])
            else:
                if scope is not prev_scope or args:
                    scope.set("args", list(args))
            if input is not None:
                scope.set("input", input)
            with self.redirect(buf.append):
                try:
                    self.run_script_block(node)
                except ReturnSignal:
                    pass
        finally:
            self.call_depth -= 1
            self.scope = prev_scope
            if scope is prev_scope:
                if prior is None:
                    scope.vars.pop(key, None)
                else:
                    scope.set("_", prior_value)
        return buf

    # ---------------------------------------------------------------------------------------- assignment
    def visit_Assignment(self, node: A.Assignment) -> None:
        op = node.op
        if len(node.targets) > 1:
            value = self.statement_value(node.value)
            values = list(value) if isinstance(value, list) else [value]
            for i, t in enumerate(node.targets):
                if i == len(node.targets) - 1:
                    rest = values[i:]
                    v = None if not rest else rest[0] if len(rest) == 1 else rest
                else:
                    v = values[i] if i < len(values) else None
                self.assign(t, v)
            return
        target = node.targets[0]
        if op == "=":
            self.assign(target, self.statement_value(node.value))
            return
        current = self.eval(target) if not isinstance(target, A.Convert) else self.eval(target.operand)
        if op == "??=":
            if current is None:
                self.assign(target, self.statement_value(node.value))
            return
        value = self.statement_value(node.value)
        self.assign(target, self.binary(op[:-1], current, value, node))

    def assign(self, target: A.Expr, value: Any) -> None:
        if isinstance(target, A.Convert):
            if target.type_name.casefold() == "void":
                return
            value = self.cast(target.type_name, value, target)
            target = target.operand
        if isinstance(target, A.Variable):
            self.set_variable(target.name, value, target.scope)
        elif isinstance(target, A.Member):
            obj = self.eval(target.target)
            name = self.member_name(target.name)
            if isinstance(obj, list) and not isinstance(obj, PSHashtable):
                for item in obj:
                    conv.set_member(item, name, value)
                return
            try:
                conv.set_member(obj, name, value)
            except conv.PropertyNotFoundError as exc:
                raise self.record_at(target, exc.message, error_id="PropertyAssignmentException",
                                     category="InvalidOperation") from None
        elif isinstance(target, A.Index):
            obj = self.eval(target.target)
            idx = self.eval(target.index)
            if obj is None:
                raise self.record_at(target, "Cannot index into a null array.", error_id="NullArray")
            if isinstance(obj, (PSHashtable, dict)):
                obj[idx] = value
            elif isinstance(obj, PSObject):
                conv.set_member(obj, conv.to_string(idx), value)
            elif isinstance(obj, list):
                i = int(conv.to_number(idx))
                if i < -len(obj) or i >= len(obj):
                    raise self.record_at(target, "Index was outside the bounds of the array.",
                                         error_id="IndexOutOfRange",
                                         exception_type="System.IndexOutOfRangeException")
                obj[i] = value
            else:
                raise self.record_at(target, f"Unable to index into an object of type {conv.type_name_of(obj)}.",
                                     error_id="CannotIndex")
        else:
            raise self.record_at(target, "The assignment expression is not valid.", error_id="InvalidLeftHandSide")

    # ---------------------------------------------------------------------------------------- control flow
    def visit_If(self, node: A.If) -> None:
        for cond, body in node.clauses:
            if conv.to_bool(self.statement_value(cond)):
                self.exec_block(body)
                return
        if node.else_body is not None:
            self.exec_block(node.else_body)

    def _loop_body(self, body: A.StatementBlock) -> bool:
        """Run a loop body; False means break."""
        self.check_interrupt()
        try:
            self.exec_block(body)
        except BreakSignal:
            return False
        except ContinueSignal:
            return True
        return True

    def visit_While(self, node: A.While) -> None:
        while conv.to_bool(self.statement_value(node.condition)):
            if not self._loop_body(node.body):
                break

    def visit_DoWhile(self, node: A.DoWhile) -> None:
        while True:
            if not self._loop_body(node.body):
                break
            if not conv.to_bool(self.statement_value(node.condition)):
                break

    def visit_DoUntil(self, node: A.DoUntil) -> None:
        while True:
            if not self._loop_body(node.body):
                break
            if conv.to_bool(self.statement_value(node.condition)):
                break

    def visit_For(self, node: A.For) -> None:
        if node.init is not None:
            self.capture(lambda: self.eval(node.init) if node.init is not None else None)
        while node.condition is None or conv.to_bool(self.statement_value(node.condition)):
            if not self._loop_body(node.body):
                break
            if node.step is not None:
                self._run_discard(node.step)

    def _run_discard(self, stmt: A.Statement) -> None:
        self.capture(lambda: self.eval(stmt))

    def visit_Foreach(self, node: A.Foreach) -> None:
        value = self.statement_value(node.iterable)
        if value is None:
            return
        items = value if isinstance(value, list) else conv.enumerate_value(value)
        for item in list(items):
            self.set_variable(node.variable.name, item, node.variable.scope)
            if not self._loop_body(node.body):
                break

    def visit_Switch(self, node: A.Switch) -> None:
        value = self.statement_value(node.subject)
        items = value if isinstance(value, list) else [value]
        cs = "casesensitive" in node.flags
        regex = "regex" in node.flags
        wildcard = "wildcard" in node.flags
        try:
            for item in items:
                self.check_interrupt()
                matched = False
                try:
                    for clause in node.clauses:
                        if clause.condition is None:
                            continue
                        if self._switch_match(clause.condition, item, cs, regex, wildcard):
                            matched = True
                            self._switch_body(clause.body, item)
                    if not matched:
                        for clause in node.clauses:
                            if clause.condition is None:
                                self._switch_body(clause.body, item)
                except ContinueSignal:
                    continue
        except BreakSignal:
            return

    def _switch_body(self, body: A.StatementBlock, item: Any) -> None:
        self.scope.set("_", item)
        self.exec_block(body)

    def _switch_match(self, cond: A.Expr, item: Any, cs: bool, regex: bool, wildcard: bool) -> bool:
        if isinstance(cond, A.ScriptBlockExpression):
            out = self.invoke_script_block(ScriptBlock(cond.block, self), [], dollar_under=item)
            return conv.to_bool(out[0] if len(out) == 1 else out)
        pattern = self.eval(cond)
        if regex:
            m = conv.ps_match(conv.to_string(item), pattern, cs)
            if m is not None:
                self.set_variable("Matches", conv.matches_table(m))
                return True
            return False
        if wildcard:
            return conv.ps_like(conv.to_string(item), pattern, cs)
        if isinstance(item, str) or isinstance(pattern, str):
            return conv.to_string(item).casefold() == conv.to_string(pattern).casefold() if not cs else \
                conv.to_string(item) == conv.to_string(pattern)
        return conv.ps_equals(item, pattern, cs)

    def visit_Try(self, node: A.Try) -> None:
        try:
            self.try_depth += 1
            try:
                self.exec_block(node.body)
            finally:
                self.try_depth -= 1
        except RuntimeLangError as exc:
            if isinstance(exc, PipelineStoppedError):
                raise
            rec = exc.record
            if not self.errors or self.errors[0] is not rec:
                self.errors.insert(0, rec)
                self.error_count += 1
            handler = None
            for c in node.catches:
                if not c.types or any(_exception_matches(rec.exception_type, t) for t in c.types):
                    handler = c
                    break
            if handler is None:
                if node.finally_body is not None:
                    self.exec_block(node.finally_body)
                raise
            self.catch_stack.append(rec)
            prior = self.scope.vars.get("_")
            prior_value = prior[1] if prior is not None else None
            self.scope.set("_", rec)
            try:
                self.exec_block(handler.body)
            finally:
                self.catch_stack.pop()
                if prior is None:
                    self.scope.vars.pop("_", None)
                else:
                    self.scope.set("_", prior_value)
                if node.finally_body is not None:
                    self.exec_block(node.finally_body)
            self.last_success = True
            return
        except BaseException:
            if node.finally_body is not None:
                self.exec_block(node.finally_body)
            raise
        if node.finally_body is not None:
            self.exec_block(node.finally_body)

    def visit_Throw(self, node: A.Throw) -> None:
        if node.value is None:
            if self.catch_stack:
                raise ScriptTerminatingError(self.catch_stack[-1])
            raise ScriptTerminatingError(ErrorRecord(
                "ScriptHalted", category="OperationStopped", error_id="ScriptHalted", span=node.span,
                script=self.script_text))
        value = self.statement_value(node.value)
        if isinstance(value, ErrorRecord):
            raise ScriptTerminatingError(value)
        if isinstance(value, BaseException):
            msg = getattr(value, "message", None) or str(value)
            raise ScriptTerminatingError(ErrorRecord(
                msg, category="OperationStopped", error_id=msg, span=node.span, script=self.script_text,
                exception=value, exception_type=getattr(value, "ps_exception_type", RUNTIME_EXCEPTION)))
        message = conv.to_string(value)
        is_text = isinstance(value, str)
        raise ScriptTerminatingError(ErrorRecord(
            message, category="OperationStopped", error_id=message if is_text else "ScriptHalted", target=value,
            span=node.span, script=self.script_text, exception_type=RUNTIME_EXCEPTION,
            target_name=message if is_text else "", target_type="String" if is_text else "",
        ))

    def visit_Break(self, node: A.Break) -> None:
        raise BreakSignal(None)

    def visit_Continue(self, node: A.Continue) -> None:
        raise ContinueSignal(None)

    def visit_Return(self, node: A.Return) -> None:
        if node.value is not None:
            self.eval(node.value)
        raise ReturnSignal()

    def visit_Exit(self, node: A.Exit) -> None:
        code = 0
        if node.value is not None:
            v = self.statement_value(node.value)
            try:
                code = int(conv.to_number(v)) if v is not None else 0
            except (conv.ConversionError, ValueError, TypeError):
                code = 1
        raise ExitSignal(code)

    def visit_FunctionDefinition(self, node: A.FunctionDefinition) -> None:
        name = node.name
        scope = self.scope
        if ":" in name:
            prefix, _, rest = name.partition(":")
            if prefix.casefold() in ("global", "script"):
                scope = self.global_scope
                name = rest
        scope.functions[name.casefold()] = FunctionInfo(name, node.body, node.parameters, node.is_filter)

    # ---------------------------------------------------------------------------------------- expressions
    def visit_Number(self, node: A.Number) -> Any:
        return node.value

    def visit_StringConstant(self, node: A.StringConstant) -> Any:
        return node.value

    def visit_ExpandableString(self, node: A.ExpandableString) -> Any:
        parts: list[str] = []
        ofs = self.get_variable("OFS")
        sep = " " if ofs is None else conv.to_string(ofs)
        for p in node.parts:
            if isinstance(p, str):
                parts.append(p)
            else:
                v = self.eval(p)
                if isinstance(p, A.SubExpression) and isinstance(v, list) and len(v) == 1:
                    v = v[0]
                parts.append(conv.to_string(v, sep))
        return "".join(parts)

    def visit_Variable(self, node: A.Variable) -> Any:
        return self.get_variable(node.name, node.scope)

    def visit_ArrayLiteral(self, node: A.ArrayLiteral) -> Any:
        out = []
        for e in node.elements:
            v = self.eval(e)
            out.append(None if v is _VOID else v)
        return out

    def visit_ArrayExpression(self, node: A.ArrayExpression) -> Any:
        if len(node.body.statements) == 1:
            st = node.body.statements[0]
            if isinstance(st, A.Pipeline) and len(st.elements) == 1 and isinstance(st.elements[0], A.CommandExpression) \
                    and not st.elements[0].redirections:
                v = self.eval(st.elements[0].expression)
                if v is _VOID:
                    return []
                if isinstance(v, list):
                    return list(v)
                return [v] if not (v is None and isinstance(st.elements[0].expression, A.MethodCall)) else []
        return self.capture(lambda: self.exec_block(node.body))

    def visit_SubExpression(self, node: A.SubExpression) -> Any:
        items = self.capture(lambda: self.exec_block(node.body))
        if not items:
            return None
        if len(items) == 1:
            return items[0]
        return items

    def visit_Paren(self, node: A.Paren) -> Any:
        stmt = node.pipeline
        if isinstance(stmt, A.Assignment):
            self.eval(stmt)
            target = stmt.targets[0]
            if isinstance(target, A.Convert):
                target = target.operand
            return self.eval(target)
        v = self.statement_value(stmt)
        return None if v is _VOID else v

    def visit_Hashtable(self, node: A.Hashtable, ordered: bool = False) -> Any:
        h = PSHashtable(ordered=ordered)
        for key_node, value_stmt in node.pairs:
            key = self.eval(key_node)
            if key in h:
                raise self.record_at(key_node, "Duplicate keys '" + conv.to_string(key) +
                                     "' are not allowed in hash literals.", error_id="DuplicateKeyInHashLiteral")
            h[key] = self.statement_value(value_stmt)
        return h

    def visit_ScriptBlockExpression(self, node: A.ScriptBlockExpression) -> Any:
        return ScriptBlock(node.block, self)

    def visit_TypeLiteral(self, node: A.TypeLiteral) -> Any:
        if not conv.is_known_type(node.name) and _norm_type(node.name) not in _STATIC_TYPES:
            raise self.record_at(node, f"Unable to find type [{node.name}].", error_id="TypeNotFound")
        return TypeRef(node.name)

    def visit_Convert(self, node: A.Convert) -> Any:
        t = node.type_name.casefold()
        if t == "ordered" and isinstance(node.operand, A.Hashtable):
            return self.visit_Hashtable(node.operand, ordered=True)
        if t in ("pscustomobject", "psobject", "system.management.automation.pscustomobject") \
                and isinstance(node.operand, A.Hashtable):
            h = self.visit_Hashtable(node.operand, ordered=True)
            if t == "psobject":
                return h
            return PSObject(h.items())
        value = self.eval(node.operand)
        if t == "void":
            return _VOID
        return self.cast(node.type_name, value, node)

    def cast(self, type_name: str, value: Any, node: A.Node) -> Any:
        t = type_name.casefold()
        if t in ("scriptblock", "system.management.automation.scriptblock"):
            if isinstance(value, ScriptBlock):
                return value
            from azshell.lang.parser import parse

            try:
                return ScriptBlock(parse(conv.to_string(value)).block, self, conv.to_string(value))
            except ParseError as exc:
                raise RuntimeLangError(exc.to_record()) from None
        if t in ("array", "object[]", "system.array"):
            if value is None:
                return []
            return list(value) if isinstance(value, (list, tuple)) else [value]
        if t in ("pscustomobject",) and isinstance(value, PSHashtable):
            return PSObject(value.items())
        if t in ("securestring", "system.security.securestring") and isinstance(value, str):
            return SecureString(value)
        return conv.convert_to(type_name, value)

    def visit_UnaryOp(self, node: A.UnaryOp) -> Any:
        op = node.op
        if op in ("++", "--"):
            old = self.eval(node.operand)
            new = self.binary("+" if op == "++" else "-", 0 if old is None else old, 1, node)
            self.assign(node.operand, new)
            return old if node.postfix else new
        v = self.eval(node.operand)
        if op in ("-not", "!"):
            return not conv.to_bool(v)
        if op == ",":
            return [v]
        if op == "-":
            return self.binary("*", _to_num(v), -1, node)
        if op == "+":
            return _to_num(v)
        if op == "-bnot":
            return ~int(conv.to_number(v))
        if op == "-join":
            return "".join(conv.to_string(x) for x in _unroll(v))
        if op in ("-split", "-isplit", "-csplit"):
            out: list[str] = []
            for x in _unroll(v):
                out.extend(s for s in re.split(r"\s+", conv.to_string(x).strip()) if s)
            return out
        raise self.record_at(node, f"Unsupported unary operator '{op}'.", error_id="NotSupported")

    def visit_BinaryOp(self, node: A.BinaryOp) -> Any:
        op = node.op
        if op == "-and":
            return conv.to_bool(self.eval(node.left)) and conv.to_bool(self.eval(node.right))
        if op == "-or":
            return conv.to_bool(self.eval(node.left)) or conv.to_bool(self.eval(node.right))
        left = self.eval(node.left)
        if op in ("-is", "-isnot", "-as"):
            tname = node.right.name if isinstance(node.right, A.TypeLiteral) else None
            if tname is None:
                rv = self.eval(node.right)
                tname = rv.name if isinstance(rv, TypeRef) else conv.to_string(rv)
            if op == "-as":
                try:
                    return self.cast(tname, left, node)
                except (conv.ConversionError, RuntimeLangError, ValueError, TypeError):
                    return None
            result = _is_type(left, tname)
            return result if op == "-is" else not result
        right = self.eval(node.right)
        return self.binary(op, left, right, node)

    def binary(self, op: str, left: Any, right: Any, node: A.Node) -> Any:
        if left is _VOID:
            left = None
        if right is _VOID:
            right = None
        if op == "+":
            return self._add(left, right, node)
        if op in ("-", "*", "/", "%"):
            return self._arith(op, left, right, node)
        if op == "-xor":
            return conv.to_bool(left) != conv.to_bool(right)
        if op == "-f":
            return conv.format_operator(left, right if isinstance(right, list) else [right])
        if op in ("-band", "-bor", "-bxor", "-shl", "-shr"):
            a, b = int(conv.to_number(left)), int(conv.to_number(right))
            return {"-band": a & b, "-bor": a | b, "-bxor": a ^ b, "-shl": a << b, "-shr": a >> b}[op]
        if op == "-join":
            sep = conv.to_string(right)
            return sep.join(conv.to_string(x) for x in _unroll(left))
        base = op[1:]
        cs = False
        if base[0] in "ci" and base[1:] in _CMP_BASES:
            cs = base[0] == "c"
            base = base[1:]
        if base == "replace":
            pat, rep = (right[0], right[1] if len(right) > 1 else "") if isinstance(right, list) else (right, "")
            if isinstance(rep, ScriptBlock):
                return self._replace_sb(left, pat, rep, cs)
            if isinstance(left, list):
                return [conv.ps_replace(conv.to_string(x), pat, rep, cs) for x in left]
            return conv.ps_replace(conv.to_string(left), pat, rep, cs)
        if base == "split":
            return self._split(left, right, cs)
        if base in ("contains", "notcontains"):
            r = conv.ps_contains(left, right, cs)
            return r if base == "contains" else not r
        if base in ("in", "notin"):
            r = conv.ps_contains(right, left, cs)
            return r if base == "in" else not r
        fn = _COMPARATORS.get(base)
        if fn is None:
            raise self.record_at(node, f"Unsupported operator '{op}'.", error_id="NotSupported")
        if isinstance(left, (list, tuple)):
            if base in ("match", "notmatch"):
                return [x for x in left if (conv.ps_match(conv.to_string(x), right, cs) is not None) == (base == "match")]
            return [x for x in left if fn(x, right, cs)]
        if base in ("match", "notmatch"):
            m = conv.ps_match(conv.to_string(left), right, cs)
            if m is not None:
                self.set_variable("Matches", conv.matches_table(m))
            return (m is not None) == (base == "match")
        return fn(left, right, cs)

    def _replace_sb(self, left: Any, pat: Any, sb: ScriptBlock, cs: bool) -> Any:
        rx = conv.compile_regex(conv.to_string(pat), cs)

        def one(s: str) -> str:
            def repl(m: re.Match[str]) -> str:
                mo = PSObject([("Value", m.group(0)), ("Index", m.start()), ("Length", len(m.group(0))),
                               ("Groups", [PSObject([("Value", g or "")]) for g in (m.group(0), *m.groups())])],
                              ("System.Text.RegularExpressions.Match",))
                out = self.invoke_script_block(sb, [], dollar_under=mo)
                return conv.to_string(out[0] if len(out) == 1 else out)
            return rx.sub(repl, s)
        if isinstance(left, list):
            return [one(conv.to_string(x)) for x in left]
        return one(conv.to_string(left))

    def _split(self, left: Any, right: Any, cs: bool) -> Any:
        limit = 0
        if isinstance(right, list):
            pat = right[0]
            if len(right) > 1:
                limit = int(conv.to_number(right[1]))
        else:
            pat = right
        out: list[str] = []
        for x in _unroll(left):
            s = conv.to_string(x)
            if isinstance(pat, ScriptBlock):
                cur = ""
                pieces = []
                for ch in s:
                    r = self.invoke_script_block(pat, [], dollar_under=ch)
                    if conv.to_bool(r[0] if len(r) == 1 else r):
                        pieces.append(cur)
                        cur = ""
                    else:
                        cur += ch
                pieces.append(cur)
                out.extend(pieces)
                continue
            rx = conv.compile_regex(conv.to_string(pat), cs)
            out.extend(rx.split(s, maxsplit=limit - 1 if limit > 0 else 0) if rx.groups == 0
                       else [p for p in rx.split(s, maxsplit=limit - 1 if limit > 0 else 0) if p is not None])
        return out

    def _add(self, left: Any, right: Any, node: A.Node) -> Any:
        if left is None:
            return right if not isinstance(right, list) else list(right)
        if isinstance(left, list):
            return left + (right if isinstance(right, list) else [right])
        if isinstance(left, PSHashtable):
            if not isinstance(right, PSHashtable):
                raise self.record_at(node, "A hash table can only be added to another hash table.",
                                     error_id="AddHashTableToNonHashTable")
            out = left.copy()
            for k, v in right.items():
                if k in out:
                    raise self.record_at(node, f"Item has already been added. Key in dictionary: '{k}'  Key being "
                                         f"added: '{k}'", error_id="DuplicateKey",
                                         exception_type="System.ArgumentException")
                out[k] = v
            return out
        if isinstance(left, str):
            return left + conv.to_string(right)
        if isinstance(left, datetime) and isinstance(right, timedelta):
            return left + right
        if isinstance(left, timedelta) and isinstance(right, timedelta):
            return left + right
        if isinstance(left, (int, float)):
            r = _num_operand(right, left, node, self)
            return _norm_int(left + r)
        raise self.record_at(node, f"Method invocation failed because [{conv.type_name_of(left)}] does not contain "
                             "a method named 'op_Addition'.", error_id="MethodNotFound")

    def _arith(self, op: str, left: Any, right: Any, node: A.Node) -> Any:
        if op == "*":
            if isinstance(left, str):
                return left * max(0, int(conv.to_number(right)))
            if isinstance(left, list):
                return left * max(0, int(conv.to_number(right)))
        if op == "-":
            if isinstance(left, datetime):
                if isinstance(right, datetime):
                    return left - right
                if isinstance(right, timedelta):
                    return left - right
            if isinstance(left, timedelta) and isinstance(right, timedelta):
                return left - right
        if isinstance(left, list) or isinstance(left, (PSHashtable, PSObject)):
            raise self.record_at(node, f"Method invocation failed because [{conv.type_name_of(left)}] does not "
                                 f"contain a method named '{_OP_METHOD[op]}'.", error_id="MethodNotFound")
        a = 0 if left is None else _to_num_checked(left, node, self)
        b = _num_operand(right, a, node, self) if right is not None else 0
        if op == "-":
            return _norm_int(a - b)
        if op == "*":
            return _norm_int(a * b)
        if b == 0:
            raise self.record_at(node, "Attempted to divide by zero.", error_id="RuntimeException",
                                 category="NotSpecified", exception_type="System.DivideByZeroException")
        if op == "/":
            if isinstance(a, int) and isinstance(b, int) and a % b == 0:
                return a // b
            return a / b
        # % follows the sign of the dividend, as in .NET
        if isinstance(a, int) and isinstance(b, int):
            return int(math.fmod(a, b))
        return math.fmod(a, b)

    def visit_Range(self, node: A.Range) -> Any:
        a = self.eval(node.start)
        b = self.eval(node.end)
        if isinstance(a, str) and isinstance(b, str) and len(a) == 1 and len(b) == 1 and not a.isdigit():
            start, stop = ord(a), ord(b)
            step = 1 if stop >= start else -1
            return [chr(c) for c in range(start, stop + step, step)]
        lo = int(_round_half_even(conv.to_number(a)))
        hi = int(_round_half_even(conv.to_number(b)))
        if abs(hi - lo) > 50_000_000:
            raise self.record_at(node, "The range is too large: the maximum is 50000000 items.",
                                 error_id="RangeTooLarge")
        step = 1 if hi >= lo else -1
        return list(range(lo, hi + step, step))

    def visit_Ternary(self, node: A.Ternary) -> Any:
        return self.eval(node.if_true) if conv.to_bool(self.eval(node.condition)) else self.eval(node.if_false)

    def visit_NullCoalesce(self, node: A.NullCoalesce) -> Any:
        left = self.eval(node.left)
        return self.eval(node.right) if left is None else left

    # ---------------------------------------------------------------------------------------- members
    def member_name(self, node: A.Expr) -> str:
        if isinstance(node, A.StringConstant):
            return node.value
        return conv.to_string(self.eval(node))

    def visit_Member(self, node: A.Member) -> Any:
        obj = self.eval(node.target)
        name = self.member_name(node.name)
        if node.static:
            if isinstance(obj, TypeRef):
                return self.static_member(obj.name, name, node)
            raise self.record_at(node, "Static member access requires a type.", error_id="NotAType")
        return self.get_member(obj, name)

    def get_member(self, obj: Any, name: str) -> Any:
        if obj is None:
            return 0 if name.casefold() in ("count", "length") else None
        if isinstance(obj, ErrorRecord):
            return _error_member(obj, name)
        if isinstance(obj, ScriptBlock):
            key = name.casefold()
            if key == "ast":
                return obj.node
            return None
        if isinstance(obj, list) and obj and any(isinstance(x, ErrorRecord) for x in obj) \
                and name.casefold() not in ("count", "length"):
            vals = [self.get_member(x, name) for x in obj]
            vals = [v for v in vals if v is not None]
            return vals[0] if len(vals) == 1 else vals or None
        return conv.get_member(obj, name)

    def visit_StaticMember(self, node: A.StaticMember) -> Any:
        return self.static_member(node.type_name, node.name, node)

    def visit_Index(self, node: A.Index) -> Any:
        obj = self.eval(node.target)
        idx = self.eval(node.index)
        return self.index(obj, idx, node)

    def index(self, obj: Any, idx: Any, node: A.Node) -> Any:
        if obj is None:
            raise self.record_at(node, "Cannot index into a null array.", error_id="NullArray")
        if isinstance(obj, (PSHashtable, dict)):
            if isinstance(idx, list):
                return [self.index(obj, i, node) for i in idx]
            if isinstance(obj, dict):
                if idx in obj:
                    return obj[idx]
                if isinstance(idx, str):
                    for k, v in obj.items():
                        if isinstance(k, str) and k.casefold() == idx.casefold():
                            return v
                return None
            return obj[idx]
        if isinstance(obj, PSObject):
            if isinstance(idx, str):
                return obj.get(idx)
            return obj if _to_int(idx) in (0, -1) else None
        if isinstance(obj, (list, tuple, str, bytes, bytearray)):
            if isinstance(idx, list):
                out = []
                for i in idx:
                    v = self.index(obj, i, node)
                    if v is not None:
                        out.append(v)
                return out
            try:
                i = _to_int(idx)
            except (conv.ConversionError, ValueError, TypeError):
                return None
            if -len(obj) <= i < len(obj):
                return obj[i]
            return None
        if isinstance(idx, list):
            return [self.index(obj, i, node) for i in idx]
        try:
            i = _to_int(idx)
        except (conv.ConversionError, ValueError, TypeError):
            return None
        return obj if i in (0, -1) else None

    def visit_MethodCall(self, node: A.MethodCall) -> Any:
        obj = self.eval(node.target)
        name = self.member_name(node.name)
        args = [self.eval(a) for a in node.args]
        if node.static:
            if isinstance(obj, TypeRef):
                return self.static_call(obj.name, name, args, node)
            raise self.record_at(node, "Static member access requires a type.", error_id="NotAType")
        return self.call_method(obj, name, args, node)

    def visit_StaticCall(self, node: A.StaticCall) -> Any:
        args = [self.eval(a) for a in node.args]
        return self.static_call(node.type_name, node.name, args, node)

    def call_method(self, obj: Any, name: str, args: list[Any], node: A.Node | None) -> Any:
        from azshell.lang import _methods

        key = name.casefold()
        if obj is None:
            raise self.record_at(node, "You cannot call a method on a null-valued expression.",
                                 error_id="InvokeMethodOnNull")
        try:
            return _methods.call(self, obj, key, name, args, node)
        except (RuntimeLangError, _Flow):
            raise
        except conv.ConversionError:
            raise
        except _methods.MethodMissing:
            raise self.record_at(node, f"Method invocation failed because [{conv.type_name_of(obj) or 'System.Object'}] "
                                 f"does not contain a method named '{name}'.", error_id="MethodNotFound") from None
        except (ValueError, IndexError, KeyError, TypeError, OverflowError, ZeroDivisionError, UnicodeError,
                AttributeError, re.error) as exc:
            n = len(args)
            detail = _methods.exception_text(exc)
            raise self.record_at(
                node, f'Exception calling "{name}" with "{n}" argument(s): "{detail}"',
                error_id=_methods.exception_id(exc), category="NotSpecified",
                exception_type="System.Management.Automation.MethodInvocationException", exception=exc) from None

    def static_member(self, type_name: str, name: str, node: A.Node) -> Any:
        from azshell.lang import _methods

        return _methods.static_member(self, _norm_type(type_name), type_name, name, node)

    def static_call(self, type_name: str, name: str, args: list[Any], node: A.Node) -> Any:
        from azshell.lang import _methods

        try:
            return _methods.static_call(self, _norm_type(type_name), type_name, name, args, node)
        except (RuntimeLangError, _Flow, conv.ConversionError):
            raise
        except (ValueError, IndexError, KeyError, TypeError, OverflowError, ZeroDivisionError, UnicodeError,
                binascii.Error, re.error) as exc:
            detail = _methods.exception_text(exc)
            raise self.record_at(
                node, f'Exception calling "{name}" with "{len(args)}" argument(s): "{detail}"',
                error_id=_methods.exception_id(exc), category="NotSpecified",
                exception_type="System.Management.Automation.MethodInvocationException", exception=exc) from None

    # ---------------------------------------------------------------------------------------- unsupported
    def visit_Attribute(self, node: A.Attribute) -> Any:
        raise self.record_at(node, "Unexpected attribute.", error_id="UnexpectedAttribute")


_CMP_BASES = frozenset({"eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch", "contains",
                        "notcontains", "in", "notin", "replace", "split"})


def _safe_compare(a: Any, b: Any, cs: bool) -> int:
    return conv.ps_compare(a, b, cs)


_COMPARATORS: dict[str, Callable[[Any, Any, bool], bool]] = {
    "eq": lambda a, b, cs: conv.ps_equals(a, b, cs),
    "ne": lambda a, b, cs: not conv.ps_equals(a, b, cs),
    "gt": lambda a, b, cs: _safe_compare(a, b, cs) > 0,
    "ge": lambda a, b, cs: _safe_compare(a, b, cs) >= 0,
    "lt": lambda a, b, cs: _safe_compare(a, b, cs) < 0,
    "le": lambda a, b, cs: _safe_compare(a, b, cs) <= 0,
    "like": lambda a, b, cs: conv.ps_like(conv.to_string(a), b, cs),
    "notlike": lambda a, b, cs: not conv.ps_like(conv.to_string(a), b, cs),
    "match": lambda a, b, cs: conv.ps_match(conv.to_string(a), b, cs) is not None,
    "notmatch": lambda a, b, cs: conv.ps_match(conv.to_string(a), b, cs) is None,
}

_OP_METHOD = {"-": "op_Subtraction", "*": "op_Multiply", "/": "op_Division", "%": "op_Modulus"}

_STATIC_TYPES = frozenset({
    "uri", "guid", "datetime", "convert", "text.encoding", "math", "int", "int32", "int64", "long", "double",
    "string", "environment", "io.path", "regex", "text.regularexpressions.regex", "timespan", "datetimeoffset",
    "web.httputility", "net.webutility", "char", "bool", "boolean", "collections.arraylist",
    "collections.generic.list", "collections.hashtable", "hashtable", "io.file", "io.directory",
    "bitconverter", "security.cryptography.randomnumbergenerator", "management.automation.pscredential",
    "pscredential", "decimal", "byte", "array", "object", "psobject", "pscustomobject", "single", "float",
    "net.http.httpmethod", "uint32", "uint64", "int16",
})


def _to_num(v: Any) -> int | float:
    if v is None:
        return 0
    n = conv.to_number(v)
    return n


def _to_num_checked(v: Any, node: A.Node, ev: Evaluator) -> int | float:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return v
    return conv.to_number(v)


def _num_operand(right: Any, left: Any, node: A.Node, ev: Evaluator) -> int | float:
    if right is None:
        return 0
    if isinstance(right, bool):
        return int(right)
    if isinstance(right, (int, float)):
        return right
    if isinstance(right, list):
        raise ev.record_at(node, f'Cannot convert the "System.Object[]" value of type "System.Object[]" to type '
                           f'"{conv.type_name_of(left)}".', error_id="ConvertToFinalInvalidCastException",
                           category="InvalidArgument",
                           exception_type="System.Management.Automation.PSInvalidCastException")
    return conv.to_number(right)


def _norm_int(v: Any) -> Any:
    if isinstance(v, int) and not isinstance(v, bool) and not (-(2**63) <= v < 2**63):
        return float(v)
    return v


def _round_half_even(v: int | float) -> int:
    return int(round(v))


def _to_int(v: Any) -> int:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    return int(_round_half_even(conv.to_number(v)))


def _is_type(v: Any, type_name: str) -> bool:
    t = _norm_type(type_name)
    if t == "scriptblock" or t == "management.automation.scriptblock":
        return isinstance(v, ScriptBlock)
    if t in ("management.automation.errorrecord", "errorrecord"):
        return isinstance(v, ErrorRecord)
    if t in ("securestring", "security.securestring"):
        return isinstance(v, SecureString)
    if t in ("pscredential", "management.automation.pscredential"):
        return isinstance(v, PSCredential)
    if t in ("type", "runtimetype"):
        return isinstance(v, TypeRef)
    return bool(conv.is_instance_of(v, type_name))


class _ExceptionInfo:
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


def _error_member(rec: ErrorRecord, name: str) -> Any:
    key = name.casefold()
    if key == "exception":
        return _ExceptionInfo(rec)
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
        from azshell.lang.errors import position_lines

        return PSObject([
            ("MyCommand", rec.command_name or None),
            ("ScriptLineNumber", rec.span.line if rec.span else 0),
            ("OffsetInLine", rec.span.col if rec.span else 0),
            ("Line", line), ("PositionMessage", "\n".join(position_lines(rec.script, rec.span))),
            ("InvocationName", rec.command_name),
        ], ("System.Management.Automation.InvocationInfo",))
    if key == "scriptstacktrace":
        return f"at <ScriptBlock>, <No file>: line {rec.span.line if rec.span else 1}"
    if key == "pstypenames":
        return ["System.Management.Automation.ErrorRecord", "System.Object"]
    return None


# keep names importable for typing users
__all__ = [
    "BreakSignal", "ContinueSignal", "Evaluator", "ExitSignal", "FunctionInfo", "InvocationContext", "ReturnSignal",
    "Scope", "ScriptBlock", "ScriptTerminatingError", "TypeRef", "UTC",
]


class _ExpressionStage(Stage):
    def __init__(self, ev: Evaluator, expr: A.Expr, out: Emit, err: ErrEmit) -> None:
        self.ev = ev
        self.expr = expr
        self.out = out
        self.err = err

    def process(self, item: Any, has_input: bool) -> None:
        with self.ev.redirect(self.out, self.err):
            self.ev._emit_expression(self.expr)
