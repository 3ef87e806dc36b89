"""JSON as ARM reads it: Json.NET's ``JsonTextReader`` rules, with line and position on every failure.

ARM reads every request body, templates included, with Json.NET (and Az PowerShell parses a template file the same
way before sending it; azure-cli even sends a template's text as written, comments and all), which is
more lenient than RFC 8259 on purpose: ``//`` and ``/* */`` comments, a trailing comma before ``}`` or ``]``
(Json.NET issue #818: "It is on purpose. It is not configurable."), single-quoted strings and unquoted property
names are accepted. Anything else fails with Json.NET's own message, ``Path '…', line N, position M.``, which ARM
wraps as ``Deployment template parse failed: '…'.`` (code ``InvalidTemplate``)::

    doc = read_json(text)             # a JsonDocument: .value and .where(path) -> (line, position)
    read_json('{"a": }')              # JsonParseError: Unexpected character encountered while parsing value: }.
                                      #   Path 'a', line 1, position 6.

Positions follow Json.NET: lines count from 1; ``position`` is the number of characters read on that line when
the reader stopped (the offending character included). Paths are Json.NET's (``resources[0].properties.x``,
``['odd key']``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["JsonDocument", "JsonParseError", "child_path", "conversion_error", "member_not_found", "read_json",
           "with_position"]

_IDENT = re.compile(r"[A-Za-z0-9_$]")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_PLAIN_KEY = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")
#: how deep objects and arrays may nest (Json.NET's reader refuses more; ARM templates never come close)
MAX_DEPTH = 128
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class JsonParseError(ValueError):
    """Json.NET's ``JsonReaderException``: ``message`` ends with ``Path '…', line N, position M.``"""

    def __init__(self, message: str, line: int, position: int, path: str) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.position = position
        self.path = path


@dataclass
class JsonDocument:
    """A parsed document and where each of its objects and properties was (by Json.NET path)."""

    value: Any
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: where the reader stood after each property's value
    ends: dict[str, tuple[int, int]] = field(default_factory=dict)

    def where(self, path: str) -> tuple[int, int]:
        """(line, position) of the object or property at ``path``; (0, 0) when unknown (ARM's "no line info")."""
        return self.positions.get(path, (0, 0))

    def end_of(self, path: str) -> tuple[int, int]:
        """(line, position) after the value of the property at ``path``; (0, 0) when unknown."""
        return self.ends.get(path, (0, 0))


