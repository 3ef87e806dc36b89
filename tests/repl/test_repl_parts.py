"""The REPL's parts as plain objects: completer, lexer, toolbar, printer, line mode."""

from __future__ import annotations

import io

from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from azshell.repl.app import line_loop, main
from azshell.repl.completer import SessionCompleter
from azshell.repl.keys import help_text, input_status
from azshell.repl.lexer import SessionLexer
from azshell.repl.output import RED, YELLOW, RecordPrinter
from azshell.repl.toolbar import toolbar_text
from tests.repl._fake_session import FakeSession, StreamRecord


def _complete(text: str, *, requested: bool = True) -> list[tuple[str, str, int]]:
    completer = SessionCompleter(FakeSession())
    event = CompleteEvent(completion_requested=requested, text_inserted=not requested)
    return [(c.text, c.display_meta_text, c.start_position)
            for c in completer.get_completions(Document(text, len(text)), event)]


def test_completer_maps_items_with_description_and_start() -> None:
    got = _complete("Write-Output 1; Get-Ch")
    assert got == [("Get-ChildItem", "Gets the items in a location.", -6)]


def test_completer_while_typing_needs_a_prefix() -> None:
    assert _complete("Get-Command ", requested=False) == []
    assert len(_complete("Get-Command ", requested=True)) > 5
    assert [t for t, _, _ in _complete("Write-W", requested=False)] == ["Write-Warning"]


def test_completer_survives_a_failing_session() -> None:
    class Broken(FakeSession):
        def complete(self, text: str, cursor: int):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    completer = SessionCompleter(Broken())
    assert list(completer.get_completions(Document("Get-", 4), CompleteEvent(completion_requested=True))) == []


def test_lexer_styles_lines_and_marks_errors() -> None:
    lexer = SessionLexer(FakeSession())
    get_line = lexer.lex_document(Document("Get-Thing -Name 'x'\n}"))
    first = get_line(0)
    assert first[0] == ("class:ps.command", "Get-Thing")
    assert ("class:ps.parameter", "-Name") in first
    assert ("class:ps.string", "'x'") in first
    assert get_line(1) == [("class:ps.error", "}")]
    assert "".join(t for _, t in first) == "Get-Thing -Name 'x'"


def test_lexer_falls_back_to_plain_text_when_tokens_do_not_cover_the_text() -> None:
    class Lossy(FakeSession):
        def highlight_tokens(self, text: str) -> list[tuple[str, str]]:
            return [("command", text[:2])]

    get_line = SessionLexer(Lossy()).lex_document(Document("Get-Thing"))
    assert get_line(0) == [("", "Get-Thing")]


def test_toolbar_shows_tenant_subscription_account_host() -> None:
    text = toolbar_text(FakeSession().toolbar())
    for part in ("tenant: contoso", "subscription: sub-1", "account: admin@contoso", "host: -"):
        assert part in text


def test_input_status_and_help() -> None:
    s = FakeSession()
    assert input_status(s, "if (1) {") == "incomplete"
    assert input_status(s, "}") == "invalid"
    assert input_status(s, "") == "complete"
    assert "SYNOPSIS" in help_text(s, "Get-Help", 3)
    assert "No help found" in help_text(s, "zzz", 1)


def test_printer_groups_objects_and_colours_streams() -> None:
    s = FakeSession()
    out, err = io.StringIO(), io.StringIO()
    printer = RecordPrinter(s, out, err, color=True)
    s.execute("Get-Thing 2\nWrite-Warning careful\nthrow boom", printer)
    printer.flush()
    text = out.getvalue()
    assert text.count("Name   Value") == 1  # one table for both objects
    assert f"{YELLOW}WARNING: careful" in text
    assert err.getvalue().startswith(f"{RED}boom")
    assert text.index("thing1") < text.index("WARNING")


def test_printer_without_colour_and_text_output_is_immediate() -> None:
    s = FakeSession()
    out, err = io.StringIO(), io.StringIO()
    printer = RecordPrinter(s, out, err, color=False)
    printer(StreamRecord("output", "hello"))
    assert out.getvalue() == "hello\n"
    printer(StreamRecord("verbose", "v"))
    assert out.getvalue() == "hello\nVERBOSE: v\n"
    assert "\x1b" not in out.getvalue()


def test_line_mode_continues_incomplete_input_and_exits_with_code() -> None:
    s = FakeSession()
    out, err = io.StringIO(), io.StringIO()
    stdin = io.StringIO("Write-Output a\nif (1) {\nWrite-Output b\n}\nthrow bad\nexit 3\nWrite-Output never\n")
    assert line_loop(s, stdin, out, err) == 3
    assert out.getvalue() == "a\nb\n"
    assert "bad" in err.getvalue()
    assert s.executed[1] == "if (1) {\nWrite-Output b\n}"


def test_main_uses_line_mode_when_stdin_is_not_a_terminal() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(FakeSession(), stdin=io.StringIO("Write-Output x\nthrow y\n"), out=out, err=err)
    assert code == 1  # the last command wrote an error
    assert out.getvalue() == "x\n"
