"""Tutorial definitions: data files in ``azshell/tutorials/defs/*.toml``, one per tutorial, loaded into typed records.

A definition names the reference doc it follows and lists ordered steps. Each step has an explanation, the
commands to type (``{rg}``-style placeholders are filled from the learner's state), a check (a predicate from
:mod:`azshell.tutorials.checks`, referenced by ``kind`` with parameters) and hints for the usual mistakes::

    [[steps]]
    id = "enable-identity"
    title = "Turn on the VM's system-assigned identity"
    portal = true
    explanation = "..."
    commands = ["Update-AzVM -ResourceGroupName {rg} -VM $vm -IdentityType SystemAssigned"]
    check = {kind = "vm_identity", type = "SystemAssigned"}
    [[steps.hints]]
    when = {kind = "command", pattern = "AssignIdentity:\\$SystemAssigned"}
    text = "..."
    mistake = {at = "enable-identity", command = "Update-AzVM -ResourceGroupName {rg} -VM $vm -AssignIdentity:$SystemAssigned"}

A hint's ``when`` names a mistake matcher: one of :mod:`azshell.tutorials.checks` (``error``, ``text``,
``command``, ``check``, ``stale_token``) or one a service declares (``wrong_scope``, in authorization's
``checks.py``), found through the registry. The matchers about access read the access decision the plane took
(or takes) for the identity, and what it says is shown under the hint's ``text``, which stays as written.

Steps marked ``portal = true`` stand for the doc's portal clicks; ``Start-Tutorial -SetupPrerequisites`` runs
their commands for the learner.

A step that the portal of ``azshell portal`` can do names its page with ``portal_page``, a path template (the
page's resource id and blade, as the portal's URLs are)::

    portal_page = "{vm_id}?blade=identity"

Besides the tutorial's own placeholders it may use the ids the engine derives from them: ``{subscription_id}``,
``{rg_id}``, ``{identity_rg_id}``, ``{vm_id}``, ``{vmss_id}``, ``{app_id}``, ``{function_id}``, ``{vault_id}``,
``{storage_id}``, ``{store_id}`` and ``{identity_id}``. The step is then shown as "Do it in the portal at <link>,
or type: …" (a live link when an ``azshell serve`` runs on the state); its check reads the state, so either way
passes.

``Start-Tutorial -Restart`` starts over on a clean slate: it runs the tutorial's ``cleanup`` commands first (the
doc's "Clean up resources"; by default ``Remove-AzResourceGroup -Name {rg} -Force``, and the same for
``{identity_rg}`` when the tutorial has one) and deletes the Entra groups named in ``cleanup_groups`` (with
``Remove-AzADGroup``, through Microsoft Graph)::

    cleanup = ["Remove-AzResourceGroup -Name {rg} -Force"]
    cleanup_groups = ["{group}"]

Every hint carries a ``mistake``: a realistic wrong command that makes it fire, which the test suite replays
(``tests/tutorials/test_mistakes_all.py``); an inline table or a ``[steps.hints.mistake]`` sub-table::

    mistake = {at = "<step id>", command = "<the wrong command>", fix = ["<optional: the right commands>"],
               skip = ["<steps skipped on the way>"], setup = ["<commands that set the scene first>"]}

``at`` is the step the learner is on when making it (for a step's hint that step, the default; a tutorial-level
hint names the step where it is typically made); ``fix`` defaults to that step's commands; ``skip`` lists steps
the learner skipped (Skip-TutorialStep) before reaching ``at``; ``setup`` runs at ``at`` before the mistake.
Placeholders are filled as in commands, and ``"@<step id>"`` (as ``command`` or an entry of ``fix`` or
``setup``) stands for that step's commands.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

__all__ = ["Hint", "Step", "Tutorial", "TutorialDefinitionError", "fill", "get_tutorial", "load_tutorials",
           "tutorial_names"]

ERAS = ("2017", "current")
FLAVOURS = ("PowerShell", "Linux")

_PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*)\}")


class TutorialDefinitionError(ValueError):
    """A definition file is malformed (a packaging bug; tests load every file)."""


@dataclass(frozen=True)
class Hint:
    """A known mistake: ``when`` is a matcher (``{kind = ..., ...}``) and ``text`` teaches the fix."""

    when: dict[str, Any]
    text: str
    #: a realistic wrong command that triggers the hint (see the module docstring); None only in tests' own data
    mistake: dict[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Step:
    id: str
    title: str
    explanation: str
    commands: tuple[str, ...]
    check: dict[str, Any]
    portal: bool = False
    hint: str = ""
    hints: tuple[Hint, ...] = ()
    #: what the check looks for, in words (shown by Get-TutorialStep when the step has not passed yet)
    expect: str = ""
    #: the portal page where the step can be done instead (a path template, see the module docstring)
    portal_page: str = ""


@dataclass(frozen=True)
class Tutorial:
    name: str
    title: str
    era: str
    flavour: str
    source: str
    summary: str
    steps: tuple[Step, ...]
    vars: dict[str, str] = field(default_factory=dict)
    hints: tuple[Hint, ...] = ()
    #: what ``Start-Tutorial -Restart`` runs first to remove what an earlier run created (placeholders allowed)
    cleanup: tuple[str, ...] = ()
    #: display names of the Entra groups ``-Restart`` deletes (no emulated cmdlet deletes a group)
    cleanup_groups: tuple[str, ...] = ()

    def step_index(self, step_id: str) -> int:
        for i, s in enumerate(self.steps):
            if s.id == step_id:
                return i
        raise KeyError(step_id)


def fill(text: str, values: dict[str, str]) -> str:
    """Replace ``{name}`` placeholders (lower-case names only, so ``@{Metadata="true"}`` is left alone)."""

    def sub(m: re.Match[str]) -> str:
        key = m.group(1)
        return values[key] if key in values else m.group(0)

    return _PLACEHOLDER.sub(sub, text)


def _hints(raw: Any, where: str, step_id: str | None = None) -> tuple[Hint, ...]:
    out = []
    for h in raw or ():
        if not isinstance(h, dict) or not isinstance(h.get("when"), dict) or not isinstance(h.get("text"), str):
            raise TutorialDefinitionError(f"{where}: a hint needs a 'when' table and a 'text'")
        mistake = h.get("mistake")
        if isinstance(mistake, dict):
            mistake = dict(mistake)
        if isinstance(mistake, dict) and step_id is not None:
            if mistake.setdefault("at", step_id) != step_id:
                raise TutorialDefinitionError(f"{where}: a step hint's mistake is made at its own step")
        if mistake is not None:
            if not isinstance(mistake, dict) or not isinstance(mistake.get("at"), str) \
                    or not isinstance(mistake.get("command"), str):
                raise TutorialDefinitionError(f"{where}: a hint's 'mistake' needs 'at' (a step id) and 'command'")
            for key in ("fix", "skip", "setup"):
                value = mistake.get(key)
                if isinstance(value, str):
                    mistake[key] = [value]
                elif value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                    raise TutorialDefinitionError(f"{where}: mistake '{key}' must be a string or a list of strings")
            unknown = set(mistake) - {"at", "command", "fix", "skip", "setup"}
            if unknown:
                raise TutorialDefinitionError(f"{where}: unknown mistake keys {sorted(unknown)}")
        out.append(Hint(dict(h["when"]), h["text"].strip(), mistake))
    return tuple(out)


def parse_tutorial(name: str, data: dict[str, Any]) -> Tutorial:
    """Build a :class:`Tutorial` from a parsed TOML document; raises TutorialDefinitionError on bad data."""
    for key in ("title", "era", "flavour", "source", "steps"):
        if key not in data:
            raise TutorialDefinitionError(f"{name}: missing '{key}'")
    if data["era"] not in ERAS:
        raise TutorialDefinitionError(f"{name}: era must be one of {ERAS}")
    if data["flavour"] not in FLAVOURS:
        raise TutorialDefinitionError(f"{name}: flavour must be one of {FLAVOURS}")
    steps = []
    seen: set[str] = set()
    for i, raw in enumerate(data["steps"]):
        where = f"{name} step {i + 1}"
        for key in ("id", "title", "explanation", "check"):
            if key not in raw:
                raise TutorialDefinitionError(f"{where}: missing '{key}'")
        if raw["id"] in seen:
            raise TutorialDefinitionError(f"{where}: duplicate id {raw['id']!r}")
        seen.add(raw["id"])
        if not isinstance(raw["check"], dict) or "kind" not in raw["check"]:
            raise TutorialDefinitionError(f"{where}: 'check' must be a table with a 'kind'")
        page = raw.get("portal_page", "")
        if not isinstance(page, str) or (page and not page.startswith(("/", "{"))):
            raise TutorialDefinitionError(f"{where}: 'portal_page' must be a path such as "
                                          "\"{vm_id}?blade=identity\"")
        steps.append(Step(
            id=str(raw["id"]), title=str(raw["title"]), explanation=str(raw["explanation"]).strip(),
            commands=tuple(str(c) for c in raw.get("commands", ())), check=dict(raw["check"]),
            portal=bool(raw.get("portal", False)), hint=str(raw.get("hint", "")).strip(),
            hints=_hints(raw.get("hints"), where, str(raw["id"])), expect=str(raw.get("expect", "")).strip(),
            portal_page=page))
    if not steps:
        raise TutorialDefinitionError(f"{name}: no steps")
    tut_hints = _hints(data.get("hints"), name)
    for h in (*tut_hints, *(h for s in steps for h in s.hints)):
        if h.mistake is None:
            continue
        for sid in (h.mistake["at"], *(h.mistake.get("skip") or ())):
            if sid not in seen:
                raise TutorialDefinitionError(f"{name}: a hint's mistake names an unknown step {sid!r}")
    variables = {str(k): str(v) for k, v in dict(data.get("vars", {})).items()}
    cleanup = _strings(data, "cleanup", name)
    if "cleanup" not in data:  # the doc's "Clean up resources": the resource groups the tutorial uses
        cleanup = tuple(f"Remove-AzResourceGroup -Name {{{key}}} -Force" for key in ("rg", "identity_rg")
                        if key in variables)
    return Tutorial(name=name, title=str(data["title"]), era=str(data["era"]), flavour=str(data["flavour"]),
                    source=str(data["source"]), summary=str(data.get("summary", "")).strip(), steps=tuple(steps),
                    vars=variables, hints=tut_hints, cleanup=cleanup,
                    cleanup_groups=_strings(data, "cleanup_groups", name))


def _strings(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = data.get(key, ())
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise TutorialDefinitionError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)


@lru_cache(maxsize=1)
def load_tutorials() -> dict[str, Tutorial]:
    """Every packaged tutorial, by name (the reference file's name without its extension), sorted."""
    out: dict[str, Tutorial] = {}
    folder = resources.files("azshell.tutorials") / "defs"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    for f in files:
        name = f.name[: -len(".toml")]
        try:
            data = tomllib.loads(f.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise TutorialDefinitionError(f"{name}: {e}") from None
        out[name] = parse_tutorial(name, data)
    return out


def tutorial_names() -> list[str]:
    return list(load_tutorials())


def get_tutorial(name: str) -> Tutorial | None:
    """The tutorial called ``name`` (case-insensitive; a reference file name with its extension also works)."""
    key = name.strip().casefold()
    for suffix in (".ps1.txt", ".sh.txt", ".txt", ".toml"):
        if key.endswith(suffix):
            key = key[: -len(suffix)]
            break
    for n, t in load_tutorials().items():
        if n.casefold() == key:
            return t
    return None
