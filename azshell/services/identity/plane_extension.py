"""``localhost:50342/oauth2/token``: the 2017 Managed Identity VM extension's token endpoint.

It answers only on a VM that has the ``ManagedIdentityExtensionForWindows``/``ForLinux`` extension (publisher
``Microsoft.ManagedIdentity``), on the port of its settings (``{"port": 50342}``); anywhere else nothing listens
and the connection is refused (``HostUnreachableError``). GET with a query string and POST with a form body
(``curl --data "resource=..."``) both work; ``Metadata: true`` is required; ``client_id`` picks a
user-assigned identity. Bodies and errors follow the 2017 doc (msi-tutorials-and-token-endpoints.md §3.1):
every number a string, ``refresh_token`` empty, errors ``{"error", "error_description"}``.
"""

from __future__ import annotations

from typing import Any

from azshell.auth.errors import UnknownResourceError
from azshell.hostnames import IMDS_HOST, MSI_EXTENSION_PORT
from azshell.model.errors import IdentityNotFoundError
from azshell.model.types import VM_EXTENSION_TYPE, Resource
from azshell.planes.base import HostUnreachableError, PlaneError, Request, Response
from azshell.services.entra.plane import OAuthError, TokenWorld
from azshell.services.identity.plane import HOST_VM_TYPES, identity_holder

__all__ = ["extension_port", "handle"]

# ------------------------------------------------------------------------------------------- routes (as data)
TOKEN_PATH = "/oauth2/token"

# ------------------------------------------------------------------------------------------------ Azure strings
EXTENSION_PUBLISHER = "Microsoft.ManagedIdentity"
EXTENSION_TYPE_WINDOWS = "ManagedIdentityExtensionForWindows"
EXTENSION_TYPE_LINUX = "ManagedIdentityExtensionForLinux"
EXTENSION_TYPES = frozenset({EXTENSION_TYPE_WINDOWS.lower(), EXTENSION_TYPE_LINUX.lower()})
METADATA_HEADER = "Metadata"
METADATA_HEADER_VALUE = "true"
JSON_CONTENT_TYPE = "application/json"

BAD_REQUEST_102 = "bad_request_102"
METADATA_HEADER_MISSING = "Required metadata header not specified"
UNKNOWN_SOURCE = "unknown_source"
UNKNOWN_SOURCE_TEMPLATE = "Unknown Source {uri}"
INVALID_REQUEST = "invalid_request"
INVALID_REQUEST_TEXT = (
    "The request is missing a required parameter, includes an invalid parameter value, includes a parameter "
    "more than once, or is otherwise malformed."
)
UNAUTHORIZED_CLIENT = "unauthorized_client"
UNAUTHORIZED_CLIENT_TEXT = "The client is not authorized to request an access token using this method."
INVALID_RESOURCE = "invalid_resource"
#: The 2017 doc's Linux text (note AADSTS50001, the code of that era).
AADSTS50001_TEMPLATE = (
    "AADSTS50001: The application named {resource} was not found in the tenant named {tenant}. This can happen "
    "if the application has not been installed by the administrator of the tenant or consented to by any user in "
    "the tenant. You might have sent your authentication request to the wrong tenant."
)
UNKNOWN_ERROR = "unknown"
UNKNOWN_ERROR_TEMPLATE = "Failed to retrieve token from the Active directory. For details see logs in {path}"
#: Where the Windows extension logs: the folder is SEEN (Azure/azure-diskinspect-service
#: ``pyServer/manifests/windows/diagnostic`` collects ``/WindowsAzure/Logs/Plugins/Microsoft.ManagedIdentity.
#: ManagedIdentityExtensionForWindows/*/``); the version folder and file name are INFERRED (no capture found).
WINDOWS_LOG_PATH = (
    r"C:\WindowsAzure\Logs\Plugins\Microsoft.ManagedIdentity.ManagedIdentityExtensionForWindows\1.0.0.10"
    r"\ManagedIdentityExtension.log"
)
REFUSED_MESSAGE = "No connection could be made because the target machine actively refused it. ({authority})"
OFF_HOST_HINT = (
    "localhost:{port} is the 2017 managed-identity VM extension, which only listens inside a VM that has it. You are "
    "not on a VM: step onto one with Enter-AzVM -ResourceGroupName <rg> -Name <vm>."
)
NO_EXTENSION_HINT = (
    "Nothing listens on localhost:{port} on {vm}: the VM has no ManagedIdentityExtension{os} on that port. "
    f"Enable-Msi installs it (port {MSI_EXTENSION_PORT}); current VMs use IMDS at {IMDS_HOST} instead."
)


def _is_msi_extension(res: Resource) -> bool:
    props = res.properties
    ext_type = str(props.get("type") or "").lower()
    publisher = str(props.get("publisher") or "").lower()
    return (res.type.lower() == VM_EXTENSION_TYPE.lower() and publisher == EXTENSION_PUBLISHER.lower()
            and ext_type in EXTENSION_TYPES)


def _port_of(props: dict[str, Any]) -> int:
    settings = props.get("settings") or {}
    try:
        return int(settings.get("port", MSI_EXTENSION_PORT)) if isinstance(settings, dict) else MSI_EXTENSION_PORT
    except (TypeError, ValueError):
        return MSI_EXTENSION_PORT


