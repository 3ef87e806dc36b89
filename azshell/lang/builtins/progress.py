"""``Write-Progress``: a progress record for the host (a bar in the REPL, an updating display in Jupyter).

As in PowerShell, progress never enters the pipeline and is not redirectable; ``$ProgressPreference =
'SilentlyContinue'`` (or ``-ProgressAction SilentlyContinue``) hides it, and a host without a progress view
(``azshell -c``, a script, a pipe) shows nothing.
"""

from __future__ import annotations

from azshell.lang.builtins._util import UTILITY, Builtin
from azshell.lang.cmdlet import Example, Param
from azshell.lang.conversions import to_string
from azshell.lang.progress import ProgressRecord

__all__ = ["COMMANDS", "WriteProgress"]


class WriteProgress(Builtin):
    name = "Write-Progress"
    module = UTILITY
    synopsis = "Displays a progress bar within a PowerShell command window."
    description = ("Shows a progress bar with the activity, its status and how far it got. Records with the same "
                   "-Id update one bar; -ParentId nests a bar under another; -Completed removes it. The bar is "
                   "drawn by the host (the REPL's terminal, a Jupyter cell) and never written to the pipeline; "
                   "$ProgressPreference = 'SilentlyContinue' hides it.")
    params = (
        Param("Activity", "string", position=0, help="The first line of text in the heading above the bar."),
        Param("Status", "string", position=1, help="The second line of text (default: Processing)."),
        Param("Id", "int", position=2, help="Distinguishes this progress bar from the others (default 0)."),
        Param("PercentComplete", "int", validate_range=(-1, 100),
              help="How far the activity got (0-100); -1 hides the percentage."),
        Param("SecondsRemaining", "int", help="Estimated seconds left."),
        Param("CurrentOperation", "string", help="The line below the bar."),
        Param("ParentId", "int", help="The Id of the parent activity (-1: none)."),
        Param("Completed", "switch", help="The activity is done: the bar is removed."),
        Param("SourceId", "int", help="The source of the record (kept for compatibility)."),
    )
    examples = (
        Example('for ($i = 1; $i -le 100; $i++) { Write-Progress -Activity "Search in Progress" '
                '-Status "$i% Complete:" -PercentComplete $i; Start-Sleep -Milliseconds 20 }',
                "Shows a bar that moves from 1 to 100 percent."),
        Example('Write-Progress -Activity "Search in Progress" -Completed', "Removes the bar."),
    )

    def process(self) -> None:
        b = self.bound
        status = b.get("Status")
        record = ProgressRecord(
            activity=to_string(b.get("Activity") or ""),
            status="Processing" if status is None else to_string(status),
            activity_id=int(b.get("Id", 0) or 0),
            parent_id=int(b.get("ParentId", -1) if b.get("ParentId") is not None else -1),
            percent_complete=int(b.get("PercentComplete", -1) if b.get("PercentComplete") is not None else -1),
            seconds_remaining=int(b.get("SecondsRemaining", -1) if b.get("SecondsRemaining") is not None else -1),
            current_operation=to_string(b.get("CurrentOperation") or ""),
            completed=bool(b.get("Completed")),
            source=self.name,
        )
        self.write_progress(record)


COMMANDS = (WriteProgress,)
