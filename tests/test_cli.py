"""``python -m azshell`` as a user runs it: script files with arguments, ``-Command``, pwsh's switches, global
options around subcommands, and every command-line mistake as one line and pwsh's exit code (64)."""

from __future__ import annotations

import base64
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import require_module

ROOT = Path(__file__).resolve().parents[1]

GREET = """\
param($Name = 'world', [int]$N = 1)
"Hello $Name x$N"
$N.GetType().Name
"args: $($args.Count) [$($args -join '|')]"
"""

ADVANCED = """\
[CmdletBinding()]
param(
    [Parameter(Mandatory)][string]$Name,
    [int]$Count = 2,
    [switch]$Loud
)
$msg = "hi $Name"
if ($Loud) { $msg = $msg.ToUpper() }
1..$Count | ForEach-Object { $msg }
Write-Verbose 'verbose on'
"""


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper() and k != "AZSHELL_SEED"}
    env.update(PYTHONPATH=str(ROOT), AZSHELL_STATE=":memory:", **extra)
    return env


def azshell(*args: str, cwd: Path | str = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "azshell", *args], cwd=cwd, env=_env(), input=stdin,
                          stdin=None if stdin is not None else subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=60)


def usage_error(done: subprocess.CompletedProcess[str]) -> str:
    """A command-line mistake: exit 64, nothing on stdout, one line on stderr (returned)."""
    assert done.returncode == 64, (done.returncode, done.stdout, done.stderr)
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert "Traceback" not in done.stderr and "usage:" not in done.stderr
    return done.stderr.strip()


@pytest.fixture
def scripts(tmp_path: Path) -> Path:
    (tmp_path / "greet.ps1").write_text(GREET, encoding="utf-8")
    (tmp_path / "adv.ps1").write_text(ADVANCED, encoding="utf-8")
    return tmp_path


# ------------------------------------------------------------------------------------- script files and arguments
def test_script_file_binds_positional_arguments_and_args(scripts: Path) -> None:
    done = azshell("greet.ps1", "bob", "5", "extra", "more", cwd=scripts)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == ["Hello bob x5", "Int32", "args: 2 [extra|more]"]


def test_script_file_applies_parameter_defaults(scripts: Path) -> None:
    done = azshell("greet.ps1", cwd=scripts)
    assert done.stdout.splitlines() == ["Hello world x1", "Int32", "args: 0 []"]


def test_dash_file_binds_named_arguments(scripts: Path) -> None:
    done = azshell("-File", "greet.ps1", "-Name", "bob", "-N", "3", cwd=scripts)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.splitlines() == ["Hello bob x3", "Int32", "args: 0 []"]
    colon = azshell("-f", str(scripts / "greet.ps1"), "-N:7", "x")  # -Name:value; any folder
    assert colon.stdout.splitlines()[0] == "Hello x x7"


def test_unknown_name_of_a_simple_script_goes_to_args_in_order(scripts: Path) -> None:
    (scripts / "s.ps1").write_text('param($Name)\n"Name=$Name"\n"args=$($args -join \',\')"\n', encoding="utf-8")
    done = azshell("s.ps1", "-Foo", "a", "b", cwd=scripts)
    assert done.stdout.splitlines() == ["Name=a", "args=-Foo,b"]


def test_switches_and_boolean_values(scripts: Path) -> None:
    loud = azshell("adv.ps1", "-Name", "bob", "-Loud", "-Count", "3", cwd=scripts)
    assert loud.stdout.splitlines() == ["HI BOB"] * 3
    quiet = azshell("adv.ps1", "bob", "-Loud:$false", cwd=scripts)
    assert quiet.stdout.splitlines() == ["hi bob"] * 2
    verbose = azshell("adv.ps1", "-Name", "bob", "-Verbose", cwd=scripts)
    assert "VERBOSE: verbose on" in verbose.stdout + verbose.stderr


def test_a_switch_is_not_positional(scripts: Path) -> None:
    (scripts / "sw.ps1").write_text('param([switch]$Force, $Name)\n"$Name $Force"\n', encoding="utf-8")
    assert azshell("sw.ps1", "bob", cwd=scripts).stdout == "bob False\n"


