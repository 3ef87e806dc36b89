"""Property-based fuzzing: no input may raise anything but our own errors."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from azshell.lang.errors import LangError
from azshell.lang.filesystem import MemoryFileSystem
from azshell.lang.lexer import tokenize
from azshell.lang.parser import is_complete, parse
from tests.lang.conftest_lang import make_engine

PIECES = [
    "$x", "$env:A", "1", "2.5", "'s'", '"d $x"', "@(", "@{", "$(", "(", ")", "{", "}", "[", "]", "[int]", "|", ";",
    "\n", " ", ",", ".", "..", "::", "=", "+=", "-eq", "-and", "-not", "-f", "-split", "-join", "-Name", "-Force:",
    "Write-Output", "ForEach-Object", "Where-Object", "if", "else", "foreach", "in", "while", "function", "param",
    "try", "catch", "finally", "throw", "return", "break", "switch", "`", "#", "<#", "#>", "@'\n", "\n'@", "@\"\n",
    "\n\"@", "&", "&&", "||", "??", "?", ":", ">", "2>&1", "<", "!", "++", "$_", "@p", "a", "b-c", "0x1F", "1kb",
]

fragments = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)
text = st.one_of(st.text(max_size=40), fragments)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(text)
def test_lexer_never_crashes(s: str) -> None:
    try:
        tokenize(s)
    except LangError:
        pass


@SETTINGS
@given(text)
def test_parser_never_crashes(s: str) -> None:
    try:
        parse(s)
    except LangError:
        pass


@SETTINGS
@given(text)
def test_is_complete_total(s: str) -> None:
    assert is_complete(s) in ("complete", "incomplete", "invalid")


# random text may redirect output to files (`1 > x`): keep it on an in-memory disk, never in the checkout
_ENGINE = make_engine(fs=MemoryFileSystem())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(fragments)
def test_execute_never_raises(s: str) -> None:
    records: list[Any] = []
    outcome = _ENGINE.execute(s, records.append)
    for r in records:
        if r.stream == "error":
            assert r.value.error_id != "InternalError", (s, r.value.render())
    assert outcome.had_errors in (True, False)
