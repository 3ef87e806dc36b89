"""PowerShell's value conversions, comparisons and member access over the Python values of :mod:`values`.

Everything here is pure and fast (no imports beyond the standard library at module level): the evaluator
calls these on every operator, cast and property access.

Errors form one small tree so callers can catch a single class::

    ConversionError            "Cannot convert value "abc" to type "System.Int32". Error: ..."
     +-- ComparisonError       "Could not compare "5" to "abc". Error: ..."
     +-- PatternError          an invalid -match / -replace pattern
     +-- FormatError           "Error formatting a string: ..." (-f)
     +-- PropertyNotFoundError "The property 'x' cannot be found on this object. ..."
     +-- UnknownTypeError      "Unable to find type [x]."
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from azshell.lang.numbers import SIZED_TYPES, Char, Single, SizedInt, plain_number
from azshell.lang.values import Guid, PSCredential, PSHashtable, PSObject, SecureString, Uri

PSCUSTOMOBJECT = "System.Management.Automation.PSCustomObject"

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


# ----------------------------------------------------------------------------------------------- errors
class ConversionError(Exception):
    """A failed PowerShell conversion; ``message`` is PowerShell's text."""

    category = "InvalidArgument"
    error_id = "InvalidCastFromStringToInteger"

    def __init__(self, value: Any = None, target_type_name: str = "", inner: str | None = None, *,
                 message: str | None = None) -> None:
        self.value = value
        self.target_type_name = target_type_name
        if message is None:
            if isinstance(value, str):
                message = f'Cannot convert value "{value}" to type "{target_type_name}".'
                if inner is None:
                    inner = "Input string was not in a correct format."
            else:
                tn = type_name_of(value) if value is not None else "null"
                message = (f'Cannot convert the "{to_string(value)}" value of type "{tn}" '
                           f'to type "{target_type_name}".')
            if inner:
                message += f' Error: "{inner}"'
        self.message = message
        super().__init__(message)


class ComparisonError(ConversionError):
    error_id = "ComparisonFailure"


class PatternError(ConversionError):
    error_id = "InvalidRegularExpression"


class FormatError(ConversionError):
    category = "InvalidOperation"
    error_id = "FormatError"


class PropertyNotFoundError(ConversionError):
    category = "InvalidOperation"
    error_id = "PropertyNotFoundStrict"


class UnknownTypeError(ConversionError):
    category = "InvalidOperation"
    error_id = "TypeNotFound"


# ----------------------------------------------------------------------------------------------- types
#: accelerators and short names → .NET full names (keys lower-case, without "system.")
_TYPE_ALIASES: dict[str, str] = {
    "int": "System.Int32", "int32": "System.Int32", "long": "System.Int64", "int64": "System.Int64",
    "short": "System.Int16", "int16": "System.Int16", "byte": "System.Byte", "sbyte": "System.SByte",
    "uint": "System.UInt32", "uint32": "System.UInt32", "ulong": "System.UInt64", "uint64": "System.UInt64",
    "uint16": "System.UInt16", "ushort": "System.UInt16",
    "double": "System.Double", "float": "System.Single", "single": "System.Single", "decimal": "System.Decimal",
    "bigint": "System.Numerics.BigInteger", "numerics.biginteger": "System.Numerics.BigInteger",
    "string": "System.String", "char": "System.Char", "bool": "System.Boolean", "boolean": "System.Boolean",
    "switch": "System.Management.Automation.SwitchParameter",
    "management.automation.switchparameter": "System.Management.Automation.SwitchParameter",
    "array": "System.Array", "object": "System.Object", "object[]": "System.Object[]",
    "psobject": "System.Management.Automation.PSObject",
    "management.automation.psobject": "System.Management.Automation.PSObject",
    "pscustomobject": PSCUSTOMOBJECT, "management.automation.pscustomobject": PSCUSTOMOBJECT,
    "hashtable": "System.Collections.Hashtable", "collections.hashtable": "System.Collections.Hashtable",
    "ordered": "System.Collections.Specialized.OrderedDictionary",
    "collections.specialized.ordereddictionary": "System.Collections.Specialized.OrderedDictionary",
    "collections.idictionary": "System.Collections.IDictionary",
    "collections.ienumerable": "System.Collections.IEnumerable",
    "collections.ilist": "System.Collections.IList",
    "collections.arraylist": "System.Collections.ArrayList",
    "securestring": "System.Security.SecureString", "security.securestring": "System.Security.SecureString",
    "datetime": "System.DateTime", "timespan": "System.TimeSpan", "guid": "System.Guid", "uri": "System.Uri",
    "scriptblock": "System.Management.Automation.ScriptBlock",
    "management.automation.scriptblock": "System.Management.Automation.ScriptBlock",
    "pscredential": "System.Management.Automation.PSCredential",
    "management.automation.pscredential": "System.Management.Automation.PSCredential",
    "regex": "System.Text.RegularExpressions.Regex",
    "text.regularexpressions.regex": "System.Text.RegularExpressions.Regex",
    "void": "System.Void", "version": "System.Version", "valuetype": "System.ValueType",
    "icomparable": "System.IComparable", "type": "System.Type", "byte[]": "System.Byte[]",
    "xml": "System.Xml.XmlDocument", "ipaddress": "System.Net.IPAddress", "net.ipaddress": "System.Net.IPAddress",
}
_FULL_NAMES = {v.casefold(): v for v in _TYPE_ALIASES.values()}


def _norm_type(name: str) -> str:
    n = name.strip()
    if n.startswith("[") and n.endswith("]") and not n.endswith("[]]"):
        n = n[1:-1].strip()
    n = n.casefold()
    if n.startswith("system."):
        n = n[7:]
    return n


def full_type_name(name: str) -> str | None:
    """The .NET full name for a type name or accelerator (``int`` → ``System.Int32``), None if unknown."""
    n = _norm_type(name)
    if n in _TYPE_ALIASES:
        return _TYPE_ALIASES[n]
    if ("system." + n) in _FULL_NAMES:
        return _FULL_NAMES["system." + n]
    if n in _FULL_NAMES:
        return _FULL_NAMES[n]
    if n.endswith("[]"):
        inner = full_type_name(n[:-2])
        return None if inner is None else inner + "[]"
    return None


def is_known_type(name: str) -> bool:
    return full_type_name(name) is not None


_TYPE_NAME_RE = re.compile(r"[A-Za-z_][\w.+`]*(\[[\w.,\[\] `]*\])?")


def valid_type_name(name: str) -> bool:
    """``name`` is spelled like a type name (``int``, ``System.Collections.Generic.List[string]``, ``int[]``):
    what ``[type]'…'`` accepts before looking the type up."""
    text = name.strip()
    return bool(_TYPE_NAME_RE.fullmatch(text)) and text.count("[") == text.count("]")


