"""The Linux flavour of the tutorials: ``curl`` and ``az`` inside the shell, over the same in-process planes.

Both are native-like commands (one remaining-arguments parameter, so ``-H``, ``-i`` and ``--data`` reach them as
typed); they write text lines and set ``$LASTEXITCODE``.
"""

from __future__ import annotations

from azshell.cmdlets.linux.az import Az
from azshell.cmdlets.linux.curl import Curl
from azshell.lang.cmdlet import Cmdlet

__all__ = ["COMMANDS", "Az", "Curl"]

COMMANDS: tuple[type[Cmdlet], ...] = (Curl, Az)