def child_path(parent: str, key: str | int) -> str:
    """Json.NET's path of a property or array item under ``parent``."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    part = key if _PLAIN_KEY.match(key) else "['" + key.replace("'", "\\'") + "']"
    if part.startswith("["):
        return f"{parent}{part}"
    return f"{parent}.{part}" if parent else part


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text.lstrip("\ufeff")
        self.i = 0
        self.line = 1
        self.line_start = 0
        self.positions: dict[str, tuple[int, int]] = {}
        self.depth = 0
        self.ends: dict[str, tuple[int, int]] = {}

    # -- position ----------------------------------------------------------------------------------------
    def pos(self) -> int:
        return self.i - self.line_start

    def fail(self, message: str, path: str, *, consumed: bool = True) -> JsonParseError:
        position = self.pos() + (1 if consumed and self.i < len(self.text) else 0)
        return JsonParseError(f"{message} Path '{path}', line {self.line}, position {position}.", self.line,
                              position, path)

    def advance(self, n: int = 1) -> None:
        for _ in range(n):
            if self.i < len(self.text) and self.text[self.i] == "\n":
                self.line += 1
                self.line_start = self.i + 1
            self.i += 1

    def peek(self) -> str:
        return self.text[self.i] if self.i < len(self.text) else ""

    def skip(self, path: str) -> None:
        """Whitespace and comments."""
        t = self.text
        while self.i < len(t):
            c = t[self.i]
            if c in " \t\r\n\ufeff\u00a0":
                self.advance()
            elif t.startswith("//", self.i):
                while self.i < len(t) and t[self.i] != "\n":
                    self.advance()
            elif t.startswith("/*", self.i):
                end = t.find("*/", self.i + 2)
                if end < 0:
                    self.advance(len(t) - self.i)
                    raise self.fail("Unexpected end while parsing comment.", path, consumed=False)
                self.advance(end + 2 - self.i)
            elif c == "/":
                self.advance()
                raise self.fail(f"Error parsing comment. Expected: *, got {self.peek() or 'end of data'}.", path,
                                consumed=False)
            else:
                return

    # -- values ------------------------------------------------------------------------------------------
    def value(self, path: str, container: str, *, at: str | None = None) -> Any:
        """A value at ``path``; failures before it starts name ``at`` (an array's own path: Json.NET has not
        moved to the new item yet)."""
        where = path if at is None else at
        self.skip(where)
        c = self.peek()
        if not c:
            raise self.fail(f"Unexpected end of content while loading {container}.", where, consumed=False)
        if c == "{":
            return self.obj(path)
        if c == "[":
            return self.arr(path)
        if c in "\"'":
            return self.string(path)
        m = _NUMBER.match(self.text, self.i)
        if m:
            self.advance(len(m.group(0)))
            s = m.group(0)
            return float(s) if any(x in s for x in ".eE") else int(s)
        for word, val in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.i) and not _IDENT.match(self.text[self.i + len(word):][:1] or " "):
                self.advance(len(word))
                return val
        raise self.fail(f"Unexpected character encountered while parsing value: {c}.", where)

    def string(self, path: str) -> str:
        quote = self.peek()
        self.advance()
        out: list[str] = []
        t = self.text
        while True:
            if self.i >= len(t):
                raise self.fail(f"Unterminated string. Expected delimiter: {quote}.", path, consumed=False)
            c = t[self.i]
            if c == quote:
                self.advance()
                return "".join(out)
            if c == "\\":
                nxt = t[self.i + 1:self.i + 2]
                if nxt in _ESCAPES:
                    out.append(_ESCAPES[nxt])
                    self.advance(2)
                    continue
                if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", t[self.i + 2:self.i + 6]):
                    out.append(chr(int(t[self.i + 2:self.i + 6], 16)))
                    self.advance(6)
                    continue
                self.advance(2)
                raise self.fail(f"Bad JSON escape sequence: \\{nxt}.", path, consumed=False)
            out.append(c)
            self.advance()

    def enter(self, path: str) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.fail(f"The reader's MaxDepth of {MAX_DEPTH} has been exceeded.", path, consumed=False)

    def obj(self, path: str) -> dict[str, Any]:
        self.enter(path)
        self.advance()  # {
        self.positions[path] = (self.line, self.pos())
        out: dict[str, Any] = {}
        current = path
        while True:
            self.skip(current)
            c = self.peek()
            if not c:
                raise self.fail("Unexpected end of content while loading JObject.", current, consumed=False)
            if c == "}":
                self.advance()
                self.depth -= 1
                return out
            if c in "\"'":
                key = self.string(current)
            elif _IDENT.match(c):
                start = self.i
                while self.i < len(self.text) and _IDENT.match(self.text[self.i]):
                    self.advance()
                key = self.text[start:self.i]
            else:
                raise self.fail(f"Invalid property identifier character: {c}.", current)
            current = child_path(path, key)
            self.positions[current] = (self.line, self.pos())
            self.skip(current)
            c = self.peek()
            if c != ":":
                if not c:
                    raise self.fail("Unexpected end of content while loading JObject.", current, consumed=False)
                raise self.fail(f"Invalid character after parsing property name. Expected ':' but got: {c}.", current)
            self.advance()
            out[key] = self.value(current, "JObject")
            self.ends[current] = (self.line, self.pos())
            self.skip(current)
            c = self.peek()
            if c == ",":
                self.advance()
                continue
            if c == "}":
                self.advance()
                self.depth -= 1
                return out
            if not c:
                raise self.fail("Unexpected end of content while loading JObject.", current, consumed=False)
            raise self.fail(f"After parsing a value an unexpected character was encountered: {c}.", current)

    def arr(self, path: str) -> list[Any]:
        self.enter(path)
        self.advance()  # [
        self.positions[path] = (self.line, self.pos())
        out: list[Any] = []
        while True:
            self.skip(path)
            c = self.peek()
            if not c:
                raise self.fail("Unexpected end of content while loading JArray.", path, consumed=False)
            if c == "]":
                self.advance()
                self.depth -= 1
                return out
            item = child_path(path, len(out))
            out.append(self.value(item, "JArray", at=path))
            self.skip(item)
            c = self.peek()
            if c == ",":
                self.advance()
                continue
            if c == "]":
                self.advance()
                self.depth -= 1
                return out
            if not c:
                raise self.fail("Unexpected end of content while loading JArray.", item, consumed=False)
            raise self.fail(f"After parsing a value an unexpected character was encountered: {c}.", item)


def _kind(value: Any) -> str:
    """Json.NET's ``JsonToken`` name of a value (for "is not an object" messages)."""
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "StartArray"
    return "Null"


