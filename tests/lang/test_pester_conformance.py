"""PowerShell's own Pester tests as the oracle for azshell's language (issue 14).

The harness (``tests/lang/pester/harness.py``) runs every ``It`` of the vendored ``test/powershell/Language`` files
of the PowerShell repository; blocks that need what azshell does not promise (.NET interop, classes, runspaces,
modules, the debugger, ...) are set aside with their reason. ``make conformance`` prints the whole report."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.lang.pester.harness import Block, discover, figures, report, run_block, run_corpus, run_file


@pytest.fixture(scope="module")
def results() -> list:  # type: ignore[type-arg]
    return run_corpus()


def test_language_blocks_pass_at_least_95_percent(results: list) -> None:  # type: ignore[type-arg]
    core = figures(r for r in results if not r.ps7)
    print("\n" + report(results))
    assert core.passed + core.failed >= 250, "the in-scope corpus shrank: check the scope rules"
    assert core.rate >= 0.95, report(results, verbose=True)


def test_powershell_7_additions_pass_at_least_half(results: list) -> None:  # type: ignore[type-arg]
    ps7 = figures(r for r in results if r.ps7)
    assert ps7.passed + ps7.failed >= 40
    assert ps7.rate >= 0.5, report(results, verbose=True)


def test_every_out_of_scope_block_says_why(results: list) -> None:  # type: ignore[type-arg]
    assert all(r.detail for r in results if r.status == "out-of-scope")


# ---------------------------------------------------------------------------------------- the harness itself
def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "Sample.Tests.ps1"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_failing_assertion_a_parse_error_and_a_throw_all_fail(tmp_path: Path) -> None:
    path = _file(tmp_path, """
Describe 'sample' {
    BeforeAll { $x = 2 }
    It 'passes' { $x | Should -Be 2 }
    It 'fails an assertion' { $x | Should -Be 3 }
    It 'throws' { throw 'boom' }
    It 'does not parse' { $x = ( }
    It 'uses test cases <v>' -TestCases @(@{ v = 1 }, @{ v = 5 }) { param($v) $v | Should -BeLessThan 3 }
    It 'is skipped' -Skip { throw 'never' }
}
""")
    got = {r.name: r.status for r in run_file(path)}
    assert got["sample / passes"] == "passed"
    assert got["sample / fails an assertion"] == "failed"
    assert got["sample / throws"] == "failed"
    assert got["sample / does not parse"] == "failed"
    assert got["sample / uses test cases <v> [0]"] == "passed"
    assert got["sample / uses test cases <v> [1]"] == "failed"
    assert got["sample / is skipped"] == "skipped"


def test_should_uses_the_languages_own_comparisons(tmp_path: Path) -> None:
    path = _file(tmp_path, """
Describe 'ops' {
    It 'case-insensitive -Be' { 'ABC' | Should -Be 'abc' }
    It 'case-sensitive -BeExactly' { 'ABC' | Should -BeExactly 'abc' }
    It 'throw with id' { { throw [System.ArgumentException]::new('x') } | Should -Throw -ErrorId 'ArgumentException' }
}
""")
    got = {r.name: r.status for r in run_file(path)}
    assert got["ops / case-insensitive -Be"] == "passed"
    assert got["ops / case-sensitive -BeExactly"] == "failed"


def test_out_of_scope_blocks_are_named_not_run(tmp_path: Path) -> None:
    path = _file(tmp_path, """
Describe 'scope' {
    It 'uses a runspace' { $ps = [powershell]::Create(); $ps | Should -Not -BeNullOrEmpty }
}
""")
    (result,) = list(run_file(path))
    assert result.status == "out-of-scope" and "runspaces" in result.detail


def test_blocks_are_found_with_their_containers(tmp_path: Path) -> None:
    path = _file(tmp_path, "Describe 'a' { Context 'b' { It 'c' { 1 | Should -Be 1 } } }")
    (block,) = discover(path)
    assert isinstance(block, Block) and block.path == ("a", "b", "c")
    assert run_block(block, None) == ("passed", "")
