"""Write-*, Format-* and Out-* cmdlets."""

from __future__ import annotations

from typing import Any, ClassVar

from azshell.lang.builtins._util import (
    CORE,
    UTILITY,
    Builtin,
    as_list,
    evaluator,
    resolved_path,
    views_of,
    wants,
)
from azshell.lang.cmdlet import Cmdlet, CmdletError, Example, Param
from azshell.lang.conversions import enumerate_value, to_string
from azshell.lang.formatting import FormattedText, format_lines, format_objects

ERROR_CATEGORIES = (
    "NotSpecified", "OpenError", "CloseError", "DeviceError", "DeadlockDetected", "InvalidArgument",
    "InvalidData", "InvalidOperation", "InvalidResult", "InvalidType", "MetadataError", "NotImplemented",
    "NotInstalled", "ObjectNotFound", "OperationStopped", "OperationTimeout", "SyntaxError", "ParserError",
    "PermissionDenied", "ResourceBusy", "ResourceExists", "ResourceUnavailable", "ReadError", "WriteError",
    "FromStdErr", "SecurityError", "ProtocolError", "ConnectionError", "AuthenticationError", "LimitsExceeded",
    "QuotaExceeded", "NotEnabled",
)
COLORS = ("Black", "DarkBlue", "DarkGreen", "DarkCyan", "DarkRed", "DarkMagenta", "DarkYellow", "Gray",
          "DarkGray", "Blue", "Green", "Cyan", "Red", "Magenta", "Yellow", "White")


def console_width(ctx: Any) -> int:
    w = getattr(ctx, "console_width", None)
    if callable(w):
        w = w()
    return int(w) if isinstance(w, int) and w > 20 else 120


class WriteOutput(Builtin):
    name = "Write-Output"
    aliases = ("echo", "write")
    module = UTILITY
    synopsis = "Writes the specified objects to the pipeline."
    description = ("Sends the specified objects to the next command in the pipeline. If Write-Output is the last "
                   "command in the pipeline, the objects are displayed in the console. Collections are "
                   "enumerated unless -NoEnumerate is given.")
    params = (
        Param("InputObject", "object[]", mandatory=True, position=0, value_from_pipeline=True,
              value_from_remaining_arguments=True, allow_null=True, allow_empty_collection=True,
              help="Specifies the objects to send down the pipeline."),
        Param("NoEnumerate", "switch", help="Writes a collection as a single object."),
    )
    examples = (
        Example('Write-Output "test output" | Get-Member', "Passes a string down the pipeline to Get-Member."),
        Example("echo 1 2 3", "Writes three numbers, one per line."),
    )

    def process(self) -> None:
        v = self.bound.get("InputObject")
        if self.bound.get("NoEnumerate"):
            self.write(v)
            return
        for x in enumerate_value(v):
            self.write(x)


class WriteHost(Builtin):
    name = "Write-Host"
    module = UTILITY
    synopsis = "Writes customized output to a host."
    description = ("Writes text straight to the host (the console), not to the pipeline. Arrays are joined with "
                   "-Separator (a space by default).")
    params = (
        Param("Object", "object", position=0, value_from_pipeline=True, value_from_remaining_arguments=True,
              help="Objects to display in the host."),
        Param("NoNewline", "switch", help="The output is not followed by a newline."),
        Param("Separator", "object", help="Separator between objects."),
        Param("ForegroundColor", "string", validate_set=COLORS, help="Text color."),
        Param("BackgroundColor", "string", validate_set=COLORS, help="Background color."),
    )
    examples = (
        Example('Write-Host "no newline test " -NoNewline', "Writes text without a trailing newline."),
        Example('Write-Host "Red on white text." -ForegroundColor red', "Writes text in red."),
    )

    def process(self) -> None:
        if "Object" not in self.bound and self.input is None:
            self.ctx.write_host("", newline=not self.bound.get("NoNewline"))
            return
        sep = to_string(self.bound.get("Separator", " "))
        parts: list[str] = []

        def add(v: Any) -> None:
            if isinstance(v, (list, tuple)):
                for x in v:
                    add(x)
            else:
                parts.append(to_string(v))

        add(self.bound.get("Object"))
        self.ctx.write_host(sep.join(parts), newline=not self.bound.get("NoNewline"),
                            color=self.bound.get("ForegroundColor"))


