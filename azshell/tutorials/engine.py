"""The walkthrough engine: progress kept in the state file, step checks after every command, rendering.

Progress lives in the store's settings (key ``tutorials``, JSON), so it survives restarts and one state file
shared by the REPL and the kernel shows one learner's progress in both::

    engine = TutorialEngine(world)
    notes = engine.start("current-windows-vm-access-arm", view)     # the first step, as text
    notes = engine.after_command(view, text, ok, error_text)         # "✔ Step 3 passed: …" + next step, or a hint

``view`` (a :class:`SessionView`) is what the checks may see of the session: the host it stands on and its
variables. The engine never raises into the shell: a broken check is a failed check.

What a command's notes say: "✔ Step n passed: …" for each step it passed, then the next step's card (a
:class:`StepCard`: its text, with an HTML form the Jupyter kernel shows) — unless the tutorial runs ``quiet``
(``Start-Tutorial -Quiet``, what the generated notebooks use: their Markdown cells show the steps), where the
pass lines are all. :meth:`TutorialEngine.status_line` is the one short line a cell that said nothing else ends
with.

After every command the progress remembers the last event's sequence number (``seen_seq``), so the next
command's checks and hints know which events it caused: a hint about a refused request reads the decision
recorded with that command's own request, not one from earlier. A matcher's ``detail`` (what the access
decision says) is shown under its hint.
"""

from __future__ import annotations

import html
import json
import re
import textwrap
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from azshell.tutorials.checks import CheckContext, CheckResult, match, run_check
from azshell.tutorials.definitions import Hint, Step, Tutorial, fill, get_tutorial, load_tutorials

if TYPE_CHECKING:
    from azshell.world import World

__all__ = ["Progress", "SessionView", "StepCard", "TutorialEngine", "TUTORIAL_COMMANDS", "assigned_variables",
           "is_tutorial_command", "resource_ids"]

SETTING_KEY = "tutorials"
#: checkpoints the walkthrough takes as each step becomes current (Undo-TutorialStep, Reset-Tutorial -RestoreState)
CHECKPOINT_PREFIX = "tutorial-"
PASS_MARK = "✔"
#: what a portal link says when no ``azshell serve`` runs on the state (so the link has no address yet)
PORTAL_START = "start it with `azshell portal`, which prints its address"
HINT_MARK = "💡"
#: the tutorial cmdlets themselves: running them never triggers a mistake hint
TUTORIAL_COMMANDS = ("get-tutorial", "start-tutorial", "get-tutorialstep", "show-tutorialhint", "skip-tutorialstep",
                     "stop-tutorial", "reset-tutorial", "assert-tutorialstep", "undo-tutorialstep")
_TUTORIAL_CMD_RE = re.compile(r"^\s*(" + "|".join(TUTORIAL_COMMANDS) + r")\b", re.I)
#: ``$name = ...`` (not ``==``, not a hashtable key): the variables a tutorial's commands set
_ASSIGNED_RE = re.compile(r"(?:^|[\s;(])\$([A-Za-z_][A-Za-z0-9_]*)\s*=(?!=)")
_NOT_FORGOTTEN = frozenset({"null", "true", "false", "tutorialvalues"})


def is_tutorial_command(text: str) -> bool:
    """``text`` runs one of the tutorial cmdlets (they say where the tutorial stands themselves)."""
    return _TUTORIAL_CMD_RE.match(text) is not None


def assigned_variables(tut: Tutorial) -> list[str]:
    """The variables the tutorial's commands assign (``$vm``, ``$response``…), first seen first."""
    names: dict[str, str] = {}
    for step in tut.steps:
        for cmd in step.commands:
            for m in _ASSIGNED_RE.finditer(cmd):
                key = m.group(1).casefold()
                if key not in _NOT_FORGOTTEN:
                    names.setdefault(key, m.group(1))
    return list(names.values())


