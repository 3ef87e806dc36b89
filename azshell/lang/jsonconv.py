"""ConvertTo-Json / ConvertFrom-Json as PowerShell 7 does them (Newtonsoft.Json underneath).

- :func:`to_json`: 2-space indentation, ``"key": value``; objects deeper than ``depth`` become their string
  form, with PowerShell's truncation warning sent to ``warn``; DateTimes as ISO-8601 round-trip strings;
  a SecureString as ``{"Length": n}``.
- :func:`from_json`: objects become :class:`PSObject` (ordered) or :class:`PSHashtable` (``-AsHashtable``),
  arrays lists; ISO date strings become DateTimes as in PowerShell 7; comments are allowed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from azshell.lang.conversions import format_datetime, format_double, property_names, to_string
from azshell.lang.values import Guid, PSCredential, PSHashtable, PSObject, SecureString, Uri


class JsonConversionError(Exception):
    """ConvertFrom-Json's failure; ``message`` is PowerShell's text."""

    category = "ParserError"
    error_id = "System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def truncation_warning(depth: int) -> str:
    return f"Resulting JSON is truncated as serialization has exceeded the set depth of {depth}."


# ----------------------------------------------------------------------------------------------- to JSON
def json_datetime(d: datetime | date) -> str:
    """Newtonsoft's round-trip form ``yyyy-MM-ddTHH:mm:ss.FFFFFFFK`` (no fraction when it is zero)."""
    if not isinstance(d, datetime):
        d = datetime(d.year, d.month, d.day)
    text = format_datetime(d, "yyyy-MM-ddTHH:mm:ss")
    if d.microsecond:
        text += "." + f"{d.microsecond:06d}".rstrip("0")
    return text + format_datetime(d, "K")


def _json_number(v: int | float | Decimal) -> str:
    if isinstance(v, int):
        return str(v)
    if isinstance(v, Decimal):
        return str(v)
    if math.isnan(v) or math.isinf(v):
        return '"' + format_double(v) + '"'
    text = format_double(v)
    if "E" not in text and "." not in text:
        text += ".0"
    return text


