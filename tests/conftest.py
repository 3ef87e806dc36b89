"""Shared fixtures: a fixed clock, a fresh seeded world per test, the admin's ARM token, an in-process client.

The world signs with the checked-in keys in ``tests/keys/`` (RSA generation is slow). Sub-folders may override
``clock`` with their own; these are the defaults.

Also the one way a test skips for something missing (:func:`skip_or_fail` and the helpers over it): it skips
on a developer's machine but fails under CI, so CI cannot hide a regression behind a skip.
"""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from azshell.auth.keys import load_pem_key
from azshell.clock import FixedClock
from azshell.http import make_client
from azshell.planes.base import CallerContext
from azshell.services.registry import open_world
from azshell.world import World

KEYS_DIR = Path(__file__).resolve().parent / "keys"
TEST_KEYS: list[rsa.RSAPrivateKey] = [load_pem_key(p.read_bytes()) for p in sorted(KEYS_DIR.glob("*.pem"))]
ARM_RESOURCE = "https://management.azure.com/"


# ------------------------------------------------------------------------- skips that CI must not take
# A test that needs a program (tmux, curl), a package of pyproject's ``test`` extras, or the reference files in
# ``../shared`` skips where that is missing, but fails under CI (``CI`` set, as CI services do: ``CI=true``):
# ``.ci/run`` installs tmux and curl and ``make test`` the ``test`` extras, so a skip there hides a regression.
# Left as plain skips, on purpose: platform skips (``sys.platform == "win32"``: the POSIX-only pty/SIGKILL/tmux
# tests), and the developer-only tree-sitter check (``-m dev``, tests/lang/test_treesitter_diff.py), whose
# packages are in the ``dev`` extras, not ``test``: CI never installs them, ``make difftest`` does.

def in_ci() -> bool:
    """Whether the tests run under CI: ``CI`` is set to anything but empty, ``0``, ``false``, ``no``."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def skip_or_fail(reason: str, under_ci: str = "CI must provide it") -> NoReturn:
    """Skip the test (or, called at import, the module) for ``reason``; under CI fail with ``reason: under_ci``."""
    if in_ci():
        pytest.fail(f"{reason}: {under_ci}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def require_tool(name: str) -> str:
    """The path of the program ``name``; skips without it (under CI fails: ``.ci/run`` installs it)."""
    path = shutil.which(name)
    if path is None:
        skip_or_fail(f"{name} is not installed", f"CI must provide {name}: .ci/run installs it")
    return path


def require_module(name: str) -> Any:
    """``pytest.importorskip`` for a package of the ``test`` extras: under CI (which installs them) fails."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        skip_or_fail(f"could not import {name!r}: {e}",
                     f"CI must provide {name}: it is in pyproject.toml's `test` extras, which `make test` installs")


def require_file(path: Path) -> Path:
    """``path`` (a reference file or folder in ``../shared``); skips without it (under CI fails)."""
    if not path.exists():
        skip_or_fail(f"{path} is not present", "CI must provide the reference files: check out ../shared next to "
                                               "the repository")
    return path


def needs_tool(name: str) -> pytest.MarkDecorator:
    """Mark a test (or a module, in ``pytestmark``) that runs the program ``name``: :func:`require_tool` first."""
    return pytest.mark.needs_tool(name)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs_tool(name): runs the program name; skips without it, fails under CI")
    # Off a host the shell reads and writes the real home folder (as Cloud Shell does): tutorials save templates
    # in $HOME. Tests get a throwaway one, so a run leaves nothing in the developer's home.
    if "AZSHELL_TEST_REAL_HOME" not in os.environ:
        os.environ["AZSHELL_TEST_REAL_HOME"] = os.environ.get("HOME", "")
        os.environ["HOME"] = tempfile.mkdtemp(prefix="azshell-test-home-")


def pytest_unconfigure(config: pytest.Config) -> None:
    real = os.environ.pop("AZSHELL_TEST_REAL_HOME", None)
    if real is None:
        return
    throwaway = os.environ.get("HOME", "")
    if "azshell-test-home-" in throwaway:
        shutil.rmtree(throwaway, ignore_errors=True)
    os.environ["HOME"] = real


