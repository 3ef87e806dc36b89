"""Hand-written, mode-driven lexer.

PowerShell has no context-free token stream: the parser tells the tokenizer which mode it is in.

* ``"start"`` — the first element of a pipeline: a bareword is a command name (``GENERIC``); ``$``, numbers,
  strings, ``-not``/``-5`` and ``(`` follow expression rules; ``&`` and ``.`` + space are call operators.
* ``"cmd"`` — command arguments: a bareword is an expandable string that ends at whitespace or
  ``; , | ) } &`` (``/subscriptions/$sub/rg`` is one token); ``-Name``/``-Name:`` are parameters; a number
  glued to other text (``2016-06-01``, ``192.168.1.0/24``) is a bareword; ``$var`` glued to text too.
* ``"expr"`` — expressions: ``-eq`` and friends are operators, words are identifiers.

:meth:`Lexer.scan` is a pure function of (offset, mode), memoised, so the parser may peek freely.
:func:`tokenize` runs a simple mode tracker over a whole text, for tests and syntax highlighting.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

from azshell.lang.errors import ParseError, Span
from azshell.lang.numbers import SUFFIX_TYPES
from azshell.lang.tokens import (
    DASH_OPERATORS,
    T_EOF,
    T_GENERIC,
    T_IDENT,
    T_LT,
    T_NEWLINE,
    T_NUMBER,
    T_OP,
    T_PARAMETER,
    T_REDIRECTION,
    T_SEMI,
    T_SPLAT,
    T_STRING,
    T_VARIABLE,
    T_XSTRING,
    Redir,
    StringPart,
    SubPart,
    Token,
    VarPart,
    VarRef,
)

Mode = Literal["start", "cmd", "expr"]


# Characters that end a command-mode bareword (PowerShell's ForceStartNewToken trait).
FORCE_NEW = frozenset(" \t\v\f\r\n\0;,|&(){}\u00a0\u0085")
WHITESPACE = frozenset(" \t\v\f\u00a0\u0085\ufeff")
SINGLE_QUOTES = frozenset("'\u2018\u2019\u201a\u201b")
DOUBLE_QUOTES = frozenset('"\u201c\u201d\u201e')
DASHES = frozenset("-\u2013\u2014\u2015")
SCOPES = frozenset({"env", "script", "global", "local", "private", "variable", "using", "function"})

_IDENT_RE = re.compile(r"[^\W\d]\w*")
_VARNAME_RE = re.compile(r"[\w\u00c0-\uffff]+")
_SIMPLE_GENERIC_RE = re.compile(r"[^\s;,|&(){}`'\"$\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u00a0\u0085]+")
_PARAM_RE = re.compile(r"[^\s;,|&(){}:'\"\u00a0\u0085`]+")
_NUMBER_RE = re.compile(
    r"(?:0[xX](?P<hex>[0-9A-Fa-f]+)|0[bB](?P<bin>[01]+)|(?P<dec>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?))"
    # type suffixes: l long, d decimal; PowerShell 7 adds y sbyte, uy byte, s short, us ushort, u uint, ul ulong,
    # n bigint (all integers here)
    r"(?P<suffix>(?:[uU][lLyYsS]?|[yYsSnN]|[lLdD])(?![A-Za-z]))?(?P<mult>[kKmMgGtTpP][bB])?"
)
_SQ_RUN_RE = re.compile("[^'\u2018\u2019\u201a\u201b]*")
_DQ_RUN_RE = re.compile('[^`$"\u201c\u201d\u201e]*')
_EXPAND_RUN_RE = re.compile('[^`$"\u201c\u201d\u201e]+')
# characters where skip_space may have something to skip
_SKIP_START = WHITESPACE | frozenset("#<`")
# expression-mode punctuation that no longer operator starts with
_ONE_CHAR_PUNCT = frozenset("()[]{},")
_QUOTES_AT = SINGLE_QUOTES | DOUBLE_QUOTES | {"@"}
_DIGITS_RE = re.compile(r"\d+")
# characters that may continue a number literal after its digits (decimals, exponent, suffixes, multipliers, hex)
_NUMBER_MORE = frozenset(".eElLdDkKmMgGtTpPxXbBuUyYsSnN")
_MULT = {"k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4, "p": 1024**5}

BACKTICK_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
                    "v": "\v"}

# expression-mode punctuation, longest first
_PUNCT = (
    "??=", "@(", "@{", "$(", "::", "..", "++", "--", "+=", "-=", "*=", "/=", "%=", "??", "&&", "||",
    "(", ")", "{", "}", "[", "]", ",", ".", "=", "+", "-", "*", "/", "%", "!", "|", "&", "?", ":",
)

#: first character -> the punctuation starting with it, longest first
_PUNCT_BY_CHAR: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {c: tuple(p for p in _PUNCT if p[0] == c) for c in dict.fromkeys(p[0] for p in _PUNCT)})


_MODELESS = frozenset({T_NEWLINE, T_SEMI, T_EOF, T_STRING, T_XSTRING,
                       T_SPLAT, T_REDIRECTION})
_SHARED_OPS = frozenset({"(", ")", "{", "}", "@(", "@{", "$(", ",", "|", "||", "&&", "=", "-not", "-bnot", "-join",
                         "-split", "!", "["})


class SourceMap:
    """Offsets → line/column, with a line-start table (cheap spans for every AST node)."""

    __slots__ = ("text", "_starts", "one_line")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._starts = starts
        self.one_line = len(starts) == 1

    def span(self, start: int, end: int) -> Span:
        if end < start:
            end = start
        if self.one_line:
            return Span(start, 1, start + 1, end)
        line = bisect.bisect_right(self._starts, start)
        return Span(start, line, start - self._starts[line - 1] + 1, end)


class Lexer:
    """Scans tokens on demand. ``scan(pos, mode)`` returns the token at or after ``pos``."""

    __slots__ = ("text", "n", "source", "_start", "_cmd", "_expr", "caches")

    def __init__(self, text: str, source: SourceMap | None = None) -> None:
        self.text = text
        self.n = len(text)
        self.source = source or SourceMap(text)
        # scanned tokens by offset, one table per mode (the parser peeks these directly)
        self._start: dict[int, Token] = {}
        self._cmd: dict[int, Token] = {}
        self._expr: dict[int, Token] = {}
        self.caches: dict[str, dict[int, Token]] = {"start": self._start, "cmd": self._cmd, "expr": self._expr}

    # errors --------------------------------------------------------------------------------------
    def error(self, message: str, start: int, end: int | None = None, *, error_id: str = "UnexpectedToken",
              incomplete: bool = False) -> ParseError:
        return ParseError(message, self.source.span(start, end if end is not None else start + 1), self.text,
                          error_id=error_id, incomplete=incomplete)

    # whitespace and comments -----------------------------------------------------------------------
    def skip_space(self, pos: int) -> int:
        """Skip whitespace, comments and backtick line continuations (not newlines)."""
        text, n = self.text, self.n
        while pos < n:
            c = text[pos]
            if c in WHITESPACE:
                pos += 1
            elif c == "#":
                nl = text.find("\n", pos)
                pos = n if nl < 0 else nl
            elif c == "<" and text.startswith("<#", pos):
                close = text.find("#>", pos + 2)
                if close < 0:
                    raise self.error("Missing closing '#>' of the block comment.", pos, pos + 2,
                                     error_id="MissingEndOfBlockComment", incomplete=True)
                pos = close + 2
            elif c == "`" and pos + 1 < n and text[pos + 1] in "\r\n":
                pos += 2
                if text[pos - 1] == "\r" and pos < n and text[pos] == "\n":
                    pos += 1
            elif c == "`" and pos + 1 >= n:
                raise self.error("Incomplete line continuation.", pos, pos + 1, error_id="IncompleteContinuation",
                                 incomplete=True)
            else:
                break
        return pos

    def token_start(self, pos: int) -> int:
        """``skip_space`` with a fast path for plain blanks: the offset where the next token starts."""
        text, n = self.text, self.n
        if pos < n and text[pos] == " ":
            pos += 1
        if pos < n and text[pos] in _SKIP_START:
            pos = self.skip_space(pos)
        return pos

    # entry point -----------------------------------------------------------------------------------
    def scan(self, pos0: int, mode: Mode) -> Token:
        cache = self.caches[mode]
        tok = cache.get(pos0)
        if tok is not None:
            return tok
        text, n = self.text, self.n
        pos = pos0
        if pos < n and text[pos] == " ":  # the usual single blank, without a call
            pos += 1
        if pos < n and text[pos] in _SKIP_START:
            pos = self.skip_space(pos)
        space = pos != pos0 or pos0 == 0
        if pos >= n:
            tok = Token(T_EOF, "", n, n, space_before=space)
        else:
            c = text[pos]
            if c == "\n" or c == "\r":
                end = pos + 2 if text.startswith("\r\n", pos) else pos + 1
                tok = Token(T_NEWLINE, text[pos:end], pos, end, text[pos:end], space_before=space)
            elif c == ";":
                tok = Token(T_SEMI, ";", pos, pos + 1, space_before=space)
            else:
                if c == "$":
                    tok = self._scan_dollar(pos, mode)
                elif c in _QUOTES_AT:
                    tok = self._scan_quoted_or_at(pos, c, mode)
                elif mode == "cmd":
                    tok = self._scan_cmd(pos)
                else:
                    tok = self._scan_expr(pos, mode)
                tok.space_before = space
        cache[pos0] = tok
        kind = tok.kind
        if kind in _MODELESS or (kind is T_VARIABLE and mode == "cmd"):
            self._start[pos0] = self._expr[pos0] = self._cmd[pos0] = tok
        elif kind is T_VARIABLE or (kind is T_OP and tok.value in _SHARED_OPS):
            self._start[pos0] = self._expr[pos0] = tok
        elif kind is T_NUMBER and mode == "start":
            # a number in start mode is one in expression mode too (start only refuses '12ab' as a number)
            self._expr[pos0] = tok
        return tok

    def _scan_quoted_or_at(self, pos: int, c: str, mode: Mode) -> Token:
        """A string (``c`` a quote) or an ``@`` token at ``pos``."""
        text = self.text
        if c in SINGLE_QUOTES:
            end, value = self.scan_single_quoted(pos)
            return Token(T_STRING, text[pos:end], pos, end, value)
        if c in DOUBLE_QUOTES:
            end, value, parts = self.scan_double_quoted(pos)
            return Token(T_XSTRING, text[pos:end], pos, end, value, parts)
        return self._scan_at(pos, mode)

    # $ ---------------------------------------------------------------------------------------------
    def scan_variable(self, pos: int) -> tuple[int, VarRef] | None:
        """Scan ``$name``/``${name}``/``$env:X``/``$_``/``$?`` at ``pos`` (the ``$``); None if not a variable."""
        text, n = self.text, self.n
        p = pos + 1
        if p >= n:
            return None
        c = text[p]
        if c == "{":
            close = p + 1
            buf = []
            while close < n and text[close] != "}":
                if text[close] == "`" and close + 1 < n:
                    close += 1
                buf.append(text[close])
                close += 1
            if close >= n:
                raise self.error("Missing closing '}' in the variable name.", pos, n, error_id="IncompleteDollarVariable",
                                 incomplete=True)
            return close + 1, _split_scope("".join(buf))
        if c in "?$^":
            return p + 1, VarRef("", c)
        m = _VARNAME_RE.match(text, p)
        if m is None:
            return None
        end = m.end()
        name = m.group()
        # scope or drive qualifier: $env:NAME, $script:x (a ':' followed by a name character)
        if end + 1 < n and text[end] == ":" and text[end + 1] != ":":
            m2 = _VARNAME_RE.match(text, end + 1)
            if m2 is not None:
                return m2.end(), VarRef(name.lower() if name.lower() in SCOPES else name, m2.group())
        return end, VarRef("", name)

    def _scan_dollar(self, pos: int, mode: Mode) -> Token:
        text, n = self.text, self.n
        if text.startswith("$(", pos):
            if mode == "cmd":
                close = self.find_subexpression_end(pos + 2)
                if close + 1 < n and text[close + 1] not in FORCE_NEW:
                    return self._scan_generic(pos)
            return Token(T_OP, "$(", pos, pos + 2, "$(")
        hit = self.scan_variable(pos)
        if hit is None:
            if mode == "cmd":
                return self._scan_generic(pos)
            raise self.error("Variable reference is not valid. '$' was not followed by a valid variable name "
                             "character. Consider using ${} to delimit the name.", pos, pos + 1,
                             error_id="InvalidVariableReference")
        end, ref = hit
        if mode == "cmd" and end < n and text[end] not in FORCE_NEW and text[end] not in ".[":
            return self._scan_generic(pos)
        return Token(T_VARIABLE, text[pos:end], pos, end, ref)

    def find_subexpression_end(self, pos: int) -> int:
        """Given the offset just after ``$(`` (or ``(``), return the offset of the matching ``)``."""
        depth = 1
        mode: Mode = "start"
        while True:
            tok = self.scan(pos, mode)
            if tok.kind is T_EOF:
                raise self.error("Missing closing ')' in subexpression.", pos, pos, error_id="MissingEndParenthesisInSubexpression",
                                 incomplete=True)
            if tok.kind is T_OP:
                v = tok.value
                if v in ("(", "$(", "@(", "{", "@{"):
                    depth += 1
                elif v in (")", "}"):
                    depth -= 1
                    if depth == 0:
                        return tok.start
                mode = "start" if v in ("(", "$(", "@(", "{", "|", ";", "&&", "||", "=") else "expr"
            elif tok.kind in (T_NEWLINE, T_SEMI):
                mode = "start"
            elif tok.kind is T_GENERIC:
                mode = "cmd"
            elif mode == "start":
                mode = "expr"
            pos = tok.end

    # @ ---------------------------------------------------------------------------------------------
    def _scan_at(self, pos: int, mode: Mode) -> Token:
        text, n = self.text, self.n
        nxt = text[pos + 1] if pos + 1 < n else ""
        if nxt == "(":
            return Token(T_OP, "@(", pos, pos + 2, "@(")
        if nxt == "{":
            return Token(T_OP, "@{", pos, pos + 2, "@{")
        if nxt in SINGLE_QUOTES or nxt in DOUBLE_QUOTES:
            return self._scan_here_string(pos, nxt in DOUBLE_QUOTES)
        m = _VARNAME_RE.match(text, pos + 1)
        if m is not None:
            return Token(T_SPLAT, text[pos:m.end()], pos, m.end(), m.group())
        if mode == "cmd":
            return self._scan_generic(pos)
        raise self.error("Unrecognized token in source text.", pos, pos + 1, error_id="UnrecognizedToken")

    def _scan_here_string(self, pos: int, expandable: bool) -> Token:
        text, n = self.text, self.n
        q = '"' if expandable else "'"
        p = pos + 2
        while p < n and text[p] in WHITESPACE:
            p += 1
        if p >= n:
            raise self.error(f"The string is missing the terminator: {q}@.", pos, n,
                             error_id="TerminatorExpectedAtEndOfString", incomplete=True)
        if text[p] not in "\r\n":
            raise self.error("No characters are allowed after a here-string header but before the end of the line.",
                             p, p + 1, error_id="UnexpectedCharactersAfterHereStringHeader")
        body_start = p + (2 if text.startswith("\r\n", p) else 1)
        # the terminator is a line starting with q@
        search = body_start
        while True:
            idx = text.find(q + "@", search)
            if idx < 0:
                raise self.error(f"The string is missing the terminator: {q}@.", pos, n,
                                 error_id="TerminatorExpectedAtEndOfString", incomplete=True)
            if idx == body_start or text[idx - 1] == "\n":
                break
            search = idx + 1
        body_end = idx
        if body_end > body_start:
            body_end -= 1  # the newline before the terminator
            if body_end > body_start and text[body_end - 1] == "\r":
                body_end -= 1
        end = idx + 2
        raw = text[pos:end]
        if not expandable:
            return Token(T_STRING, raw, pos, end, text[body_start:body_end])
        value, parts = self.expand_parts(body_start, body_end, here=True)
        return Token(T_XSTRING, raw, pos, end, value, parts)

    # strings ---------------------------------------------------------------------------------------
    def scan_single_quoted(self, pos: int) -> tuple[int, str]:
        text, n = self.text, self.n
        p = pos + 1
        run = _SQ_RUN_RE.match
        buf: list[str] = []
        while True:
            q = run(text, p).end()  # type: ignore[union-attr]  # '*' always matches
            if q >= n:
                raise self.error("The string is missing the terminator: '.", pos, n,
                                 error_id="TerminatorExpectedAtEndOfString", incomplete=True)
            if q + 1 < n and text[q + 1] in SINGLE_QUOTES:
                buf.append(text[p:q + 1])
                p = q + 2
                continue
            if not buf:
                return q + 1, text[p:q]
            buf.append(text[p:q])
            return q + 1, "".join(buf)

    def scan_double_quoted(self, pos: int) -> tuple[int, str, tuple[StringPart, ...]]:
        """Scan ``"..."`` at ``pos``; returns (end, literal value if no expansions, parts)."""
        text, n = self.text, self.n
        p = pos + 1
        run = _DQ_RUN_RE.match
        while True:
            p = run(text, p).end()  # type: ignore[union-attr]  # '*' always matches
            if p >= n:
                raise self.error('The string is missing the terminator: ".', pos, n,
                                 error_id="TerminatorExpectedAtEndOfString", incomplete=True)
            c = text[p]
            if c == "`":
                p += 2
                continue
            if c == "$" and text.startswith("$(", p):
                p = self.find_subexpression_end(p + 2) + 1
                continue
            if c == "$" and p + 1 < n and text[p + 1] == "{":
                close = text.find("}", p)
                p = n if close < 0 else close + 1
                continue
            if c in DOUBLE_QUOTES:
                if p + 1 < n and text[p + 1] in DOUBLE_QUOTES:
                    p += 2
                    continue
                break
            p += 1
        value, parts = self.expand_parts(pos + 1, p, here=False)
        return p + 1, value, parts

    def expand_parts(self, start: int, end: int, *, here: bool,
                     stop_at_force_new: bool = False) -> tuple[str, tuple[StringPart, ...]]:
        """Split the body ``text[start:end]`` of an expandable string into literal text and $-parts."""
        text = self.text
        parts: list[StringPart] = []
        buf: list[str] = []
        p = start
        run = _EXPAND_RUN_RE.match
        while p < end:
            m = run(text, p, end)
            if m is not None:
                buf.append(m.group())
                p = m.end()
                if p >= end:
                    break
            c = text[p]
            if c == "`" and p + 1 < end:
                nc = text[p + 1]
                if nc == "u" and text.startswith("{", p + 2):
                    close = text.find("}", p + 3, end)
                    if close > 0:
                        try:
                            buf.append(chr(int(text[p + 3:close], 16)))
                            p = close + 1
                            continue
                        except ValueError:
                            pass
                buf.append(BACKTICK_ESCAPES.get(nc, nc))
                p += 2
                continue
            if c in DOUBLE_QUOTES and not here and p + 1 < end and text[p + 1] in DOUBLE_QUOTES:
                buf.append(c)
                p += 2
                continue
            if c == "$" and p + 1 < end:
                if text[p + 1] == "(":
                    close = self.find_subexpression_end(p + 2)
                    if buf:
                        parts.append("".join(buf))
                        buf = []
                    parts.append(SubPart(p + 2, close))
                    p = close + 1
                    continue
                hit = self.scan_variable(p)
                if hit is not None and hit[0] <= end:
                    vend, ref = hit
                    if buf:
                        parts.append("".join(buf))
                        buf = []
                    parts.append(VarPart(ref, p, vend))
                    p = vend
                    continue
            buf.append(c)
            p += 1
        if buf:
            parts.append("".join(buf))
        if all(isinstance(x, str) for x in parts):
            return "".join(x for x in parts if isinstance(x, str)), ()
        return "", tuple(parts)

    # command mode ----------------------------------------------------------------------------------
    def _scan_cmd(self, pos: int) -> Token:
        text, n = self.text, self.n
        c = text[pos]
        nxt = text[pos + 1] if pos + 1 < n else "\0"
        if c in "(){},":
            return Token(T_OP, c, pos, pos + 1, c)
        if c == "|":
            if nxt == "|":
                return Token(T_OP, "||", pos, pos + 2, "||")
            return Token(T_OP, "|", pos, pos + 1, "|")
        if c == "&":
            if nxt == "&":
                return Token(T_OP, "&&", pos, pos + 2, "&&")
            return Token(T_OP, "&", pos, pos + 1, "&")
        if c == ">" or (nxt == ">" and c in "123456*"):
            redir = self._scan_redirection(pos)
            if redir is not None:
                return redir
        if c == "<":
            return Token(T_LT, "<", pos, pos + 1, "<")
        if c in DASHES:
            if nxt.isdigit() or (nxt == "." and pos + 2 < n and text[pos + 2].isdigit()):
                num = self._scan_number(pos + 1, "cmd", negative=True, start=pos)
                if num is not None:
                    return num
                return self._scan_generic(pos)
            if nxt in DASHES and (pos + 2 >= n or text[pos + 2] in FORCE_NEW):
                return Token(T_GENERIC, "--", pos, pos + 2, "--")
            if nxt not in FORCE_NEW and nxt not in DASHES and nxt != ":":
                m = _PARAM_RE.match(text, pos + 1)
                if m is not None:
                    end = m.end()
                    if end < n and (text[end] in SINGLE_QUOTES or text[end] in DOUBLE_QUOTES):
                        return self._scan_generic(pos)
                    colon = end < n and text[end] == ":"
                    return Token(T_PARAMETER, text[pos:end + (1 if colon else 0)], pos, end + (1 if colon else 0),
                                 m.group(), colon=colon)
            return self._scan_generic(pos)
        if c.isdigit() or (c == "." and nxt.isdigit()):
            num = self._scan_number(pos, "cmd")
            if num is not None:
                return num
            return self._scan_generic(pos)
        if c == "." and (nxt in WHITESPACE or nxt in "{$\"'(\0"):
            return Token(T_OP, ".", pos, pos + 1, ".")
        if c == "=" and nxt in FORCE_NEW:
            return Token(T_OP, "=", pos, pos + 1, "=")
        return self._scan_generic(pos)

    def _scan_redirection(self, pos: int) -> Token | None:
        text, n = self.text, self.n
        c = text[pos]
        stream = "1"
        p = pos
        if c in "123456*" and pos + 1 < n and text[pos + 1] == ">":
            stream = c
            p += 1
        elif c != ">":
            return None
        p += 1  # past '>'
        if p < n and text[p] == ">":
            end = p + 1
            return Token(T_REDIRECTION, text[pos:end], pos, end, Redir(stream, True, None))
        if p + 1 < n and text[p] == "&" and text[p + 1] in "123456":
            end = p + 2
            return Token(T_REDIRECTION, text[pos:end], pos, end, Redir(stream, False, text[p + 1]))
        return Token(T_REDIRECTION, text[pos:p], pos, p, Redir(stream, False, None))

    def _scan_generic(self, pos: int) -> Token:
        """A command-mode bareword: ends at whitespace or ``; , | ) } & ( {``; quotes and ``$`` embed."""
        text, n = self.text, self.n
        p = pos
        expandable = False
        while p < n:
            m = _SIMPLE_GENERIC_RE.match(text, p)
            if m is not None:
                p = m.end()
                if p >= n:
                    break
            c = text[p]
            if c in FORCE_NEW:
                break
            if c == "`":
                if p + 1 < n and text[p + 1] in "\r\n":
                    break
                expandable = True
                p += 2
            elif c in SINGLE_QUOTES:
                p, _ = self.scan_single_quoted(p)
                expandable = True
            elif c in DOUBLE_QUOTES:
                p, _, _ = self.scan_double_quoted(p)
                expandable = True
            elif c == "$":
                expandable = True
                if text.startswith("$(", p):
                    p = self.find_subexpression_end(p + 2) + 1
                else:
                    hit = self.scan_variable(p)
                    p = hit[0] if hit is not None else p + 1
            elif c in WHITESPACE:
                break
            else:
                p += 1
        p = min(p, n)
        raw = text[pos:p]
        if not expandable:
            return Token(T_GENERIC, raw, pos, p, raw)
        value, parts = self._generic_parts(pos, p)
        return Token(T_GENERIC, raw, pos, p, value, parts)

    def _generic_parts(self, start: int, end: int) -> tuple[str, tuple[StringPart, ...]]:
        """Resolve quotes, backticks and ``$`` expansions of a bareword."""
        text = self.text
        parts: list[StringPart] = []
        seg_start = start
        p = start

        def flush_expandable(a: int, b: int) -> None:
            if a < b:
                _, sub = self.expand_parts(a, b, here=True)
                if sub:
                    parts.extend(sub)
                else:
                    v, _ = self.expand_parts(a, b, here=True)
                    parts.append(v)

        while p < end:
            c = text[p]
            if c in SINGLE_QUOTES:
                flush_expandable(seg_start, p)
                q_end, value = self.scan_single_quoted(p)
                parts.append(value)
                p = seg_start = q_end
            elif c in DOUBLE_QUOTES:
                flush_expandable(seg_start, p)
                q_end, value, sub = self.scan_double_quoted(p)
                if sub:
                    parts.extend(sub)
                else:
                    parts.append(value)
                p = seg_start = q_end
            elif c == "`":
                p += 2
            else:
                p += 1
        flush_expandable(seg_start, end)
        merged: list[StringPart] = []
        for part in parts:
            if isinstance(part, str) and merged and isinstance(merged[-1], str):
                merged[-1] = merged[-1] + part
            else:
                merged.append(part)
        if all(isinstance(x, str) for x in merged):
            return "".join(x for x in merged if isinstance(x, str)), ()
        return "", tuple(merged)

    # numbers ---------------------------------------------------------------------------------------
    def _scan_number(self, pos: int, mode: Mode, *, negative: bool = False, start: int | None = None) -> Token | None:
        text, n = self.text, self.n
        m = _DIGITS_RE.match(text, pos)
        if m is not None:
            end = m.end()
            if end >= n or text[end] not in _NUMBER_MORE:
                # a plain decimal integer (what _NUMBER_RE would match as 'dec' alone): skip the general rules
                if end < n:
                    nc = text[end]
                    if mode == "cmd":
                        if nc not in FORCE_NEW:
                            return None
                    elif (nc.isalnum() or nc == "_") and mode == "start":
                        return None
                s = start if start is not None else pos
                number = int(m.group())
                return Token(T_NUMBER, text[s:end], s, end, -number if negative else number)
        m = _NUMBER_RE.match(text, pos)
        if m is None:
            return None
        end = m.end()
        # '1..5': the range operator, not a decimal point
        dec = m.group("dec")
        if dec is not None and dec.endswith(".") and end < n and text[end - 1] == "." and text[end] == "." \
                and m.group("suffix") is None and m.group("mult") is None:
            end -= 1
            dec = dec[:-1]
        elif dec is not None and "." in dec and end < n and text[end] == "." and text.startswith(".", end):
            pass
        if end < n:
            nc = text[end]
            if mode == "cmd":
                if nc not in FORCE_NEW:
                    return None
            elif nc.isalnum() or nc == "_":
                if mode == "start":
                    return None
        s = start if start is not None else pos
        value: int | float
        suffix = (m.group("suffix") or "").lower()
        mult = _MULT[m.group("mult")[0].lower()] if m.group("mult") else 1
        if m.group("hex") is not None:
            value = int(m.group("hex"), 16)
            if value >= 2**31 and value < 2**32 and len(m.group("hex")) <= 8 and suffix == "":
                value -= 2**32
        elif m.group("bin") is not None:
            value = int(m.group("bin"), 2)
        else:
            assert dec is not None
            if "." in dec or "e" in dec.lower() or suffix == "d":
                value = float(dec)
                if suffix == "" and value.is_integer() and mult > 1:
                    value = value * mult
                    mult = 1
            else:
                value = int(dec)
        value = value * mult
        if negative:
            value = -value
        sized = SUFFIX_TYPES.get(suffix)
        if sized is not None and isinstance(value, int):
            value = sized(value)
        return Token(T_NUMBER, text[s:end], s, end, value)

    # expression mode -------------------------------------------------------------------------------
    def _scan_expr(self, pos: int, mode: Mode) -> Token:
        text, n = self.text, self.n
        c = text[pos]
        # fast paths for the most frequent tokens (the general rules below give the same results)
        if c in _ONE_CHAR_PUNCT:
            return Token(T_OP, c, pos, pos + 1, c)
        if mode == "expr" and (c.isalpha() or c == "_"):
            m = _IDENT_RE.match(text, pos)
            if m is not None:
                word = m.group()
                return Token(T_IDENT, word, pos, m.end(), word)
        nxt = text[pos + 1] if pos + 1 < n else "\0"
        if nxt == ">" and c in "123456*":
            redir = self._scan_redirection(pos)
            if redir is not None:
                return redir
        if c.isdigit() or (c == "." and nxt.isdigit()):
            num = self._scan_number(pos, mode)
            if num is not None:
                return num
            if mode == "start":
                return self._scan_generic(pos)
        if c in DASHES and nxt.isalpha():
            m = _IDENT_RE.match(text, pos + 1)
            if m is not None:
                word = m.group().lower()
                op = DASH_OPERATORS.get(word)
                if op is not None:
                    return Token(T_OP, text[pos:m.end()], pos, m.end(), "-" + op)
            if mode == "start":
                return self._scan_cmd(pos)
            return Token(T_OP, "-", pos, pos + 1, "-")
        if mode == "start":
            if c == "&" and nxt != "&":
                return Token(T_OP, "&", pos, pos + 1, "&")
            if c == "." and (nxt in WHITESPACE or nxt in "{$\"'(\0"):
                return Token(T_OP, ".", pos, pos + 1, ".")
            if c in DASHES and (nxt.isdigit() or nxt == "."):
                return Token(T_OP, "-", pos, pos + 1, "-")
            if c in DASHES and nxt in DASHES:
                return Token(T_OP, "--", pos, pos + 2, "--")
            if c in DASHES:
                return Token(T_OP, "-", pos, pos + 1, "-")
            if c not in "()[]{},;|&!+*/%=<>?:" and c not in DASHES and c not in FORCE_NEW:
                return self._scan_generic(pos)
            if c == "[":
                return Token(T_OP, "[", pos, pos + 1, "[")
        if c == ">":  # ('1>' and friends are handled above)
            redir = self._scan_redirection(pos)
            if redir is not None:
                return redir
        if c == "<":
            return Token(T_LT, "<", pos, pos + 1, "<")
        if c.isalpha() or c == "_":
            m = _IDENT_RE.match(text, pos)
            if m is not None:
                return Token(T_IDENT, m.group(), pos, m.end(), m.group())
        for p in _PUNCT_BY_CHAR.get(c, ()):
            if text.startswith(p, pos):
                if p == "??" and text.startswith("??=", pos):
                    p = "??="
                return Token(T_OP, p, pos, pos + len(p), p)
        if c in DASHES:
            return Token(T_OP, "-", pos, pos + 1, "-")
        return Token(T_OP, c, pos, pos + 1, c)

    # type names ------------------------------------------------------------------------------------
    def scan_type_name(self, pos: int) -> tuple[int, str]:
        """Scan a type name after ``[``: ``System.Text.Encoding``, ``string[]``, ``Dictionary[string,int]``."""
        text, n = self.text, self.n
        p = self.skip_space(pos)
        start = p
        while p < n and (text[p].isalnum() or text[p] in "._`+"):
            p += 1
        name = text[start:p]
        # generic arguments / array suffix
        while p < n and text[p] == "[":
            q = p + 1
            if q < n and text[q] == "]":
                name += "[]"
                p = q + 1
                continue
            if q < n and text[q] == ",":
                break
            depth = 1
            q = p + 1
            while q < n and depth:
                if text[q] == "[":
                    depth += 1
                elif text[q] == "]":
                    depth -= 1
                q += 1
            if depth:
                break
            name += text[p:q]
            p = q
        return p, name


def _split_scope(name: str) -> VarRef:
    if ":" in name:
        scope, _, rest = name.partition(":")
        if scope.lower() in SCOPES:
            return VarRef(scope.lower(), rest)
        if rest:
            return VarRef(scope, rest)
    return VarRef("", name)


def tokenize(text: str) -> list[Token]:
    """Tokenize a whole text with a simple statement-start / argument / expression mode tracker."""
    lx = Lexer(text)
    out: list[Token] = []
    pos = 0
    mode: Mode = "start"
    depth_stack: list[Mode] = []
    while True:
        tok = lx.scan(pos, mode)
        out.append(tok)
        if tok.kind is T_EOF:
            return out
        pos = tok.end
        if tok.kind in (T_NEWLINE, T_SEMI):
            mode = "start"
        elif tok.kind is T_GENERIC and mode == "start":
            mode = "cmd"
        elif tok.kind is T_OP:
            v = tok.value
            if v in ("(", "$(", "@(", "{"):
                depth_stack.append(mode)
                mode = "start"
            elif v == "@{":
                depth_stack.append(mode)
                mode = "expr"
            elif v in (")", "}"):
                mode = depth_stack.pop() if depth_stack else "expr"
                if mode == "start":
                    mode = "expr"
            elif v in ("|", "&&", "||", "=", "+=", "-=", "*=", "/=", "%=", "??="):
                mode = "start"
            elif mode == "start" and v in ("&", "."):
                mode = "start"
            elif mode == "start":
                mode = "expr"
        elif mode == "start":
            mode = "expr"
