"""Instance methods (``"x".ToUpper()``, ``$h.ContainsKey('a')``, ``.Where({})``) and the static members of a
useful few .NET types (``[uri]::EscapeDataString``, ``[math]::Round``, ...), for the evaluator."""

from __future__ import annotations

import base64
import math
import os
import re
import urllib.parse
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from azshell.lang import ast as A
from azshell.lang import conversions as conv
from azshell.lang.errors import ErrorRecord, RuntimeLangError
from azshell.lang.runtime import Encoding, FunctionInfo, ScriptBlock, TypeRef
from azshell.lang.values import Guid, PSCredential, PSHashtable, PSObject, SecureString, Uri

if TYPE_CHECKING:
    from azshell.lang.state import EvaluatorState


class MethodMissing(Exception):
    pass


def exception_text(exc: BaseException) -> str:
    if isinstance(exc, IndexError | ValueError) and "substring" in str(exc).casefold():
        return str(exc)
    if isinstance(exc, ZeroDivisionError):
        return "Attempted to divide by zero."
    if isinstance(exc, KeyError):
        return f"Item has already been added. Key in dictionary: '{exc.args[0]}'" if exc.args else "Key error."
    return str(exc) or type(exc).__name__


def exception_id(exc: BaseException) -> str:
    if isinstance(exc, IndexError):
        return "ArgumentOutOfRangeException"
    if isinstance(exc, KeyError):
        return "ArgumentException"
    if isinstance(exc, (ValueError, TypeError)):
        return "FormatException" if "format" in str(exc).casefold() else "ArgumentException"
    return "MethodInvocationException"


def _s(v: Any) -> str:
    return conv.to_string(v)


_i = conv.to_index


def _out_of_range(param: str, msg: str) -> IndexError:
    return IndexError(f"{msg} (Parameter '{param}')")


# ------------------------------------------------------------------------------------------- strings
def _substring(s: str, *a: Any) -> str:
    start = _i(a[0])
    if start < 0 or start > len(s):
        raise _out_of_range("startIndex", "startIndex cannot be larger than length of string.")
    if len(a) > 1:
        n = _i(a[1])
        if n < 0 or start + n > len(s):
            raise _out_of_range("length", "Index and length must refer to a location within the string.")
        return s[start:start + n]
    return s[start:]


def _split(s: str, *a: Any) -> list[str]:
    if not a:
        return s.split() if s.strip() else [s]
    seps: list[str] = []
    count = -1
    for x in a:
        if isinstance(x, int) and not isinstance(x, bool):
            count = x
        elif isinstance(x, list):
            seps.extend(_s(y) for y in x)
        else:
            seps.append(_s(x))
    seps = [x for x in seps if x != ""]
    if not seps:
        return [s]
    pattern = "|".join(re.escape(x) for x in sorted(seps, key=len, reverse=True))
    parts = re.split(pattern, s, maxsplit=count - 1 if count > 0 else 0)
    return parts


def _trim_chars(a: tuple[Any, ...]) -> str | None:
    if not a:
        return None
    return "".join(_s(x) for x in a)


def _string_method(s: str, key: str, a: tuple[Any, ...]) -> Any:
    if key == "toupper" or key == "toupperinvariant":
        return s.upper()
    if key == "tolower" or key == "tolowerinvariant":
        return s.lower()
    if key == "trim":
        return s.strip(_trim_chars(a))
    if key == "trimend":
        return s.rstrip(_trim_chars(a))
    if key == "trimstart":
        return s.lstrip(_trim_chars(a))
    if key == "split":
        return _split(s, *a)
    if key == "replace":
        old = _s(a[0])
        if old == "":
            raise ValueError("String cannot be of zero length. (Parameter 'oldValue')")
        if len(a) > 2 and conv.to_bool(a[2]):
            return re.sub(re.escape(old), lambda m: _s(a[1]), s, flags=re.IGNORECASE)
        return s.replace(old, _s(a[1]) if len(a) > 1 else "")
    if key == "contains":
        sub = _s(a[0])
        if len(a) > 1 and "ignorecase" in _s(a[1]).casefold():
            return sub.casefold() in s.casefold()
        return sub in s
    if key in ("startswith", "endswith"):
        sub = _s(a[0])
        ic = len(a) > 1 and ("ignorecase" in _s(a[1]).casefold() or a[1] is True)
        x, y = (s.casefold(), sub.casefold()) if ic else (s, sub)
        return x.startswith(y) if key == "startswith" else x.endswith(y)
    if key in ("indexof", "lastindexof"):
        sub = _s(a[0])
        if key == "indexof":
            start = _i(a[1]) if len(a) > 1 else 0
            return s.find(sub, start)
        return s.rfind(sub)
    if key == "indexofany":
        chars = _s(a[0])
        idx = [s.find(c) for c in chars if c in s]
        return min(idx) if idx else -1
    if key == "substring":
        return _substring(s, *a)
    if key in ("padleft", "padright"):
        width = _i(a[0])
        ch = _s(a[1])[:1] if len(a) > 1 else " "
        return s.rjust(width, ch) if key == "padleft" else s.ljust(width, ch)
    if key == "tostring":
        return s
    if key == "insert":
        i = _i(a[0])
        if i < 0 or i > len(s):
            raise _out_of_range("startIndex", "Index was out of range. Must be non-negative and less than or equal to the size of the collection.")
        return s[:i] + _s(a[1]) + s[i:]
    if key == "remove":
        i = _i(a[0])
        if i < 0 or i > len(s):
            raise _out_of_range("startIndex", "startIndex must be less than length of string.")
        if len(a) > 1:
            return s[:i] + s[i + _i(a[1]):]
        return s[:i]
    if key == "equals":
        other = a[0] if a else None
        if len(a) > 1 and "ignorecase" in _s(a[1]).casefold():
            return isinstance(other, str) and other.casefold() == s.casefold()
        return isinstance(other, str) and other == s
    if key == "compareto":
        o = _s(a[0])
        return (s > o) - (s < o)
    if key == "tochararray":
        return list(s)
    if key == "normalize":
        return s
    if key == "getenumerator":
        return list(s)
    if key == "isnormalized":
        return True
    if key == "chars":
        return s[_i(a[0])]
    if key == "format":
        return conv.format_operator(s, list(a))
    raise MethodMissing


