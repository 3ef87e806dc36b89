"""What a service package declares, and the registry that joins the declarations into one emulated Azure.

Every package under ``azshell/services/`` has the same files for the same jobs (a job may span more than one
module, named ``<job>_<topic>.py``)::

    __init__.py     SERVICE = Service(...)   — the one object the registry reads; cheap to import
    catalog.py      its ARM resource types, api-versions and RBAC action strings
    model.py        its own tables (migrations) and typed storage functions; never sees HTTP
    arm.py          its ARM provider routes and per-type hooks (prepare / after_write / render)
    plane*.py       its data planes: ``handle(request, world) -> Response`` for the hostnames it answers
    cmdlets*.py     its Az/AzureRM cmdlets (``COMMANDS``), their views (``register_views``) and value
                    completers (``COMPLETERS``)
    az.py           its ``az`` command group (``AZ_COMMANDS``)
    checks.py       its tutorial state checks (``CHECKS``) and mistake matchers (``MATCHERS``)

Planes, hooks, cmdlet modules and ``az`` groups are named by module path and imported on first use, so a
session that never calls Key Vault does not pay for importing it. ``Registry`` builds from the services what
used to be hand-written tables: the host router, the CONNECT proxy's host list, the ARM catalogue, the cmdlets,
views and completers, the migrations, the checks and the matchers. A registry is an object (``World.registry``),
never a module global: tests build their own with an extra fake service. Two services declaring the same ``az``
command, check kind or matcher kind are a packaging error (``ValueError`` naming both), never a silent override.
"""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from azshell.planes.catalog import Catalog, ResourceType

__all__ = ["PlaneRoute", "Registry", "Service", "host_is", "host_suffix", "load"]

HostPredicate = Callable[[str, "int | None"], bool]
Migration = Callable[[sqlite3.Connection], None]


def load(ref: str) -> Any:
    """The object a ``"package.module:attribute"`` reference names (or the module, without ``:attribute``)."""
    module, _, attr = ref.partition(":")
    mod = importlib.import_module(module)
    return getattr(mod, attr) if attr else mod


def host_is(name: str) -> HostPredicate:
    """A host predicate: exactly ``name`` (any port)."""
    return lambda host, port: host == name


def host_suffix(suffix: str) -> HostPredicate:
    """A host predicate: ``{something}{suffix}`` (``.vault.azure.net``)."""
    return lambda host, port: host.endswith(suffix) and len(host) > len(suffix)


@dataclass(frozen=True)
class PlaneRoute:
    """One data plane: requests whose (host, port) satisfy ``matches`` go to the handler ``handler`` names.

    Arguments:
        name: the plane's name in logs, faults and decisions (``imds``, ``keyvault``).
        matches: the host predicate.
        handler: ``"module:function"`` of ``handle(request, world) -> Response`` (imported on first use).
        tls_hosts / tls_suffixes: hostnames ``azshell serve`` terminates CONNECT tunnels for.
    """

    name: str
    matches: HostPredicate
    handler: str
    tls_hosts: tuple[str, ...] = ()
    tls_suffixes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Service:
    """One Azure service as the registry sees it. Every field is data; modules are named, not imported.

    Arguments:
        name: the package name (``keyvault``).
        planes: its data planes, in match order.
        arm_paths: ARM path kinds it answers (``"role_assignment"`` → ``"module:handler"``).
        resource_types: ``"module:ATTRIBUTE"`` of its tuple of ``ResourceType`` (the ARM catalogue).
        namespaces: ARM provider namespaces it owns that have no resource types of their own.
        migrations: ``"module:ATTRIBUTE"`` of its ordered migrations (append, never edit).
        cmdlets: modules holding ``COMMANDS`` / ``COMPLETERS`` / ``register_views(views)``.
        az: module holding ``AZ_COMMANDS`` (its ``az`` group).
        checks: module holding ``CHECKS`` (tutorial state checks by kind).
        matchers: module holding ``MATCHERS`` (tutorial mistake matchers by kind; often the checks module).
        graph: ``"module:function"`` of its access-graph hook, ``edges(GraphContext) -> GraphPart``: the grants
            only it knows (role assignments, access policies, ACL entries), read through its planes.
    """

    name: str
    planes: tuple[PlaneRoute, ...] = ()
    arm_paths: Mapping[str, str] = field(default_factory=dict)
    resource_types: str | None = None
    namespaces: tuple[str, ...] = ()
    migrations: str | None = None
    cmdlets: tuple[str, ...] = ()
    az: str | None = None
    checks: str | None = None
    matchers: str | None = None
    graph: str | None = None


