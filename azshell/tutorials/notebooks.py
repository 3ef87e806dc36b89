"""Generate one Jupyter notebook per tutorial (``notebooks/tutorials/<name>.ipynb``) from the definitions.

The first code cell is ``Start-Tutorial -Name <name> -Restart -Quiet``: it starts over on a clean slate (leaves
any host, runs the tutorial's clean-up, forgets its variables), so the notebook runs top to bottom any number of
times on one state; ``-Quiet`` makes each cell end with one short status (the Markdown cells show the steps).
Each step becomes a markdown cell (title, explanation), one code cell per command, and a check cell
(``Assert-TutorialStep <id> -Tutorial <name>``) that fails the notebook when the step did not pass. Outputs are
empty, so the files only change when a definition does. ``python -m azshell.tutorials.notebooks [DIR]`` (what
``make notebooks`` runs) rewrites them; ``--check`` exits 1 if any is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from azshell.tutorials.definitions import Tutorial, load_tutorials
from azshell.tutorials.engine import PORTAL_START, Progress, TutorialEngine, resource_ids

__all__ = ["DEFAULT_DIR", "notebook_for", "render_notebook", "write_all"]

DEFAULT_DIR = Path("notebooks") / "tutorials"

KERNELSPEC = {"display_name": "azshell (PowerShell)", "language": "powershell", "name": "azshell"}
LANGUAGE_INFO = {"name": "powershell", "file_extension": ".ps1", "mimetype": "text/x-powershell",
                 "codemirror_mode": "powershell", "pygments_lexer": "powershell"}


class _Names(TutorialEngine):
    """Placeholder values without a tenant: the learner's names; IDs the state assigns become
    ``$($TutorialValues.key)``, a variable Start-Tutorial and Assert-TutorialStep keep up to date."""

    def __init__(self) -> None:  # no world: notebooks are generated offline
        pass

    def values(self, tut: Tutorial, prog: Progress | None = None) -> dict[str, str]:
        vals = dict(tut.vars)
        vals.setdefault("location", "westus")
        for key in ("subscription_id", "tenant_id", "admin_upn", "principal_id", "app_principal_id", "identity_id",
                    "client_id", "uai_principal_id"):
            vals[key] = f"$($TutorialValues.{key})"
        vals.update(resource_ids(vals["subscription_id"], vals))
        return vals


def _cell(kind: str, source: str, cell_id: str) -> dict[str, Any]:
    lines = source.split("\n")
    src = [ln + "\n" for ln in lines[:-1]] + [lines[-1]]
    cell: dict[str, Any] = {"cell_type": kind, "id": cell_id, "metadata": {}, "source": src}
    if kind == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return cell


def _code(line: str) -> str:
    """A command as a notebook cell: ``'…$(…)…'`` single-quoted strings with lookups become double-quoted."""
    return line


def notebook_for(tut: Tutorial) -> dict[str, Any]:
    from azshell.tutorials.definitions import fill

    names = _Names()
    prog = Progress(name=tut.name)
    vals = names.values(tut, prog)
    readable = {k: (f"<{k}>" if v.startswith("$(") else v) for k, v in vals.items()}
    readable.update(resource_ids(readable["subscription_id"], readable))
    cleanup = [fill(c, readable) for c in tut.cleanup] + [f"delete the Entra group {fill(g, readable)}"
                                                          for g in tut.cleanup_groups]
    removes = "; ".join(f"`{c}`" if not c.startswith("delete ") else c for c in cleanup) or "nothing"
    cells = [
        _cell("markdown", f"# {tut.title}\n\n*{tut.era}, {tut.flavour}* — follows `{tut.source}`.\n\n{fill(tut.summary, readable)}\n\n"
                          "Generated from the azshell tutorial definition (`make notebooks`). Run it top to bottom, "
                          "as many times as you like: the first cell starts the tutorial over (`-Restart`: it "
                          f"leaves any host, removes what an earlier run created — {removes} — and forgets the "
                          "tutorial's variables). Each step ends with a check cell; with `-Quiet` every cell ends "
                          "with one short status line, and these Markdown cells show the steps.", "intro"),
        _cell("code", f"Start-Tutorial -Name {tut.name} -Restart -Quiet", "start"),
    ]
    for i, step in enumerate(tut.steps):
        portal = "\n\n*Portal step, done here with cmdlets.*" if step.portal else ""
        if step.portal_page:
            page = fill(step.portal_page, readable)
            portal = (f"\n\n**Do it in the portal** ({PORTAL_START}; `Get-TutorialStep` shows the full link) "
                      f"at `{page}` and go on with the check cell, or run the cell{'s' if len(step.commands) > 1 else ''} "
                      "below: the check looks at the tenant, not at how you did it.")
        cells.append(_cell("markdown", f"## Step {i + 1}: {step.title}\n\n{fill(step.explanation, readable)}{portal}",
                           f"s{i + 1}-md"))
        for j, cmd in enumerate(step.commands):
            cells.append(_cell("code", _code(_notebook_command(fill(cmd, vals))), f"s{i + 1}-c{j + 1}"))
        cells.append(_cell("code", f"Assert-TutorialStep {step.id} -Tutorial {tut.name}", f"s{i + 1}-check"))
    return {"cells": cells, "metadata": {"kernelspec": KERNELSPEC, "language_info": LANGUAGE_INFO},
            "nbformat": 4, "nbformat_minor": 5}


def _notebook_command(cmd: str) -> str:
    """Single-quoted strings holding ``$(...)`` lookups would not expand them: double-quote those."""
    import re

    def fix(m: re.Match[str]) -> str:
        body = m.group(1)
        return '"' + body.replace('"', '`"') + '"' if "$(" in body else m.group(0)

    return re.sub(r"'([^']*)'", fix, cmd)


def render_notebook(tut: Tutorial) -> str:
    return json.dumps(notebook_for(tut), indent=1, ensure_ascii=False) + "\n"


def write_all(folder: Path = DEFAULT_DIR, *, check: bool = False) -> list[Path]:
    """Write every notebook (or, with ``check``, return the stale/missing ones without writing)."""
    folder.mkdir(parents=True, exist_ok=True) if not check else None
    stale: list[Path] = []
    for name, tut in load_tutorials().items():
        path = folder / f"{name}.ipynb"
        text = render_notebook(tut)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current != text:
            stale.append(path)
            if not check:
                path.write_text(text, encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    check = "--check" in args
    rest = [a for a in args if a != "--check"]
    folder = Path(rest[0]) if rest else DEFAULT_DIR
    stale = write_all(folder, check=check)
    for p in stale:
        print(("stale: " if check else "wrote: ") + str(p))
    return 1 if check and stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