def _is_scriptblock(v: Any) -> bool:
    return type(v).__name__ == "ScriptBlock"


#: ``type_name_of`` for values whose Python type alone gives the .NET name, tried in this order
_TYPE_NAMES: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (float, "System.Double"),
    (Decimal, "System.Decimal"),
    (Guid, "System.Guid"),
    (Uri, "System.Uri"),
    (str, "System.String"),
    ((list, tuple), "System.Object[]"),
    (SecureString, "System.Security.SecureString"),
    (PSCredential, "System.Management.Automation.PSCredential"),
    (datetime, "System.DateTime"),
    (timedelta, "System.TimeSpan"),
    ((bytes, bytearray), "System.Byte[]"),
    (dict, "System.Collections.Hashtable"),
)


def type_name_of(v: Any) -> str:
    """The .NET full type name PowerShell reports for ``v.GetType().FullName`` (``""`` for ``$null``)."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "System.Boolean"
    if isinstance(v, (SizedInt, Single, Char)):
        return v.ps_type_name
    if isinstance(v, int):
        if _INT32_MIN <= v <= _INT32_MAX:
            return "System.Int32"
        if _INT64_MIN <= v <= _INT64_MAX:
            return "System.Int64"
        return "System.Numerics.BigInteger"
    if isinstance(v, PSHashtable):
        return "System.Collections.Specialized.OrderedDictionary" if v.ordered else "System.Collections.Hashtable"
    if isinstance(v, PSObject):
        return v.type_name
    for types, name in _TYPE_NAMES:
        if isinstance(v, types):
            return name
    if _is_scriptblock(v):
        return "System.Management.Automation.ScriptBlock"
    explicit = getattr(v, "ps_type_name", None)
    if isinstance(explicit, str):
        return explicit
    return "System.Object"


def _type_chain(v: Any) -> set[str]:
    """Every full type name (lower-case) ``v`` is an instance of, for ``-is``."""
    names = {type_name_of(v).casefold(), "system.object"}
    if isinstance(v, PSObject):
        names.add("system.management.automation.psobject")  # only a wrapped object is a PSObject
        names.update(t.casefold() for t in v.type_names)
        names.add(PSCUSTOMOBJECT.casefold())
    elif isinstance(v, bool) or isinstance(v, (int, float, Decimal)):
        names.update({"system.valuetype", "system.icomparable"})
    elif isinstance(v, str):
        names.update({"system.icomparable", "system.collections.ienumerable"})
    elif isinstance(v, (list, tuple)):
        names.update({"system.array", "system.collections.ienumerable", "system.collections.ilist"})
    elif isinstance(v, (PSHashtable, dict)):
        names.update({"system.collections.idictionary", "system.collections.ienumerable",
                      "system.collections.hashtable"})
    elif isinstance(v, (datetime, timedelta)):
        names.update({"system.valuetype", "system.icomparable"})
    return names


def is_instance_of(v: Any, type_name: str) -> bool:
    """``v -is [type_name]``. ``$null`` is an instance of nothing."""
    if v is None:
        return False
    full = full_type_name(type_name) or type_name.strip().strip("[]")
    return full.casefold() in _type_chain(v)


# ----------------------------------------------------------------------------------------------- strings
def format_double(f: float) -> str:
    """A double as .NET Core's ``ToString()`` prints it (shortest round-trip, ``E+XX`` outside 1e-5..1e15)."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "Infinity" if f > 0 else "-Infinity"
    if f == 0:
        return "0"
    sign, digits, exp = Decimal(repr(f)).as_tuple()
    assert isinstance(exp, int)
    ds = list(digits)
    while len(ds) > 1 and ds[-1] == 0:
        ds.pop()
        exp += 1
    sci = len(ds) - 1 + exp
    neg = "-" if sign else ""
    text = "".join(str(d) for d in ds)
    if sci >= 15 or sci < -5:
        mant = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{neg}{mant}E{'+' if sci >= 0 else '-'}{abs(sci):02d}"
    if exp >= 0:
        return neg + text + "0" * exp
    point = len(text) + exp
    if point > 0:
        return neg + text[:point] + "." + text[point:]
    return neg + "0." + "0" * (-point) + text


def format_datetime_invariant(d: datetime | date) -> str:
    """``MM/dd/yyyy HH:mm:ss``: how PowerShell converts a DateTime to string (invariant culture)."""
    if not isinstance(d, datetime):
        d = datetime(d.year, d.month, d.day)
    return d.strftime("%m/%d/%Y %H:%M:%S")


def format_timespan(td: timedelta) -> str:
    """``[d.]hh:mm:ss[.fffffff]`` as .NET prints a TimeSpan."""
    total_us = td.days * 86_400_000_000 + td.seconds * 1_000_000 + td.microseconds
    neg = total_us < 0
    total_us = abs(total_us)
    days, rem = divmod(total_us, 86_400_000_000)
    hours, rem = divmod(rem, 3_600_000_000)
    minutes, rem = divmod(rem, 60_000_000)
    seconds, us = divmod(rem, 1_000_000)
    out = f"{hours:02d}:{minutes:02d}:{seconds:02d}"
    if days:
        out = f"{days}.{out}"
    if us:
        out += f".{us * 10:07d}"
    return ("-" if neg else "") + out


def _member_string(v: Any) -> str:
    """A value inside ``@{a=...}``: nested collections show as their type name, as .NET ToString() does."""
    if isinstance(v, (list, tuple)):
        return "System.Object[]"
    return to_string(v)


def to_string(v: Any, ofs: str = " ") -> str:
    """PowerShell's ``[string]`` conversion (invariant culture; arrays joined with ``$OFS``)."""
    if v is None:
        return ""
    if isinstance(v, str):
        return str.__str__(v)
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return format_double(v)
    if isinstance(v, Decimal):
        return format(v.normalize(), "f") if v == v.to_integral_value() else str(v)
    if isinstance(v, (list, tuple)):
        return ofs.join(to_string(x, ofs) for x in v)
    if isinstance(v, PSHashtable):
        return type_name_of(v)
    if isinstance(v, PSObject):
        if v.type_name != PSCUSTOMOBJECT and "tostring" in v.methods:
            return str(v.methods["tostring"]())
        if v.type_name == PSCUSTOMOBJECT or PSCUSTOMOBJECT in v.type_names or len(v.type_names) <= 1:
            return "@{" + "; ".join(f"{k}={_member_string(x)}" for k, x in v.properties()) + "}"
        return v.type_name
    if isinstance(v, datetime):
        return format_datetime_invariant(v)
    if isinstance(v, date):
        return format_datetime_invariant(v)
    if isinstance(v, timedelta):
        return format_timespan(v)
    if isinstance(v, (SecureString, PSCredential)):
        return type_name_of(v)
    if isinstance(v, (bytes, bytearray)):
        return ofs.join(str(b) for b in v)
    if isinstance(v, dict):
        return "System.Collections.Hashtable"
    return str(v)