class StepCard(str):
    """A step as text (the REPL prints it) that also knows its HTML form (the Jupyter kernel shows that:
    ``_repr_html_``, the IPython convention)."""

    __slots__ = ("html",)
    html: str

    def __new__(cls, text: str, html_text: str) -> StepCard:
        card = super().__new__(cls, text)
        card.html = html_text
        return card

    def _repr_html_(self) -> str:
        return self.html


@dataclass
class SessionView:
    """What the checks see of a session: ``host`` is (kind, resource id) or None; ``get_variable(name)``."""

    host: tuple[str, str] | None = None
    get_variable: Callable[[str], Any] = lambda name: None


@dataclass
class Progress:
    name: str
    step: int = 0
    passed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    status: str = "NotStarted"  # NotStarted | InProgress | Completed
    start_seq: int = 0
    vars: dict[str, str] = field(default_factory=dict)
    #: the last event's sequence number when the previous command had been checked (the next one's start)
    seen_seq: int = 0
    #: one short line per command, no step cards (Start-Tutorial -Quiet: something else shows the steps)
    quiet: bool = False


@dataclass
class _State:
    active: str | None = None
    progress: dict[str, Progress] = field(default_factory=dict)


class TutorialEngine:
    """Tutorial progress over one world (cheap to build; all state is in the store)."""

    def __init__(self, world: World) -> None:
        self.world = world

    # -- state ------------------------------------------------------------------------------------------
    def _load(self) -> _State:
        raw = self.world.store.get_setting(SETTING_KEY)
        if not raw:
            return _State()
        try:
            data = json.loads(raw)
            progress = {k: Progress(**v) for k, v in dict(data.get("progress", {})).items()}
            return _State(active=data.get("active"), progress=progress)
        except (ValueError, TypeError):
            return _State()

    def _save(self, state: _State) -> None:
        data = {"active": state.active, "progress": {k: asdict(v) for k, v in state.progress.items()}}
        self.world.store.set_setting(SETTING_KEY, json.dumps(data, sort_keys=True))

    def active(self) -> tuple[Tutorial, Progress] | None:
        """The tutorial in progress and its progress, or None."""
        state = self._load()
        if state.active is None:
            return None
        tut = get_tutorial(state.active)
        prog = state.progress.get(state.active)
        if tut is None or prog is None:
            return None
        return tut, prog

    def progress_of(self, name: str) -> Progress:
        state = self._load()
        return state.progress.get(name) or Progress(name=name)

    def is_active(self) -> bool:
        raw = self.world.store.get_setting(SETTING_KEY)
        return bool(raw) and '"active": null' not in str(raw)

    # -- placeholders -------------------------------------------------------------------------------------
    def values(self, tut: Tutorial, prog: Progress | None = None) -> dict[str, str]:
        """The tutorial's placeholder values: its defaults, the learner's choices, and what the state knows."""
        vals = dict(tut.vars)
        if prog is not None:
            vals.update(prog.vars)
        world = self.world
        vals.setdefault("location", "westus")
        vals["subscription_id"] = world.default_subscription_id
        for key, rid in resource_ids(world.default_subscription_id, vals).items():
            vals.setdefault(key, rid)
        vals["tenant_id"] = world.tenant_id
        vals["admin_upn"] = world.admin_user.user_principal_name or ""
        ctx = CheckContext(world=world, vars=vals)
        vals["principal_id"] = ctx.principal("vm") or "<PRINCIPAL ID>"
        vals["app_principal_id"] = ctx.principal("webapp") or "<PRINCIPAL ID>"
        if vals.get("identity"):
            uai = ctx.resource(ctx.uai_id())
            vals["identity_id"] = ctx.uai_id()
            vals["client_id"] = str(uai.properties.get("clientId", "")) if uai is not None else "<CLIENT ID>"
            vals["uai_principal_id"] = str(uai.properties.get("principalId", "")) if uai is not None \
                else "<PRINCIPAL ID>"
        return vals

    def context(self, tut: Tutorial, prog: Progress, view: SessionView, *, command: str = "", ok: bool = True,
                errors: str = "") -> CheckContext:
        return CheckContext(world=self.world, vars=self.values(tut, prog), host=view.host,
                            get_variable=view.get_variable, command=command, ok=ok, errors=errors,
                            since_seq=prog.start_seq, command_seq=max(prog.seen_seq, prog.start_seq))

    def check_step(self, tut: Tutorial, prog: Progress, index: int, ctx: CheckContext) -> CheckResult:
        step = tut.steps[index]
        spec = {k: fill(v, ctx.vars) if isinstance(v, str) else v for k, v in step.check.items()}
        return run_check(ctx, _fill_deep(spec, ctx.vars))

    # -- lifecycle ----------------------------------------------------------------------------------------
    def start(self, name: str, *, overrides: dict[str, str] | None = None, resume: bool = False,
              quiet: bool = False) -> list[str]:
        """Make ``name`` the active tutorial, from its first step (or where it was, with ``resume``).

        Returns the header notes (none when ``quiet``); call :meth:`advance` next to pass the steps the state
        already satisfies.
        """
        tut = get_tutorial(name)
        if tut is None:
            raise KeyError(name)
        state = self._load()
        old = state.progress.get(tut.name)
        if resume and old is not None and old.status == "InProgress":
            prog = old
        else:
            seq = self._last_seq()
            prog = Progress(name=tut.name, status="InProgress", start_seq=seq, seen_seq=seq,
                            vars=dict(overrides or {}))
        prog.quiet = quiet
        state.progress[tut.name] = prog
        state.active = tut.name
        self._save(state)
        if prog.step == 0 and not prog.passed:
            self.forget_checkpoints(tut.name)
            self._checkpoint(tut.name, 0)
        if quiet:
            return []
        notes = [f"Tutorial: {tut.title}  [{tut.name}; {tut.era}, {tut.flavour}]", f"Source: {tut.source}"]
        if tut.summary:
            notes.append(tut.summary)
        return notes

    def advance(self, view: SessionView, *, command: str = "", ok: bool = True, errors: str = "",
                render_next: bool = False) -> list[str]:
        """Check the active tutorial's current step (and the next ones while they pass); the pass notes."""
        got = self.active()
        if got is None:
            return []
        tut, prog = got
        return self._advance(tut, prog, view, command=command, ok=ok, errors=errors, announce_current=False,
                             render_next=render_next)

    def portal_prefix(self, tut: Tutorial) -> list[Step]:
        """The portal steps before the first step the learner types (what -SetupPrerequisites does)."""
        out = []
        for step in tut.steps:
            if not step.portal:
                break
            out.append(step)
        return out

    def _last_seq(self) -> int:
        ev = self.world.store.recent_events(None, 1)
        return ev[-1].seq if ev else 0

    def stop(self) -> Tutorial | None:
        state = self._load()
        if state.active is None:
            return None
        tut = get_tutorial(state.active)
        state.active = None
        self._save(state)
        return tut

    def reset(self, name: str | None = None) -> list[str]:
        """Forget progress of ``name`` (all tutorials when None); returns the names reset."""
        state = self._load()
        names = list(state.progress) if name is None else [n for n in state.progress if n.casefold() ==
                                                             name.casefold()]
        for n in names:
            del state.progress[n]
            if state.active == n:
                state.active = None
        if name is None:
            state.active = None
        self._save(state)
        for n in names:
            self.forget_checkpoints(n)
        return names

    # -- checkpoints (azshell.controls.checkpoints) -------------------------------------------------------
    @staticmethod
    def checkpoint_name(name: str, step: int) -> str:
        """The checkpoint taken when step ``step`` (0-based) of tutorial ``name`` became the current one."""
        return f"{CHECKPOINT_PREFIX}{name}-step-{step}"

    def _checkpoint(self, name: str, step: int) -> None:
        from azshell.controls.checkpoints import create_checkpoint

        try:
            create_checkpoint(self.world, self.checkpoint_name(name, step))
        except Exception:  # undo is a convenience: a checkpoint that cannot be written must not stop the tutorial
            pass

    def step_checkpoints(self, name: str) -> dict[int, str]:
        """The tutorial's step checkpoints: step index → checkpoint name."""
        from azshell.controls.checkpoints import list_checkpoints

        prefix = f"{CHECKPOINT_PREFIX}{name}-step-".casefold()
        out: dict[int, str] = {}
        for c in list_checkpoints(self.world):
            tail = c.name.casefold().removeprefix(prefix)
            if c.name.casefold().startswith(prefix) and tail.isdigit():
                out[int(tail)] = c.name
        return out

    def forget_checkpoints(self, name: str, *, keep_start: bool = False) -> None:
        """Remove the tutorial's step checkpoints (all of them, or all but the start's)."""
        from azshell.controls.checkpoints import remove_checkpoint

        for step, cp in self.step_checkpoints(name).items():
            if keep_start and step == 0:
                continue
            try:
                remove_checkpoint(self.world, cp)
            except Exception:
                pass

    def restore_start(self, name: str) -> bool:
        """Put the tenant back as it was when the tutorial was started (its step-0 checkpoint); False if none."""
        from azshell.controls.checkpoints import restore_checkpoint

        cp = self.step_checkpoints(name).get(0)
        if cp is None:
            return False
        restore_checkpoint(self.world, cp)
        return True

    def undo(self) -> tuple[Tutorial, int]:
        """Undo the last step: the tenant (and the progress) go back to when the previous step became current.
        Returns the tutorial and the step (0-based) that is current again; raises ``LookupError`` when there
        is nothing to undo."""
        from azshell.controls.checkpoints import restore_checkpoint

        got = self.active()
        if got is None:
            raise LookupError("No tutorial is in progress. Start one with Start-Tutorial -Name <name>.")
        tut, prog = got
        earlier = sorted(i for i in self.step_checkpoints(tut.name) if i < prog.step)
        if not earlier:
            raise LookupError(f"Nothing to undo: {tut.name} is at its first step, or its steps were passed "
                              "before azshell kept checkpoints of them.")
        target = earlier[-1]
        restore_checkpoint(self.world, self.checkpoint_name(tut.name, target))
        for i in self.step_checkpoints(tut.name):
            if i > target:
                from azshell.controls.checkpoints import remove_checkpoint

                remove_checkpoint(self.world, self.checkpoint_name(tut.name, i))
        return tut, target

    def skip(self, view: SessionView) -> list[str]:
        got = self.active()
        if got is None:
            return []
        tut, prog = got
        step = tut.steps[prog.step]
        prog.skipped.append(step.id)
        prog.step += 1
        notes = [f"↷ Step {prog.step} skipped: {step.title}"]
        notes.extend(self._advance(tut, prog, view, command="", ok=True, errors="", announce_current=False,
                                   render_next=False))
        state = self._load()
        state.progress[tut.name] = prog
        self._save(state)
        return notes

    # -- after every command -----------------------------------------------------------------------------
    def after_command(self, view: SessionView, text: str, ok: bool, errors: str) -> list[str]:
        """Re-check the current step after a command; passing notes and the next step, or matching hints."""
        if not self.is_active():
            return []
        got = self.active()
        if got is None:
            return []
        tut, prog = got
        if _TUTORIAL_CMD_RE.match(text):
            self._mark_seen(tut.name)
            return []
        before = prog.step
        notes = self._advance(tut, prog, view, command=text, ok=ok, errors=errors, announce_current=False,
                              render_next=not prog.quiet)
        if prog.step == before and prog.status == "InProgress":
            ctx = self.context(tut, prog, view, command=text, ok=ok, errors=errors)
            notes.extend(f"{HINT_MARK} Hint: {h.text}" for h in self.matching_hints(tut, prog, ctx))
        self._mark_seen(tut.name)
        return notes

    def _mark_seen(self, name: str) -> None:
        """Remember the last event's sequence number: the next command's events come after it."""
        state = self._load()
        prog = state.progress.get(name)
        if prog is None or prog.status != "InProgress":
            return
        seq = self._last_seq()
        if seq != prog.seen_seq:
            prog.seen_seq = seq
            self._save(state)

    def matching_hints(self, tut: Tutorial, prog: Progress, ctx: CheckContext) -> list[Hint]:
        """The hints whose mistake the command made, their text filled in and followed by what the matcher's
        decision says (its ``detail``), if anything."""
        step = tut.steps[prog.step]
        out: list[Hint] = []
        seen: set[str] = set()
        for h in (*step.hints, *tut.hints):
            spec = _fill_deep(dict(h.when), ctx.vars)
            result = match(ctx, spec)
            text = fill(h.text, ctx.vars)
            if result.ok and text not in seen:
                seen.add(text)
                out.append(Hint(h.when, text + (f"\n   {result.detail}" if result.detail else "")))
        return out

    def _advance(self, tut: Tutorial, prog: Progress, view: SessionView, *, command: str, ok: bool, errors: str,
                 announce_current: bool, render_next: bool = True) -> list[str]:
        notes: list[str] = []
        moved = False
        while prog.step < len(tut.steps):
            ctx = self.context(tut, prog, view, command=command, ok=ok, errors=errors)
            result = self.check_step(tut, prog, prog.step, ctx)
            if not result.ok:
                break
            step = tut.steps[prog.step]
            prog.passed.append(step.id)
            notes.append(f"{PASS_MARK} Step {prog.step + 1} passed: {step.title}")
            prog.step += 1
            moved = True
            command = ""  # a command counts for one step only
        if prog.step >= len(tut.steps):
            prog.status = "Completed"
            title = tut.title.removeprefix("Tutorial: ")
            notes.append(f"🎉 Tutorial complete: {title} — {len(prog.passed)} of {len(tut.steps)} steps "
                         f"passed{f', {len(prog.skipped)} skipped' if prog.skipped else ''}.")
            state = self._load()
            state.progress[tut.name] = prog
            if state.active == tut.name:
                state.active = None
            self._save(state)
            return notes
        if (moved and render_next) or announce_current:
            notes.append(self.step_card(tut, prog))
        if moved:
            state = self._load()
            state.progress[tut.name] = prog
            self._save(state)
            self._checkpoint(tut.name, prog.step)
        return notes

    # -- rendering ----------------------------------------------------------------------------------------
    def portal_link(self, tut: Tutorial, prog: Progress, step: Step) -> tuple[str, bool] | None:
        """Where in the portal the step can be done: (a full URL when an ``azshell serve`` runs on this state,
        else the page's path; whether it is live), or None when the step names no portal page."""
        if not step.portal_page:
            return None
        from azshell.controls.served import served_url

        path = quote(fill(step.portal_page, self.values(tut, prog)), safe="/?=&%:@-._~")
        base = served_url(self.world.store)
        return (base + path, True) if base else (path, False)

    def step_commands(self, tut: Tutorial, prog: Progress, step: Step) -> list[str]:
        vals = self.values(tut, prog)
        return [fill(c, vals) for c in step.commands]

    def render_step(self, tut: Tutorial, prog: Progress, *, index: int | None = None) -> str:
        i = prog.step if index is None else index
        step = tut.steps[i]
        prompt = "$ " if tut.flavour == "Linux" else "PS> "
        lines = [f"Step {i + 1}/{len(tut.steps)}: {step.title}" + ("  (portal step)" if step.portal else "")]
        vals = self.values(tut, prog)
        for para in fill(step.explanation, vals).split("\n\n"):
            lines.extend("  " + ln for ln in textwrap.wrap(" ".join(para.split()), 100))
            lines.append("")
        cmds = self.step_commands(tut, prog, step)
        link = self.portal_link(tut, prog, step)
        if link is not None:
            lines.append("  Do it in the portal at:" if link[1] else
                         f"  Do it in the portal ({PORTAL_START}) at:")
            lines.append(f"    {link[0]}")
            lines.append("  (then press Enter here: the step is checked after every command)")
        if cmds:
            if link is not None:
                lines.append("  or type:" if not step.portal else "  or type (-SetupPrerequisites runs these):")
            else:
                lines.append("  Type:" if not step.portal else "  Portal step, done with cmdlets "
                                                                 "(-SetupPrerequisites runs them):")
            lines.extend(f"    {prompt if not c.startswith('#') else ''}{c}" for c in cmds)
        lines.append("  (Show-TutorialHint if stuck, Skip-TutorialStep to move on.)")
        return "\n".join(lines)

    def step_card(self, tut: Tutorial, prog: Progress) -> StepCard:
        """The current step as a note: its text, and its HTML card for Jupyter."""
        return StepCard(self.render_step(tut, prog), self.render_step_html(tut, prog))

    def render_step_html(self, tut: Tutorial, prog: Progress) -> str:
        i = prog.step
        if i >= len(tut.steps):
            return f"<div class=\"azshell-tutorial\"><b>{html.escape(tut.title)}</b>: completed.</div>"
        step = tut.steps[i]
        esc = html.escape
        paras = "".join(f"<p>{esc(' '.join(p.split()))}</p>"
                        for p in fill(step.explanation, self.values(tut, prog)).split("\n\n"))
        cmds = "\n".join(esc(c) for c in self.step_commands(tut, prog, step))
        portal = " <i>(portal step: <code>Start-Tutorial -SetupPrerequisites</code> runs it)</i>" if step.portal \
            else ""
        link = self.portal_link(tut, prog, step)
        if link is None:
            where = ""
        elif link[1]:
            where = (f"<p>Do it in the portal at <a href=\"{esc(link[0])}\" target=\"_blank\" rel=\"noopener\">"
                     f"{esc(link[0])}</a> (then run <code>Get-TutorialStep</code>){', or type:' if cmds else ''}</p>")
        else:
            where = (f"<p>Do it in the portal ({esc(PORTAL_START)}) at <code>{esc(link[0])}</code> (then run "
                     f"<code>Get-TutorialStep</code>){', or type:' if cmds else ''}</p>")
        return (f"<div class=\"azshell-tutorial\" style=\"border-left:4px solid #0078d4;padding-left:8px\">"
                f"<div><b>{esc(tut.title)}</b> <small>[{esc(tut.name)}]</small></div>"
                f"<h4>Step {i + 1}/{len(tut.steps)}: {esc(step.title)}{portal}</h4>{paras}{where}"
                + (f"<pre>{cmds}</pre>" if cmds else "")
                + "<small>Show-TutorialHint if stuck · Skip-TutorialStep to move on</small></div>")

    def status_line(self, view: SessionView | None = None) -> str | None:
        """One short line for the end of a Jupyter cell that passed no step while a tutorial is active: the
        current step and what its check still misses."""
        got = self.active()
        if got is None:
            return None
        tut, prog = got
        step = tut.steps[prog.step]
        detail = ""
        if view is not None:
            r = self.check_step(tut, prog, prog.step, self.context(tut, prog, view))
            detail = f": {r.detail}" if r.detail else ""
        return f"── step {prog.step + 1}/{len(tut.steps)} ({step.title}) not passed yet{detail}"

    # -- starting over ------------------------------------------------------------------------------------
    def cleanup_commands(self, tut: Tutorial, overrides: dict[str, str] | None = None) -> list[str]:
        """The commands ``Start-Tutorial -Restart`` runs first, placeholders filled (the learner's names)."""
        vals = self.values(tut, Progress(name=tut.name, vars=dict(overrides or {})))
        return [fill(c, vals) for c in tut.cleanup]

    def cleanup_group_names(self, tut: Tutorial, overrides: dict[str, str] | None = None) -> list[str]:
        """The Entra groups ``Start-Tutorial -Restart`` deletes (``cleanup_groups``), placeholders filled."""
        vals = dict(tut.vars) | dict(overrides or {})
        return [fill(g, vals) for g in tut.cleanup_groups]

    def panel_lines(self) -> list[str]:
        """The REPL's step panel (two lines), or [] when no tutorial is active."""
        got = self.active()
        if got is None:
            return []
        tut, prog = got
        step = tut.steps[prog.step]
        cmds = [c for c in self.step_commands(tut, prog, step) if not c.startswith("#")]
        first = cmds[0] if cmds else "(see Get-TutorialStep)"
        return [f"Tutorial {tut.name} · step {prog.step + 1}/{len(tut.steps)}: {step.title}",
                f"next: {first}" + (f"  (+{len(cmds) - 1} more)" if len(cmds) > 1 else "")]

    def hint_text(self) -> str | None:
        got = self.active()
        if got is None:
            return None
        tut, prog = got
        step = tut.steps[prog.step]
        vals = self.values(tut, prog)
        lines = [f"Step {prog.step + 1}/{len(tut.steps)}: {step.title}"]
        link = self.portal_link(tut, prog, step)
        if link is not None:
            lines.append(f"In the portal: {link[0]}" + ("" if link[1] else f" ({PORTAL_START})"))
        if step.hint:
            lines.append(f"{HINT_MARK} {fill(step.hint, vals)}")
        if step.expect:
            lines.append(f"The check looks for: {fill(step.expect, vals)}")
        mistakes = [*step.hints, *tut.hints]
        if mistakes:
            lines.append("Usual mistakes here:")
            lines.extend("  - " + "\n    ".join(textwrap.wrap(fill(h.text, vals), 100)) for h in mistakes)
        return "\n".join(lines)

    def summaries(self) -> list[tuple[Tutorial, Progress]]:
        state = self._load()
        return [(t, state.progress.get(n) or Progress(name=n)) for n, t in load_tutorials().items()]


