"""``169.254.169.254``: the Azure Instance Metadata Service, for the VM the caller stands on.

Routes::

    GET /metadata/identity/oauth2/token   managed-identity tokens (api-version >= 2018-02-01)
    GET /metadata/instance[/compute[/<field>]]   compute metadata (name, resourceGroupName, vmId, ...)

Checks of the token endpoint, in order (each answered with IMDS's own body, azure-error-messages.md §5a):
off-host → ``HostUnreachableError``; ``X-Forwarded-For`` → 400 XML ``InvalidHeaderValue``; ``Metadata`` not
exactly ``true`` → 400 ``Required metadata header not specified``; method not GET → 405; api-version missing or
unknown → 400 ``Bad request. api-version ...``; ``resource`` missing → 400; more than one of ``client_id``,
``object_id``, ``msi_res_id`` → 400; identity not on this VM → 400 ``Identity not found``; unknown resource →
400 ``invalid_resource`` AADSTS500011. Success numbers are JSON strings, as real IMDS sends them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from azshell.auth.errors import UnknownResourceError
from azshell.hostnames import IMDS_HOST
from azshell.model.errors import IdentityNotFoundError
from azshell.model.types import VM_TYPE, VMSS_VM_TYPE, Resource
from azshell.planes.base import HostUnreachableError, PlaneError, Request, Response
from azshell.services.entra.plane import INVALID_REQUEST, OAuthError, TokenWorld, unknown_resource_error

__all__ = ["HOST_VM_TYPES", "handle", "identity_holder", "token_body"]

# ------------------------------------------------------------------------------------------- routes (as data)
TOKEN_PATH = "/metadata/identity/oauth2/token"
INSTANCE_PATH = "/metadata/instance"

# ------------------------------------------------------------------------------------------------ Azure strings
IMDS_SERVER_HEADER = "IMDS/150.870.65.1036"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
XML_CONTENT_TYPE = "application/xml; charset=utf-8"
METADATA_HEADER = "Metadata"
METADATA_HEADER_VALUE = "true"
FORWARDED_FOR_HEADER = "X-Forwarded-For"

METADATA_HEADER_MISSING = "Required metadata header not specified"
#: The instance endpoint words it as a bare ``error`` string.
INSTANCE_METADATA_HEADER_MISSING = "Bad request. Required metadata header not specified"
IDENTITY_NOT_FOUND = "Identity not found"
#: No selector while the VM has no system identity and two or more user-assigned ones (SEEN: issue 14's capture).
MULTIPLE_USER_ASSIGNED = ("Multiple user assigned identities exist, please specify the clientId / resourceId of the "
                          "identity in the token request")
RESOURCE_MISSING = "Required query variable 'resource' is missing"
#: RFC 6749 ``invalid_request`` text the IMDS doc lists (used for conflicting identity selectors).
INVALID_REQUEST_TEXT = (
    "The request is missing a required parameter, includes an invalid parameter value, includes a parameter "
    "more than once, or is otherwise malformed."
)
API_VERSION_MISSING = (
    "Bad request. api-version was not specified in the request. For more information refer to aka.ms/azureimds"
)
API_VERSION_INVALID = "Bad request. api-version is invalid or was not specified in the request."
METHOD_NOT_ALLOWED = "Bad request. Method not allowed."
#: The token endpoint's ``IdentityErrorResponse`` codes for those (the IMDS spec's enum).
IDENTITY_BAD_REQUEST = "bad_request"
IDENTITY_METHOD_NOT_ALLOWED = "method_not_allowed"
NOT_FOUND = "Not found"
#: ``/metadata/identity`` itself answers with a capital F (MicrosoftDocs/azure-docs#15282).
IDENTITY_NOT_FOUND_PATH = "Not Found"
#: X-Forwarded-For refusal, verbatim (XML, as IMDS sends it through a proxy).
FORWARDED_FOR_REFUSED_XML = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<Error xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n'
    "    <Code>InvalidHeaderValue</Code>\n"
    "    <Message>The value provided for one of the HTTP headers was not in the correct format.</Message>\n"
    "    <Details>Header contains 'X-Forwarded-For' are not supported.</Details>\n"
    "</Error>"
)
UNREACHABLE_MESSAGE = "Unable to connect to the remote server"
UNREACHABLE_HINT = (
    f"{IMDS_HOST} is the Instance Metadata Service, reachable only from inside an Azure VM. You are not on a "
    "VM: step onto one with Enter-AzVM -ResourceGroupName <rg> -Name <vm>."
)
NOT_A_VM_HINT = "{host} is not a virtual machine, so it has no Instance Metadata Service. Use Enter-AzVM."

#: IMDS api-versions (oldest first); the identity endpoint needs 2018-02-01 or later.
IMDS_API_VERSIONS: tuple[str, ...] = (
    "2017-03-01", "2017-04-02", "2017-08-01", "2017-10-01", "2017-12-01", "2018-02-01", "2018-04-02",
    "2018-10-01", "2019-02-01", "2019-03-11", "2019-04-30", "2019-06-01", "2019-06-04", "2019-08-01",
    "2019-08-15", "2019-11-01", "2020-06-01", "2020-07-15", "2020-09-01", "2020-10-01", "2020-12-01",
    "2021-01-01", "2021-02-01", "2021-03-01", "2021-05-01", "2021-08-01", "2021-10-01", "2021-11-01",
    "2021-11-15", "2021-12-13", "2022-02-01", "2022-03-01", "2022-05-01", "2022-07-01", "2022-08-01",
    "2022-09-01", "2023-07-01", "2023-11-15", "2024-03-15",
)
IDENTITY_MIN_API_VERSION = "2018-02-01"
NEWEST_VERSIONS: list[str] = list(reversed(IMDS_API_VERSIONS[-3:]))
IDENTITY_SELECTORS: tuple[str, ...] = ("client_id", "object_id", "msi_res_id")


# ------------------------------------------------------------------------------------------------------ errors
class ImdsError(PlaneError):
    """An IMDS instance-endpoint error: ``{"error": "<text>"}`` (plus ``newest-versions`` for api-version).

    With ``identity_code`` it is the token endpoint's ``IdentityErrorResponse`` of the IMDS spec
    (azure-rest-api-specs ``specification/imds/…/imds.json``: ``{"error": <code>, "error_description": <text>}``,
    the code one of its enum: ``bad_request``, ``method_not_allowed``…); which code IMDS picks for the api-version
    and method errors, and that it keeps the instance endpoint's texts, is INFERRED (no capture found: searched
    SDK/docs issues for the token endpoint's 405 and api-version answers; the only report, MicrosoftDocs/azure-docs
    issue 112538, quotes "Invalid 'api-version' requested" without its body or endpoint).
    """

    def __init__(self, status: int, text: str, *, newest_versions: bool = False,
                 identity_code: str | None = None) -> None:
        super().__init__(status, text, text, headers={"Server": IMDS_SERVER_HEADER})
        self.newest_versions = newest_versions
        self.identity_code = identity_code

    def to_response(self) -> Response:
        body: dict[str, Any] = {"error": self.message}
        if self.identity_code is not None:
            body = {"error": self.identity_code, "error_description": self.message}
        if self.newest_versions:
            body["newest-versions"] = NEWEST_VERSIONS
        return Response.json(self.status, body, {"Server": IMDS_SERVER_HEADER, "Content-Type": JSON_CONTENT_TYPE})


def _invalid_request(text: str) -> OAuthError:
    return OAuthError(400, INVALID_REQUEST, text,
                      headers={"Server": IMDS_SERVER_HEADER, "Content-Type": JSON_CONTENT_TYPE})


def _forwarded_refused() -> Response:
    r = Response.text(400, FORWARDED_FOR_REFUSED_XML, XML_CONTENT_TYPE)
    r.headers.set("Server", IMDS_SERVER_HEADER)
    return r


# ----------------------------------------------------------------------------------------------------- helpers
#: The host VM and the identity each selector picks are read from several rows on every token request; they
#: depend only on the stored state, so they are kept in the world's generation cache (emptied by any committed
#: write, from any process).
_LOOKUPS_CACHE = "identity.imds.lookups"
_LOOKUPS_MAX = 4096
_NOT_FOUND = object()


def _lookups(world: TokenWorld) -> dict[tuple[str | None, ...], object] | None:
    """This request's view of the lookup cache; None (no caching) for a world without a generation cache."""
    cache_of = getattr(world, "generation_cache", None)
    if not callable(cache_of):
        return None
    table: dict[tuple[str | None, ...], object] = cache_of(_LOOKUPS_CACHE)
    return table


