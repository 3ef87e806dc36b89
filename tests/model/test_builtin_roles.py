"""Built-in roles: loaded from package data with their real names, GUIDs and permissions."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from azshell.ids import is_guid
from azshell.model.builtin_roles import (
    BUILTIN_ROLE_IDS,
    CONTRIBUTOR,
    KEY_VAULT_SECRETS_USER,
    OWNER,
    READER,
    builtin_role,
    builtin_roles,
)
from tests.conftest import require_file

#: ../shared next to the repository (CI lays a copy of shared/ beside its clone).
REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "builtin-roles.json"


def test_package_data_readable() -> None:
    text = resources.files("azshell.model").joinpath("builtin_roles.json").read_text(encoding="utf-8")
    assert len(json.loads(text)) == len(builtin_roles())


def test_package_copy_matches_reference() -> None:
    ref = json.loads(require_file(REFERENCE).read_text(encoding="utf-8"))
    assert [(r["roleName"], r["id"]) for r in ref] == [(r.role_name, r.id) for r in builtin_roles()]


def test_every_role_well_formed() -> None:
    roles = builtin_roles()
    assert len({r.id for r in roles}) == len(roles)
    for r in roles:
        assert is_guid(r.id) and r.role_type == "BuiltInRole" and r.assignable_scopes == ("/",)
        assert len(r.permissions) == 1 and r.description


def test_constants_match_data() -> None:
    by_name = {r.role_name: r.id for r in builtin_roles()}
    for name, guid in BUILTIN_ROLE_IDS.items():
        assert by_name[name] == guid


def test_known_permissions() -> None:
    assert builtin_role("Owner").permissions[0].actions == ("*",)
    assert builtin_role(READER).permissions[0].actions == ("*/read",)
    contributor = builtin_role(CONTRIBUTOR).permissions[0]
    assert "Microsoft.Authorization/*/Write" in contributor.not_actions
    secrets_user = builtin_role(KEY_VAULT_SECRETS_USER).permissions[0]
    assert "Microsoft.KeyVault/vaults/secrets/getSecret/action" in secrets_user.data_actions
    assert builtin_role("owner").id == OWNER
    with pytest.raises(KeyError):
        builtin_role("Nobody")
