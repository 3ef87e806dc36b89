from datetime import UTC, datetime

import pytest

from azshell.lang.builtins import builtin_commands, register_builtins
from azshell.lang.builtins.data import (
    ConvertFromJson,
    ConvertFromSecureString,
    ConvertToJson,
    ConvertToSecureString,
    GetCredential,
    GetDate,
    GetRandom,
    GetVariable,
    InvokeExpression,
    NewVariable,
    SetVariable,
    StartSleep,
)
from azshell.lang.builtins.files import GetChildItem, GetContent, NewItem, SetContent, SplitPath
from azshell.lang.builtins.files import TestPath as CheckPath
from azshell.lang.builtins.info import GetAlias, GetCommand, GetHelp, ImportModule
from azshell.lang.builtins.objects import (
    CompareObject,
    ForEachObject,
    GetMember,
    GroupObject,
    MeasureObject,
    NewObject,
    SelectObject,
    SelectString,
    SortObject,
    WhereObject,
)
from azshell.lang.builtins.output import FormatTable, OutString, WriteHost, WriteOutput
from azshell.lang.cmdlet import CmdletError, CommandRegistry
from azshell.lang.formatting import FormattedText, ViewTable, format_objects
from azshell.lang.values import PSCredential, PSHashtable, PSObject, SecureString

from ._fakectx import FakeCtx, run, sb


def builtin_views() -> ViewTable:
    """The views a registry of the generic cmdlets has (Get-Member's grouping, MatchInfo as text...)."""
    reg = CommandRegistry()
    register_builtins(reg)
    return reg.views


def objs():
    return [PSObject({"Name": "b", "N": 2}), PSObject({"Name": "a", "N": 1}), PSObject({"Name": "c", "N": 3})]


def test_every_builtin_is_documented():
    reg = CommandRegistry()
    register_builtins(reg)
    assert len(reg.commands) >= 60
    for cls in builtin_commands():
        assert cls.synopsis and cls.description and cls.examples, cls.name
    for alias, target in [("echo", "Write-Output"), ("?", "Where-Object"), ("%", "ForEach-Object"),
                          ("select", "Select-Object"), ("gc", "Get-Content"), ("ls", "Get-ChildItem"),
                          ("ft", "Format-Table"), ("gm", "Get-Member"), ("iex", "Invoke-Expression")]:
        cls = reg.resolve(alias)
        assert cls is not None and cls.name == target


def test_write_output_and_host():
    assert run(WriteOutput, {"InputObject": [1, 2]}).output == [1, 2]
    assert run(WriteOutput, {"InputObject": [1, 2], "NoEnumerate": True}).output == [[1, 2]]
    ctx = run(WriteHost, {"Object": ["a", [1, 2]], "NoNewline": True})
    assert ctx.host == ["a 1 2"]


def test_select_object():
    out = run(SelectObject, {"Property": ["Name"]}, objs()).output
    assert [o.property_names() for o in out] == [["Name"]] * 3
    calc = PSHashtable({"n": "Double", "e": sb(lambda o: o.get("N") * 2)})
    out = run(SelectObject, {"Property": ["Name", calc], "First": 1}, objs()).output
    assert out[0].get("Double") == 4 and len(out) == 1
    assert run(SelectObject, {"ExpandProperty": "Name"}, objs()).output == ["b", "a", "c"]
    assert run(SelectObject, {"Last": 2}, [1, 2, 3]).output == [2, 3]
    assert run(SelectObject, {"Skip": 1, "First": 1}, [1, 2, 3]).output == [2]
    assert run(SelectObject, {"Unique": True}, [1, 1, 2]).output == [1, 2]
    assert run(SelectObject, {"Index": [0, 2]}, [1, 2, 3]).output == [1, 3]
    assert run(SelectObject, {"Property": ["N*"]}, objs()[:1]).output[0].property_names() == ["Name", "N"]
    ctx = run(SelectObject, {"ExpandProperty": "Nope"}, objs()[:1])
    assert ctx.errors and 'Property "Nope" cannot be found.' == ctx.errors[0]["message"]


def test_where_object():
    assert run(WhereObject, {"FilterScript": sb(lambda x: x > 1)}, [1, 2, 3]).output == [2, 3]
    assert run(WhereObject, {"Property": sb(lambda x: x > 2)}, [1, 2, 3]).output == [3]
    out = run(WhereObject, {"Property": "Name", "EQ": True, "Value": "A"}, objs()).output
    assert [o.get("Name") for o in out] == ["a"]
    out = run(WhereObject, {"Property": "N", "GT": True, "Value": "1"}, objs()).output
    assert len(out) == 2
    assert len(run(WhereObject, {"Property": "Name", "CEQ": True, "Value": "A"}, objs()).output) == 0
    assert len(run(WhereObject, {"Property": "Name", "Like": True, "Value": "[ab]"}, objs()).output) == 2
    assert len(run(WhereObject, {"Property": "Name", "In": True, "Value": ["a", "c"]}, objs()).output) == 2


