"""Keep REPL tests away from the user's home: AZSHELL_HOME and a throwaway state for every test."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _azshell_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZSHELL_HOME", str(tmp_path / "azshell-home"))
    monkeypatch.setenv("AZSHELL_STATE", ":memory:")
    monkeypatch.setenv("NO_COLOR", "1")
