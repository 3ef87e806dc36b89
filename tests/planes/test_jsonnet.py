"""InvalidRequestContent speaks JSON.NET: the reader's text with the path, line and position in the caller's body."""

from __future__ import annotations

import json

import pytest

from azshell.planes.jsonnet import conversion_error, locate, member_not_found, syntax_error, with_position
from tests.conftest import ArmClient

PREFIX = "The request content was invalid and could not be deserialized: "


def _syntax(text: str) -> str:
    with pytest.raises(json.JSONDecodeError) as info:
        json.loads(text)
    return syntax_error(text, info.value)


@pytest.mark.parametrize(("text", "expected"), [
    ("x", "Unexpected character encountered while parsing value: x. Path '', line 1, position 1."),
    ('{"a": 1,', "Unexpected end when reading JSON. Path 'a', line 1, position 8."),
    ('{"a": "abc', "Unterminated string. Expected delimiter: \". Path 'a', line 1, position 10."),
    ("{a: 1}", "Invalid property identifier character: a. Path '', line 1, position 2."),
    ('{"location": "westus",\n "tags": {"a": "1" "b": "2"}}',
     "After parsing a value an unexpected character was encountered: \". Path 'tags.a', line 2, position 20."),
])
def test_syntax_errors_read_as_json_net(text: str, expected: str) -> None:
    assert _syntax(text) == expected


def test_paths_lines_and_positions() -> None:
    text = '{\n  "properties": {\n    "template": {"parameters": {"siteLocation": {"default": "x"}}},\n' \
           '    "list": [1, {"a b": 2}]\n  }\n}'
    found = locate(text)
    assert found["properties.template.parameters.siteLocation.default"].after_name == (3, 58)
    assert found["properties.list[1]['a b']"].after_value == (4, 25)
    assert member_not_found(text, "properties.template.parameters.siteLocation.default", "TemplateInputParameter") \
        == ("Could not find member 'default' on object of type 'TemplateInputParameter'. "
            "Path 'properties.template.parameters.siteLocation.default', line 3, position 58.")
    assert conversion_error('{"location": {"x": 1}}', "location", "System.String", {"x": 1}) == \
        "Unexpected character encountered while parsing value: {. Path 'location', line 1, position 14."


def test_with_position_adds_line_and_position_once() -> None:
    body = b'{"location": "westus",\n "tags": []}'
    msg = PREFIX + "'Error converting value to type 'Dictionary'. Path 'tags'.'."
    out = with_position(body, msg)
    assert out == PREFIX + "'Error converting value to type 'Dictionary'. Path 'tags', line 2, position 11.'."
    assert with_position(body, out) == out


def test_arm_answers_carry_the_position(arm: ArmClient) -> None:
    r = arm.request("PUT", arm.rg_path("rg1"), content=b'{"location": "westus",\n "tags": {"a": 1 "b": 2}}')
    assert r.status_code == 400
    assert r.json()["error"] == {"code": "InvalidRequestContent", "message": PREFIX + (
        "'After parsing a value an unexpected character was encountered: \". Path 'tags.a', line 2, position 18.'.")}
    r = arm.request("PUT", arm.rg_path("rg1"), content=b'{\n  "location": "westus",\n  "tags": []\n}')
    assert r.status_code == 400
    assert r.json()["error"]["message"].endswith("Path 'tags', line 3, position 12.'.")
