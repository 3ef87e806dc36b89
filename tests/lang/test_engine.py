"""Engine contract: streaming records, outcomes, parse errors, internal errors, interrupt, hooks."""

from __future__ import annotations

import threading
import time
from typing import Any

from azshell.lang.cmdlet import Cmdlet
from azshell.lang.engine import ExecutionOutcome, StreamRecord
from tests.lang.conftest_lang import make_engine, run_text


class Boom(Cmdlet):
    name = "Invoke-Boom"

    def process(self) -> None:
        raise KeyError("bug")


def test_outcome_and_streams() -> None:
    eng = make_engine()
    recs: list[StreamRecord] = []
    outcome = eng.execute("Write-Output 1; Write-Warning 'w'; Write-Host 'h'; Write-Error 'e'", recs.append)
    assert outcome == ExecutionOutcome(True, None)
    assert [r.stream for r in recs] == ["output", "warning", "host", "error"]
    assert eng.execute("1", lambda r: None) == ExecutionOutcome(False, None)


def test_exit_requested() -> None:
    eng = make_engine()
    assert eng.execute("exit 3", lambda r: None).exit_requested == 3
    assert eng.get_variable("LASTEXITCODE") == 3
    assert eng.execute("exit", lambda r: None).exit_requested == 0


def test_parse_error_runs_nothing() -> None:
    eng = make_engine()
    out, err, _ = run_text(eng, "$ran = 1\n$x = )")
    assert out == [] and len(err) == 1
    assert eng.get_variable("ran") is None
    assert err[0].render().splitlines() == [
        "At line:2 char:5", "+ $x = )", "+     ~",
        "You must provide a value expression following the '=' operator.",
        "    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException",
        "    + FullyQualifiedErrorId : ExpectedValueExpression",
    ]


def test_internal_error_is_one_record_and_engine_survives() -> None:
    eng = make_engine()
    eng.registry.register(Boom)
    out, err, _ = run_text(eng, "Invoke-Boom")
    assert len(err) == 1 and err[0].message.startswith("internal error: KeyError")
    assert "Traceback" not in err[0].render()
    out, err, _ = run_text(eng, "1 + 1")
    assert out == [2] and not err


def test_interrupt() -> None:
    eng = make_engine()
    result: dict[str, Any] = {}

    def run() -> None:
        result["out"] = run_text(eng, "$i = 0; while ($true) { $i++ }")

    t = threading.Thread(target=run)
    t.start()
    time.sleep(0.2)
    eng.interrupt()
    t.join(5)
    assert not t.is_alive()
    _, err, _ = result["out"]
    assert err[0].message == "The pipeline has been stopped."
    assert run_text(eng, "'still alive'")[0] == ["still alive"]


def test_after_command_hook_and_is_complete() -> None:
    eng = make_engine()
    calls: list[tuple[str, bool]] = []
    eng.after_command = lambda text, ok: calls.append((text, ok))
    run_text(eng, "1")
    run_text(eng, "Get-Nope")
    assert calls == [("1", True), ("Get-Nope", False)]
    assert eng.is_complete("if (1) {") == "incomplete"
    assert eng.is_complete("$x = )") == "invalid"
    assert eng.is_complete("1") == "complete"


def test_deep_recursion_is_reported() -> None:
    out, err, _ = run_text(make_engine(), "function f { f }; f")
    assert err and "call depth" in err[0].message


def test_break_outside_loop_is_quiet() -> None:
    out, err, _ = run_text(make_engine(), "'a'; break; 'b'")
    assert out == ["a"] and not err


def test_sessions_do_not_share_state() -> None:
    """Each engine has its own $PSVersionTable (and every other global): changing one shows in no other."""
    a, b = make_engine(), make_engine()
    out, err, _ = run_text(a, "$PSVersionTable['Extra'] = 1; $PSVersionTable.PSCompatibleVersions.Add('9.9'); "
                              "$PSVersionTable.PSEdition = 'Changed'; $PSVersionTable.Extra")
    assert out == [1] and not err
    out, err, _ = run_text(b, "$PSVersionTable.ContainsKey('Extra'); $PSVersionTable.PSCompatibleVersions.Count; "
                              "$PSVersionTable.PSEdition")
    assert out == [False, 8, "Core"] and not err
    assert make_engine().get_variable("PSVersionTable") is not b.get_variable("PSVersionTable")


def test_visitor_dispatch_is_per_evaluator() -> None:
    """The node-type -> visitor cache belongs to one evaluator: a subclass overriding a visitor changes
    nothing for plain evaluators, whichever ran first."""
    from azshell.lang import ast as A
    from azshell.lang.evaluator import Evaluator

    class Doubling(Evaluator):
        def visit_Number(self, node: A.Number) -> Any:
            return node.value * 2

    plain = make_engine()
    assert run_text(plain, "21")[0] == [21]
    doubling = make_engine()
    doubling.evaluator = Doubling(doubling.registry, env={"HOME": "/home/user"})
    assert run_text(doubling, "21")[0] == [42]
    assert run_text(make_engine(), "21")[0] == [21]


def test_redirection_to_a_path_the_file_system_refuses_fails_like_out_file(tmp_path: Any) -> None:
    """Regression (found by the fuzz test): ``$x > $x$x`` redirected to '' and raised an internal error."""
    eng = make_engine()
    out, err, _ = run_text(eng, "$x > $x$x; 'after'")
    assert out == ["after"]
    assert [e.error_id for e in err] == [
        "ParameterArgumentValidationErrorEmptyStringNotAllowed,Microsoft.PowerShell.Commands.OutFileCommand"]
    _, err, _ = run_text(eng, f"1 > '{tmp_path}'")
    assert err[0].message == f"Access to the path '{tmp_path}' is denied."
    _, err, _ = run_text(eng, f"1 > '{tmp_path}/no/such/f.txt'")
    assert err[0].message.startswith("Could not find a part of the path")
