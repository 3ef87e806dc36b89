"""The auth layer: token issue/verify (``tokens``), signing keys (``keys``), known resources (``resources``)
and pure RBAC decisions (``rbac``). Nothing here knows HTTP."""

from azshell.auth.errors import (
    AuthError,
    ExpiredTokenError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignatureError,
    MalformedTokenError,
    NotYetValidError,
    TokenValidationError,
    UnknownKeyError,
    UnknownResourceError,
    UnsupportedAlgorithmError,
    WrongTenantError,
)
from azshell.auth.rbac import Decision, RbacIndex, action_matches, decide, role_permits, scope_covers
from azshell.auth.resources import ARM_AUDIENCES, DATA_LAKE_AUDIENCES, KEY_VAULT_AUDIENCES, resolve_resource
from azshell.auth.tokens import IssuedToken, TokenService

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
