"""Resource IDs, GUIDs and scopes (azshell.ids)."""

from __future__ import annotations

import pytest

from azshell.ids import (
    InvalidResourceIdError,
    is_guid,
    new_guid,
    normalize_scope,
    parse_resource_id,
    resource_id,
    scope_contains,
    scope_kind,
    strip_dashes,
    subscription_id_of,
)

SUB = "00000000-0000-0000-0000-000000000001"
VM = f"/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1"


def test_new_guid_shape() -> None:
    g = new_guid()
    assert is_guid(g) and g == g.lower() and len(g) == 36
    assert new_guid() != g


@pytest.mark.parametrize("text", ["", "abc", "0000000000000000000000000000000", "{" + SUB + "}", SUB + "x"])
def test_is_guid_rejects(text: str) -> None:
    assert not is_guid(text)


def test_is_guid_any_case() -> None:
    assert is_guid(SUB.upper().replace("0", "A"))


def test_strip_dashes() -> None:
    assert strip_dashes(SUB) == SUB.replace("-", "")


def test_resource_id_and_parse_roundtrip() -> None:
    rid = resource_id(SUB, "rg1", "Microsoft.Compute/virtualMachines", "vm1")
    assert rid == VM
    p = parse_resource_id(rid)
    assert p["subscription"] == SUB
    assert p["resource_group"] == "rg1"
    assert p["provider"] == "Microsoft.Compute"
    assert p["type"] == "Microsoft.Compute/virtualMachines"
    assert p["name"] == "vm1"
    assert p["parent"] is None


def test_child_resource_id() -> None:
    rid = resource_id(SUB, "rg1", "Microsoft.Compute/virtualMachines/extensions", "vm1/ext1")
    assert rid == VM + "/extensions/ext1"
    p = parse_resource_id(rid)
    assert p["type"] == "Microsoft.Compute/virtualMachines/extensions"
    assert p["types"] == ["virtualMachines", "extensions"]
    assert p["names"] == ["vm1", "ext1"]
    assert p["name"] == "ext1"
    assert p["parent"] == VM


def test_parse_keeps_case_and_accepts_lowercase_segments() -> None:
    p = parse_resource_id(VM.replace("resourceGroups", "resourcegroups").replace("rg1", "RG1"))
    assert p["resource_group"] == "RG1"


def test_subscription_level_resource() -> None:
    p = parse_resource_id(f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/abc")
    assert p["resource_group"] is None and p["name"] == "abc"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "subscriptions/x/resourceGroups/rg/providers/A/b/c",
        f"/subscriptions/{SUB}",
        f"/subscriptions/{SUB}/resourceGroups/rg1",
        f"/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines",
        f"/subscriptions/{SUB}/resourceGroups/rg1/providers//virtualMachines/vm",
        "/tenants/x/providers/A/b/c",
    ],
)
def test_parse_rejects(bad: str) -> None:
    with pytest.raises(InvalidResourceIdError):
        parse_resource_id(bad)


def test_resource_id_rejects_mismatched_name() -> None:
    with pytest.raises(ValueError):
        resource_id(SUB, "rg", "Microsoft.Compute/virtualMachines/extensions", "vm1")


@pytest.mark.parametrize(
    ("scope", "kind"),
    [
        ("/", "root"),
        (f"/subscriptions/{SUB}", "subscription"),
        (f"/subscriptions/{SUB}/", "subscription"),
        (f"/subscriptions/{SUB}/resourceGroups/rg1", "resourceGroup"),
        (f"/subscriptions/{SUB}/resourcegroups/rg1/", "resourceGroup"),
        (VM, "resource"),
        (VM + "/extensions/ext1", "resource"),
        ("/providers/Microsoft.Management/managementGroups/mg1", "managementGroup"),
        ("subscriptions/x", "invalid"),
        (f"/subscriptions/{SUB}/resourceGroups", "invalid"),
        (f"/subscriptions/{SUB}//resourceGroups/rg", "invalid"),
        ("/foo", "invalid"),
    ],
)
def test_scope_kind(scope: str, kind: str) -> None:
    assert scope_kind(scope) == kind


def test_normalize_scope() -> None:
    assert normalize_scope("/subscriptions/AbC/") == "/subscriptions/AbC"
    assert normalize_scope("/") == "/"
    assert normalize_scope("//") == "/"


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        ("/", VM, True),
        (f"/subscriptions/{SUB}", VM, True),
        (f"/SUBSCRIPTIONS/{SUB.upper()}/", VM, True),
        (f"/subscriptions/{SUB}/resourceGroups/RG1", VM, True),
        (f"/subscriptions/{SUB}/resourceGroups/rg", VM, False),  # prefix but not a segment boundary
        (VM, f"/subscriptions/{SUB}", False),
        (VM, VM.lower(), True),
    ],
)
def test_scope_contains(outer: str, inner: str, expected: bool) -> None:
    assert scope_contains(outer, inner) is expected


def test_subscription_id_of() -> None:
    assert subscription_id_of(VM) == SUB
    assert subscription_id_of("/") is None