@pytest.mark.parametrize(("args", "message", "error_id"), [
    (("greet.ps1", "-N", "abc"), "greet.ps1 : Cannot process argument transformation on parameter 'N'. "
     'Cannot convert value "abc" to type "System.Int32".', "ParameterArgumentTransformationError,greet.ps1"),
    (("adv.ps1", "-Bogus", "1"), "adv.ps1 : A parameter cannot be found that matches parameter name 'Bogus'.",
     "NamedParameterNotFound,adv.ps1"),
    (("adv.ps1",), "adv.ps1 : Cannot process command because of one or more missing mandatory parameters: Name.",
     "MissingMandatoryParameter,adv.ps1"),
    (("adv.ps1", "bob", "3", "extra"), "adv.ps1 : A positional parameter cannot be found that accepts argument "
     "'extra'.", "PositionalParameterNotFound,adv.ps1"),
])
def test_binding_errors_are_powershell_error_records(scripts: Path, args: tuple[str, ...], message: str,
                                                     error_id: str) -> None:
    done = azshell(*args, cwd=scripts)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(message)
    assert f"FullyQualifiedErrorId : {error_id}" in done.stderr
    assert "At line" not in done.stderr and "Traceback" not in done.stderr  # the host invoked it: no position


def test_exit_code_of_a_script(scripts: Path) -> None:
    (scripts / "ex.ps1").write_text('"before"\nexit 7\n"after"\n', encoding="utf-8")
    done = azshell("ex.ps1", cwd=scripts)
    assert (done.returncode, done.stdout) == (7, "before\n")
    (scripts / "fn.ps1").write_text('function quit { exit 3 }\nquit\n"after"\n', encoding="utf-8")
    assert azshell("fn.ps1", cwd=scripts).returncode == 3


def test_an_error_fails_the_run_but_not_the_script(scripts: Path) -> None:
    path = scripts / "err.ps1"
    path.write_text('Write-Error "bad thing"\n"still runs"\n', encoding="utf-8")
    done = azshell("err.ps1", cwd=scripts)
    assert (done.returncode, done.stdout) == (1, "still runs\n")
    assert done.stderr.startswith(f"Write-Error : bad thing\nAt {path}:1 char:1\n+ Write-Error")


def test_a_parse_error_in_the_file_names_the_file(scripts: Path) -> None:
    path = scripts / "bad.ps1"
    path.write_text("'ok'\n$x = )\n", encoding="utf-8")
    done = azshell(str(path))
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.startswith(f"At {path}:2 char:")


def test_script_sees_its_own_path(scripts: Path) -> None:
    (scripts / "where.ps1").write_text('$PSScriptRoot\n$PSCommandPath\n$MyInvocation.MyCommand.Name\n'
                                       '$MyInvocation.MyCommand.Path\n', encoding="utf-8")
    done = azshell("where.ps1", cwd=scripts)
    full = str(scripts / "where.ps1")
    assert done.stdout.splitlines() == [str(scripts), full, "where.ps1", full]


def test_script_file_with_a_bom_and_utf16(scripts: Path) -> None:
    (scripts / "bom.ps1").write_bytes(b"\xef\xbb\xbf'caf\xc3\xa9'\n")
    assert azshell("bom.ps1", cwd=scripts).stdout == "café\n"
    (scripts / "u16.ps1").write_bytes("'wide'\n".encode("utf-16"))
    assert azshell("u16.ps1", cwd=scripts).stdout == "wide\n"


def test_arguments_after_the_file_belong_to_the_script(scripts: Path) -> None:
    (scripts / "a.ps1").write_text("$args -join ' '\n", encoding="utf-8")
    done = azshell("a.ps1", "--state", "x", "-c", "1", cwd=scripts)
    assert done.stdout == "--state x -c 1\n"


# ------------------------------------------------------------------------------------- -Command and pwsh's switches
def test_command_reports_powershells_parse_error_not_a_usage_line() -> None:
    done = azshell("-c", "-eq")
    assert done.returncode == 1
    assert done.stderr.startswith("At line:1 char:1\n+ -eq\n+ ~~~\nUnexpected token '-eq' in expression or statement.")
    assert "usage" not in done.stderr


def test_command_takes_the_rest_of_the_line() -> None:
    assert azshell("-Command", "Write-Output", "hi", "there").stdout == "hi\nthere\n"


