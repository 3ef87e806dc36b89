"""File-system cmdlets over ``ctx.fs`` (the real folder off-host, a host's own disk on an emulated host)."""

from __future__ import annotations

import posixpath
from datetime import UTC, datetime
from typing import Any, ClassVar

from azshell.lang.builtins._util import MANAGEMENT, Builtin, as_list, not_found, resolved_path
from azshell.lang.builtins.output import write_file
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.conversions import has_wildcards, to_string, wildcard_to_regex
from azshell.lang.formatting import ViewTable
from azshell.lang.values import PSObject

FILE_INFO = "System.IO.FileInfo"
DIR_INFO = "System.IO.DirectoryInfo"
PATH_INFO = "System.Management.Automation.PathInfo"


def _sep(ctx: Any) -> str:
    return str(getattr(ctx.fs, "separator", "/"))


def _join(ctx: Any, a: str, b: str) -> str:
    join = getattr(ctx.fs, "join", None)
    if callable(join):
        return str(join(a, b))
    return posixpath.join(a, b)


def item_object(ctx: Any, path: str) -> PSObject:
    """A FileInfo/DirectoryInfo-like object for Get-ChildItem and New-Item."""
    info_fn = getattr(ctx.fs, "info", None)
    full = resolved_path(ctx, path)
    is_dir = ctx.fs.is_dir(path)
    length = 0
    when = datetime(2024, 1, 1, tzinfo=UTC)
    if callable(info_fn):
        info = info_fn(path)
        length, when, full = info.length, info.last_write_time, info.full_name
    name = full.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or full
    o = PSObject(type_names=(DIR_INFO if is_dir else FILE_INFO,))
    o.set("Mode", "d----" if is_dir else "-a---")
    o.set("LastWriteTime", when)
    o.set("Length", None if is_dir else length)
    o.set("Name", name)
    o.set("FullName", full)
    o.set("PSIsContainer", is_dir)
    parent = full[: len(full) - len(name)].rstrip("/\\") or full[:1]
    o.set("DirectoryName" if not is_dir else "Parent", parent)
    o.set("Extension", ("." + name.rsplit(".", 1)[1]) if "." in name[1:] else "")
    return o


def _expand(cmd: Builtin, path: str) -> list[str]:
    """Paths matching a wildcard in the last segment (or the path itself)."""
    if not has_wildcards(path):
        return [path]
    norm = path.replace("\\", "/")
    head, _, leaf = norm.rpartition("/")
    folder = head or "."
    if not cmd.ctx.fs.is_dir(folder):
        return []
    rx = wildcard_to_regex(leaf)
    return [(_join(cmd.ctx, head, n) if head else n) for n in cmd.ctx.fs.list_dir(folder) if rx.match(n)]


def _existing(cmd: Builtin, path: str, command_class: str) -> list[str]:
    """What :func:`_expand` gives when every match exists; else none, and a PathNotFound error is written."""
    targets = _expand(cmd, path)
    if not targets or not all(cmd.ctx.fs.exists(t) for t in targets):
        not_found(cmd, path, command_class)
        return []
    return targets


