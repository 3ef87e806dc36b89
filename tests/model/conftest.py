"""Fixtures for model tests: a fresh in-memory store, a fixed clock and a seeded backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from azshell.clock import FixedClock
from azshell.model.backend import TenantBackend
from azshell.model.store import Store


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def store(clock: FixedClock) -> Iterator[Store]:
    s = Store.open(":memory:", clock=clock)
    yield s
    s.close()


@pytest.fixture
def backend(store: Store, clock: FixedClock) -> TenantBackend:
    b = TenantBackend(store, clock)
    b.seed()
    return b


@pytest.fixture
def sub(backend: TenantBackend) -> str:
    return backend.default_subscription().subscription_id


@pytest.fixture
def rg(backend: TenantBackend, sub: str) -> str:
    backend.create_or_update_resource_group(sub, "rg1", "westus")
    return "rg1"