# ------------------------------------------------------------------------------------------- collections
def _list_method(ev: EvaluatorState, lst: list[Any], key: str, a: tuple[Any, ...], node: A.Node | None) -> Any:
    if key == "contains":
        return any(conv.ps_equals(x, a[0], True) if isinstance(x, str) else conv.ps_equals(x, a[0]) for x in lst)
    if key == "indexof":
        for i, x in enumerate(lst):
            if conv.ps_equals(x, a[0], True):
                return i
        return -1
    if key == "add":
        lst.append(a[0])
        return None
    if key == "addrange":
        lst.extend(a[0] if isinstance(a[0], list) else [a[0]])
        return None
    if key == "remove":
        for i, x in enumerate(lst):
            if conv.ps_equals(x, a[0], True):
                del lst[i]
                return True
        return False
    if key == "removeat":
        del lst[_i(a[0])]
        return None
    if key == "insert":
        lst.insert(_i(a[0]), a[1])
        return None
    if key == "clear":
        lst.clear()
        return None
    if key == "toarray":
        return list(lst)
    if key == "reverse":
        lst.reverse()
        return None
    if key == "sort":
        import functools

        lst.sort(key=functools.cmp_to_key(lambda x, y: conv.sort_key_compare(x, y)))
        return None
    if key == "getenumerator":
        return list(lst)
    if key == "tostring":
        return "System.Object[]"
    if key == "where":
        if not a or not isinstance(a[0], ScriptBlock):
            raise ValueError("Where() requires a script block.")
        mode = _s(a[1]).casefold() if len(a) > 1 else "default"
        limit = _i(a[2]) if len(a) > 2 else 0
        out: list[Any] = []
        for x in lst:
            r = ev.invoke_script_block(a[0], [], dollar_under=x)
            ok = conv.to_bool(r[0] if len(r) == 1 else r)
            if mode == "first" and ok:
                return [x]
            if mode == "last":
                if ok:
                    out = [x]
                continue
            if mode == "skipuntil":
                if ok or out:
                    out.append(x)
                continue
            if mode == "until":
                if ok:
                    break
                out.append(x)
                continue
            if mode == "split":
                continue
            if ok:
                out.append(x)
                if limit and len(out) >= limit:
                    break
        return out
    if key == "foreach":
        if not a:
            raise ValueError("ForEach() requires an argument.")
        out = []
        for x in lst:
            if isinstance(a[0], ScriptBlock):
                out.extend(ev.invoke_script_block(a[0], list(a[1:]), dollar_under=x))
            elif isinstance(a[0], str):
                if len(a) == 2 and isinstance(x, PSObject) and x.has(a[0]) \
                        and not isinstance(x.get(a[0]), ScriptBlock):
                    x.set(a[0], a[1])  # .ForEach('Name', value) sets a property; it outputs nothing
                elif len(a) > 1:
                    out.append(ev.call_method(x, a[0], list(a[1:]), node))
                else:
                    v = ev.get_member(x, a[0])
                    if v is None and not (isinstance(x, PSObject) and x.has(a[0])):
                        try:  # .ForEach('ToUpper'): no such property, so the method of that name, with no arguments
                            v = ev.call_method(x, a[0], [], node)
                        except RuntimeLangError:
                            v = None
                    out.extend(v if isinstance(v, list) else [v])
            else:
                out.append(conv.convert_to(str(getattr(a[0], "name", a[0])), x))
        return out
    if key == "clone":
        return list(lst)
    if key == "gettype":
        return TypeRef("System.Object[]")
    raise MethodMissing


