"""Azure Resource Manager itself (``management.azure.com``) and Microsoft.Resources: subscriptions, resource
groups, and the generic resource handler every provider's types go through."""

from __future__ import annotations

from azshell.hostnames import ARM_HOST
from azshell.services.base import PlaneRoute, Service, host_is

_ARM = "azshell.services.resources.arm"
_PROVIDERS = "azshell.services.resources.arm_providers"

SERVICE = Service(
    name="resources",
    planes=(PlaneRoute("arm", host_is(ARM_HOST), "azshell.planes.arm:handle", tls_hosts=(ARM_HOST,)),),
    arm_paths={
        "subscriptions": f"{_ARM}:handle_subscriptions",
        "subscription": f"{_ARM}:handle_subscription",
        "operation_result": f"{_ARM}:handle_operation_result",
        "resource_groups": f"{_ARM}:handle_resource_groups",
        "resource_group": f"{_ARM}:handle_resource_group",
        "group_resources": f"{_ARM}:handle_group_resources",
        "subscription_resources": f"{_ARM}:handle_subscription_resources",
        "resource_collection": f"{_ARM}:handle_resource_collection",
        "resource": f"{_ARM}:handle_resource",
        "resource_action": f"{_ARM}:handle_resource_action",
        "extension_resource": f"{_ARM}:handle_extension_resource",
        "providers": f"{_PROVIDERS}:handle_providers",
        "provider": f"{_PROVIDERS}:handle_provider",
        "provider_action": f"{_PROVIDERS}:handle_provider_action",
    },
    namespaces=("Microsoft.Resources",),
    cmdlets=("azshell.services.resources.cmdlets", "azshell.services.resources.cmdlets_resource"),
    az="azshell.services.resources.az",
    checks="azshell.services.resources.checks",
)