class WriteError(Builtin):
    name = "Write-Error"
    module = UTILITY
    synopsis = "Writes an object to the error stream."
    description = "Declares a non-terminating error. With -ErrorAction Stop it becomes terminating."
    params = (
        Param("Message", "string", mandatory=True, position=0, value_from_pipeline=True, aliases=("Msg",),
              allow_null=True, allow_empty_string=True, help="The message text of the error."),
        Param("Exception", "object", help="An exception object that represents the error."),
        Param("ErrorRecord", "object", help="An error record object that represents the error."),
        Param("Category", "string", validate_set=ERROR_CATEGORIES, help="The category of the error."),
        Param("ErrorId", "string", help="An ID string to identify the error."),
        Param("TargetObject", "object", help="The object that was being processed when the error occurred."),
        Param("RecommendedAction", "string", help="The action the user should take to resolve the error."),
        Param("CategoryActivity", "string"),
        Param("CategoryReason", "string"),
        Param("CategoryTargetName", "string"),
        Param("CategoryTargetType", "string"),
    )
    examples = (Example('Write-Error "Access denied."', "Writes an Access denied error."),)

    def process(self) -> None:
        msg: Any = self.bound.get("Message")
        if msg is None:
            exc = self.bound.get("Exception")
            rec = self.bound.get("ErrorRecord")
            msg = exc if exc is not None else rec
        if msg is None:
            msg = ""
        if not isinstance(msg, (str, BaseException)):
            msg = to_string(msg)
        self.ctx.write_error(msg, category=self.bound.get("Category") or "NotSpecified",
                             error_id=self.bound.get("ErrorId") or "Microsoft.PowerShell.Commands.WriteErrorException",
                             target=self.bound.get("TargetObject"), exception=self.bound.get("Exception"))


class WriteWarning(Builtin):
    name = "Write-Warning"
    module = UTILITY
    synopsis = "Writes a warning message."
    description = "Writes a warning message to the host (shown as 'WARNING: message')."
    params = (Param("Message", "string", mandatory=True, position=0, value_from_pipeline=True, aliases=("Msg",),
                    allow_empty_string=True, help="The text of the warning."),)
    examples = (Example('Write-Warning "This is only a test warning."', "Writes a warning."),)

    def process(self) -> None:
        self.write_warning(to_string(self.bound.get("Message")))


class WriteVerbose(Builtin):
    name = "Write-Verbose"
    module = UTILITY
    synopsis = "Writes text to the verbose message stream."
    description = "Verbose messages are shown only when -Verbose is given or $VerbosePreference is Continue."
    params = (Param("Message", "string", mandatory=True, position=0, value_from_pipeline=True, aliases=("Msg",),
                    allow_empty_string=True, help="The verbose message."),)
    examples = (Example('Write-Verbose -Message "Searching the Application Event Log." -Verbose',
                        "Writes a verbose message and shows it."),)

    def process(self) -> None:
        self.write_verbose(to_string(self.bound.get("Message")))


class WriteDebug(Builtin):
    name = "Write-Debug"
    module = UTILITY
    synopsis = "Writes a debug message to the console."
    description = "Debug messages are shown only when $DebugPreference is Continue."
    params = (Param("Message", "string", mandatory=True, position=0, value_from_pipeline=True, aliases=("Msg",),
                    allow_empty_string=True),)
    examples = (Example('Write-Debug "Cannot open file."', "Writes a debug message."),)

    def process(self) -> None:
        hook = wants(self.ctx, "write_debug")
        if callable(hook):
            hook(to_string(self.bound.get("Message")))


class WriteInformation(Builtin):
    name = "Write-Information"
    module = UTILITY
    synopsis = "Specifies how PowerShell handles information stream data for a command."
    description = ("Writes to the information stream, which is not shown unless $InformationPreference is "
                   "Continue or -InformationAction Continue is given.")
    params = (
        Param("MessageData", "object", mandatory=True, position=0, aliases=("Msg", "Message"),
              help="The message or object to write."),
        Param("Tags", "string[]", position=1, help="Tags for the record."),
    )
    examples = (Example('Write-Information -MessageData "Got here" -InformationAction Continue',
                        "Writes an informational message and shows it."),)

    def process(self) -> None:
        hook = wants(self.ctx, "write_information")
        if callable(hook):
            hook(self.bound.get("MessageData"))


# ----------------------------------------------------------------------------------------------- Format-*
class _FormatBase(Builtin):
    kind: ClassVar[str] = "table"

    def begin(self) -> None:
        self._items: list[Any] = []

    def process(self) -> None:
        if self.input is not None:
            self._items.append(self.input)
        elif "InputObject" in self.bound:
            self._items.extend(as_list(self.bound["InputObject"]) if self.input is None and
                               isinstance(self.bound["InputObject"], list) else [self.bound["InputObject"]])

    def _properties(self) -> list[Any] | None:
        props = self.bound.get("Property")
        if props is None:
            return None
        return as_list(props)

    def end(self) -> None:
        kw: dict[str, Any] = {}
        if self.kind == "table":
            kw["hide_headers"] = bool(self.bound.get("HideTableHeaders"))
            kw["wrap"] = bool(self.bound.get("Wrap"))
        if self.kind == "wide":
            kw["wide_columns"] = self.bound.get("Column")
            if self.bound.get("Property") is not None:
                kw["properties"] = [self.bound["Property"]]
        else:
            kw["properties"] = self._properties()
        text = format_objects(self._items, view=self.kind, width=console_width(self.ctx),
                              evaluate=evaluator(self.ctx), views=views_of(self.ctx), **kw)
        if text:
            self.write(FormattedText(text))