def _remember(table: dict[tuple[str | None, ...], object], key: tuple[str | None, ...],
              compute: Callable[[], object]) -> object:
    try:
        return table[key]
    except KeyError:
        pass
    value = compute()
    if len(table) < _LOOKUPS_MAX:
        table[key] = value
    return value


def _host_vm(request: Request, world: TokenWorld,
             table: dict[tuple[str | None, ...], object] | None = None) -> Resource:
    """The VM answering 169.254.169.254 for this caller, or ``HostUnreachableError``."""
    host_id = request.caller.host_id
    if host_id is None:
        raise HostUnreachableError(request.host, request.port, UNREACHABLE_MESSAGE, UNREACHABLE_HINT)
    if table is None:
        vm = world.store.get_resource(host_id)
    else:
        found = _remember(table, ("host", host_id), lambda: world.store.get_resource(host_id))
        vm = found if isinstance(found, Resource) else None
    if vm is None or vm.type.lower() not in HOST_VM_TYPES:
        raise HostUnreachableError(request.host, request.port, UNREACHABLE_MESSAGE,
                                   NOT_A_VM_HINT.format(host=host_id))
    return vm


#: The hosts that have an Instance Metadata Service: VMs and scale-set instances.
HOST_VM_TYPES = frozenset({VM_TYPE.lower(), VMSS_VM_TYPE.lower()})


