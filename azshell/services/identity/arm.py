"""ARM hooks for ``Microsoft.ManagedIdentity/identities``: a resource's system-assigned identity.

``GET {scope}/providers/Microsoft.ManagedIdentity/identities/default`` (``azure-mgmt-msi``'s
``system_assigned_identities.get_by_scope``) answers the identity of the resource at ``{scope}`` as the
managed-identity provider shows it: ``tenantId``, ``principalId``, ``clientId`` (the service principal's
application id) and ``clientSecretUrl``. A scope without a system-assigned identity is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azshell.planes._shared import arm_error
from azshell.planes.base import Response
from azshell.services.identity.catalog import READ_SYSTEM_IDENTITY, SYSTEM_IDENTITY_TYPE

if TYPE_CHECKING:
    from azshell.planes.arm._context import ArmContext
    from azshell.planes.catalog import ResourceType

__all__ = ["extension", "system_identity_json"]

DEFAULT_NAME = "default"
NOT_FOUND = "NotFound"
#: INFERRED wording: the managed-identity provider's 404 for a scope whose resource has no system identity (no capture
#: found of GET {scope}/providers/Microsoft.ManagedIdentity/identities/default failing).
NO_SYSTEM_IDENTITY_TEMPLATE = "The resource '{scope}' does not have a system assigned identity."
#: INFERRED form of the identity's credential endpoint (``control-{region}.identity.azure.net``; no public capture of
#: a ``clientSecretUrl`` value found).
CLIENT_SECRET_URL_TEMPLATE = "https://control-{location}.identity.azure.net{scope}/credentials?tid={tid}&oid={oid}&aid={aid}"


def system_identity_json(scope: str, location: str, tenant_id: str, principal_id: str,
                         client_id: str) -> dict[str, Any]:
    """``SystemAssignedIdentity`` as ``GET {scope}/providers/Microsoft.ManagedIdentity/identities/default`` shows it."""
    return {
        "id": f"{scope}/providers/{SYSTEM_IDENTITY_TYPE}/{DEFAULT_NAME}",
        "name": DEFAULT_NAME,
        "type": SYSTEM_IDENTITY_TYPE,
        "location": location,
        "tags": {},
        "properties": {
            "tenantId": tenant_id,
            "principalId": principal_id,
            "clientId": client_id,
            "clientSecretUrl": CLIENT_SECRET_URL_TEMPLATE.format(location=location, scope=scope, tid=tenant_id,
                                                                 oid=principal_id, aid=client_id),
        },
    }


def extension(ctx: ArmContext, rtype: ResourceType, scope: str) -> Response:
    """``{scope}/providers/Microsoft.ManagedIdentity/identities/default``: GET only."""
    if ctx.method not in ("GET", "HEAD"):
        raise ctx.method_not_allowed()
    ctx.check_version(rtype.api)
    target = f"{scope}/providers/{SYSTEM_IDENTITY_TYPE}/{DEFAULT_NAME}"
    ctx.require(READ_SYSTEM_IDENTITY, target)
    not_found = arm_error(404, NOT_FOUND, NO_SYSTEM_IDENTITY_TEMPLATE.format(scope=scope))
    if [n.lower() for n in ctx.path.names] != [DEFAULT_NAME]:
        raise not_found
    res = ctx.world.store.get_resource(scope)
    ident = res.identity if res is not None else None
    if res is None or ident is None or not ident.has_system or not ident.principal_id:
        raise not_found
    sp = ctx.world.store.get_directory_object(ident.principal_id)
    client_id = (sp.app_id if sp is not None else None) or ident.principal_id
    doc = system_identity_json(res.id, res.location, ident.tenant_id or ctx.world.tenant_id, ident.principal_id,
                               client_id)
    return Response.json(200, doc)
