"""Fixtures for auth tests: a seeded in-memory tenant and a token service using the checked-in test keys."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from azshell.auth.keys import load_pem_key
from azshell.auth.tokens import TokenService
from azshell.clock import FixedClock
from azshell.model.backend import TenantBackend
from azshell.model.store import Store
from azshell.model.types import DirectoryObject

KEYS_DIR = Path(__file__).resolve().parent.parent / "keys"
TEST_KEYS = [load_pem_key(p.read_bytes()) for p in sorted(KEYS_DIR.glob("signing_key_*.pem"))]
VM_ID = "/subscriptions/98f51385-2edc-4b79-bed9-7718de4cb861/resourceGroups/DevTest/providers/Microsoft.Compute/virtualMachines/vm1"


@pytest.fixture
def key_factory() -> Callable[[], rsa.RSAPrivateKey]:
    it = itertools.cycle(TEST_KEYS)
    return lambda: next(it)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(1_700_000_000.0)


@pytest.fixture
def store(clock: FixedClock) -> Iterator[Store]:
    s = Store.open(":memory:", clock=clock)
    TenantBackend(s, clock).seed()
    yield s
    s.close()


@pytest.fixture
def tokens(store: Store, clock: FixedClock, key_factory: Callable[[], rsa.RSAPrivateKey]) -> TokenService:
    return TokenService(store, clock, key_factory=key_factory)


@pytest.fixture
def mi(store: Store) -> DirectoryObject:
    """A system-assigned managed identity's service principal (not stored; tokens need only the record)."""
    return DirectoryObject(object_id="11282bd8-03e2-44ea-9fb7-e45b5f3bf72e", tenant_id=store.get_tenant().tenant_id,
                           object_type="ServicePrincipal", display_name="vm1",
                           app_id="6f2f6e69-80a1-476a-8dcf-f983d6d251b8", service_principal_type="ManagedIdentity",
                           alternative_names=("isExplicit=False", VM_ID), resource_id=VM_ID)