class GetContent(Builtin):
    name = "Get-Content"
    aliases = ("gc", "cat", "type")
    module = MANAGEMENT
    synopsis = "Gets the content of the item at the specified location."
    description = "Outputs a file's lines one by one, or the whole text as one string with -Raw."
    params = (
        Param("Path", "string[]", mandatory=True, position=0, value_from_pipeline_by_property_name=True,
              aliases=("FullName", "PSPath", "LiteralPath", "LP"), help="The path to the file."),
        Param("Raw", "switch", help="Returns the whole content as one string."),
        Param("TotalCount", "int", aliases=("Head", "First"), help="The number of lines from the beginning."),
        Param("Tail", "int", aliases=("Last",), help="The number of lines from the end."),
        Param("Encoding", "string"), Param("Delimiter", "string"), Param("AsByteStream", "switch"),
        Param("ReadCount", "int"), Param("Force", "switch"),
    )
    examples = (Example("1..10 | Set-Content -Path .\\LineNumbers.txt\nGet-Content -Path .\\LineNumbers.txt -TotalCount 5",
                        "Writes ten numbered lines, then gets the first five."),
                Example("Get-Content config.json -Raw | ConvertFrom-Json", "Reads a JSON file."))

    def process(self) -> None:
        for raw in as_list(self.bound.get("Path")):
            path = to_string(raw)
            matches = _expand(self, path)
            if not matches or not all(self.ctx.fs.exists(m) for m in matches):
                not_found(self, path, "GetContentCommand")
                continue
            for m in matches:
                self._read(m)

    def _read(self, path: str) -> None:
        fs = self.ctx.fs
        if fs.is_dir(path):
            self.write_error(f"Unable to get content because it is a directory: '{resolved_path(self.ctx, path)}'. "
                             "Please use 'Get-ChildItem' instead.", category="InvalidOperation",
                             error_id="GetContainerContentException,Microsoft.PowerShell.Commands.GetContentCommand",
                             target=path)
            return
        if self.bound.get("AsByteStream"):
            for b in fs.read_bytes(path):
                self.write(b)
            return
        text = fs.read_text(path)
        if self.bound.get("Raw"):
            self.write(text)
            return
        delim = self.bound.get("Delimiter")
        if delim:
            lines = text.split(to_string(delim))
        else:
            lines = text.replace("\r\n", "\n").split("\n")
            if lines and lines[-1] == "":
                lines.pop()
        total = self.bound.get("TotalCount")
        if total is not None and int(total) >= 0:
            lines = lines[: int(total)]
        tail = self.bound.get("Tail")
        if tail is not None:
            lines = lines[-int(tail):] if int(tail) > 0 else []
        for line in lines:
            self.write(line)


class SetContent(Builtin):
    name = "Set-Content"
    aliases: ClassVar[tuple[str, ...]] = ()
    module = MANAGEMENT
    append = False
    synopsis = "Writes new content or replaces existing content in a file."
    description = "Writes the string form of each value, one per line, replacing the file's content."
    supports_should_process = True
    params = (
        Param("Path", "string[]", mandatory=True, position=0, value_from_pipeline_by_property_name=True,
              aliases=("FullName", "PSPath", "LiteralPath"), help="The path of the file."),
        Param("Value", "object[]", position=1, value_from_pipeline=True, allow_null=True,
              allow_empty_collection=True, help="The new content."),
        Param("NoNewline", "switch", help="No newline is added after the values."),
        Param("PassThru", "switch"), Param("Force", "switch"), Param("Encoding", "string"),
    )
    examples = (Example("Set-Content -Path .\\Test.txt -Value 'Hello, World'", "Writes a line to a file."),)

    def begin(self) -> None:
        self._values: list[Any] = []
        self._piped = False

    def process(self) -> None:
        if self.input is not None:
            self._piped = True
            self._values.append(self.input)

    def end(self) -> None:
        values = self._values if self._piped else as_list(self.bound.get("Value"))
        if self.bound.get("NoNewline"):
            text = "".join(to_string(v) for v in values)
        else:
            text = "".join(to_string(v) + "\n" for v in values)
        command = "AddContentCommand" if self.append else "SetContentCommand"
        for raw in as_list(self.bound.get("Path")):
            path = to_string(raw)
            if not self.should_process(resolved_path(self.ctx, path), "Add Content" if self.append else "Set Content"):
                continue
            write_file(self, path, text, append=self.append, command=command)
            if self.bound.get("PassThru"):
                for v in values:
                    self.write(v)


class AddContent(SetContent):
    name = "Add-Content"
    aliases: ClassVar[tuple[str, ...]] = ("ac",)
    append = True
    synopsis = "Adds content to the specified items, such as adding words to a file."
    description = "Appends the string form of each value, one per line, to the file (creating it if needed)."
    examples = (Example("Add-Content -Path .\\log.txt -Value 'done'", "Appends a line."),)


