"""The tutorial cmdlets: Get-Tutorial, Start-Tutorial, Get-TutorialStep, Show-TutorialHint, Skip-TutorialStep,
Stop-Tutorial, Reset-Tutorial and Assert-TutorialStep (what the generated notebooks call after each step).

The walkthroughs themselves live in :mod:`azshell.tutorials`; after every command the session re-checks the
current step (``Session._tutorial_after``), so these cmdlets only start, show and steer.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from typing import Any

from azshell.lang.cmdlet import Cmdlet, CmdletError, Example, Param
from azshell.lang.formatting import ViewTable
from azshell.lang.values import PSObject
from azshell.tutorials.definitions import Tutorial, get_tutorial, load_tutorials
from azshell.tutorials.engine import PASS_MARK, Progress, SessionView, TutorialEngine, assigned_variables

__all__ = ["COMMANDS", "COMPLETERS", "register_views"]

TUTORIAL_TYPE = "Azshell.Tutorial"
STEP_TYPE = "Azshell.TutorialStep"
#: the Write-Progress id of -SetupPrerequisites (the commands it runs may show progress of their own, id 0)
SETUP_PROGRESS_ID = 1000


def _names(services: Any = None) -> list[str]:
    return list(load_tutorials())


def _name_param(mandatory: bool) -> Param:
    return Param("Name", "string", mandatory=mandatory, position=0, completer=_complete_name,
                 value_from_pipeline_by_property_name=True,
                 help="The tutorial's name: its reference file name without the extension "
                      "(e.g. current-windows-vm-access-arm).")


def _is_not_found(e: BaseException) -> bool:
    """A clean-up command found nothing to remove (``ResourceGroupNotFound`` on a fresh tenant): its error
    record's id (``ResourceGroupNotFound,Remove-AzResourceGroup``) or category says not found."""
    record = getattr(e, "record", None) or e
    error_id = str(getattr(record, "error_id", "") or "").split(",", 1)[0]
    return error_id.endswith("NotFound") or str(getattr(record, "category", "")) == "ObjectNotFound"


def _in_words(line: str) -> str:
    """``Remove-AzResourceGroup -Name myRG -Force`` → ``removed resource group myRG``; else the command."""
    import re

    m = re.match(r"\s*Remove-AzResourceGroup\s+-Name\s+(\S+)", line, re.I)
    return f"removed resource group {m.group(1)}" if m else f"ran {line}"


def _complete_name(prefix: str) -> list[str]:
    low = prefix.casefold().strip("'\"")
    return [n for n in load_tutorials() if n.casefold().startswith(low)]


class _TutorialCmdlet(Cmdlet):
    @property
    def bound(self) -> dict[str, Any]:
        value = self.__dict__.get("params")
        return value if isinstance(value, dict) else {}

    @property
    def engine(self) -> TutorialEngine:
        services = self.ctx.services
        if services is None:
            raise CmdletError("Tutorials need the azshell state.", category="ResourceUnavailable",
                              error_id="NoState")
        return TutorialEngine(services.world)

    def view(self) -> SessionView:
        host = getattr(self.ctx.services, "current_host", None)
        return SessionView(host=(host.kind, host.resource_id) if host is not None else None,
                           get_variable=self._var)

    def _var(self, name: str) -> Any:
        try:
            return self.ctx.get_variable(name)
        except Exception:
            return None

    def host_lines(self, notes: list[str]) -> None:
        for n in notes:
            self.ctx.write_host(n)

    def active_or_fail(self) -> tuple[Tutorial, Progress]:
        got = self.engine.active()
        if got is None:
            raise CmdletError("No tutorial is in progress. Start one with Start-Tutorial -Name <name> "
                              "(Get-Tutorial lists them).", category="InvalidOperation",
                              error_id="NoActiveTutorial")
        return got

    def step_object(self, tut: Tutorial, prog: Progress, *, detail: str | None = None) -> PSObject:
        engine = self.engine
        step = tut.steps[prog.step]
        text = engine.render_step(tut, prog)
        if detail is not None:
            text += f"\n  Status: not passed yet — {detail}" if detail else "\n  Status: not passed yet"
        html_text = engine.render_step_html(tut, prog)
        obj = PSObject([
            ("Tutorial", tut.name), ("Step", f"{prog.step + 1}/{len(tut.steps)}"), ("Id", step.id),
            ("Title", step.title), ("Portal", step.portal), ("Explanation", step.explanation),
            ("Commands", engine.step_commands(tut, prog, step)),
        ], type_names=(STEP_TYPE, "System.Management.Automation.PSCustomObject"))
        obj.methods["tostring"] = lambda *a: text
        obj.methods["tohtml"] = lambda *a: html_text
        return obj

    def publish_values(self, tut: Tutorial) -> None:
        """``$TutorialValues``: the placeholder values (subscription_id, principal_id, client_id...) right now."""
        try:
            prog = self.engine.progress_of(tut.name)
            self.ctx.set_variable("TutorialValues", PSObject(list(self.engine.values(tut, prog).items())))
        except Exception:
            pass

    def unknown(self, name: str) -> CmdletError:
        return CmdletError(f"There is no tutorial named '{name}'. Get-Tutorial lists them.",
                           category="ObjectNotFound", error_id="TutorialNotFound", target=name)


