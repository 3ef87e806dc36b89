"""The generated tutorial notebooks: up to date with the definitions, and every one runs top to bottom twice.

Each notebook is executed with nbclient twice in one kernel — Run All, then Run All again, as a learner does in
JupyterLab: the second run starts with the session still on the VM and every variable of the first run set — and
all of them on one state file, one after another (the tutorials share resource-group names, in different
locations). The first cell, ``Start-Tutorial -Name <name> -Restart -Quiet``, is what makes that work: it leaves the
host, removes what an earlier run created and starts at step 1. ``make notebooks`` regenerates the files.

Timing (2 cores): about 2 s per notebook run, under a minute for the 23 notebooks twice.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from azshell.tutorials.definitions import load_tutorials
from azshell.tutorials.notebooks import notebook_for, write_all
from tests.conftest import require_module
from tests.kernel.conftest import output_text

REPO = Path(__file__).resolve().parents[2]
FOLDER = REPO / "notebooks" / "tutorials"
NAMES = list(load_tutorials())
CELL_TIMEOUT = 60  # seconds
#: how a tutorial status line starts (Start-Tutorial -Quiet, a pass, the completion, the short status)
STATUS = ("▶ ", "✔ ", "🎉 ", "── ")


def test_notebooks_are_up_to_date() -> None:
    stale = write_all(FOLDER, check=True)
    assert not stale, f"stale notebooks (run `make notebooks`): {[p.name for p in stale]}"


def test_notebook_shape() -> None:
    tut = load_tutorials()["current-windows-vm-access-arm"]
    nb = notebook_for(tut)
    assert nb["metadata"]["kernelspec"]["name"] == "azshell"
    kinds = [c["cell_type"] for c in nb["cells"]]
    assert kinds[:2] == ["markdown", "code"]
    assert "".join(nb["cells"][1]["source"]) == "Start-Tutorial -Name current-windows-vm-access-arm -Restart -Quiet"
    assert "Remove-AzResourceGroup -Name myResourceGroup -Force" in "".join(nb["cells"][0]["source"])
    checks = [c for c in nb["cells"] if "".join(c["source"]).startswith("Assert-TutorialStep")]
    assert len(checks) == len(tut.steps)
    assert all(c.get("outputs") == [] for c in nb["cells"] if c["cell_type"] == "code")
    assert "{" not in "".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.fixture(scope="module")
def jupyter_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A hermetic Jupyter environment and ONE state file for every notebook of this module."""
    from tests.kernel.conftest import hermetic_env, write_test_kernelspec

    root = tmp_path_factory.mktemp("jupyter-tutorials")
    write_test_kernelspec(root)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in hermetic_env(root).items():
            mp.setenv(key, value)
        mp.setenv("AZSHELL_STATE", str(root / "state.db"))
        yield root



def _check_run(name: str, run: int, nb: Any) -> None:
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    errors = [(c.id, output_text(o)) for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, f"{name}, run {run}: {errors[:2]}"
    first = "".join(output_text(o) for o in code[0].outputs)
    assert first.startswith(f"▶ {name} started over"), first
    if run == 2:  # the first run left the session on a host and the resource group in place
        assert "removed resource group" in first, first
    text = "\n".join(output_text(o) for c in code for o in c.outputs)
    assert "🎉 Tutorial complete" in text
    assert "Get-TutorialStep shows it" not in text
    assert not re.search(r"\[\^/\]|\\\.|\.\*", text), "a status line shows a regular expression"
    completed = False
    for cell in code:  # one short status per cell (the last step's cell adds the completion line)
        lines = [ln for o in cell.outputs if o.output_type == "stream" for ln in str(o.text).splitlines()]
        statuses = [ln for ln in lines if ln.startswith(STATUS) and not ln.startswith("🎉 ")]
        # once the tutorial is complete it is no longer active: a cell that is not a check says nothing of it
        wanted = (0, 1) if completed else (1,)
        assert len(statuses) in wanted, f"{name}, run {run}, cell {cell.id}: {statuses or lines}"
        assert not any(re.match(r"\s*Step \d+/\d+: ", ln) for ln in lines), f"{cell.id} repeats the step's text"
        completed = completed or any(ln.startswith("🎉 ") for ln in lines)


@pytest.mark.slow
@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_twice_on_one_state(jupyter_env: Path, name: str) -> None:
    nbformat = require_module("nbformat")
    nbclient = require_module("nbclient")
    assert os.environ["AZSHELL_STATE"].endswith("state.db")
    source = nbformat.reads((FOLDER / f"{name}.ipynb").read_text(encoding="utf-8"), as_version=4)
    client = nbclient.NotebookClient(copy.deepcopy(source), kernel_name="azshell", timeout=CELL_TIMEOUT,
                                     allow_errors=True, shutdown_kernel="immediate")
    with client.setup_kernel():
        for run in (1, 2):  # Run All twice in one kernel
            client.nb = nb = copy.deepcopy(source)
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            _check_run(name, run, nb)
