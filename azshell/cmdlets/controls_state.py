"""Checkpoints and export/import of the whole tenant.

``Checkpoint-AzShellState``, ``Restore-AzShellState``, ``Get-AzShellCheckpoint``, ``Remove-AzShellCheckpoint``
(``azshell.controls.checkpoints``) and ``Export-AzShellState`` / ``Import-AzShellState``
(``azshell.controls.export``; the command line's ``azshell state export|import`` does the same). These are
azshell controls over the state file itself, not Azure operations, so they work on the store, not through the
planes.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from azshell.controls.checkpoints import (
    Checkpoint,
    CheckpointError,
    create_checkpoint,
    list_checkpoints,
    remove_checkpoint,
    restore_checkpoint,
)
from azshell.controls.export import StateImportError, load_snapshot, read_export_file, write_export
from azshell.lang.cmdlet import Cmdlet, CmdletError, Example, Param
from azshell.lang.values import PSObject

if TYPE_CHECKING:
    from azshell.lang.formatting import ViewTable
    from azshell.world import World

__all__ = ["COMMANDS", "after_state_replaced", "register_views"]

CHECKPOINT_TYPE = "Azshell.Checkpoint"
_PSCUSTOM = "System.Management.Automation.PSCustomObject"


def _complete_checkpoint(prefix: str) -> list[str]:
    return []  # the checkpoints live with the state; the session has no static list


class _StateCmdlet(Cmdlet):
    @property
    def bound(self) -> dict[str, Any]:
        value = self.__dict__.get("params")
        return value if isinstance(value, dict) else {}

    @property
    def world(self) -> World:
        world = getattr(self.ctx.services, "world", None)
        if world is None:
            raise CmdletError("This command needs the azshell state.", category="ResourceUnavailable",
                              error_id="NoState")
        return world  # type: ignore[no-any-return]

    def local_path(self, path: str) -> str:
        """A path on this machine (relative to the shell's folder off-host, the process's on a host)."""
        expanded = os.path.expanduser(path)
        if os.path.isabs(expanded):
            return expanded
        services = self.ctx.services
        base = os.getcwd()
        if getattr(services, "current_host", None) is None:
            provider = getattr(services, "cwd_provider", None)
            if callable(provider):
                try:
                    base = str(provider())
                except Exception:
                    pass
        return os.path.join(base, expanded)


def checkpoint_object(c: Checkpoint) -> PSObject:
    return PSObject([("Name", c.name), ("Created", datetime.fromtimestamp(c.created, tz=UTC)),
                     ("SizeKB", round(c.size / 1024)), ("Path", c.path)], type_names=(CHECKPOINT_TYPE, _PSCUSTOM))


def after_state_replaced(services: Any, *, same_tenant: bool) -> None:
    """What the session must forget after the whole state was replaced: signed-in contexts of another tenant
    (their tokens are the old tenant's) and a host that may no longer exist."""
    if same_tenant:
        return
    if getattr(services, "current_host", None) is not None:
        try:
            services.exit_host()
        except Exception:
            pass
    reset = getattr(services, "reset_contexts", None)
    if callable(reset):
        reset()


class CheckpointAzShellState(_StateCmdlet):
    name = "Checkpoint-AzShellState"
    synopsis = "Saves the whole tenant state under a name, to restore later (Restore-AzShellState)."
    description = ("A checkpoint is a consistent copy of the state file taken with SQLite's online backup "
                   "(beside the state file, in <state>.checkpoints/, readable by you only; in memory for a "
                   ":memory: state). Cheap: a few milliseconds for a tutorial-sized tenant. A checkpoint of the "
                   "same name is replaced.")
    params = (Param("Name", "string", mandatory=True, position=0, help="The checkpoint's name."),)
    examples = (Example("Checkpoint-AzShellState -Name before-roles", "Saves the tenant as it is now."),)
    outputs = (CHECKPOINT_TYPE,)

    def process(self) -> None:
        try:
            self.write(checkpoint_object(create_checkpoint(self.world, str(self.bound["Name"]))))
        except CheckpointError as e:
            raise CmdletError(str(e), category="InvalidArgument", error_id="CheckpointFailed") from None


class RestoreAzShellState(_StateCmdlet):
    name = "Restore-AzShellState"
    synopsis = "Puts the whole tenant back as a checkpoint saved it."
    description = ("Replaces every table of the state with the checkpoint's in one transaction: another process "
                   "(REPL, kernel, azshell serve) sees the old state or the restored one, never a mix. "
                   "Everything is restored, the events log and the tenant clock included.")
    params = (Param("Name", "string", mandatory=True, position=0, completer=_complete_checkpoint,
                    value_from_pipeline_by_property_name=True, help="The checkpoint's name."),)
    supports_should_process = True
    examples = (Example("Restore-AzShellState -Name before-roles", "Undo everything since the checkpoint."),)
    outputs = (CHECKPOINT_TYPE,)

    def process(self) -> None:
        name = str(self.bound["Name"])
        if not self.should_process(name, "Restore the tenant state from checkpoint"):
            return
        world = self.world
        tenant = world.tenant_id
        try:
            found = restore_checkpoint(world, name)
        except CheckpointError as e:
            category = "ObjectNotFound" if "no checkpoint named" in str(e) else "InvalidData"
            raise CmdletError(str(e), category=category, error_id="CheckpointNotRestored", target=name) from None
        after_state_replaced(self.ctx.services, same_tenant=world.tenant_id.casefold() == tenant.casefold())
        self.ctx.write_host(f"Restored checkpoint {found.name}.")


class GetAzShellCheckpoint(_StateCmdlet):
    name = "Get-AzShellCheckpoint"
    synopsis = "Lists the checkpoints of this state."
    params = (Param("Name", "string", position=0, help="A name; wildcards are allowed."),)
    examples = (Example("Get-AzShellCheckpoint", "Every checkpoint, oldest first."),)
    outputs = (CHECKPOINT_TYPE,)

    def process(self) -> None:
        import fnmatch

        pattern = str(self.bound.get("Name") or "*").casefold()
        found = False
        for c in list_checkpoints(self.world):
            if fnmatch.fnmatchcase(c.name.casefold(), pattern):
                found = True
                self.write(checkpoint_object(c))
        if not found and not any(ch in pattern for ch in "*?["):
            self.write_error(f"There is no checkpoint named '{self.bound.get('Name')}'.", category="ObjectNotFound",
                             error_id="CheckpointNotFound")


class RemoveAzShellCheckpoint(_StateCmdlet):
    name = "Remove-AzShellCheckpoint"
    synopsis = "Deletes a checkpoint."
    params = (Param("Name", "string[]", mandatory=True, position=0, value_from_pipeline_by_property_name=True,
                    help="The checkpoint(s) to delete."),)
    supports_should_process = True
    examples = (Example("Get-AzShellCheckpoint | Remove-AzShellCheckpoint", "Deletes every checkpoint."),)

    def process(self) -> None:
        names = self.bound["Name"]
        for name in names if isinstance(names, list) else [names]:
            if not self.should_process(str(name), "Remove checkpoint"):
                continue
            try:
                remove_checkpoint(self.world, str(name))
            except CheckpointError as e:
                self.write_error(str(e), category="ObjectNotFound", error_id="CheckpointNotFound", target=name)


class ExportAzShellState(_StateCmdlet):
    name = "Export-AzShellState"
    synopsis = "Writes the whole tenant to a versioned JSON file (keys and secrets included)."
    description = ("The file (docs/state-format.md) holds every table of the state but the events log: the "
                   "directory, subscriptions, resources, role assignments, the tenant's private signing keys and "
                   "Key Vault secrets. It is a TEST tenant's file: anyone holding it can mint tokens the tenant "
                   "accepts, so it is written readable by you only (0600). Equal states give byte-identical files. "
                   "Import-AzShellState (or azshell state import) loads it on any machine.")
    params = (Param("Path", "string", mandatory=True, position=0, aliases=("FilePath",), help="The JSON file."),
              Param("PassThru", "switch", help="Output the file."))
    examples = (Example("Export-AzShellState -Path tenant.json", "The tenant as JSON."),)

    def process(self) -> None:
        path = self.local_path(str(self.bound["Path"]))
        try:
            snapshot = write_export(self.world, path)
        except StateImportError as e:
            raise CmdletError(str(e), category="WriteError", error_id="ExportFailed", target=path) from None
        self.write_warning(f"{path} holds this test tenant's private signing keys and secrets; keep it private.")
        rows = sum(len(r) for _c, r in snapshot.tables.values())
        self.ctx.write_host(f"Exported {rows} rows from {len(snapshot.tables)} tables to {path}.")
        if self.bound.get("PassThru"):
            self.write(path)


class ImportAzShellState(_StateCmdlet):
    name = "Import-AzShellState"
    synopsis = "Replaces the whole tenant with one exported by Export-AzShellState (any machine, older versions)."
    description = ("Reads the JSON export and replaces every table of this state with it in one transaction "
                   "(the events log is kept). An export from an older azshell is brought up to date with the "
                   "state migrations; one from a newer azshell, or with services this azshell lacks, is refused "
                   "with the reason. If the export is another tenant, the session signs in again as its admin.")
    params = (Param("Path", "string", mandatory=True, position=0, aliases=("FilePath",), help="The JSON file."),)
    supports_should_process = True
    examples = (Example("Import-AzShellState -Path tenant.json", "This state becomes the exported tenant."),)

    def process(self) -> None:
        path = self.local_path(str(self.bound["Path"]))
        if not self.should_process(path, "Replace the whole tenant state with the export"):
            return
        world = self.world
        tenant = world.tenant_id
        try:
            with self.progress(f"Importing {path}") as bar:  # Write-Progress: reading, then one transaction
                bar.update("Reading the export", 0)
                snapshot = read_export_file(path)
                bar.update(f"Loading {len(snapshot.tables)} tables", 50)
                load_snapshot(world, snapshot, source=path)
        except StateImportError as e:
            category = "ObjectNotFound" if "Cannot read" in str(e) else "InvalidData"
            raise CmdletError(str(e), category=category, error_id="ImportFailed", target=path) from None
        after_state_replaced(self.ctx.services, same_tenant=world.tenant_id.casefold() == tenant.casefold())
        rows = sum(len(r) for _c, r in snapshot.tables.values())
        self.ctx.write_host(f"Imported {rows} rows from {path} (tenant {world.tenant_id}).")


COMMANDS = (CheckpointAzShellState, RestoreAzShellState, GetAzShellCheckpoint, RemoveAzShellCheckpoint,
            ExportAzShellState, ImportAzShellState)


def register_views(views: ViewTable) -> None:
    views.register(CHECKPOINT_TYPE, "table", ("Name", "Created", "SizeKB"))