class GetTutorial(_TutorialCmdlet):
    name = "Get-Tutorial"
    synopsis = "Lists the guided tutorials and your progress in each."
    description = ("Every tutorial follows one Microsoft doc on managed identities (2017 MSI preview or current), "
                   "in the PowerShell or the Linux (curl/az) flavour. Status is NotStarted, InProgress or "
                   "Completed; Progress counts the steps passed. Progress is kept in the state file.")
    params = (Param("Name", "string", position=0, completer=_complete_name,
                    help="A tutorial name; wildcards are allowed."),)
    examples = (Example("Get-Tutorial", "Lists every tutorial."),
                Example("Get-Tutorial *keyvault*", "The Key Vault tutorials."))
    outputs = (TUTORIAL_TYPE,)

    def process(self) -> None:
        pattern = str(self.bound.get("Name") or "*")
        found = False
        for tut, prog in self.engine.summaries():
            if not fnmatch.fnmatchcase(tut.name.casefold(), pattern.casefold()):
                continue
            found = True
            self.write(PSObject([
                ("Name", tut.name), ("Title", tut.title), ("Era", tut.era), ("Flavour", tut.flavour),
                ("Status", prog.status), ("Progress", f"{len(prog.passed)}/{len(tut.steps)}"),
                ("Source", tut.source)], type_names=(TUTORIAL_TYPE, "System.Management.Automation.PSCustomObject")))
        if not found and not any(c in pattern for c in "*?["):
            self.write_error(self.unknown(pattern).message, category="ObjectNotFound", error_id="TutorialNotFound")