def pytest_runtest_setup(item: pytest.Item) -> None:
    # after the skipif marks (the skipping plugin runs first), before the test's fixtures are set up
    for mark in item.iter_markers("needs_tool"):
        require_tool(*mark.args)


@pytest.fixture
def clock() -> FixedClock:
    """A clock that moves only when a test says so."""
    return FixedClock(1_700_000_000.0)


@pytest.fixture
def world(clock: FixedClock) -> Iterator[World]:
    """A fresh in-memory tenant: tenant, subscription, admin Owner, built-in roles."""
    w = open_world(":memory:", clock=clock, signing_key=TEST_KEYS)
    yield w
    w.close()


@pytest.fixture
def admin_token(world: World) -> str:
    """An ARM access token for the tenant's admin user (Owner on the subscription)."""
    return world.tokens.issue_for_principal(principal=world.admin_user, resource=ARM_RESOURCE,
                                            kind="user").access_token


@pytest.fixture
def caller() -> list[CallerContext]:
    """The caller context the ``client`` fixture uses; tests replace ``caller[0]`` to step onto a host."""
    return [CallerContext()]


@pytest.fixture
def client(world: World, caller: list[CallerContext]) -> Iterator[httpx.Client]:
    """An in-process httpx client over the world's planes (no sockets)."""
    with make_client(world, lambda: caller[0]) as c:
        yield c


ARM = "https://management.azure.com"


class ArmClient:
    """A thin helper over the in-process client: ARM URLs, a bearer token, JSON bodies."""

    def __init__(self, client: httpx.Client, world: World, token: str) -> None:
        self.client = client
        self.world = world
        self.token = token
        self.sub = world.default_subscription_id

    def headers(self, token: str | None = None) -> dict[str, str]:
        return {"Authorization": f"Bearer {token or self.token}"}

    def url(self, path: str, api_version: str | None) -> str:
        sep = "&" if "?" in path else "?"
        return f"{ARM}{path}" + (f"{sep}api-version={api_version}" if api_version else "")

    def request(self, method: str, path: str, *, api_version: str | None = "2022-12-01", json: object = None,
                token: str | None = None, content: bytes | None = None,
                headers: dict[str, str] | None = None) -> httpx.Response:
        h = self.headers(token) if headers is None else headers
        if content is not None:
            return self.client.request(method, self.url(path, api_version), headers=h, content=content)
        return self.client.request(method, self.url(path, api_version), headers=h, json=json)

    def rg_path(self, rg: str) -> str:
        return f"/subscriptions/{self.sub}/resourceGroups/{rg}"

    def vm_path(self, rg: str, vm: str) -> str:
        return f"{self.rg_path(rg)}/providers/Microsoft.Compute/virtualMachines/{vm}"

    def create_rg(self, rg: str, location: str = "westus") -> httpx.Response:
        return self.request("PUT", self.rg_path(rg), api_version="2021-04-01", json={"location": location})

    def create_vm(self, rg: str, vm: str, identity: dict[str, object] | None = None) -> httpx.Response:
        body: dict[str, object] = {"location": "westus"}
        if identity is not None:
            body["identity"] = identity
        return self.request("PUT", self.vm_path(rg, vm), api_version="2023-03-01", json=body)

    def assign(self, scope: str, principal_id: str, role_guid: str, name: str | None = None,
               token: str | None = None) -> httpx.Response:
        from azshell.ids import new_guid

        path = f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name or new_guid()}"
        body = {"properties": {
            "roleDefinitionId": f"/subscriptions/{self.sub}/providers/Microsoft.Authorization/roleDefinitions/"
                                f"{role_guid}",
            "principalId": principal_id}}
        return self.request("PUT", path, api_version="2022-04-01", json=body, token=token)

    def token_for(self, object_id: str) -> str:
        """An ARM token for a managed identity's service principal."""
        sp = self.world.store.get_directory_object(object_id)
        assert sp is not None
        return self.world.tokens.issue_for_principal(principal=sp, resource=ARM_RESOURCE,
                                                     kind="managed_identity").access_token


@pytest.fixture
def arm(client: httpx.Client, world: World, admin_token: str) -> ArmClient:
    """ARM helper signed in as the admin user."""
    return ArmClient(client, world, admin_token)
