"""Hermetic Jupyter environment for the kernel tests (never the user's home).

A kernelspec ``azshell`` is written into a temporary ``JUPYTER_PATH`` (highest priority for
``KernelSpecManager``), pointing at this interpreter and the checked-out code; every directory Jupyter or
IPython might write (data, config, runtime, ``IPYTHONDIR``) and ``AZSHELL_HOME`` are temporary too, and each
kernel uses a throwaway ``AZSHELL_STATE=:memory:`` tenant. The variables are set for the kernel tests only
(session fixture, undone afterwards); kernel subprocesses inherit them.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from azshell_kernel.install import kernel_json

REPO = Path(__file__).resolve().parents[2]


def write_test_kernelspec(root: Path) -> Path:
    spec_dir = root / "data" / "kernels" / "azshell"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = kernel_json(sys.executable)
    spec["display_name"] = "azshell (tests)"
    # run the checked-out code even without an editable install
    spec["env"] = {"PYTHONPATH": os.pathsep.join([str(REPO / "kernel"), str(REPO)])}
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=2))
    return spec_dir


def hermetic_env(root: Path) -> dict[str, str]:
    return {
        "JUPYTER_PATH": str(root / "data"),
        "JUPYTER_DATA_DIR": str(root / "userdata"),
        "JUPYTER_CONFIG_DIR": str(root / "config"),
        "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
        "IPYTHONDIR": str(root / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "AZSHELL_HOME": str(root / "azshell-home"),
        "AZSHELL_STATE": ":memory:",
    }


@pytest.fixture(scope="session", autouse=True)
def jupyter_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("jupyter")
    write_test_kernelspec(root)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in hermetic_env(root).items():
            mp.setenv(key, value)
        yield root


def output_text(output: Any) -> str:
    """The text of one notebook cell output (stream, display/result text, or an error's traceback)."""
    if output.output_type == "stream":
        return str(output.text)
    if output.output_type in ("display_data", "execute_result"):
        return str(output.data.get("text/plain", ""))
    if output.output_type == "error":
        return "\n".join(output.traceback)
    return ""
