from datetime import UTC, datetime

import pytest

from azshell.lang.conversions import (
    ConversionError,
    convert_to,
    enumerate_value,
    format_operator,
    get_member,
    is_instance_of,
    matches_table,
    ps_compare,
    ps_equals,
    ps_like,
    ps_match,
    ps_replace,
    set_member,
    to_bool,
    to_number,
    to_string,
    type_name_of,
)
from azshell.lang.values import Guid, PSHashtable, PSObject, SecureString

D = datetime(2026, 11, 27, 3, 18, 12, tzinfo=UTC)


@pytest.mark.parametrize("value,text", [
    (None, ""), (True, "True"), (False, "False"), (42, "42"), (1.5, "1.5"), (1.0, "1"), (1e20, "1E+20"),
    (0.1, "0.1"), (1e-7, "1E-07"), (123456789012345.0, "123456789012345"), ([1, "a", True], "1 a True"),
    (PSHashtable({"a": 1}), "System.Collections.Hashtable"), (PSObject({"a": 1, "b": "x"}), "@{a=1; b=x}"),
    (PSObject({"a": [1, 2]}), "@{a=System.Object[]}"), (SecureString("s"), "System.Security.SecureString"),
    (D, "11/27/2026 03:18:12"), (float("inf"), "Infinity"),
])
def test_to_string(value, text):
    assert to_string(value) == text


@pytest.mark.parametrize("value,expected", [
    ("", False), ("False", True), ("0", True), (0, False), (0.0, False), ([], False), ([0], False), ([1], True),
    ([0, 0], True), (None, False), (PSHashtable(), True), (PSObject(), True),
])
def test_to_bool(value, expected):
    assert to_bool(value) is expected


def test_to_number_and_errors():
    assert to_number(" 12 ") == 12
    assert to_number("0x1F") == 31
    assert to_number("1.5") == 1.5
    assert to_number("1e3") == 1000.0
    assert to_number("") == 0
    assert to_number(True) == 1
    with pytest.raises(ConversionError) as e:
        to_number("abc")
    assert e.value.message == ('Cannot convert value "abc" to type "System.Int32". Error: "Input string was not in '
                               'a correct format."')


def test_convert_to_casts():
    assert convert_to("int", "2.5") == 2
    assert convert_to("[int]", 3.5) == 4
    assert convert_to("System.Int64", "5") == 5
    assert convert_to("bool", "False") is True
    assert convert_to("string[]", 1) == ["1"]
    assert convert_to("int[]", ["1", "2"]) == [1, 2]
    assert convert_to("double", "1.25") == 1.25
    assert convert_to("string", None) == ""
    o = convert_to("pscustomobject", PSHashtable([("b", 1), ("a", 2)]))
    assert isinstance(o, PSObject) and o.property_names() == ["b", "a"]
    assert convert_to("ordered", PSHashtable({"x": 1})).ordered
    g = convert_to("guid", "6F9619FF-8B86-D011-B42D-00C04FC964FF")
    assert isinstance(g, Guid) and g == "6f9619ff-8b86-d011-b42d-00c04fc964ff"
    assert convert_to("datetime", "2026-11-27T03:18:12Z") == D
    assert convert_to("datetime", "11/27/2026 03:18:12") == D
    assert convert_to("char", 65) == "A"
    assert convert_to("array", 1) == [1]
    assert convert_to("byte[]", [1, 2]) == b"\x01\x02"


def test_convert_to_errors():
    with pytest.raises(ConversionError, match="Value was either too large or too small for an Int32"):
        convert_to("int", "99999999999")
    with pytest.raises(ConversionError, match='to type "System.Security.SecureString"'):
        convert_to("securestring", "abc")
    with pytest.raises(ConversionError, match="Guid should contain 32 digits"):
        convert_to("guid", "nope")
    with pytest.raises(ConversionError, match=r"Unable to find type \[Foo.Bar\]"):
        convert_to("Foo.Bar", 1)


