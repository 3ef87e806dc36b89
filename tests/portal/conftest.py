"""Fixtures for the portal tests: a tenant with the resources the blades need, made through the shell (so
through the planes), and a ``Browse`` helper that calls the portal in-process as a browser would."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest

from azshell.planes.base import Request, Response
from azshell.planes.router import Planes
from azshell.portal import Portal
from azshell.world import World
from tests.cmdlets._shell import Shell

HOST = "127.0.0.1:8123"


@dataclass
class Page:
    status: int
    text: str
    location: str | None

    @property
    def alert(self) -> str:
        """The error banner's text ("" when there is none)."""
        found = re.search(r'role="alert">(.*?)</div>', self.text, re.S)
        return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).strip() if found else ""

    @property
    def status_message(self) -> str:
        found = re.search(r'role="status">(.*?)</p>', self.text, re.S)
        return html.unescape(found.group(1)) if found else ""


class Browse:
    """GET and POST portal pages in-process (no sockets), following a POST's redirect."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal

    def raw(self, method: str, url: str, *, form: dict[str, str] | list[tuple[str, str]] | None = None,
            headers: dict[str, str] | None = None) -> Response:
        h = {"Host": HOST, **(headers or {})}
        body = b""
        if form is not None:
            body = urlencode(form).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
            h.setdefault("Origin", f"http://{HOST}")
        return self.portal(Request.build(method, f"http://azshell.portal{url}", headers=h, body=body))

    def get(self, url: str) -> Page:
        r = self.raw("GET", url)
        return Page(r.status, r.body.decode("utf-8"), r.headers.get("Location"))

    def post(self, url: str, form: dict[str, str] | list[tuple[str, str]]) -> Page:
        r = self.raw("POST", url, form=form)
        page = Page(r.status, r.body.decode("utf-8"), r.headers.get("Location"))
        if r.status == 303 and page.location:
            return self.get(page.location)
        return page


@dataclass
class Tenant:
    shell: Shell
    browse: Browse
    sub: str
    vm_id: str
    uai_id: str
    vault_id: str
    store_id: str
    rg_id: str


@pytest.fixture
def tenant(world: World) -> Iterator[Tenant]:
    shell = Shell(world)
    shell.ok("New-AzResourceGroup -Name rg1 -Location westus | Out-Null")
    shell.ok("New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus | Out-Null")
    shell.ok("New-AzUserAssignedIdentity -ResourceGroupName rg1 -Name id1 -Location westus | Out-Null")
    shell.ok("New-AzKeyVault -Name kv-portal -ResourceGroupName rg1 -Location westus -DisableRbacAuthorization"
             " | Out-Null")
    shell.ok("New-AzDataLakeStoreAccount -ResourceGroupName rg1 -Name adlsportal -Location eastus2 | Out-Null")
    sub = shell.sub
    rg = f"/subscriptions/{sub}/resourceGroups/rg1"
    portal = Portal(Planes(world))
    yield Tenant(shell, Browse(portal), sub, f"{rg}/providers/Microsoft.Compute/virtualMachines/vm1",
                 f"{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id1",
                 f"{rg}/providers/Microsoft.KeyVault/vaults/kv-portal",
                 f"{rg}/providers/Microsoft.DataLakeStore/accounts/adlsportal", rg)
    portal.close()