class Registry:
    """The services of one emulated Azure and everything built from them (built lazily, once per registry).

    Example::

        registry = Registry([entra.SERVICE, identity.SERVICE, ...])
        registry.plane_routes()        # the host router's table
        registry.catalog().find_type("Microsoft.KeyVault/vaults")
        registry.register_cmdlets(command_registry)
    """

    def __init__(self, services: Iterable[Service]) -> None:
        self.services: tuple[Service, ...] = tuple(services)
        names = [s.name for s in self.services]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate service names in {names}")
        self._catalog: Catalog | None = None
        self._arm_handlers: dict[str, Callable[..., Any]] = {}
        self._az: dict[tuple[str, ...], Any] | None = None
        self._checks: dict[str, Callable[..., Any]] | None = None
        self._matchers: dict[str, Callable[..., Any]] | None = None
        self._completers: dict[str, Callable[[Any], list[str]]] | None = None

    def with_service(self, service: Service) -> Registry:
        """A new registry with ``service`` added (its planes match before the others')."""
        return Registry((service, *self.services))

    def service(self, name: str) -> Service:
        for s in self.services:
            if s.name == name:
                return s
        raise KeyError(name)

    # -- hosts -----------------------------------------------------------------------------------------------
    def plane_routes(self) -> tuple[PlaneRoute, ...]:
        """Every data plane, in registry order."""
        return tuple(p for s in self.services for p in s.planes)

    def tls_hosts(self) -> frozenset[str]:
        """Hostnames the CONNECT proxy terminates exactly."""
        return frozenset(h for p in self.plane_routes() for h in p.tls_hosts)

    def tls_suffixes(self) -> tuple[str, ...]:
        """Host suffixes the CONNECT proxy terminates (``.vault.azure.net``)."""
        return tuple(x for p in self.plane_routes() for x in p.tls_suffixes)

    # -- ARM -------------------------------------------------------------------------------------------------
    def catalog(self) -> Catalog:
        """The ARM catalogue: every service's resource types and namespaces."""
        if self._catalog is None:
            types: list[ResourceType] = []
            namespaces: list[str] = []
            for s in self.services:
                if s.resource_types:
                    types.extend(load(s.resource_types))
                namespaces.extend(s.namespaces)
            self._catalog = Catalog(tuple(types), tuple(namespaces))
        return self._catalog

    def arm_handler(self, kind: str) -> Callable[..., Any] | None:
        """The handler of an ARM path kind, or None when no service answers it."""
        handler = self._arm_handlers.get(kind)
        if handler is None:
            for s in self.services:
                ref = s.arm_paths.get(kind)
                if ref is not None:
                    handler = load(ref)
                    self._arm_handlers[kind] = handler
                    break
        return handler

    # -- state -----------------------------------------------------------------------------------------------
    def migrations(self) -> dict[str, list[Migration]]:
        """Each service's ordered migrations, by service name."""
        return {s.name: list(load(s.migrations)) for s in self.services if s.migrations}

    # -- cmdlets ---------------------------------------------------------------------------------------------
    def cmdlet_modules(self) -> list[ModuleType]:
        return [importlib.import_module(m) for s in self.services for m in s.cmdlets]

    def cmdlet_classes(self) -> list[Any]:
        """Every service's cmdlet classes, in registry order."""
        return [cls for mod in self.cmdlet_modules() for cls in getattr(mod, "COMMANDS", ())]

    def register_cmdlets(self, commands: Any) -> None:
        """Add every service's cmdlets to ``commands`` (a ``CommandRegistry``) and register their views in
        ``commands.views``."""
        for mod in self.cmdlet_modules():
            for cls in getattr(mod, "COMMANDS", ()):
                commands.register(cls)
            register_views = getattr(mod, "register_views", None)
            if callable(register_views):
                register_views(commands.views)

    def completers(self) -> dict[str, Callable[[Any], list[str]]]:
        """Value completers by key (``Param.completer``), from every service's cmdlet modules."""
        if self._completers is None:
            table: dict[str, Callable[[Any], list[str]]] = {}
            for mod in self.cmdlet_modules():
                table.update(getattr(mod, "COMPLETERS", {}))
            self._completers = table
        return self._completers

    def _joined(self, field_name: str, table: str, what: str) -> dict[Any, Any]:
        """The union of the ``table`` each service's ``field_name`` module holds; a key two services declare is a
        ``ValueError`` naming both (a later service never silently replaces an earlier one's entry)."""
        out: dict[Any, Any] = {}
        owner: dict[Any, str] = {}
        for s in self.services:
            ref = getattr(s, field_name)
            if not ref:
                continue
            for key, value in getattr(importlib.import_module(ref), table).items():
                if key in owner:
                    shown = " ".join(key) if isinstance(key, tuple) else key
                    raise ValueError(f"services {owner[key]!r} and {s.name!r} both declare the {what} {shown!r}")
                owner[key] = s.name
                out[key] = value
        return out

    def az_commands(self) -> dict[tuple[str, ...], Any]:
        """The ``az`` command table: every service's group."""
        if self._az is None:
            self._az = self._joined("az", "AZ_COMMANDS", "az command")
        return self._az

    def checks(self) -> dict[str, Callable[..., Any]]:
        """Tutorial state checks by kind, from every service."""
        if self._checks is None:
            self._checks = self._joined("checks", "CHECKS", "check kind")
        return self._checks

    def graph_hooks(self) -> list[Callable[..., Any]]:
        """Every service's access-graph hook (``Service.graph``), in registry order."""
        return [load(s.graph) for s in self.services if s.graph]

    def matchers(self) -> dict[str, Callable[..., Any]]:
        """Tutorial mistake matchers by kind, from every service."""
        if self._matchers is None:
            self._matchers = self._joined("matchers", "MATCHERS", "matcher kind")
        return self._matchers
