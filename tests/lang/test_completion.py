from azshell.lang.builtins import register_builtins
from azshell.lang.cmdlet import CommandRegistry
from azshell.lang.completion import complete
from azshell.lang.filesystem import MemoryFileSystem

REG = CommandRegistry()
register_builtins(REG)
FS = MemoryFileSystem({"/my file.txt": "x", "/data/a.json": "{}", "/docs": None})


def run(text, cursor=None, **kw):
    return complete(text, len(text) if cursor is None else cursor, registry=REG,
                    variables=lambda: ["home", "hostname", "env:PATH"], members=kw.get("members"),
                    value_completer=kw.get("value_completer"), fs=FS)


def texts(result):
    return [c.text for c in result.items]


def test_command_names_and_aliases():
    r = run("Get-Ch")
    assert r.start == 0 and texts(r)[0] == "Get-ChildItem"
    r = run("1 | Where-Object { $_ } | sel")
    assert "select" in texts(r) and r.start == len("1 | Where-Object { $_ } | ")
    assert any(c.description for c in run("Get-Da").items)


def test_parameters():
    r = run("Get-Content -Ra")
    assert texts(r) == ["-Raw"]
    assert "-ErrorAction" in texts(run("Get-Content -Err"))
    assert "-WhatIf" in texts(run("Remove-Item -Wh"))


def test_parameter_values():
    assert texts(run("Write-Host x -ForegroundColor Re")) == ["Red"]
    assert "Stop" in texts(run("Get-Content x -ErrorAction S"))
    r = run("Get-Thing -X ", value_completer=lambda k, p: ["a b"])
    assert r.items == [] or r.items[0].kind == "path"


def test_variables_and_members():
    r = run("$ho")
    assert texts(r) == ["$home", "$hostname"]
    assert texts(run("$env:PA")) == ["$env:PATH"]
    r = run("$vm.Na", members=lambda v: ["Name", "Location"] if v == "vm" else [])
    assert texts(r) == ["Name"] and r.start == len("$vm.")


def test_paths():
    r = run("Get-Content /da")
    assert texts(r) == ["/data/"]
    r = run("Get-Content ./my")
    assert texts(r) == ["'./my file.txt'"]
