"""ARM hooks for ``Microsoft.Compute/virtualMachineScaleSets`` and their instances.

A scale set is stored as the generic handler stores any resource (its ``identity`` — system-assigned,
user-assigned or both, with ``principalId``/``tenantId`` — is the generic identity block, so its service principal
appears in the directory like a VM's). These hooks add what the Compute resource provider shows and does:

* ``sku`` (``name``/``tier``/``capacity``) with a default when the body has none, and ``properties`` defaults
  (``upgradePolicy``, ``uniqueId``, ``timeCreated``, ``overprovision``, ``singlePlacementGroup``);
  ``virtualMachineProfile`` (``osProfile``, ``storageProfile``, ``extensionProfile.extensions`` — where a
  template puts ``ManagedIdentityExtensionForWindows`` with ``settings.port``) is kept as sent.
* after every write, the instances ``…/virtualMachineScaleSets/{ss}/virtualMachines/{0..capacity-1}``: created when
  the capacity grows, deleted when it shrinks (``GET …/virtualMachines`` lists them, ``…/virtualMachines/0``
  reads one). An instance has the scale set's identities: on it, IMDS (and the 2017 extension endpoint when the
  scale set's extension profile has the MSI extension) answers for the scale set's identities.
* an instance renders as ARM shows a ``VirtualMachineScaleSetVM``: ``name`` ``{ss}_{id}``, ``instanceId``,
  ``sku`` of its scale set, ``properties.latestModelApplied``, ``osProfile.computerName``.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from azshell.model.types import VMSS_TYPE, VMSS_VM_TYPE
from azshell.planes._shared import arm_error

if TYPE_CHECKING:
    from azshell.model.types import Resource
    from azshell.planes.arm._context import ArmContext
    from azshell.planes.catalog import ResourceType

__all__ = ["DEFAULT_SKU", "after_write", "capacity_of", "instance_name", "prepare", "render", "scale_set_extensions"]

#: What a scale set without ``sku`` gets (INFERRED, no capture found: ARM's default when a template omits ``sku``; az's default VM
#: size and instance count are the same).
DEFAULT_SKU: dict[str, Any] = {"name": "Standard_DS1_v2", "tier": "Standard", "capacity": 2}
MAX_CAPACITY = 1000
#: Compute RP's answer to a capacity out of range (INFERRED wording, Compute's ``InvalidParameter`` shape; no capture
#: found of Compute's text for sku.capacity out of range).
INVALID_PARAMETER = "InvalidParameter"
CAPACITY_RANGE_TEMPLATE = ("The value {value} of parameter 'sku.capacity' is out of range. The value must be between "
                           f"0 and {MAX_CAPACITY}, inclusive.")
#: PUT on an instance that the scale set does not have: Compute's 404 for a scale-set instance it does not know (SEEN
#: word for word from ``VirtualMachineScaleSetsClient#UpdateInstances``: openshift/openshift-azure issue 1540,
#: ``Code="NotFound" Message="The entity was not found in this Azure location."``).
INSTANCE_NOT_FOUND = "NotFound"
INSTANCE_NOT_FOUND_MESSAGE = "The entity was not found in this Azure location."
DEFAULT_UPGRADE_POLICY: dict[str, Any] = {"mode": "Manual"}


def _is(rtype_name: str, wanted: str) -> bool:
    return rtype_name.casefold() == wanted.casefold()


def capacity_of(sku: Any) -> int:
    """The instance count a scale set's ``sku`` asks for (the default when absent)."""
    if isinstance(sku, dict) and sku.get("capacity") is not None:
        try:
            return int(sku["capacity"])
        except (TypeError, ValueError):
            return int(DEFAULT_SKU["capacity"])
    return int(DEFAULT_SKU["capacity"])


def instance_name(scale_set: str, instance_id: str) -> str:
    """ARM's ``name`` of an instance: ``{scale set}_{instance id}``."""
    return f"{scale_set}_{instance_id}"


def scale_set_extensions(res: Resource) -> list[dict[str, Any]]:
    """``properties.virtualMachineProfile.extensionProfile.extensions`` of a scale set (only the dict entries)."""
    profile = res.properties.get("virtualMachineProfile") if isinstance(res.properties, dict) else None
    ext_profile = profile.get("extensionProfile") if isinstance(profile, dict) else None
    items = ext_profile.get("extensions") if isinstance(ext_profile, dict) else None
    return [e for e in items if isinstance(e, dict)] if isinstance(items, list) else []


def _check_capacity(body: dict[str, Any]) -> None:
    sku = body.get("sku")
    if not isinstance(sku, dict) or "capacity" not in sku:
        return
    value = sku.get("capacity")
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_CAPACITY
    if not ok:
        raise arm_error(400, INVALID_PARAMETER, CAPACITY_RANGE_TEMPLATE.format(value=value), gateway=False)