def test_command_applies_param_defaults() -> None:
    assert azshell("-c", "param($a = 1, $b = 2) $a + $b").stdout == "3\n"


@pytest.mark.parametrize("switches", [
    ("-NoProfile", "-NoLogo", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-OutputFormat", "Text",
     "-InputFormat", "Text"),
    ("-nop", "-nol", "-noni", "-ep", "remotesigned", "-of", "text", "-ex", "Unrestricted"),
    ("--noprofile", "-NOLOGO", "-Login", "-o", "Text"),
])
def test_pwsh_switches_are_accepted(switches: tuple[str, ...]) -> None:
    done = azshell(*switches, "-Command", "1 + 1")
    assert (done.returncode, done.stdout, done.stderr) == (0, "2\n", "")


def test_encoded_command_is_base64_of_utf16le() -> None:
    encoded = base64.b64encode("'enc ok'; 'é'".encode("utf-16-le")).decode()
    for switch in ("-EncodedCommand", "-ec", "-e", "--encodedcommand"):
        done = azshell("-NoProfile", switch, encoded)
        assert (done.returncode, done.stdout) == (0, "enc ok\né\n"), switch
    assert azshell("-ec", encoded, "-NonInteractive").stdout == "enc ok\né\n"  # pwsh reads on after it


def test_command_dash_reads_stdin_statement_by_statement() -> None:
    done = azshell("-Command", "-", stdin='"a"\nif ($true) {\n  "b"\n}\nWrite-Error oops\n"c"\n')
    assert done.stdout == "a\nb\nc\n"
    assert done.returncode == 1 and "oops" in done.stderr  # an error anywhere fails the run
    assert azshell("-c", "-", stdin='"x"\nexit 4\n"y"\n').returncode == 4
    assert azshell("-File", "-", stdin="'from file -'\n").stdout == "from file -\n"
    assert azshell("-c", "-", stdin="1 + 1").stdout == "2\n"  # no final newline


def test_version_and_help() -> None:
    from azshell import __version__

    for switch in ("-Version", "--version", "-v"):
        assert azshell(switch).stdout == f"azshell {__version__}\n"
    shown = azshell("-Help")
    assert shown.returncode == 0 and "-EncodedCommand" in shown.stdout and "--state PATH" in shown.stdout
    assert azshell("--help").stdout == shown.stdout == azshell("-?").stdout


# ------------------------------------------------------------------------------------- mistakes: one line, exit 64
@pytest.mark.parametrize(("args", "message"), [
    (("nosuch.ps1",), "The argument 'nosuch.ps1' is not recognized as the name of a script file. Check the spelling "
     "of the name, or if a path was included, verify that the path is correct and try again."),
    (("-File", "nosuch.ps1", "a"), "The argument 'nosuch.ps1' is not recognized as the name of a script file."),
    (("-File",), "The command cannot be run because the File parameter requires a file path."),
    (("-c",), "Cannot process the command because of a missing parameter. A command must follow -Command."),
    (("-EncodedCommand",), "A command must follow -EncodedCommand."),
    (("-EncodedCommand", "not base64!"), "Cannot process the command because the value specified with "
     "-EncodedCommand is not properly encoded. The value must be Base64 encoded."),
    (("-ec", "QQ=", "-c", "1"), "is not properly encoded"),
    (("-ec", "QQA=", "-c", "1"), "Cannot process command because a command is already specified with -Command or "
     "-EncodedCommand."),
    (("-Comand", "1"), "Invalid argument '-Comand', did you mean: -Command?"),
    (("--bogus",), "Invalid argument '--bogus': not an azshell option, and no script file has that name. "
     "Run 'azshell -Help' for the options."),
    (("-NoExit", "-c", "1"), "azshell does not support -NoExit."),
    (("-OutputFormat", "XML", "-c", "1"), "azshell does not support -OutputFormat XML; use Text (the default)."),
    (("-OutputFormat", "Yaml", "-c", "1"), '"Yaml" is not a valid format. Valid formats are: Text, XML.'),
    (("-OutputFormat",), "no argument has been supplied for the OutputFormat parameter"),
    (("-ExecutionPolicy",), "A policy name must follow -ExecutionPolicy."),
    (("-ExecutionPolicy", "Sloppy", "-c", "1"), "Invalid ExecutionPolicy value 'Sloppy'."),
    (("-c", "-", "extra"), "'-' was specified with the -Command parameter; no other arguments to -Command are "
     "permitted."),
    (("--state",), "--state needs a value: a state file path, or :memory: for a throwaway tenant."),
    (("--state=", "-c", "1"), "--state needs a state file path"),
    (("--seed", "abc", "-c", "1"), "--seed needs a whole number, not 'abc'."),
])
def test_command_line_mistakes_are_one_line_and_exit_64(args: tuple[str, ...], message: str) -> None:
    assert message in usage_error(azshell(*args))