class TestPath(Builtin):
    name = "Test-Path"
    module = MANAGEMENT
    synopsis = "Determines whether all elements of a path exist."
    description = "Returns $true if the path exists (and is of -PathType, when given), else $false."
    params = (
        Param("Path", "string[]", mandatory=True, position=0, value_from_pipeline=True,
              value_from_pipeline_by_property_name=True, aliases=("LiteralPath", "PSPath"),
              help="The path to test."),
        Param("PathType", "string", validate_set=("Any", "Container", "Leaf"), aliases=("Type",)),
        Param("IsValid", "switch"),
    )
    examples = (Example("Test-Path -Path .\\config.json -PathType Leaf", "Checks that the file exists."),)

    def process(self) -> None:
        kind = to_string(self.bound.get("PathType") or "Any").casefold()
        for raw in as_list(self.bound.get("Path")):
            path = to_string(raw)
            if self.bound.get("IsValid"):
                self.write(bool(path.strip()))
                continue
            matches = _expand(self, path)
            ok = bool(matches) and all(self.ctx.fs.exists(m) for m in matches)
            if ok and kind == "container":
                ok = all(self.ctx.fs.is_dir(m) for m in matches)
            elif ok and kind == "leaf":
                ok = not any(self.ctx.fs.is_dir(m) for m in matches)
            self.write(ok)


class NewItem(Builtin):
    name = "New-Item"
    aliases: ClassVar[tuple[str, ...]] = ("ni",)
    module = MANAGEMENT
    synopsis = "Creates a new item."
    description = "Creates a file (optionally with -Value content) or a directory."
    supports_should_process = True
    params = (
        Param("Path", "string[]", position=0, value_from_pipeline_by_property_name=True, help="The location."),
        Param("Name", "string", value_from_pipeline_by_property_name=True, help="The name of the new item."),
        Param("ItemType", "string", aliases=("Type",), help="File or Directory."),
        Param("Value", "object", value_from_pipeline=True, help="The content of a new file."),
        Param("Force", "switch", help="Overwrites an existing file; creates missing folders."),
    )
    examples = (Example("New-Item -Path . -Name testfile1.txt -ItemType File -Value 'a string'", "Creates a file."),
                Example("New-Item -ItemType Directory -Path scripts", "Creates a folder."))

    def process(self) -> None:
        paths = [to_string(p) for p in as_list(self.bound.get("Path"))] or ["."]
        name = self.bound.get("Name")
        kind = to_string(self.bound.get("ItemType") or "File").casefold()
        fs = self.ctx.fs
        for base in paths:
            path = _join(self.ctx, base, to_string(name)) if name else base
            if not self.should_process(resolved_path(self.ctx, path), "Create " + (
                    "Directory" if kind.startswith("d") else "File")):
                continue
            if kind in ("directory", "dir", "d", "container", "folder"):
                if fs.exists(path) and not self.bound.get("Force"):
                    raise CmdletError(f"An item with the specified name {resolved_path(self.ctx, path)} already "
                                      "exists.", category="ResourceExists",
                                      error_id="DirectoryExist,Microsoft.PowerShell.Commands.NewItemCommand",
                                      target=path)
                make = getattr(fs, "make_dir", None)
                if callable(make):
                    make(path)
                else:
                    raise CmdletError("This file system cannot create folders.", category="NotImplemented")
            elif kind in ("file", "f", "leaf"):
                if fs.exists(path) and not self.bound.get("Force"):
                    raise CmdletError(f"The file '{resolved_path(self.ctx, path)}' already exists.",
                                      category="WriteError",
                                      error_id="NewItemIOError,Microsoft.PowerShell.Commands.NewItemCommand",
                                      target=path)
                value = self.bound.get("Value")
                if value is None and self.input is not None:
                    value = self.input
                write_file(self, path, to_string(value), append=False, command="NewItemCommand")
            else:
                raise CmdletError(f"The type '{self.bound.get('ItemType')}' is not supported: use File or "
                                  "Directory.", category="InvalidArgument",
                                  error_id="Argument,Microsoft.PowerShell.Commands.NewItemCommand")
            self.write(item_object(self.ctx, path))


