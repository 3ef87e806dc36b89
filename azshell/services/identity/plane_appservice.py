"""App Service / Azure Functions managed-identity endpoint (``IDENTITY_ENDPOINT`` / ``MSI_ENDPOINT``).

Address: ``http://localhost:4141/MSI/token`` (the docs' example host and path; also ``127.0.0.1``), answered only
for a caller standing on a web or function app (``caller.host_id`` a ``Microsoft.Web/sites`` resource) that has
a managed identity; anywhere else nothing listens and the connection is refused (``HostUnreachableError``, with a
hint naming ``Enter-AzWebApp``).

Two protocols, chosen by ``api-version`` (msi-tutorials-and-token-endpoints.md §3.3, §3.4):

=============  ===================  ==========================  =======================================
api-version    header               user-assigned selector      ``expires_on``
=============  ===================  ==========================  =======================================
2017-09-01     ``secret``           ``clientid`` (only)         date string ``09/14/2017 12:00:00 PM +00:00``
2019-08-01     ``X-IDENTITY-HEADER``  ``client_id`` | ``principal_id`` (alias ``object_id``) | ``mi_res_id``
                                                                epoch seconds as a string
=============  ===================  ==========================  =======================================

Without a selector the system-assigned identity is used (App Service does not fall back to a sole
user-assigned identity as IMDS does). The header value is the site's ``IDENTITY_HEADER`` (= ``MSI_SECRET``),
kept in ``azshell.model.hosts`` and rotated when the site's identity changes.

Checks, in order: method GET (405) → path ``/MSI/token`` (404) → api-version (400) → header present (400) and
right (401) → ``resource`` (400) → selectors (400) → identity attached (400) → resource known (400
AADSTS500011). Error bodies: 2017-09-01 ``{"StatusCode","Message","CorrelationId"}`` (the PascalCase shape SEEN
from Windows App Service, azure-error-messages.md §5b); 2019-08-01 ``{"statusCode","message","correlationId"}``
(the camelCase shape MSAL reads — INFERRED); an api-version that is missing or not served gets ASP.NET API
Versioning's ``{"error":{"code","message","innerError"}}`` (SEEN for UnsupportedApiVersion). Texts other than
``No MSI found for specified ClientId/ResourceId.`` and the api-version ones are INFERRED. An unknown resource is App Service's 500 "An unexpected error occured while fetching the AAD
Token." (SEEN); the AADSTS500011 detail rides on the access decision for the hints. Every answer carries
``Server: Kestrel`` and ``X-CORRELATION-ID``.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any

from azshell.auth.decision import TokenProblem, token_decision
from azshell.auth.errors import UnknownResourceError
from azshell.hostnames import APP_SERVICE_IDENTITY_ENDPOINT, ARM_RESOURCE, IMDS_TOKEN_URL
from azshell.model import hosts as host_store
from azshell.model.types import WEB_SITE_TYPE, DirectoryObject, Resource
from azshell.planes.base import HostUnreachableError, PlaneError, Request, Response

if TYPE_CHECKING:
    from azshell.services.entra.plane import TokenWorld

__all__ = [
    "API_VERSION_2017",
    "API_VERSION_2019",
    "TOKEN_PATH",
    "handle",
    "host_environment",
    "identity_header",
]

# ------------------------------------------------------------------------------------------- routes (as data)
TOKEN_PATH = "/MSI/token"

# ------------------------------------------------------------------------------------------------ Azure strings
API_VERSION_2017 = "2017-09-01"
API_VERSION_2019 = "2019-08-01"
API_VERSIONS = (API_VERSION_2017, API_VERSION_2019)
SECRET_HEADER = "secret"
IDENTITY_HEADER = "X-IDENTITY-HEADER"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
#: Every answer of the token service carries these (SEEN in captures of App Service's endpoint).
SERVER_HEADER = "Kestrel"
CORRELATION_HEADER = "X-CORRELATION-ID"
#: An unknown resource (AADSTS500011 underneath) is a 500 with this text, "occured" misspelt as App Service does
#: (SEEN: issue 14's capture); the AADSTS detail goes to the access decision, which the hints read.
AAD_TOKEN_FAILED = "An unexpected error occured while fetching the AAD Token."
TOKEN_TYPE = "Bearer"

#: Environment variables App Service sets in an app with a managed identity.
ENV_IDENTITY_ENDPOINT = "IDENTITY_ENDPOINT"
ENV_IDENTITY_HEADER = "IDENTITY_HEADER"
ENV_MSI_ENDPOINT = "MSI_ENDPOINT"
ENV_MSI_SECRET = "MSI_SECRET"

#: SEEN (MicrosoftDocs/azure-docs#43543): a ``clientid``/resource id that is not on the app.
NO_MSI_FOUND = "No MSI found for specified ClientId/ResourceId."
#: Field reports quoted in msi-tutorials §3.4: no selector and no system-assigned identity.
UNABLE_TO_LOAD_IDENTITY = "Unable to load the proper Managed Identity."
#: An api-version the token service does not serve: ASP.NET API Versioning's answer, SEEN from App Service itself
#: (MicrosoftDocs/azure-docs issue 53726, Azure/azure-sdk-for-net PR 16334): ``{"error":{"code":"UnsupportedApiVersion",
#: "message":"The HTTP resource that matches the request URI 'http://localhost:8081/msi/token?resource=…&api-version=
#: 2019-08-01' does not support the API version '2019-08-01'.","innerError":null}}``.
API_VERSION_UNSUPPORTED = "UnsupportedApiVersion"
API_VERSION_INVALID = "The HTTP resource that matches the request URI '{uri}' does not support the API version '{version}'."
#: No api-version: the same library's code and text (SEEN as the library's words in MicrosoftDocs/azure-docs
#: ``articles/azure-app-configuration/rest-api-versioning.md``); INFERRED that App Service answers so (no capture found).
API_VERSION_UNSPECIFIED = "ApiVersionUnspecified"
API_VERSION_MISSING = "An API version is required, but was not specified."
#: INFERRED texts (no capture found: searched App Service/Functions MSI endpoint issues for a missing or wrong
#: X-IDENTITY-HEADER/secret, a missing resource, conflicting selectors, a wrong method or path).
HEADER_MISSING = "The request is missing the '{header}' header."
HEADER_INVALID = "The '{header}' header value is invalid."
RESOURCE_MISSING = "The 'resource' query parameter is required."
SELECTORS_CONFLICT = "Only one of client_id, principal_id, object_id and mi_res_id may be given."
METHOD_NOT_ALLOWED = "The requested resource does not support http method '{method}'."
NOT_FOUND = "The requested resource was not found: {path}"

REFUSED_MESSAGE = "No connection could be made because the target machine actively refused it. ({authority})"
OFF_HOST_HINT = (
    "localhost:{port} is the App Service managed-identity endpoint ($env:IDENTITY_ENDPOINT), which only listens "
    "inside a web or function app. You are not on one: step onto it with Enter-AzWebApp -ResourceGroupName <rg> "
    "-Name <app> (or Enter-AzFunctionApp)."
)
NOT_AN_APP_HINT = (
    "{name} is not a web or function app, so nothing listens on localhost:{port}. On a VM use IMDS "
    "(" + IMDS_TOKEN_URL + "); for an app use Enter-AzWebApp."
)
NO_IDENTITY_HINT = (
    "The app {name} has no managed identity, so App Service runs no token service and sets no IDENTITY_ENDPOINT. "
    "Enable one (Set-AzWebApp -AssignIdentity $true, or Update-AzFunctionApp -IdentityType SystemAssigned), "
    "then Exit and Enter the app again (App Service sets the variables when the app starts)."
)

#: 2019-08-01 selectors → the backend's keyword.
SELECTORS_2019: dict[str, str] = {
    "client_id": "client_id", "principal_id": "object_id", "object_id": "object_id", "mi_res_id": "mi_res_id",
}
SELECTOR_2017 = "clientid"


# ------------------------------------------------------------------------------------------------------ errors
class AppServiceError(PlaneError):
    """An App Service token-service error: ``{"StatusCode","Message","CorrelationId"}`` (2017-09-01) or
    ``{"statusCode","message","correlationId"}`` (2019-08-01)."""

    def __init__(self, status: int, message: str, *, legacy: bool, versioning_code: str | None = None) -> None:
        super().__init__(status, versioning_code or str(status), message, headers={"Content-Type": JSON_CONTENT_TYPE})
        self.legacy = legacy
        #: ASP.NET API Versioning's errors (api-version missing or not served) have their own shape.
        self.versioning_code = versioning_code

    def to_response(self) -> Response:
        return self.render(str(uuid.uuid4()))

    def render(self, cid: str) -> Response:
        """The error with correlation id ``cid`` (``handle`` passes one from the world's ids)."""
        if self.versioning_code:
            body: dict[str, Any] = {"error": {"code": self.versioning_code, "message": self.message,
                                              "innerError": None}}
        elif self.legacy:
            body = {"StatusCode": self.status, "Message": self.message, "CorrelationId": cid}
        else:
            body = {"statusCode": self.status, "message": self.message, "correlationId": cid}
        return Response.json(self.status, body, _headers(cid))


def _headers(correlation_id: str) -> dict[str, str]:
    return {"Content-Type": JSON_CONTENT_TYPE, "Server": SERVER_HEADER, CORRELATION_HEADER: correlation_id}


# ----------------------------------------------------------------------------------------------------- helpers
def _request_uri(request: Request) -> str:
    """The request URI as ASP.NET quotes it (query values as sent, unescaped, as in the capture)."""
    query = "&".join(f"{k}={v}" for k, v in request.query)
    return f"{request.scheme}://{request.authority}{request.raw_path}" + (f"?{query}" if query else "")



def _is_site(res: Resource | None) -> bool:
    return res is not None and res.type.casefold() == WEB_SITE_TYPE.casefold()


def _has_identity(res: Resource) -> bool:
    ident = res.identity
    return ident is not None and (ident.has_system or ident.has_user)


def identity_header(world: TokenWorld, site: Resource) -> str:
    """The site's current ``IDENTITY_HEADER`` value (made, or rotated after an identity change, on demand)."""
    store: Any = world.store
    return host_store.ensure_identity_header(store, site.id, site.identity).header


def host_environment(world: TokenWorld, site_id: str, *,
                     endpoint: str = APP_SERVICE_IDENTITY_ENDPOINT) -> dict[str, str]:
    """The environment App Service gives the app ``site_id``: ``WEBSITE_*`` always, and ``IDENTITY_ENDPOINT``,
    ``IDENTITY_HEADER``, ``MSI_ENDPOINT``, ``MSI_SECRET`` when the app has a managed identity.

    ``endpoint`` lets ``azshell serve --app`` put its own loopback URL there. {} for a site that does not exist.
    """
    site = world.store.get_resource(site_id)
    if site is None or not _is_site(site):
        return {}
    env: dict[str, str] = {
        "WEBSITE_SITE_NAME": site.name,
        "WEBSITE_RESOURCE_GROUP": site.resource_group,
        "WEBSITE_OWNER_NAME": f"{site.subscription_id}+{site.resource_group}-{site.location}webspace",
        "WEBSITE_HOSTNAME": str(site.properties.get("defaultHostName") or f"{site.name}.azurewebsites.net"),
        "WEBSITE_INSTANCE_ID": uuid.uuid5(uuid.NAMESPACE_URL, site.id.casefold()).hex * 2,
    }
    kind = str(site.extra.get("kind") or "")
    if "functionapp" in kind.casefold():
        for setting in (site.properties.get("siteConfig") or {}).get("appSettings") or []:
            if isinstance(setting, dict) and setting.get("name") in ("FUNCTIONS_WORKER_RUNTIME",
                                                                     "FUNCTIONS_EXTENSION_VERSION"):
                env[str(setting["name"])] = str(setting.get("value") or "")
    if _has_identity(site):
        header = identity_header(world, site)
        env.update({ENV_IDENTITY_ENDPOINT: endpoint, ENV_IDENTITY_HEADER: header,
                    ENV_MSI_ENDPOINT: endpoint, ENV_MSI_SECRET: header})
    return env


def _expires_on_text(epoch: int, *, linux: bool) -> str:
    """2017-09-01's ``expires_on``: Windows .NET's ``M/d/yyyy h:mm:ss tt +00:00`` (month, day and hour not
    zero-padded: ``1/16/2020 5:24:12 AM +00:00``, SEEN), Linux ``MM/dd/yyyy HH:mm:ss +00:00`` (SEEN from a Linux
    App Service plan: microsoft/mssql-jdbc issue 1135, ``"expires_on":"06/27/2020 12:14:35 +00:00"``)."""
    dt = datetime.datetime.fromtimestamp(epoch, tz=datetime.UTC)
    if linux:
        return dt.strftime("%m/%d/%Y %H:%M:%S +00:00")
    hour = dt.hour % 12 or 12
    return f"{dt.month}/{dt.day}/{dt.year} {hour}:{dt:%M:%S} {'AM' if dt.hour < 12 else 'PM'} +00:00"


def _is_linux(site: Resource) -> bool:
    return "linux" in str(site.extra.get("kind") or "").casefold() or bool(site.properties.get("reserved"))


def _refused(request: Request, hint: str) -> HostUnreachableError:
    port = request.port or 80
    authority = f"{request.host}:{port}"
    return HostUnreachableError(request.host, port, REFUSED_MESSAGE.format(authority=authority), hint)


def _host_site(request: Request, world: TokenWorld) -> Resource:
    """The app answering localhost:4141 for this caller, or ``HostUnreachableError`` (connection refused)."""
    port = request.port or 80
    host_id = request.caller.host_id
    if host_id is None:
        raise _refused(request, OFF_HOST_HINT.format(port=port))
    site = world.store.get_resource(host_id)
    if site is None or not _is_site(site):
        name = site.name if site is not None else host_id
        raise _refused(request, NOT_AN_APP_HINT.format(name=name, port=port))
    if not _has_identity(site):
        raise _refused(request, NO_IDENTITY_HINT.format(name=site.name))
    return site


def _select(world: TokenWorld, site: Resource, selectors: dict[str, str], *, legacy: bool) -> DirectoryObject:
    """The principal to issue for: the system identity without a selector, else the attached UAI chosen."""
    from azshell.model.errors import IdentityNotFoundError

    backend: Any = world.backend
    if not selectors:
        ids = backend.identities_of(site.id)
        if ids.system is None:
            raise AppServiceError(400, UNABLE_TO_LOAD_IDENTITY, legacy=legacy)
        system: DirectoryObject = ids.system
        return system
    try:
        found: DirectoryObject = world.backend.find_identity_for_token(site.id, **selectors)
    except IdentityNotFoundError:
        raise AppServiceError(400, NO_MSI_FOUND, legacy=legacy) from None
    return found


# ----------------------------------------------------------------------------------------------------- handler
def _token(request: Request, world: TokenWorld, site: Resource) -> Response:
    version = request.query_get("api-version")
    legacy = version == API_VERSION_2017
    if request.method != "GET":
        raise AppServiceError(405, METHOD_NOT_ALLOWED.format(method=request.method), legacy=legacy)
    if not version:
        raise AppServiceError(400, API_VERSION_MISSING, legacy=False, versioning_code=API_VERSION_UNSPECIFIED)
    if version not in API_VERSIONS:
        raise AppServiceError(400, API_VERSION_INVALID.format(uri=_request_uri(request), version=version),
                              legacy=False, versioning_code=API_VERSION_UNSUPPORTED)
    header_name = SECRET_HEADER if legacy else IDENTITY_HEADER
    sent = request.headers.get(header_name)
    if not sent:
        raise AppServiceError(400, HEADER_MISSING.format(header=header_name), legacy=legacy)
    if sent != identity_header(world, site):
        env = "MSI_SECRET" if legacy else ENV_IDENTITY_HEADER
        endpoint = "MSI_ENDPOINT" if legacy else "IDENTITY_ENDPOINT"
        problem = TokenProblem("identity_header", f"The {header_name} header is not this app's secret: send the "
                                                  f"value of $env:{env} (it changes when the app restarts).")
        fix = (f"Invoke-RestMethod \"$env:{endpoint}?resource={ARM_RESOURCE}&api-version={version}\" "
               f"-Headers @{{'{header_name}' = $env:{env}}}")
        request.decisions.append(token_decision("appservice", problem, fix=fix))
        raise AppServiceError(401, HEADER_INVALID.format(header=header_name), legacy=legacy)
    resources = request.query_all("resource")
    if len(resources) != 1 or not resources[0]:
        raise AppServiceError(400, RESOURCE_MISSING, legacy=legacy)
    resource = resources[0]
    selectors: dict[str, str] = {}
    if legacy:
        if request.query_get(SELECTOR_2017):
            selectors["client_id"] = str(request.query_get(SELECTOR_2017))
    else:
        given = [(name, v) for name in SELECTORS_2019 for v in request.query_all(name) if v]
        if len(given) > 1:
            raise AppServiceError(400, SELECTORS_CONFLICT, legacy=False)
        if given:
            selectors[SELECTORS_2019[given[0][0]]] = given[0][1]
    principal = _select(world, site, selectors, legacy=legacy)
    try:
        issued = world.tokens.issue_for_principal(principal=principal, resource=resource,
                                                  mi_res_id=principal.resource_id, kind="managed_identity",
                                                  source="appservice")
    except UnknownResourceError as exc:
        from azshell.services.entra.plane import unknown_resource_error

        aad = unknown_resource_error(exc, world.clock.now(), world.ids)
        problem = TokenProblem("unknown_resource", aad.message, found=resource)
        request.decisions.append(token_decision("appservice", problem))
        raise AppServiceError(500, AAD_TOKEN_FAILED, legacy=legacy) from None
    headers = _headers(world.ids.guid())
    if legacy:
        return Response.json(200, {
            "access_token": issued.access_token,
            "expires_on": _expires_on_text(issued.expires_on, linux=_is_linux(site)),
            "resource": issued.resource,
            "token_type": TOKEN_TYPE,
        }, headers)
    return Response.json(200, {
        "access_token": issued.access_token,
        "expires_on": str(issued.expires_on),
        "resource": issued.resource,
        "token_type": TOKEN_TYPE,
        "client_id": issued.client_id,
        "not_before": str(issued.not_before),
    }, headers)


def handle(request: Request, world: TokenWorld) -> Response:
    """Serve one request to ``localhost:4141`` as the app in ``request.caller.host_id``.

    Raises ``HostUnreachableError`` (connection refused) off an app, or on an app without a managed identity.
    """
    site = _host_site(request, world)
    try:
        if request.path.rstrip("/").casefold() != TOKEN_PATH.casefold():
            legacy = request.query_get("api-version") == API_VERSION_2017
            raise AppServiceError(404, NOT_FOUND.format(path=request.path), legacy=legacy)
        return _token(request, world, site)
    except AppServiceError as exc:
        return exc.render(world.ids.guid())
    except PlaneError as exc:
        return exc.to_response()
