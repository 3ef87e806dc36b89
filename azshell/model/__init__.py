"""The tenant model: typed records (``types``), the SQLite ``Store``, built-in roles and ``TenantBackend``.

Import what you need from the submodules; the names most callers use are re-exported here.
"""

from __future__ import annotations

from azshell.model.backend import KEEP, TenantBackend, normalize_identity_type
from azshell.model.builtin_roles import BUILTIN_ROLE_IDS, builtin_role, builtin_roles
from azshell.model.errors import (
    ConflictError,
    IdentityNotFoundError,
    ModelError,
    NotFoundError,
    PrincipalNotFoundError,
    StateFileError,
    ValidationError,
)
from azshell.model.store import SCHEMA_VERSION, Store

__all__ = [
    "BUILTIN_ROLE_IDS",
    "KEEP",
    "SCHEMA_VERSION",
    "ConflictError",
    "IdentityNotFoundError",
    "ModelError",
    "NotFoundError",
    "PrincipalNotFoundError",
    "StateFileError",
    "Store",
    "TenantBackend",
    "ValidationError",
    "builtin_role",
    "builtin_roles",
    "normalize_identity_type",
]
