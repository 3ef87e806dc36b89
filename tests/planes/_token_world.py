"""Shared set-up for the token-endpoint plane tests: a seeded in-memory tenant with pre-made signing keys."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from azshell.auth.keys import load_pem_key
from azshell.auth.tokens import TokenService
from azshell.clock import FixedClock
from azshell.ids import IdSource
from azshell.model.backend import TenantBackend
from azshell.model.store import Store
from azshell.model.types import VM_EXTENSION_TYPE

KEYS_DIR = Path(__file__).resolve().parent.parent / "keys"
_KEYS = [load_pem_key(p.read_bytes()) for p in sorted(KEYS_DIR.glob("signing_key_*.pem"))]
RG = "rg1"
LOCATION = "westus"


def key_factory() -> Callable[[], rsa.RSAPrivateKey]:
    """Hands out the checked-in test keys in turn (RSA generation is slow)."""
    it = itertools.cycle(_KEYS)
    return lambda: next(it)


@dataclass
class TokenWorldImpl:
    """Satisfies ``azshell.services.entra.plane.TokenWorld``."""

    store: Store
    backend: TenantBackend
    tokens: TokenService
    clock: FixedClock

    @property
    def ids(self) -> IdSource:
        return self.store.ids

    @property
    def sub(self) -> str:
        return self.backend.default_subscription().subscription_id

    def vm(self, name: str, identity_type: str | None = "SystemAssigned",
           user_assigned_ids: list[str] | None = None) -> str:
        self.backend.create_or_update_resource_group(self.sub, RG, LOCATION)
        return self.backend.create_or_update_vm(self.sub, RG, name, LOCATION, identity_type=identity_type,
                                                user_assigned_ids=user_assigned_ids).id

    def uai(self, name: str) -> tuple[str, str, str]:
        """(resource id, principal id, client id) of a new user-assigned identity."""
        self.backend.create_or_update_resource_group(self.sub, RG, LOCATION)
        r = self.backend.create_or_update_user_assigned_identity(self.sub, RG, name, LOCATION)
        return r.id, r.properties["principalId"], r.properties["clientId"]

    def msi_extension(self, vm_name: str, *, linux: bool = False, port: int = 50342) -> None:
        ext_type = "ManagedIdentityExtensionForLinux" if linux else "ManagedIdentityExtensionForWindows"
        self.backend.create_or_update_resource(
            self.sub, RG, VM_EXTENSION_TYPE, f"{vm_name}/{ext_type}", LOCATION,
            {"publisher": "Microsoft.ManagedIdentity", "type": ext_type, "typeHandlerVersion": "1.0",
             "autoUpgradeMinorVersion": True, "settings": {"port": port}},
        )


def make_world() -> TokenWorldImpl:
    clock = FixedClock(1_700_000_000.0)
    store = Store.open(":memory:", clock=clock)
    backend = TenantBackend(store, clock)
    backend.seed()
    return TokenWorldImpl(store, backend, TokenService(store, clock, key_factory=key_factory()), clock)