def _dict_method(h: Any, key: str, a: tuple[Any, ...]) -> Any:
    if key in ("containskey", "contains"):
        return a[0] in h
    if key == "containsvalue":
        return any(conv.ps_equals(v, a[0]) for v in h.values())
    if key == "add":
        if a[0] in h:
            raise KeyError(a[0])
        h[a[0]] = a[1] if len(a) > 1 else None
        return None
    if key == "remove":
        if isinstance(h, PSHashtable):
            h.pop(a[0])
        else:
            h.pop(a[0], None)
        return None
    if key == "clear":
        for k in list(h.keys()):
            del h[k]
        return None
    if key == "getenumerator":
        return [PSObject([("Name", k), ("Key", k), ("Value", v)], ("System.Collections.DictionaryEntry",))
                for k, v in h.items()]
    if key == "clone":
        return h.copy()
    if key == "tostring":
        return conv.to_string(h)
    if key == "get_item" or key == "item":
        return h.get(a[0])
    raise MethodMissing


# ------------------------------------------------------------------------------------------- dispatch
def call(ev: EvaluatorState, obj: Any, key: str, name: str, args: list[Any], node: A.Node | None) -> Any:
    a = tuple(args)
    if key == "gettype" and not a:
        if isinstance(obj, TypeRef):
            return TypeRef("System.RuntimeType")
        return TypeRef(_type_name(obj))
    if key in ("foreach", "where") and not isinstance(obj, (list, PSHashtable, dict)) \
            and not (isinstance(obj, PSObject) and isinstance(obj.get(name), ScriptBlock)):
        return _list_method(ev, [obj], key, a, node)  # the magic methods treat one object as a list of one
    if isinstance(obj, str):
        return _string_method(obj, key, a)
    if isinstance(obj, list):
        return _list_method(ev, obj, key, a, node)
    if isinstance(obj, (PSHashtable, dict)):
        if key in ("foreach", "where") and key not in {k.casefold() for k in obj if isinstance(k, str)}:
            return _list_method(ev, [obj], key, a, node)  # the magic methods treat one object as a list of one
        return _dict_method(obj, key, a)
    if isinstance(obj, ScriptBlock):
        if key in ("invoke", "invokereturnasis"):
            out = ev.invoke_script_block(obj, list(a), new_scope=True)
            if key == "invokereturnasis":
                return None if not out else out[0] if len(out) == 1 else out
            return out
        if key == "getnewclosure":
            return obj
        if key == "tostring":
            return obj.text
        raise MethodMissing
    if isinstance(obj, FunctionInfo) and key == "tostring":
        return obj.block.text
    if isinstance(obj, ErrorRecord):
        if key == "tostring":
            return obj.error_details or obj.message
        raise MethodMissing
    if isinstance(obj, PSObject):
        fn = obj.methods.get(key)
        if fn is not None:
            return fn(*a)
        if key == "tostring":
            return conv.to_string(obj)
        if key == "psobject":
            return obj
        # a script-method stored as a property holding a script block
        prop = obj.get(name)
        if isinstance(prop, ScriptBlock):
            prior = ev.scope.vars.get("this")
            ev.scope.set("this", obj)
            try:
                out = ev.invoke_script_block(prop, list(a), new_scope=True)
            finally:
                if prior is None:
                    ev.scope.vars.pop("this", None)
            return None if not out else out[0] if len(out) == 1 else out
        if key == "equals":
            return obj is (a[0] if a else None)
        raise MethodMissing
    if isinstance(obj, bool):
        if key == "tostring":
            return "True" if obj else "False"
        if key == "equals":
            return conv.ps_equals(obj, a[0] if a else None)
        raise MethodMissing
    if isinstance(obj, (int, float)):
        if key == "tostring":
            return conv.format_value(obj, _s(a[0])) if a else conv.to_string(obj)
        if key == "equals":
            return conv.ps_equals(obj, a[0] if a else None)
        if key == "compareto":
            return conv.ps_compare(obj, a[0])
        raise MethodMissing
    if isinstance(obj, datetime):
        return _datetime_method(obj, key, a)
    if isinstance(obj, timedelta):
        if key == "tostring":
            return conv.to_string(obj)
        if key in ("add", "subtract"):
            return obj + a[0] if key == "add" else obj - a[0]
        raise MethodMissing
    if isinstance(obj, SecureString):
        if key == "tostring":
            return "System.Security.SecureString"
        if key == "dispose":
            return None
        raise MethodMissing
    if isinstance(obj, PSCredential):
        if key == "getnetworkcredential":
            return PSObject([("UserName", obj.user_name), ("Password", obj.password.reveal()), ("Domain", "")],
                            ("System.Net.NetworkCredential",))
        raise MethodMissing
    if isinstance(obj, (bytes, bytearray)):
        if key == "tostring":
            return "System.Byte[]"
        raise MethodMissing
    methods = getattr(obj, "ps_methods", None)
    if callable(methods):
        table = methods()
        fn2 = table.get(key)
        if fn2 is not None:
            return fn2(*a)
    if key == "tostring":
        return conv.to_string(obj)
    if key == "equals":
        return obj == (a[0] if a else None)
    for attr in dir(obj):
        if not attr.startswith("_") and attr.replace("_", "").casefold() == key:
            fn3 = getattr(obj, attr)
            if callable(fn3):
                return fn3(*a)
    raise MethodMissing