class RemoveItem(Builtin):
    name = "Remove-Item"
    aliases: ClassVar[tuple[str, ...]] = ("rm", "del", "erase", "rd", "ri", "rmdir")
    module = MANAGEMENT
    synopsis = "Deletes the specified items."
    description = "Deletes files and folders (non-empty folders need -Recurse)."
    supports_should_process = True
    params = (
        Param("Path", "string[]", mandatory=True, position=0, value_from_pipeline_by_property_name=True,
              aliases=("FullName", "PSPath", "LiteralPath"), help="The items to remove (wildcards allowed)."),
        Param("Recurse", "switch", help="Deletes the items in the folders too."),
        Param("Force", "switch"), Param("Include", "string[]"), Param("Exclude", "string[]"),
    )
    examples = (Example("Remove-Item C:\\Test\\*.txt", "Deletes the text files of a folder."),)

    def process(self) -> None:
        fs = self.ctx.fs
        for raw in as_list(self.bound.get("Path")):
            path = to_string(raw)
            matches = [m for m in _expand(self, path) if fs.exists(m)]
            if not matches:
                if not has_wildcards(path):
                    not_found(self, path, "RemoveItemCommand")
                continue
            for m in matches:
                if not self.should_process(resolved_path(self.ctx, m), "Remove File" if not fs.is_dir(m)
                                           else "Remove Directory"):
                    continue
                try:
                    if fs.is_dir(m) and self.bound.get("Recurse"):
                        fs.remove(m, recursive=True)  # type: ignore[call-arg]
                    else:
                        fs.remove(m)
                except OSError:
                    self.write_error(f"The item at {resolved_path(self.ctx, m)} has children and the Recurse "
                                     "parameter was not specified.", category="WriteError",
                                     error_id="DirectoryNotEmpty,Microsoft.PowerShell.Commands.RemoveItemCommand",
                                     target=m)


class GetChildItem(Builtin):
    name = "Get-ChildItem"
    aliases: ClassVar[tuple[str, ...]] = ("ls", "dir", "gci")
    module = MANAGEMENT
    synopsis = "Gets the items and child items in one or more specified locations."
    description = "Lists the files and folders of a folder (or those matching a wildcard)."
    params = (
        Param("Path", "string[]", position=0, value_from_pipeline=True, value_from_pipeline_by_property_name=True,
              help="The folder to list (default: the current one)."),
        Param("Filter", "string", position=1, help="A wildcard the names must match."),
        Param("Recurse", "switch", aliases=("s",)), Param("File", "switch"), Param("Directory", "switch",
                                                                                    aliases=("ad",)),
        Param("Name", "switch", help="Outputs only the names."), Param("Force", "switch"),
        Param("Include", "string[]"), Param("Exclude", "string[]"), Param("Depth", "int"),
    )
    examples = (Example("Get-ChildItem -Path . -Filter *.txt", "Lists the text files of the current folder."),)

    def process(self) -> None:
        fs = self.ctx.fs
        paths = [to_string(p) for p in as_list(self.bound.get("Path"))] or ["."]
        flt = self.bound.get("Filter")
        rx = wildcard_to_regex(to_string(flt)) if flt else None
        for path in paths:
            for t in _existing(self, path, "GetChildItemCommand"):
                if fs.is_dir(t) and not has_wildcards(path):
                    self._list(t, "", rx, int(self.bound.get("Depth") or 99) if self.bound.get("Recurse") else 0)
                else:
                    self._emit(t, to_string(t).replace("\\", "/").rsplit("/", 1)[-1])

    def _list(self, folder: str, rel: str, rx: Any, depth: int) -> None:
        """A folder's folders, then its files (as PowerShell's FileSystem provider lists them), then with
        -Recurse each subfolder's listing in turn."""
        fs = self.ctx.fs
        dirs: list[tuple[str, str]] = []
        files: list[tuple[str, str]] = []
        for n in fs.list_dir(folder):
            child = _join(self.ctx, folder, n)
            (dirs if fs.is_dir(child) else files).append((n, child))
        for n, child in dirs + files:
            if rx is None or rx.match(n):
                self._emit(child, (rel + n) if rel else n)
        if depth > 0:
            for n, child in dirs:
                self._list(child, (rel + n + _sep(self.ctx)), rx, depth - 1)

    def _emit(self, path: str, rel: str) -> None:
        is_dir = self.ctx.fs.is_dir(path)
        if (self.bound.get("File") and is_dir) or (self.bound.get("Directory") and not is_dir):
            return
        if self.bound.get("Name"):
            self.write(rel)
        else:
            self.write(item_object(self.ctx, path))


