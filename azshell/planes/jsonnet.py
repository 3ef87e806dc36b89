"""JSON.NET's wording for a request body ARM cannot read (``InvalidRequestContent``'s inner text).

ARM reads bodies with Newtonsoft JSON.NET, and its errors quote the reader's position: the JSON path, the line and
the position in that line after the token it was reading, e.g. ``Could not find member 'default' on object of type
'TemplateInputParameter'. Path 'properties.template.parameters.siteLocation.default', line 15, position 21.``
(pasted from a real deployment in slack-invite-automation issue 79). These helpers compute those figures from the
body's own text, so a client sees where in *its* request the problem is.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

__all__ = ["Located", "conversion_error", "locate", "member_not_found", "path_text", "syntax_error",
           "with_position"]

_PATH_END = re.compile(r"Path '([^']*)'\.(?=')")

_SIMPLE_KEY = re.compile(r"^[A-Za-z_$][\w$]*$")


def path_text(parts: list[str | int]) -> str:
    """A JSON.NET path: ``properties.template.parameters['a b'].x[0]``."""
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif _SIMPLE_KEY.match(p):
            out += f".{p}" if out else p
        else:
            out += f"['{p}']"
    return out


@dataclass(frozen=True)
class Located:
    """Where JSON.NET's reader stands after a property's name and after its value (1-based line; position =
    characters of that line read so far)."""

    after_name: tuple[int, int]
    after_value: tuple[int, int]


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0
        self.line = 1
        self.line_start = 0
        self.found: dict[str, Located] = {}

    def pos(self) -> tuple[int, int]:
        return self.line, self.i - self.line_start

    def skip(self) -> None:
        t = self.text
        while self.i < len(t):
            c = t[self.i]
            if c == "\n":
                self.line += 1
                self.line_start = self.i + 1
                self.i += 1
            elif c in " \t\r":
                self.i += 1
            elif t.startswith("//", self.i):
                end = t.find("\n", self.i)
                self.i = len(t) if end < 0 else end
            elif t.startswith("/*", self.i):
                end = t.find("*/", self.i + 2)
                chunk_end = len(t) if end < 0 else end + 2
                for k in range(self.i, chunk_end):
                    if t[k] == "\n":
                        self.line += 1
                        self.line_start = k + 1
                self.i = chunk_end
            else:
                return

    def string(self) -> str:
        t = self.text
        start = self.i
        self.i += 1
        while self.i < len(t) and t[self.i] != '"':
            self.i += 2 if t[self.i] == "\\" else 1
        self.i += 1
        try:
            value: str = json.loads(t[start:self.i])
        except ValueError:
            value = t[start + 1:self.i - 1]
        return value

    def value(self, path: list[str | int]) -> None:
        self.skip()
        if self.i >= len(self.text):
            return
        c = self.text[self.i]
        if c == "{":
            self.i += 1
            while True:
                self.skip()
                if self.i >= len(self.text) or self.text[self.i] == "}":
                    self.i += 1
                    return
                if self.text[self.i] == ",":
                    self.i += 1
                    continue
                if self.text[self.i] != '"':
                    return
                key = self.string()
                name_at = self.pos()
                self.skip()
                if self.i < len(self.text) and self.text[self.i] == ":":
                    self.i += 1
                sub = [*path, key]
                self.value(sub)
                self.found.setdefault(path_text(sub), Located(name_at, self.pos()))
        elif c == "[":
            self.i += 1
            index = 0
            while True:
                self.skip()
                if self.i >= len(self.text) or self.text[self.i] == "]":
                    self.i += 1
                    return
                if self.text[self.i] == ",":
                    self.i += 1
                    continue
                start = self.pos()
                sub = [*path, index]
                self.value(sub)
                self.found.setdefault(path_text(sub), Located(start, self.pos()))
                index += 1
        elif c == '"':
            self.string()
        else:
            m = re.compile(r"[^\s,\]}]+").match(self.text, self.i)
            self.i = m.end() if m else self.i + 1


def locate(text: str) -> dict[str, Located]:
    """Every property and array element of a JSON text by its JSON.NET path."""
    sc = _Scanner(text)
    sc.value([])
    return sc.found


def _where(text: str, path: str, *, after: str) -> str:
    hit = locate(text).get(path)
    if hit is None:
        return f"Path '{path}'."
    line, position = hit.after_name if after == "name" else hit.after_value
    return f"Path '{path}', line {line}, position {position}."


def member_not_found(text: str, path: str, type_name: str) -> str:
    """``Could not find member 'x' on object of type 'T'. Path 'a.x', line 2, position 17.``"""
    member = path.rsplit(".", 1)[-1].rsplit("[", 1)[0]
    return f"Could not find member '{member}' on object of type '{type_name}'. {_where(text, path, after='name')}"


def conversion_error(text: str, path: str, type_name: str, value: object) -> str:
    """``Error converting value "x" to type 'T'. Path 'a', line 1, position 12.`` (``{``/``[`` values get JSON.NET's
    'Unexpected character' text instead, as it stops reading there)."""
    where = _where(text, path, after="value")
    if isinstance(value, dict | list):
        opener = "{" if isinstance(value, dict) else "["
        hit = locate(text).get(path)
        if hit is not None:  # the reader stops on the opening bracket
            line, position = hit.after_name
            rest = text.split("\n")[line - 1][position:]
            skipped = len(rest) - len(rest.lstrip(" \t:"))
            where = f"Path '{path}', line {line}, position {position + skipped + 1}."
        return f"Unexpected character encountered while parsing value: {opener}. {where}"
    shown = "True" if value is True else "False" if value is False else "{null}" if value is None else (
        f'"{value}"' if isinstance(value, str) else str(value))
    return f"Error converting value {shown} to type '{type_name}'. {where}"


def syntax_error(text: str, exc: json.JSONDecodeError) -> str:
    """The JSON.NET reader's text for a body that is not JSON at all (Python's decoder error mapped to it)."""
    line, col = exc.lineno, exc.colno
    at = text[exc.pos] if exc.pos < len(text) else ""
    path = _path_at(text, exc.pos)
    where = f"Path '{path}', line {line}, position {col if at else col - 1}."
    msg = exc.msg
    if not at or msg.startswith("Unterminated string") and exc.pos >= len(text) - 1:
        return f"Unexpected end when reading JSON. {where}"
    if msg.startswith("Unterminated string"):
        end_line = text.count("\n") + 1
        end_pos = len(text) - (text.rfind("\n") + 1)
        return f"Unterminated string. Expected delimiter: \". Path '{path}', line {end_line}, position {end_pos}."
    if msg.startswith("Expecting property name"):
        return f"Invalid property identifier character: {at}. {where}"
    if msg.startswith(("Expecting ',' delimiter", "Extra data")):
        return f"After parsing a value an unexpected character was encountered: {at}. {where}"
    if msg.startswith("Expecting ':' delimiter"):
        return f"Invalid character after parsing property name. Expected ':' but got: {at}. {where}"
    return f"Unexpected character encountered while parsing value: {at}. {where}"


def _path_at(text: str, offset: int) -> str:
    """The JSON.NET path of the last property or element that starts before ``offset``."""
    best = ""
    best_at = -1
    sc = _Scanner(text[:offset])
    try:
        sc.value([])
    except (IndexError, ValueError):
        pass
    for path, hit in sc.found.items():
        key = hit.after_name
        flat = key[0] * 1_000_000 + key[1]
        if flat > best_at:
            best, best_at = path, flat
    return best


def with_position(body: bytes, message: str) -> str:
    """``message`` with JSON.NET's ``, line L, position P`` added after a ``Path '…'.`` that lacks them (the
    handlers name the path; where it is in the body only the body's text can say)."""
    m = _PATH_END.search(message)
    if m is None:
        return message
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        return message
    hit = locate(text).get(m.group(1))
    if hit is None:
        return message
    after = hit.after_name if message.startswith("The request content was invalid and could not be deserialized: "
                                                 "'Could not find member") else hit.after_value
    return message[:m.end() - 1] + f", line {after[0]}, position {after[1]}." + message[m.end():]
