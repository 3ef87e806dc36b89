"""ARM reads request bodies as Json.NET does: comments and trailing commas pass, the rest fails with Json.NET's
text, path, line and position — inside InvalidRequestContent, located in the caller's own body."""

from __future__ import annotations

import pytest

from azshell.planes.jsonnet import (
    JsonParseError,
    conversion_error,
    member_not_found,
    read_json,
    with_position,
)
from tests.conftest import ArmClient

PREFIX = "The request content was invalid and could not be deserialized: "


@pytest.mark.parametrize(("text", "expected"), [
    ('{"a": }', "Unexpected character encountered while parsing value: }. Path 'a', line 1, position 7."),
    ("{a: 1,,}", "Invalid property identifier character: ,. Path 'a', line 1, position 7."),
    ('{"location": "westus",\n "tags": {"a": "1" "b": "2"}}',
     "After parsing a value an unexpected character was encountered: \". Path 'tags.a', line 2, position 20."),
])
def test_bad_bodies_fail_with_json_net_text(text: str, expected: str) -> None:
    with pytest.raises(JsonParseError) as info:
        read_json(text)
    assert info.value.message == expected


def test_what_json_net_accepts() -> None:
    doc = read_json("// a template\n{'a': 1, b: [1, 2,], /* c */ \"c\": {\"d\": true,},}")
    assert doc.value == {"a": 1, "b": [1, 2], "c": {"d": True}}


def test_member_and_conversion_texts_locate_the_path() -> None:
    text = '{\n  "properties": {\n    "template": {"parameters": {"siteLocation": {"default": "x"}}}\n  }\n}'
    assert member_not_found(text, "properties.template.parameters.siteLocation.default", "TemplateInputParameter") \
        == ("Could not find member 'default' on object of type 'TemplateInputParameter'. "
            "Path 'properties.template.parameters.siteLocation.default', line 3, position 58.")
    assert conversion_error('{"location": {"x": 1}}', "location", "System.String", {"x": 1}) == \
        "Unexpected character encountered while parsing value: {. Path 'location', line 1, position 14."
    assert conversion_error('{"n": "abc"}', "n", "System.Int32", "abc") == \
        "Error converting value \"abc\" to type 'System.Int32'. Path 'n', line 1, position 11."


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


def test_arm_reads_comments_and_trailing_commas_as_json_net_does(arm: ArmClient) -> None:
    r = arm.request("PUT", arm.rg_path("rg1"), content=b'{\n  // az CLI sends templates as written\n'
                                                         b'  "location": "westus", "tags": {"env": "dev",},\n}')
    assert r.status_code == 201, r.text
    assert r.json()["tags"] == {"env": "dev"}
