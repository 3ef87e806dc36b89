"""The auth layer: token issue/verify (``tokens``), signing keys (``keys``), known resources (``resources``)
and pure RBAC decisions (``rbac``). Nothing here knows HTTP."""

from __future__ import annotations

from typing import Any

#: re-exported name -> defining module; imported on first access (PEP 562) so that importing one
#: submodule does not import them all (start-up time is measured)
_EXPORTS: dict[str, str] = {
    "ARM_AUDIENCES": "azshell.auth.resources",
    "AuthError": "azshell.auth.errors",
    "DATA_LAKE_AUDIENCES": "azshell.auth.resources",
    "Decision": "azshell.auth.rbac",
    "ExpiredTokenError": "azshell.auth.errors",
    "InvalidAudienceError": "azshell.auth.errors",
    "InvalidIssuerError": "azshell.auth.errors",
    "InvalidSignatureError": "azshell.auth.errors",
    "IssuedToken": "azshell.auth.tokens",
    "KEY_VAULT_AUDIENCES": "azshell.auth.resources",
    "MalformedTokenError": "azshell.auth.errors",
    "NotYetValidError": "azshell.auth.errors",
    "RbacIndex": "azshell.auth.rbac",
    "TokenService": "azshell.auth.tokens",
    "TokenValidationError": "azshell.auth.errors",
    "UnknownKeyError": "azshell.auth.errors",
    "UnknownResourceError": "azshell.auth.errors",
    "UnsupportedAlgorithmError": "azshell.auth.errors",
    "WrongTenantError": "azshell.auth.errors",
    "action_matches": "azshell.auth.rbac",
    "decide": "azshell.auth.rbac",
    "resolve_resource": "azshell.auth.resources",
    "role_permits": "azshell.auth.rbac",
    "scope_covers": "azshell.auth.rbac",
}

__all__ = [
    "ARM_AUDIENCES",
    "AuthError",
    "DATA_LAKE_AUDIENCES",
    "Decision",
    "ExpiredTokenError",
    "InvalidAudienceError",
    "InvalidIssuerError",
    "InvalidSignatureError",
    "IssuedToken",
    "KEY_VAULT_AUDIENCES",
    "MalformedTokenError",
    "NotYetValidError",
    "RbacIndex",
    "TokenService",
    "TokenValidationError",
    "UnknownKeyError",
    "UnknownResourceError",
    "UnsupportedAlgorithmError",
    "WrongTenantError",
    "action_matches",
    "decide",
    "resolve_resource",
    "role_permits",
    "scope_covers",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
