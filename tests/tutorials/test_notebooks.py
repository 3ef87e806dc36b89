"""The generated tutorial notebooks: up to date with the definitions, and (a subset) executing clean.

Executing all 23 notebooks would take minutes of kernel start-ups; CI runs the three ARM tutorials (both eras, both
flavours), which exercise every kind of cell the generator writes (portal cmdlets, Enter-AzVM, token requests,
curl, checks). ``make notebooks`` regenerates the files.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from azshell.tutorials.definitions import load_tutorials
from azshell.tutorials.notebooks import notebook_for, write_all
from tests.conftest import require_module

REPO = Path(__file__).resolve().parents[2]
FOLDER = REPO / "notebooks" / "tutorials"
EXECUTED = ("current-windows-vm-access-arm", "2017-windows-vm-access-arm", "current-linux-vm-access-arm")


def test_notebooks_are_up_to_date() -> None:
    stale = write_all(FOLDER, check=True)
    assert not stale, f"stale notebooks (run `make notebooks`): {[p.name for p in stale]}"


def test_notebook_shape() -> None:
    tut = load_tutorials()["current-windows-vm-access-arm"]
    nb = notebook_for(tut)
    assert nb["metadata"]["kernelspec"]["name"] == "azshell"
    kinds = [c["cell_type"] for c in nb["cells"]]
    assert kinds[:2] == ["markdown", "code"]
    checks = [c for c in nb["cells"] if "".join(c["source"]).startswith("Assert-TutorialStep")]
    assert len(checks) == len(tut.steps)
    assert all(c.get("outputs") == [] for c in nb["cells"] if c["cell_type"] == "code")


@pytest.fixture(scope="module")
def jupyter_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    from tests.kernel.conftest import hermetic_env, write_test_kernelspec

    root = tmp_path_factory.mktemp("jupyter-tutorials")
    write_test_kernelspec(root)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in hermetic_env(root).items():
            mp.setenv(key, value)
        yield root


@pytest.mark.slow
@pytest.mark.parametrize("name", EXECUTED)
def test_notebook_executes_clean(jupyter_env: Path, name: str, tmp_path: Path) -> None:
    nbformat = require_module("nbformat")
    nbclient = require_module("nbclient")
    os.environ["AZSHELL_STATE"] = str(tmp_path / "state.db")  # a fresh tenant per notebook
    nb = nbformat.reads((FOLDER / f"{name}.ipynb").read_text(encoding="utf-8"), as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="azshell", timeout=60, allow_errors=False)
    client.execute()
    text = json.dumps(nb, ensure_ascii=False)
    assert "Tutorial complete" in text
    assert "── Tutorial " in text  # cells end with the step status while the tutorial runs
    assert "text/html" in text  # Start-Tutorial rendered the step as HTML
    assert "\"output_type\": \"error\"" not in text
