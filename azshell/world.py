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

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from azshell.clock import Clock, TenantClock
from azshell.ids import IdSource
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
#: ``generation_cache`` name of the state's epoch (read once per generation)
_EPOCH_CACHE = "world.epoch"


@dataclass
class World:
    """Everything a plane, cmdlet or test needs to reach the emulated tenant.

    Arguments:
        store: typed CRUD over the SQLite state file.
        backend: tenant operations (create VM, enable identities, assign roles) over ``store``.
        token_factory: builds the token service on first use (its crypto imports cost start-up time that a
            script which never asks for a token need not pay); ``world.tokens`` is that service.
        clock: the injected time source (the tenant clock unless a test injected another).
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
    _epoch: int | None = field(default=None, repr=False)

    @property
    def ids(self) -> IdSource:
        """Where this world's GUIDs, secrets and token ids come from (seeded by ``--seed``/``AZSHELL_SEED``)."""
        return self.store.ids

    @property
    def tokens(self) -> TokenService:
        """Issues and verifies access tokens (built on first use, and again when another process replaced the
        whole state: a restored checkpoint or an import, see ``Store.epoch``)."""
        if self._tokens is not None and self._state_epoch() != self._epoch:
            self.forget_loaded_state()
        if self._tokens is None:
            epoch = self._state_epoch()
            with self._lock:
                if self._tokens is None:
                    self._tokens = self.token_factory()
                    self._epoch = epoch
        return self._tokens

    def _state_epoch(self) -> int:
        cache = self.generation_cache(_EPOCH_CACHE)
        epoch: int | None = cache.get("epoch")
        if epoch is None:
            epoch = cache["epoch"] = self.store.epoch()
        return epoch

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
        """The RBAC index over every assignment and definition, rebuilt when ``store.generation()`` moves.

        With a role-assignment propagation delay set (``Set-AzShellOption -RoleAssignmentDelay``), the index holds
        the assignments in effect at the tenant clock's now (``azshell.controls.propagation``)."""
        cache = self.generation_cache(_RBAC_CACHE)
        delay: float | None = cache.get("delay")
        if delay is None:
            from azshell.controls.propagation import assignment_delay

            delay = cache["delay"] = assignment_delay(self.store)
        if delay > 0:
            from azshell.controls.propagation import delayed_index

            return delayed_index(self.store, self.clock, cache, delay)
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

    def forget_loaded_state(self) -> None:
        """Drop what this world keeps in memory about the state (the token service and its key ring, derived
        caches): the whole state was replaced (a restored checkpoint, an import)."""
        with self._lock:
            self._tokens = None
            self._caches.clear()
            self._epoch = None

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


def _seeded_key_factory(ids: IdSource) -> KeyFactory:
    """Signing keys derived from the seed (``azshell.controls.seed.deterministic_rsa_key``)."""

    def factory() -> rsa.RSAPrivateKey:
        from azshell.controls.seed import deterministic_rsa_key

        return deterministic_rsa_key(ids.child("rsa"))

    return factory


def build_world(
    path: str,
    registry: Registry,
    *,
    clock: Clock | None = None,
    signing_key: rsa.RSAPrivateKey | Sequence[rsa.RSAPrivateKey] | None = None,
    seed: int | str | None = None,
) -> World:
    """Open (and, if new, seed) the state at ``path`` and build its ``World``.

    Arguments:
        path: the SQLite state file, or ``":memory:"`` for a throwaway tenant.
        registry: the services (their migrations run on open).
        clock: the time source (default: the tenant clock kept in the state file, ``TenantClock``; a
            ``TenantClock`` given here is bound to the state file too).
        signing_key: pre-made RSA key(s) to use instead of generating the tenant's signing keys (tests pass the
            keys in ``tests/keys/`` because RSA generation is slow). A new tenant needs two (active and next).
        seed: makes ids, secrets and keys reproducible (default: ``$AZSHELL_SEED``, which ``--seed`` sets); the
            stream also depends on the state's generation, so a state that has moved on gets new ids.
    """
    clk: Clock = clock or TenantClock()
    store = Store.open(path, clock=clk, services=registry.migrations())
    if isinstance(clk, TenantClock):
        clk.bind(store)
    try:
        if seed is None:
            seed = os.environ.get("AZSHELL_SEED") or None
        if seed is not None:
            store.ids = IdSource(seed, salt=str(store.generation()))
        backend = TenantBackend(store, clk)
        if not backend.is_seeded():
            backend.seed()
        factory: KeyFactory | None = None
        if signing_key is not None:
            from cryptography.hazmat.primitives.asymmetric import rsa as _rsa

            keys = [signing_key] if isinstance(signing_key, _rsa.RSAPrivateKey) else list(signing_key)
            factory = _key_factory(keys)
        elif store.ids.seeded:
            factory = _seeded_key_factory(store.ids)
    except BaseException:
        store.close()
        raise

    def make_tokens() -> TokenService:
        from azshell.auth.tokens import TokenService

        return TokenService(store, clk, key_factory=factory)

    return World(store=store, backend=backend, token_factory=make_tokens, clock=clk, registry=registry)