def _type_name(obj: Any) -> str:
    if isinstance(obj, ScriptBlock):
        return "System.Management.Automation.ScriptBlock"
    if isinstance(obj, ErrorRecord):
        return "System.Management.Automation.ErrorRecord"
    return conv.type_name_of(obj) or "System.Object"


def _datetime_method(d: datetime, key: str, a: tuple[Any, ...]) -> Any:
    if key == "tostring":
        if a:
            return conv.format_datetime(d, _s(a[0]))
        return conv.to_string(d)
    units = {"adddays": "days", "addhours": "hours", "addminutes": "minutes", "addseconds": "seconds",
             "addmilliseconds": "milliseconds"}
    if key in units:
        return d + timedelta(**{units[key]: float(conv.to_number(a[0]))})
    if key in ("addmonths", "addyears"):
        n = _i(a[0]) * (12 if key == "addyears" else 1)
        month = d.month - 1 + n
        year = d.year + month // 12
        month = month % 12 + 1
        import calendar

        day = min(d.day, calendar.monthrange(year, month)[1])
        return d.replace(year=year, month=month, day=day)
    if key == "add":
        return d + a[0]
    if key == "subtract":
        return d - a[0]
    if key == "touniversaltime":
        return d.astimezone(UTC) if d.tzinfo else d.replace(tzinfo=UTC)
    if key == "tolocaltime":
        return d
    if key == "toiso8601string":
        return d.isoformat()
    if key == "tofiletime" or key == "tofiletimeutc":
        epoch = datetime(1601, 1, 1, tzinfo=UTC)
        return int((d.astimezone(UTC) - epoch).total_seconds() * 10_000_000)
    if key == "compareto":
        o = conv.to_datetime(a[0])
        return (d > o) - (d < o)
    if key == "equals":
        return d == a[0]
    raise MethodMissing


# ------------------------------------------------------------------------------------------- static members
_ENCODINGS = {"utf8": ("UTF8", "utf-8"), "ascii": ("ASCII", "ascii"), "unicode": ("Unicode", "utf-16-le"),
              "utf32": ("UTF32", "utf-32-le"), "default": ("UTF8", "utf-8"), "bigendianunicode": ("BigEndianUnicode", "utf-16-be"),
              "latin1": ("Latin1", "latin-1")}


def _now() -> datetime:
    return datetime.now(UTC).astimezone()


