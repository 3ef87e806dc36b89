"""Worlds on the tenant clock (``TenantClock`` over a ``FixedClock``: the stored offset applies, time stands still
otherwise) and a whole-shell ``Shell`` over them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from azshell.clock import FixedClock, TenantClock
from azshell.services.registry import open_world
from azshell.world import World
from tests.cmdlets._shell import Shell
from tests.conftest import TEST_KEYS

START = 1_700_000_000.0


@pytest.fixture
def base() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def tworld(base: FixedClock) -> Iterator[World]:
    w = open_world(":memory:", clock=TenantClock(base), signing_key=TEST_KEYS)
    try:
        yield w
    finally:
        w.close()


@pytest.fixture
def tshell(tworld: World) -> Shell:
    return Shell(tworld)


@pytest.fixture
def state_path(tmp_path: Path) -> str:
    return str(tmp_path / "state.db")
