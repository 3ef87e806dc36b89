"""Microsoft.Authorization: role definitions, role assignments, permissions, and the access explainer."""

from __future__ import annotations

from azshell.services.base import Service

_ARM = "azshell.services.authorization.arm"

SERVICE = Service(
    name="authorization",
    arm_paths={
        "role_assignments": f"{_ARM}:handle_role_assignments",
        "role_assignment": f"{_ARM}:handle_role_assignment",
        "role_definitions": f"{_ARM}:handle_role_definitions",
        "role_definition": f"{_ARM}:handle_role_definition",
        "permissions": f"{_ARM}:handle_permissions",
        "check_access": f"{_ARM}:handle_check_access",
    },
    namespaces=("Microsoft.Authorization",),
    cmdlets=(
        "azshell.services.authorization.cmdlets",
        "azshell.services.authorization.cmdlets_roles",
        "azshell.services.authorization.cmdlets_explain",
    ),
    az="azshell.services.authorization.az",
    checks="azshell.services.authorization.checks",
    matchers="azshell.services.authorization.checks",
    graph="azshell.services.authorization.graph:edges",
)
