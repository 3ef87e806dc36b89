"""A tiny stand-in for :class:`azshell.session.Session` (the contract the front ends code against).

Enough language for the front-end tests: ``Write-Output``/``Write-Host``/``Write-Warning``/``Write-Verbose``,
``Write-Error``, ``throw``, integer sums (``1+2``), ``Get-Thing`` (objects), ``Start-Sleep`` (interruptible),
``Clear-Host``, ``exit``; braces and quotes decide completeness.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

COMMANDS = {
    "Get-Command": "Gets all commands.",
    "Get-Help": "Displays information about commands.",
    "Get-Thing": "Gets things (objects).",
    "Get-ChildItem": "Gets the items in a location.",
    "Get-Variable": "Gets the variables in the current console.",
    "Write-Output": "Writes objects to the pipeline.",
    "Write-Host": "Writes to the host.",
    "Write-Warning": "Writes a warning message.",
    "Write-Verbose": "Writes a verbose message.",
    "Write-Error": "Writes an error.",
    "Start-Sleep": "Suspends the activity for a time.",
    "Clear-Host": "Clears the display.",
}


@dataclass
class StreamRecord:
    stream: str
    value: Any


@dataclass
class ExecuteResult:
    records: list[StreamRecord] = field(default_factory=list)
    had_errors: bool = False
    exit_requested: int | None = None


@dataclass
class Completion:
    text: str
    display: str
    meta: str
    kind: str


@dataclass
class CompletionResult:
    start: int
    end: int
    items: list[Completion]


@dataclass
class FakeError:
    message: str
    category: str = "OperationStopped"
    reason: str = "RuntimeException"
    fully_qualified_error_id: str = ""

    def render(self) -> str:
        return f"{self.message}\nAt line:1 char:1\n    + CategoryInfo          : {self.category}"


class FakeSession:
    def __init__(self, history: str = "/nonexistent/history") -> None:
        self.closed = False
        self._stop = threading.Event()
        self._history = history
        self._clear: Callable[[], None] | None = None
        self.host: str | None = None
        self.executed: list[str] = []

    def set_clear_screen(self, fn: Callable[[], None] | None) -> None:
        self._clear = fn

    # -- running
    def execute(self, text: str, on_record: Callable[[StreamRecord], None] | None = None) -> ExecuteResult:
        self._stop.clear()
        self.executed.append(text)
        result = ExecuteResult()

        def emit(stream: str, value: Any) -> None:
            rec = StreamRecord(stream, value)
            result.records.append(rec)
            if stream == "error":
                result.had_errors = True
            if on_record:
                on_record(rec)

        for line in text.splitlines():
            line = line.strip().strip("{}").strip()
            if not line:
                continue
            cmd, _, arg = line.partition(" ")
            arg = arg.strip().strip("'\"")
            key = cmd.lower()
            if key == "write-output":
                emit("output", arg)
            elif key == "write-host":
                emit("host", arg)
            elif key == "write-warning":
                emit("warning", arg)
            elif key == "write-verbose":
                emit("verbose", arg)
            elif key == "write-error":
                emit("error", FakeError(arg, category="NotSpecified", reason="WriteErrorException"))
            elif key == "throw":
                emit("error", FakeError(arg or "ScriptHalted"))
                break
            elif key == "get-thing":
                for i in range(int(arg or 2)):
                    emit("output", {"Name": f"thing{i}", "Value": i})
            elif key == "start-sleep":
                if self._stop.wait(float(arg or 1)):
                    emit("error", FakeError("The pipeline has been stopped.", reason="PipelineStoppedException"))
                    break
            elif key in ("clear-host", "cls"):
                if self._clear:
                    self._clear()
            elif key == "exit":
                result.exit_requested = int(arg or 0)
                self.closed = True
                break
            elif re.fullmatch(r"\d+(\s*\+\s*\d+)*", line):
                emit("output", sum(int(x) for x in line.split("+")))
            else:
                emit("error", FakeError(f"The term '{cmd}' is not recognized as a name of a cmdlet.",
                                        category="ObjectNotFound", reason="CommandNotFoundException"))
        return result

    def interrupt(self) -> None:
        self._stop.set()

    # -- rendering
    def render_text(self, record: StreamRecord) -> str:
        if record.stream == "error":
            return str(record.value.render())
        if record.stream == "warning":
            return f"WARNING: {record.value}"
        if record.stream == "verbose":
            return f"VERBOSE: {record.value}"
        if record.stream == "output":
            return self.render_outputs([record.value])
        return str(record.value)

    def render_outputs(self, objects: list[Any]) -> str:
        dicts = [o for o in objects if isinstance(o, dict)]
        if dicts and len(dicts) == len(objects):
            lines = ["Name   Value", "----   -----"] + [f"{d['Name']:<6} {d['Value']}" for d in dicts]
            return "\n".join(lines)
        return "\n".join(str(o) for o in objects)

    def render_html(self, objects: list[Any]) -> str | None:
        if objects and all(isinstance(o, dict) for o in objects):
            rows = "".join(f"<tr><td>{o['Name']}</td><td>{o['Value']}</td></tr>" for o in objects)
            return f"<table><tr><th>Name</th><th>Value</th></tr>{rows}</table>"
        return None

    # -- editing
    def is_complete(self, text: str) -> str:
        depth = 0
        quote = None
        for ch in text:
            if quote:
                if ch == quote:
                    quote = None
            elif ch in "'\"":
                quote = ch
            elif ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth < 0:
                    return "invalid"
        if quote or depth > 0 or text.rstrip("\n").endswith("`"):
            return "incomplete"
        return "complete"

    def complete(self, text: str, cursor: int) -> CompletionResult:
        m = re.search(r"[\w-]*$", text[:cursor])
        word = m.group(0) if m else ""
        start = cursor - len(word)
        if not word:
            items = [Completion(n, n, d, "command") for n, d in COMMANDS.items()]
        else:
            items = [Completion(n, n, d, "command") for n, d in COMMANDS.items()
                     if n.lower().startswith(word.lower())]
        return CompletionResult(start, cursor, items)

    def inspect(self, text: str, cursor: int, detail: int = 0) -> str | None:
        m1 = re.search(r"[\w-]*$", text[:cursor])
        m2 = re.match(r"[\w-]*", text[cursor:])
        word = (m1.group(0) if m1 else "") + (m2.group(0) if m2 else "")
        for name, desc in COMMANDS.items():
            if name.lower() == word.lower():
                return f"NAME\n    {name}\n\nSYNOPSIS\n    {desc}"
        return None

    def prompt(self) -> str:
        return f"[{self.host}]: PS C:\\> " if self.host else "PS /subscriptions/0000> "

    def toolbar(self) -> dict[str, str]:
        return {"tenant": "contoso", "subscription": "sub-1", "account": "admin@contoso", "host": self.host or "-"}

    def history_path(self) -> str:
        return self._history

    def highlight_tokens(self, text: str) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for m in re.finditer(r"(?P<command>^[A-Za-z]+-[A-Za-z]+)|(?P<parameter>-\w+)|(?P<string>'[^']*'?)"
                             r"|(?P<error>\})|(?P<text>[\s\S])", text):
            out.append((m.lastgroup or "text", m.group()))
        return out
