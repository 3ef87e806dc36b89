"""What ARM knows, as a structure: resource types, their canonical spelling, api-versions and actions.

The data itself belongs to the services (each package's ``catalog.py`` lists its ``RESOURCE_TYPES``); the
registry joins them into one :class:`Catalog`. Each ``ResourceType`` says how ARM spells the type, which
api-versions it accepts, which handler serves it (``vm``, ``vm_extension``, ``user_assigned_identity`` or
``generic``) and which module holds its hooks. Action strings follow ARM's rule
``{Namespace}/{type}[/{childType}]/read|write|delete``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

__all__ = ["RESOURCE_GROUP_UNTYPED_UNTIL", "ApiVersionSpec", "Catalog", "ResourceType", "resource_type"]

#: Resource groups answered without ``"type"`` up to this version (the tutorials' documented output).
RESOURCE_GROUP_UNTYPED_UNTIL = "2016-09-01"


@dataclass(frozen=True)
class ApiVersionSpec:
    """The api-versions one ARM resource type accepts.

    ``arm_native`` types (subscriptions, resource groups) answer a bad version with
    ``InvalidApiVersionParameter``; resource-provider types with ``NoRegisteredProviderFound``, naming
    ``type_name`` (the type without its namespace, e.g. ``virtualMachines/extensions``).
    """

    type_name: str
    versions: tuple[str, ...]
    arm_native: bool = False
    _lower: frozenset[str] = field(default=frozenset(), repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_lower", frozenset(v.lower() for v in self.versions))

    def accepts(self, version: str) -> bool:
        return version.lower() in self._lower


Handler = Literal["vm", "vm_extension", "user_assigned_identity", "generic"]


@dataclass(frozen=True)
class ResourceType:
    """One ARM resource type as its provider registers it.

    ``hooks`` names the module whose ``prepare`` / ``after_write`` / ``render`` the generic handler calls for
    this type (see ``planes/arm/_hooks.py``); None means "store the properties as given".
    """

    full_type: str  # "Microsoft.Compute/virtualMachines/extensions"
    api: ApiVersionSpec
    handler: Handler = "generic"
    has_identity: bool = False
    hooks: str | None = None

    @property
    def namespace(self) -> str:
        return self.full_type.split("/", 1)[0]

    @property
    def type_path(self) -> str:
        """The type without its namespace (``virtualMachines/extensions``), as ARM's messages name it."""
        return self.full_type.split("/", 1)[1]

    @property
    def levels(self) -> int:
        return self.full_type.count("/")

    def action(self, verb: str) -> str:
        """``{full_type}/{verb}`` — ``read``, ``write``, ``delete``."""
        return f"{self.full_type}/{verb}"


def resource_type(full_type: str, versions: tuple[str, ...], handler: Handler = "generic", *,
                  identity: bool = False, hooks: str | None = None) -> ResourceType:
    """A ``ResourceType`` whose api-version spec names the type without its namespace."""
    return ResourceType(full_type, ApiVersionSpec(full_type.split("/", 1)[1], versions), handler, identity, hooks)


class Catalog:
    """Every registered resource type and provider namespace, looked up case-insensitively."""

    def __init__(self, types: tuple[ResourceType, ...], namespaces: tuple[str, ...] = ()) -> None:
        self.types = types
        self._by_type = {t.full_type.lower(): t for t in types}
        self._namespaces = {t.namespace.lower(): t.namespace for t in types}
        for ns in namespaces:
            self._namespaces.setdefault(ns.lower(), ns)

    def find_namespace(self, namespace: str) -> str | None:
        """ARM's spelling of a registered provider namespace (case-insensitive), or None."""
        return self._namespaces.get(namespace.lower())

    def find_type(self, full_type: str) -> ResourceType | None:
        """The registered type ``Namespace/type[/child]`` (case-insensitive), or None."""
        return self._by_type.get(full_type.lower())
