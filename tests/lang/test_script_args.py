"""A script run as a file with command-line arguments (``pwsh -File s.ps1 args…``): the engine binds them to the
script's ``param()`` block and ``$args`` with the binder every function uses; a ``param()`` block of typed text
gets its defaults. Also what that needed of the parser, the simple binder, ``Get-ChildItem`` and formatting."""

from __future__ import annotations

from typing import Any

import pytest

from azshell.lang.binder import ArgItem
from azshell.lang.engine import Engine, command_line_arguments
from azshell.lang.filesystem import MemoryFileSystem
from azshell.lang.formatting import format_objects
from azshell.lang.parser import parse
from azshell.lang.values import PSObject
from tests.lang.conftest_lang import make_engine, run_text

SIMPLE = "param($Name = 'world', [int]$N = 1)\n\"$Name x$N\"\n$N.GetType().Name\n$args"
ADVANCED = ("[CmdletBinding()]\nparam([Parameter(Mandatory)][string]$Name, [int]$Count = 1, [switch]$Loud)\n"
            "$m = \"hi $Name\"; if ($Loud) { $m = $m.ToUpper() }; 1..$Count | % { $m }; @($PSBoundParameters.Keys).Count")


def run_file(code: str, *args: str, path: str = "/scripts/s.ps1",
             engine: Engine | None = None) -> tuple[list[Any], list[Any], int | None]:
    eng = engine or make_engine()
    out: list[Any] = []
    err: list[Any] = []

    def sink(rec: Any) -> None:
        (out if rec.stream == "output" else err if rec.stream == "error" else []).append(rec.value)

    outcome = eng.execute(code, sink, script_path=path, script_args=list(args))
    return out, err, outcome.exit_requested


# ------------------------------------------------------------------------------------------ command-line strings
def test_command_line_arguments_as_pwsh_passes_them() -> None:
    items = command_line_arguments(["bob", "-N", "5", "-Name:x", "-Force:$false", "-On:true", "-Path:", "/tmp",
                                    "-", "--", "-NotAName"])
    assert [(i.kind, i.name, i.value, i.colon) for i in items] == [
        ("value", "", "bob", False), ("param", "N", None, False), ("value", "", "5", False),
        ("param", "Name", "x", True), ("param", "Force", False, True), ("param", "On", True, True),
        ("param", "Path", "/tmp", True), ("value", "", "-", False), ("value", "", "-NotAName", False),
    ]
    assert command_line_arguments(["-Trailing:"]) == []  # pwsh drops a name whose value never came
    assert isinstance(items[0], ArgItem)


# ------------------------------------------------------------------------------------------ simple scripts
@pytest.mark.parametrize(("args", "expected"), [
    ((), ["world x1", "Int32"]),
    (("bob", "5"), ["bob x5", "Int32"]),
    (("bob", "5", "x", "y"), ["bob x5", "Int32", "x", "y"]),
    (("-N", "3", "-Name", "al"), ["al x3", "Int32"]),
    (("-n:7", "z"), ["z x7", "Int32"]),  # names are case-insensitive
    (("-Na", "pre"), ["pre x1", "Int32"]),  # an unambiguous prefix
    (("-Other", "a", "7"), ["a x7", "Int32", "-Other"]),  # an unknown name goes to $args, not its value
])
def test_simple_script_binding(args: tuple[str, ...], expected: list[str]) -> None:
    out, err, _ = run_file(SIMPLE, *args)
    assert not err, [e.render() for e in err]
    assert out == expected


def test_unknown_names_go_to_args_in_their_order() -> None:
    out, err, _ = run_file("param($Name) \"Name=$Name\"; $args", "-Foo", "a", "b", "-Bar:1")
    assert not err and out == ["Name=a", "-Foo", "b", "-Bar:", "1"]


def test_args_are_strings() -> None:
    out, _, _ = run_file("$args | % { $_.GetType().Name }", "5", "x")
    assert out == ["String", "String"]


def test_a_switch_is_never_positional() -> None:
    out, err, _ = run_file("param([switch]$Force, $Name) \"$Name $Force\"", "bob")
    assert not err and out == ["bob False"]
    out, _, _ = run_file("param([switch]$Force, $Name) \"$Name $Force\"", "-Force", "bob")
    assert out == ["bob True"]
    out, _, _ = run_file("param([switch]$Force, $Name) \"$Name $Force\"", "-Force:$false", "bob")
    assert out == ["bob False"]


def test_conversion_error_is_a_binding_record_without_position() -> None:
    out, err, _ = run_file(SIMPLE, "-N", "abc")
    assert out == [] and len(err) == 1
    rec = err[0]
    assert rec.fully_qualified_error_id == "ParameterArgumentTransformationError,s.ps1"
    assert rec.render().startswith("s.ps1 : Cannot process argument transformation on parameter 'N'.")
    assert "At " not in rec.render()


