"""Errors of the tenant model. Each carries an Azure-style ``code`` and a plain-English message::

    AzShellError                    (azshell.errors)
     +-- ModelError                 code "ModelError"
          +-- StateFileError        the state file is unreadable, corrupt, locked or from a newer azshell
          +-- NotFoundError         a record does not exist (code e.g. "ResourceNotFound", "ResourceGroupNotFound")
          |    +-- IdentityNotFoundError   a host has no such identity (IMDS "Identity not found")
          +-- ConflictError         a record already exists (code e.g. "RoleAssignmentExists")
          +-- ValidationError       a bad argument (code e.g. "InvalidIdentityType", "InvalidResourceId")
          +-- PrincipalNotFoundError  role assignment for a principal that is not in the directory

The planes map them to HTTP: NotFound -> 404, Conflict -> 409, Validation/PrincipalNotFound -> 400.
"""

from __future__ import annotations

from typing import Literal

from azshell.errors import AzShellError
from azshell.ids import strip_dashes

__all__ = [
    "ConflictError",
    "IdentityNotFoundError",
    "ModelError",
    "NotFoundError",
    "PrincipalNotFoundError",
    "StateFileError",
    "ValidationError",
    "PRINCIPAL_NOT_FOUND_MESSAGE",
]

#: Azure's exact text (azure-error-messages.md §3): principal printed without dashes, two spaces before "See".
PRINCIPAL_NOT_FOUND_MESSAGE = (
    "Principal {principal} does not exist in the directory {tenant}. Check that you have the correct principal ID. "
    "If you are creating this principal and then immediately assigning a role, this error might be related to a "
    "replication delay. In this case, set the role assignment principalType property to a value, such as "
    "ServicePrincipal, User, or Group.  See https://aka.ms/docs-principaltype"
)


class ModelError(AzShellError):
    """Root of the model's errors; ``code`` is the Azure error code the planes should report."""

    code: str = "ModelError"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code


class StateFileError(ModelError):
    """The state file cannot be used (not SQLite, corrupt, newer schema, locked too long)."""

    code = "StateFileError"


class NotFoundError(ModelError):
    """A record does not exist."""

    code = "NotFound"


class ConflictError(ModelError):
    """A record already exists; ``existing_id`` names it when known."""

    code = "Conflict"

    def __init__(self, message: str, *, code: str | None = None, existing_id: str | None = None) -> None:
        super().__init__(message, code=code)
        self.existing_id = existing_id


class ValidationError(ModelError):
    """An argument is not acceptable (bad identity type, bad resource ID, missing parent...)."""

    code = "InvalidParameter"


class PrincipalNotFoundError(ModelError):
    """A role assignment names a principal the directory does not hold (ARM 400 ``PrincipalNotFound``)."""

    code = "PrincipalNotFound"

    def __init__(self, principal_id: str, tenant_id: str) -> None:
        super().__init__(
            PRINCIPAL_NOT_FOUND_MESSAGE.format(principal=strip_dashes(principal_id), tenant=tenant_id)
        )
        self.principal_id = principal_id
        self.tenant_id = tenant_id


class IdentityNotFoundError(NotFoundError):
    """The host has no identity to give a token for.

    ``reason`` is ``"no_identity"`` (nothing asked for and no system identity) or ``"not_assigned"`` (the
    requested client_id/object_id/mi_res_id is not attached to this host). IMDS answers both with 400
    ``{"error":"invalid_request","error_description":"Identity not found"}``.
    """

    code = "IdentityNotFound"

    def __init__(self, message: str, *, reason: Literal["no_identity", "not_assigned", "no_host"]) -> None:
        super().__init__(message)
        self.reason = reason
