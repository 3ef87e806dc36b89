"""Commands and pipelines: argument binding, the streaming stages, redirection, script block invocation.

A pipeline is a chain of :class:`Stage` s; each stage's ``process`` runs once per input object and pushes
its output straight into the next stage, so objects stream one by one through ``begin``/``process``/``end``
and reach the host immediately. A cmdlet runs in a :class:`CmdletStage` and sees an
:class:`InvocationContext`; a function, filter or script block runs in a :class:`ScriptStage`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from azshell.lang import ast as A
from azshell.lang import conversions as conv
from azshell.lang.binder import ArgItem, Binder, BindingError, dotnet_type_name
from azshell.lang.cmdlet import Cmdlet, CmdletError, FileSystem, Param
from azshell.lang.errors import (
    ErrorRecord,
    LangError,
    ParseError,
    PipelineStoppedError,
    RuntimeLangError,
    Span,
    runtime_error,
)
from azshell.lang.runtime import (
    VOID,
    BreakSignal,
    ContinueSignal,
    ExitSignal,
    Flow,
    FunctionInfo,
    ReturnSignal,
    Scope,
    ScriptBlock,
    ScriptTerminatingError,
    StopUpstreamCommands,
    unroll,
    unwrap,
)
from azshell.lang.state import Emit, ErrEmit, EvaluatorState, discard
from azshell.lang.values import PSHashtable, PSObject


# ------------------------------------------------------------------------------------------- invocation context
class InvocationContext:
    """What one running command sees (:class:`~azshell.lang.cmdlet.CommandContext`)."""

    def __init__(self, ev: PipelineMixin, name: str, span: Span | None, downstream: Emit, err: ErrEmit,
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

    def write_progress(self, record: Any) -> None:
        """Hand a progress record to the host (``Engine.progress``) unless -ProgressAction/$ProgressPreference
        hide it; never to the pipeline."""
        from azshell.lang.progress import hidden_by

        show = self.ev.progress
        if show is None or hidden_by(self.common.get("ProgressAction") or self.ev.get_variable("ProgressPreference")):
            return
        try:
            show(record)
        except Exception:  # a host that cannot draw must not fail the command
            pass

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

    def random_data(self, n: int) -> bytes:
        return self.ev.random_data(n)

    def new_guid(self) -> str:
        return self.ev.new_guid()

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

        return format_objects(objects, view=view, properties=properties, views=self.ev.registry.views)

    def finish(self) -> None:
        if self.out_variable is not None:
            self._store(self.common["OutVariable"], self.out_variable)
        if self.error_variable is not None:
            self._store(self.common["ErrorVariable"], self.error_variable)

    def _store(self, name: str, values: list[Any]) -> None:
        store_stream_variable(self.ev, name, values)


def store_stream_variable(ev: Any, spec: Any, values: list[Any]) -> None:
    """Store -OutVariable/-ErrorVariable values: ``name``, ``+name`` appends, ``scope:name`` (``script:a``)."""
    name = conv.to_string(spec)
    append = name.startswith("+")
    if append:
        name = name[1:]
    scope = ""
    if ":" in name:
        scope, name = name.split(":", 1)
    if append:
        prior = ev.get_variable(name, scope)
        base = list(prior) if isinstance(prior, list) else ([] if prior is None else [prior])
        values = base + values
    ev.set_variable(name, list(values), scope)


# ------------------------------------------------------------------------------------------- pipeline stages
class Stage:
    expects_input = False

    def begin(self) -> None:
        pass

    def process(self, item: Any, has_input: bool) -> None:
        pass

    def end(self) -> None:
        pass

    def clean(self) -> None:
        """Runs once after the pipeline, however it ended (a script's ``clean { }`` block)."""


class CmdletStage(Stage):
    def __init__(self, ev: PipelineMixin, cls: type[Cmdlet], name: str, items: list[ArgItem], node: A.Command,
                 out: Emit, err: ErrEmit, has_input: bool) -> None:
        self.ev = ev
        self.cls = cls
        self.node = node
        self.has_input = has_input
        self.binder = Binder(cls.name, tuple(cls.params), default_set=cls.default_parameter_set,
                             should_process=cls.supports_should_process, dynamic=cls.dynamic_parameters)
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
        inst.dynamic_params = dict(self.binder.dynamic or {})
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

    def __init__(self, ev: PipelineMixin, name: str, block: A.ScriptBlock, parameters: tuple[A.ParameterDecl, ...],
                 items: list[ArgItem], node: A.Node | None, out: Emit, err: ErrEmit, *, dot_source: bool = False,
                 is_filter: bool = False, has_input: bool = False, path: str | None = None) -> None:
        """``node`` is the command that invoked it (None: the host did, so errors show no position); ``path``
        the script file's full path (``$PSCommandPath``, ``$PSScriptRoot``, ``$MyInvocation.MyCommand.Path``)."""
        self.ev = ev
        self.name = name
        self.path = path
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
        # -OutVariable / -ErrorVariable of an advanced function: what it writes, kept for the caller
        self.out_variable: list[Any] | None = None
        self.error_variable: list[Any] | None = None
        if self.common.get("OutVariable"):
            self.out_variable = collected_out = []
            inner_out = self.out

            def tee_out(value: Any) -> None:
                collected_out.append(value)
                inner_out(value)
            self.out = tee_out
        if self.common.get("ErrorVariable"):
            self.error_variable = collected_err = []
            inner_err = self.err

            def tee_err(rec: ErrorRecord) -> None:
                collected_err.append(rec)
                inner_err(rec)
            self.err = tee_err

    def _store_variables(self) -> None:
        if self.out_variable is not None:
            store_stream_variable(self.ev, self.common["OutVariable"], self.out_variable)
        if self.error_variable is not None:
            store_stream_variable(self.ev, self.common["ErrorVariable"], self.error_variable)

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
        # what no name claimed, in order: (is a positional value, value); unknown names go to $args as text
        rest: list[tuple[bool, Any]] = []
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
                    rest.append((False, it.text or "-" + it.name))
                    if it.colon and it.value is not None:
                        rest.append((False, it.value))
            else:
                rest.append((True, it.value))
            i += 1
        # positional values fill the unbound parameters in declaration order (a switch is never positional)
        free = iter([n for n in names if n not in bound and types[n].casefold() != "switch"])
        args: list[Any] = []
        for is_value, value in rest:
            name = next(free, None) if is_value else None
            if name is None:
                args.append(value)
            else:
                bound[name] = value
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
                    value = ev.eval(d.default)
                    if d.type_name and d.type_name.casefold() not in ("switch", "object"):
                        try:  # the parameter's type constrains its default too ([int]$N = '2' is 2)
                            value = conv.convert_to(d.type_name, value)
                        except conv.ConversionError:
                            pass
                    self.scope.set(d.name, value)
                elif (d.type_name or "").casefold() == "switch":
                    self.scope.set(d.name, False)
                else:
                    self.scope.set(d.name, None)
            if not self.dot_source:
                self.scope.set("args", list(self.args))
                self.scope.set("PSBoundParameters", bound_table)
                self.scope.set("PSCmdlet", self._ps_cmdlet())
                command: list[tuple[str, Any]] = [("Name", self.name)]
                if self.path is not None:
                    command += [("Path", self.path), ("Definition", self.path)]
                    self.scope.set("PSCommandPath", self.path)
                    self.scope.set("PSScriptRoot", _parent_dir(self.path))
                self.scope.set("MyInvocation", self._invocation_info(command, bound_table))
            else:
                self._prior_invocation = self.scope.vars.get("myinvocation")
                self.scope.set("MyInvocation", self._invocation_info([("Name", self.name)], bound_table))
            if self.common.get("Verbose"):
                self.scope.set("VerbosePreference", "Continue")
            if self.common.get("ErrorAction"):
                self.scope.set("ErrorActionPreference", self.common["ErrorAction"])
            if self.block.begin is not None:
                self.scope.set("input", [])  # nothing has arrived yet
                self._run(self.block.begin)
        finally:
            ev.scope = prev

    def _run(self, body: A.StatementBlock) -> None:
        ev = self.ev
        prior_text = ev.script_text
        if self.path is not None:
            ev.script_text = self.block.text  # spans inside a script file are offsets into its own text
        with ev.redirect(self.out, self.err):
            try:
                ev.exec_block(body)
            except ReturnSignal:
                pass
            except RuntimeLangError as exc:
                if self.path is not None and not exc.record.script_name and exc.record.script is self.block.text:
                    exc.record.script_name = self.path  # "At FILE:N char:M", ScriptStackTrace names the file
                # a terminating error ends the function; -ErrorVariable keeps it too
                if self.error_variable is not None and not isinstance(exc, PipelineStoppedError):
                    self.error_variable.append(exc.record)
                self._store_variables()
                raise
            finally:
                ev.script_text = prior_text

    def clean(self) -> None:
        """``clean { }``: once, after end (or after the pipeline stopped or failed); its output is dropped, its
        errors are written but end nothing, and ``exit``/``return`` in it end only it."""
        block = self.block.clean
        if block is None or getattr(self, "_cleaned", False):
            return
        self._cleaned = True
        ev = self.ev
        prev = self._enter()
        try:
            with ev.redirect(discard, self.err):
                try:
                    ev.exec_block(block)
                except (ReturnSignal, ExitSignal, BreakSignal, ContinueSignal):
                    pass
                except RuntimeLangError as exc:
                    if isinstance(exc, PipelineStoppedError):
                        return
                    ev.errors.insert(0, exc.record)
                    self.err(exc.record)
        finally:
            ev.scope = prev

    def _invocation_info(self, command: list[tuple[str, Any]], bound: PSHashtable) -> PSObject:
        """``$MyInvocation``: the command, its arguments, and where it was called from (Line, Statement,
        ScriptLineNumber, OffsetInLine, ScriptName)."""
        text = self.ev.script_text
        line = statement = ""
        line_no = offset = 0
        if self.node is not None and self.node.span.end_offset <= len(text):
            span = self.node.span
            start = text.rfind("\n", 0, span.offset) + 1
            end = text.find("\n", span.offset)
            line = text[start:end if end >= 0 else len(text)]
            statement = text[span.offset:span.end_offset]
            line_no, offset = span.line, span.col
        return PSObject([("MyCommand", PSObject(command)), ("BoundParameters", bound),
                         ("InvocationName", self.name), ("Line", line), ("Statement", statement),
                         ("ScriptLineNumber", line_no), ("OffsetInLine", offset),
                         ("ScriptName", self.path or self.ev.script_name)],
                        ("System.Management.Automation.InvocationInfo",))

    def _ps_cmdlet(self) -> PSObject:
        """``$PSCmdlet`` of an advanced function: ParameterSetName and the Write*/ShouldProcess methods."""
        ev = self.ev
        obj = PSObject([("ParameterSetName", self.pset or "__AllParameterSets")],
                       ("System.Management.Automation.PSScriptCmdlet",))

        def write_object(value: Any, enumerate_collection: Any = False) -> None:
            if conv.to_bool(enumerate_collection) and isinstance(value, (list, tuple)):
                for v in value:
                    ev.out(v)
            else:
                ev.out(value)

        def write_error(record: Any) -> None:
            rec = record if isinstance(record, ErrorRecord) else ErrorRecord(message=conv.to_string(record))
            action = self.common.get("ErrorAction")
            ev.report_error(rec, conv.to_string(action) if action else None, ev.err)

        def throw_terminating(record: Any) -> None:
            rec = record if isinstance(record, ErrorRecord) else ErrorRecord(message=conv.to_string(record))
            raise ScriptTerminatingError(rec)

        def write_stream(stream: str) -> Callable[[Any], None]:
            def write(message: Any) -> None:
                text = conv.to_string(message)
                if stream == "verbose":
                    pref = conv.to_string(ev.get_variable("VerbosePreference") or "SilentlyContinue")
                    if self.common.get("Verbose") or pref.casefold() == "continue":
                        ev.stream("verbose", text)
                elif stream == "warning":
                    pref = conv.to_string(self.common.get("WarningAction") or ev.get_variable("WarningPreference")
                                          or "Continue")
                    if pref.casefold() not in ("silentlycontinue", "ignore"):
                        ev.stream("warning", text)
                elif stream == "debug":
                    ev.write_debug(text, switch=bool(self.common.get("Debug")))
                else:
                    ev.stream("information", message)
            return write

        def should_process(target: Any = None, action: Any = None, *_: Any) -> bool:
            if self.common.get("WhatIf"):
                verb = conv.to_string(action) if action is not None else self.name
                ev.stream("host", f'What if: Performing the operation "{verb}" on target '
                                  f'"{conv.to_string(target)}".')
                return False
            return True

        obj.methods.update({
            "writeobject": write_object, "writeerror": write_error, "throwterminatingerror": throw_terminating,
            "writeverbose": write_stream("verbose"), "writewarning": write_stream("warning"),
            "writedebug": write_stream("debug"), "writeinformation": write_stream("information"),
            "shouldprocess": should_process, "shouldcontinue": lambda *a: True,
        })
        return obj

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
            self.scope.set("input", [item] if has_input else [])
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
            if self.dot_source:  # a dot-sourced block leaves the caller's $MyInvocation as it was
                prior = getattr(self, "_prior_invocation", None)
                if prior is None:
                    self.scope.vars.pop("myinvocation", None)
                else:
                    self.scope.vars["myinvocation"] = prior
        self._store_variables()


class _ExpressionStage(Stage):
    """An expression element of a pipeline (the ``1..3`` of ``1..3 | Write-Output``)."""

    def __init__(self, ev: PipelineMixin, expr: A.Expr, out: Emit, err: ErrEmit) -> None:
        self.ev = ev
        self.expr = expr
        self.out = out
        self.err = err

    def process(self, item: Any, has_input: bool) -> None:
        with self.ev.redirect(self.out, self.err):
            self.ev._emit_expression(self.expr)


# ------------------------------------------------------------------------------------------- redirection
class _Redirected:
    """Output/error routing of one pipeline element with redirections."""

    def __init__(self, ev: PipelineMixin, redirs: tuple[A.Redirection, ...], out: Emit, err: ErrEmit) -> None:
        self.ev = ev
        self.out = out
        self.err = err
        self.files: list[tuple[str, bool, list[Any], A.Redirection]] = []
        for r in redirs:
            target = None if r.target is None else ev.eval(r.target)
            path = None if target is None else conv.to_string(target)
            if r.merge_to is not None:
                if r.stream in ("2", "*") and r.merge_to == "1":
                    self.err = self._err_to_out
                continue
            if r.target is not None and isinstance(r.target, A.Variable) and r.target.name.casefold() == "null":
                sink: Callable[[Any], None] = discard
                if r.stream in ("1", "*"):
                    self.out = sink
                if r.stream in ("2", "*"):
                    self.err = self._err_dropped
                continue
            if path is None:
                continue
            buf: list[Any] = []
            self.files.append((path, r.append, buf, r))
            if r.stream in ("1", "*"):
                self.out = buf.append
            if r.stream in ("2", "*"):
                self.err = buf.append

    def _err_to_out(self, rec: ErrorRecord) -> None:
        self.out(rec)

    def _err_dropped(self, rec: ErrorRecord) -> None:
        pass

    def flush(self) -> None:
        for path, append, buf, node in self.files:
            text = ""
            if buf:
                from azshell.lang.formatting import format_objects

                text = format_objects([r.render() if isinstance(r, ErrorRecord) else r for r in buf],
                                      views=self.ev.registry.views)
                if not text.endswith("\n"):
                    text += "\n"
            self._write(path, text, append, node)

    def _write(self, path: str, text: str, append: bool, node: A.Redirection) -> None:
        """Write one redirection's file; what the file system refuses fails as Out-File's error (PowerShell
        redirects through Out-File)."""
        command = "Microsoft.PowerShell.Commands.OutFileCommand"
        if not path.strip():
            raise self.ev.record_at(node, "Cannot bind argument to parameter 'FilePath' because it is an empty string.",
                                    error_id=f"ParameterArgumentValidationErrorEmptyStringNotAllowed,{command}",
                                    category="InvalidData", command_name="Out-File")
        try:
            self.ev.fs.write_text(path, text, append=append)
        except IsADirectoryError:
            full = self._resolved(path)
            raise self.ev.record_at(node, f"Access to the path '{full}' is denied.", category="PermissionDenied",
                                    error_id=f"UnauthorizedAccessError,{command}", target=path,
                                    command_name="Out-File") from None
        except OSError:
            full = self._resolved(path)
            raise self.ev.record_at(node, f"Could not find a part of the path '{full}'.", category="ObjectNotFound",
                                    error_id=f"GetContentWriterDirectoryNotFoundError,{command}", target=path,
                                    command_name="Out-File") from None

    def _resolved(self, path: str) -> str:
        resolve = getattr(self.ev.fs, "resolve", None)
        return str(resolve(path)) if callable(resolve) else path


def _parent_dir(path: str) -> str:
    """``$PSScriptRoot`` of a script at ``path`` (either separator: host disks use Windows paths)."""
    cut = max(path.rfind("/"), path.rfind("\\"))
    if cut < 0:
        return ""
    return path[:cut] if cut > 0 and path[cut - 1] != ":" else path[:cut + 1]


# ------------------------------------------------------------------------------------------- the mixin
class PipelineMixin(EvaluatorState):
    """Pipelines, commands (cmdlets, functions, script files) and script block invocation."""

    def visit_PipelineChain(self, node: A.PipelineChain) -> None:
        self.run_pipeline_statement(node.first)
        for op, stmt in node.rest:
            if (op == "&&") == self.last_success:
                self.run_pipeline_statement(stmt)

    def eval_reporting(self, stmt: A.Statement) -> bool:
        """Run ``stmt``; a statement-terminating error is recorded in ``$Error`` and written to the error stream
        (False), unless a ``try`` is there to catch it. Script-terminating errors propagate."""
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
            return False
        return True

    def run_pipeline_statement(self, stmt: A.Statement) -> None:
        before = self.error_count
        if self.eval_reporting(stmt) and self.error_count != before:
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
        if value is VOID:
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
        # what a stage's begin block writes waits for the next stage's begin (begin blocks run first to last)
        started = [False] * n
        pending: list[list[Any]] = [[] for _ in range(n)]
        # build from the last stage so each knows its downstream
        for i in range(n - 1, -1, -1):
            el = elements[i]
            target = out if i == n - 1 else self._feeder(stages, i + 1, started, pending)
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
        try:
            ends_from = 0
            try:
                for i, st in enumerate(stages):
                    st.begin()
                    started[i] = True
                    waiting, pending[i] = pending[i], []
                    for item in waiting:
                        st.process(item, True)
                first = stages[0]
                if input_items is not None:
                    for item in input_items:
                        self.check_interrupt()
                        first.process(item, True)
                else:
                    first.process(None, False)
            except StopUpstreamCommands as stop:
                found = next((i for i, st in enumerate(stages) if getattr(st, "instance", None) is stop.source), None)
                if found is None:
                    raise
                ends_from = found
            for st in stages[ends_from:]:
                st.end()
        finally:
            for i, st in enumerate(stages):
                if started[i]:
                    st.clean()
        for red in redirected:
            if red is not None:
                red.flush()

    def _feeder(self, stages: list[Stage], index: int, started: list[bool], pending: list[list[Any]]) -> Emit:
        def feed(item: Any) -> None:
            self.check_interrupt()
            if not started[index]:
                pending[index].append(item)
                return
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
        except Flow:
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
                if value is VOID:
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
            resolve = getattr(self.fs, "resolve", None)
            path = str(resolve(name)) if callable(resolve) else name
            return ScriptStage(self, name, script, (), items, node, out, err, dot_source=dot, has_input=has_input,
                               path=path)
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
            block = parse(text).block
            # the file's whole text (comments included): error positions inside it quote it
            return A.ScriptBlock(block.span, block.param_block, block.begin, block.process, block.end, text,
                                 block.clean)
        except ParseError as exc:
            raise RuntimeLangError(exc.to_record()) from None

    def run_script(self, block: A.ScriptBlock, items: list[ArgItem], *, path: str | None = None) -> None:
        """Run a whole script as the host does: a script file (``path``) in its own scope with ``items`` bound to
        its ``param()`` block and ``$args`` by the binder every function uses; script text (no ``path``) in the
        current scope, as typed, its ``param()`` defaults applied."""
        if path is None:
            name = "<ScriptBlock>"
        else:
            cut = max(path.rfind("/"), path.rfind("\\"))
            name = path[cut + 1:]
        stage = ScriptStage(self, name, block, (), items, None, self.out, self.err, dot_source=path is None,
                            path=path)
        stage.begin()
        stage.process(None, False)
        stage.end()

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

    def bind_or_raise(self, binder: Binder, items: list[ArgItem], name: str, node: A.Node | None) -> None:
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
        messages: list[tuple[str, str]] = []
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
                kw["aliases"] = tuple(conv.to_string(x) for v in attr.positional for x in unroll(self.eval(v)))
            elif an == "validateset":
                kw["validate_set"] = tuple(conv.to_string(x) for v in attr.positional for x in unroll(self.eval(v)))
                messages.extend(("set", conv.to_string(self.eval(v))) for k, v in attr.named
                                if k.casefold() == "errormessage" and v is not None)
            elif an == "validatepattern" and attr.positional:
                kw["validate_pattern"] = conv.to_string(self.eval(attr.positional[0]))
                messages.extend(("pattern", conv.to_string(self.eval(v))) for k, v in attr.named
                                if k.casefold() == "errormessage" and v is not None)
            elif an == "validatescript" and attr.positional:
                block = self.eval(attr.positional[0])
                if isinstance(block, ScriptBlock):
                    kw["validate_script"] = (block.text.strip(), self._validation_check(block))
                messages.extend(("script", conv.to_string(self.eval(v))) for k, v in attr.named
                                if k.casefold() == "errormessage" and v is not None)
            elif an in ("validatelength", "validatecount") and len(attr.positional) == 2:
                lo, hi = (int(conv.to_number(self.eval(v))) for v in attr.positional)
                kw["validate_length" if an == "validatelength" else "validate_count"] = (lo, hi)
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
        if messages:
            kw["validate_messages"] = tuple(messages)
        return Param(d.name, type_name, mandatory=mandatory, position=position, parameter_sets=tuple(sets),
                     value_from_pipeline=vfp, value_from_pipeline_by_property_name=vfpbn,
                     value_from_remaining_arguments=vfra, **kw)

    def _validation_check(self, block: ScriptBlock) -> Callable[[Any], bool]:
        """A [ValidateScript()] block as a test of one value (``$_`` the value; an error counts as False)."""
        def check(value: Any) -> bool:
            try:
                return conv.to_bool(unwrap(self.invoke_script_block(block, [], dollar_under=value)))
            except RuntimeLangError:
                return False
        return check

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