def test_foreach_object():
    assert run(ForEachObject, {"Process": [sb(lambda x: x * 2)]}, [1, 2]).output == [2, 4]
    out = run(ForEachObject, {"Begin": sb(lambda x: "b"), "Process": [sb(lambda x: x)], "End": sb(lambda x: "e")},
              [1]).output
    assert out == ["b", 1, "e"]
    assert run(ForEachObject, {"Process": [sb(lambda x: "b"), sb(lambda x: x), sb(lambda x: "e")]}, [1, 2]
               ).output == ["b", 1, 2, "e"]
    assert run(ForEachObject, {"Process": ["Name"]}, objs()).output == ["b", "a", "c"]


def test_sort_group_measure():
    out = run(SortObject, {"Property": ["N"]}, objs()).output
    assert [o.get("N") for o in out] == [1, 2, 3]
    out = run(SortObject, {"Property": ["Name"], "Descending": True}, objs()).output
    assert [o.get("Name") for o in out] == ["c", "b", "a"]
    assert run(SortObject, {}, [3, 1, 2]).output == [1, 2, 3]
    assert run(SortObject, {"Unique": True}, ["b", "a", "B"]).output == ["a", "b"]
    spec = PSHashtable({"Expression": "N", "Descending": True})
    assert [o.get("N") for o in run(SortObject, {"Property": [spec]}, objs()).output] == [3, 2, 1]
    groups = run(GroupObject, {}, ["a", "b", "A"]).output
    assert [(g.get("Name"), g.get("Count")) for g in groups] == [("a", 2), ("b", 1)]
    m = run(MeasureObject, {"Sum": True, "Average": True, "Maximum": True}, [1, 2, 3, 4, 5]).output[0]
    assert (m.get("Count"), m.get("Sum"), m.get("Average"), m.get("Maximum")) == (5, 15.0, 3.0, 5.0)
    assert "Count             : 5" in format_objects([m], views=builtin_views())
    t = run(MeasureObject, {"Line": True, "Word": True, "Character": True}, ["one two", "three"]).output[0]
    assert (t.get("Lines"), t.get("Words"), t.get("Characters")) == (2, 3, 12)


def test_format_table_and_out_string():
    out = run(FormatTable, {"Property": ["Name"]}, objs()).output
    assert len(out) == 1 and isinstance(out[0], FormattedText) and "Name\n----\nb" in out[0]
    s = run(OutString, {}, [1, "x"]).output
    assert s == ["1\nx\n"]
    assert run(OutString, {"Stream": True}, [PSHashtable({"a": 1})]).output[1].startswith("Name")


def test_json_cmdlets():
    out = run(ConvertFromJson, {}, ['{"a":', ' 1}']).output
    assert out[0].get("a") == 1
    assert [o for o in run(ConvertFromJson, {}, ['[1, 2]']).output] == [1, 2]
    with pytest.raises(CmdletError, match="Conversion from JSON failed"):
        run(ConvertFromJson, {"InputObject": "{bad"})
    assert run(ConvertToJson, {}, [1, 2]).output == ["[\n  1,\n  2\n]"]
    assert run(ConvertToJson, {"Compress": True}, [PSHashtable({"a": 1})]).output == ['{"a":1}']
    assert run(ConvertToJson, {"InputObject": 1, "AsArray": True, "Compress": True}).output == ["[1]"]
    ctx = run(ConvertToJson, {"Depth": 0}, [PSHashtable({"a": PSHashtable()})])
    assert ctx.warnings


def test_secure_strings_and_credentials():
    ss = run(ConvertToSecureString, {"String": "P@ss", "AsPlainText": True, "Force": True}).output[0]
    assert isinstance(ss, SecureString) and ss.reveal() == "P@ss"
    assert run(ConvertFromSecureString, {"SecureString": ss, "AsPlainText": True}).output == ["P@ss"]
    blob = run(ConvertFromSecureString, {"SecureString": ss}).output[0]
    assert "P@ss" not in blob and blob.startswith("01000000d08c9ddf")
    assert run(ConvertToSecureString, {"String": blob}).output[0].reveal() == "P@ss"
    with pytest.raises(CmdletError, match="Input string was not in a correct format"):
        run(ConvertToSecureString, {"String": "plain"})
    ctx = run(GetCredential, {})
    assert isinstance(ctx.output[0], PSCredential) and ctx.output[0].user_name == "azureuser" and ctx.warnings


