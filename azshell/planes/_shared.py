"""Helpers shared by the Azure planes: ARM-style errors, bearer extraction, api-version checks, ``require``.

Everything here is plain data in, ``PlaneError`` out, so each plane reads as a list of checks::

    token = bearer_token(request)                     # None when the header is missing
    check_api_version(request, spec)                  # 400 MissingApiVersionParameter / InvalidApiVersionParameter
    require(world, caller, action=READ_RG, scope=rg)  # 403 AuthorizationFailed naming the client

Azure's strings (codes, message templates, header values) are module constants, copied from
``shared/reference/azure-error-messages.md``; where the reference marks a text INFERRED, the constant says so.

Every check that decides a request records its ``AccessDecision`` (``azshell.auth.decision``) on the request —
``require``/``require_linked`` through the caller's ``log``, the planes' own checks with ``record``, every 401
with ``token_refused`` — and the router puts the final one on the response. ``is_allowed`` is a filter (what a
list may show) and records nothing. ``dry_run_claims`` lets a dry run (``Test-AzAccess -ObjectId -Uri``,
in-process only) decide for another principal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from azshell.planes.base import PlaneError, Request
from azshell.planes.catalog import ApiVersionSpec

if TYPE_CHECKING:
    from azshell.auth.decision import AccessDecision
    from azshell.world import World

__all__ = [
    "ARM_NO_CACHE_HEADERS",
    "ApiVersionSpec",
    "AUTHORIZATION_FAILED",
    "AUTHORIZATION_FAILED_TEMPLATE",
    "Caller",
    "FAILURE_CAUSE_GATEWAY",
    "api_version_accepted",
    "arm_error",
    "bearer_token",
    "check_api_version",
    "dotnet_utc",
    "format_iso",
    "parse_json_body",
    "require",
]

# --------------------------------------------------------------------------------------------------------------
# Azure strings
# --------------------------------------------------------------------------------------------------------------

#: Headers every ARM response carries (SEEN on ARM and Key Vault responses).
ARM_NO_CACHE_HEADERS: dict[str, str] = {"Cache-Control": "no-cache", "Pragma": "no-cache", "Expires": "-1"}
#: ``x-ms-failure-cause: gateway`` (SEEN on ARM 401 and 404, and on a 400 InvalidApiVersionParameter in
#: Azure/azure-cli issue 27156; INFERRED on 403/409: no capture found).
FAILURE_CAUSE_HEADER = "x-ms-failure-cause"
FAILURE_CAUSE_GATEWAY = "gateway"

AUTHORIZATION_FAILED = "AuthorizationFailed"
#: azure-error-messages.md §1 (SEEN). ``{client}`` is the oid for service principals, the UPN for users (SEEN for a
#: user: Azure/Azure-Landing-Zones issue 3366, "The client 'user@xxxx.com' with object id 'xxxxx' …").
AUTHORIZATION_FAILED_TEMPLATE = (
    "The client '{client}' with object id '{oid}' does not have authorization to perform action '{action}' over "
    "scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your credentials."
)
LINKED_AUTHORIZATION_FAILED = "LinkedAuthorizationFailed"
#: ARM's answer when the caller may write the resource but not use a linked one (SEEN word for word, "action(s)" and
#: "(respectively)" included: Azure/enterprise-azure-policy-as-code PR 1339; older answers in Azure/aad-pod-identity
#: issue 613 read "action" and lack "(respectively)").
LINKED_AUTHORIZATION_FAILED_TEMPLATE = (
    "The client '{client}' with object id '{oid}' has permission to perform action '{action}' on scope "
    "'{scope}'; however, it does not have permission to perform action(s) '{linked_action}' on the linked "
    "scope(s) '{linked_scopes}' (respectively) or the linked scope(s) are invalid."
)

MISSING_API_VERSION = "MissingApiVersionParameter"
MISSING_API_VERSION_MESSAGE = "The api-version query parameter (?api-version=) is required for all requests."
INVALID_API_VERSION = "InvalidApiVersionParameter"
#: ARM's own endpoints (subscriptions, resource groups): versions joined with a bare comma (SEEN).
INVALID_API_VERSION_TEMPLATE = "The api-version '{version}' is invalid. The supported versions are '{supported}'."
NO_REGISTERED_PROVIDER = "NoRegisteredProviderFound"
#: Resource-provider types: versions and locations joined with ", " (SEEN).
NO_REGISTERED_PROVIDER_TEMPLATE = (
    "No registered resource provider found for location '{location}' and API version '{version}' for type "
    "'{type}'. The supported api-versions are '{supported}'. The supported locations are '{locations}'."
)

INVALID_REQUEST_CONTENT = "InvalidRequestContent"
#: JSON.NET's deserialisation failure as ARM wraps it (SEEN: Azure/azure-sdk-for-net issue 3487, "The request content
#: was invalid and could not be deserialized: 'Could not find member 'AccountType' on object of type
#: 'ResourceDefinition'. Path 'AccountType', line 2, position 17.'.").
INVALID_REQUEST_CONTENT_TEMPLATE = "The request content was invalid and could not be deserialized: '{detail}'."

#: The regions ARM names in ``NoRegisteredProviderFound`` and location checks (public regions, ARM's spelling).
SUPPORTED_LOCATIONS: tuple[str, ...] = (
    "eastus", "eastus2", "westus", "westus2", "westus3", "centralus", "northcentralus", "southcentralus",
    "westcentralus", "canadacentral", "canadaeast", "brazilsouth", "northeurope", "westeurope", "uksouth", "ukwest",
    "francecentral", "germanywestcentral", "switzerlandnorth", "norwayeast", "swedencentral", "polandcentral",
    "italynorth", "spaincentral", "eastasia", "southeastasia", "japaneast", "japanwest", "koreacentral",
    "koreasouth", "australiaeast", "australiasoutheast", "australiacentral", "centralindia", "southindia",
    "westindia", "uaenorth", "southafricanorth", "qatarcentral", "israelcentral", "mexicocentral",
)
#: Display names of the regions, as ``Get-AzLocation`` and ARM's provider answers (``locations``) spell them.
LOCATION_DISPLAY_NAMES: Mapping[str, str] = MappingProxyType({
    "eastus": "East US", "eastus2": "East US 2", "westus": "West US", "westus2": "West US 2",
    "westus3": "West US 3", "centralus": "Central US", "northcentralus": "North Central US",
    "southcentralus": "South Central US", "westcentralus": "West Central US", "canadacentral": "Canada Central",
    "canadaeast": "Canada East", "brazilsouth": "Brazil South", "northeurope": "North Europe",
    "westeurope": "West Europe", "uksouth": "UK South", "ukwest": "UK West", "francecentral": "France Central",
    "germanywestcentral": "Germany West Central", "switzerlandnorth": "Switzerland North",
    "norwayeast": "Norway East", "swedencentral": "Sweden Central", "polandcentral": "Poland Central",
    "italynorth": "Italy North", "spaincentral": "Spain Central", "eastasia": "East Asia",
    "southeastasia": "Southeast Asia", "japaneast": "Japan East", "japanwest": "Japan West",
    "koreacentral": "Korea Central", "koreasouth": "Korea South", "australiaeast": "Australia East",
    "australiasoutheast": "Australia Southeast", "australiacentral": "Australia Central",
    "centralindia": "Central India", "southindia": "South India", "westindia": "West India",
    "uaenorth": "UAE North", "southafricanorth": "South Africa North", "qatarcentral": "Qatar Central",
    "israelcentral": "Israel Central", "mexicocentral": "Mexico Central",
})
#: "West US" / "WestUS" / "westus" → "westus" (the display name without spaces is the key, lower-cased).
_LOCATION_KEYS: Mapping[str, str] = MappingProxyType({loc: loc for loc in SUPPORTED_LOCATIONS})


def normalize_location(value: str) -> str | None:
    """``"West US"`` / ``"WestUS"`` / ``"westus"`` → ``"westus"``; None for an unknown region."""
    key = value.replace(" ", "").lower()
    return _LOCATION_KEYS.get(key)


# --------------------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------------------


def arm_error(status: int, code: str, message: str, *, headers: Mapping[str, str] | None = None,
              gateway: bool = True) -> PlaneError:
    """An ARM error with Azure's standard headers (``x-ms-failure-cause: gateway`` and no-cache)."""
    h = dict(ARM_NO_CACHE_HEADERS)
    if gateway:
        h[FAILURE_CAUSE_HEADER] = FAILURE_CAUSE_GATEWAY
    if headers:
        h.update(headers)
    return PlaneError(status, code, message, headers=h)