def static_member(ev: EvaluatorState, t: str, raw: str, name: str, node: A.Node) -> Any:
    key = name.casefold()
    if t in ("text.encoding", "encoding") and key in _ENCODINGS:
        n, codec = _ENCODINGS[key]
        return Encoding(n, codec)
    table: dict[str, dict[str, Callable[[], Any]]] = {
        "datetime": {"utcnow": lambda: datetime.now(UTC), "now": _now, "today": lambda: _now().replace(
            hour=0, minute=0, second=0, microsecond=0), "minvalue": lambda: datetime(1, 1, 1, tzinfo=UTC),
            "maxvalue": lambda: datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
            "unixepoch": lambda: datetime(1970, 1, 1, tzinfo=UTC)},
        "datetimeoffset": {"utcnow": lambda: datetime.now(UTC), "now": _now},
        "guid": {"empty": lambda: Guid("00000000-0000-0000-0000-000000000000")},
        "math": {"pi": lambda: math.pi, "e": lambda: math.e},
        "int": {"maxvalue": lambda: 2**31 - 1, "minvalue": lambda: -(2**31)},
        "int32": {"maxvalue": lambda: 2**31 - 1, "minvalue": lambda: -(2**31)},
        "int64": {"maxvalue": lambda: 2**63 - 1, "minvalue": lambda: -(2**63)},
        "long": {"maxvalue": lambda: 2**63 - 1, "minvalue": lambda: -(2**63)},
        "double": {"maxvalue": lambda: 1.7976931348623157e308, "minvalue": lambda: -1.7976931348623157e308,
                   "nan": lambda: math.nan, "positiveinfinity": lambda: math.inf,
                   "negativeinfinity": lambda: -math.inf, "epsilon": lambda: 5e-324},
        "string": {"empty": lambda: ""},
        "environment": {"newline": lambda: "\n", "machinename": lambda: _s(ev.get_variable("COMPUTERNAME", "env") or "azshell"),
                        "username": lambda: _s(ev.get_variable("USERNAME", "env") or ev.get_variable("USER", "env") or "user"),
                        "processorcount": lambda: os.cpu_count() or 1, "currentdirectory": lambda: ev.fs.cwd(),
                        "is64bitprocess": lambda: True, "is64bitoperatingsystem": lambda: True,
                        "osversion": lambda: PSObject([("Platform", "Win32NT"), ("VersionString", "Microsoft Windows NT 10.0.20348.0")]),
                        "tickcount": lambda: 0},
        "io.path": {"directoryseparatorchar": lambda: "\\" if "\\" in ev.fs.cwd() else "/",
                    "pathseparator": lambda: ";" if "\\" in ev.fs.cwd() else ":"},
        "timespan": {"zero": lambda: timedelta(0)},
        "bool": {"truestring": lambda: "True", "falsestring": lambda: "False"},
        "net.http.httpmethod": {"get": lambda: "GET", "post": lambda: "POST", "put": lambda: "PUT",
                                "delete": lambda: "DELETE", "patch": lambda: "PATCH", "head": lambda: "HEAD"},
    }
    fn = table.get(t, {}).get(key)
    if fn is not None:
        return fn()
    if not conv.is_known_type(raw) and t not in table and t not in _STATIC_CALLS:
        raise ev.record_at(node, f"Unable to find type [{raw}].", error_id="TypeNotFound")
    return None


def _path_combine(*parts: Any) -> str:
    out = ""
    for p in parts:
        s = _s(p)
        if not s:
            continue
        if s.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", s) or not out:
            out = s
        else:
            sep = "\\" if "\\" in out and "/" not in out else "/"
            out = out + ("" if out.endswith(("/", "\\")) else sep) + s
    return out


def _regex_match_obj(m: re.Match[str]) -> PSObject:
    groups = [PSObject([("Name", str(i)), ("Value", g if g is not None else ""), ("Success", g is not None),
                        ("Index", m.start(i) if g is not None else 0)], ("System.Text.RegularExpressions.Group",))
              for i, g in enumerate((m.group(0), *m.groups()))]
    for gname, idx in m.re.groupindex.items():
        groups[idx].set("Name", gname)
    obj = PSObject([("Groups", groups), ("Success", True), ("Name", "0"), ("Captures", [m.group(0)]),
                    ("Index", m.start()), ("Length", len(m.group(0))), ("Value", m.group(0))],
                   ("System.Text.RegularExpressions.Match",))
    val = m.group(0)
    obj.methods["tostring"] = lambda: val
    return obj


def _from_base64(s: Any) -> bytes:
    text = re.sub(r"\s", "", _s(s))
    if len(text) % 4:
        raise ValueError("The input is not a valid Base-64 string as it contains a non-base 64 character, more than "
                         "two padding characters, or an illegal character among the padding characters.")
    try:
        return base64.b64decode(text, validate=True)
    except Exception:
        raise ValueError("The input is not a valid Base-64 string as it contains a non-base 64 character, more than "
                         "two padding characters, or an illegal character among the padding characters.") from None


def _bytes(v: Any) -> bytes:
    if isinstance(v, (bytes, bytearray)):
        return bytes(v)
    if isinstance(v, list):
        return bytes(_i(x) & 0xFF for x in v)
    raise ValueError(f'Cannot convert argument "inArray", with value: "{_s(v)}", for "ToBase64String" to type "System.Byte[]".')


def _round(*a: Any) -> Any:
    x = conv.to_number(a[0])
    digits = _i(a[1]) if len(a) > 1 and not isinstance(a[1], str) else 0
    away = any(isinstance(v, str) and v.casefold() == "awayfromzero" for v in a[1:])
    if away:
        q = 10 ** digits
        r = math.floor(abs(x) * q + 0.5) / q
        return math.copysign(r, x) if isinstance(x, float) or digits else type(x)(math.copysign(r, x))
    r = round(x, digits)
    return float(r) if isinstance(x, float) else r


def _math_minmax(fn: Callable[..., Any]) -> Callable[..., Any]:
    return lambda a, b: fn(conv.to_number(a), conv.to_number(b))


