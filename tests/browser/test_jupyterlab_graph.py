"""Show-AzAccessGraph in a real JupyterLab, in a real browser: the cell's ``image/svg+xml`` output is rendered as a
picture (JupyterLab renders SVG only for outputs it trusts, i.e. made in this session: so the cell is run from the
browser, through the azshell kernel), and the picture is the graph.

Marked ``slow``: it starts ``jupyter lab`` (hermetic: temporary Jupyter folders, the test kernelspec, a throwaway
tenant) and drives Debian's Chromium through Playwright (``tests/browser/conftest.py``).
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_module
from tests.kernel.conftest import hermetic_env, write_test_kernelspec

pytestmark = pytest.mark.slow

TOKEN = "azshell-test-token"
CELL = ("New-AzResourceGroup -Name DevTest -Location westus | Out-Null\n"
        "New-AzVM -ResourceGroupName DevTest -Name myVM -Location westus -IdentityType SystemAssigned | Out-Null\n"
        "$vm = Get-AzVM -ResourceGroupName DevTest -Name myVM\n"
        "New-AzRoleAssignment -ObjectId $vm.Identity.PrincipalId -RoleDefinitionName Reader "
        "-ResourceGroupName DevTest | Out-Null\n"
        "Show-AzAccessGraph -ResourceGroupName DevTest")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[str]:
    """A JupyterLab server on a free loopback port, serving ``tmp_path/work`` (with ``graph.ipynb``)."""
    require_module("jupyterlab")
    root = tmp_path / "jupyter"
    write_test_kernelspec(root)
    work = tmp_path / "work"
    work.mkdir()
    notebook = {"cells": [{"cell_type": "code", "execution_count": None, "id": "graph", "metadata": {},
                           "outputs": [], "source": CELL}],
                "metadata": {"kernelspec": {"display_name": "azshell", "language": "powershell", "name": "azshell"}},
                "nbformat": 4, "nbformat_minor": 5}
    (work / "graph.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    port = _free_port()
    env = {**os.environ, **hermetic_env(root)}
    log = (tmp_path / "lab.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", f"--port={port}", "--ip=127.0.0.1",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={work}", "--ServerApp.open_browser=False",
         "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=work)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                pytest.fail("jupyter lab did not start:\n" + (tmp_path / "lab.log").read_text()[-3000:])
            time.sleep(0.5)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.mark.timeout(300)
def test_the_access_graph_renders_as_a_picture_in_jupyterlab(lab: str, browser: Any, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(120_000)
    page = context.new_page()
    try:
        _run_cell(page, lab)
    except Exception as e:
        log = (tmp_path / "lab.log").read_text(encoding="utf-8", errors="replace")[-4000:]
        raise AssertionError(f"{e}\n\njupyter lab's log:\n{log}") from None
    finally:
        context.close()


def _run_cell(page: Any, lab: str) -> None:
    """Open the notebook, wait for the kernel, run the cell from the toolbar, check the rendered picture."""
    page.goto(f"{lab}/lab/tree/graph.ipynb?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-Cell .cm-content")
    # the kernel is up when the toolbar's status says Idle
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    page.wait_for_function("() => Array.from(document.querySelectorAll('.jp-StatusBar-Item'))"
                           ".some(e => /\\| Idle$/.test(e.textContent.trim()))", timeout=120_000)
    page.wait_for_timeout(1500)  # the session's websocket settles after the first idle status
    page.wait_for_selector(".jp-Notebook .jp-Cell .jp-InputPrompt")
    page.click(".jp-Notebook .jp-Cell .jp-InputPrompt")  # select the cell (command mode)
    page.click("[data-command='notebook:run-cell-and-select-next']")  # the toolbar's ▶
    try:
        image = page.wait_for_selector(".jp-RenderedSVG img", timeout=120_000)
    except Exception:
        outputs = "\n---\n".join(el.inner_html()[:3000] for el in page.query_selector_all(".jp-OutputArea"))
        raise AssertionError(f"no SVG output; the cells' outputs are:\n{outputs}") from None
    assert image is not None
    page.wait_for_function("img => img.complete && img.naturalWidth > 100", arg=image)
    box = image.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 40
    src = str(image.get_attribute("src"))
    assert src.startswith("data:image/svg+xml")
    payload = src.split(",", 1)[1]
    svg = base64.b64decode(payload).decode("utf-8") if ";base64" in src.split(",", 1)[0] \
        else urllib.parse.unquote(payload)
    labels = set(re.findall(r">([^<>]+)</text>", svg))
    assert {"myVM (VM, system-assigned)", "DevTest", "Reader", "Owner (inherited)"} <= labels