def read_json(text: str, *, require_object: bool = True) -> JsonDocument:
    """Parse ``text`` as Json.NET's ``JObject.Parse`` would; raises :class:`JsonParseError`."""
    reader = _Reader(text)
    reader.skip("")
    if not reader.peek():
        raise JsonParseError("Error reading JObject from JsonReader. Path '', line 0, position 0.", 0, 0, "")
    value = reader.value("", "JObject")
    if require_object and not isinstance(value, dict):
        raise JsonParseError(
            f"Error reading JObject from JsonReader. Current JsonReader item is not an object: {_kind(value)}. "
            f"Path '', line {reader.line}, position {reader.pos()}.", reader.line, reader.pos(), "")
    reader.skip("")
    if reader.peek():
        raise reader.fail(f"Additional text encountered after finished reading JSON content: {reader.peek()}.", "")
    return JsonDocument(value, reader.positions, reader.ends)


# ----------------------------------------------------------------------------------- ARM's InvalidRequestContent
_PATH_END = re.compile(r"Path '([^']*)'\.(?=')")
_MEMBER = "The request content was invalid and could not be deserialized: 'Could not find member"


def member_not_found(text: str, path: str, type_name: str) -> str:
    """``Could not find member 'x' on object of type 'T'. Path 'a.x', line 2, position 17.`` (the text ARM quotes
    for a property its model does not have, e.g. ``default`` instead of ``defaultValue`` in a template parameter:
    slack-invite-automation issue 79)."""
    member = path.rsplit(".", 1)[-1].rsplit("[", 1)[0]
    line, position = read_json(text, require_object=False).where(path)
    return f"Could not find member '{member}' on object of type '{type_name}'. Path '{path}', line {line}, " \
           f"position {position}."


def conversion_error(text: str, path: str, type_name: str, value: object) -> str:
    """``Error converting value "x" to type 'T'. Path 'a', line 1, position 12.``; a ``{``/``[`` where a plain value
    belongs gets Json.NET's 'Unexpected character' text at the bracket, where it stops reading."""
    doc = read_json(text, require_object=False)
    if isinstance(value, dict | list):
        line, position = doc.where(path)  # an object's or array's recorded place is just after its bracket
        opener = "{" if isinstance(value, dict) else "["
        return f"Unexpected character encountered while parsing value: {opener}. Path '{path}', line {line}, " \
               f"position {position}."
    shown = "True" if value is True else "False" if value is False else "{null}" if value is None else (
        f'"{value}"' if isinstance(value, str) else str(value))
    line, position = doc.end_of(path)
    return f"Error converting value {shown} to type '{type_name}'. Path '{path}', line {line}, position {position}."


def with_position(body: bytes, message: str) -> str:
    """``message`` with Json.NET's ``, line L, position P`` added after a ``Path '…'.`` that lacks them (a handler
    names the path; only the body's text can say where it is)."""
    m = _PATH_END.search(message)
    if m is None:
        return message
    try:
        doc = read_json(body.decode("utf-8-sig"), require_object=False)
    except (UnicodeDecodeError, JsonParseError):
        return message
    path = m.group(1)
    line, position = doc.where(path) if message.startswith(_MEMBER) else doc.end_of(path)
    if (line, position) == (0, 0):
        line, position = doc.where(path)
    if (line, position) == (0, 0):
        return message
    return message[:m.end() - 1] + f", line {line}, position {position}." + message[m.end():]