def test_an_unknown_option_that_names_a_file_runs_it(tmp_path: Path) -> None:
    (tmp_path / "-odd").write_text("'odd'\n", encoding="utf-8")
    assert azshell("-odd", cwd=tmp_path).stdout == "odd\n"


def test_a_closed_stdout_stops_the_script_quietly() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "azshell", "-c", "1..100000 | % { Write-Host $_ }"], cwd=ROOT,
                            env=_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == "1\n"
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert (proc.returncode, err) == (141, "")


# ------------------------------------------------------------------------------------- global options
def test_global_options_in_either_form() -> None:
    for args in (("--state", ":memory:", "--seed", "5"), ("--state=:memory:", "--seed=5"), ("-State", ":memory:",
                                                                                            "-Seed", "5")):
        done = azshell(*args, "-NoProfile", "-c", "$env:AZSHELL_SEED")
        assert (done.returncode, done.stdout) == (0, "5\n"), args


def test_state_option_picks_the_state_file(tmp_path: Path) -> None:
    state = tmp_path / "s.db"
    done = azshell("--state", str(state), "-c", "(Get-AzContext).Subscription.Id")
    assert done.returncode == 0 and re.fullmatch(r"[0-9a-f-]{36}\n", done.stdout), done
    assert state.exists()


@pytest.mark.parametrize("order", ["before", "after"])
def test_global_options_around_kernel_install(tmp_path: Path, order: str) -> None:
    require_module("azshell_kernel")
    opts = ["--state", str(tmp_path / "unused.db"), "--seed", "1"]
    sub = ["kernel", "install", "--prefix", str(tmp_path)]
    done = azshell(*(opts + sub if order == "before" else sub + opts))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "share" / "jupyter" / "kernels" / "azshell" / "kernel.json").exists()


@pytest.mark.parametrize("order", ["before", "after"])
def test_global_options_around_serve(tmp_path: Path, order: str) -> None:
    state = tmp_path / "served.db"
    opts = ["--state", str(state)]
    sub = ["serve", "--port", "0"]
    proc = subprocess.Popen([sys.executable, "-m", "azshell", *(opts + sub if order == "before" else sub + opts)],
                            cwd=ROOT, env=_env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    try:
        deadline = time.monotonic() + 60
        line = ""
        url = ""
        while not line.startswith("export SSL_CERT_FILE=") and time.monotonic() < deadline:  # the last one
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith("export HTTPS_PROXY="):
                url = line.strip().split("=", 1)[1]
        assert line.startswith("export "), proc.stderr.read() if proc.stderr else ""
        # its signal handlers are in place once it answers (the export lines come before)
        status = httpx.get(f"{url}/metadata/identity/oauth2/token", headers={"Metadata": "true"},
                           trust_env=False).status_code
        assert status in (400, 403)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert f"state {state}" in err and state.exists()


# ------------------------------------------------------------------------------------- formatting through the CLI
def test_mixed_types_of_one_shape_print_one_table(tmp_path: Path) -> None:
    (tmp_path / "adir").mkdir()
    (tmp_path / "bfile.txt").write_text("x", encoding="utf-8")
    done = azshell("-c", "Get-ChildItem . | Select-Object -First 2 Name", cwd=tmp_path)
    assert done.stdout == "\nName\n----\nadir\nbfile.txt\n\n"


@pytest.mark.parametrize("option", ["-Command", "-File"])
def test_dash_needs_a_redirected_stdin(monkeypatch: pytest.MonkeyPatch, option: str) -> None:
    from azshell import cli

    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stdin", Terminal())
    with pytest.raises(cli.UsageError, match=f"'-' was specified as the argument to {option} but standard input "
                                             "has not been redirected for this process."):
        cli.parse_command_line([option, "-"])
