"""Evaluator tests beyond the corpus: values (not just their text), scopes, env, streaming, redirection."""

from __future__ import annotations

from typing import Any

import pytest

from azshell.lang.errors import ErrorRecord
from azshell.lang.evaluator import ScriptBlock
from azshell.lang.values import PSHashtable, PSObject
from tests.lang.conftest_lang import make_engine, run_text

VALUES = [
    ("1 + 2", [3]),
    ("'5' + 1", ["51"]),
    ("5 + '1'", [6]),
    ("10 / 4", [2.5]),
    ("10 / 5", [2]),
    ("[int]'7'", [7]),
    ("1,2,3", [1, 2, 3]),
    (",(1,2)", [[1, 2]]),
    ("@()", []),
    ("$null", []),
    ("$true -and 1", [True]),
    ("'a','b' -contains 'B'", [True]),
    ("'a','b' -ccontains 'B'", [False]),
    ("1..3 | ForEach-Object { $_ }", [1, 2, 3]),
    ("$x = @{a=1}; $x.a", [1]),
    ("(Get-Date).GetType().Name", ["DateTime"]),
    ("$a = 1; $a.GetType().FullName", ["System.Int32"]),
    ("[long]5", [5]),
    ("1.5 -as [int]", [2]),
    ("'x' -is [string]", [True]),
]


@pytest.mark.parametrize(("code", "expected"), VALUES, ids=[v[0] for v in VALUES])
def test_values(code: str, expected: list[Any]) -> None:
    out, err, _ = run_text(make_engine(), code)
    assert not err, [e.render() for e in err]
    assert out == expected


def test_hashtable_and_object_values() -> None:
    out, _, _ = run_text(make_engine(), "@{ b = 2; a = 1 }; [ordered]@{ z = 1 }; [pscustomobject]@{ n = 1 }")
    assert isinstance(out[0], PSHashtable) and out[0].keys() == ["b", "a"]
    assert isinstance(out[1], PSHashtable) and out[1].ordered
    assert isinstance(out[2], PSObject) and out[2].get("N") == 1


def test_script_block_value() -> None:
    out, _, _ = run_text(make_engine(), "{ 1 + 1 }")
    assert isinstance(out[0], ScriptBlock) and str(out[0]) == " 1 + 1 "


def test_global_scope_persists_between_calls() -> None:
    eng = make_engine()
    run_text(eng, "$x = 41; function Get-Answer { $x + 1 }")
    out, _, _ = run_text(eng, "Get-Answer")
    assert out == [42]
    assert eng.get_variable("x") == 41
    assert "x" in eng.variables()


def test_env_is_injectable() -> None:
    env: dict[str, str] = {"IDENTITY_ENDPOINT": "http://localhost:4141/msi/token"}
    eng = make_engine(env=env)
    out, _, _ = run_text(eng, "$env:IDENTITY_ENDPOINT; $env:NEW = 'v'; $env:identity_endpoint")
    assert out == ["http://localhost:4141/msi/token", "http://localhost:4141/msi/token"]
    assert env["NEW"] == "v"
    run_text(eng, "$env:NEW = $null")
    assert "NEW" not in env


def test_streaming_is_per_item() -> None:
    eng = make_engine()
    seen: list[Any] = []

    def sink(rec: Any) -> None:
        seen.append((rec.stream, rec.value))

    eng.execute("function Slow { process { Write-Host \"processing $_\"; $_ } }; 1, 2 | Slow", sink)
    assert seen == [("host", "processing 1"), ("output", 1), ("host", "processing 2"), ("output", 2)]


def test_redirection_to_file(tmp_path: Any) -> None:
    from azshell.lang.filesystem import LocalFileSystem

    eng = make_engine(fs=LocalFileSystem(str(tmp_path)))
    out, err, _ = run_text(eng, "'one' > f.txt; 'two' >> f.txt; Write-Error 'bad' 2> e.txt; Get-Content f.txt")
    assert out == ["one", "two"]
    assert not err
    assert "bad" in (tmp_path / "e.txt").read_text()