def _profile_extensions(holder: Resource) -> list[dict[str, Any]]:
    """A scale set's ``virtualMachineProfile.extensionProfile.extensions[*].properties``."""
    profile = holder.properties.get("virtualMachineProfile") if isinstance(holder.properties, dict) else None
    ext_profile = profile.get("extensionProfile") if isinstance(profile, dict) else None
    items = ext_profile.get("extensions") if isinstance(ext_profile, dict) else None
    return [e["properties"] for e in (items if isinstance(items, list) else [])
            if isinstance(e, dict) and isinstance(e.get("properties"), dict)]


def extension_port(world: TokenWorld, vm_id: str) -> tuple[int, str] | None:
    """The port the host's MSI extension listens on and its type name, or None when it has none.

    A VM's extension is its child resource; a scale-set instance's is in its scale set's extension profile.
    """
    host = world.store.get_resource(vm_id)
    holder = identity_holder(world, host) if host is not None else None
    if host is not None and holder is not None and holder.id != host.id:
        for props in _profile_extensions(holder):
            if str(props.get("publisher") or "").lower() == EXTENSION_PUBLISHER.lower() \
                    and str(props.get("type") or "").lower() in EXTENSION_TYPES:
                return _port_of(props), str(props.get("type"))
        return None
    for child in world.store.list_child_resources(vm_id):
        if _is_msi_extension(child):
            return _port_of(child.properties), str(child.properties.get("type"))
    return None


def _error(status: int, code: str, text: str) -> OAuthError:
    return OAuthError(status, code, text, headers={"Content-Type": JSON_CONTENT_TYPE})


def _params(request: Request) -> list[tuple[str, str]]:
    """Query parameters, plus the form body on POST (``curl --data``)."""
    return list(request.query) + (request.form() if request.method == "POST" else [])


def _token(request: Request, world: TokenWorld, vm: Resource, ext_type: str) -> Response:
    if request.headers.get(METADATA_HEADER) != METADATA_HEADER_VALUE:
        raise _error(400, BAD_REQUEST_102, METADATA_HEADER_MISSING)
    if request.method not in ("GET", "POST"):
        raise _error(400, INVALID_REQUEST, INVALID_REQUEST_TEXT)
    params = _params(request)
    resources = [v for k, v in params if k == "resource"]
    client_ids = [v for k, v in params if k == "client_id"]
    if len(resources) != 1 or not resources[0] or len(client_ids) > 1:
        raise _error(400, INVALID_REQUEST, INVALID_REQUEST_TEXT)
    resource = resources[0]
    try:
        principal = world.backend.find_identity_for_token(identity_holder(world, vm).id,
                                                          client_id=client_ids[0] if client_ids else None)
    except IdentityNotFoundError:
        raise _error(400, UNAUTHORIZED_CLIENT, UNAUTHORIZED_CLIENT_TEXT) from None
    try:
        issued = world.tokens.issue_for_principal(principal=principal, resource=resource,
                                                  mi_res_id=principal.resource_id, kind="managed_identity",
                                                  source="msi_extension")
    except UnknownResourceError as exc:
        if ext_type.lower() == EXTENSION_TYPE_LINUX.lower():
            raise _error(400, INVALID_RESOURCE,
                         AADSTS50001_TEMPLATE.format(resource=exc.resource, tenant=exc.tenant)) from None
        raise _error(500, UNKNOWN_ERROR, UNKNOWN_ERROR_TEMPLATE.format(path=WINDOWS_LOG_PATH)) from None
    body: dict[str, Any] = {
        "access_token": issued.access_token,
        "refresh_token": "",
        "expires_in": str(issued.expires_in),
        "expires_on": str(issued.expires_on),
        "not_before": str(issued.not_before),
        "resource": issued.resource,
        "token_type": issued.token_type,
    }
    return Response.json(200, body, {"Content-Type": JSON_CONTENT_TYPE})


def handle(request: Request, world: TokenWorld) -> Response:
    """Serve one request to ``localhost:<port>`` as the VM in ``request.caller.host_id``.

    Raises ``HostUnreachableError`` (connection refused) off-host, on a host without the extension, or on a port
    other than the extension's.
    """
    port = request.port or 80
    authority = f"{request.host}:{port}"
    vm_id = request.caller.host_id
    if vm_id is None:
        raise HostUnreachableError(request.host, port, REFUSED_MESSAGE.format(authority=authority),
                                   OFF_HOST_HINT.format(port=port))
    vm = world.store.get_resource(vm_id)
    found = extension_port(world, vm.id) if vm is not None and vm.type.lower() in HOST_VM_TYPES else None
    if vm is None or found is None or found[0] != port:
        os_name = "ForLinux" if found and found[1].lower().endswith("linux") else "ForWindows"
        raise HostUnreachableError(request.host, port, REFUSED_MESSAGE.format(authority=authority),
                                   NO_EXTENSION_HINT.format(port=port, vm=vm.name if vm else vm_id, os=os_name))
    try:
        if request.path.rstrip("/") != TOKEN_PATH:
            uri = f"{request.scheme}://{authority}{request.raw_path}"
            raise _error(401, UNKNOWN_SOURCE, UNKNOWN_SOURCE_TEMPLATE.format(uri=uri))
        return _token(request, world, vm, found[1])
    except PlaneError as exc:
        return exc.to_response()
