"""ARM hooks for ``Microsoft.Compute/virtualMachines``: the instance view.

``GET .../virtualMachines/{vm}/instanceView`` and ``GET .../virtualMachines/{vm}?$expand=instanceView`` (also on
the VM lists) answer what the compute resource provider reports about a running VM: its computer name, the
Hyper-V generation, its extensions and the provisioning and power states. azshell's VMs never stop, so the power
state is always ``PowerState/running`` (as ``Get-AzVM -Status`` shows it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azshell.model.types import VM_EXTENSION_TYPE, VM_TYPE, Resource
from azshell.planes.base import Response

if TYPE_CHECKING:
    from azshell.planes.arm._context import ArmContext
    from azshell.planes.catalog import ResourceType

__all__ = ["INSTANCE_VIEW", "instance_view", "render", "resource_action"]

INSTANCE_VIEW = "instanceView"
#: The RBAC action of ``GET .../virtualMachines/{vm}/instanceView`` (Reader's ``*/read`` holds it).
READ_INSTANCE_VIEW = "Microsoft.Compute/virtualMachines/instanceView/read"
HYPER_V_GENERATION = "V1"


def _status(code: str, display: str, time: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, "level": "Info", "displayStatus": display}
    if time:
        out["time"] = time
    return out


def instance_view(ctx: ArmContext, vm: Resource) -> dict[str, Any]:
    """The ``VirtualMachineInstanceView`` of ``vm``."""
    props = vm.properties if isinstance(vm.properties, dict) else {}
    state = str(props.get("provisioningState") or "Succeeded")
    os_profile = props.get("osProfile") if isinstance(props.get("osProfile"), dict) else {}
    view: dict[str, Any] = {
        "computerName": (os_profile or {}).get("computerName") or vm.name[:15],
        "hyperVGeneration": HYPER_V_GENERATION,
    }
    extensions = [e for e in ctx.world.store.list_child_resources(vm.id)
                  if e.type.lower() == VM_EXTENSION_TYPE.lower()]
    if extensions:
        view["extensions"] = [{
            "name": e.name.rsplit("/", 1)[-1],
            "type": f"{e.properties.get('publisher', '')}.{e.properties.get('type', '')}".strip("."),
            "typeHandlerVersion": e.properties.get("typeHandlerVersion"),
            "statuses": [_status("ProvisioningState/succeeded", "Provisioning succeeded")],
        } for e in extensions]
    view["statuses"] = [
        _status(f"ProvisioningState/{state.lower()}", f"Provisioning {state.lower()}",
                str(props["timeCreated"]) if props.get("timeCreated") else None),
        _status("PowerState/running", "VM running"),
    ]
    return view


def _expands_instance_view(ctx: ArmContext) -> bool:
    expand = ctx.request.query_get("$expand") or ""
    return any(part.strip().lower() == INSTANCE_VIEW.lower() for part in expand.split(","))


def render(ctx: ArmContext, res: Resource, doc: dict[str, Any]) -> dict[str, Any]:
    """A VM with ``properties.instanceView`` when the request asks ``$expand=instanceView``."""
    if res.type.lower() == VM_TYPE.lower() and _expands_instance_view(ctx) and isinstance(doc.get("properties"), dict):
        doc["properties"][INSTANCE_VIEW] = instance_view(ctx, res)
    return doc


def resource_action(ctx: ArmContext, rtype: ResourceType, name: str) -> Response | None:
    """``GET .../virtualMachines/{vm}/instanceView``; None for any other name (ARM's InvalidResourceType)."""
    if rtype.full_type.lower() != VM_TYPE.lower() or name.lower() != INSTANCE_VIEW.lower():
        return None
    if ctx.method != "GET":
        raise ctx.method_not_allowed()
    ctx.check_version(rtype.api)
    rid = ctx.path.resource_id
    ctx.require(READ_INSTANCE_VIEW, rid)
    vm = ctx.existing_resource(rid)
    return Response.json(200, instance_view(ctx, vm))