class StartTutorial(_TutorialCmdlet):
    name = "Start-Tutorial"
    synopsis = "Starts (or restarts) a guided tutorial and shows its first step."
    description = ("Starts the tutorial from its first step (re-starting resets its progress; -Resume continues "
                   "where you left it). After every command you type, azshell checks the current step against "
                   "the tenant: passing shows a confirmation and the next step; a known mistake shows a hint. "
                   "-SetupPrerequisites does the doc's portal steps (resource group, VM, identity, role, vault...) "
                   "for you with cmdlets; otherwise the tutorial guides you through them. -Values overrides the "
                   "names the commands use, e.g. @{rg='DevTest'; vm='myVM'}. -Restart starts over on a clean "
                   "slate: it leaves the host you are on, removes what an earlier run created (the doc's 'Clean up "
                   "resources': the tutorial's resource group, e.g. Remove-AzResourceGroup -Name myResourceGroup "
                   "-Force) and forgets the variables the tutorial's commands set, so every step is done again. "
                   "-Quiet prints one short line per command instead of the steps (the generated notebooks use it: "
                   "their Markdown cells show the steps).")
    params = (
        _name_param(True),
        Param("SetupPrerequisites", "switch", help="Run the portal steps' cmdlets for you."),
        Param("Resume", "switch", help="Continue an unfinished run instead of starting over."),
        Param("Restart", "switch", help="Start over on a clean slate: leave the host, remove the tutorial's "
                                        "resource group (and what else it created), forget its variables."),
        Param("Quiet", "switch", help="One short status line per command; no step text."),
        Param("Values", "hashtable", help="Placeholder values (rg, vm, vault, secret, store, identity, app...)."),
    )
    examples = (
        Example("Start-Tutorial current-windows-vm-access-arm", "Starts the current Windows VM → ARM tutorial."),
        Example("Start-Tutorial current-windows-vm-access-arm -SetupPrerequisites",
                "Creates the VM, its identity and the Reader role, then starts at the first step on the VM."),
        Example("Start-Tutorial current-windows-vm-access-arm -Restart",
                "Leaves the VM, deletes myResourceGroup (with the VM and its identity) and starts from step 1."),
    )
    outputs = (STEP_TYPE,)

    def process(self) -> None:
        name = str(self.bound["Name"])
        tut = get_tutorial(name)
        if tut is None:
            raise self.unknown(name)
        overrides: dict[str, str] = {}
        raw = self.bound.get("Values")
        if raw is not None:
            items = raw.items() if hasattr(raw, "items") else []
            overrides = {str(k).casefold(): str(v) for k, v in items}
        resume, restart, quiet = (bool(self.bound.get(k)) for k in ("Resume", "Restart", "Quiet"))
        if resume and restart:
            raise CmdletError("-Resume continues a run and -Restart starts over: use one of them.",
                              category="InvalidArgument", error_id="ResumeOrRestart")
        engine = self.engine
        cleaned = self.start_over(tut, overrides) if restart else []
        if cleaned and not quiet:
            self.ctx.write_host(f"Starting over: {'; '.join(cleaned)}.")
        self.host_lines(engine.start(tut.name, overrides=overrides, resume=resume, quiet=quiet))
        if self.bound.get("SetupPrerequisites"):
            self.setup(tut)
        self.host_lines(engine.advance(self.view()))
        self.publish_values(tut)
        got = engine.active()
        if quiet:
            where = (f"step {got[1].step + 1}/{len(tut.steps)}: {tut.steps[got[1].step].title}" if got is not None
                     else "completed")
            done = f" ({'; '.join(cleaned)})" if cleaned else ""
            self.ctx.write_host(f"▶ {tut.name} {'started over' if restart else 'started'}{done} — {where}")
        elif got is not None:
            self.write(self.step_object(*got))

    def start_over(self, tut: Tutorial, overrides: dict[str, str]) -> list[str]:
        """-Restart: leave the host, run the tutorial's clean-up commands (a resource group that is not there is
        fine), delete its Entra groups, forget its variables. Returns what was done, in words."""
        from azshell.lang.builtins._util import wants

        done: list[str] = []
        services = self.ctx.services
        left = services.exit_host() if getattr(services, "current_host", None) is not None else None
        if left is not None:
            done.append(f"left {left.name}")
        run = wants(self.ctx, "execute_text")
        engine = self.engine
        for line in engine.cleanup_commands(tut, overrides):
            if not callable(run):
                break
            try:
                run(f"$null = $({line} -ErrorAction Stop)")
            except Exception as e:
                if _is_not_found(e):
                    continue
                raise CmdletError(f"Starting over failed at: {line}\n{getattr(e, 'message', None) or e}",
                                  category="InvalidOperation", error_id="TutorialCleanupFailed") from None
            done.append(_in_words(line))
        for group in engine.cleanup_group_names(tut, overrides):
            if not callable(run):
                break
            quoted = "'" + group.replace("'", "''") + "'"
            try:  # through Microsoft Graph, like any other command: nothing writes the directory behind it
                run(f"Remove-AzADGroup -DisplayName {quoted} -ErrorAction Stop")
            except Exception as e:
                if _is_not_found(e):
                    continue
                raise CmdletError(f"Starting over failed at removing the group {group}\n"
                                  f"{getattr(e, 'message', None) or e}",
                                  category="InvalidOperation", error_id="TutorialCleanupFailed") from None
            done.append(f"deleted group {group}")
        remove = wants(self.ctx, "remove_variable")
        if callable(remove):
            for var in assigned_variables(tut):
                try:
                    remove(var)
                except Exception:  # a variable that cannot go (constant): keep it
                    pass
        return done

    def setup(self, tut: Tutorial) -> None:
        from azshell.lang.builtins._util import wants

        engine = self.engine
        services = self.ctx.services
        if getattr(services, "current_host", None) is not None:
            services.exit_host()
            self.ctx.write_host("(left the host: the portal steps run as you, the admin)")
        run = wants(self.ctx, "execute_text")
        steps = engine.portal_prefix(tut)
        if not callable(run) or not steps:
            return
        got = engine.active()
        if got is None:
            return
        prog = got[1]
        with self.progress(f"Setting up {tut.name}", activity_id=SETUP_PROGRESS_ID) as bar:
            for index, step in enumerate(steps):
                self.ctx.write_host(f"Setting up: {step.title}")
                for cmd in step.commands:
                    line = engine.step_commands(tut, prog, type(step)(**{**step.__dict__, "commands": (cmd,)}))[0]
                    if not line.strip() or line.lstrip().startswith("#"):
                        continue
                    bar.step(index, len(steps), step.title, operation=line.strip()[:120])
                    try:
                        run(f"$null = $({line})")
                    except CmdletError:
                        raise
                    except Exception as e:
                        raise CmdletError(f"Setting up '{step.title}' failed at: {line}\n{e}",
                                          category="InvalidOperation", error_id="TutorialSetupFailed") from None


