"""Hermetic Jupyter environment for the lesson notebooks (never the user's home).

The same set-up as the kernel tests (``tests/kernel/conftest.py``, whose helpers this reuses): an ``azshell``
kernelspec in a temporary ``JUPYTER_PATH`` running this interpreter and the checked-out code, temporary Jupyter,
IPython and ``AZSHELL_HOME`` directories, and ``AZSHELL_STATE=:memory:`` so every notebook starts from a fresh
throwaway tenant. Set for these tests only (session fixture, undone afterwards); kernel subprocesses inherit it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.kernel.conftest import hermetic_env, write_test_kernelspec


@pytest.fixture(scope="session", autouse=True)
def notebook_jupyter_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("jupyter-notebooks")
    write_test_kernelspec(root)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in hermetic_env(root).items():
            mp.setenv(key, value)
        yield root