class FormatTable(_FormatBase):
    name = "Format-Table"
    aliases = ("ft",)
    module = UTILITY
    kind = "table"
    synopsis = "Formats the output as a table."
    description = ("Formats the output of a command as a table with the selected properties of the object in "
                   "each column. Properties may be names, wildcards, script blocks or calculated properties "
                   "(@{Name='x'; Expression={...}}).")
    params = (
        Param("Property", "object[]", position=0, help="The object properties that appear in the display."),
        Param("InputObject", "object", value_from_pipeline=True, help="The objects to format."),
        Param("AutoSize", "switch", help="Adjusts the column size based on the width of the data."),
        Param("HideTableHeaders", "switch", help="Omits the column headings from the table."),
        Param("Wrap", "switch", help="Displays text that exceeds the column width on the next line."),
        Param("GroupBy", "object"),
        Param("RepeatHeader", "switch"),
        Param("Force", "switch"),
    )
    examples = (
        Example("Get-Command | Format-Table -AutoSize", "Formats commands in a table."),
        Example("1..3 | ForEach-Object { [pscustomobject]@{N=$_; Sq=$_*$_} } | Format-Table N, @{n='Square';e={$_.Sq}}",
                "Uses a calculated property."),
    )


class FormatList(_FormatBase):
    name = "Format-List"
    aliases = ("fl",)
    module = UTILITY
    kind = "list"
    synopsis = "Formats the output as a list of properties in which each property appears on a new line."
    description = "Formats the output of a command as a list of properties, each on its own line. Use * for all."
    params = (
        Param("Property", "object[]", position=0, help="The object properties that appear in the display."),
        Param("InputObject", "object", value_from_pipeline=True, help="The objects to format."),
        Param("GroupBy", "object"),
        Param("Force", "switch"),
    )
    examples = (Example("Get-Date | Format-List *", "Shows every property of the current date."),)


class FormatWide(_FormatBase):
    name = "Format-Wide"
    aliases = ("fw",)
    module = UTILITY
    kind = "wide"
    synopsis = "Formats objects as a wide table that displays only one property of each object."
    description = "Shows one property (by default Name) of each object, in as many columns as fit."
    params = (
        Param("Property", "object", position=0, help="The property that appears in the display."),
        Param("InputObject", "object", value_from_pipeline=True, help="The objects to format."),
        Param("Column", "int", help="The number of columns in the display."),
        Param("AutoSize", "switch"),
        Param("Force", "switch"),
    )
    examples = (Example("Get-ChildItem | Format-Wide -Column 3", "Lists file names in three columns."),)


# ----------------------------------------------------------------------------------------------- Out-*
class _CollectBase(Builtin):
    def begin(self) -> None:
        self._items: list[Any] = []

    def process(self) -> None:
        if self.input is not None:
            self._items.append(self.input)
        elif self.bound.get("InputObject") is not None:
            self._items.append(self.bound["InputObject"])


class OutString(_CollectBase):
    name = "Out-String"
    module = UTILITY
    synopsis = "Outputs input objects as a string."
    description = ("Converts objects into the text PowerShell would display: one string, or one string per line "
                   "with -Stream.")
    params = (
        Param("InputObject", "object", value_from_pipeline=True, help="The objects to be written to a string."),
        Param("Stream", "switch", help="Sends one string per line."),
        Param("Width", "int", help="The number of characters in each line of output."),
        Param("NoNewline", "switch", help="Removes all newlines from the output."),
    )
    examples = (Example("Get-Alias | Out-String -Stream | Select-String 'Get-Command'",
                        "Finds lines in the formatted alias list."),)

    def end(self) -> None:
        width = self.bound.get("Width") or console_width(self.ctx)
        if self.bound.get("Stream"):
            for line in format_lines(self._items, width=width, views=views_of(self.ctx)):
                self.write(line)
            return
        text = format_objects(self._items, width=width, views=views_of(self.ctx))
        if self.bound.get("NoNewline"):
            text = text.replace("\n", "")
        self.write(text)


