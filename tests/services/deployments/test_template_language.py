"""The template language on its own: Json.NET's reading rules, the expression grammar, the functions."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from azshell.planes.jsonnet import JsonParseError, read_json
from azshell.services.deployments.arm_expr import TemplateError, arm_guid, evaluate_value, unique_string


class _Scope:
    def __init__(self, **params: Any) -> None:
        self.params = params
        self.loop: int | None = None

    def parameter(self, name: str) -> Any:
        return self.params[name]

    def variable(self, name: str) -> Any:
        return {"v": {"a": [1, 2]}}[name]

    def resource_group(self) -> dict[str, Any]:
        return {"id": "/subscriptions/s/resourceGroups/rg", "name": "rg", "location": "westus"}

    def subscription(self) -> dict[str, Any]:
        return {"id": "/subscriptions/s", "subscriptionId": "s"}

    def deployment(self) -> dict[str, Any]:
        return {"name": "d"}

    def copy_index(self, loop: str | None) -> int:
        if self.loop is None:
            raise TemplateError("The template function 'copyIndex' is not expected at this location.")
        return self.loop

    def reference(self, target: str, api_version: str | None, full: bool) -> Any:
        return {"identity": {"principalId": "p-" + target}} if full else {"clientId": "c"}

    def list_keys(self, resource_id: str, api_version: str) -> Any:
        return {"keys": [{"value": "k1"}]}


# uniqueString: outputs verified against Bicep's (published alongside an independent implementation)
@pytest.mark.parametrize(("args", "want"), [
    (("test",), "rbgf3xv4ufgzg"), (("hello", "world"), "a7wkljktk6wne"), (("abc",), "cgtzqvhu4i23s"),
    (("/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/my-rg",), "bmg7c6xu4tw46"),
    (("foo", "bar", "baz"), "xzi4ioaxtmth4"),
])
def test_unique_string_matches_azure(args: tuple[str, ...], want: str) -> None:
    assert unique_string(*args) == want


def test_guid_is_uuid5_of_the_hyphen_joined_arguments() -> None:
    ns = uuid.UUID("11fb06fb-712d-4ddd-98c7-e71bbd588830")
    assert arm_guid("a", "b") == str(uuid.uuid5(ns, "a-b"))
    assert evaluate_value("[guid('a', 'b')]", _Scope()) == arm_guid("a", "b")


@pytest.mark.parametrize(("expr", "want"), [
    ("[concat('a', parameters('n'), 'c')]", "abc"),
    ("[concat(createArray(1), createArray(2, 3))]", [1, 2, 3]),
    ("[format('{0}-{1}', 'x', 3)]", "x-3"),
    ("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet', 'sub')]",
     "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/sub"),
    ("[resourceId('other', 'Microsoft.ManagedIdentity/userAssignedIdentities/', 'id')]",
     "/subscriptions/s/resourceGroups/other/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id"),
    ("[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'r')]",
     "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/r"),
    ("[reference('x', '2018-06-01', 'Full').identity.principalId]", "p-x"),
    ("[reference('x').clientId]", "c"),
    ("[listKeys('id', '2019-06-01').keys[0].value]", "k1"),
    ("[variables('v').a[1]]", 2),
    ("[variables('v')['a']]", [1, 2]),
    ("[if(equals(1, 1), 'yes', fail())]", "yes"),
    ("[and(true(), or(false(), not(false())))]", True),
    ("[toLower(toUpper('AbC'))]", "abc"),
    ("[length(split('a,b,c', ','))]", 3),
    ("[substring(replace('hello', 'l', 'L'), 1, 3)]", "eLL"),
    ("[add(mul(2, 3), sub(10, div(9, mod(7, 4))))]", 13),
    ("[string(json('{\"a\": true}'))]", '{"a":true}'),
    ("[union(createObject('a', 1), createObject('b', int('2')))]", {"a": 1, "b": 2}),
    ("[contains(createArray('x'), 'x')]", True),
    ("[empty('')]", True),
    ("[bool('true')]", True),
    ("[concat(resourceGroup().location, '-', subscription().subscriptionId, deployment().name)]", "westus-sd"),
    ("[[not an expression]", "[not an expression]"),
    ("plain", "plain"),
    ("[concat('it''s')]", "it's"),
])
def test_functions(expr: str, want: Any) -> None:
    assert evaluate_value(expr, _Scope(n="b")) == want


@pytest.mark.parametrize(("expr", "message"), [
    ("[concat('a']", "Unable to parse language expression 'concat('a'': expected token 'RightParenthesis' and "
                     "actual 'EndOfData'."),
    ("[concatt('a')]", "The template function 'concatt' is not valid."),
    ("[variables('v').b]", "The language expression property 'b' doesn't exist, available properties are 'a'."),
    ("[variables('v').a[5]]", "The language expression property array index '5' is out of bounds."),
    ("[copyIndex()]", "The template function 'copyIndex' is not expected at this location."),
    ("[resourceId('vnet')]", "The template language function 'resourceId' must have at least 2 parameters."),
    ("[resourceId('vnet', 'x')]", "Unable to evaluate template language function 'resourceId': function requires "
                                  "exactly one multi-segmented argument"),
    ("[concat('a' ! 'b')]", "is not valid: the string character '!' at position '11' is not expected."),
])
def test_expression_errors(expr: str, message: str) -> None:
    with pytest.raises(TemplateError) as info:
        evaluate_value(expr, _Scope())
    assert message in info.value.message


def test_json_reader_accepts_what_jsonnet_accepts() -> None:
    doc = read_json("""{
      // a comment
      "a": [1, 2,],   /* block */
      'b': {c: 'd',},
    }""")
    assert doc.value == {"a": [1, 2], "b": {"c": "d"}}
    assert doc.where("b.c")[0] == 4


@pytest.mark.parametrize(("text", "message"), [
    ('{"a": }', "Unexpected character encountered while parsing value: }. Path 'a', line 1, position 7."),
    ('{"a": 1 "b": 2}', "After parsing a value an unexpected character was encountered: \". Path 'a', line 1, "
                        "position 9."),
    ('{"a": {"b": [1', "Unexpected end of content while loading JArray. Path 'a.b[0]', line 1, position 14."),
    ('"identity": {}', "Error reading JObject from JsonReader. Current JsonReader item is not an object: String. "
                       "Path '', line 1, position 10."),
    ('{"a": 1}}', "Additional text encountered after finished reading JSON content: }. Path '', line 1, position 9."),
    ('{\n  "x": 1,\n  ]', "Invalid property identifier character: ]. Path 'x', line 3, position 3."),
])
def test_json_reader_fails_with_jsonnet_messages(text: str, message: str) -> None:
    with pytest.raises(JsonParseError) as info:
        read_json(text)
    assert info.value.message == message


def test_deep_nesting_is_refused_like_jsonnet() -> None:
    with pytest.raises(JsonParseError) as info:
        read_json("[" * 500)
    assert "The reader's MaxDepth of 128 has been exceeded." in info.value.message


_JSONISH = st.text(alphabet='{}[]:,"\'/*\n ab1-.tfnul\\', max_size=40)
_EXPRISH = st.text(alphabet="[]()'.,abcdefgilnoprstuxyz0123456789 ", max_size=40)


@settings(max_examples=300, deadline=None)
@given(_JSONISH)
def test_reader_fails_only_with_its_own_error(text: str) -> None:
    try:
        read_json(text, require_object=False)
    except JsonParseError as exc:
        assert ", line " in exc.message and ", position " in exc.message


@settings(max_examples=300, deadline=None)
@given(_EXPRISH)
def test_expressions_fail_only_with_template_errors(text: str) -> None:
    try:
        evaluate_value(f"[{text}]", _Scope(n="b"))
    except TemplateError:
        pass