class GetTutorialStep(_TutorialCmdlet):
    name = "Get-TutorialStep"
    synopsis = "Shows the current step of the tutorial in progress."
    description = ("Shows the explanation and the commands of the current step, and what its check still misses. "
                   "-Number shows another step of the tutorial without moving to it.")
    params = (Param("Number", "int", position=0, help="A step number (1-based)."),)
    examples = (Example("Get-TutorialStep", "Shows the current step."),)
    outputs = (STEP_TYPE,)

    def process(self) -> None:
        tut, prog = self.active_or_fail()
        engine = self.engine
        number = self.bound.get("Number")
        if number is not None:
            if not 1 <= int(number) <= len(tut.steps):
                raise CmdletError(f"{tut.name} has steps 1 to {len(tut.steps)}.", category="InvalidArgument",
                                  error_id="StepOutOfRange")
            view_prog = Progress(**{**prog.__dict__, "step": int(number) - 1})
            self.write(self.step_object(tut, view_prog))
            return
        passed = engine.advance(self.view())  # a step done elsewhere (the portal, another shell) passes now
        if passed:
            self.host_lines(passed)
            got = engine.active()
            if got is None:
                return
            tut, prog = got
        result = engine.check_step(tut, prog, prog.step, engine.context(tut, prog, self.view()))
        self.write(self.step_object(tut, prog, detail=result.detail))


class ShowTutorialHint(_TutorialCmdlet):
    name = "Show-TutorialHint"
    synopsis = "Shows a hint for the current tutorial step and the usual mistakes made there."
    examples = (Example("Show-TutorialHint", "Explains what the current step checks and the common pitfalls."),)

    def process(self) -> None:
        self.active_or_fail()
        text = self.engine.hint_text()
        if text:
            self.host_lines([text])


class SkipTutorialStep(_TutorialCmdlet):
    name = "Skip-TutorialStep"
    synopsis = "Skips the current tutorial step (it counts as skipped, not passed)."
    examples = (Example("Skip-TutorialStep", "Moves to the next step."),)
    outputs = (STEP_TYPE,)

    def process(self) -> None:
        self.active_or_fail()
        engine = self.engine
        self.host_lines(engine.skip(self.view()))
        got = engine.active()
        if got is not None:
            self.write(self.step_object(*got))


class StopTutorial(_TutorialCmdlet):
    name = "Stop-Tutorial"
    synopsis = "Stops guiding the tutorial in progress (its progress is kept; Start-Tutorial -Resume continues)."
    examples = (Example("Stop-Tutorial", "No more step checks after each command."),)

    def process(self) -> None:
        tut = self.engine.stop()
        if tut is None:
            self.ctx.write_host("No tutorial is in progress.")
        else:
            self.ctx.write_host(f"Stopped {tut.name}. Start-Tutorial {tut.name} -Resume continues where you were.")


class ResetTutorial(_TutorialCmdlet):
    name = "Reset-Tutorial"
    synopsis = "Forgets tutorial progress (one tutorial with -Name, else all)."
    description = ("Resets Status to NotStarted. The tenant's resources are left as they are, unless "
                   "-RestoreState: then the whole tenant goes back to the checkpoint Start-Tutorial took (as it "
                   "was before the tutorial's first step). The tutorial's step checkpoints are removed.")
    params = (Param("Name", "string", position=0, completer=_complete_name),
              Param("RestoreState", "switch", help="Also put the tenant back as it was when the tutorial started "
                                                   "(needs -Name)."))
    supports_should_process = True
    examples = (Example("Reset-Tutorial current-windows-vm-access-arm", "Forgets that tutorial's progress."),)

    def process(self) -> None:
        name = self.bound.get("Name")
        if name is not None and get_tutorial(str(name)) is None:
            raise self.unknown(str(name))
        if not self.should_process(str(name or "all tutorials"), "Reset tutorial progress"):
            return
        tut = get_tutorial(str(name)) if name is not None else None
        restored = False
        if self.bound.get("RestoreState"):
            if tut is None:
                raise CmdletError("-RestoreState needs -Name: the tutorial whose starting state to restore.",
                                  category="InvalidArgument", error_id="RestoreStateNeedsName")
            if getattr(self.ctx.services, "current_host", None) is not None:
                self.ctx.services.exit_host()
            restored = self.engine.restore_start(tut.name)
            if not restored:
                self.write_warning(f"There is no starting checkpoint of {tut.name} (it was started before azshell "
                                   "kept them): the tenant is left as it is.")
        names = self.engine.reset(tut.name if tut is not None else None)
        self.ctx.write_host(f"Reset {', '.join(names) if names else 'nothing (no progress recorded)'}"
                            f"{'; the tenant is as it was before its first step' if restored else ''}.")