class OutNull(Builtin):
    name = "Out-Null"
    module = CORE
    synopsis = "Hides the output instead of sending it down the pipeline or displaying it."
    description = "Sends output to NULL, in effect removing it from the pipeline."
    params = (Param("InputObject", "object", value_from_pipeline=True, help="The object to discard."),)
    examples = (Example("New-Item -ItemType Directory -Path tmp | Out-Null", "Creates a folder quietly."),)


class OutHost(_CollectBase):
    name = "Out-Host"
    aliases: ClassVar[tuple[str, ...]] = ("oh",)
    module = CORE
    synopsis = "Sends output to the command line."
    description = "Formats objects and writes them to the host, not the pipeline."
    params = (
        Param("InputObject", "object", value_from_pipeline=True, help="The objects to display."),
        Param("Paging", "switch"),
    )
    examples = (Example("Get-Command | Out-Host", "Displays commands in the console."),)

    def end(self) -> None:
        text = format_objects(self._items, width=console_width(self.ctx), views=views_of(self.ctx))
        if text:
            self.ctx.write_host(text[:-1] if text.endswith("\n") else text)


class OutDefault(OutHost):
    name = "Out-Default"
    aliases: ClassVar[tuple[str, ...]] = ()
    synopsis = "Sends the output to the default formatter and to the default output cmdlet."
    description = "Formats objects with the default views and writes them to the host."
    examples = (Example("Get-Date | Out-Default", "Displays the date."),)


class OutFile(_CollectBase):
    name = "Out-File"
    module = UTILITY
    synopsis = "Sends output to a file."
    description = "Writes the formatted text of the input objects to a file, as the console would show it."
    supports_should_process = True
    params = (
        Param("FilePath", "string", mandatory=True, position=0, aliases=("Path",), help="The output file."),
        Param("Encoding", "string", position=1, help="Ignored: files are written as UTF-8 without BOM."),
        Param("InputObject", "object", value_from_pipeline=True, help="The objects to be written to the file."),
        Param("Append", "switch", help="Adds the output to the end of an existing file."),
        Param("Force", "switch"),
        Param("NoClobber", "switch", aliases=("NoOverwrite",), help="Prevents overwriting an existing file."),
        Param("NoNewline", "switch", help="No newline is written after each item."),
        Param("Width", "int", help="The number of characters in each line of output."),
    )
    examples = (Example("Get-Alias | Out-File -FilePath .\\Aliases.txt", "Writes the alias table to a file."),)

    def end(self) -> None:
        path = str(self.bound["FilePath"])
        if not self.should_process(resolved_path(self.ctx, path), "Output to File"):
            return
        if self.bound.get("NoClobber") and self.ctx.fs.exists(path) and not self.bound.get("Append"):
            raise CmdletError(f"The file '{resolved_path(self.ctx, path)}' already exists.",
                              category="ResourceExists",
                              error_id="NoClobber,Microsoft.PowerShell.Commands.OutFileCommand", target=path)
        views = views_of(self.ctx)
        if self.bound.get("NoNewline"):
            text = "".join(format_objects([x], views=views).rstrip("\n") for x in self._items)
        else:
            text = format_objects(self._items, width=self.bound.get("Width") or console_width(self.ctx),
                                  views=views)
        write_file(self, path, text, append=bool(self.bound.get("Append")), command="OutFileCommand")


def write_file(cmd: Cmdlet, path: str, text: str, *, append: bool, command: str) -> None:
    try:
        cmd.ctx.fs.write_text(path, text, append=append)
    except IsADirectoryError:
        raise CmdletError(f"Access to the path '{resolved_path(cmd.ctx, path)}' is denied.",
                          category="PermissionDenied",
                          error_id=f"UnauthorizedAccessError,Microsoft.PowerShell.Commands.{command}",
                          target=path) from None
    except (FileNotFoundError, NotADirectoryError):
        raise CmdletError(f"Could not find a part of the path '{resolved_path(cmd.ctx, path)}'.",
                          category="ObjectNotFound",
                          error_id=f"GetContentWriterDirectoryNotFoundError,Microsoft.PowerShell.Commands.{command}",
                          target=path) from None
    except PermissionError:
        raise CmdletError(f"Access to the path '{resolved_path(cmd.ctx, path)}' is denied.",
                          category="PermissionDenied",
                          error_id=f"UnauthorizedAccessError,Microsoft.PowerShell.Commands.{command}",
                          target=path) from None


COMMANDS: list[type[Cmdlet]] = [
    WriteOutput, WriteHost, WriteError, WriteWarning, WriteVerbose, WriteDebug, WriteInformation,
    FormatTable, FormatList, FormatWide, OutString, OutNull, OutHost, OutDefault, OutFile,
]
