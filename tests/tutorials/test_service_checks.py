"""Tutorial checks: the generic kinds in ``azshell.tutorials.checks``, each service's in its own ``checks.py``,
joined through the world's registry."""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Iterator
from typing import Any

import pytest

from azshell.clock import FixedClock
from azshell.services.base import Service
from azshell.services.registry import default_registry, open_world
from azshell.tutorials.checks import (
    CHECKS,
    MATCHERS,
    CheckContext,
    CheckResult,
    match,
    run_check,
    run_matcher,
)
from azshell.tutorials.definitions import load_tutorials
from azshell.world import World

GENERIC = {"all", "any", "resource", "host", "http", "variable", "command"}
BY_SERVICE = {
    "resources": {"resource_group"},
    "entra": {"group_member"},
    "identity": {"user_identity", "token"},
    "authorization": {"role_assignment"},
    "compute": {"vm", "vm_identity", "vm_extension", "vmss_identity"},
    "web": {"app_identity"},
    "keyvault": {"keyvault_access", "secret", "secret_read"},
    "datalake": {"datalake_item", "datalake_acl", "datalake_op"},
    "deployments": {"deployment"},
    "storage": {"host_file", "storage_container", "storage_blob", "storage_role"},
}


def test_generic_kinds_stay_in_the_core_and_service_kinds_in_their_packages() -> None:
    assert set(CHECKS) == GENERIC
    registry = default_registry()
    owned = {s.name: set(importlib.import_module(s.checks).CHECKS) for s in registry.services if s.checks}
    assert owned == BY_SERVICE
    every = [k for kinds in owned.values() for k in kinds]
    assert len(every) == len(set(every)), "two services define the same check kind"
    assert not set(every) & GENERIC
    assert set(registry.checks()) == set(every)


GENERIC_MATCHERS = {"error", "text", "command", "check", "stale_token"}
MATCHERS_BY_SERVICE = {"authorization": {"wrong_scope"}, "storage": {"storage_refused"}}


def test_service_matchers_live_in_their_packages() -> None:
    assert set(MATCHERS) == GENERIC_MATCHERS
    registry = default_registry()
    owned = {s.name: set(importlib.import_module(s.matchers).MATCHERS) for s in registry.services if s.matchers}
    assert owned == MATCHERS_BY_SERVICE
    assert set(registry.matchers()) == {k for kinds in owned.values() for k in kinds}
    assert not set(registry.matchers()) & GENERIC_MATCHERS


def _check_kinds(spec: dict[str, Any]) -> Iterator[str]:
    yield str(spec.get("kind", ""))
    for sub in spec.get("checks", []) if spec.get("kind") in ("all", "any") else []:
        yield from _check_kinds(sub)


def test_every_kind_a_tutorial_names_is_known() -> None:
    known = set(CHECKS) | set(default_registry().checks())
    matchers = set(MATCHERS) | set(default_registry().matchers())
    used: dict[str, str] = {}
    for tut in load_tutorials().values():
        for step in tut.steps:
            for kind in _check_kinds(step.check):
                used.setdefault(kind, f"{tut.name}/{step.id}")
            for hint in (*step.hints, *tut.hints):
                assert hint.when.get("kind") in matchers, (tut.name, step.id, hint.when)
                if isinstance(hint.when.get("check"), dict):
                    for kind in _check_kinds(hint.when["check"]):
                        used.setdefault(kind, f"{tut.name}/{step.id} (hint)")
    unknown = {k: where for k, where in used.items() if k not in known}
    assert not unknown
    assert set(used) & set(default_registry().checks()), "the tutorials use service checks"


def _ctx(world: World, **vars: str) -> CheckContext:
    return CheckContext(world=world, vars={"rg": "myResourceGroup", "vm": "myVM", **vars})