def dotnet_utc(epoch: float) -> str:
    """.NET en-US ``M/d/yyyy h:mm:ss tt`` in UTC (``3/21/2023 12:44:36 PM``), as ARM prints token times."""
    dt = datetime.fromtimestamp(int(epoch), tz=UTC)
    hour = dt.hour % 12 or 12
    ampm = "AM" if dt.hour < 12 else "PM"
    return f"{dt.month}/{dt.day}/{dt.year} {hour}:{dt.minute:02d}:{dt.second:02d} {ampm}"


def format_iso(epoch: float) -> str:
    """ARM's timestamp form with seven fractional digits: ``2021-06-09T18:17:26.7734318Z``."""
    dt = datetime.fromtimestamp(epoch, tz=UTC)
    frac = f"{dt.microsecond:06d}0"
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + frac + "Z"


# --------------------------------------------------------------------------------------------------------------
# Request helpers
# --------------------------------------------------------------------------------------------------------------


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header.

    Returns None when the header is missing or empty; ``""`` when it is present but not a bearer token
    (another scheme, or ``Bearer`` with nothing after it), which ARM treats as an invalid token.
    """
    value = request.headers.get("Authorization")
    if value is None or not value.strip():
        return None
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "bearer":
        return ""
    return rest.strip()


def parse_json_body(request: Request, *, required: bool = True) -> dict[str, Any]:
    """The request body as a JSON object; 400 ``InvalidRequestContent`` when it is not one.

    An empty body gives ``{}`` unless ``required``.
    """
    raw = request.body
    if not raw.strip():
        if required:
            raise arm_error(400, INVALID_REQUEST_CONTENT,
                            INVALID_REQUEST_CONTENT_TEMPLATE.format(detail="The request content is empty."))
        return {}
    from azshell.planes.jsonnet import JsonParseError, read_json

    try:
        # Json.NET's reading, as ARM's: comments, trailing commas, single quotes and bare names are accepted (az CLI
        # sends a template's own text, comments and all)
        obj = read_json(raw.decode("utf-8-sig"), require_object=False).value
    except JsonParseError as exc:
        raise arm_error(400, INVALID_REQUEST_CONTENT, INVALID_REQUEST_CONTENT_TEMPLATE.format(detail=exc.message)) \
            from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        detail = str(exc).split("\n", 1)[0].replace("'", "")
        raise arm_error(400, INVALID_REQUEST_CONTENT, INVALID_REQUEST_CONTENT_TEMPLATE.format(detail=detail)) from None
    if not isinstance(obj, dict):
        raise arm_error(400, INVALID_REQUEST_CONTENT, INVALID_REQUEST_CONTENT_TEMPLATE.format(
            detail=f"Expected a JSON object but found {type(obj).__name__}."))
    return obj


#: An api-version ARM could publish: ``YYYY-MM-DD`` with an optional ``-preview`` (case as sent).
_DATED_VERSION = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(-preview)?$", re.IGNORECASE)
#: How far past the world's today an unlisted version's date may lie (providers publish a version around the date it
#: carries, sometimes weeks early; never years).
UNLISTED_VERSION_GRACE = timedelta(days=366)


def _version_date(version: str) -> date | None:
    m = _DATED_VERSION.match(version)
    if m is None:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def api_version_accepted(spec: ApiVersionSpec, version: str, *, now: float | None = None) -> bool:
    """Does ARM accept ``version`` for ``spec``'s type?

    The catalogue lists the versions each provider has published (kept current from the newest SDKs' defaults;
    ``tests/planes/test_arm_sdk_versions.py`` reads the installed SDKs). It cannot know next month's: providers
    publish new versions all the time and clients start sending them at once. So a well-formed dated version
    (``YYYY-MM-DD[-preview]``, a real calendar date) *newer than the newest listed one* is accepted too, as long as
    its date is not more than a year past the world's today (``now``; no bound when None). A malformed version, or
    an unlisted one older than the newest listed (a gap in the list is a version ARM never published), keeps ARM's
    exact ``NoRegisteredProviderFound`` / ``InvalidApiVersionParameter`` answer.
    """
    if spec.accepts(version):
        return True
    wanted = _version_date(version)
    if wanted is None:
        return False
    known = [d for d in (_version_date(v) for v in spec.versions) if d is not None]
    if not known or wanted <= max(known):
        return False
    if now is not None and wanted > datetime.fromtimestamp(now, tz=UTC).date() + UNLISTED_VERSION_GRACE:
        return False
    return True


def check_api_version(request: Request, spec: ApiVersionSpec, *, location: str = "westus",
                      now: float | None = None) -> str:
    """The request's ``api-version``; raises ARM's 400 when it is missing or not one ARM accepts for ``spec``
    (see :func:`api_version_accepted`; ``now`` is the world's clock)."""
    version = request.query_get("api-version")
    if version is None or version == "":
        raise arm_error(400, MISSING_API_VERSION, MISSING_API_VERSION_MESSAGE)
    if api_version_accepted(spec, version, now=now):
        return version
    newest_first = sorted(spec.versions, reverse=True)
    if spec.arm_native:
        raise arm_error(400, INVALID_API_VERSION, INVALID_API_VERSION_TEMPLATE.format(
            version=version, supported=",".join(newest_first)))
    raise arm_error(400, NO_REGISTERED_PROVIDER, NO_REGISTERED_PROVIDER_TEMPLATE.format(
        location=location, version=version, type=spec.type_name, supported=", ".join(sorted(spec.versions)),
        locations=", ".join(SUPPORTED_LOCATIONS)))


# --------------------------------------------------------------------------------------------------------------
# Authorization
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: the token's ``oid`` and what ARM prints for it.

    ``client`` is what ``AuthorizationFailed`` names: the UPN for a user, the object id for a service principal
    or managed identity. ``group_ids`` are the directory groups the principal belongs to.
    """

    oid: str
    tenant_id: str
    client: str
    group_ids: tuple[str, ...] = ()
    claims: Mapping[str, Any] = field(default_factory=dict)
    #: Where the access decisions taken for this caller go (the request's ``decisions``).
    log: list[AccessDecision] = field(default_factory=list, compare=False, repr=False)

    @property
    def is_user(self) -> bool:
        return self.client != self.oid


def caller_from_claims(claims: Mapping[str, Any], group_ids: Iterable[str] = (), *,
                       log: list[AccessDecision] | None = None) -> Caller:
    """Build a ``Caller`` from verified token claims (``oid``, ``tid``, ``upn``/``unique_name``)."""
    oid = str(claims.get("oid", ""))
    upn = claims.get("upn") or (claims.get("unique_name") if claims.get("idtyp") == "user" else None)
    client = str(upn) if isinstance(upn, str) and upn else oid
    return Caller(oid=oid, tenant_id=str(claims.get("tid", "")), client=client, group_ids=tuple(group_ids),
                  claims=dict(claims), log=log if log is not None else [])


def dry_run_claims(request: Request, world: World, claims: dict[str, Any]) -> dict[str, Any]:
    """The claims to decide with: the verified token's, or in a dry run for another principal (``Test-AzAccess
    -ObjectId``, in-process only) the ones that principal's token would carry."""
    subject = request.dry_run_subject if request.dry_run else None
    if not subject or subject.lower() == str(claims.get("oid", "")).lower():
        return claims
    obj = world.store.get_directory_object(subject)
    out = {k: v for k, v in claims.items() if k not in ("upn", "unique_name", "name", "scp", "xms_mirid")}
    out["oid"] = out["sub"] = obj.object_id if obj is not None else subject
    if obj is not None and obj.object_type == "User":
        out["idtyp"] = "user"
        out["upn"] = out["unique_name"] = obj.user_principal_name or obj.display_name
    else:
        out["idtyp"] = "app"
        out["appid"] = (obj.app_id if obj is not None else None) or out["oid"]
    return out