def test_date_random_sleep_iex():
    assert run(GetDate, {"Date": "2026-11-27T03:18:12Z", "Format": "yyyy-MM-dd"}).output == ["2026-11-27"]
    assert run(GetDate, {"Date": "2026-11-27T03:18:12Z", "UFormat": "%s"}).output == [str(int(datetime(2026, 11, 27, 3, 18, 12, tzinfo=UTC).timestamp()))]
    n = run(GetRandom, {"Minimum": 1, "Maximum": 3}).output[0]
    assert n in (1, 2)
    assert run(GetRandom, {"Count": 3, "SetSeed": 1}, [[1, 2, 3]]).output.__len__() == 3
    ctx = FakeCtx()
    ctx.check_interrupt = lambda: True  # type: ignore[attr-defined]
    run(StartSleep, {"Seconds": 30}, ctx=ctx)
    assert run(InvokeExpression, {"Command": "abc"}).output == ["ABC"]


def test_variables():
    ctx = run(SetVariable, {"Name": ["x"], "Value": 5})
    assert ctx.vars["x"] == 5
    assert run(GetVariable, {"Name": ["x"], "ValueOnly": True}, ctx=ctx).output[-1] == 5
    with pytest.raises(CmdletError, match="A variable with name 'x' already exists."):
        run(NewVariable, {"Name": ["x"], "Value": 1}, ctx=ctx)
    ctx2 = run(GetVariable, {"Name": ["nope"]})
    assert ctx2.errors[0]["message"] == "Cannot find a variable with the name 'nope'."


def test_files():
    ctx = run(SetContent, {"Path": ["a.txt"], "Value": ["one", "two"]})
    assert ctx.fs.read_text("a.txt") == "one\ntwo\n"
    assert run(GetContent, {"Path": ["a.txt"]}, ctx=ctx).output[-2:] == ["one", "two"]
    assert run(GetContent, {"Path": ["a.txt"], "Raw": True}, ctx=FakeCtx(ctx.fs)).output == ["one\ntwo\n"]
    assert run(GetContent, {"Path": ["a.txt"], "Tail": 1}, ctx=FakeCtx(ctx.fs)).output == ["two"]
    miss = run(GetContent, {"Path": ["nope.txt"]})
    assert miss.errors[0]["message"] == "Cannot find path 'C:\\nope.txt' because it does not exist."
    assert miss.errors[0]["error_id"] == "PathNotFound,Microsoft.PowerShell.Commands.GetContentCommand"
    assert miss.errors[0]["category"] == "ObjectNotFound"
    assert run(CheckPath, {"Path": ["a.txt"]}, ctx=FakeCtx(ctx.fs)).output == [True]
    run(NewItem, {"Path": ["d"], "ItemType": "Directory"}, ctx=FakeCtx(ctx.fs))
    assert ctx.fs.is_dir("d")
    names = run(GetChildItem, {"Name": True}, ctx=FakeCtx(ctx.fs)).output
    assert names == ["d", "a.txt"]  # folders first, then files (the FileSystem provider's order)
    assert run(SplitPath, {"Path": ["C:\\x\\y.txt"], "Leaf": True}).output == ["y.txt"]
    assert run(SplitPath, {"Path": ["/a/b/c"]}).output == ["/a/b"]


def test_discovery():
    reg = CommandRegistry()
    register_builtins(reg)
    ctx = FakeCtx(registry=reg)
    out = run(GetCommand, {"Verb": ["Get"], "Noun": ["Con*"]}, ctx=ctx).output
    assert [o.get("Name") for o in out] == ["Get-Content"]
    text = format_objects(out, views=reg.views)
    assert "CommandType Name" in text and "Cmdlet      Get-Content" in text
    out = run(GetAlias, {"Definition": ["Get-ChildItem"]}, ctx=FakeCtx(registry=reg)).output
    assert {o.get("Name") for o in out} == {"ls", "dir", "gci"}
    help_text = run(GetHelp, {"Name": "gc"}, ctx=FakeCtx(registry=reg)).output[0]
    assert "NAME\n    Get-Content" in help_text
    with pytest.raises(CmdletError, match="Get-Help could not find Nope in a help file in this session"):
        run(GetHelp, {"Name": "Nope"}, ctx=FakeCtx(registry=reg))
    assert run(ImportModule, {"Name": ["Az.Accounts"]}).errors == []
    bad = run(ImportModule, {"Name": ["Foo"]})
    assert "The specified module 'Foo' was not loaded" in bad.errors[0]["message"]


