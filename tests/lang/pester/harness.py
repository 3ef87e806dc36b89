"""Run PowerShell's own Pester tests (``test/powershell/Language`` of PowerShell/PowerShell) against azshell's
language, and count.

Discovery reads each ``*.Tests.ps1`` with azshell's parser: ``Describe``/``Context`` containers, their
``BeforeAll``/``BeforeEach`` blocks and other statements, and the ``It`` blocks with ``-TestCases``/``-ForEach`` and
``-Skip``. Each ``It`` (each test case counts on its own, as Pester counts them) runs in a fresh language engine
with the generic cmdlets and :class:`~tests.lang.pester.should.Should`: the containers' set-up (outer to inner,
Pester 4 order: statements and ``BeforeAll`` as they appear), the ``BeforeEach`` blocks, then the body as
``& { body } @case`` inside ``try``/``catch``. A terminating error fails the block; non-terminating errors do not (as in
Pester). ``-Skip``/``-Pending``/``Set-ItResult`` blocks are skipped, and so counted nowhere.

Scope: a block is *in scope* unless it uses something azshell does not promise (a .NET type beyond PowerShell's
accelerators, classes, the host/runspace/AST APIs, native processes, modules, jobs, the debugger, ...). Each
excluded block carries the reason; :func:`report` prints them all, so the selection can be read and argued with.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from azshell.lang import ast as A
from azshell.lang.builtins import register_builtins
from azshell.lang.cmdlet import Cmdlet, CmdletError, CommandRegistry, Param
from azshell.lang.engine import Engine, StreamRecord
from azshell.lang.errors import LangError
from azshell.lang.parser import parse
from tests.lang.pester.should import PRELUDE, Should

HERE = Path(__file__).parent
#: the vendored test files (MIT, see NOTICE in that folder)
CORPUS = HERE / "ps"
#: files whose subject is a PowerShell 7 addition (the issue counts them apart)
PS7_FILES = frozenset({"NullConditional.Tests.ps1", "PipelineChainOperator.Tests.ps1", "TernaryOperator.Tests.ps1"})
#: syntax PowerShell 7 added, wherever it appears (a block using it counts with the PowerShell 7 additions)
PS7_SYNTAX = re.compile(r"(^|[\s;}])clean\s*\{", re.I | re.M)
#: seconds one block may run
BLOCK_TIMEOUT = 10.0

_PESTER = {"describe", "context", "it", "beforeall", "beforeeach", "afterall", "aftereach"}

#: (reason, pattern) — a block whose text (set-up included) matches is out of what azshell promises
OUT_OF_SCOPE: tuple[tuple[str, re.Pattern[str]], ...] = tuple((r, re.compile(p, re.I)) for r, p in (
    ("PowerShell's engine API ([powershell], runspaces, AST, SMA types)",
     r"\[(System\.)?Management\.Automation\.(?!(ErrorRecord|ErrorCategory|ActionPreference|PSCustomObject|"
     r"PSObject|SwitchParameter|RuntimeException|ParameterBindingException)\])|"
     r"\[(powershell|runspace\w*|scriptblock)\]::|\$ExecutionContext|"
     r"\.Ast\b|\bParseInput\b|\bTabExpansion2\b|\bPSParser\b|\bGet-PSCallStack\b|\bGetSteppablePipeline\b"),
    ("classes and enums", r"(^|[\s;{])(class|enum)\s+\w+\s*(:\s*\w+\s*)?\{"),
    (".NET interop beyond the accelerators (Add-Type, New-Object of CLR types, System.* statics)",
     r"\bAdd-Type\b|\bNew-Object\b|\[System\.(?!Collections\.(ArrayList|Hashtable)\])[\w.]+(\[[^\]]*\])?\]|"
     r"\[(System\.)?Collections\.Generic|\[(type|psobject|PSObject|pscustomobject)\]::|::new\(|"
     r"\[(Reflection|IO|Text|Threading|Diagnostics|Globalization|Net|Xml)\.|\bGetType\(\)\.(Get|Invoke)|"
     r"\[(System\.)?(Tuple|ValueTuple|ConsoleColor)\]|\(\[object\]\s*[\"'($]"),
    ("native processes and the host (pwsh, $PID, Get-Process, Start-Process, testexe)",
     r"\bpwsh\b|\$PID\b|\bGet-Process\b|\bStart-Process\b|\btestexe\b|\$PSHOME|\$host\b|\bcmd\b|\becho\.exe"),
    ("modules (Import-Module, New-Module, module scopes)",
     r"\b(Import|New|Remove|Get)-Module\b|\.psm1\b|\busing\s+module\b"),
    ("jobs, parallelism and events", r"\b(Start|Wait|Receive|Remove)-Job\b|-Parallel\b|\bRegister-\w*Event\b"),
    ("the debugger and tracing", r"\b(Set|Get|Remove)-PSBreakpoint\b|\bWait-Debugger\b|\bTrace-Command\b|"
                                  r"\bSet-PSDebug\b|\bEnable-ExperimentalFeature\b"),
    # every function of test/tools/Modules/HelpersLanguage and HelpersCommon in the PowerShell repository
    ("the PowerShell test suite's helper modules (HelpersLanguage, HelpersCommon)",
     r"\b(Add-TestDynamicType|Disable-Testhook|Enable-Testhook|Flatten-Ast|Get-DefaultParameterValueStack|"
     r"Get-HelpNetworkTestCases|Get-ParseResults|Get-PlatformInfo|Get-RandomFileName|Get-RuntimeError|"
     r"Get-WsManSupport|Initialize-PSDefaultParameterValue|New-ComplexPassword|New-RandomHexString|"
     r"Pop-DefaultParameterValueStack|Push-DefaultParameterValueStack|Reset-DefaultParameterValueStack|"
     r"Send-VstsLogFile|Set-TesthookResult|ShouldBeParseError|Start-NativeExecution|Test-Ast|"
     r"Test-CanWriteToPsHome|Test-ErrorStmt|Test-IsElevated|Test-IsPreview|Test-IsReleaseCandidate|Test-IsRoot|"
     r"Test-IsVstsLinux|Test-IsVstsWindows|Test-IsWinServer|Test-IsWinWow|Test-IsWindows|Test-IsWindowsArm|"
     r"Test-PSDefaultParameterValue|Test-TesthookIsSet|Wait-FileToBePresent|Wait-UntilTrue)\b"),
    ("XML (Select-Xml, [xml])", r"\bSelect-Xml\b|\[xml\]"),
    ("the debugger and -ErrorAction Break", r"\bTest-Debugger\b|-ErrorAction\s+Break\b|ActionPreference\]::Break|"
                                            r"\bBreak\b'?\s*\)?\s*$"),
    ("language modes and restricted language", r"LanguageMode|\bdata\s*\{|-SupportedCommand\b"),
    ("script signing, execution policy and #requires", r"ExecutionPolicy|#requires"),
    ("Windows-only features (registry, WMI/CIM, COM, DSC)", r"\bHKLM:|\bHKCU:|\bGet-(Wmi|Cim)|-ComObject|"
                                                           r"\bConfiguration\s+\w+\s*\{"),
))


@dataclass
class Container:
    name: str
    parent: Container | None
    setup: list[str] = field(default_factory=list)
    before_each: list[str] = field(default_factory=list)

    def chain(self) -> list[Container]:
        out: list[Container] = []
        c: Container | None = self
        while c is not None:
            out.append(c)
            c = c.parent
        return out[::-1]


@dataclass
class Block:
    file: str
    path: tuple[str, ...]
    container: Container
    body: A.ScriptBlock
    test_cases: str | None
    skip: str | None  # None: not skipped; "": -Skip; else the -Skip:(expr) text

    @property
    def name(self) -> str:
        return " / ".join(self.path)


@dataclass
class Result:
    file: str
    name: str
    status: str  # passed | failed | skipped | out-of-scope
    detail: str = ""
    #: counts with the PowerShell 7 additions (its file's subject, or it uses syntax PowerShell 7 added)
    ps7: bool = False


class _SetItResult(Cmdlet):
    name = "Set-ItResult"
    params = (Param("Skipped", "switch"), Param("Pending", "switch"), Param("Inconclusive", "switch"),
              Param("Because"))

    def end(self) -> None:
        raise CmdletError("Set-ItResult", error_id="PesterItSkipped")


def _registry() -> CommandRegistry:
    reg = CommandRegistry()
    register_builtins(reg)
    reg.register(Should)
    reg.register(_SetItResult)
    return reg


# ----------------------------------------------------------------------------------------------- discovery
def _text(source: str, node: A.Node) -> str:
    return source[node.span.offset:node.span.end_offset]


def _command(stmt: A.Statement) -> A.Command | None:
    if isinstance(stmt, A.Pipeline) and len(stmt.elements) == 1 and isinstance(stmt.elements[0], A.Command):
        return stmt.elements[0]
    return stmt if isinstance(stmt, A.Command) else None


def _command_name(cmd: A.Command) -> str:
    return cmd.name.value.lower() if isinstance(cmd.name, A.StringConstant) else ""


def _args(cmd: A.Command, source: str) -> tuple[list[A.Expr], dict[str, str | None]]:
    """Positional expressions and named parameters (name → argument text, None for a bare switch)."""
    positional: list[A.Expr] = []
    named: dict[str, str | None] = {}
    elems = list(cmd.elements)
    i = 0
    while i < len(elems):
        e = elems[i]
        if isinstance(e, A.CommandParameter):
            key = e.name.lower()
            if e.argument is not None:
                named[key] = _text(source, e.argument)
            elif key in ("testcases", "foreach", "tag", "tags", "name", "fixture", "because") and i + 1 < len(elems) \
                    and not isinstance(elems[i + 1], A.CommandParameter):
                named[key] = _text(source, elems[i + 1])
                i += 1
            else:
                named[key] = None
        else:
            positional.append(e)
        i += 1
    return positional, named


def _block_arg(positional: list[A.Expr]) -> A.ScriptBlock | None:
    for e in positional:
        if isinstance(e, A.ScriptBlockExpression):
            return e.block
    return None


def _name_arg(positional: list[A.Expr], source: str) -> str:
    for e in positional:
        if isinstance(e, A.StringConstant):
            return e.value
        if isinstance(e, A.ExpandableString):
            return _text(source, e).strip("\"'")
    return "?"


def _statements(block: A.ScriptBlock) -> Iterable[A.Statement]:
    for part in (block.begin, block.process, block.end):
        if part is not None:
            yield from part.statements


@dataclass
class Unparsed:
    """An ``It`` in a top-level ``Describe`` that azshell cannot parse: it counts as failed unless its own text (or
    its container's set-up text) is out of scope."""

    file: str
    name: str
    text: str
    error: str


_TOP_DESCRIBE = re.compile(r"^Describe\b", re.M | re.I)
_DESCRIBE_NAME = re.compile(r"Describe\s+(['\"])(.*?)\1", re.I)
_IT_LINE = re.compile(r"^\s*It\s+(['\"])(.*?)\1", re.M | re.I)


def discover(path: Path) -> list[Block | Unparsed]:
    """The file's blocks. A top-level ``Describe`` that does not parse yields :class:`Unparsed` entries, one per
    ``It`` line in it, so one unsupported construct costs its own ``Describe``, not the whole file."""
    source = path.read_text(encoding="utf-8-sig")
    starts = [m.start() for m in _TOP_DESCRIBE.finditer(source)]
    prologue = source[:starts[0]] if starts else source
    chunks = [source[a:b] for a, b in zip(starts, [*starts[1:], len(source)], strict=True)]
    root = Container(path.name, None)
    out: list[Block | Unparsed] = []
    try:
        script = parse(prologue)
        _walk(script.block, prologue, root, (), out, path.name)  # type: ignore[arg-type]
    except LangError:
        root.setup.append(prologue)
    for chunk in chunks:
        try:
            script = parse(chunk)
        except LangError as exc:
            out.extend(_one_by_one(chunk, root, path.name, str(exc)))
            continue
        _walk(script.block, chunk, root, (), out, path.name)  # type: ignore[arg-type]
    return out


def _one_by_one(chunk: str, root: Container, file: str, error: str) -> Iterator[Block | Unparsed]:
    """The ``It`` blocks of a ``Describe`` that does not parse as a whole, each parsed alone: the ``Describe``'s text
    up to its first ``It``, then that ``It``'s lines, then closing braces. An ``It`` that still does not parse is
    :class:`Unparsed` (the construct azshell lacks is its own)."""
    its = list(_IT_LINE.finditer(chunk))
    head = chunk[:its[0].start()] if its else chunk
    for i, m in enumerate(its):
        end = its[i + 1].start() if i + 1 < len(its) else len(chunk)
        region = chunk[m.start():end]
        found: list[Block | Unparsed] = []
        for k in range(0, 5):
            text = head + region + "\n" + "}" * k
            try:
                script = parse(text)
            except LangError:
                continue
            _walk(script.block, text, Container(root.name, None, list(root.setup)), (), found, file)  # type: ignore[arg-type]
            break
        match = [b for b in found if isinstance(b, Block) and b.path[-1] == m.group(2)]
        if match:
            yield match[0]
        else:
            describe = _DESCRIBE_NAME.match(chunk)
            name = f"{describe.group(2)} / {m.group(2)}" if describe else m.group(2)
            yield Unparsed(file, name, head + "\n" + region, error)


def _walk(sb: A.ScriptBlock, source: str, container: Container, names: tuple[str, ...], out: list[Block],
          file: str) -> None:
    for stmt in _statements(sb):
        cmd = _command(stmt)
        kind = _command_name(cmd) if cmd is not None else ""
        if cmd is None or kind not in _PESTER:
            container.setup.append(_text(source, stmt))
            continue
        positional, named = _args(cmd, source)
        body = _block_arg(positional)
        if body is None and named.get("fixture"):
            body = None
        if kind in ("describe", "context"):
            if body is None:
                continue
            name = _name_arg(positional, source)
            child = Container(name, container)
            _walk(body, source, child, (*names, name), out, file)
        elif kind == "beforeall" and body is not None:
            container.setup.extend(_text(source, st) for st in _statements(body))
        elif kind == "beforeeach" and body is not None:
            container.before_each.append(_inner(body))
        elif kind == "it" and body is not None:
            name = _name_arg(positional, source)
            skip: str | None = None
            if "skip" in named:
                skip = named["skip"] or ""
            if "pending" in named:
                skip = ""
            cases = named.get("testcases") or named.get("foreach")
            out.append(Block(file, (*names, name), container, body, cases, skip))


def _inner(block: A.ScriptBlock) -> str:
    """The block's text without its braces (the parser keeps them for some blocks, not others)."""
    text = block.text.strip()
    if text.startswith("{") and text.endswith("}"):
        return text[1:-1]
    return text


# --------------------------------------------------------------------------------------------------- running
def out_of_scope(block: Block, case: Any = None) -> str | None:
    """Why ``block`` (with test case ``case``) is beyond what azshell promises, or None. The set-up statement that
    builds the ``-TestCases`` variable is left out: each case is judged by its own values."""
    var = block.test_cases.strip() if block.test_cases and block.test_cases.strip().startswith("$") else None
    setup = [s for c in block.container.chain() for s in (*c.setup, *c.before_each)
             if var is None or not re.match(re.escape(var) + r"\s*=", s.strip(), re.I)]
    return _classify("\n".join([*setup, block.body.text, "" if var else block.test_cases or "", _case_text(case)]))


def _case_text(case: Any) -> str:
    if case is None:
        return ""
    values = case.values() if isinstance(case, dict) else [case]
    return "\n".join(str(getattr(v, "text", v)) for v in values)


def _classify(text: str) -> str | None:
    for reason, pattern in OUT_OF_SCOPE:
        if pattern.search(text):
            return reason
    return None


class _Run:
    def __init__(self, test_drive: str) -> None:
        self.engine = Engine(_registry(), env={"HOME": "/home/user", "PATH": "/usr/bin"})
        self.errors: list[Any] = []
        # Pester's $TestDrive: a fresh folder per block
        self.drive = test_drive
        self.engine.set_variable("TestDrive", test_drive)

    def close(self) -> None:
        shutil.rmtree(self.drive, ignore_errors=True)

    def sink(self, rec: StreamRecord) -> None:
        if rec.stream == "error":
            self.errors.append(rec.value)

    def run(self, text: str, source: str | None = None) -> None:
        timer = threading.Timer(BLOCK_TIMEOUT, self.engine.interrupt)
        timer.start()
        try:
            self.engine.execute(text, self.sink, source_name=source)
        finally:
            timer.cancel()


def _setup(block: Block) -> _Run:
    drive = tempfile.mkdtemp(prefix="pester-")
    run = _Run(drive)
    run.run(PRELUDE)
    run.run(f"Set-Location '{drive}'")  # relative paths a test writes land in its TestDrive, not the repository
    for c in block.container.chain():
        for text in c.setup:
            run.run(f"try {{\n{text}\n}} catch {{ $__pester_setup_error = $_ }}")
    return run


def _cases(block: Block) -> list[Any] | None:
    """The -TestCases values (None: no test cases)."""
    if block.test_cases is None:
        return None
    run = _setup(block)
    try:
        run.run(f"$__pester_cases = @({block.test_cases})")
        cases = run.engine.get_variable("__pester_cases")
    finally:
        run.close()
    return list(cases) if isinstance(cases, list) else [cases]


def run_block(block: Block, case_index: int | None) -> tuple[str, str]:
    run = _setup(block)
    try:
        return _run_block(run, block, case_index)
    finally:
        run.close()


def _run_block(run: _Run, block: Block, case_index: int | None) -> tuple[str, str]:
    setup_error = run.engine.get_variable("__pester_setup_error")
    if setup_error is not None:
        return "failed", f"set-up failed: {setup_error}"
    if block.skip is not None:
        if block.skip == "":
            return "skipped", "-Skip"
        run.run(f"$__pester_skip = [bool]({block.skip})")
        if run.engine.get_variable("__pester_skip"):
            return "skipped", "-Skip condition"
    splat = ""
    if case_index is not None:
        run.run(f"$__pester_case = @({block.test_cases})[{case_index}]\n"
                "foreach ($__k in @($__pester_case.Keys)) { Set-Variable -Name $__k -Value $__pester_case[$__k] }")
        splat = " @__pester_case" if block.body.param_block is not None else ""
    for c in block.container.chain():
        for text in c.before_each:
            run.run(f"try {{\n{text}\n}} catch {{ $__pester_setup_error = $_ }}")
    before = len(run.errors)
    run.run(f"try {{ & {{{_inner(block.body)}\n}}{splat} | Out-Null; $__pester_ran = $true }} "
            "catch { $__pester_failure = $_ }", source=str(CORPUS / block.file))
    failure = run.engine.get_variable("__pester_failure")
    if failure is None:
        if not run.engine.get_variable("__pester_ran"):
            # a parse error, or an error nothing could catch: the body never ran to its end
            first = run.errors[before] if len(run.errors) > before else "it never completed"
            return "failed", f"did not run: {first}".splitlines()[0][:300]
        return "passed", ""
    fqid = str(getattr(failure, "fully_qualified_error_id", "") or getattr(failure, "error_id", ""))
    if "PesterItSkipped" in fqid:
        return "skipped", "Set-ItResult"
    return "failed", str(getattr(failure, "message", failure)).splitlines()[0][:300]


def run_file(path: Path) -> Iterator[Result]:
    yield from _run_file(path)


def _is_ps7(block: Block | Unparsed) -> bool:
    if block.file in PS7_FILES or PS7_SYNTAX.search(block.name) or re.search(r"'clean'", block.name, re.I):
        return True
    if isinstance(block, Unparsed):
        return bool(PS7_SYNTAX.search(block.text))
    return bool(PS7_SYNTAX.search("\n".join([*(s for c in block.container.chain() for s in c.setup),
                                            block.body.text])))


def _run_file(path: Path) -> Iterator[Result]:
    blocks = discover(path)
    for block in blocks:
        ps7 = _is_ps7(block)
        if isinstance(block, Unparsed):
            reason = _classify(block.text) or ("classes and enums" if "'class' keyword" in block.error else None)
            yield Result(block.file, block.name, "out-of-scope" if reason else "failed",
                         reason or f"does not parse: {block.error}", ps7=ps7)
            continue
        reason = out_of_scope(block)
        try:
            cases = _cases(block) if reason is None else None
        except Exception as exc:  # noqa: BLE001 - a harness bug must show, not stop the count
            cases = None
            yield Result(block.file, block.name, "failed", f"harness: test cases: {exc!r}", ps7=ps7)
            continue
        indices: list[int | None] = list(range(len(cases))) if cases is not None else [None]
        if reason is not None and block.test_cases is not None:
            indices = [None]
        for i in indices:
            name = block.name if i is None else f"{block.name} [{i}]"
            if reason is None and cases is not None and i is not None:
                reason = out_of_scope(block, cases[i])
                if reason is not None:
                    yield Result(block.file, name, "out-of-scope", reason, ps7=ps7)
                    reason = None
                    continue
            if reason is not None:
                yield Result(block.file, name, "out-of-scope", reason, ps7=ps7)
                continue
            try:
                status, detail = run_block(block, i)
            except Exception as exc:  # noqa: BLE001
                status, detail = "failed", f"harness: {exc!r}"
            yield Result(block.file, name, status, detail, ps7=ps7)


def run_corpus(files: Iterable[Path] | None = None) -> list[Result]:
    paths = sorted(files) if files is not None else sorted(CORPUS.glob("*.Tests.ps1"))
    return [r for p in paths for r in run_file(p)]


@dataclass
class Figures:
    passed: int
    failed: int
    skipped: int
    out_of_scope: int

    @property
    def rate(self) -> float:
        ran = self.passed + self.failed
        return self.passed / ran if ran else 0.0


def figures(results: Iterable[Result]) -> Figures:
    rs = list(results)
    return Figures(sum(r.status == "passed" for r in rs), sum(r.status == "failed" for r in rs),
                   sum(r.status == "skipped" for r in rs), sum(r.status == "out-of-scope" for r in rs))


def report(results: list[Result], *, verbose: bool = False) -> str:
    core = figures(r for r in results if not r.ps7)
    ps7 = figures(r for r in results if r.ps7)
    lines = [f"PowerShell language tests (in scope): {core.passed}/{core.passed + core.failed} passed "
             f"({core.rate:.1%}); {core.out_of_scope} out of scope, {core.skipped} skipped",
             f"PowerShell 7 additions:              {ps7.passed}/{ps7.passed + ps7.failed} passed "
             f"({ps7.rate:.1%}); {ps7.out_of_scope} out of scope, {ps7.skipped} skipped", ""]
    by_file: dict[str, list[Result]] = {}
    for r in results:
        by_file.setdefault(r.file, []).append(r)
    for file, rs in by_file.items():
        f = figures(rs)
        lines.append(f"{file:55} {f.passed:4} passed {f.failed:4} failed {f.out_of_scope:4} out {f.skipped:3} skip")
    if verbose:
        lines.append("")
        for r in results:
            if r.status in ("failed", "out-of-scope"):
                lines.append(f"{r.status:12} {r.file}: {r.name}: {r.detail}")
    return "\n".join(lines)
