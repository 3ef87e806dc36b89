"""The tenant model: typed records (``types``), the SQLite ``Store``, built-in roles and ``TenantBackend``.

Import what you need from the submodules; the names most callers use are re-exported here.
"""

from __future__ import annotations

from typing import Any

#: re-exported name -> defining module; imported on first access (PEP 562) so that importing one
#: submodule does not import them all (start-up time is measured)
_EXPORTS: dict[str, str] = {
    "BUILTIN_ROLE_IDS": "azshell.model.builtin_roles",
    "KEEP": "azshell.model.backend",
    "SCHEMA_VERSION": "azshell.model.store",
    "ConflictError": "azshell.model.errors",
    "IdentityNotFoundError": "azshell.model.errors",
    "ModelError": "azshell.model.errors",
    "NotFoundError": "azshell.model.errors",
    "PrincipalNotFoundError": "azshell.model.errors",
    "StateFileError": "azshell.model.errors",
    "Store": "azshell.model.store",
    "TenantBackend": "azshell.model.backend",
    "ValidationError": "azshell.model.errors",
    "builtin_role": "azshell.model.builtin_roles",
    "builtin_roles": "azshell.model.builtin_roles",
    "normalize_identity_type": "azshell.model.backend",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
