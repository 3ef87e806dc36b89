"""Every generic cmdlet's first help example runs through a fresh Engine without an internal error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from azshell.lang.builtins import builtin_commands
from azshell.lang.filesystem import LocalFileSystem
from tests.lang.conftest_lang import make_engine, run_text

COMMANDS = builtin_commands()


@pytest.mark.parametrize("cls", COMMANDS, ids=[c.name for c in COMMANDS])
def test_first_example_runs_clean(cls: Any, tmp_path: Path) -> None:
    assert cls.examples, f"{cls.name} has no help example"
    code = cls.examples[0].code
    eng = make_engine(fs=LocalFileSystem(str(tmp_path)))
    eng.read_host = lambda prompt, secure: "typed"
    out, err, _ = run_text(eng, code)
    messages = [e.message for e in err]
    assert not any("internal error" in m for m in messages), messages
    if cls.name != "Write-Error":  # its example writes an error on purpose
        assert not messages, f"{cls.name}: {code!r} -> {messages}"
