"""Table-driven lexer tests: command mode vs expression mode."""

from __future__ import annotations

import pytest

from azshell.lang.errors import ParseError
from azshell.lang.lexer import Lexer, tokenize
from azshell.lang.tokens import Redir, TokenKind, VarRef

K = TokenKind

CASES = [
    ("Get-Thing -Name a", [(K.GENERIC, "Get-Thing"), (K.PARAMETER, "Name"), (K.GENERIC, "a")]),
    ("Get-Thing -Force:$false", [(K.GENERIC, "Get-Thing"), (K.PARAMETER, "Force"), (K.VARIABLE, VarRef("", "false"))]),
    ("echo /subscriptions/$sub/rg", [(K.GENERIC, "echo"), (K.GENERIC, "")]),
    ("echo 2016-06-01", [(K.GENERIC, "echo"), (K.GENERIC, "2016-06-01")]),
    ("echo 42", [(K.GENERIC, "echo"), (K.NUMBER, 42)]),
    ("echo 1kb", [(K.GENERIC, "echo"), (K.NUMBER, 1024)]),
    ("$x -eq 1", [(K.VARIABLE, VarRef("", "x")), (K.OP, "-eq"), (K.NUMBER, 1)]),
    ("$x -CEQ 1", [(K.VARIABLE, VarRef("", "x")), (K.OP, "-ceq"), (K.NUMBER, 1)]),
    ("$env:PATH", [(K.VARIABLE, VarRef("env", "PATH"))]),
    ("$script:x", [(K.VARIABLE, VarRef("script", "x"))]),
    ("${a b}", [(K.VARIABLE, VarRef("", "a b"))]),
    ("$_", [(K.VARIABLE, VarRef("", "_"))]),
    ("$?", [(K.VARIABLE, VarRef("", "?"))]),
    ("'it''s'", [(K.STRING, "it's")]),
    ('"a`tb"', [(K.XSTRING, "a\tb")]),
    ('"say ""hi"""', [(K.XSTRING, 'say "hi"')]),
    ("0x1F", [(K.NUMBER, 31)]),
    ("1.5e2", [(K.NUMBER, 150.0)]),
    ("1..5", [(K.NUMBER, 1), (K.OP, ".."), (K.NUMBER, 5)]),
    ("@(1)", [(K.OP, "@("), (K.NUMBER, 1), (K.OP, ")")]),
    ("@{a=1}", [(K.OP, "@{"), (K.IDENT, "a"), (K.OP, "="), (K.NUMBER, 1), (K.OP, "}")]),
    ("f @params", [(K.GENERIC, "f"), (K.SPLAT, "params")]),
    ("$a ?? $b", [(K.VARIABLE, VarRef("", "a")), (K.OP, "??"), (K.VARIABLE, VarRef("", "b"))]),
    ("$a ??= 1", [(K.VARIABLE, VarRef("", "a")), (K.OP, "??="), (K.NUMBER, 1)]),
    ("a && b || c", [(K.GENERIC, "a"), (K.OP, "&&"), (K.GENERIC, "b"), (K.OP, "||"), (K.GENERIC, "c")]),
    ("f 2>&1", [(K.GENERIC, "f"), (K.REDIRECTION, Redir("2", False, "1"))]),
    ("f >> out.txt", [(K.GENERIC, "f"), (K.REDIRECTION, Redir("1", True, None)), (K.GENERIC, "out.txt")]),
    ("f *> x", [(K.GENERIC, "f"), (K.REDIRECTION, Redir("*", False, None)), (K.GENERIC, "x")]),
    ("f <x>", [(K.GENERIC, "f"), (K.LT, "<"), (K.GENERIC, "x>")]),
    ("f https://a/<b>/c", [(K.GENERIC, "f"), (K.GENERIC, "https://a/<b>/c")]),
    ("# comment\n1", [(K.NEWLINE, "\n"), (K.NUMBER, 1)]),
    ("<# block #> 1", [(K.NUMBER, 1)]),
    ("1 + `\n2", [(K.NUMBER, 1), (K.OP, "+"), (K.NUMBER, 2)]),
    ("$a.b", [(K.VARIABLE, VarRef("", "a")), (K.OP, "."), (K.IDENT, "b")]),
    ("[int]::MaxValue", [(K.OP, "["), (K.IDENT, "int"), (K.OP, "]"), (K.OP, "::"), (K.IDENT, "MaxValue")]),
    ("-not $x", [(K.OP, "-not"), (K.VARIABLE, VarRef("", "x"))]),
    ("a#b", [(K.GENERIC, "a#b")]),
    ("f -- x", [(K.GENERIC, "f"), (K.GENERIC, "--"), (K.GENERIC, "x")]),
    ("f a,b", [(K.GENERIC, "f"), (K.GENERIC, "a"), (K.OP, ","), (K.GENERIC, "b")]),
    ("f -5", [(K.GENERIC, "f"), (K.NUMBER, -5)]),
    ('f a"b c"', [(K.GENERIC, "f"), (K.GENERIC, "ab c")]),
    ("@'\nraw $x\n'@", [(K.STRING, "raw $x")]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_tokens(text: str, expected: list[tuple[TokenKind, object]]) -> None:
    toks = [t for t in tokenize(text) if t.kind is not K.EOF]
    got = [(t.kind, t.value) for t in toks]
    assert [k for k, _ in got] == [k for k, _ in expected], toks
    for (k, v), (_ek, ev) in zip(got, expected, strict=True):
        if ev != "" or k is not K.GENERIC:
            assert v == ev, (text, toks)


def test_expandable_parts() -> None:
    toks = tokenize('"a $x ${y} $env:Z $($n + 1) $o.Name"')
    parts = toks[0].parts
    kinds = [type(p).__name__ for p in parts]
    assert kinds == ["str", "VarPart", "str", "VarPart", "str", "VarPart", "str", "SubPart", "str", "VarPart", "str"]
    assert parts[-1] == ".Name"


def test_here_string_expandable() -> None:
    toks = tokenize('@"\nline $x\n"@')
    assert toks[0].kind is K.XSTRING
    assert toks[0].parts[0] == "line "


@pytest.mark.parametrize(("text", "message"), [
    ('"abc', 'The string is missing the terminator: ".'),
    ("'abc", "The string is missing the terminator: '."),
    ('@"\nabc', 'The string is missing the terminator: "@.'),
    ("<# never closed", "Missing closing '#>' of the block comment."),
    ("1 `", "Incomplete line continuation."),
])
def test_incomplete_tokens(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        tokenize(text)
    assert info.value.message == message
    assert info.value.incomplete


def test_modes_differ() -> None:
    lx = Lexer("-Name")
    assert lx.scan(0, "cmd").kind is K.PARAMETER
    assert lx.scan(0, "expr").kind is K.OP
    lx2 = Lexer("$a/b")
    assert lx2.scan(0, "cmd").kind is K.GENERIC
    assert lx2.scan(0, "expr").kind is K.VARIABLE


def test_spans() -> None:
    lx = Lexer("a\n  $x")
    tok = lx.scan(2, "expr")
    span = lx.source.span(tok.start, tok.end)
    assert (span.line, span.col) == (2, 3)
