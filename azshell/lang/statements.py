"""Statements: ``if``, the loops, ``switch``, ``try``/``catch``/``finally``, ``throw``, ``break``/``continue``/
``return``/``exit`` and function definitions.
"""

from __future__ import annotations

from typing import Any

from azshell.lang import ast as A
from azshell.lang import conversions as conv
from azshell.lang.errors import RUNTIME_EXCEPTION, ErrorRecord, PipelineStoppedError, RuntimeLangError
from azshell.lang.runtime import (
    BreakSignal,
    ContinueSignal,
    ExitSignal,
    FunctionInfo,
    ReturnSignal,
    Scope,
    ScriptBlock,
    ScriptTerminatingError,
)
from azshell.lang.state import EvaluatorState


class StatementsMixin(EvaluatorState):
    """Control flow: conditionals, loops, ``switch``, ``try``/``catch``, ``throw`` and the jump statements."""

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

    def exec_trapped(self, block: A.StatementBlock) -> None:
        """Run a statement block that has ``trap`` statements. A terminating error in one of its statements (or
        below them) runs the first trap whose type matches, with ``$_`` the error: ``continue`` in the trap goes on
        with the next statement quietly, ``break`` rethrows, and otherwise the error is written and the next
        statement runs. As inside ``try``, statement-terminating errors reach the trap."""
        self.try_depth += 1
        try:
            for stmt in block.statements:
                try:
                    self.exec_statement(stmt)
                except RuntimeLangError as exc:
                    if isinstance(exc, PipelineStoppedError):
                        raise
                    rec = exc.record
                    trap = next((t for t in block.traps
                                 if t.type_name is None or _exception_matches(rec.exception_type, t.type_name)), None)
                    if trap is None:
                        raise
                    if not self.errors or self.errors[0] is not rec:
                        self.errors.insert(0, rec)
                        self.error_count += 1
                    self.last_success = False
                    outcome = self._run_trap(trap, rec)
                    if outcome == "break":
                        raise
                    if outcome == "default":
                        self.err(rec)
        finally:
            self.try_depth -= 1

    def _run_trap(self, trap: A.Trap, rec: ErrorRecord) -> str:
        """Run ``trap``'s body in a child scope: 'continue', 'break' or 'default' (it ended on its own)."""
        prev = self.scope
        self.scope = Scope(prev)
        self.scope.set("_", rec)
        try:
            self.exec_block(trap.body)
        except ContinueSignal:
            return "continue"
        except BreakSignal:
            return "break"
        finally:
            self.scope = prev
        return "default"

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


# ------------------------------------------------------------------------------------------- exception types
#: exception type -> its base type, for the types azshell raises (anything else derives from System.Exception)
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
    """Whether ``catch [wanted]`` catches an exception of type ``actual`` (the .NET hierarchy above, abridged)."""
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
