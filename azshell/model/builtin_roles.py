"""Azure's built-in role definitions, as data.

``builtin_roles.json`` (package data, a copy of ``shared/reference/builtin-roles.json``) holds each role's real
name, GUID, description, Actions, NotActions, DataActions and NotDataActions as Azure publishes them.

Example::

    >>> role = builtin_role("Reader")
    >>> role.id == BUILTIN_ROLE_IDS["Reader"] == READER
    True
    >>> role.permissions[0].actions
    ('*/read',)
"""

from __future__ import annotations

import functools
import json
from typing import Any

from azshell.model.types import ROLE_TYPE_BUILTIN, Permission, RoleDefinition

__all__ = [
    "BUILTIN_ROLE_IDS",
    "CONTRIBUTOR",
    "KEY_VAULT_ADMINISTRATOR",
    "KEY_VAULT_CONTRIBUTOR",
    "KEY_VAULT_READER",
    "KEY_VAULT_SECRETS_OFFICER",
    "KEY_VAULT_SECRETS_USER",
    "MANAGED_IDENTITY_CONTRIBUTOR",
    "MANAGED_IDENTITY_OPERATOR",
    "OWNER",
    "READER",
    "ROLE_BASED_ACCESS_CONTROL_ADMINISTRATOR",
    "STORAGE_BLOB_DATA_CONTRIBUTOR",
    "STORAGE_BLOB_DATA_OWNER",
    "STORAGE_BLOB_DATA_READER",
    "USER_ACCESS_ADMINISTRATOR",
    "VIRTUAL_MACHINE_CONTRIBUTOR",
    "WEBSITE_CONTRIBUTOR",
    "builtin_role",
    "builtin_roles",
]

ROLES_RESOURCE = "builtin_roles.json"

OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
ROLE_BASED_ACCESS_CONTROL_ADMINISTRATOR = "f58310d9-a9f6-439a-9e8d-f62e7b41a168"
VIRTUAL_MACHINE_CONTRIBUTOR = "9980e02c-c2be-4d73-94e8-173b1dc7cf3c"
MANAGED_IDENTITY_OPERATOR = "f1a07417-d97a-45cb-824c-7a7467783830"
MANAGED_IDENTITY_CONTRIBUTOR = "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59"
KEY_VAULT_ADMINISTRATOR = "00482a5a-887f-4fb3-b363-3b7fe8e74483"
KEY_VAULT_SECRETS_OFFICER = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"
KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"
KEY_VAULT_READER = "21090545-7ca7-4776-b22c-e363652d74d2"
KEY_VAULT_CONTRIBUTOR = "f25e0fa2-a7c8-4377-a976-54943a77a395"
STORAGE_BLOB_DATA_OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
WEBSITE_CONTRIBUTOR = "de139f84-1756-47ae-9be6-808fbbe84772"

#: role name -> definition GUID (the same in every tenant)
BUILTIN_ROLE_IDS: dict[str, str] = {
    "Owner": OWNER,
    "Contributor": CONTRIBUTOR,
    "Reader": READER,
    "User Access Administrator": USER_ACCESS_ADMINISTRATOR,
    "Role Based Access Control Administrator": ROLE_BASED_ACCESS_CONTROL_ADMINISTRATOR,
    "Virtual Machine Contributor": VIRTUAL_MACHINE_CONTRIBUTOR,
    "Managed Identity Operator": MANAGED_IDENTITY_OPERATOR,
    "Managed Identity Contributor": MANAGED_IDENTITY_CONTRIBUTOR,
    "Key Vault Administrator": KEY_VAULT_ADMINISTRATOR,
    "Key Vault Secrets Officer": KEY_VAULT_SECRETS_OFFICER,
    "Key Vault Secrets User": KEY_VAULT_SECRETS_USER,
    "Key Vault Reader": KEY_VAULT_READER,
    "Key Vault Contributor": KEY_VAULT_CONTRIBUTOR,
    "Storage Blob Data Owner": STORAGE_BLOB_DATA_OWNER,
    "Storage Blob Data Contributor": STORAGE_BLOB_DATA_CONTRIBUTOR,
    "Storage Blob Data Reader": STORAGE_BLOB_DATA_READER,
    "Website Contributor": WEBSITE_CONTRIBUTOR,
}


def _to_role(entry: dict[str, Any]) -> RoleDefinition:
    return RoleDefinition(
        id=str(entry["id"]),
        role_name=str(entry["roleName"]),
        description=str(entry["description"]),
        role_type=ROLE_TYPE_BUILTIN,
        permissions=(
            Permission(
                actions=tuple(entry.get("actions", ())),
                not_actions=tuple(entry.get("notActions", ())),
                data_actions=tuple(entry.get("dataActions", ())),
                not_data_actions=tuple(entry.get("notDataActions", ())),
            ),
        ),
        assignable_scopes=("/",),
    )


@functools.cache
def builtin_roles() -> tuple[RoleDefinition, ...]:
    """Every built-in role in ``builtin_roles.json``, in file order (loaded once; records are frozen)."""
    from importlib import resources  # only when roles are needed (seeding): it is slow to import

    text = resources.files("azshell.model").joinpath(ROLES_RESOURCE).read_text(encoding="utf-8")
    return tuple(_to_role(e) for e in json.loads(text))


def builtin_role(name_or_id: str) -> RoleDefinition:
    """The built-in role with this name (case-insensitive) or GUID; KeyError when there is none."""
    key = name_or_id.casefold()
    for role in builtin_roles():
        if role.role_name.casefold() == key or role.id == key:
            return role
    raise KeyError(name_or_id)
