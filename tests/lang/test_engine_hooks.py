"""Engine hooks the generic cmdlets look up (list/remove variables, Invoke-Expression, method calls by name,
Clear-Host, Read-Host, Get-Credential, Get-Date's clock, console width, Write-Debug), all through the Engine."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from azshell.lang.values import PSCredential, SecureString
from tests.lang.conftest_lang import make_engine, run_text


def _names(objs: list[Any]) -> list[str]:
    return [o.get("Name") if hasattr(o, "get") else o.Name for o in objs]


def test_get_variable_lists_with_and_without_wildcards() -> None:
    eng = make_engine()
    out, err, _ = run_text(eng, "Get-Variable -Name PS*")
    assert not err
    names = _names(out)
    assert "PSVersionTable" in names and all(n.casefold().startswith("ps") for n in names)
    out, err, _ = run_text(eng, "$myVar = 42; Get-Variable")
    names = _names(out)
    assert not err and {"myVar", "true", "null", "ErrorActionPreference", "HOME"} <= set(names)
    assert names == sorted(names, key=str.casefold)
    out, _, _ = run_text(eng, "Get-Variable my* -ValueOnly")
    assert out == [42]


def test_get_variable_sees_function_locals() -> None:
    eng = make_engine()
    out, _, _ = run_text(eng, "$g = 1; function f { $loc = 2; (Get-Variable -Name g, loc -ValueOnly) }; f")
    assert out == [1, 2]


def test_remove_variable() -> None:
    eng = make_engine()
    out, err, _ = run_text(eng, "$a1 = 1; $a2 = 2; $b = 3; Remove-Variable a*; $a1, $a2, $b")
    assert not err and out == [3]
    _, err, _ = run_text(eng, "Remove-Variable nope")
    assert len(err) == 1 and "Cannot find a variable with the name 'nope'." in err[0].message
    _, err, _ = run_text(eng, "Remove-Variable true")
    assert len(err) == 1 and eng.get_variable("true") is True


def test_invoke_expression_runs_in_current_scope_and_streams() -> None:
    eng = make_engine()
    out, err, _ = run_text(eng, "iex '$z = 5; 1..3' | ForEach-Object { $_ * 10 }; $z")
    assert not err and out == [10, 20, 30, 5]
    out, err, _ = run_text(eng, "function g { Invoke-Expression '$inner = 7'; $inner }; g; [bool]$inner")
    assert not err and out == [7, False]


def test_invoke_expression_parse_error_is_an_error_record() -> None:
    eng = make_engine()
    out, err, _ = run_text(eng, "iex '1 +'; 'next'")
    assert out == ["next"] and len(err) == 1
    assert err[0].category == "ParserError" and "internal error" not in err[0].message
    assert eng.execute("$?", lambda r: None).had_errors is False


def test_foreach_member_name_calls_methods() -> None:
    eng = make_engine()
    out, err, _ = run_text(eng, "'ab', 'cd' | % ToUpper; 'a-b' | ForEach-Object -MemberName Split '-'; "
                                "@{k = 1} | % ContainsKey k")
    assert not err and out == ["AB", "CD", "a", "b", True]
    out, err, _ = run_text(eng, "'abc' | % Length")
    assert out == [3] and not err


def test_clear_host_calls_the_host_hook() -> None:
    eng = make_engine()
    assert eng.clear_screen is None
    _, err, _ = run_text(eng, "Clear-Host")  # no hook: nothing happens
    assert not err
    calls: list[int] = []
    eng.clear_screen = lambda: calls.append(1)
    run_text(eng, "cls; Clear-Host")
    assert calls == [1, 1]


def test_read_host_default_and_override() -> None:
    eng = make_engine()
    out, err, other = run_text(eng, "$n = Read-Host 'Name'; \"[$n]\"")
    assert out == ["[]"] and not err and not other
    seen: list[tuple[str, bool]] = []

    def reader(prompt: str, secure: bool) -> str:
        seen.append((prompt, secure))
        return "alice"

    eng.read_host = reader
    out, _, _ = run_text(eng, "Read-Host 'Name'; Read-Host -AsSecureString 'pw' | ConvertFrom-SecureString -AsPlainText")
    assert out == ["alice", "alice"] and seen == [("Name", False), ("pw", True)]


def test_get_credential_uses_prompt_hook() -> None:
    eng = make_engine()
    out, _, other = run_text(eng, "Get-Credential -UserName bob")
    assert isinstance(out[0], PSCredential) and [r.stream for r in other] == ["warning"]
    eng.prompt_credential = lambda user, message: PSCredential(user, SecureString("s3cret"))
    out, _, other = run_text(eng, "(Get-Credential -UserName bob -Message hi).GetNetworkCredential().Password")
    assert out == ["s3cret"] and not other


def test_get_date_follows_the_injected_clock() -> None:
    fixed = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    eng = make_engine(clock=lambda: fixed)
    out, err, _ = run_text(eng, "(Get-Date).ToUniversalTime().Year; (Get-Date -AsUTC).Minute")
    assert not err and out == [2030, 4]
    eng.clock = lambda: datetime(2031, 6, 1, tzinfo=UTC)
    out, _, _ = run_text(eng, "(Get-Date).ToUniversalTime().Year")
    assert out == [2031]


def test_console_width_reaches_out_string() -> None:
    eng = make_engine()
    assert eng.console_width == 120
    line = "[pscustomobject]@{ A = 'x' * 70; B = 'y' * 70 } | Format-Table | Out-String"
    wide, _, _ = run_text(eng, line)
    eng.console_width = 60
    narrow, _, _ = run_text(eng, line)
    assert max(len(x) for x in narrow[0].splitlines()) <= 60 < max(len(x) for x in wide[0].splitlines())


def test_write_debug_only_when_asked() -> None:
    eng = make_engine()
    _, _, other = run_text(eng, "Write-Debug 'quiet'")
    assert other == []
    _, _, other = run_text(eng, "Write-Debug 'loud' -Debug")
    assert [(r.stream, r.value) for r in other] == [("debug", "loud")]
    _, _, other = run_text(eng, "$DebugPreference = 'Continue'; Write-Debug 'pref'")
    assert [(r.stream, r.value) for r in other] == [("debug", "pref")]