# ------------------------------------------------------------------------------------------ advanced scripts
def test_advanced_script_binding() -> None:
    assert run_file(ADVANCED, "bob")[0] == ["hi bob", 1]
    assert run_file(ADVANCED, "-Name", "bob", "-Loud", "-Count", "2")[0] == ["HI BOB", "HI BOB", 3]
    assert run_file(ADVANCED, "bob", "-Loud:false")[0] == ["hi bob", 2]


@pytest.mark.parametrize(("args", "error_id"), [
    ((), "MissingMandatoryParameter,s.ps1"),
    (("-Bogus", "1"), "NamedParameterNotFound,s.ps1"),
    (("bob", "2", "extra"), "PositionalParameterNotFound,s.ps1"),
    (("bob", "-Count", "many"), "ParameterArgumentTransformationError,s.ps1"),
])
def test_advanced_script_binding_errors(args: tuple[str, ...], error_id: str) -> None:
    out, err, _ = run_file(ADVANCED, *args)
    assert out == [] and [e.fully_qualified_error_id for e in err] == [error_id]


# ------------------------------------------------------------------------------------------ the script's world
def test_script_variables_and_scope() -> None:
    eng = make_engine()
    out, err, _ = run_file("$PSScriptRoot; $PSCommandPath; $MyInvocation.MyCommand.Name; "
                           "$MyInvocation.MyCommand.Path; $inside = 1", engine=eng)
    assert not err and out == ["/scripts", "/scripts/s.ps1", "s.ps1", "/scripts/s.ps1"]
    assert eng.get_variable("inside") is None  # a script file runs in its own scope
    assert run_file("$PSScriptRoot", path="C:\\s.ps1")[0] == ["C:\\"]


def test_exit_and_errors_in_a_script_file() -> None:
    assert run_file("'a'; exit 5; 'b'")[0::2] == (["a"], 5)
    out, err, code = run_file("function f { exit 2 }; f; 'never'")
    assert (out, code) == ([], 2)
    out, err, _ = run_file("'one'\nWrite-Error 'bad'\n'two'")
    assert out == ["one", "two"]
    assert err[0].render().splitlines()[1] == "At /scripts/s.ps1:2 char:1"


def test_parse_error_in_a_script_file_names_it() -> None:
    out, err, _ = run_file("'x'\n$y = )", path="/s/bad.ps1")
    assert out == [] and err[0].render().startswith("At /s/bad.ps1:2 char:5\n+ $y = )\n")
    assert err[0].script_name == "/s/bad.ps1"


def test_typed_text_with_a_param_block_gets_its_defaults_globally() -> None:
    eng = make_engine()
    out, err, _ = run_text(eng, "param($a = 1, [int]$b = '2') $a + $b")
    assert not err and out == [3]
    assert run_text(eng, "$b")[0] == [2]  # typed text runs in the global scope, as at the prompt


def test_script_file_called_from_the_shell_gets_its_path() -> None:
    fs = MemoryFileSystem()
    fs.make_dir("C:\\tools")
    fs.write_text("C:\\tools\\where.ps1", "param($x) \"$x $PSScriptRoot $(Split-Path -Leaf $PSCommandPath)\"")
    out, err, _ = run_text(make_engine(fs=fs), "C:\\tools\\where.ps1 hi")
    assert not err and out == ["hi C:\\tools where.ps1"]


# ------------------------------------------------------------------------------------------ what it needed
def test_parameter_defaults_end_at_a_comma() -> None:
    block = parse("param($a = 1, $b = @(2, 3), [int]$c = (4, 5)[1]) $a").block
    assert block.param_block is not None
    assert [p.name for p in block.param_block.parameters] == ["a", "b", "c"]
    out, err, _ = run_text(make_engine(), "function f($a = 'x', [int]$n = 1) { \"$a$n\" }; f; f y 2")
    assert not err and out == ["x1", "y2"]


def test_get_childitem_lists_folders_first() -> None:
    fs = MemoryFileSystem()
    fs.make_dir("C:\\w\\z")
    fs.write_text("C:\\w\\a.txt", "1")
    fs.write_text("C:\\w\\z\\deep.txt", "2")
    fs.write_text("C:\\w\\b.txt", "3")
    out, err, _ = run_text(make_engine(fs=fs), "Get-ChildItem C:\\w -Recurse -Name")
    assert not err and out == ["z", "a.txt", "b.txt", "z\\deep.txt"]


def test_viewless_objects_of_one_shape_share_a_table() -> None:
    a = PSObject({"Name": "dir"}, type_names=("Selected.System.IO.DirectoryInfo",))
    b = PSObject({"Name": "file"}, type_names=("Selected.System.IO.FileInfo",))
    assert format_objects([a, b], views=None) == "\nName\n----\ndir\nfile\n\n"
    c = PSObject({"Other": 1}, type_names=("Selected.X",))
    assert format_objects([a, c], views=None).count("----") == 1 + 1  # a new shape: a new header