def identity_holder(world: TokenWorld, host: Resource) -> Resource:
    """The resource whose managed identities ``host`` has: a VM its own; a scale-set instance its scale set's."""
    if host.type.lower() == VMSS_VM_TYPE.lower():
        parent = world.store.get_resource(host.id.rsplit("/", 2)[0])
        if parent is not None:
            return parent
    return host


def _check_api_version(request: Request, *, minimum: str | None, identity: bool = False) -> None:
    version = request.query_get("api-version")
    code = IDENTITY_BAD_REQUEST if identity else None
    if version is None or version == "":
        raise ImdsError(400, API_VERSION_MISSING, newest_versions=True, identity_code=code)
    if version not in IMDS_API_VERSIONS or (minimum is not None and version < minimum):
        raise ImdsError(400, API_VERSION_INVALID, newest_versions=True, identity_code=code)


def token_body(issued: Any) -> dict[str, str]:
    """IMDS's success body: every number a string (``IssuedToken`` in, JSON-able dict out)."""
    return {
        "access_token": issued.access_token,
        "client_id": issued.client_id,
        "expires_in": str(issued.expires_in),
        "expires_on": str(issued.expires_on),
        "ext_expires_in": str(issued.ext_expires_in),
        "not_before": str(issued.not_before),
        "resource": issued.resource,
        "token_type": issued.token_type,
    }


# ----------------------------------------------------------------------------------------------------- handlers
def _find_identity(world: TokenWorld, vm: Resource, chosen: dict[str, str],
                   table: dict[tuple[str | None, ...], object] | None) -> Any:
    """``find_identity_for_token`` through the lookup cache; raises ``IdentityNotFoundError`` like it."""
    def find() -> object:
        try:
            return world.backend.find_identity_for_token(
                vm.id, client_id=chosen.get("client_id"), object_id=chosen.get("object_id"),
                mi_res_id=chosen.get("msi_res_id"))
        except IdentityNotFoundError as exc:  # kept as data: re-raising one instance would grow its traceback
            return (_NOT_FOUND, str(exc), exc.reason)

    if table is None:
        found = find()
    else:
        key = ("identity", vm.id, chosen.get("client_id"), chosen.get("object_id"), chosen.get("msi_res_id"))
        found = _remember(table, key, find)
    if isinstance(found, tuple) and found[0] is _NOT_FOUND:
        raise IdentityNotFoundError(found[1], reason=found[2])
    return found


def _token(request: Request, world: TokenWorld, vm: Resource,
           table: dict[tuple[str | None, ...], object] | None = None) -> Response:
    if request.headers.get(METADATA_HEADER) != METADATA_HEADER_VALUE:
        raise _invalid_request(METADATA_HEADER_MISSING)
    if request.method != "GET":
        raise ImdsError(405, METHOD_NOT_ALLOWED, identity_code=IDENTITY_METHOD_NOT_ALLOWED)
    _check_api_version(request, minimum=IDENTITY_MIN_API_VERSION, identity=True)
    resource = request.query_get("resource")
    if not resource:
        raise _invalid_request(RESOURCE_MISSING)
    chosen = {name: v for name in IDENTITY_SELECTORS if (v := request.query_get(name))}
    if len(chosen) > 1 or any(len(request.query_all(n)) > 1 for n in IDENTITY_SELECTORS + ("resource",)):
        raise _invalid_request(INVALID_REQUEST_TEXT)
    holder = identity_holder(world, vm)
    try:
        principal = _find_identity(world, holder, chosen, table)
    except IdentityNotFoundError:
        ident = holder.identity
        if not chosen and ident is not None and not ident.has_system and len(ident.user_assigned) > 1:
            raise _invalid_request(MULTIPLE_USER_ASSIGNED) from None
        raise _invalid_request(IDENTITY_NOT_FOUND) from None
    try:
        issued = world.tokens.issue_for_principal(principal=principal, resource=resource,
                                                  mi_res_id=principal.resource_id, kind="managed_identity",
                                                  source="imds")
    except UnknownResourceError as exc:
        err = unknown_resource_error(exc, world.clock.now(), world.ids)
        err.headers["Server"] = IMDS_SERVER_HEADER
        raise err from None
    return Response.json(200, token_body(issued), {"Server": IMDS_SERVER_HEADER, "Content-Type": JSON_CONTENT_TYPE})