# ----------------------------------------------------------------------------------------------- booleans
def to_bool(v: Any) -> bool:
    """PowerShell truthiness (``[bool]``): ``"False"`` is True, ``@()`` is False, ``@(0)`` is False."""
    if v is None:
        return False
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float, Decimal)):
        return v != 0
    if isinstance(v, str):
        return len(v) > 0
    if isinstance(v, (list, tuple)):
        if len(v) == 0:
            return False
        if len(v) == 1:
            return to_bool(v[0])
        return True
    if _is_scriptblock(v):
        return True
    return True


# ----------------------------------------------------------------------------------------------- numbers
_NUM_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_HEX_RE = re.compile(r"([+-]?)0[xX]([0-9a-fA-F]+)")
_MULT = {"kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4, "pb": 1024**5}


def parse_number(s: str) -> int | float | None:
    """Parse a numeric string as PowerShell does (whitespace, sign, hex, exponent, kb/mb suffixes); None if not."""
    t = s.strip()
    if t == "":
        return 0
    mult = 1
    low = t.casefold()
    if len(low) > 2 and low[-2:] in _MULT:
        mult = _MULT[low[-2:]]
        t = t[:-2]
    m = _HEX_RE.fullmatch(t)
    if m:
        n = int(m.group(2), 16)
        return (-n if m.group(1) == "-" else n) * mult
    if _NUM_RE.fullmatch(t):
        if "." in t or "e" in t or "E" in t:
            f = float(t) * mult
            return f
        return int(t) * mult
    return None


def to_number(v: Any) -> int | float:
    """PowerShell's numeric conversion for arithmetic; raises :class:`ConversionError` on failure."""
    if v is None:
        return 0
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    if isinstance(v, Char):
        return ord(v)  # a [char] is its code point: [int][char]'a' is 97
    if isinstance(v, str):
        n = parse_number(v)
        if n is None:
            target = "System.Double" if "." in v else "System.Int32"
            raise ConversionError(v, target)
        return n
    if isinstance(v, (list, tuple)) and len(v) == 1:
        return to_number(v[0])
    if isinstance(v, timedelta):
        return int(v.total_seconds() * 10_000_000)
    raise ConversionError(v, "System.Int32")


def _round_half_even(f: float) -> int:
    return int(round(f))


def to_index(v: Any) -> int:
    """An index or count as an int: numbers and numeric strings round half to even, as .NET converts them."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int):
        return v
    return _round_half_even(to_number(v))


def to_int(v: Any, type_name: str = "System.Int32", lo: int = _INT32_MIN, hi: int = _INT32_MAX) -> int:
    """``[int]``/``[long]``: banker's rounding of doubles, range-checked with .NET's overflow text."""
    try:
        n = to_number(v)
    except ConversionError as e:
        raise ConversionError(v, type_name, message=e.message.replace('"System.Int32"', f'"{type_name}"')
                              .replace('"System.Double"', f'"{type_name}"')) from None
    if isinstance(n, float):
        if math.isnan(n) or math.isinf(n):
            raise ConversionError(v, type_name, f"Value was either too large or too small for an {type_name[7:]}.")
        n = _round_half_even(n)
    if not lo <= n <= hi:
        short = type_name.split(".")[-1]
        art = "an" if short[0] in "AEIOUaeiou" else "a"
        raise ConversionError(v, type_name, f"Value was either too large or too small for {art} {short}.")
    return n


def to_double(v: Any) -> float:
    try:
        return float(to_number(v))
    except ConversionError as e:
        raise ConversionError(v, "System.Double", message=e.message.replace('"System.Int32"', '"System.Double"')) \
            from None


# ----------------------------------------------------------------------------------------------- dates
_DT_FORMATS = (
    "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M %p", "%m/%d/%Y",
    "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y",
    "%B %d %Y", "%A, %B %d, %Y %I:%M:%S %p", "%A, %B %d, %Y", "%a, %d %b %Y %H:%M:%S GMT",
    "%d-%b-%Y", "%H:%M:%S", "%H:%M",
)


def parse_datetime(s: str) -> datetime | None:
    t = s.strip()
    if not t:
        return None
    iso = t[:-1] + "+00:00" if t.endswith(("Z", "z")) else t
    # Python before 3.12 rejects >6 fractional digits; .NET writes 7
    iso = re.sub(r"(\.\d{6})\d+", r"\1", iso)
    d: datetime | None = None
    try:
        d = datetime.fromisoformat(iso)
    except ValueError:
        for fmt in _DT_FORMATS:
            try:
                d = datetime.strptime(t, fmt)
            except ValueError:
                continue
            if fmt.startswith("%H"):
                today = datetime.now()
                d = d.replace(year=today.year, month=today.month, day=today.day)
            break
    if d is None:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return d


def to_datetime(v: Any) -> datetime:
    if isinstance(v, datetime):
        return v if v.tzinfo is not None else v.replace(tzinfo=UTC)
    if isinstance(v, date):
        return datetime(v.year, v.month, v.day, tzinfo=UTC)
    if isinstance(v, str):
        d = parse_datetime(v)
        if d is None:
            raise ConversionError(v, "System.DateTime", f"String '{v}' was not recognized as a valid DateTime.")
        return d
    if isinstance(v, int) and not isinstance(v, bool):
        # .NET ticks (100 ns since 0001-01-01)
        return datetime(1, 1, 1, tzinfo=UTC) + timedelta(microseconds=v // 10)
    raise ConversionError(v, "System.DateTime")


# ----------------------------------------------------------------------------------------------- casts
def _to_guid(v: Any) -> Guid:
    if isinstance(v, Guid):
        return v
    s = to_string(v).strip()
    try:
        return Guid(str(uuid.UUID(s)))
    except ValueError:
        raise ConversionError(
            v, "System.Guid",
            "Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).") from None


def _to_char(v: Any) -> str:
    if isinstance(v, str):
        if len(v) == 1:
            return Char(v)
        raise ConversionError(v, "System.Char", "String must be exactly one character long.")
    if isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 0xFFFF:
        return Char(chr(v))
    raise ConversionError(v, "System.Char")


def _to_hashtable(v: Any, ordered: bool) -> PSHashtable:
    if isinstance(v, PSHashtable):
        return v if v.ordered == ordered or not ordered else PSHashtable(v.items(), ordered=True)
    if isinstance(v, dict):
        return PSHashtable(v, ordered=ordered)
    if v is None and not ordered:
        return PSHashtable()
    raise ConversionError(v, "System.Collections.Specialized.OrderedDictionary" if ordered
                          else "System.Collections.Hashtable")


def _to_bytes(v: Any) -> bytes:
    if isinstance(v, (bytes, bytearray)):
        return bytes(v)
    items = enumerate_value(v)
    out = bytearray()
    for x in items:
        out.append(to_int(x, "System.Byte", 0, 255))
    return bytes(out)


def _convert_scalar(n: str, v: Any, original_name: str) -> Any:
    if n in ("int", "int32"):
        return to_int(v)
    sized = SIZED_TYPES.get(n)
    if sized is not None:
        return sized(to_int(v, sized.ps_type_name, sized.minimum, sized.maximum))
    if n in ("float", "single"):
        return Single(to_double(v))
    if n == "double":
        return to_double(v)
    if n == "decimal":
        if isinstance(v, Decimal):
            return v
        num = to_double(v)
        return Decimal(repr(num))
    if n == "string":
        return None if v is None and original_name.endswith("?") else to_string(v)
    if n in ("bool", "boolean", "switch", "management.automation.switchparameter"):
        return to_bool(v)
    if n in ("object", "psobject", "management.automation.psobject"):
        return v
    if n in ("array", "object[]", "collections.ilist", "collections.ienumerable", "collections.arraylist"):
        if v is None:
            return None if n in ("array", "object[]") else []
        return list(v) if isinstance(v, (list, tuple)) else [v]
    if n in ("hashtable", "collections.hashtable", "collections.idictionary"):
        return _to_hashtable(v, False)
    if n in ("ordered", "collections.specialized.ordereddictionary"):
        return _to_hashtable(v, True)
    if n in ("pscustomobject", "management.automation.pscustomobject"):
        if isinstance(v, PSHashtable):
            return PSObject(v.items())
        if isinstance(v, dict):
            return PSObject(list(v.items()))
        return v
    if n in ("securestring", "security.securestring"):
        if isinstance(v, SecureString):
            return v
        raise ConversionError(v, "System.Security.SecureString", message=(
            f'Cannot convert the "{to_string(v)}" value of type "{type_name_of(v) or "null"}" to type '
            '"System.Security.SecureString".'))
    if n == "datetime":
        return to_datetime(v)
    if n == "timespan":
        if isinstance(v, timedelta):
            return v
        if isinstance(v, int) and not isinstance(v, bool):
            return timedelta(microseconds=v / 10)
        if isinstance(v, str):
            m = re.fullmatch(r"\s*(-)?(?:(\d+)\.)?(\d+):(\d+)(?::(\d+)(?:\.(\d+))?)?\s*", v)
            if m:
                frac = (m.group(6) or "0")[:6].ljust(6, "0")
                td = timedelta(days=int(m.group(2) or 0), hours=int(m.group(3)), minutes=int(m.group(4)),
                               seconds=int(m.group(5) or 0), microseconds=int(frac))
                return -td if m.group(1) else td
        raise ConversionError(v, "System.TimeSpan")
    if n == "guid":
        return _to_guid(v)
    if n == "uri":
        if isinstance(v, Uri):
            return v
        s = to_string(v)
        if not s:
            raise ConversionError(v, "System.Uri", "Invalid URI: The URI is empty.")
        return Uri(s)
    if n == "char":
        return _to_char(v)
    if n == "byte[]":
        return _to_bytes(v)
    if n in ("scriptblock", "management.automation.scriptblock"):
        if v is None or _is_scriptblock(v):
            return v
        raise ConversionError(v, "System.Management.Automation.ScriptBlock")
    if n in ("pscredential", "management.automation.pscredential"):
        if v is None or isinstance(v, PSCredential):
            return v
        raise ConversionError(v, "System.Management.Automation.PSCredential")
    if n in ("regex", "text.regularexpressions.regex", "version", "ipaddress", "net.ipaddress"):
        return to_string(v)
    if n == "void":
        return None
    if n == "type":
        if isinstance(v, str) and not valid_type_name(v):
            raise ConversionError(v, "System.Type")
        return v
    full = full_type_name(original_name)
    if full is not None:
        return v
    # a type known only through objects' type names (Az models): accept matching objects
    if isinstance(v, PSObject) and any(t.casefold() in (n, "system." + n) for t in v.type_names):
        return v
    raise UnknownTypeError(message=f"Unable to find type [{original_name.strip().strip('[]')}].")


def convert_to(type_name: str, v: Any) -> Any:
    """A cast ``[type_name]v`` / parameter binding conversion. ``T[]`` converts every element into a list."""
    raw = type_name.strip()
    if raw.startswith("[") and raw.endswith("]") and not raw.endswith("[]]"):
        raw = raw[1:-1].strip()
    n = _norm_type(raw)
    literal = getattr(v, "literal_text", None)
    if literal is not None:  # a number typed as a command argument: [string] gets its text (f 24l -> '24l')
        if n == "string":
            return literal
        v = plain_number(v)
    if n.endswith("[]") and n not in ("object[]", "byte[]"):
        elem = raw[:-2]
        if v is None:
            return None
        items = v if isinstance(v, (list, tuple)) else enumerate_value(v) if isinstance(v, (bytes,)) else [v]
        return [convert_to(elem, x) for x in items]
    if n.endswith("[]") and n == "object[]":
        return _convert_scalar(n, v, raw)
    if isinstance(v, (list, tuple)) and n not in (
        "object", "psobject", "management.automation.psobject", "string", "bool", "boolean", "switch",
        "array", "object[]", "byte[]", "collections.ilist", "collections.ienumerable", "collections.arraylist",
        "pscustomobject", "management.automation.pscustomobject", "void", "type",
    ):
        if len(v) == 1:
            return _convert_scalar(n, v[0], raw)
        full = full_type_name(raw) or raw
        raise ConversionError(v, full, message=(
            f'Cannot convert the "System.Object[]" value of type "System.Object[]" to type "{full}".'))
    return _convert_scalar(n, v, raw)


# ----------------------------------------------------------------------------------------------- enumeration
def enumerate_value(v: Any) -> list[Any]:
    """How the pipeline enumerates a value: lists do, hashtables and strings don't, ``$null`` gives nothing."""
    if v is None:
        return []
    if isinstance(v, list):
        return v
    if isinstance(v, tuple):
        return list(v)
    if isinstance(v, (bytes, bytearray)):
        return list(v)
    if isinstance(v, (set, frozenset, range)):
        return list(v)
    if isinstance(v, (str, PSHashtable, PSObject, dict)):
        return [v]
    if hasattr(v, "__next__"):
        return list(v)
    return [v]


# ----------------------------------------------------------------------------------------------- comparison
def _casefold(s: str, case_sensitive: bool) -> str:
    return s if case_sensitive else s.casefold()


def ps_equals(a: Any, b: Any, case_sensitive: bool = False) -> bool:
    """``a -eq b`` for scalars: the left operand's type decides how the right one is converted."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str):
        if isinstance(b, str):
            return _casefold(a, case_sensitive) == _casefold(b, case_sensitive)
        return _casefold(a, case_sensitive) == _casefold(to_string(b), case_sensitive)
    if isinstance(a, bool):
        return a == to_bool(b)
    if isinstance(a, (int, float, Decimal)):
        if isinstance(b, (int, float, Decimal)) and not isinstance(b, bool):
            return bool(a == b)
        if isinstance(b, (str, bool)):
            try:
                return bool(a == to_number(b))
            except ConversionError:
                return False
        return False
    if isinstance(a, datetime):
        try:
            return a == to_datetime(b)
        except (ConversionError, TypeError):
            return False
    if isinstance(a, timedelta):
        return isinstance(b, timedelta) and a == b
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return a is b
    if isinstance(a, (PSObject, PSHashtable)):
        return a is b
    try:
        return bool(a == b)
    except Exception:
        return a is b


def _cmp(x: Any, y: Any) -> int:
    return int((x > y) - (x < y))


def ps_compare(a: Any, b: Any, case_sensitive: bool = False) -> int:
    """-1/0/1 for ``-lt -le -gt -ge`` and Sort-Object. ``$null`` sorts before everything."""
    if a is None and b is None:
        return 0
    if a is None:
        return -1
    if b is None:
        return 1
    try:
        if isinstance(a, str):
            return _cmp(_casefold(a, case_sensitive), _casefold(to_string(b), case_sensitive))
        if isinstance(a, bool):
            return _cmp(int(a), int(to_bool(b)))
        if isinstance(a, (int, float, Decimal)):
            bn = b if isinstance(b, (int, float, Decimal)) and not isinstance(b, bool) else to_number(b)
            if isinstance(a, Decimal) != isinstance(bn, Decimal):
                return _cmp(float(a), float(bn))
            return _cmp(a, bn)
        if isinstance(a, datetime):
            bd = to_datetime(b)
            if (a.tzinfo is None) != (bd.tzinfo is None):
                a = a.replace(tzinfo=UTC) if a.tzinfo is None else a
                bd = bd.replace(tzinfo=UTC) if bd.tzinfo is None else bd
            return _cmp(a, bd)
        if isinstance(a, timedelta):
            if isinstance(b, timedelta):
                return _cmp(a, b)
            raise ConversionError(b, "System.TimeSpan")
    except ConversionError as e:
        raise ComparisonError(message=f'Could not compare "{to_string(a)}" to "{to_string(b)}". '
                                      f'Error: "{e.message}"') from None
    if ps_equals(a, b, case_sensitive):
        return 0
    raise ComparisonError(message=f'Cannot compare "{to_string(a)}" because it is not IComparable.')


def sort_key_compare(a: Any, b: Any, case_sensitive: bool = False) -> int:
    """A total order for Sort-Object: never raises (mixed types fall back to their string forms)."""
    try:
        return ps_compare(a, b, case_sensitive)
    except ConversionError:
        if a is None or b is None:
            return 0
        try:
            return -ps_compare(b, a, case_sensitive)
        except ConversionError:
            return _cmp(_casefold(to_string(a), case_sensitive), _casefold(to_string(b), case_sensitive))


@lru_cache(maxsize=512)
def wildcard_to_regex(pattern: str, case_sensitive: bool = False) -> re.Pattern[str]:
    """A PowerShell wildcard (``* ? [a-z]``, backtick escapes) as a compiled, anchored regex."""
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "`" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[":
            j = pattern.find("]", i + 1)
            if j == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1:j]
                cls = "".join(ch if ch == "-" else re.escape(ch) for ch in body)
                out.append(f"[{cls}]" if body else re.escape("[]"))
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    flags = re.DOTALL | (0 if case_sensitive else re.IGNORECASE)
    return re.compile("".join(out) + r"\Z", flags)


def has_wildcards(s: str) -> bool:
    return any(c in s for c in "*?[")


def ps_like(s: Any, pattern: Any, case_sensitive: bool = False) -> bool:
    """``s -like pattern``."""
    return wildcard_to_regex(to_string(pattern), case_sensitive).match(to_string(s)) is not None


def translate_regex(pattern: str) -> str:
    """.NET regex syntax → Python ``re``: named groups, named back-references, ``\\z``/``\\Z``."""
    p = re.sub(r"\(\?<(?![=!])([A-Za-z_]\w*)>", r"(?P<\1>", pattern)
    p = re.sub(r"\(\?'([A-Za-z_]\w*)'", r"(?P<\1>", p)
    p = re.sub(r"\\k<([A-Za-z_]\w*)>", r"(?P=\1)", p)
    out: list[str] = []
    i = 0
    while i < len(p):
        if p[i] == "\\" and i + 1 < len(p):
            nxt = p[i + 1]
            if nxt == "z":
                out.append(r"\Z")
            elif nxt == "Z":
                out.append(r"(?=\n?\Z)")
            else:
                out.append(p[i:i + 2])
            i += 2
            continue
        out.append(p[i])
        i += 1
    return "".join(out)


@lru_cache(maxsize=512)
def compile_regex(pattern: str, case_sensitive: bool = False) -> re.Pattern[str]:
    """Compile a .NET-style pattern; raises :class:`PatternError` with .NET's wording."""
    try:
        return re.compile(translate_regex(pattern), 0 if case_sensitive else re.IGNORECASE)
    except re.error as e:
        pos = "" if e.pos is None else f" at offset {e.pos}"
        raise PatternError(message=f"Invalid pattern '{pattern}'{pos}. {str(e.msg).capitalize()}.") from None


def ps_match(s: Any, pattern: Any, case_sensitive: bool = False) -> re.Match[str] | None:
    """``s -match pattern``: the first match (``$Matches`` is built from it by the evaluator) or None."""
    return compile_regex(to_string(pattern), case_sensitive).search(to_string(s))


def matches_table(m: re.Match[str]) -> PSHashtable:
    """``$Matches`` for a match: group numbers and names as keys, as PowerShell fills it."""
    h = PSHashtable()
    names = {v: k for k, v in m.re.groupindex.items()}
    for i in range(m.re.groups, 0, -1):
        if m.group(i) is not None:
            h[names.get(i, i)] = m.group(i)
    h[0] = m.group(0)
    return h


def translate_replacement(rep: str) -> str:
    """A .NET replacement string (``$1``, ``${name}``, ``$$``, ``$&``) → Python ``re.sub`` template."""
    out: list[str] = []
    i = 0
    while i < len(rep):
        c = rep[i]
        if c == "\\":
            out.append("\\\\")
        elif c == "$" and i + 1 < len(rep):
            nxt = rep[i + 1]
            if nxt == "$":
                out.append("$")
                i += 1
            elif nxt == "&":
                out.append(r"\g<0>")
                i += 1
            elif nxt.isdigit():
                j = i + 1
                while j < len(rep) and rep[j].isdigit():
                    j += 1
                out.append(rf"\g<{rep[i + 1:j]}>")
                i = j - 1
            elif nxt == "{":
                j = rep.find("}", i)
                if j == -1:
                    out.append("$")
                else:
                    out.append(rf"\g<{rep[i + 2:j]}>")
                    i = j
            else:
                out.append("$")
        else:
            out.append(c)
        i += 1
    return "".join(out)


def ps_replace(s: Any, pattern: Any, replacement: Any = "", case_sensitive: bool = False) -> str:
    """``s -replace pattern, replacement``."""
    rx = compile_regex(to_string(pattern), case_sensitive)
    if callable(replacement) and not isinstance(replacement, str):
        fn: Callable[[re.Match[str]], Any] = replacement
        return rx.sub(lambda m: to_string(fn(m)), to_string(s))
    try:
        return rx.sub(translate_replacement(to_string(replacement)), to_string(s))
    except (re.error, IndexError) as e:
        raise PatternError(message=f"Invalid replacement '{to_string(replacement)}'. {e}") from None


def ps_contains(collection: Any, value: Any, case_sensitive: bool = False) -> bool:
    """``collection -contains value`` (each element is the left operand of ``-eq``)."""
    return any(ps_equals(x, value, case_sensitive) for x in enumerate_value(collection)
               ) if collection is not None else value is None


# ----------------------------------------------------------------------------------------------- .NET format strings
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

#: en-US standard date/time formats (PowerShell on a default culture)
_STD_DT = {
    "d": "M/d/yyyy", "D": "dddd, MMMM d, yyyy", "f": "dddd, MMMM d, yyyy h:mm tt",
    "F": "dddd, MMMM d, yyyy h:mm:ss tt", "g": "M/d/yyyy h:mm tt", "G": "M/d/yyyy h:mm:ss tt",
    "m": "MMMM d", "M": "MMMM d", "o": "yyyy-MM-ddTHH:mm:ss.fffffffK", "O": "yyyy-MM-ddTHH:mm:ss.fffffffK",
    "r": "ddd, dd MMM yyyy HH:mm:ss 'GMT'", "R": "ddd, dd MMM yyyy HH:mm:ss 'GMT'", "s": "yyyy-MM-ddTHH:mm:ss",
    "t": "h:mm tt", "T": "h:mm:ss tt", "u": "yyyy-MM-dd HH:mm:ss'Z'", "U": "dddd, MMMM d, yyyy h:mm:ss tt",
    "y": "MMMM yyyy", "Y": "MMMM yyyy",
}


def _offset(d: datetime, colon: bool, full: bool) -> str:
    off = d.utcoffset() or timedelta(0)
    mins = int(off.total_seconds() // 60)
    sign = "+" if mins >= 0 else "-"
    h, m = divmod(abs(mins), 60)
    if not full:
        return f"{sign}{h}" if not colon else f"{sign}{h:02d}"
    return f"{sign}{h:02d}:{m:02d}"


def format_datetime(d: datetime | date, fmt: str) -> str:
    """Format a datetime with a .NET standard (``"o"``, ``"d"``) or custom (``"yyyy-MM-dd HH:mm"``) format."""
    if not isinstance(d, datetime):
        d = datetime.combine(d, time())
    if len(fmt) == 1 and fmt in _STD_DT:
        if fmt in "rRuU" and d.tzinfo is not None:
            d = d.astimezone(UTC)
        fmt = _STD_DT[fmt]
    elif len(fmt) == 2 and fmt[0] == "%":
        fmt = fmt[1]
    out: list[str] = []
    i = 0
    n = len(fmt)
    while i < n:
        c = fmt[i]
        if c in "'\"":
            j = fmt.find(c, i + 1)
            j = n if j == -1 else j
            out.append(fmt[i + 1:j])
            i = j + 1
            continue
        if c == "\\" and i + 1 < n:
            out.append(fmt[i + 1])
            i += 2
            continue
        if c == "%" and i + 1 < n:
            i += 1
            continue
        j = i
        while j < n and fmt[j] == c:
            j += 1
        k = j - i
        if c == "y":
            out.append(f"{d.year % 100:0{k}d}" if k <= 2 else f"{d.year:0{k}d}")
        elif c == "M":
            out.append(f"{d.month:0{k}d}" if k <= 2 else _MONTHS[d.month - 1][:3] if k == 3 else _MONTHS[d.month - 1])
        elif c == "d":
            out.append(f"{d.day:0{k}d}" if k <= 2 else _DAYS[d.weekday()][:3] if k == 3 else _DAYS[d.weekday()])
        elif c == "H":
            out.append(f"{d.hour:0{min(k, 2)}d}")
        elif c == "h":
            out.append(f"{(d.hour % 12) or 12:0{min(k, 2)}d}")
        elif c == "m":
            out.append(f"{d.minute:0{min(k, 2)}d}")
        elif c == "s":
            out.append(f"{d.second:0{min(k, 2)}d}")
        elif c in "fF":
            frac = f"{d.microsecond:06d}0"[:k]
            out.append(frac.rstrip("0") if c == "F" else frac)
        elif c == "t":
            ampm = "AM" if d.hour < 12 else "PM"
            out.append(ampm[0] if k == 1 else ampm)
        elif c == "z":
            out.append(_offset(d, k == 2, k >= 3))
        elif c == "K":
            if d.tzinfo is None:
                out.append("")
            elif d.utcoffset() == timedelta(0):
                out.append("Z")
            else:
                out.append(_offset(d, True, True))
        elif c == "g":
            out.append("A.D.")
        else:
            out.append(c * k)
        i = j
    return "".join(out)


def _group(number: str) -> str:
    neg = number.startswith("-")
    s, dot, frac = number.lstrip("-").partition(".")
    parts: list[str] = []
    while len(s) > 3:
        parts.insert(0, s[-3:])
        s = s[:-3]
    parts.insert(0, s)
    return ("-" if neg else "") + ",".join(parts) + dot + frac


def _fixed(value: Any, decimals: int) -> str:
    try:
        d = Decimal(value) if not isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        d = Decimal(str(to_number(value)))
    q = d.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP) if decimals >= 0 else d
    s = format(q, "f")
    if s.startswith("-") and q == 0:
        s = s[1:]
    return s


def _custom_number(num: float | int | Decimal, fmt: str) -> str:
    start = next((i for i, c in enumerate(fmt) if c in "0#"), None)
    if start is None:
        return fmt
    end = max(i for i, c in enumerate(fmt) if c in "0#") + 1
    prefix, body, suffix = fmt[:start], fmt[start:end], fmt[end:]
    if "%" in prefix + suffix:
        num = num * 100
    if "." in body:
        ipart, fpart = body.split(".", 1)
    else:
        ipart, fpart = body, ""
    grouping = "," in ipart
    min_int = ipart.count("0")
    min_frac = fpart.count("0")
    max_frac = min_frac + fpart.count("#")
    s = _fixed(num, max_frac)
    neg = s.startswith("-")
    s = s.lstrip("-")
    whole, _, frac = s.partition(".")
    frac = frac.rstrip("0") if max_frac > min_frac else frac
    while len(frac) < min_frac:
        frac += "0"
    if whole == "0" and min_int == 0:
        whole = ""
    whole = whole.rjust(min_int, "0")
    if grouping and whole:
        whole = _group(whole)
    out = whole + ("." + frac if frac else "")
    return prefix + ("-" if neg and out.strip("0.") else "") + out + suffix


def format_value(value: Any, spec: str) -> str:
    """``value.ToString(spec)`` for the format item ``{0:spec}`` (en-US culture)."""
    if spec == "":
        if isinstance(value, datetime):
            return format_datetime(value, "G")
        return to_string(value)
    if isinstance(value, (datetime, date)):
        return format_datetime(value, spec)
    if isinstance(value, timedelta):
        return format_timespan(value)
    num: int | float | Decimal
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        if isinstance(value, str):
            return value
        return to_string(value)
    num = value
    letter = spec[0]
    rest = spec[1:]
    if rest.isdigit() or rest == "":
        prec = int(rest) if rest else None
        up = letter.upper()
        if up == "N":
            return _group(_fixed(num, 2 if prec is None else prec))
        if up == "F":
            return _fixed(num, 2 if prec is None else prec)
        if up == "D":
            if not isinstance(num, int):
                raise FormatError(message="Error formatting a string: Format specifier was invalid..")
            s = str(abs(num)).rjust(prec or 0, "0")
            return ("-" if num < 0 else "") + s
        if up == "X":
            if not isinstance(num, int):
                raise FormatError(message="Error formatting a string: Format specifier was invalid..")
            n = num if num >= 0 else num + (2**32 if num >= _INT32_MIN else 2**64)
            s = format(n, "X" if letter == "X" else "x")
            return s.rjust(prec or 0, "0")
        if up == "P":
            return _group(_fixed(Decimal(repr(num)) * 100 if isinstance(num, float) else Decimal(num) * 100,
                                 2 if prec is None else prec)) + "%"
        if up == "C":
            s = _group(_fixed(num, 2 if prec is None else prec))
            return f"(${s[1:]})" if s.startswith("-") else f"${s}"
        if up == "E":
            p = 6 if prec is None else prec
            m, e = f"{float(num):.{p}e}".split("e")
            return f"{m}{letter}{e[0]}{int(e[1:]):03d}"
        if up in ("G", "R"):
            if prec:
                return format_double(float(f"{float(num):.{prec}g}")) if isinstance(num, float) else str(num)
            return to_string(num)
    return _custom_number(num, spec)


_FMT_ITEM = re.compile(r"\{\{|\}\}|\{\s*(\d+)\s*(?:,\s*(-?\d+)\s*)?(?::([^}]*))?\}|[{}]")


def format_operator(fmt: Any, args: list[Any]) -> str:
    """The ``-f`` operator: .NET composite formatting (``{0}``, ``{0,-10}``, ``{0:N2}``, ``{{``)."""
    text = to_string(fmt)
    if not isinstance(args, list):
        args = enumerate_value(args) if isinstance(args, tuple) else [args]

    def repl(m: re.Match[str]) -> str:
        tok = m.group(0)
        if tok == "{{":
            return "{"
        if tok == "}}":
            return "}"
        if m.group(1) is None:
            raise FormatError(message='Error formatting a string: Input string was not in a correct format..')
        idx = int(m.group(1))
        if idx >= len(args):
            raise FormatError(message="Error formatting a string: Index (zero based) must be greater than or "
                                      "equal to zero and less than the size of the argument list..")
        s = format_value(args[idx], m.group(3) or "")
        width = m.group(2)
        if width:
            w = int(width)
            s = s.ljust(-w) if w < 0 else s.rjust(w)
        return s

    return _FMT_ITEM.sub(repl, text)


# ----------------------------------------------------------------------------------------------- members
def _not_found(name: str) -> PropertyNotFoundError:
    return PropertyNotFoundError(message=f"The property '{name}' cannot be found on this object. "
                                         "Verify that the property exists.")


def _datetime_member(d: datetime, key: str) -> Any:
    simple = {"year": d.year, "month": d.month, "day": d.day, "hour": d.hour, "minute": d.minute,
              "second": d.second, "millisecond": d.microsecond // 1000, "microsecond": d.microsecond % 1000}
    if key in simple:
        return simple[key]
    if key == "dayofweek":
        return _DAYS[d.weekday()]
    if key == "dayofyear":
        return d.timetuple().tm_yday
    if key == "date":
        return d.replace(hour=0, minute=0, second=0, microsecond=0)
    if key == "timeofday":
        return timedelta(hours=d.hour, minutes=d.minute, seconds=d.second, microseconds=d.microsecond)
    if key == "ticks":
        base = datetime(1, 1, 1, tzinfo=d.tzinfo)
        delta = d - base
        ticks: int = (delta.days * 86_400 + delta.seconds) * 10_000_000 + delta.microseconds * 10
        return ticks
    if key == "kind":
        if d.tzinfo is None:
            return "Unspecified"
        return "Utc" if d.utcoffset() == timedelta(0) else "Local"
    if key == "datetime":
        return format_datetime(d, "F")
    return _MISSING


def _timedelta_member(td: timedelta, key: str) -> Any:
    total = td.total_seconds()
    sign = -1 if total < 0 else 1
    a = abs(td)
    vals = {
        "days": sign * a.days, "hours": sign * (a.seconds // 3600), "minutes": sign * (a.seconds // 60 % 60),
        "seconds": sign * (a.seconds % 60), "milliseconds": sign * (a.microseconds // 1000),
        "totaldays": total / 86400, "totalhours": total / 3600, "totalminutes": total / 60,
        "totalseconds": total, "totalmilliseconds": total * 1000,
        "ticks": int(round(total * 10_000_000)),
    }
    return vals.get(key, _MISSING)


def _uri_member(u: str, key: str) -> Any:
    from urllib.parse import urlsplit

    p = urlsplit(u)
    default_port = {"http": 80, "https": 443, "ftp": 21}.get(p.scheme.lower(), -1)
    path = p.path or ("/" if p.netloc else "")
    vals: dict[str, Any] = {
        "absoluteuri": u, "originalstring": u, "scheme": p.scheme, "host": p.hostname or "",
        "port": p.port if p.port is not None else default_port, "absolutepath": path,
        "query": ("?" + p.query) if p.query else "", "fragment": ("#" + p.fragment) if p.fragment else "",
        "pathandquery": path + (("?" + p.query) if p.query else ""), "authority": p.netloc,
        "isabsoluteuri": bool(p.scheme), "dnssafehost": p.hostname or "", "idnhost": p.hostname or "",
        "userinfo": p.username or "", "localpath": path,
        "segments": ["/"] + [s + "/" for s in path.strip("/").split("/")[:-1]] + [path.strip("/").split("/")[-1]]
        if path.strip("/") else ["/"] if path else [],
    }
    return vals.get(key, _MISSING)


class _Missing:
    pass


_MISSING: Any = _Missing()


def _scalar_member(obj: Any, key: str) -> Any:
    """Members of non-PSObject values; ``_MISSING`` when there is none."""
    if isinstance(obj, str):
        if key == "length":
            return len(obj)
        if isinstance(obj, Uri):
            return _uri_member(str(obj), key)
        if isinstance(obj, Guid) and key == "guid":
            return str.__str__(obj)
    elif isinstance(obj, datetime):
        return _datetime_member(obj, key)
    elif isinstance(obj, timedelta):
        return _timedelta_member(obj, key)
    elif isinstance(obj, SecureString):
        if key == "length":
            return obj.length
    elif isinstance(obj, PSCredential):
        if key == "username":
            return obj.user_name
        if key == "password":
            return obj.password
        if key == "getnetworkcredential":
            return _MISSING
    elif isinstance(obj, (bytes, bytearray)):
        if key in ("length", "count", "longlength"):
            return len(obj)
    return _MISSING


def get_member(obj: Any, name: str, *, strict: bool = False) -> Any:
    """``obj.name`` as PowerShell resolves it (case-insensitive, ``.Count``/``.Length``, member enumeration).

    A missing member gives ``None``, or raises :class:`PropertyNotFoundError` under ``strict`` (Set-StrictMode).
    """
    key = name.casefold()
    if obj is None:
        if strict:
            raise _not_found(name)
        return None
    if isinstance(obj, PSObject):
        hit = obj.get(name, _MISSING)
        if hit is not _MISSING:
            return hit
        if key == "psobject":
            return obj
        if key == "pstypenames":
            return list(obj.type_names)
        if key in ("count", "length"):
            return 1
    elif isinstance(obj, PSHashtable):
        if name in obj:
            return obj[name]
        if key == "count":
            return len(obj)
        if key == "keys":
            return obj.keys()
        if key == "values":
            return obj.values()
        if key in ("isreadonly", "isfixedsize", "issynchronized"):
            return False
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(k, str) and k.casefold() == key:
                return v
        if key == "count":
            return len(obj)
        if key == "keys":
            return list(obj.keys())
        if key == "values":
            return list(obj.values())
    elif isinstance(obj, (list, tuple)):
        if key in ("count", "length", "longlength"):
            return len(obj)
        if key == "rank":
            return 1
        if key in ("issynchronized", "isfixedsize", "isreadonly"):
            return key == "isfixedsize"
        results: list[Any] = []
        for item in obj:
            v = get_member(item, name)
            if v is None:
                continue
            if isinstance(v, (list, tuple)):
                results.extend(v)
            else:
                results.append(v)
        if not results:
            if strict:
                raise _not_found(name)
            return None
        return results[0] if len(results) == 1 else results
    else:
        hit = _scalar_member(obj, key)
        if hit is not _MISSING:
            return hit
        if key in ("count", "length") and not isinstance(obj, str):
            return 1
        members = getattr(obj, "ps_members", None)
        if callable(members):
            table = members()
            if isinstance(table, dict):
                for k, v in table.items():
                    if k.casefold() == key:
                        return v
        if not isinstance(obj, (str, int, float, bool, Decimal)):
            for attr in dir(obj):
                if not attr.startswith("_") and attr.casefold() == key:
                    val = getattr(obj, attr)
                    if not callable(val):
                        return val
        if isinstance(obj, str) and key == "count":
            return 1
    if strict:
        raise _not_found(name)
    return None


def set_member(obj: Any, name: str, value: Any) -> None:
    """``obj.name = value``. PowerShell refuses to add a property by assignment, even outside strict mode."""
    if isinstance(obj, PSObject):
        if obj.has(name):
            obj.set(name, value)
            return
    elif isinstance(obj, PSHashtable):
        obj[name] = value
        return
    elif isinstance(obj, dict):
        for k in list(obj):
            if isinstance(k, str) and k.casefold() == name.casefold():
                obj[k] = value
                return
        obj[name] = value
        return
    elif obj is None:
        raise PropertyNotFoundError(message=f"The property '{name}' cannot be found on this object. "
                                            "Verify that the property exists and can be set.")
    raise PropertyNotFoundError(message=f"The property '{name}' cannot be found on this object. "
                                        "Verify that the property exists and can be set.")


def property_names(obj: Any) -> list[str]:
    """The names Select-Object ``*`` / Format-List ``*`` / Get-Member show for an object."""
    if isinstance(obj, PSObject):
        return obj.property_names()
    if isinstance(obj, PSHashtable):
        return ["IsReadOnly", "IsFixedSize", "IsSynchronized", "Keys", "Values", "SyncRoot", "Count"]
    if isinstance(obj, str):
        return ["Length"]
    if isinstance(obj, datetime):
        return ["DateTime", "Date", "Day", "DayOfWeek", "DayOfYear", "Hour", "Kind", "Millisecond", "Minute",
                "Month", "Second", "Ticks", "TimeOfDay", "Year"]
    if isinstance(obj, timedelta):
        return ["Ticks", "Days", "Hours", "Milliseconds", "Minutes", "Seconds", "TotalDays", "TotalHours",
                "TotalMilliseconds", "TotalMinutes", "TotalSeconds"]
    if isinstance(obj, PSCredential):
        return ["UserName", "Password"]
    if isinstance(obj, SecureString):
        return ["Length"]
    if isinstance(obj, Uri):
        return ["AbsolutePath", "AbsoluteUri", "LocalPath", "Authority", "Host", "Port", "Query", "Fragment",
                "Scheme", "OriginalString", "Segments"]
    members = getattr(obj, "ps_members", None)
    if callable(members):
        table = members()
        if isinstance(table, dict):
            return list(table)
    return []


__all__ = [
    "ComparisonError", "ConversionError", "FormatError", "PatternError", "PropertyNotFoundError",
    "UnknownTypeError", "compile_regex", "convert_to", "enumerate_value", "format_datetime", "format_double",
    "format_operator", "format_value", "full_type_name", "get_member", "has_wildcards", "is_instance_of",
    "is_known_type", "matches_table", "parse_datetime", "parse_number", "property_names", "ps_compare",
    "ps_contains", "ps_equals", "ps_like", "ps_match", "ps_replace", "set_member", "sort_key_compare",
    "to_bool", "to_datetime", "to_double", "to_int", "to_number", "to_string", "translate_regex",
    "type_name_of", "wildcard_to_regex",
]