def test_service_kinds_run_through_the_registry(world: World) -> None:
    ctx = _ctx(world)
    assert not run_check(ctx, {"kind": "resource_group"}).ok
    world.backend.create_or_update_resource_group(world.default_subscription_id, "myResourceGroup", "westus")
    assert run_check(_ctx(world), {"kind": "resource_group"}) == CheckResult(True, "resource group myResourceGroup "
                                                                                    "exists")
    both = {"kind": "all", "checks": [{"kind": "resource_group"}, {"kind": "vm"}]}
    assert run_check(_ctx(world), both) == CheckResult(False, "VM myVM does not exist yet")
    assert run_check(_ctx(world), {"kind": "no_such_kind"}) == CheckResult(False, "unknown check 'no_such_kind'")
    matcher = {"kind": "check", "check": {"kind": "vm"}, "negate": True}
    assert run_matcher(_ctx(world), matcher)
    assert not run_matcher(_ctx(world), {"kind": "no_such_matcher"})
    # a service's matcher is found through the registry too (no identity yet: no mistake)
    assert match(_ctx(world), {"kind": "wrong_scope", "principal": "vm"}) == CheckResult(False)


def test_a_new_service_adds_its_checks(monkeypatch: pytest.MonkeyPatch, clock: FixedClock) -> None:
    from tests.conftest import TEST_KEYS

    def _widget(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
        return CheckResult(ctx.vars.get("widget") == p.get("want"), f"widget is {ctx.vars.get('widget')}")

    def _broken(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
        raise RuntimeError("boom")

    module = types.ModuleType("azshell_test_fake_checks")
    module.CHECKS = {"widget": _widget, "broken": _broken}  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    registry = default_registry().with_service(Service(name="fake", checks=module.__name__))
    world = open_world(":memory:", clock=clock, signing_key=TEST_KEYS, registry=registry)
    try:
        assert run_check(_ctx(world, widget="blue"), {"kind": "widget", "want": "blue"}).ok
        assert run_check(_ctx(world, widget="red"), {"kind": "widget", "want": "blue"}) == \
            CheckResult(False, "widget is red")
        assert run_check(_ctx(world), {"kind": "broken"}) == CheckResult(False, "check failed: RuntimeError: boom")
        assert not run_check(_ctx(world), {"kind": "vm"}).ok  # the other services' kinds are still there
    finally:
        world.close()


def _fake_module(monkeypatch: pytest.MonkeyPatch, name: str, **tables: Any) -> str:
    module = types.ModuleType(name)
    for key, value in tables.items():
        setattr(module, key, value)
    monkeypatch.setitem(sys.modules, name, module)
    return name


def test_a_new_service_adds_its_matchers(monkeypatch: pytest.MonkeyPatch, clock: FixedClock) -> None:
    from tests.conftest import TEST_KEYS

    def _widget_broken(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
        return CheckResult(ctx.vars.get("widget") == "broken", "the widget says why")

    mod = _fake_module(monkeypatch, "azshell_test_fake_matchers", MATCHERS={"widget_broken": _widget_broken})
    registry = default_registry().with_service(Service(name="fake", matchers=mod))
    world = open_world(":memory:", clock=clock, signing_key=TEST_KEYS, registry=registry)
    try:
        assert match(_ctx(world, widget="broken"), {"kind": "widget_broken"}) == \
            CheckResult(True, "the widget says why")
        assert not run_matcher(_ctx(world, widget="fine"), {"kind": "widget_broken"})
        assert "wrong_scope" in world.registry.matchers()  # the other services' matchers are still there
    finally:
        world.close()


@pytest.mark.parametrize(("field", "table", "key", "what"), [
    ("checks", "CHECKS", "role_assignment", "check kind 'role_assignment'"),
    ("matchers", "MATCHERS", "wrong_scope", "matcher kind 'wrong_scope'"),
    ("az", "AZ_COMMANDS", ("role", "assignment", "create"), "az command 'role assignment create'"),
])
def test_two_services_declaring_one_key_is_an_error(monkeypatch: pytest.MonkeyPatch, field: str, table: str,
                                                    key: Any, what: str) -> None:
    mod = _fake_module(monkeypatch, f"azshell_test_dup_{field}", **{table: {key: lambda *a: None}})
    registry = default_registry().with_service(Service(name="fake", **{field: mod}))
    joined = {"checks": registry.checks, "matchers": registry.matchers, "az": registry.az_commands}[field]
    with pytest.raises(ValueError, match=f"services 'fake' and 'authorization' both declare the {what}"):
        joined()