def _path_info(path: str) -> PSObject:
    o = PSObject(type_names=(PATH_INFO,))
    o.set("Path", path)
    return o


class GetItem(Builtin):
    name = "Get-Item"
    aliases: ClassVar[tuple[str, ...]] = ("gi",)
    module = MANAGEMENT
    synopsis = "Gets the item at the specified location."
    description = "Gets the file or folder at a path (wildcards expand to every match), without its contents."
    params = (
        Param("Path", "string[]", position=0, mandatory=True, value_from_pipeline=True,
              value_from_pipeline_by_property_name=True, help="The path of the item."),
        Param("Force", "switch"),
    )
    examples = (Example("Get-Item -Path .", "Gets the current folder."),)

    def process(self) -> None:
        for path in [to_string(p) for p in as_list(self.bound.get("Path"))]:
            for t in _existing(self, path, "GetItemCommand"):
                self.write(item_object(self.ctx, t))


class GetLocation(Builtin):
    name = "Get-Location"
    aliases: ClassVar[tuple[str, ...]] = ("gl", "pwd")
    module = MANAGEMENT
    synopsis = "Gets information about the current working location."
    description = "Outputs the current folder as a PathInfo object (property Path)."
    params = (Param("PSProvider", "string[]"), Param("PSDrive", "string[]"), Param("Stack", "switch"))
    examples = (Example("Get-Location", "Shows the current folder."),)

    def process(self) -> None:
        self.write(_path_info(self.ctx.fs.cwd()))


class SetLocation(Builtin):
    name = "Set-Location"
    aliases: ClassVar[tuple[str, ...]] = ("cd", "chdir", "sl")
    module = MANAGEMENT
    synopsis = "Sets the current working location to a specified location."
    description = "Changes the current folder of the session's file system."
    params = (
        Param("Path", "string", position=0, value_from_pipeline=True, value_from_pipeline_by_property_name=True,
              aliases=("LiteralPath", "PSPath"), help="The new location (default: the home folder)."),
        Param("PassThru", "switch"),
    )
    examples = (Example("Set-Location -Path ..", "Goes up one folder."),)

    def process(self) -> None:
        path = to_string(self.bound.get("Path") or "~")
        try:
            self.ctx.fs.set_cwd(path)
        except NotADirectoryError:
            raise CmdletError(f"Cannot find path '{resolved_path(self.ctx, path)}' because it does not exist.",
                              category="ObjectNotFound",
                              error_id="PathNotFound,Microsoft.PowerShell.Commands.SetLocationCommand",
                              target=path) from None
        except OSError:
            not_found(self, path, "SetLocationCommand", terminating=True)
        if self.bound.get("PassThru"):
            self.write(_path_info(self.ctx.fs.cwd()))


