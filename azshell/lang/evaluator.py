"""Tree-walking evaluator: ``visit_<Node>`` dispatch over :mod:`azshell.lang.ast`.

Output is push-based: every statement writes objects to ``self.out`` (a callable). A pipeline is a chain of
stages; each stage's ``process`` runs once per input object and pushes its output straight into the next
stage, so objects stream one by one through ``begin``/``process``/``end`` and reach the host immediately.
Errors go to ``self.err`` (the error stream); terminating errors are :class:`RuntimeLangError`.

:class:`Evaluator` is put together from one part per job:

- :mod:`~azshell.lang.state` -- :class:`EvaluatorState`, the base: scopes, variables, streams, error reporting;
- :mod:`~azshell.lang.pipeline` -- pipelines, commands, parameter binding, redirection, script block calls;
- :mod:`~azshell.lang.operators` -- unary and binary operators;
- :mod:`~azshell.lang.statements` -- loops, ``switch``, ``try``/``catch``, ``throw`` and the jump statements;
- this module -- the visitor core: dispatch, statement execution, expressions, assignment, members.

The runtime values (script blocks, type literals, scopes, the control-flow signals) are in
:mod:`~azshell.lang.runtime`; they stay importable from here.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable, MutableMapping
from datetime import UTC, datetime
from typing import Any

from azshell.lang import ast as A
from azshell.lang import conversions as conv
from azshell.lang.cmdlet import CommandRegistry, FileSystem
from azshell.lang.errors import (
    RUNTIME_EXCEPTION,
    ErrorRecord,
    ParseError,
    RuntimeLangError,
)
from azshell.lang.numbers import Char, literal_number
from azshell.lang.operators import OperatorsMixin
from azshell.lang.pipeline import CmdletStage, InvocationContext, PipelineMixin, ScriptStage, Stage
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
    TypeRef,
    error_member,
    norm_type,
    unwrap,
)
from azshell.lang.state import Emit, ErrEmit, EvaluatorState, StreamEmit
from azshell.lang.statements import StatementsMixin
from azshell.lang.values import PSHashtable, PSObject, SecureString


class Evaluator(StatementsMixin, OperatorsMixin, PipelineMixin):
    """The visitor core: ``eval`` dispatches on the node type to ``visit_<Node>``; statements run here, as do
    expressions, assignment and member access. The other visitors live in the mixins."""

    def __init__(self, registry: CommandRegistry, *, services: Any = None, fs: FileSystem | None = None,
                 env: MutableMapping[str, str] | None = None, clock: Callable[[], datetime] | None = None) -> None:
        super().__init__(registry, services=services, fs=fs, env=env, clock=clock)
        # node type -> its visit_ function, filled as node types are first met (per evaluator: a subclass
        # may override a visitor)
        self._dispatch: dict[type, Callable[[Evaluator, Any], Any]] = {}

    # ---------------------------------------------------------------------------------------- dispatch
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
        if block.traps:
            self.exec_trapped(block)
            return
        for stmt in block.statements:
            self.exec_statement(stmt)

    def exec_statement(self, stmt: A.Statement) -> None:
        self.check_interrupt()
        self.eval_reporting(stmt)

    def statement_value(self, stmt: A.Statement) -> Any:
        """The value of a statement used as an expression (``$x = <stmt>``)."""
        if isinstance(stmt, A.Pipeline) and len(stmt.elements) == 1:
            el = stmt.elements[0]
            if isinstance(el, A.CommandExpression) and not el.redirections:
                v = self.eval(el.expression)
                return None if v is VOID else v
        if isinstance(stmt, A.Assignment):
            self.eval(stmt)
            return None
        return unwrap(self.capture(lambda: self.eval(stmt)))

    def visit_Script(self, node: A.Script) -> None:
        self.run_script_block(node.block)

    def run_script_block(self, block: A.ScriptBlock) -> None:
        for body in (block.begin, block.process, block.end):
            if body is not None:
                self.exec_block(body)

    def visit_StatementBlock(self, node: A.StatementBlock) -> None:
        self.exec_block(node)

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

    # ---------------------------------------------------------------------------------------- expressions
    def visit_Number(self, node: A.Number) -> Any:
        if node.text:
            return literal_number(node.value, node.text)
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
            out.append(None if v is VOID else v)
        return out

    def visit_ArrayExpression(self, node: A.ArrayExpression) -> Any:
        if len(node.body.statements) == 1:
            st = node.body.statements[0]
            if isinstance(st, A.Pipeline) and len(st.elements) == 1 and isinstance(st.elements[0], A.CommandExpression) \
                    and not st.elements[0].redirections:
                v = self.eval(st.elements[0].expression)
                if v is VOID:
                    return []
                if isinstance(v, list):
                    return list(v)
                return [v] if not (v is None and isinstance(st.elements[0].expression, A.MethodCall)) else []
        return self.capture(lambda: self.exec_block(node.body))

    def visit_SubExpression(self, node: A.SubExpression) -> Any:
        return unwrap(self.capture(lambda: self.exec_block(node.body)))

    def visit_Paren(self, node: A.Paren) -> Any:
        stmt = node.pipeline
        if isinstance(stmt, A.Assignment):
            self.eval(stmt)
            target = stmt.targets[0]
            if isinstance(target, A.Convert):
                target = target.operand
            return self.eval(target)
        v = self.statement_value(stmt)
        return None if v is VOID else v

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
        if not conv.is_known_type(node.name) and norm_type(node.name) not in _STATIC_TYPES:
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
            return VOID
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
            return error_member(obj, name)
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
            return obj if conv.to_index(idx) in (0, -1) else None
        if isinstance(obj, (list, tuple, str, bytes, bytearray)):
            if isinstance(idx, list):
                out = []
                for i in idx:
                    v = self.index(obj, i, node)
                    if v is not None:
                        out.append(v)
                return out
            try:
                i = conv.to_index(idx)
            except (conv.ConversionError, ValueError, TypeError):
                return None
            if -len(obj) <= i < len(obj):
                return Char(obj[i]) if isinstance(obj, str) else obj[i]  # "abc"[0] is a [char]
            return None
        if isinstance(idx, list):
            return [self.index(obj, i, node) for i in idx]
        try:
            i = conv.to_index(idx)
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
        except (RuntimeLangError, Flow):
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

        return _methods.static_member(self, norm_type(type_name), type_name, name, node)

    def static_call(self, type_name: str, name: str, args: list[Any], node: A.Node) -> Any:
        from azshell.lang import _methods

        try:
            return _methods.static_call(self, norm_type(type_name), type_name, name, args, node)
        except (RuntimeLangError, Flow, conv.ConversionError):
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


_STATIC_TYPES = frozenset({
    "uri", "guid", "datetime", "convert", "text.encoding", "math", "int", "int32", "int64", "long", "double",
    "string", "environment", "io.path", "regex", "text.regularexpressions.regex", "timespan", "datetimeoffset",
    "web.httputility", "net.webutility", "char", "bool", "boolean", "collections.arraylist",
    "collections.generic.list", "collections.hashtable", "hashtable", "io.file", "io.directory",
    "bitconverter", "security.cryptography.randomnumbergenerator", "management.automation.pscredential",
    "pscredential", "decimal", "byte", "array", "object", "psobject", "pscustomobject", "single", "float",
    "net.http.httpmethod", "uint32", "uint64", "int16",
})


# the public names this module defined before the runtime values, the state and the pipeline moved out
__all__ = [
    "UTC", "BreakSignal", "CmdletStage", "ContinueSignal", "Emit", "ErrEmit", "Evaluator", "EvaluatorState",
    "ExitSignal", "Flow", "FunctionInfo", "InvocationContext", "ReturnSignal", "Scope", "ScriptBlock", "ScriptStage",
    "ScriptTerminatingError", "Stage", "StreamEmit", "TypeRef",
]