def _compute(world: TokenWorld, vm: Resource) -> dict[str, Any]:
    props = vm.properties
    hw = props.get("hardwareProfile") or {}
    os_profile = props.get("osProfile") or {}
    storage = props.get("storageProfile") or {}
    os_disk = storage.get("osDisk") or {}
    tags = vm.tags or {}
    name, scale_set = vm.name, ""
    if vm.type.lower() == VMSS_VM_TYPE.lower():  # a scale-set instance: "{ss}_{id}", with vmScaleSetName
        scale_set = vm.id.rsplit("/", 3)[-3]
        name = f"{scale_set}_{vm.name}"
    return {
        "azEnvironment": "AzurePublicCloud",
        "location": vm.location,
        "name": name,
        "osType": str(os_disk.get("osType") or "Windows"),
        "resourceGroupName": vm.resource_group,
        "resourceId": vm.id,
        "subscriptionId": vm.subscription_id,
        "tags": ";".join(f"{k}:{v}" for k, v in tags.items()),
        "tagsList": [{"name": k, "value": v} for k, v in tags.items()],
        "vmId": str(props.get("vmId") or uuid.uuid5(uuid.NAMESPACE_URL, vm.id.lower())),
        "vmSize": str(hw.get("vmSize") or "Standard_DS1_v2"),
        "computerName": str(os_profile.get("computerName") or vm.name),
        "vmScaleSetName": scale_set,
        "zone": "",
    }


def _instance(request: Request, world: TokenWorld, vm: Resource) -> Response:
    headers = {"Server": IMDS_SERVER_HEADER}
    if request.headers.get(METADATA_HEADER) != METADATA_HEADER_VALUE:
        raise ImdsError(400, INSTANCE_METADATA_HEADER_MISSING)
    if request.method != "GET":
        raise ImdsError(405, METHOD_NOT_ALLOWED)
    _check_api_version(request, minimum=None)
    parts = [p for p in request.path[len(INSTANCE_PATH):].split("/") if p]
    compute = _compute(world, vm)
    doc: Any = {"compute": compute, "network": {"interface": []}}
    for p in parts:
        if not isinstance(doc, dict) or p not in doc:
            raise ImdsError(404, NOT_FOUND)
        doc = doc[p]
    if request.query_get("format") == "text":
        if isinstance(doc, dict | list):
            raise ImdsError(400, "Bad request. Text format is only supported for leaf nodes.")
        r = Response.text(200, str(doc))
        r.headers.set("Server", IMDS_SERVER_HEADER)
        return r
    return Response.json(200, doc, headers)


def handle(request: Request, world: TokenWorld) -> Response:
    """Serve one request to 169.254.169.254 as the VM in ``request.caller.host_id``.

    Raises ``HostUnreachableError`` off-host (no VM in context): the address does not answer off Azure.
    """
    path = request.path.rstrip("/") or "/"
    table = _lookups(world) if path == TOKEN_PATH else None
    vm = _host_vm(request, world, table)
    if request.headers.get(FORWARDED_FOR_HEADER) is not None:
        return _forwarded_refused()
    try:
        if path == TOKEN_PATH:
            return _token(request, world, vm, table)
        if path == INSTANCE_PATH or path.startswith(INSTANCE_PATH + "/"):
            return _instance(request, world, vm)
        if path.startswith("/metadata/identity"):
            raise ImdsError(404, IDENTITY_NOT_FOUND_PATH)
        raise ImdsError(404, NOT_FOUND)
    except PlaneError as exc:
        return exc.to_response()