def _json_string(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _timespan_props(td: timedelta) -> list[tuple[str, Any]]:
    from azshell.lang.conversions import get_member

    return [(n, get_member(td, n)) for n in property_names(td)]


def to_json(v: Any, depth: int = 2, compress: bool = False, *, warn: Callable[[str], None] | None = None,
            enums_as_strings: bool = False) -> str:
    """``ConvertTo-Json -Depth depth [-Compress]`` of one value."""
    truncated = [False]

    def container_items(x: Any) -> tuple[str, list[tuple[str, Any]] | list[Any]] | None:
        if isinstance(x, (list, tuple)):
            return "array", list(x)
        if isinstance(x, (bytes, bytearray)):
            return "array", list(x)
        if isinstance(x, PSHashtable):
            return "object", [(to_string(k), val) for k, val in x.items()]
        if isinstance(x, dict):
            return "object", [(to_string(k), val) for k, val in x.items()]
        if isinstance(x, PSObject):
            return "object", x.properties()
        if isinstance(x, PSCredential):
            return "object", [("UserName", x.user_name), ("Password", x.password)]
        if isinstance(x, SecureString):
            return "object", [("Length", x.length)]
        if isinstance(x, timedelta):
            return "object", _timespan_props(x)
        return None

    def scalar(x: Any) -> str:
        if x is None:
            return "null"
        if isinstance(x, bool):
            return "true" if x else "false"
        if isinstance(x, (int, float, Decimal)):
            return _json_number(x)
        if isinstance(x, (datetime, date)):
            return _json_string(json_datetime(x))
        if isinstance(x, (Guid, Uri)):
            return _json_string(str.__str__(x))
        if isinstance(x, str):
            return _json_string(x)
        return _json_string(to_string(x))

    def emit(x: Any, level: int, indent: str) -> str:
        c = container_items(x)
        if c is None:
            return scalar(x)
        if level > depth:
            truncated[0] = True
            return _json_string(to_string(x))
        kind, items = c
        inner = indent + "  "
        if kind == "array":
            if not items:
                return "[]"
            parts = [emit(item, level + 1, inner) for item in items]
            if compress:
                return "[" + ",".join(parts) + "]"
            return "[\n" + ",\n".join(inner + p for p in parts) + "\n" + indent + "]"
        pairs = items
        if not pairs:
            return "{}"
        rendered = [(_json_string(k), emit(val, level + 1, inner)) for k, val in pairs]  # type: ignore[misc]
        if compress:
            return "{" + ",".join(f"{k}:{val}" for k, val in rendered) + "}"
        return "{\n" + ",\n".join(f"{inner}{k}: {val}" for k, val in rendered) + "\n" + indent + "}"

    out = emit(v, 0, "")
    if truncated[0] and warn is not None:
        warn(truncation_warning(depth))
    return out


# ----------------------------------------------------------------------------------------------- from JSON
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?\Z")


def _strip_comments(text: str) -> str:
    if "/" not in text:
        return text
    out: list[str] = []
    i = 0
    n = len(text)
    in_str = False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_str = False
            i += 1
            continue
        if c == '"':
            in_str = True
            out.append(c)
            i += 1
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j == -1 else j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j == -1 else j + 2
            out.append(" ")
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _parse_date(s: str) -> Any:
    if len(s) >= 16 and s[4] == "-" and _ISO_DATE.match(s):
        t = s[:-1] + "+00:00" if s.endswith("Z") else s
        t = re.sub(r"(\.\d{6})\d+", r"\1", t)
        try:
            d = datetime.fromisoformat(t)
        except ValueError:
            return s
        return d if d.tzinfo is not None else d.replace(tzinfo=UTC)
    return s


def _error_message(text: str, e: json.JSONDecodeError) -> str:
    pos = e.pos
    ch = text[pos] if 0 <= pos < len(text) else ""
    line, col = e.lineno, e.colno
    if e.msg.startswith("Expecting value") and ch:
        detail = (f"Unexpected character encountered while parsing value: {ch}. "
                  f"Path '', line {line}, position {col - 1}.")
    elif e.msg.startswith("Expecting value"):
        detail = f"Unexpected end when reading JSON. Path '', line {line}, position {col - 1}."
    elif e.msg.startswith("Extra data"):
        detail = (f"Additional text encountered after finished reading JSON content: {ch}. "
                  f"Path '', line {line}, position {col - 1}.")
    elif e.msg.startswith("Unterminated string"):
        detail = f"Unterminated string. Expected delimiter: \". Path '', line {line}, position {col - 1}."
    elif e.msg.startswith("Expecting property name"):
        detail = f"Invalid property identifier character: {ch}. Path '', line {line}, position {col - 1}."
    else:
        detail = f"{e.msg}. Path '', line {line}, position {col - 1}."
    return f"Conversion from JSON failed with error: {detail}"


def from_json(text: str, *, as_hashtable: bool = False, parse_dates: bool = True) -> Any:
    """``ConvertFrom-Json [-AsHashtable]`` of a JSON text; raises :class:`JsonConversionError`."""
    if text.strip() == "":
        return None

    def hook(pairs: list[tuple[str, Any]]) -> Any:
        if as_hashtable:
            return PSHashtable(pairs)
        if any(k == "" for k, _ in pairs):
            raise JsonConversionError(
                "The provided JSON includes a property whose name is an empty string, this is only supported "
                "using the -AsHashTable switch.")
        seen: dict[str, str] = {}
        for k, _ in pairs:
            prior = seen.get(k.casefold())
            if prior is not None and prior != k:
                raise JsonConversionError(
                    f"Cannot convert the JSON string because it contains keys with different casing. Please use "
                    f"the -AsHashTable switch instead. The key that was attempted to be added to the existing "
                    f"key '{prior}' was '{k}'.")
            seen[k.casefold()] = k
        return PSObject(pairs)

    def convert_dates(v: Any) -> Any:
        if isinstance(v, str):
            return _parse_date(v)
        if isinstance(v, list):
            return [convert_dates(x) for x in v]
        if isinstance(v, PSObject):
            for k, x in v.properties():
                if isinstance(x, (str, list, PSObject, PSHashtable)):
                    v.set(k, convert_dates(x))
            return v
        if isinstance(v, PSHashtable):
            for k, x in v.items():
                if isinstance(x, (str, list, PSObject, PSHashtable)):
                    v[k] = convert_dates(x)
            return v
        return v

    src = _strip_comments(text)
    try:
        value = json.loads(src, object_pairs_hook=hook)
    except json.JSONDecodeError as e:
        raise JsonConversionError(_error_message(src, e)) from None
    except RecursionError:
        raise JsonConversionError("Conversion from JSON failed with error: The reader's MaxDepth of 1024 has "
                                  "been exceeded.") from None
    return convert_dates(value) if parse_dates else value


__all__ = ["JsonConversionError", "from_json", "json_datetime", "to_json", "truncation_warning"]