class UndoTutorialStep(_TutorialCmdlet):
    name = "Undo-TutorialStep"
    synopsis = "Undoes the last tutorial step: the tenant and the progress go back to before it."
    description = ("Each time a step becomes the current one, the walkthrough checkpoints the tenant "
                   "(Get-AzShellCheckpoint shows tutorial-<name>-step-<n>). Undo-TutorialStep restores the "
                   "checkpoint of the previous step, so what you did since is undone and that step is current "
                   "again. Variables you set in the shell are kept.")
    supports_should_process = True
    examples = (Example("Undo-TutorialStep", "Back one step, with the tenant as it was then."),)
    outputs = (STEP_TYPE,)

    def process(self) -> None:
        self.active_or_fail()
        if not self.should_process("the tenant state", "Undo the last tutorial step"):
            return
        try:
            tut, step = self.engine.undo()
        except LookupError as e:
            raise CmdletError(str(e), category="InvalidOperation", error_id="NothingToUndo") from None
        self.ctx.write_host(f"↶ Back to step {step + 1}: {tut.steps[step].title}")
        got = self.engine.active()
        if got is not None:
            self.write(self.step_object(*got))


class AssertTutorialStep(_TutorialCmdlet):
    name = "Assert-TutorialStep"
    synopsis = "Checks that a tutorial step has passed (the generated notebooks call it after each step)."
    description = ("Re-checks the current step. Succeeds (with a ✔ line) when the step given by -Id has passed, "
                   "else writes an error saying what the check still misses.")
    params = (Param("Id", "string", position=0, help="The step id (Get-TutorialStep shows it); default: the current "
                                                    "step."),
              Param("Tutorial", "string", completer=_complete_name,
                    help="The tutorial (default: the one in progress); needed once it has completed."))
    examples = (Example("Assert-TutorialStep get-token -Tutorial current-windows-vm-access-arm",
                        "Fails unless the get-token step has passed."),)

    def process(self) -> None:
        engine = self.engine
        name = self.bound.get("Tutorial")
        if name is not None:
            found = get_tutorial(str(name))
            if found is None:
                raise self.unknown(str(name))
            tut = found
        else:
            tut = self.active_or_fail()[0]
        active = engine.active()
        notes = engine.advance(self.view()) if active is not None and active[0].name == tut.name else []
        self.host_lines(notes)
        self.publish_values(tut)
        done = engine.progress_of(tut.name)
        current = tut.steps[min(done.step, len(tut.steps) - 1)]
        step_id = str(self.bound.get("Id") or current.id)
        try:
            index = tut.step_index(step_id)
        except KeyError:
            raise CmdletError(f"{tut.name} has no step '{step_id}'.", category="InvalidArgument",
                              error_id="StepNotFound") from None
        if step_id in done.passed or step_id in done.skipped:
            if not any(n.startswith(f"{PASS_MARK} Step {index + 1} passed") for n in notes):  # said just now
                self.ctx.write_host(f"{PASS_MARK} Step {index + 1} ({step_id}) has passed.")
            return
        detail = ""
        after = engine.active()
        if after is not None and after[0].name == tut.name:
            t, p = after
            detail = engine.check_step(t, p, p.step, engine.context(t, p, self.view())).detail
        raise CmdletError(f"Step {index + 1} ({step_id}) of {tut.name} has not passed: {detail or 'not done yet'}",
                          category="InvalidResult", error_id="TutorialStepNotPassed")


COMMANDS: tuple[type[Cmdlet], ...] = (GetTutorial, StartTutorial, GetTutorialStep, ShowTutorialHint, SkipTutorialStep,
                                      StopTutorial, ResetTutorial, AssertTutorialStep, UndoTutorialStep)

COMPLETERS: dict[str, Callable[[Any], list[str]]] = {"tutorial": _names}


def register_views(views: ViewTable) -> None:
    views.register(TUTORIAL_TYPE, "table", ("Name", "Era", "Flavour", "Status", "Progress", "Title"))
    views.register(STEP_TYPE, "text")