def resource_ids(subscription_id: str, vals: dict[str, str]) -> dict[str, str]:
    """The resource ids a tutorial's names make (``rg_id``, ``vm_id``, ``vault_id``…: the placeholders a step's
    ``portal_page`` uses), for the names the tutorial has."""
    if not vals.get("rg"):
        return {}
    rg = f"/subscriptions/{subscription_id}/resourceGroups/{vals['rg']}"
    out = {"rg_id": rg, "identity_rg_id": f"/subscriptions/{subscription_id}/resourceGroups/"
                                          f"{vals.get('identity_rg') or vals['rg']}"}
    for key, provider in (("vm", "Microsoft.Compute/virtualMachines"),
                          ("vmss", "Microsoft.Compute/virtualMachineScaleSets"), ("app", "Microsoft.Web/sites"),
                          ("function", "Microsoft.Web/sites"), ("vault", "Microsoft.KeyVault/vaults"),
                          ("storage", "Microsoft.Storage/storageAccounts"), ("store", "Microsoft.DataLakeStore/accounts")):
        if vals.get(key):
            out[f"{key}_id"] = f"{rg}/providers/{provider}/{vals[key]}"
    return out


def _fill_deep(value: Any, vals: dict[str, str]) -> Any:
    if isinstance(value, str):
        return fill(value, vals)
    if isinstance(value, dict):
        return {k: _fill_deep(v, vals) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill_deep(v, vals) for v in value]
    return value