def record(request: Request, decision: AccessDecision) -> AccessDecision:
    """Note ``decision`` as one the plane took for ``request`` (the router puts the final one on the answer)."""
    request.decisions.append(decision)
    return decision


def token_refused(request: Request, world: World, *, plane: str, expected: str, service: str,
                  error: BaseException | None = None, tenant: str = "") -> AccessDecision:
    """Record a 401's decision: what is wrong with the request's credential, in plain English."""
    from azshell.auth.decision import diagnose_token, token_decision

    problem = diagnose_token(request.headers.get("Authorization"), error, expected=expected, service=service,
                             now=world.clock.now(), tenant=tenant)
    return record(request, token_decision(plane, problem))


def rbac_decision(world: World, caller: Caller, action: str, scope: str, *, plane: str = "arm",
                  data_action: bool = False) -> AccessDecision:
    """The RBAC decision for the caller (with its evidence), recorded on the caller's request."""
    from azshell.auth.decision import rbac_access

    d = rbac_access(world.rbac_index(), plane=plane, principal=caller.oid, principal_name=caller.client,
                    group_ids=caller.group_ids, action=action, scope=scope, data_action=data_action)
    caller.log.append(d)
    return d


def is_allowed(world: World, caller: Caller, action: str, scope: str) -> bool:
    """Does the caller hold ``action`` at ``scope`` (RBAC over the world's cached index)? A filter: not recorded
    as the request's decision (lists use it to leave out what the caller may not read)."""
    from azshell.auth.rbac import decide

    return decide(principal_id=caller.oid, group_ids=caller.group_ids, action=action, scope=scope,
                  index=world.rbac_index()).allowed


