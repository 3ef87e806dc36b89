"""PowerShell's sized numeric types (``[byte]``, ``[int16]``, ``[uint64]``, ``[float]``, ``[bigint]``, ...).

A cast or a typed literal (``1uy``, ``2s``, ``3ul``, ``4n``) gives an instance of one of these ``int``/``float``
subclasses: everywhere a plain number, but ``GetType()``, ``-is`` and ``-BeOfType`` see the .NET type. Arithmetic
gives plain ``int``/``float`` back, which is what .NET does for the small types too (``[byte]1 + [byte]1`` is an
Int32). ``[int]`` and ``[double]`` stay plain Python numbers.
"""

from __future__ import annotations

from typing import ClassVar


class SizedInt(int):
    ps_type_name: ClassVar[str] = "System.Int32"
    minimum: ClassVar[int] = -(2**31)
    maximum: ClassVar[int] = 2**31 - 1


class SByte(SizedInt):
    ps_type_name = "System.SByte"
    minimum, maximum = -128, 127


class Byte(SizedInt):
    ps_type_name = "System.Byte"
    minimum, maximum = 0, 255


class Int16(SizedInt):
    ps_type_name = "System.Int16"
    minimum, maximum = -(2**15), 2**15 - 1


class UInt16(SizedInt):
    ps_type_name = "System.UInt16"
    minimum, maximum = 0, 2**16 - 1


class UInt32(SizedInt):
    ps_type_name = "System.UInt32"
    minimum, maximum = 0, 2**32 - 1


class Int64(SizedInt):
    ps_type_name = "System.Int64"
    minimum, maximum = -(2**63), 2**63 - 1


class UInt64(SizedInt):
    ps_type_name = "System.UInt64"
    minimum, maximum = 0, 2**64 - 1


class BigInteger(SizedInt):
    ps_type_name = "System.Numerics.BigInteger"
    minimum, maximum = -(2**4096), 2**4096


class Single(float):
    ps_type_name: ClassVar[str] = "System.Single"


#: literal suffix (lower case) -> type
SUFFIX_TYPES: dict[str, type[SizedInt]] = {
    "y": SByte, "uy": Byte, "s": Int16, "us": UInt16, "u": UInt32, "ul": UInt64, "l": Int64, "n": BigInteger,
}

#: normalised type name (no ``System.``, lower case) -> type
SIZED_TYPES: dict[str, type[SizedInt]] = {
    "sbyte": SByte, "byte": Byte, "short": Int16, "int16": Int16, "ushort": UInt16, "uint16": UInt16,
    "uint": UInt32, "uint32": UInt32, "long": Int64, "int64": Int64, "ulong": UInt64, "uint64": UInt64,
    "bigint": BigInteger, "numerics.biginteger": BigInteger,
}


class Char(str):
    """``[char]``: one character. A string everywhere, but ``GetType()`` and ``-is [char]`` see System.Char
    (``'a'..'e'``, ``"abc"[0]`` and ``[char]'x'`` give these)."""

    ps_type_name: ClassVar[str] = "System.Char"


class LiteralInt(int):
    """A number typed as a command argument (``f 24l``): an int everywhere, but a ``[string]`` parameter gets
    the text as typed (``literal_text``), as PowerShell binds it."""

    literal_text: str


class LiteralFloat(float):
    """The float twin of :class:`LiteralInt`."""

    literal_text: str


def literal_number(value: int | float, text: str) -> LiteralInt | LiteralFloat:
    out: LiteralInt | LiteralFloat = LiteralInt(value) if isinstance(value, int) else LiteralFloat(value)
    out.literal_text = text
    return out


def plain_number(value: object) -> object:
    """``value`` without its typed text (a plain int or float); anything else unchanged."""
    if isinstance(value, LiteralInt):
        return int(value)
    if isinstance(value, LiteralFloat):
        return float(value)
    return value
