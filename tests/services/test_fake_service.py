"""Adding a service is one folder and one registry line: a fake service written to a temporary folder becomes
routable (in-process and through the proxy's host list) and its cmdlet callable, with nothing else changed."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from azshell.planes.base import Request
from azshell.planes.router import Planes
from azshell.server.proxy import TlsHosts, is_tls_host
from azshell.services.base import Registry
from azshell.services.registry import SERVICES, default_registry, open_world
from azshell.session import Session

INIT = '''
from azshell.services.base import PlaneRoute, Service, host_suffix

SERVICE = Service(
    name="fakesvc",
    planes=(PlaneRoute("fakesvc", host_suffix(".fake.azure.test"), "fakesvc.plane:handle",
                       tls_suffixes=(".fake.azure.test",)),),
    cmdlets=("fakesvc.cmdlets",),
)
'''
PLANE = '''
from azshell.planes.base import Response


def handle(request, world):
    return Response.json(200, {"host": request.host, "path": request.path, "tenant": world.tenant_id})
'''
CMDLETS = '''
from azshell.cmdlets._base import AzCmdlet
from azshell.lang.cmdlet import Example, Param


class GetFakeThing(AzCmdlet):
    name = "Get-FakeThing"
    synopsis = "Asks the fake service's plane for a thing."
    params = (Param("Name", "string", mandatory=True, position=0),)
    examples = (Example("Get-FakeThing widget", "Gets the widget."),)

    def process(self):
        resp = self.services.http.get(f"https://things.fake.azure.test/{self.bound['Name']}")
        self.write(resp.json()["path"])


COMMANDS = (GetFakeThing,)
'''


@pytest.fixture
def fake_registry(tmp_path: Path) -> Iterator[Registry]:
    pkg = tmp_path / "fakesvc"
    pkg.mkdir()
    for name, text in (("__init__.py", INIT), ("plane.py", PLANE), ("cmdlets.py", CMDLETS)):
        (pkg / name).write_text(textwrap.dedent(text), encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        import fakesvc  # type: ignore[import-not-found]

        yield Registry((*SERVICES, fakesvc.SERVICE))  # the one "registry line"
    finally:
        sys.path.remove(str(tmp_path))
        for mod in [m for m in sys.modules if m == "fakesvc" or m.startswith("fakesvc.")]:
            del sys.modules[mod]


def test_a_new_service_is_routable_and_its_cmdlet_callable(fake_registry: Registry) -> None:
    world = open_world(":memory:", registry=fake_registry)
    try:
        planes = Planes(world)
        resp = planes.dispatch(Request.build("GET", "https://things.fake.azure.test/widget"))
        assert resp.status == 200 and resp.json_body()["path"] == "/widget"
        assert is_tls_host("things.fake.azure.test", 443, TlsHosts.of(fake_registry))

        session = Session(world=world)
        result = session.execute("Get-FakeThing widget")
        assert not result.had_errors, [r.value for r in result.records]
        assert [r.value for r in result.records if r.stream == "output"] == ["/widget"]
    finally:
        world.close()


def test_without_its_registry_line_the_service_does_not_exist() -> None:
    registry = default_registry()
    assert not is_tls_host("things.fake.azure.test", 443, TlsHosts.of(registry))
    world = open_world(":memory:", registry=registry)
    try:
        from azshell.planes.base import HostUnreachableError

        with pytest.raises(HostUnreachableError):
            Planes(world).dispatch(Request.build("GET", "https://things.fake.azure.test/widget"))
        result = Session(world=world).execute("Get-FakeThing widget")
        assert result.had_errors
    finally:
        world.close()


def test_registries_are_separate_objects() -> None:
    a, b = default_registry(), default_registry()
    assert a is not b and a.catalog() is not b.catalog()
    with pytest.raises(ValueError, match="duplicate"):
        Registry((*SERVICES, SERVICES[0]))