class JoinPath(Builtin):
    name = "Join-Path"
    module = MANAGEMENT
    synopsis = "Combines a path and a child path into a single path."
    description = "Joins path segments with the file system's separator."
    params = (
        Param("Path", "string[]", mandatory=True, position=0, value_from_pipeline=True,
              value_from_pipeline_by_property_name=True, aliases=("PSPath",), help="The main path."),
        Param("ChildPath", "string", position=1, value_from_pipeline_by_property_name=True,
              help="The path to append."),
        Param("AdditionalChildPath", "string[]", position=2, value_from_remaining_arguments=True),
        Param("Resolve", "switch"),
    )
    examples = (Example("Join-Path -Path scripts -ChildPath deploy.ps1", "Outputs scripts/deploy.ps1."),)

    def process(self) -> None:
        rest = [to_string(x) for x in as_list(self.bound.get("AdditionalChildPath"))]
        child = self.bound.get("ChildPath")
        sep = _sep(self.ctx)
        for base in as_list(self.bound.get("Path")):
            out = to_string(base)
            for part in ([to_string(child)] if child is not None else []) + rest:
                if not part:
                    continue
                out = (out.rstrip("/\\") + sep + part.lstrip("/\\")) if out else part
            if self.bound.get("Resolve"):
                if not self.ctx.fs.exists(out):
                    not_found(self, out, "JoinPathCommand")
                    continue
                out = resolved_path(self.ctx, out)
            self.write(out)


class SplitPath(Builtin):
    name = "Split-Path"
    module = MANAGEMENT
    synopsis = "Returns the specified part of a path."
    description = "Returns the parent folder (default), the leaf, the leaf base, the extension or the qualifier."
    params = (
        Param("Path", "string[]", mandatory=True, position=0, value_from_pipeline=True,
              value_from_pipeline_by_property_name=True, aliases=("PSPath",), help="The paths to split."),
        Param("Parent", "switch"), Param("Leaf", "switch"), Param("LeafBase", "switch"),
        Param("Extension", "switch"), Param("Qualifier", "switch"), Param("NoQualifier", "switch"),
        Param("IsAbsolute", "switch"), Param("Resolve", "switch"),
    )
    examples = (Example("Split-Path -Path C:\\Test\\Logs\\log.txt -Leaf", "Outputs log.txt."),)

    def process(self) -> None:
        for raw in as_list(self.bound.get("Path")):
            p = to_string(raw)
            norm = p.replace("\\", "/")
            head, _, leaf = norm.rstrip("/").rpartition("/")
            sep = "\\" if "\\" in p else "/"
            b = self.bound
            if b.get("Leaf"):
                self.write(leaf)
            elif b.get("LeafBase"):
                self.write(leaf.rsplit(".", 1)[0] if "." in leaf[1:] else leaf)
            elif b.get("Extension"):
                self.write("." + leaf.rsplit(".", 1)[1] if "." in leaf[1:] else "")
            elif b.get("Qualifier"):
                self.write(p[:2] if len(p) > 1 and p[1] == ":" else "")
            elif b.get("NoQualifier"):
                self.write(p[2:] if len(p) > 1 and p[1] == ":" else p)
            elif b.get("IsAbsolute"):
                self.write(norm.startswith("/") or (len(p) > 2 and p[1] == ":" and p[2] in "/\\"))
            else:
                parent = head.replace("/", sep)
                if not parent and norm.startswith("/") and leaf:
                    parent = sep
                if len(parent) == 2 and parent[1] == ":":
                    parent += sep
                self.write(parent)


def register_views(views: ViewTable) -> None:
    """Add the default views of this module's output types to ``views`` (a registry's table)."""
    views.register(FILE_INFO, "table",
                   ["Mode", ("LastWriteTime", lambda o: o.get("LastWriteTime")), "Length", "Name"])
    views.register(DIR_INFO, "table",
                   ["Mode", ("LastWriteTime", lambda o: o.get("LastWriteTime")), "Length", "Name"])
    views.register(PATH_INFO, "table", ["Path"])


COMMANDS: list[type[Builtin]] = [
    GetItem,
    GetContent, SetContent, AddContent, TestPath, NewItem, RemoveItem, GetChildItem, GetLocation, SetLocation,
    JoinPath, SplitPath,
]