def test_error_records_and_dollar_error() -> None:
    eng = make_engine()
    _, err, _ = run_text(eng, "Get-Nothing")
    assert isinstance(err[0], ErrorRecord)
    out, _, _ = run_text(eng, "$Error[0].CategoryInfo.Category; $Error[0].FullyQualifiedErrorId; "
                              "$Error[0].InvocationInfo.ScriptLineNumber; $Error[0].ToString()")
    assert out[:3] == ["ObjectNotFound", "CommandNotFoundException", 1]
    assert out[3].startswith("The term 'Get-Nothing' is not recognized")


def test_did_you_mean_for_commands() -> None:
    _, err, _ = run_text(make_engine(), "Write-Outptu x")
    assert err[0].suggestion == "Did you mean 'Write-Output'?"


def test_catch_exception_type_names() -> None:
    eng = make_engine()
    code = """
    try { throw 'x' } catch [System.Net.WebException] { 'web' } catch [System.Exception] { 'any' }
    try { Get-Nope } catch [System.Management.Automation.RuntimeException] { 'runtime' }
    """
    out, err, _ = run_text(eng, code)
    assert out == ["any", "runtime"] and not err


def test_http_response_exception_members() -> None:
    """A cmdlet can raise an error whose exception carries the HTTP response (Invoke-RestMethod style)."""
    from azshell.lang.cmdlet import Cmdlet, CmdletError

    class _Exc(Exception):
        ps_exception_type = "Microsoft.PowerShell.Commands.HttpResponseException"
        response = PSObject([("StatusCode", 403)])
        error_details = '{"error":{"code":"AuthorizationFailed"}}'

    class Fail(Cmdlet):
        name = "Invoke-Fail"

        def process(self) -> None:
            raise CmdletError("Response status code does not indicate success: 403 (Forbidden).",
                              category="InvalidOperation", error_id="WebCmdletWebResponseException",
                              exception=_Exc())

    eng = make_engine()
    eng.registry.register(Fail)
    out, err, _ = run_text(eng, """
    try { Invoke-Fail } catch [Microsoft.PowerShell.Commands.HttpResponseException] {
        $_.Exception.Response.StatusCode; $_.ErrorDetails.Message; $_.Exception.Message
    }""")
    assert out == [403, '{"error":{"code":"AuthorizationFailed"}}',
                   "Response status code does not indicate success: 403 (Forbidden)."]
    _, err, _ = run_text(eng, "Invoke-Fail")
    assert err[0].render().splitlines()[0] == 'Invoke-Fail : {"error":{"code":"AuthorizationFailed"}}'


def test_statement_terminating_vs_script_terminating() -> None:
    out, err, _ = run_text(make_engine(), "Get-Nope; 'next'")
    assert out == ["next"] and len(err) == 1
    out, err, _ = run_text(make_engine(), "throw 'stop'; 'never'")
    assert out == [] and err[0].message == "stop"
    assert err[0].render().splitlines()[:2] == ["stop", "At line:1 char:1"]


def test_advanced_function_parameters_are_positional_in_declaration_order() -> None:
    """PowerShell numbers parameters when none sets Position; PositionalBinding=$false turns that off."""
    from tests.lang.conftest_lang import make_engine, run_text

    out, errs, _ = run_text(make_engine(),
        'function f { [CmdletBinding()] param([Parameter(Mandatory)]$N, [switch]$S, $M) "$N $M $S" }; f a b'
    )
    assert out == ["a b False"] and not errs
    out, errs, _ = run_text(make_engine(), 'function g { [CmdletBinding(PositionalBinding=$false)] param($N) $N }; g x')
    assert out == [] and "positional parameter cannot be found" in errs[0].render()


def test_caught_errors_are_recorded_in_dollar_error() -> None:
    """A terminating error caught by try/catch is still added to $Error, as in PowerShell."""
    from tests.lang.conftest_lang import make_engine, run_text

    out, errs, _ = run_text(make_engine(), 'try { throw "boom" } catch { }; $Error.Count; "$($Error[0])"')
    assert out == [1, "boom"] and not errs