def test_type_names_and_is():
    assert type_name_of("x") == "System.String"
    assert type_name_of(1) == "System.Int32"
    assert type_name_of(2**40) == "System.Int64"
    assert type_name_of(1.0) == "System.Double"
    assert type_name_of([1]) == "System.Object[]"
    assert type_name_of(PSHashtable()) == "System.Collections.Hashtable"
    assert type_name_of(PSObject()) == "System.Management.Automation.PSCustomObject"
    assert type_name_of(PSObject(type_names=["My.Type"])) == "My.Type"
    assert is_instance_of(1, "int") and not is_instance_of(1, "string")
    assert is_instance_of([1], "array") and is_instance_of("x", "System.String")
    assert is_instance_of(PSObject(type_names=["A.B", "System.Object"]), "A.B")
    assert not is_instance_of(None, "object")


def test_equality_and_comparison():
    assert ps_equals("ABC", "abc") and not ps_equals("ABC", "abc", True)
    assert ps_equals(1, "1.0") and ps_equals("1", 1)
    assert ps_equals(True, "false")  # [bool]"false" is True
    assert not ps_equals(None, 0) and ps_equals(None, None)
    assert ps_compare(5, "10") < 0
    assert ps_compare("b", "A") > 0
    assert ps_compare(None, 1) < 0
    with pytest.raises(ConversionError, match='Could not compare "5" to "abc"'):
        ps_compare(5, "abc")


def test_like_match_replace():
    assert ps_like("Hello", "h*O") and ps_like("a1", "a[0-9]") and ps_like("a*", "a`*")
    assert not ps_like("ab", "a") and not ps_like("Hello", "h*O", True)
    m = ps_match("abc123", r"(?<d>\d+)")
    assert m is not None and matches_table(m)["d"] == "123" and matches_table(m)[0] == "123"
    assert ps_replace("hello world", r"(\w+) (\w+)", "$2 $1") == "world hello"
    assert ps_replace("a.b", r"\.", "$$") == "a$b"


def test_format_operator():
    assert format_operator("{0,-5}|{1:N2}|{2:D3}|{3:X}|{{x}}", ["a", 1234.567, 7, 255]) == "a    |1,234.57|007|FF|{x}"
    assert format_operator("{0:yyyy-MM-dd HH:mm}", [D]) == "2026-11-27 03:18"
    assert format_operator("{0,5}", [12]) == "   12"
    assert format_operator("{0:P1}", [0.125]) == "12.5%"
    assert format_operator("{0:0.00}", [3.14159]) == "3.14"
    assert format_operator("{0:F1} {1}", [2.25, None]) == "2.3 "
    with pytest.raises(ConversionError, match="Index"):
        format_operator("{1}", ["a"])


def test_enumerate_value():
    assert enumerate_value(None) == []
    assert enumerate_value([1, 2]) == [1, 2]
    h = PSHashtable({"a": 1})
    assert enumerate_value(h) == [h]
    assert enumerate_value("ab") == ["ab"]


def test_members():
    o = PSObject({"Name": "x", "Size": 2})
    assert get_member(o, "name") == "x"
    assert get_member(o, "missing") is None
    with pytest.raises(ConversionError, match="cannot be found"):
        get_member(o, "missing", strict=True)
    h = PSHashtable({"a": 1})
    assert get_member(h, "A") == 1 and get_member(h, "Count") == 1 and get_member(h, "Keys") == ["a"]
    assert get_member("abc", "Length") == 3
    assert get_member([o, PSObject({"Name": "y"})], "Name") == ["x", "y"]
    assert get_member([1, 2, 3], "Count") == 3
    assert get_member(D, "Year") == 2026 and get_member(D, "DayOfWeek") == "Friday"
    assert get_member(5, "Count") == 1
    set_member(o, "Size", 3)
    assert o.get("Size") == 3
    with pytest.raises(ConversionError, match="cannot be found on this object"):
        set_member(o, "Nope", 1)
    set_member(h, "b", 2)
    assert h["B"] == 2
