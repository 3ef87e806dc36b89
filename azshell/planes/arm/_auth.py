"""ARM authentication: the bearer token → a ``Caller``, or ARM's 401 with its ``WWW-Authenticate`` challenge.

Mapping from the token service's failures (azure-error-messages.md §2)::

    no Authorization header                     AuthenticationFailed
    other scheme / empty bearer                 AuthenticationFailed (invalid format)
    malformed, alg, unknown kid, signature,
      issuer, not yet valid, no oid claim       InvalidAuthenticationToken
    audience                                    InvalidAuthenticationTokenAudience
    expired                                     ExpiredAuthenticationToken
    tenant                                      InvalidAuthenticationTokenTenant
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from azshell.auth.errors import (
    ExpiredTokenError,
    InvalidAudienceError,
    TokenValidationError,
    WrongTenantError,
)
from azshell.auth.resources import ARM_AUDIENCES
from azshell.hostnames import ARM_RESOURCE, LOGIN_WINDOWS_AUTHORITY, STS_ISSUER_TEMPLATE
from azshell.planes._shared import (
    Caller,
    arm_error,
    bearer_token,
    caller_from_claims,
    dotnet_utc,
    dry_run_claims,
    token_refused,
)
from azshell.planes.base import PlaneError, Request

if TYPE_CHECKING:
    from azshell.world import World

__all__ = ["authenticate", "challenge_tenant"]

PLANE = "arm"
SERVICE = "Azure Resource Manager"

AUTHENTICATION_FAILED = "AuthenticationFailed"
MISSING_HEADER_MESSAGE = "Authentication failed. The 'Authorization' header is missing."
MISSING_HEADER_DESCRIPTION = "The authentication failed because of missing 'Authorization' header."
#: A header that is not ``Bearer <token>``: code and text SEEN (Azure/azure-sdk-for-python issue 4124, "Azure Error:
#: AuthenticationFailedInvalidHeader Message: Authentication failed. The 'Authorization' header is provided in an
#: invalid format."; the text also in Azure/azure-cli issue 5767).
AUTHENTICATION_FAILED_INVALID_HEADER = "AuthenticationFailedInvalidHeader"
INVALID_FORMAT_MESSAGE = "Authentication failed. The 'Authorization' header is provided in an invalid format."
INVALID_TOKEN = "InvalidAuthenticationToken"
INVALID_TOKEN_MESSAGE = "The access token is invalid."
NO_OID_MESSAGE = (
    "The received access token is not valid: at least one of the claims 'puid' or 'altsecid' or 'oid' should be "
    "present. If you are accessing as application please make sure service principal is properly created in the "
    "tenant."
)
INVALID_AUDIENCE = "InvalidAuthenticationTokenAudience"
INVALID_AUDIENCE_TEMPLATE = (
    "The access token has been obtained for wrong audience or resource '{audience}'. It should exactly match with "
    "one of the allowed audiences {allowed}."
)
EXPIRED_TOKEN = "ExpiredAuthenticationToken"
EXPIRED_TOKEN_TEMPLATE = "The access token expiry UTC time '{expiry}' is earlier than current UTC time '{now}'."
INVALID_TENANT = "InvalidAuthenticationTokenTenant"
INVALID_TENANT_TEMPLATE = (
    "The access token is from the wrong issuer '{issuer}'. It must match the tenant "
    "'" + STS_ISSUER_TEMPLATE + "' associated with this subscription. Please use the authority (URL) "
    "'" + LOGIN_WINDOWS_AUTHORITY + "/{tenant}' to get the token. Note, if the subscription is transferred to "
    "another tenant there is no impact to the services, but information about new tenant could take time to "
    "propagate (up to an hour). If you just transferred your subscription and see this error message, please try "
    "back later."
)
WWW_AUTHENTICATE_TEMPLATE = (
    'Bearer authorization_uri="' + LOGIN_WINDOWS_AUTHORITY + '/{tenant}", error="invalid_token", '
    'error_description="{description}"'
)


def _unauthorized(code: str, message: str, description: str, tenant: str) -> PlaneError:
    challenge = WWW_AUTHENTICATE_TEMPLATE.format(tenant=tenant, description=description.replace('"', "'"))
    return arm_error(401, code, message, headers={"WWW-Authenticate": challenge})


def challenge_tenant(world: World, subscription_id: str | None) -> str:
    """The tenant the 401 challenge names: the subscription's when the URL names a known one, else empty."""
    if subscription_id is None:
        return ""
    sub = world.store.get_subscription(subscription_id)
    return sub.tenant_id if sub is not None else ""


def authenticate(request: Request, world: World, subscription_id: str | None) -> Caller:
    """Verify the request's bearer token for ARM; return the caller or raise ARM's 401 (its decision recorded)."""
    tenant = challenge_tenant(world, subscription_id)
    token = bearer_token(request)

    def refused(error: BaseException | None = None) -> None:
        token_refused(request, world, plane=PLANE, expected=ARM_RESOURCE, service=SERVICE, error=error,
                      tenant=tenant or world.tenant_id)

    if token is None:
        refused()
        raise _unauthorized(AUTHENTICATION_FAILED, MISSING_HEADER_MESSAGE, MISSING_HEADER_DESCRIPTION, tenant)
    if not token:
        refused()
        raise _unauthorized(AUTHENTICATION_FAILED_INVALID_HEADER, INVALID_FORMAT_MESSAGE, INVALID_FORMAT_MESSAGE, tenant)
    expected_tenant = tenant or world.tenant_id
    try:
        claims = world.tokens.verify(token, audiences=ARM_AUDIENCES, tenant_id=expected_tenant)
    except InvalidAudienceError as exc:
        refused(exc)
        allowed = ",".join(f"'{a}'" for a in ARM_AUDIENCES)
        msg = INVALID_AUDIENCE_TEMPLATE.format(audience=exc.audience, allowed=allowed)
        raise _unauthorized(INVALID_AUDIENCE, msg, msg, tenant) from None
    except ExpiredTokenError as exc:
        refused(exc)
        msg = EXPIRED_TOKEN_TEMPLATE.format(expiry=dotnet_utc(exc.expires_on), now=dotnet_utc(exc.now))
        raise _unauthorized(EXPIRED_TOKEN, msg, msg, tenant) from None
    except WrongTenantError as exc:
        refused(exc)
        msg = INVALID_TENANT_TEMPLATE.format(issuer=exc.token_issuer, tenant=exc.expected_tenant)
        raise _unauthorized(INVALID_TENANT, msg, msg, tenant) from None
    except TokenValidationError as exc:
        refused(exc)
        raise _unauthorized(INVALID_TOKEN, INVALID_TOKEN_MESSAGE, INVALID_TOKEN_MESSAGE, tenant) from None
    oid = claims.get("oid")
    if not isinstance(oid, str) or not oid:
        refused()
        raise _unauthorized(INVALID_TOKEN, NO_OID_MESSAGE, INVALID_TOKEN_MESSAGE, tenant)
    claims = dry_run_claims(request, world, claims)
    return caller_from_claims(claims, world.store.group_ids_of(str(claims["oid"])), log=request.decisions)
