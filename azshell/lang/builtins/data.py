"""Data and session cmdlets: JSON, SecureString, credentials, dates, random numbers, sleep, variables,
Read-Host and Invoke-Expression."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from azshell.lang.builtins._util import CORE, SECURITY, UTILITY, Builtin, as_list, wants
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.conversions import (
    enumerate_value,
    format_datetime,
    has_wildcards,
    to_datetime,
    to_number,
    to_string,
    wildcard_to_regex,
)
from azshell.lang.errors import RuntimeLangError
from azshell.lang.formatting import ViewTable
from azshell.lang.jsonconv import JsonConversionError, from_json, to_json
from azshell.lang.runtime import unwrap
from azshell.lang.values import Guid, PSCredential, PSObject, SecureString


# ----------------------------------------------------------------------------------------------- JSON
class ConvertFromJson(Builtin):
    name = "ConvertFrom-Json"
    module = UTILITY
    synopsis = "Converts a JSON-formatted string to a custom object or a hash table."
    description = ("Converts JSON text into PSCustomObjects (or hashtables with -AsHashtable). Strings from the "
                   "pipeline are collected: if the first one is not complete JSON, all are joined and parsed "
                   "as one document, as PowerShell 7 does.")
    params = (
        Param("InputObject", "string", mandatory=True, position=0, value_from_pipeline=True,
              allow_empty_string=True, help="The JSON strings to convert."),
        Param("AsHashtable", "switch", help="Converts the JSON to a hash table instead of an object."),
        Param("Depth", "int", help="The maximum depth the JSON input may have (default 1024)."),
        Param("NoEnumerate", "switch", help="Outputs a JSON array as a single object."),
        Param("DateKind", "string", validate_set=("Default", "Local", "Utc", "Offset", "String")),
    )
    examples = (
        Example("'{\"name\": \"vm1\", \"tags\": [1, 2]}' | ConvertFrom-Json", "Converts JSON text to an object."),
        Example("Get-Content config.json -Raw | ConvertFrom-Json -AsHashtable", "Reads a file into a hashtable."),
    )

    def begin(self) -> None:
        self._buf: list[str] = []

    def process(self) -> None:
        if self.input is not None:
            self._buf.append(to_string(self.input))
        elif "InputObject" in self.bound and self.bound["InputObject"] is not None:
            self._buf.append(to_string(self.bound["InputObject"]))

    def _convert(self, text: str) -> None:
        value = from_json(text, as_hashtable=bool(self.bound.get("AsHashtable")),
                          parse_dates=to_string(self.bound.get("DateKind") or "Default") != "String")
        if isinstance(value, list) and not self.bound.get("NoEnumerate"):
            for x in value:
                self.write(x)
        elif text.strip():
            self.write(value)

    def end(self) -> None:
        try:
            if len(self._buf) == 1:
                self._convert(self._buf[0])
            elif self._buf:
                try:
                    from_json(self._buf[0])
                    first_ok = True
                except JsonConversionError:
                    first_ok = False
                if first_ok:
                    for text in self._buf:
                        self._convert(text)
                else:
                    self._convert("\n".join(self._buf))
        except JsonConversionError as e:
            raise CmdletError(e.message, category="NotSpecified",
                              error_id="System.ArgumentException,Microsoft.PowerShell.Commands.ConvertFromJsonCommand",
                              exception=e) from None


class ConvertToJson(Builtin):
    name = "ConvertTo-Json"
    module = UTILITY
    synopsis = "Converts an object to a JSON-formatted string."
    description = ("Converts objects to JSON (2-space indentation). Objects nested deeper than -Depth (default 2, "
                   "at most 100) are written as their string form with a warning. Several pipeline objects "
                   "make one JSON array.")
    params = (
        Param("InputObject", "object", mandatory=True, position=0, value_from_pipeline=True, allow_null=True,
              help="The objects to convert to JSON."),
        Param("Depth", "int", validate_range=(0, 100), help="How many levels of contained objects are included."),
        Param("Compress", "switch", help="Omits white space and indented formatting."),
        Param("AsArray", "switch", help="Outputs the object in array brackets even if it is the only one."),
        Param("EnumsAsStrings", "switch"),
        Param("EscapeHandling", "string", validate_set=("Default", "EscapeNonAscii", "EscapeHtml")),
    )
    examples = (
        Example("@{name='vm1'; size='Standard_B1s'} | ConvertTo-Json", "Converts a hashtable to JSON."),
        Example("Get-Date | ConvertTo-Json -Compress", "Converts a date to a one-line JSON string."),
    )

    def begin(self) -> None:
        self._items: list[Any] = []

    def process(self) -> None:
        if self.input is not None:
            self._items.append(self.input)
        elif "InputObject" in self.bound:
            self._items.append(self.bound["InputObject"])

    def end(self) -> None:
        if not self._items:
            return
        value: Any = self._items[0] if len(self._items) == 1 and not self.bound.get("AsArray") else self._items
        if self.bound.get("AsArray") and len(self._items) == 1 and isinstance(self._items[0], list):
            value = self._items[0]
        depth = self.bound.get("Depth")
        self.write(to_json(value, depth=2 if depth is None else int(depth),
                           compress=bool(self.bound.get("Compress")), warn=self.write_warning))


# ----------------------------------------------------------------------------------------------- SecureString
_SS_PREFIX = "01000000d08c9ddf0115d1118c7a00c04fc297eb0100000"
_SS_KEY = b"azshell-securestring"


def protect(text: str) -> str:
    """A deterministic, opaque hex form of a secure string (what ConvertFrom-SecureString prints)."""
    data = text.encode("utf-16-le")
    body = bytes(b ^ _SS_KEY[i % len(_SS_KEY)] for i, b in enumerate(data))
    return _SS_PREFIX + "0" + body.hex()


def unprotect(blob: str) -> str | None:
    s = blob.strip().lower()
    if not s.startswith(_SS_PREFIX):
        return None
    try:
        body = bytes.fromhex(s[len(_SS_PREFIX) + 1:])
        data = bytes(b ^ _SS_KEY[i % len(_SS_KEY)] for i, b in enumerate(body))
        return data.decode("utf-16-le")
    except ValueError:
        return None


class ConvertToSecureString(Builtin):
    name = "ConvertTo-SecureString"
    module = SECURITY
    synopsis = "Converts plain text or encrypted strings to secure strings."
    description = ("With -AsPlainText, converts plain text to a SecureString. Without it, the input must be an "
                   "encrypted standard string from ConvertFrom-SecureString.")
    params = (
        Param("String", "string", mandatory=True, position=0, value_from_pipeline=True,
              help="The string to convert to a secure string."),
        Param("AsPlainText", "switch", help="The input is plain text."),
        Param("Force", "switch", help="Confirms that you understand the implications of using -AsPlainText."),
        Param("Key", "object"), Param("SecureKey", "securestring"),
    )
    examples = (Example("$pw = ConvertTo-SecureString 'P@ssw0rd!' -AsPlainText -Force",
                        "Creates a secure string from plain text."),)

    def process(self) -> None:
        text = to_string(self.bound.get("String"))
        if self.bound.get("AsPlainText"):
            self.write(SecureString(text))
            return
        plain = unprotect(text)
        if plain is None:
            raise CmdletError("Input string was not in a correct format.", category="InvalidArgument",
                              error_id="ImportSecureString,Microsoft.PowerShell.Commands.ConvertToSecureStringCommand",
                              target=text)
        self.write(SecureString(plain))


class ConvertFromSecureString(Builtin):
    name = "ConvertFrom-SecureString"
    module = SECURITY
    synopsis = "Converts a secure string to an encrypted standard string."
    description = "Outputs an encrypted string for a SecureString, or its plain text with -AsPlainText."
    params = (
        Param("SecureString", "securestring", mandatory=True, position=0, value_from_pipeline=True,
              help="The secure string to convert."),
        Param("AsPlainText", "switch", help="Outputs the plain text."),
        Param("Key", "object"), Param("SecureKey", "securestring"),
    )
    examples = (Example("$pw = ConvertTo-SecureString 'P@ssw0rd' -AsPlainText -Force\n$pw | ConvertFrom-SecureString -AsPlainText",
                        "Shows the text of a secure string."),)

    def process(self) -> None:
        ss = self.bound.get("SecureString")
        if not isinstance(ss, SecureString):
            return
        self.write(ss.reveal() if self.bound.get("AsPlainText") else protect(ss.reveal()))


DEFAULT_USER = "azureuser"
DEFAULT_PASSWORD = "Azsh3ll-P@ssw0rd!"


class GetCredential(Builtin):
    name = "Get-Credential"
    module = SECURITY
    synopsis = "Gets a credential object based on a user name and password."
    description = ("Prompts for a user name and password when the host can; otherwise returns a credential for "
                   f"'{DEFAULT_USER}' (or -UserName) with a fixed password and says so in a warning.")
    params = (
        Param("Credential", "object", position=0, help="A user name or a credential."),
        Param("UserName", "string", help="The user name."),
        Param("Message", "string", help="The prompt message."),
        Param("Title", "string"),
    )
    examples = (Example("$cred = Get-Credential -UserName azureuser", "Gets a credential for a VM admin."),)

    def process(self) -> None:
        cred = self.bound.get("Credential")
        if isinstance(cred, PSCredential):
            self.write(cred)
            return
        user = to_string(self.bound.get("UserName") or cred or DEFAULT_USER)
        prompt = wants(self.ctx, "prompt_credential")
        if callable(prompt):
            result = prompt(user, self.bound.get("Message"))
            if result is not None:
                self.write(result)
                return
        self.write_warning(f"Get-Credential: no prompt is shown in this session; using user '{user}' with a "
                           "fixed password.")
        self.write(PSCredential(user, SecureString(DEFAULT_PASSWORD)))


# ----------------------------------------------------------------------------------------------- dates, random, sleep
def now(ctx: Any) -> datetime:
    clock = getattr(ctx, "now", None)
    if callable(clock):
        value = clock()
        if isinstance(value, datetime):
            return value
    return datetime.now(UTC).astimezone()


def random_data(ctx: Any, n: int) -> bytes:
    """``n`` random bytes from the engine's source (``Engine(random_bytes=...)``: seeded by ``--seed``), else the
    operating system's."""
    source = getattr(ctx, "random_data", None)
    if callable(source):
        data = source(n)
        if isinstance(data, bytes) and len(data) == n:
            return data
    import os

    return os.urandom(n)