def test_get_member_new_object_compare_select_string():
    out = run(GetMember, {}, [PSObject({"Name": "x"})]).output
    assert ("Name", "NoteProperty", "string Name=x") in [(o.get("Name"), o.get("MemberType"), o.get("Definition"))
                                                       for o in out]
    views = builtin_views()
    assert "   TypeName: System.Management.Automation.PSCustomObject" in format_objects(out, views=views)
    o = run(NewObject, {"TypeName": "PSObject", "Property": PSHashtable({"a": 1})}).output[0]
    assert isinstance(o, PSObject) and o.get("a") == 1
    cred = run(NewObject, {"TypeName": "System.Management.Automation.PSCredential",
                           "ArgumentList": ["u", SecureString("p")]}).output[0]
    assert isinstance(cred, PSCredential)
    diff = run(CompareObject, {"ReferenceObject": [1, 2, 3], "DifferenceObject": [2, 3, 4]}).output
    assert [(d.get("InputObject"), d.get("SideIndicator")) for d in diff] == [(4, "=>"), (1, "<=")]
    hits = run(SelectString, {"Pattern": ["hello"]}, ["Hello", "bye"]).output
    assert len(hits) == 1 and format_objects(hits, views=views) == "Hello\n\n"


# ----------------------------------------------------------------------------------------------- end to end
def _engine():
    from azshell.lang.engine import Engine
    from azshell.lang.filesystem import MemoryFileSystem

    reg = CommandRegistry()
    register_builtins(reg)
    return Engine(reg, fs=MemoryFileSystem())


def _run(engine, text):
    recs = []
    engine.execute(text, recs.append)
    return [r.value for r in recs if r.stream == "output"], [r for r in recs if r.stream == "error"]


@pytest.mark.parametrize("text,expected", [
    ("1..5 | Where-Object { $_ -gt 2 } | Measure-Object -Sum | Select-Object -ExpandProperty Sum", [12.0]),
    ("1..3 | % { $_ * 2 }", [2, 4, 6]),
    ("'a','b' | ForEach-Object ToUpper", ["A", "B"]),
    ("@{a=1} | ConvertTo-Json -Compress", ['{"a":1}']),
    ("'{\"x\": [1,2]}' | ConvertFrom-Json | Select-Object -ExpandProperty x", [1, 2]),
    ("3,1,2 | Sort-Object -Descending", [3, 2, 1]),
    ("echo a b", ["a", "b"]),
    ("Set-Content a.txt 'hello'; Get-Content a.txt", ["hello"]),
    ("Get-Command -Noun Content -Verb Get | Select-Object -ExpandProperty Name", ["Get-Content"]),
    ("'x','y','x' | Group-Object | ForEach-Object { $_.Count }", [2, 1]),
])
def test_end_to_end(text, expected):
    out, errors = _run(_engine(), text)
    assert not errors
    assert out == expected


def test_end_to_end_errors_and_help():
    eng = _engine()
    _, errors = _run(eng, "Get-Content nope.txt")
    assert errors and "Cannot find path" in errors[0].value.render()
    out, errors = _run(eng, "Get-Help Get-Content -Examples")
    assert not errors and "EXAMPLE 1" in out[0]


def test_error_records_in_the_output_print_as_errors_and_get_item_exists() -> None:
    """$e of -ErrorVariable printed to the output shows the error; Get-Item finds files (and its id is PS's)."""
    from azshell.lang.builtins import register_builtins
    from azshell.lang.cmdlet import CommandRegistry
    from azshell.lang.engine import Engine
    from azshell.lang.filesystem import MemoryFileSystem
    from azshell.lang.formatting import format_objects

    reg = CommandRegistry()
    register_builtins(reg)
    eng = Engine(reg, fs=MemoryFileSystem({"a.txt": "x"}), env={})
    recs: list = []
    eng.execute("Get-Content nope -ErrorAction SilentlyContinue -ErrorVariable e; $e; (Get-Item a.txt).Name", recs.append)
    outs = [r.value for r in recs if r.stream == "output"]
    assert not [r for r in recs if r.stream == "error"]
    assert "Cannot find path" in format_objects([outs[0]], views=reg.views)
    assert outs[0].fully_qualified_error_id == "PathNotFound,Microsoft.PowerShell.Commands.GetContentCommand"
    assert outs[1] == "a.txt"