def authorization_failed(caller: Caller, action: str, scope: str) -> PlaneError:
    """The 403 ``AuthorizationFailed`` ARM answers when ``caller`` lacks ``action`` at ``scope``."""
    return arm_error(403, AUTHORIZATION_FAILED, AUTHORIZATION_FAILED_TEMPLATE.format(
        client=caller.client, oid=caller.oid, action=action, scope=scope))


def require(world: World, caller: Caller, action: str, scope: str, *, message_scope: str | None = None) -> None:
    """Raise 403 ``AuthorizationFailed`` unless the caller holds ``action`` at ``scope``.

    ``message_scope`` is the scope the message names when it differs from the checked one (ARM names the full
    request path, e.g. the role assignment ID, while the decision is taken at that path too).
    """
    if not rbac_decision(world, caller, action, scope).allowed:
        raise authorization_failed(caller, action, message_scope or scope)


def require_linked(world: World, caller: Caller, *, action: str, scope: str, linked_action: str,
                   linked_scopes: Iterable[str]) -> None:
    """Raise 403 ``LinkedAuthorizationFailed`` unless ``linked_action`` is held on every linked scope."""
    missing = [s for s in linked_scopes if not rbac_decision(world, caller, linked_action, s).allowed]
    if missing:
        raise arm_error(403, LINKED_AUTHORIZATION_FAILED, LINKED_AUTHORIZATION_FAILED_TEMPLATE.format(
            client=caller.client, oid=caller.oid, action=action, scope=scope, linked_action=linked_action,
            linked_scopes=",".join(missing)))