def _utc_offset_hours(d: datetime) -> str:
    off = d.utcoffset() or timedelta(0)
    h = int(off.total_seconds() // 3600)
    return f"{'+' if h >= 0 else '-'}{abs(h):02d}"


#: ``-UFormat`` specifiers: a ``strftime`` format, or what computes the text
_UFORMAT: dict[str, str | Callable[[datetime], str]] = {
    "a": "%a", "A": "%A", "b": "%b", "B": "%B", "c": "%a %b %d %H:%M:%S %Y", "C": lambda d: f"{d.year // 100:02d}",
    "d": "%d", "D": "%m/%d/%y", "e": lambda d: f"{d.day:2d}", "F": "%Y-%m-%d",
    "g": lambda d: f"{d.isocalendar()[0] % 100:02d}", "G": "%Y", "h": "%b", "H": "%H", "I": "%I", "j": "%j",
    "k": lambda d: f"{d.hour:2d}", "l": lambda d: f"{(d.hour % 12) or 12:2d}", "m": "%m", "M": "%M", "n": "\n",
    "p": "%p", "r": "%I:%M:%S %p", "R": "%H:%M", "s": lambda d: str(int(d.timestamp())), "S": "%S", "t": "\t",
    "T": "%H:%M:%S", "u": lambda d: str(d.isoweekday()), "U": "%U", "V": "%V", "w": "%w", "W": "%W",
    "x": "%m/%d/%y", "X": "%H:%M:%S", "y": "%y", "Y": "%Y", "Z": _utc_offset_hours, "%": "%%",
}


def uformat(d: datetime, fmt: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c == "%" and i + 1 < len(fmt):
            k = fmt[i + 1]
            i += 2
            spec = _UFORMAT.get(k)
            if spec is None:
                out.append(k)
            else:
                out.append(d.strftime(spec) if isinstance(spec, str) else spec(d))
            continue
        out.append(c)
        i += 1
    return "".join(out)


class GetDate(Builtin):
    name = "Get-Date"
    module = UTILITY
    synopsis = "Gets the current date and time."
    description = ("Returns a DateTime (now, or -Date), optionally with some parts replaced, or a string "
                   "formatted with .NET (-Format) or Unix (-UFormat) format specifiers.")
    params = (
        Param("Date", "datetime", position=0, value_from_pipeline=True, aliases=("LastWriteTime",),
              help="The date and time to use (default: now)."),
        Param("Year", "int"), Param("Month", "int"), Param("Day", "int"), Param("Hour", "int"),
        Param("Minute", "int"), Param("Second", "int"), Param("Millisecond", "int"),
        Param("Format", "string", help="A .NET format string such as 'yyyy-MM-dd' or 'o'."),
        Param("UFormat", "string", help="A Unix format string such as '%Y-%m-%d' or '%s'."),
        Param("AsUTC", "switch", help="Converts the date to UTC."),
        Param("DisplayHint", "string", validate_set=("Date", "Time", "DateTime")),
        Param("UnixTimeSeconds", "int", aliases=("UnixTime",), help="A Unix time in seconds."),
    )
    examples = (
        Example("Get-Date -Format 'yyyy-MM-dd'", "Formats today's date."),
        Example("Get-Date -UFormat %s", "Gets the Unix time in seconds."),
        Example("(Get-Date).AddDays(7)", "Gets the date a week from now."),
    )

    def process(self) -> None:
        b = self.bound
        if b.get("UnixTimeSeconds") is not None:
            d = datetime.fromtimestamp(int(b["UnixTimeSeconds"]), UTC).astimezone()
        elif b.get("Date") is not None:
            d = to_datetime(b["Date"])
        else:
            d = now(self.ctx)
        parts = {"Year": "year", "Month": "month", "Day": "day", "Hour": "hour", "Minute": "minute",
                 "Second": "second"}
        repl = {attr: int(b[k]) for k, attr in parts.items() if b.get(k) is not None}
        if repl:
            try:
                d = d.replace(**repl)  # type: ignore[arg-type]
            except ValueError as e:
                raise CmdletError(str(e), category="InvalidArgument",
                                  error_id="ParameterArgumentValidationError,Microsoft.PowerShell.Commands."
                                           "GetDateCommand") from None
        if b.get("Millisecond") is not None:
            d = d.replace(microsecond=int(b["Millisecond"]) * 1000)
        if b.get("AsUTC"):
            d = d.astimezone(UTC)
        if b.get("Format") is not None:
            self.write(format_datetime(d, to_string(b["Format"])))
        elif b.get("UFormat") is not None:
            self.write(uformat(d, to_string(b["UFormat"])))
        elif b.get("DisplayHint") == "Date":
            self.write(d.replace(hour=0, minute=0, second=0, microsecond=0))
        else:
            self.write(d)


class NewGuid(Builtin):
    name = "New-Guid"
    module = UTILITY
    synopsis = "Creates a GUID."
    description = "Returns a new random (version 4) GUID, as [guid]::NewGuid() does; .Guid gives its string."
    params = (Param("Empty", "switch", help="Returns the all-zero GUID."),)
    examples = (Example("(New-Guid).Guid", "A new GUID as a string."),)

    def process(self) -> None:
        import uuid

        value = uuid.UUID(int=0) if self.bound.get("Empty") else uuid.UUID(bytes=random_data(self.ctx, 16), version=4)
        self.write(Guid(str(value)))


class GetRandom(Builtin):
    name = "Get-Random"
    module = UTILITY
    synopsis = "Gets a random number, or selects objects randomly from a collection."
    description = ("Without parameters, returns a non-negative 32-bit integer. With -Minimum/-Maximum, a number "
                   "in [Minimum, Maximum). With input objects, returns -Count of them picked at random.")
    params = (
        Param("Maximum", "object", position=0, help="The exclusive upper bound."),
        Param("Minimum", "object", help="The inclusive lower bound (default 0)."),
        Param("InputObject", "object[]", value_from_pipeline=True, help="A collection to pick from."),
        Param("Count", "int", help="How many objects to pick."),
        Param("SetSeed", "int", help="A seed for the random number generator."),
        Param("Shuffle", "switch", help="Returns all input objects in random order."),
    )
    examples = (Example("Get-Random -Minimum 1 -Maximum 7", "Rolls a die."),
                Example("'a','b','c' | Get-Random", "Picks one letter."))

    def begin(self) -> None:
        self._items: list[Any] = []
        seed = self.bound.get("SetSeed")
        self._rng = random.Random(seed if seed is not None else int.from_bytes(random_data(self.ctx, 32), "big"))

    def process(self) -> None:
        if self.input is not None:
            self._items.extend(enumerate_value(self.input))
        elif "InputObject" in self.bound:
            self._items = as_list(self.bound["InputObject"])

    def end(self) -> None:
        b = self.bound
        if self._items:
            if b.get("Shuffle"):
                count = len(self._items)
            else:
                count = int(b.get("Count") or 1)
            picked = self._rng.sample(self._items, min(count, len(self._items)))
            for x in picked:
                self.write(x)
            return
        lo_raw, hi_raw = b.get("Minimum"), b.get("Maximum")
        lo = to_number(lo_raw) if lo_raw is not None else 0
        hi = to_number(hi_raw) if hi_raw is not None else 2**31 - 1
        if lo >= hi:
            raise CmdletError(f"The Minimum value ({lo}) cannot be greater than or equal to the Maximum value "
                              f"({hi}).", category="InvalidArgument",
                              error_id="MinGreaterThanOrEqualMax,Microsoft.PowerShell.Commands.GetRandomCommand")
        for _ in range(int(b.get("Count") or 1)):
            if isinstance(lo, float) or isinstance(hi, float):
                self.write(self._rng.uniform(float(lo), float(hi)))
            else:
                self.write(self._rng.randrange(int(lo), int(hi)))


class StartSleep(Builtin):
    name = "Start-Sleep"
    aliases = ("sleep",)
    module = UTILITY
    synopsis = "Suspends the activity in a script or session for the specified period of time."
    description = "Waits the given number of seconds or milliseconds. Ctrl+C stops the wait."
    params = (
        Param("Seconds", "double", position=0, aliases=("s",), help="How many seconds to sleep."),
        Param("Milliseconds", "int", aliases=("ms",), help="How many milliseconds to sleep."),
        Param("Duration", "object", aliases=("ts",), help="A TimeSpan to sleep."),
    )
    examples = (Example("Start-Sleep -Seconds 2", "Waits two seconds."),
                Example("Start-Sleep -Milliseconds 250", "Waits a quarter of a second."))

    def process(self) -> None:
        total = 0.0
        if self.bound.get("Seconds") is not None:
            total += float(to_number(self.bound["Seconds"]))
        if self.bound.get("Milliseconds") is not None:
            total += float(to_number(self.bound["Milliseconds"])) / 1000
        dur = self.bound.get("Duration")
        if isinstance(dur, timedelta):
            total += dur.total_seconds()
        check = wants(self.ctx, "check_interrupt")
        deadline = time.monotonic() + max(total, 0.0)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            if callable(check) and check():
                return
            time.sleep(min(0.05, left))


class ReadHost(Builtin):
    name = "Read-Host"
    module = UTILITY
    synopsis = "Reads a line of input from the console."
    description = "Reads a line when the host is interactive; otherwise returns an empty string with a warning."
    params = (
        Param("Prompt", "object", position=0, value_from_remaining_arguments=True, help="The prompt text."),
        Param("AsSecureString", "switch", help="Returns a SecureString."),
        Param("MaskInput", "switch"),
    )
    examples = (Example("$name = Read-Host 'Your name'", "Asks for a name."),)

    def process(self) -> None:
        prompt = to_string(self.bound.get("Prompt"))
        reader = wants(self.ctx, "read_host")
        text: str | None = None
        if callable(reader):
            text = reader(prompt, bool(self.bound.get("AsSecureString") or self.bound.get("MaskInput")))
        if text is None:
            self.write_warning("Read-Host: no interactive input in this session; returning an empty string.")
            text = ""
        self.write(SecureString(text) if self.bound.get("AsSecureString") else text)


class InvokeExpression(Builtin):
    name = "Invoke-Expression"
    aliases = ("iex",)
    module = UTILITY
    synopsis = "Runs commands or expressions on the local computer."
    description = "Evaluates a string as PowerShell code in the current scope and outputs the results."
    params = (Param("Command", "string", mandatory=True, position=0, value_from_pipeline=True,
                    help="The code to run."),)
    examples = (Example("Invoke-Expression 'Get-Date'", "Runs the command in the string."),)

    def process(self) -> None:
        run = wants(self.ctx, "execute_text")
        if not callable(run):
            raise CmdletError("Invoke-Expression is not available in this context.", category="NotImplemented",
                              error_id="InvokeExpressionUnavailable")
        try:
            result = run(to_string(self.bound.get("Command")))
        except RuntimeLangError as exc:
            rec = exc.record  # PowerShell names Invoke-Expression in the error's id
            if "," not in rec.fully_qualified_error_id:
                rec.error_id = f"{rec.fully_qualified_error_id},Microsoft.PowerShell.Commands.InvokeExpressionCommand"
            raise
        if result is None:
            return
        for x in enumerate_value(result) if isinstance(result, list) else [result]:
            self.write(x)


# ----------------------------------------------------------------------------------------------- variables
PS_VARIABLE = "System.Management.Automation.PSVariable"


def variable_table(ctx: Any) -> dict[str, Any] | None:
    """Every visible variable, when the engine can list them (``ctx.list_variables()``)."""
    lister = getattr(ctx, "list_variables", None)
    if not callable(lister):
        return None
    result = lister()
    if isinstance(result, dict):
        return result
    return dict(result)


def _var_exists(ctx: Any, name: str) -> bool:
    has = getattr(ctx, "has_variable", None)
    if callable(has):
        return bool(has(name))
    table = variable_table(ctx)
    if table is not None:
        return any(k.casefold() == name.casefold() for k in table)
    return ctx.get_variable(name) is not None


def _var_object(name: str, value: Any) -> PSObject:
    o = PSObject(type_names=(PS_VARIABLE,))
    o.set("Name", name)
    o.set("Value", value)
    o.set("Description", "")
    o.set("Options", "None")
    return o


class GetVariable(Builtin):
    name = "Get-Variable"
    aliases = ("gv",)
    module = UTILITY
    synopsis = "Gets the variables in the current console."
    description = "Gets variables (names may contain wildcards); -ValueOnly outputs just the values."
    params = (
        Param("Name", "string[]", position=0, value_from_pipeline=True, help="The variable names (no $)."),
        Param("ValueOnly", "switch", help="Gets only the value of the variable."),
        Param("Include", "string[]"), Param("Exclude", "string[]"), Param("Scope", "string"),
    )
    examples = (Example("Get-Variable -Name m*", "Gets variables whose names start with m."),
                Example("Get-Variable home -ValueOnly", "Gets the value of $home."))

    def process(self) -> None:
        names = [to_string(n) for n in as_list(self.bound.get("Name"))] or ["*"]
        table = variable_table(self.ctx)
        excl = [wildcard_to_regex(to_string(x)) for x in as_list(self.bound.get("Exclude"))]
        for n in names:
            if has_wildcards(n):
                if table is None:
                    continue
                rx = wildcard_to_regex(n)
                for k in sorted(table, key=str.casefold):
                    if rx.match(k) and not any(r.match(k) for r in excl):
                        self._emit(k, table[k])
            elif _var_exists(self.ctx, n):
                actual = next((k for k in (table or {}) if k.casefold() == n.casefold()), n)
                self._emit(actual, self.ctx.get_variable(n))
            else:
                self.write_error(f"Cannot find a variable with the name '{n}'.", category="ObjectNotFound",
                                 error_id="VariableNotFound,Microsoft.PowerShell.Commands.GetVariableCommand",
                                 target=n)

    def _emit(self, name: str, value: Any) -> None:
        if self.bound.get("ValueOnly"):
            self.write(value)
        else:
            self.write(_var_object(name, value))


class SetVariable(Builtin):
    name = "Set-Variable"
    aliases = ("set",)
    module = UTILITY
    synopsis = "Sets the value of a variable. Creates the variable if one with the requested name does not exist."
    description = "Assigns a value to a variable by name (without the $)."
    params = (
        Param("Name", "string[]", mandatory=True, position=0, help="The variable name (no $)."),
        Param("Value", "object", position=1, value_from_pipeline=True, help="The value."),
        Param("Scope", "string"), Param("Option", "string[]"), Param("Description", "string"),
        Param("PassThru", "switch"), Param("Force", "switch"), Param("Visibility", "string"),
    )
    examples = (Example("Set-Variable -Name desc -Value 'A description'", "Sets $desc."),)

    def begin(self) -> None:
        self._items: list[Any] = []
        self._piped = False

    def process(self) -> None:
        if self.input is not None:
            self._piped = True
            self._items.append(self.input)

    def end(self) -> None:
        value = unwrap(self._items) if self._piped else self.bound.get("Value")
        for n in as_list(self.bound.get("Name")):
            self.ctx.set_variable(to_string(n), value)
            if self.bound.get("PassThru"):
                self.write(_var_object(to_string(n), value))


class NewVariable(SetVariable):
    name = "New-Variable"
    aliases = ("nv",)
    synopsis = "Creates a new variable."
    description = "Creates a variable; fails if one with the name already exists (unless -Force)."
    examples = (Example("New-Variable -Name days -Value 7", "Creates $days."),)

    def end(self) -> None:
        for n in as_list(self.bound.get("Name")):
            if _var_exists(self.ctx, to_string(n)) and not self.bound.get("Force"):
                raise CmdletError(f"A variable with name '{to_string(n)}' already exists.",
                                  category="ResourceExists",
                                  error_id="VariableAlreadyExists,Microsoft.PowerShell.Commands.NewVariableCommand",
                                  target=to_string(n))
        super().end()


class RemoveVariable(Builtin):
    name = "Remove-Variable"
    aliases = ("rv",)
    module = UTILITY
    synopsis = "Deletes a variable and its value."
    description = "Removes variables by name (wildcards allowed)."
    params = (Param("Name", "string[]", mandatory=True, position=0, help="The variable names (no $)."),
              Param("Scope", "string"), Param("Force", "switch"))
    examples = (Example("$smp = 42\nRemove-Variable -Name smp", "Removes $smp."),)

    def process(self) -> None:
        remove = wants(self.ctx, "remove_variable")
        table = variable_table(self.ctx)
        for raw in as_list(self.bound.get("Name")):
            n = to_string(raw)
            targets = [k for k in (table or {}) if wildcard_to_regex(n).match(k)] if has_wildcards(n) else [n]
            for t in targets:
                if not has_wildcards(n) and not _var_exists(self.ctx, t):
                    self.write_error(f"Cannot find a variable with the name '{t}'.", category="ObjectNotFound",
                                     error_id="VariableNotFound,Microsoft.PowerShell.Commands.RemoveVariableCommand",
                                     target=t)
                    continue
                if callable(remove):
                    remove(t)
                else:
                    self.ctx.set_variable(t, None)


class ClearVariable(Builtin):
    name = "Clear-Variable"
    aliases = ("clv",)
    module = UTILITY
    synopsis = "Deletes the value of a variable."
    description = "Sets the variables to $null; the variables remain."
    params = (Param("Name", "string[]", mandatory=True, position=0, help="The variable names (no $)."),
              Param("Scope", "string"), Param("Force", "switch"), Param("PassThru", "switch"))
    examples = (Example("$x = 42\nClear-Variable -Name x", "Sets $x to $null."),)

    def process(self) -> None:
        for raw in as_list(self.bound.get("Name")):
            n = to_string(raw)
            if not _var_exists(self.ctx, n):
                self.write_error(f"Cannot find a variable with the name '{n}'.", category="ObjectNotFound",
                                 error_id="VariableNotFound,Microsoft.PowerShell.Commands.ClearVariableCommand",
                                 target=n)
                continue
            self.ctx.set_variable(n, None)


def register_views(views: ViewTable) -> None:
    """Add the default views of this module's output types to ``views`` (a registry's table)."""
    views.register(PS_VARIABLE, "table", ["Name", "Value"])


COMMANDS: list[type[Builtin]] = [
    ConvertFromJson, ConvertToJson, ConvertToSecureString, ConvertFromSecureString, GetCredential, GetDate,
    NewGuid, GetRandom, StartSleep, ReadHost, InvokeExpression, GetVariable, SetVariable, NewVariable, RemoveVariable,
    ClearVariable,
]
_ = CORE