def _check_extensions(properties: dict[str, Any]) -> None:
    profile = properties.get("virtualMachineProfile")
    if profile is None:
        return
    if not isinstance(profile, dict):
        raise arm_error(400, "InvalidRequestContent",
                        "Error converting value to type 'VirtualMachineScaleSetVMProfile'. "
                        "Path 'properties.virtualMachineProfile'.")
    ext_profile = profile.get("extensionProfile")
    if ext_profile is None:
        return
    items = ext_profile.get("extensions") if isinstance(ext_profile, dict) else None
    if not isinstance(ext_profile, dict) or (items is not None and not isinstance(items, list)):
        raise arm_error(400, "InvalidRequestContent",
                        "Error converting value to type 'VirtualMachineScaleSetExtensionProfile'. "
                        "Path 'properties.virtualMachineProfile.extensionProfile'.")
    for i, ext in enumerate(items or []):
        props = ext.get("properties") if isinstance(ext, dict) else None
        if not isinstance(ext, dict) or not ext.get("name") or not isinstance(props, dict) \
                or not props.get("publisher") or not props.get("type"):
            # INFERRED wording (no capture found); Compute names the missing member of the extension
            raise arm_error(400, INVALID_PARAMETER,
                            f"Required parameter 'extensionProfile.extensions[{i}]' is missing its name, "
                            "properties.publisher or properties.type.", gateway=False)


def prepare(ctx: ArmContext, rtype: ResourceType, body: dict[str, Any], existing: Resource | None,
            properties: dict[str, Any]) -> dict[str, Any]:
    """Validate and complete a scale set (or refuse a PUT that would make a new instance)."""
    if _is(rtype.full_type, VMSS_VM_TYPE):
        if existing is None:
            raise arm_error(404, INSTANCE_NOT_FOUND, INSTANCE_NOT_FOUND_MESSAGE, gateway=False)
        return properties
    _check_capacity(body)
    _check_extensions(properties)
    if existing is None:
        properties.setdefault("upgradePolicy", dict(DEFAULT_UPGRADE_POLICY))
        properties.setdefault("overprovision", True)
        properties.setdefault("singlePlacementGroup", True)
        properties.setdefault("uniqueId", ctx.world.ids.guid())
        properties.setdefault("timeCreated", _now_iso(ctx))
    return properties


def _now_iso(ctx: ArmContext) -> str:
    from datetime import UTC, datetime

    clock = getattr(ctx.world, "clock", None)
    now = float(clock.now()) if clock is not None else 0.0
    return datetime.fromtimestamp(now, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f") + "0+00:00"


def _instance_properties(ss: Resource, instance_id: str) -> dict[str, Any]:
    profile = ss.properties.get("virtualMachineProfile") if isinstance(ss.properties, dict) else None
    profile = profile if isinstance(profile, dict) else {}
    os_profile = profile.get("osProfile") if isinstance(profile.get("osProfile"), dict) else {}
    prefix = str((os_profile or {}).get("computerNamePrefix") or ss.name[:9])
    computer = f"{prefix}{int(instance_id):06x}" if instance_id.isdigit() else f"{prefix}{instance_id}"
    props: dict[str, Any] = {
        "latestModelApplied": True,
        "vmId": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{ss.id.lower()}/virtualmachines/{instance_id}")),
        "osProfile": {"computerName": computer,
                      "adminUsername": str((os_profile or {}).get("adminUsername") or "azureuser")},
    }
    if isinstance(profile.get("storageProfile"), dict):
        props["storageProfile"] = profile["storageProfile"]
    return props


def after_write(ctx: ArmContext, rtype: ResourceType, saved: Resource) -> None:
    """Keep a scale set's instances at ``0..capacity-1``."""
    if not _is(rtype.full_type, VMSS_TYPE):
        return
    backend = ctx.world.backend
    store = ctx.world.store
    capacity = capacity_of(saved.extra.get("sku"))
    have = {c.name: c for c in store.list_child_resources(saved.id) if _is(c.type, VMSS_VM_TYPE)}
    for name, child in have.items():
        if not name.isdigit() or int(name) >= capacity:
            backend.delete_resource(child.id)
    for i in range(capacity):
        if str(i) not in have:
            backend.create_or_update_resource(
                saved.subscription_id, saved.resource_group, VMSS_VM_TYPE, f"{saved.name}/{i}", saved.location,
                _instance_properties(saved, str(i)))


def render(ctx: ArmContext, res: Resource, doc: dict[str, Any]) -> dict[str, Any]:
    """A scale set with its ``sku``; an instance as ``VirtualMachineScaleSetVM``."""
    if _is(res.type, VMSS_TYPE):
        if not isinstance(doc.get("sku"), dict):
            doc["sku"] = dict(DEFAULT_SKU)
        return doc
    if _is(res.type, VMSS_VM_TYPE):
        ss_id = res.id.rsplit("/", 2)[0]
        ss = ctx.world.store.get_resource(ss_id)
        ss_name = ss.name if ss is not None else ss_id.rsplit("/", 1)[-1]
        out: dict[str, Any] = {"id": doc.get("id"), "name": instance_name(ss_name, res.name),
                               "type": doc.get("type"), "location": doc.get("location"), "instanceId": res.name}
        sku = ss.extra.get("sku") if ss is not None else None
        sku = sku if isinstance(sku, dict) else DEFAULT_SKU
        out["sku"] = {k: sku[k] for k in ("name", "tier") if k in sku}
        out.update((k, v) for k, v in doc.items() if k not in out)
        return out
    return doc
