"""What ``curl`` and ``az`` share as native-like commands: raw arguments, stdout lines, stderr text, exit codes.

PowerShell runs a native program, splits what it writes to stdout into lines (the output objects), shows what it
writes to stderr on the console, and sets ``$LASTEXITCODE``. These helpers do the same for the emulated ones.
"""

from __future__ import annotations

from typing import Any

from azshell.lang.cmdlet import Cmdlet, Param

__all__ = ["ARGUMENTS_PARAM", "NativeCommand"]

#: The only parameter of a native-like command: every token, ``-H`` and ``--data`` included (see
#: ``Binder.takes_raw_arguments``).
ARGUMENTS_PARAM = Param("Arguments", "object[]", value_from_remaining_arguments=True,
                        help="The command line, as a native program gets it.")


class NativeCommand(Cmdlet):
    """Base of ``curl`` and ``az``: argument strings in, text lines out, ``$LASTEXITCODE`` set."""

    params = (ARGUMENTS_PARAM,)

    def arguments(self) -> list[str]:
        from azshell.lang.conversions import to_string

        raw: Any = self.params.get("Arguments") if isinstance(self.params, dict) else None
        out: list[str] = []
        value: Any
        for value in raw or []:
            if isinstance(value, list):  # an array argument: PowerShell passes each element
                out.extend(to_string(v) for v in value)
            else:
                out.append(to_string(value))
        return out

    def stdout(self, text: str) -> None:
        """Write ``text`` as PowerShell receives a native program's stdout: one string per line."""
        if not text:
            return
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        for line in lines:
            self.write(line[:-1] if line.endswith("\r") else line)

    def stderr(self, text: str, *, error: bool = False) -> None:
        """Show ``text`` on the console (stderr is not captured by ``$x = ...``, as in PowerShell 7)."""
        for line in text.rstrip("\n").split("\n"):
            self.ctx.write_host(line, color="red" if error else None)

    def set_exit_code(self, code: int) -> None:
        ev: Any = getattr(self.ctx, "ev", None)
        if ev is not None and hasattr(ev, "set_variable"):
            ev.set_variable("LASTEXITCODE", code, "global")
        else:
            self.ctx.set_variable("LASTEXITCODE", code)
