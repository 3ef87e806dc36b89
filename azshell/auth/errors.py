"""Errors of the auth layer: one leaf per failed check, so callers can map each to Azure's exact answer.

::

    AzShellError
     +-- AuthError                     any failure to issue or verify a token
          +-- TokenValidationError     verify() refused a bearer token
          |    +-- MalformedTokenError        not three base64url JSON segments, missing/ill-typed claims
          |    +-- UnsupportedAlgorithmError  header ``alg`` is not RS256 (``none``, ``HS256`` ...)
          |    +-- UnknownKeyError            header ``kid`` is not in the tenant's JWKS
          |    +-- InvalidSignatureError      the RS256 signature does not verify
          |    +-- InvalidIssuerError         ``iss`` is not ``https://sts.windows.net/{tid}/``
          |    +-- InvalidAudienceError       ``aud`` not in the accepted set (carries ``audience``)
          |    +-- ExpiredTokenError          ``exp`` (+ skew) is in the past (carries ``expires_on``)
          |    +-- NotYetValidError           ``nbf`` (- skew) is in the future (carries ``not_before``)
          |    +-- WrongTenantError           ``tid`` is not the expected tenant (carries both)
          +-- UnknownResourceError     AADSTS500011: no resource principal with that identifier URI

The ARM plane turns these into its 401 bodies: Malformed/Unsupported/UnknownKey/InvalidSignature/InvalidIssuer →
``InvalidAuthenticationToken``, InvalidAudience → ``InvalidAuthenticationTokenAudience``, Expired →
``ExpiredAuthenticationToken``, WrongTenant → ``InvalidAuthenticationTokenTenant``.
"""

from __future__ import annotations

from collections.abc import Collection

from azshell.errors import AzShellError
from azshell.hostnames import STS_ISSUER_TEMPLATE

#: AADSTS500011 as Entra ID words it (azure-error-messages.md §5a); ``{tenant}`` may be a GUID or display name.
AADSTS500011_TEMPLATE = (
    "AADSTS500011: The resource principal named {resource} was not found in the tenant named {tenant}. "
    "This can happen if the application has not been installed by the administrator of the tenant or consented "
    "to by any user in the tenant. You might have sent your authentication request to the wrong tenant."
)


class AuthError(AzShellError):
    """Root of the auth layer's errors."""


class TokenValidationError(AuthError):
    """A bearer token failed one of ``TokenService.verify``'s checks."""


class MalformedTokenError(TokenValidationError):
    """The token is not a compact JWS with JSON header and claims, or a required claim is missing."""


class UnsupportedAlgorithmError(TokenValidationError):
    """The header's ``alg`` is not RS256 (``none`` and HMAC algorithms are always refused)."""

    def __init__(self, algorithm: str) -> None:
        super().__init__(f"Token algorithm {algorithm!r} is not supported; only RS256 is accepted.")
        self.algorithm = algorithm


class UnknownKeyError(TokenValidationError):
    """The header's ``kid`` names no key in the tenant's JWKS (never issued, or rolled out)."""

    def __init__(self, kid: str | None) -> None:
        super().__init__(f"The signing key {kid!r} is not in the tenant's key set.")
        self.kid = kid


class InvalidSignatureError(TokenValidationError):
    """The signature does not verify with the key named by ``kid``."""


class InvalidIssuerError(TokenValidationError):
    """``iss`` is not the v1 issuer of the token's tenant."""

    def __init__(self, issuer: object) -> None:
        super().__init__(f"The token issuer {issuer!r} is not valid.")
        self.issuer = issuer


class InvalidAudienceError(TokenValidationError):
    """``aud`` is not one of the accepted audiences (exact string match)."""

    def __init__(self, audience: str, accepted: Collection[str]) -> None:
        super().__init__(
            f"The access token has been obtained for wrong audience or resource '{audience}'. It should exactly "
            "match with one of the allowed audiences " + ",".join(f"'{a}'" for a in accepted) + "."
        )
        self.audience = audience
        self.accepted = tuple(accepted)


class ExpiredTokenError(TokenValidationError):
    """``exp`` plus the allowed clock skew lies before now."""

    def __init__(self, expires_on: int, now: float) -> None:
        super().__init__(f"The access token expired at {expires_on} (now {int(now)}).")
        self.expires_on = expires_on
        self.now = now


class NotYetValidError(TokenValidationError):
    """``nbf`` minus the allowed clock skew lies after now."""

    def __init__(self, not_before: int, now: float) -> None:
        super().__init__(f"The access token is not valid before {not_before} (now {int(now)}).")
        self.not_before = not_before
        self.now = now


class WrongTenantError(TokenValidationError):
    """The token was issued for another tenant than the one the resource belongs to."""

    def __init__(self, token_tenant: str, token_issuer: str, expected_tenant: str) -> None:
        super().__init__(
            f"The access token is from the wrong issuer '{token_issuer}'. "
            f"It must match the tenant '{STS_ISSUER_TEMPLATE.format(tenant=expected_tenant)}'."
        )
        self.token_tenant = token_tenant
        self.token_issuer = token_issuer
        self.expected_tenant = expected_tenant


class UnknownResourceError(AuthError):
    """AADSTS500011: the requested resource (audience) has no service principal in the tenant."""

    code = "invalid_resource"
    error_code = 500011

    def __init__(self, resource: str, tenant: str) -> None:
        super().__init__(AADSTS500011_TEMPLATE.format(resource=resource, tenant=tenant))
        self.resource = resource
        self.tenant = tenant
