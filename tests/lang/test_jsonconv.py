from datetime import UTC, datetime

import pytest

from azshell.lang.jsonconv import JsonConversionError, from_json, to_json
from azshell.lang.values import PSHashtable, PSObject, SecureString


def test_to_json_layout():
    h = PSHashtable([("a", 1), ("b", [1, 2.0]), ("s", SecureString("abc")), ("n", None), ("t", True)])
    assert to_json(h) == ('{\n  "a": 1,\n  "b": [\n    1,\n    2.0\n  ],\n  "s": {\n    "Length": 3\n  },\n'
                          '  "n": null,\n  "t": true\n}')
    assert to_json(h, compress=True) == '{"a":1,"b":[1,2.0],"s":{"Length":3},"n":null,"t":true}'
    assert to_json([]) == "[]" and to_json(PSObject()) == "{}" and to_json(None) == "null"
    assert to_json("a\"b\n") == '"a\\"b\\n"'


def test_to_json_depth_truncation_warns():
    warnings: list[str] = []
    h = PSHashtable({"a": PSHashtable({"b": PSHashtable({"c": PSHashtable({"d": 1})})})})
    out = to_json(h, warn=warnings.append)
    assert '"c": "System.Collections.Hashtable"' in out
    assert warnings == ["Resulting JSON is truncated as serialization has exceeded the set depth of 2."]
    assert '"d": 1' in to_json(h, depth=5)


def test_to_json_dates():
    d = datetime(2026, 11, 27, 3, 18, 12, tzinfo=UTC)
    assert to_json(d) == '"2026-11-27T03:18:12Z"'
    assert to_json(d.replace(microsecond=500000)) == '"2026-11-27T03:18:12.5Z"'


def test_from_json_objects():
    o = from_json('{"b": 1, "a": [1, {"c": "2026-11-27T03:18:12Z"}], // comment\n "d": null}')
    assert isinstance(o, PSObject) and o.property_names() == ["b", "a", "d"]
    assert o.get("a")[1].get("c") == datetime(2026, 11, 27, 3, 18, 12, tzinfo=UTC)
    h = from_json('{"X": 1}', as_hashtable=True)
    assert isinstance(h, PSHashtable) and h["x"] == 1
    assert from_json("[1, 2]") == [1, 2]
    assert from_json("  ") is None


def test_from_json_errors():
    with pytest.raises(JsonConversionError) as e:
        from_json("abc")
    assert e.value.message.startswith("Conversion from JSON failed with error: Unexpected character encountered "
                                      "while parsing value: a.")
    with pytest.raises(JsonConversionError, match="different casing"):
        from_json('{"a": 1, "A": 2}')


def test_roundtrip():
    text = to_json(from_json('{"name": "vm", "tags": {"env": "dev"}, "n": [1, 2]}'), depth=5)
    assert from_json(text).get("tags").get("env") == "dev"
