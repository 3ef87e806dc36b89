"""The one state object: store, backend, token service and clock, built once and passed down.

Nothing in azshell keeps module-level state; the planes, the session and the tests all receive a ``World``::

    world = open_world(":memory:")            # a fresh, seeded tenant (azshell.services.registry.open_world)
    world.tenant_id, world.default_subscription_id, world.admin_user.user_principal_name
    index = world.rbac_index()                # cached until any process commits a write

``build_world(path, registry)`` seeds a state file that has no tenant yet (tenant, subscription, admin user who
is Owner on the subscription, built-in role definitions) and opens an existing one as it is; the registry says
which services this world has (their tables, planes, catalogue). ``azshell.services.registry.open_world`` is the
same with every service.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from azshell.clock import Clock, SystemClock
from azshell.model.backend import TenantBackend
from azshell.model.store import Store
from azshell.model.types import DirectoryObject, Tenant

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa

    from azshell.auth.keys import KeyFactory
    from azshell.auth.rbac import RbacIndex
    from azshell.auth.tokens import TokenService
    from azshell.services.base import Registry

__all__ = ["World", "build_world"]

#: ``generation_cache`` name of the RBAC index
_RBAC_CACHE = "auth.rbac_index"


@dataclass
class World:
    """Everything a plane, cmdlet or test needs to reach the emulated tenant.

    Arguments:
        store: typed CRUD over the SQLite state file.
        backend: tenant operations (create VM, enable identities, assign roles) over ``store``.
        token_factory: builds the token service on first use (its crypto imports cost start-up time that a
            script which never asks for a token need not pay); ``world.tokens`` is that service.
        clock: the injected time source.
        registry: the services of this world (router, ARM catalogue, cmdlets, checks are built from it).
    """

    store: Store
    backend: TenantBackend
    token_factory: Callable[[], TokenService]
    clock: Clock
    registry: Registry
    _tokens: TokenService | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _caches: dict[str, tuple[int, dict[Any, Any]]] = field(default_factory=dict, repr=False)

    @property
    def tokens(self) -> TokenService:
        """Issues and verifies access tokens (built on first use)."""
        if self._tokens is None:
            with self._lock:
                if self._tokens is None:
                    self._tokens = self.token_factory()
        return self._tokens

    # -- accessors -------------------------------------------------------------------------------------------
    @property
    def tenant(self) -> Tenant:
        """The tenant of the state file."""
        return self.store.get_tenant()

    @property
    def tenant_id(self) -> str:
        return self.tenant.tenant_id

    @property
    def default_subscription_id(self) -> str:
        """The subscription ``seed`` created (a fresh state has exactly one)."""
        return self.backend.default_subscription().subscription_id

    @property
    def admin_user(self) -> DirectoryObject:
        """The tenant's admin user (Owner on the default subscription), signed in by default like Cloud Shell."""
        return self.backend.admin_user()

    # -- RBAC ------------------------------------------------------------------------------------------------
    def rbac_index(self) -> RbacIndex:
        """The RBAC index over every assignment and definition, rebuilt when ``store.generation()`` moves."""
        cache = self.generation_cache(_RBAC_CACHE)
        index: RbacIndex | None = cache.get("index")
        if index is None:
            with self._lock:
                index = cache.get("index")
                if index is None:
                    from azshell.auth.rbac import RbacIndex

                    index = RbacIndex(self.store.list_role_assignments(), self.store.list_role_definitions())
                    cache["index"] = index
        return index

    def generation_cache(self, name: str) -> dict[Any, Any]:
        """A dict of derived values named ``name``, emptied whenever ``store.generation()`` moves (any committed
        write, from any process). Planes keep look-ups here that depend only on stored state."""
        gen = self.store.generation()
        entry = self._caches.get(name)
        if entry is None or entry[0] != gen:
            with self._lock:
                entry = self._caches.get(name)
                if entry is None or entry[0] != gen:
                    entry = (gen, {})
                    self._caches[name] = entry
        return entry[1]

    def close(self) -> None:
        """Close the state file."""
        self.store.close()


def _key_factory(keys: Sequence[rsa.RSAPrivateKey]) -> KeyFactory:
    """Hand out the given keys in order, then fresh ones (each key may sign for one record only)."""
    pending = list(keys)

    def factory() -> rsa.RSAPrivateKey:
        from azshell.auth.keys import generate_rsa_key

        return pending.pop(0) if pending else generate_rsa_key()

    return factory


def build_world(
    path: str,
    registry: Registry,
    *,
    clock: Clock | None = None,
    signing_key: rsa.RSAPrivateKey | Sequence[rsa.RSAPrivateKey] | None = None,
) -> World:
    """Open (and, if new, seed) the state at ``path`` and build its ``World``.

    Arguments:
        path: the SQLite state file, or ``":memory:"`` for a throwaway tenant.
        registry: the services (their migrations run on open).
        clock: the time source (default: the system clock).
        signing_key: pre-made RSA key(s) to use instead of generating the tenant's signing keys (tests pass the
            keys in ``tests/keys/`` because RSA generation is slow). A new tenant needs two (active and next).
    """
    clk: Clock = clock or SystemClock()
    store = Store.open(path, clock=clk, services=registry.migrations())
    try:
        backend = TenantBackend(store, clk)
        if not backend.is_seeded():
            backend.seed()
        factory: KeyFactory | None = None
        if signing_key is not None:
            from cryptography.hazmat.primitives.asymmetric import rsa as _rsa

            keys = [signing_key] if isinstance(signing_key, _rsa.RSAPrivateKey) else list(signing_key)
            factory = _key_factory(keys)
    except BaseException:
        store.close()
        raise

    def make_tokens() -> TokenService:
        from azshell.auth.tokens import TokenService

        return TokenService(store, clk, key_factory=factory)

    return World(store=store, backend=backend, token_factory=make_tokens, clock=clk, registry=registry)
