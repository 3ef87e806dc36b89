"""The snippet corpus (expected output) and every PowerShell command line of the official tutorials."""

from __future__ import annotations

import re
from typing import Any

import pytest

from azshell.lang import conversions as conv
from azshell.lang.errors import ErrorRecord, ParseError
from azshell.lang.parser import parse
from tests.lang._corpus import fill_placeholders, load_corpus, tutorial_lines
from tests.lang.conftest_lang import make_engine, run_text

SNIPPETS = load_corpus()
TUTORIAL = tutorial_lines()


def run(code: str, **kw: Any) -> tuple[list[Any], list[ErrorRecord]]:
    outputs, errors, _ = run_text(make_engine(**kw), code)
    return outputs, errors


def test_corpus_is_large_enough() -> None:
    assert len(SNIPPETS) + len(TUTORIAL) >= 300
    assert len(SNIPPETS) >= 250


@pytest.mark.parametrize("snippet", SNIPPETS, ids=[f"L{s.line}" for s in SNIPPETS])
def test_snippet(snippet: Any) -> None:
    if snippet.parse_error is not None:
        with pytest.raises(ParseError) as info:
            parse(snippet.code)
        assert info.value.message == snippet.parse_error
        return
    if snippet.parse_only:
        parse(snippet.code)
        return
    outputs, errors = run(snippet.code)
    assert not any(e.error_id == "InternalError" for e in errors), [e.render() for e in errors]
    got = [conv.to_string(o) if not isinstance(o, ErrorRecord) else o.message for o in outputs]
    assert "\n".join(got) == "\n".join(snippet.outputs), (snippet.code, got, [e.message for e in errors])
    wanted = snippet.errors
    if wanted:
        for w in wanted:
            assert any(w in e.message for e in errors), (w, [e.message for e in errors])
    else:
        assert not errors, [e.render() for e in errors]


def _expected_parse_error(code: str) -> str | None:
    if "@resource=" in code:
        return "Unexpected token '}' in expression or statement."
    unquoted = re.sub(r"\"[^\"]*\"|'[^']*'", '""', code)
    if re.search(r"(?:^|[\s,(])<", unquoted):
        return "The '<' operator is reserved for future use."
    return None


def test_tutorials_found() -> None:
    assert len(TUTORIAL) >= 90
    sources = {t.source for t in TUTORIAL}
    assert "2017-windows-vm-access-arm.ps1.txt" in sources
    assert "current-app-service-overview-managed-identity.txt" in sources


@pytest.mark.parametrize("line", TUTORIAL, ids=[f"{t.source}:{t.line}" for t in TUTORIAL])
def test_tutorial_line_parses_like_powershell(line: Any) -> None:
    expected = _expected_parse_error(line.code)
    if expected is None:
        parse(line.code)
    else:
        with pytest.raises(ParseError) as info:
            parse(line.code)
        assert info.value.message == expected
        assert not info.value.incomplete
    # with the placeholders filled in, every line parses (the 2017 typo line stays broken)
    if "@resource=" not in line.code:
        parse(fill_placeholders(line.code))


def test_typo_line_error_points_at_the_brace() -> None:
    line = next(t for t in TUTORIAL if "@resource=" in t.code)
    with pytest.raises(ParseError) as info:
        parse(line.code)
    assert info.value.span is not None
    assert line.code[info.value.span.offset] == "}"
    rec = info.value.to_record().render()
    assert "Unexpected token '}' in expression or statement." in rec
    assert "FullyQualifiedErrorId : UnexpectedToken" in rec


def test_placeholder_error_record_shape() -> None:
    _, errors = run("New-AzUserAssignedIdentity -ResourceGroupName <RESOURCEGROUP> -Name x")
    assert len(errors) == 1
    text = errors[0].render()
    assert text.splitlines()[0] == "At line:1 char:47"
    assert "The '<' operator is reserved for future use." in text
    assert "+ " + " " * 46 + "~" in text


def test_tutorial_scripts_run_without_internal_errors(tmp_path: Any) -> None:
    """Run each tutorial's filled-in lines in one session: Azure cmdlets are unknown here, but nothing may
    fail for any other reason than a missing command (and what follows from it)."""
    from azshell.lang.filesystem import LocalFileSystem

    by_file: dict[str, list[str]] = {}
    for t in TUTORIAL:
        if "@resource=" in t.code:
            continue
        by_file.setdefault(t.source, []).append(fill_placeholders(t.code))
    for source, lines in by_file.items():
        engine = make_engine(fs=LocalFileSystem(str(tmp_path)), env={"MSI_ENDPOINT": "http://127.0.0.1:41741/MSI/token",
                                                                      "MSI_SECRET": "s3cr3t",
                                                                      "IDENTITY_ENDPOINT": "http://localhost:4141/msi/token",
                                                                      "IDENTITY_HEADER": "h"})
        for code in lines:
            errors: list[ErrorRecord] = []
            engine.execute(code, lambda r, errors=errors: errors.append(r.value) if r.stream == "error" else None)
            for e in errors:
                assert e.error_id != "InternalError", (source, code, e.render())
                assert not e.is_parse_error, (source, code, e.render())


def test_tutorial_pure_parts_evaluate(tmp_path: Any) -> None:
    from azshell.lang.filesystem import LocalFileSystem

    env = {"MSI_ENDPOINT": "http://127.0.0.1:41741/MSI/token", "IDENTITY_ENDPOINT": "http://localhost:4141/msi/token"}
    engine = make_engine(fs=LocalFileSystem(str(tmp_path)), env=env)
    script = "\n".join([
        '$settings = @{ "port" = 50342 }',
        '$apiVersion = "2017-09-01"',
        '$resourceURI = "https://vault.azure.net"',
        '$tokenAuthURI = $env:MSI_ENDPOINT + "?resource=$resourceURI&api-version=$apiVersion"',
        '$uid = "/subscriptions/s/resourcegroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1"',
        '$identityIds = @()',
        '$identityIds = $identityIds + $uid',
        'echo "Test file." > Test1.txt',
        '$settings.port',
        '$tokenAuthURI',
        '$identityIds.Count',
    ])
    out: list[Any] = []
    engine.execute(script, lambda r: out.append(r.value) if r.stream in ("output", "error") else None)
    assert out == [50342, "http://127.0.0.1:41741/MSI/token?resource=https://vault.azure.net&api-version=2017-09-01", 1]
    assert (tmp_path / "Test1.txt").read_text().strip() == "Test file."