_STATIC_CALLS: dict[str, dict[str, Callable[..., Any]]] = {
    "uri": {
        "escapedatastring": lambda s: urllib.parse.quote(_s(s), safe="-_.~"),
        "unescapedatastring": lambda s: urllib.parse.unquote(_s(s)),
        "escapeuristring": lambda s: urllib.parse.quote(_s(s), safe="-_.~:/?#[]@!$&'()*+,;="),
        "iswellformeduristring": lambda s, *_: bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$", _s(s))),
        "new": lambda s, *_: Uri(_s(s)),
    },
    "web.httputility": {
        "urlencode": lambda s: urllib.parse.quote_plus(_s(s)).replace("~", "%7e"),
        "urldecode": lambda s: urllib.parse.unquote_plus(_s(s)),
        "htmlencode": lambda s: __import__("html").escape(_s(s)),
        "htmldecode": lambda s: __import__("html").unescape(_s(s)),
        "parsequerystring": lambda s: PSHashtable(urllib.parse.parse_qsl(_s(s).lstrip("?"))),
    },
    "net.webutility": {
        "urlencode": lambda s: urllib.parse.quote_plus(_s(s)),
        "urldecode": lambda s: urllib.parse.unquote_plus(_s(s)),
        "htmlencode": lambda s: __import__("html").escape(_s(s)),
        "htmldecode": lambda s: __import__("html").unescape(_s(s)),
    },
    "guid": {
        "parse": lambda s: Guid(str(uuid.UUID(_s(s)))),
        "new": lambda s=None: Guid(str(uuid.UUID(_s(s)))) if s is not None else Guid("00000000-0000-0000-0000-000000000000"),
    },
    "datetime": {
        "parse": lambda s, *_: conv.to_datetime(_s(s)),
        "parseexact": lambda s, *_: conv.to_datetime(_s(s)),
        "fromfiletime": lambda n: datetime(1601, 1, 1, tzinfo=UTC) + timedelta(microseconds=_i(n) / 10),
        "fromfiletimeutc": lambda n: datetime(1601, 1, 1, tzinfo=UTC) + timedelta(microseconds=_i(n) / 10),
        "daysinmonth": lambda y, m: __import__("calendar").monthrange(_i(y), _i(m))[1],
        "isleapyear": lambda y: __import__("calendar").isleap(_i(y)),
        "new": lambda *a: _new_datetime(*a),
    },
    "datetimeoffset": {
        "fromunixtimeseconds": lambda n: datetime.fromtimestamp(_i(n), UTC),
        "fromunixtimemilliseconds": lambda n: datetime.fromtimestamp(_i(n) / 1000, UTC),
        "parse": lambda s, *_: conv.to_datetime(_s(s)),
    },
    "convert": {
        "tobase64string": lambda b, *_: base64.b64encode(_bytes(b)).decode("ascii"),
        "frombase64string": _from_base64,
        "toint32": lambda v, base=None: int(_s(v), _i(base)) if base is not None else conv.to_int(v),
        "toint64": lambda v, base=None: int(_s(v), _i(base)) if base is not None else conv.to_int(v, "System.Int64", -(2**63), 2**63 - 1),
        "tostring": lambda v, base=None: (format(_i(v), {2: "b", 8: "o", 16: "x"}[_i(base)]) if base is not None else _s(v)),
        "toboolean": lambda v: conv.to_bool(v) if not isinstance(v, str) else {"true": True, "false": False}[v.strip().casefold()],
        "todouble": lambda v: conv.to_double(v),
        "todatetime": lambda v: conv.to_datetime(v),
        "tohexstring": lambda b: _bytes(b).hex().upper(),
        "fromhexstring": lambda s: bytes.fromhex(_s(s)),
    },
    "text.encoding": {
        "getencoding": lambda n: Encoding(_s(n), _s(n)),
    },
    "math": {
        "round": _round,
        "floor": lambda x: _num_result(math.floor(conv.to_number(x)), x),
        "ceiling": lambda x: _num_result(math.ceil(conv.to_number(x)), x),
        "truncate": lambda x: _num_result(math.trunc(conv.to_number(x)), x),
        "max": _math_minmax(max), "min": _math_minmax(min),
        "abs": lambda x: abs(conv.to_number(x)),
        "pow": lambda x, y: float(math.pow(conv.to_number(x), conv.to_number(y))),
        "sqrt": lambda x: math.sqrt(conv.to_number(x)) if conv.to_number(x) >= 0 else math.nan,
        "log": lambda x, b=None: math.log(conv.to_number(x)) if b is None else math.log(conv.to_number(x), conv.to_number(b)),
        "log10": lambda x: math.log10(conv.to_number(x)), "log2": lambda x: math.log2(conv.to_number(x)),
        "exp": lambda x: math.exp(conv.to_number(x)), "sign": lambda x: (conv.to_number(x) > 0) - (conv.to_number(x) < 0),
        "sin": lambda x: math.sin(conv.to_number(x)), "cos": lambda x: math.cos(conv.to_number(x)),
        "tan": lambda x: math.tan(conv.to_number(x)), "atan": lambda x: math.atan(conv.to_number(x)),
    },
    "string": {
        "isnullorempty": lambda s: s is None or _s(s) == "",
        "isnullorwhitespace": lambda s: s is None or _s(s).strip() == "",
        "join": lambda sep, *items: _s(sep).join(_s(x) for it in items for x in (it if isinstance(it, list) else [it])),
        "format": lambda fmt, *args: conv.format_operator(fmt, list(args[0]) if len(args) == 1 and isinstance(args[0], list) else list(args)),
        "concat": lambda *items: "".join(_s(x) for it in items for x in (it if isinstance(it, list) else [it])),
        "compare": lambda a, b, ic=False: ((_s(a).casefold() if ic else _s(a)) > (_s(b).casefold() if ic else _s(b)))
        - ((_s(a).casefold() if ic else _s(a)) < (_s(b).casefold() if ic else _s(b))),
        "equals": lambda a, b, *_: _s(a) == _s(b),
        "new": lambda ch, n=1: _s(ch) * _i(n),
    },
    "environment": {
        "getfolderpath": lambda *_: "",
    },
    "io.path": {
        "combine": _path_combine, "join": _path_combine,
        "getfilename": lambda p: re.split(r"[\\/]", _s(p))[-1],
        "getextension": lambda p: (lambda n: ("." + n.rsplit(".", 1)[1]) if "." in n else "")(re.split(r"[\\/]", _s(p))[-1]),
        "getfilenamewithoutextension": lambda p: (lambda n: n.rsplit(".", 1)[0] if "." in n else n)(re.split(r"[\\/]", _s(p))[-1]),
        "getdirectoryname": lambda p: re.sub(r"[\\/][^\\/]*$", "", _s(p)) if re.search(r"[\\/]", _s(p)) else "",
        "changeextension": lambda p, e: re.sub(r"\.[^.\\/]*$", "", _s(p)) + ("." + _s(e).lstrip(".") if e else ""),
        "ispathrooted": lambda p: bool(re.match(r"^([\\/]|[A-Za-z]:)", _s(p))),
        "hasextension": lambda p: "." in re.split(r"[\\/]", _s(p))[-1],
    },
    "regex": {
        "escape": lambda s: _regex_escape(_s(s)),
        "unescape": lambda s: re.sub(r"\\(.)", r"\1", _s(s)),
        "matches": lambda s, p, *_: [_regex_match_obj(m) for m in conv.compile_regex(_s(p), True).finditer(_s(s))],
        "match": lambda s, p, *_: (lambda m: _regex_match_obj(m) if m else PSObject([("Success", False), ("Value", ""), ("Groups", [])]))(conv.compile_regex(_s(p), True).search(_s(s))),
        "ismatch": lambda s, p, *_: conv.compile_regex(_s(p), True).search(_s(s)) is not None,
        "replace": lambda s, p, r, *_: conv.ps_replace(_s(s), _s(p), _s(r), True),
        "split": lambda s, p, *_: conv.compile_regex(_s(p), True).split(_s(s)),
    },
    "timespan": {
        "fromseconds": lambda n: timedelta(seconds=float(conv.to_number(n))),
        "fromminutes": lambda n: timedelta(minutes=float(conv.to_number(n))),
        "fromhours": lambda n: timedelta(hours=float(conv.to_number(n))),
        "fromdays": lambda n: timedelta(days=float(conv.to_number(n))),
        "frommilliseconds": lambda n: timedelta(milliseconds=float(conv.to_number(n))),
        "parse": lambda s: conv.convert_to("timespan", s),
        "new": lambda *a: timedelta(hours=_i(a[0]), minutes=_i(a[1]), seconds=_i(a[2])) if len(a) == 3 else timedelta(
            days=_i(a[0]), hours=_i(a[1]), minutes=_i(a[2]), seconds=_i(a[3])) if len(a) >= 4 else timedelta(0),
    },
    "int": {"parse": lambda s, *_: conv.to_int(_s(s).strip()), "new": lambda: 0},
    "int32": {"parse": lambda s, *_: conv.to_int(_s(s).strip())},
    "int64": {"parse": lambda s, *_: conv.to_int(_s(s).strip(), "System.Int64", -(2**63), 2**63 - 1)},
    "long": {"parse": lambda s, *_: conv.to_int(_s(s).strip(), "System.Int64", -(2**63), 2**63 - 1)},
    "double": {"parse": lambda s, *_: conv.to_double(_s(s)), "isnan": lambda x: math.isnan(conv.to_number(x))},
    "bool": {"parse": lambda s: {"true": True, "false": False}[_s(s).strip().casefold()]},
    "boolean": {"parse": lambda s: {"true": True, "false": False}[_s(s).strip().casefold()]},
    "char": {"isdigit": lambda c: _s(c)[:1].isdigit(), "isletter": lambda c: _s(c)[:1].isalpha(),
             "isupper": lambda c: _s(c)[:1].isupper(), "islower": lambda c: _s(c)[:1].islower(),
             "iswhitespace": lambda c: _s(c)[:1].isspace(), "isletterordigit": lambda c: _s(c)[:1].isalnum(),
             "toupper": lambda c: _s(c).upper(), "tolower": lambda c: _s(c).lower()},
    "collections.arraylist": {"new": lambda *a: list(a[0]) if a and isinstance(a[0], list) else []},
    "collections.generic.list": {"new": lambda *a: list(a[0]) if a and isinstance(a[0], list) else []},
    "collections.hashtable": {"new": lambda *a: PSHashtable()},
    "hashtable": {"new": lambda *a: PSHashtable()},
    "pscustomobject": {"new": lambda *a: PSObject()},
    "psobject": {"new": lambda *a: PSObject()},
    "object": {"new": lambda *a: PSObject()},
    "management.automation.pscredential": {"new": lambda u, p: PSCredential(_s(u), p if isinstance(p, SecureString) else SecureString(_s(p)))},
    "pscredential": {"new": lambda u, p: PSCredential(_s(u), p if isinstance(p, SecureString) else SecureString(_s(p)))},
    "bitconverter": {"tostring": lambda b, *_: "-".join(f"{x:02X}" for x in _bytes(b))},
    "security.cryptography.randomnumbergenerator": {},
}

