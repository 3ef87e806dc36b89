"""ARM hooks for ``Microsoft.DataLakeStore/accounts`` (Data Lake Store Gen1).

``prepare`` validates the name (3-24 lower-case letters and digits, unique across Azure) and fills the
properties ADLS returns (``endpoint``, ``accountId``, ``state``, encryption, firewall, tiers, times);
``after_write`` creates the store's root folder ``/`` owned by the creator (owner and owning group are the
creator's object ID, permission 770), as ADLS does.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from azshell.hostnames import DATA_LAKE_HOST_SUFFIX
from azshell.model.types import DATA_LAKE_STORE_TYPE
from azshell.planes._shared import arm_error, format_iso
from azshell.services.datalake import model as dl

if TYPE_CHECKING:
    from azshell.model.types import Resource
    from azshell.planes.arm._context import ArmContext
    from azshell.planes.catalog import ResourceType

__all__ = ["after_write", "prepare", "render"]

STATE_ACTIVE = "Active"
ENCRYPTION_ENABLED = "Enabled"
ENCRYPTION_SERVICE_MANAGED = "ServiceManaged"
DISABLED = "Disabled"
TIER_CONSUMPTION = "Consumption"
SUCCEEDED = "Succeeded"
#: the creator's object ID, kept for the root folder (not shown by ARM)
CREATOR_PROPERTY = "defaultGroup"

INVALID_ACCOUNT_NAME = "InvalidAccountName"
#: INFERRED wording (ADLS's name rule: 3 to 24 lower-case letters and digits; no capture found of
#: Microsoft.DataLakeStore's answer).
INVALID_ACCOUNT_NAME_TEMPLATE = (
    "The account name '{name}' is invalid. Account names must be between 3 and 24 characters in length and use "
    "numbers and lower-case letters only."
)
ACCOUNT_NAME_EXISTS = "AccountNameAlreadyExists"
#: INFERRED wording (no capture found).
ACCOUNT_NAME_EXISTS_TEMPLATE = "The account name '{name}' is already in use."

_NAME_RE = re.compile(r"^[a-z0-9]{3,24}$")


def endpoint_of(name: str) -> str:
    """``mytestadls`` → ``mytestadls.azuredatalakestore.net``."""
    return f"{name.lower()}{DATA_LAKE_HOST_SUFFIX}"


def prepare(ctx: ArmContext, rtype: ResourceType, body: dict[str, Any], existing: Resource | None,
            properties: dict[str, Any]) -> dict[str, Any]:
    """The properties to store for a PUT/PATCH of a Data Lake store."""
    name = ctx.path.names[-1]
    if existing is None:
        if not _NAME_RE.match(name):
            raise arm_error(400, INVALID_ACCOUNT_NAME, INVALID_ACCOUNT_NAME_TEMPLATE.format(name=name))
        for other in ctx.world.store.list_resources(type=DATA_LAKE_STORE_TYPE):
            if other.name.lower() == name.lower():
                raise arm_error(409, ACCOUNT_NAME_EXISTS, ACCOUNT_NAME_EXISTS_TEMPLATE.format(name=name))
    now = format_iso(ctx.world.clock.now())
    old = dict(existing.properties) if existing is not None else {}
    props = dict(properties)
    for key in ("endpoint", "accountId", "state", "creationTime", "currentTier", CREATOR_PROPERTY,
                "encryptionProvisioningState"):
        props.pop(key, None)
    defaults: dict[str, Any] = {
        "firewallState": DISABLED,
        "firewallAllowAzureIps": DISABLED,
        "firewallRules": [],
        "virtualNetworkRules": [],
        "trustedIdProviderState": DISABLED,
        "trustedIdProviders": [],
        "encryptionState": ENCRYPTION_ENABLED,
        "encryptionConfig": {"type": ENCRYPTION_SERVICE_MANAGED},
        "newTier": TIER_CONSUMPTION,
    }
    merged = {**defaults, **old, **props}
    merged["endpoint"] = endpoint_of(name)
    merged["accountId"] = old.get("accountId") or ctx.world.ids.guid()
    merged["state"] = STATE_ACTIVE
    merged["creationTime"] = old.get("creationTime") or now
    merged["lastModifiedTime"] = now
    merged["currentTier"] = merged.get("newTier") or TIER_CONSUMPTION
    merged["encryptionProvisioningState"] = SUCCEEDED
    merged[CREATOR_PROPERTY] = old.get(CREATOR_PROPERTY) or ctx.caller.oid
    return merged


def after_write(ctx: ArmContext, rtype: ResourceType, saved: Resource) -> None:
    """Create the root folder ``/`` (owner and owning group: the creator; permission 770)."""
    props = saved.properties
    store_id = str(props.get("accountId") or "")
    creator = str(props.get(CREATOR_PROPERTY) or ctx.caller.oid)
    if store_id:
        dl.create_root(ctx.world.store, store_id=store_id, owner=creator, group=creator,
                       now_ms=int(ctx.world.clock.now() * 1000))


def render(ctx: ArmContext, res: Resource, doc: dict[str, Any]) -> dict[str, Any]:
    """ARM's JSON for a store: the stored properties, in ADLS's order, ``provisioningState`` included."""
    props = dict(doc.get("properties") or {})
    props.setdefault("provisioningState", SUCCEEDED)
    props.setdefault("state", STATE_ACTIVE)
    props.setdefault("endpoint", endpoint_of(res.name))
    doc["properties"] = props
    return doc
