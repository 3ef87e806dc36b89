"""The lesson notebooks in ``notebooks/lessons``: each runs top to bottom on a fresh tenant, and is clean in git.

Execution (marked ``slow``; runs in CI) drives the real ``azshell`` kernel with nbclient, one notebook per test,
with the kernel's working folder in a temporary directory. A cell that errors fails the test
(``CellExecutionError``); the lessons show their failures (403, IMDS off the VM…) inside ``try``/``catch``.
Each lesson's key outputs — what the official tutorial shows — are checked too.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_module
from tests.kernel.conftest import output_text

nbformat = require_module("nbformat")
nbclient = require_module("nbclient")
require_module("ipykernel")

REPO = Path(__file__).resolve().parents[2]
LESSONS_DIR = REPO / "notebooks" / "lessons"
LESSONS = sorted(LESSONS_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 60  # seconds, per cell

GUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

#: what each lesson must print: the output the official tutorial shows, and its failure cell's message
EXPECTED: dict[str, list[str]] = {
    "01-vm-to-arm.ipynb": [
        # the tutorial's documented ARM answer, with this tenant's subscription id
        rf'\{{"id":"/subscriptions/{GUID}/resourceGroups/DevTest","name":"DevTest","location":"westus",'
        r'"properties":\{"provisioningState":"Succeeded"\}\}',
        r"Unable to connect to the remote server",  # IMDS off the VM
        r"http://localhost:50342/oauth2/token",  # the 2017 extension endpoint, after Enable-Msi
        r"Signature\s+✓ valid",  # Show-Token checked the token against the tenant's keys
    ],
    "02-vm-to-key-vault.ipynb": [
        r"My Secret\s+https://mi-lab-vault\.vault\.azure\.net/secrets/mi-test/",
        r"AKV10022: Invalid audience\. Expected https://vault\.azure\.net",
        r"401 \(Unauthorized\)",
    ],
    "03-vm-to-data-lake.ipynb": [
        r'"pathSuffix":"TestFolder","type":"DIRECTORY"',
        r"307\s+Temporary Redirect",
        r"201\s+Created",
        r"Test file\.",
        r"AccessControlException",
        r"403 \(Forbidden\)",
    ],
    "04-user-assigned-identity.ipynb": [
        r"Microsoft\.ManagedIdentity/userAssignedIdentities",
        rf'\{{"id":"/subscriptions/{GUID}/resourceGroups/myResourceGroupVM","name":"myResourceGroupVM"',
        r'"error":"invalid_request","error_description":"Identity not found"',
    ],
    "05-app-service-and-functions.ipynb": [
        r"http://localhost:4141/MSI/token",
        r"(?m)^hunter2$",
        r"ForbiddenByRbac",
        r"403 \(Forbidden\)",
        r"✗ DENIED[\s\S]*Fix\s+: New-AzRoleAssignment",  # Test-AzAccess explains the 403
        r"(?m)^hunter2$[\s\S]*^hunter2$",  # the web app, then the function app once granted
    ],
    "06-time-and-propagation.ipynb": [
        r'"code":"ExpiredAuthenticationToken"',  # the old token, a day and an hour later
        r"401 \(Unauthorized\)",
        rf'\{{"id":"/subscriptions/{GUID}/resourceGroups/DevTest","name":"DevTest"',  # a fresh token works
        r"If access was recently granted, please refresh your credentials\.",  # before propagation
        r"takes effect in \d+ min",  # Test-AzAccess explains the 403
        rf'\{{"id":"/subscriptions/{GUID}/resourceGroups/Staging","name":"Staging"',  # after Advance 00:05:01
    ],
    "07-faults-and-retries.ipynb": [
        r"429 \(Too Many Requests\)",
        r"Retry-After: 1",
        r"attempt 1: 429, retrying[\s\S]*attempt 3: 200 OK",
        r"(?s)(oauth2/token → 429 \(injected fault\).*){3}oauth2/token → 200",  # the event log: 3 x 429, then 200
    ],
    "08-access-graph.ipynb": [
        r"Access graph of resource group DevTest",  # the SVG's text/plain fallback
        r"Owner → resource group DevTest  \(inherited from subscription",
        r"access policy secrets: get, list → key vault mi-lab-vault",
        r"ACL           rwx → Data Lake path mystore/TestFolder",
        r"member of     vault-readers \(group\)",
        r"✗ DENIED  myVM \(VM, system-assigned\) → Data Lake store mystore: WebHDFS CREATE",
        r"graph\.svg <svg xmlns=",
    ],
}


def _read(path: Path) -> Any:
    return nbformat.read(path, as_version=4)



def test_every_lesson_is_known() -> None:
    assert [p.name for p in LESSONS] == sorted(EXPECTED)


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_runs_top_to_bottom(path: Path, tmp_path: Path) -> None:
    nb = _read(path)
    client = nbclient.NotebookClient(
        nb,
        kernel_name="azshell",
        timeout=CELL_TIMEOUT,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": str(tmp_path)}},  # files a lesson writes land here
    )
    client.execute()  # raises CellExecutionError at the first cell that errors

    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code_cells)
    errors = [o for c in code_cells for o in c.outputs if o.output_type == "error"]
    assert errors == []
    text = "\n".join(output_text(o) for c in code_cells for o in c.outputs)
    for pattern in EXPECTED[path.name]:
        assert re.search(pattern, text), f"{path.name}: no output matches {pattern!r}"
    assert "Traceback (most recent call last)" not in text
    assert list(tmp_path.iterdir()) == [], "the lesson should clean up the files it writes"


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem for p in LESSONS])
def test_lesson_is_committed_clean(path: Path) -> None:
    nb = _read(path)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "azshell"
    assert nb.metadata.kernelspec.language == "powershell"
    assert nb.metadata.language_info.name == "powershell"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name} cell {cell.id}: outputs must be cleared"
            assert cell.execution_count is None, f"{path.name} cell {cell.id}: execution_count must be None"
        assert "execution" not in cell.metadata
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    assert "This notebook demonstrates" in first.source  # STYLE habit 15: say what it shows, first


def test_readme_indexes_every_lesson() -> None:
    readme = (REPO / "notebooks" / "README.md").read_text(encoding="utf-8")
    for path in LESSONS:
        assert f"lessons/{path.name}" in readme