#: Static methods that draw randomness: they read the engine's source (``ev.random_data``, seeded by ``--seed``).
_RANDOM_STATICS: dict[tuple[str, str], Callable[..., Any]] = {
    ("guid", "newguid"): lambda ev: Guid(ev.new_guid()),
    ("io.path", "getrandomfilename"): lambda ev: (lambda h: h[:8] + "." + h[8:11])(ev.random_data(6).hex()),
    ("io.path", "gettempfilename"): lambda ev: "/tmp/tmp" + ev.random_data(3).hex() + ".tmp",
    ("security.cryptography.randomnumbergenerator", "getbytes"): lambda ev, n: ev.random_data(_i(n)),
}


def _new_datetime(*a: Any) -> datetime:
    parts = [_i(x) for x in a] + [1, 1, 1, 0, 0, 0][len(a):]
    return datetime(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5])


def _num_result(value: Any, original: Any) -> Any:
    return float(value) if isinstance(original, float) else value


def _regex_escape(s: str) -> str:
    out = []
    for ch in s:
        if ch in "\\*+?|{[()^$.# ":
            out.append("\\" + ch)
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\f":
            out.append("\\f")
        else:
            out.append(ch)
    return "".join(out)


def static_call(ev: EvaluatorState, t: str, raw: str, name: str, args: list[Any], node: A.Node) -> Any:
    key = name.casefold()
    if t.startswith("collections.generic.list[") or t.startswith("collections.generic.list`"):
        t = "collections.generic.list"
    if t.startswith("collections.generic.dictionary"):
        t = "hashtable"
    if t == "environment":
        if key == "getenvironmentvariable":
            return ev.get_variable(_s(args[0]), "env")
        if key == "setenvironmentvariable":
            ev.set_variable(_s(args[0]), args[1] if len(args) > 1 else None, "env")
            return None
        if key == "getenvironmentvariables":
            return PSHashtable(list(ev.env.items()))
    if t in ("text.encoding", "encoding") and key == "getencoding":
        n = _s(args[0]).casefold().replace("-", "")
        name2, codec = _ENCODINGS.get(n, ("UTF8", "utf-8"))
        return Encoding(name2, codec)
    if t in ("text.encoding", "encoding") and key in _ENCODINGS:
        raise MethodMissing
    random_fn = _RANDOM_STATICS.get((t, key))
    if random_fn is not None:
        return random_fn(ev, *args)
    table = _STATIC_CALLS.get(t)
    fn = table.get(key) if table is not None else None
    if fn is None:
        if key == "new":
            try:
                return conv.convert_to(raw, args[0] if len(args) == 1 else args) if args else conv.convert_to(raw, None)
            except conv.ConversionError:
                pass
        if table is None and not conv.is_known_type(raw):
            raise ev.record_at(node, f"Unable to find type [{raw}].", error_id="TypeNotFound")
        full = conv.full_type_name(raw) or raw
        raise ev.record_at(node, f"Method invocation failed because [{full}] does not contain a method named "
                           f"'{name}'.", error_id="MethodNotFound")
    return fn(*args)
