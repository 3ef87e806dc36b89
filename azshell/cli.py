"""Command line: ``azshell``, ``azshell -c``, ``azshell FILE.ps1 [args…]``, ``azshell serve``, ``azshell portal``,
``azshell kernel install``.

The shell's own options are read as ``pwsh`` reads its: ``-Name``, ``--name`` and an unambiguous prefix
(``-nop``, ``-ec``, ``-f``) are the same option, case does not matter; ``-Command`` takes the rest of the line
as the script; ``-File`` (or the first argument that is not an option) names the script and passes every later
argument to it. The global options ``--state PATH`` and ``--seed N`` (also ``-State``, ``--state=PATH``) go
anywhere before the script or command, and before or after a subcommand.

Exit codes (DESIGN.md): a script run exits 1 if any error was written, else 0; ``exit N`` exits N. A mistake on
the command line is one line on stderr and exit 64, as ``pwsh`` exits (``ExitCodeBadCommandLineParameter``);
``serve`` and ``kernel`` keep argparse's usage errors (exit 2). Heavy imports stay inside the functions: the cold
start of ``azshell -c '$null'`` is a measured figure (so the shell's options are not read with argparse).
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, TextIO

from azshell import __version__

if TYPE_CHECKING:
    import argparse

#: pwsh's exit code for a bad command line (ConsoleHost.ExitCodeBadCommandLineParameter)
EXIT_USAGE = 64

USAGE = """\
azshell [--state PATH] [--seed N] [-NoProfile] [-NoLogo] [-NonInteractive] [-ExecutionPolicy P]
        [-OutputFormat Text] [-c|-Command SCRIPT… | -Command - | -EncodedCommand BASE64 | [-File] FILE [ARGS…]]
azshell serve [--port N] [--bind 127.0.0.1] [--vm NAME | --app NAME] [--state PATH] [--seed N]
azshell portal [--port N] [--state PATH]      (the same server; prints the Azure portal's URL first)
azshell kernel install [--user | --sys-prefix | --prefix P]
azshell state export FILE | azshell state import FILE   [--state PATH]   (the tenant as versioned JSON)
azshell -Version | -Help"""

HELP = f"""\
usage: {USAGE}

Learn, try and test Azure managed identities offline: a PowerShell-style shell over an emulated tenant kept
in a local SQLite file.

With no script or command, azshell starts the interactive shell.

options (as pwsh reads them: any case, one or two dashes, an unambiguous prefix):
  -c, -Command SCRIPT…    run the rest of the command line as a script and exit
  -Command -              read the script from standard input, one statement at a time
  -e, -EncodedCommand B   run a script given as base64 of its UTF-16LE text
  -f, -File FILE [ARGS…]  run a script file (the first argument that is no option does the same); ARGS bind
                          to its param() block and $args as pwsh binds them: -Name value, -Name:value,
                          -Switch, -Switch:$false, positional values in order, the rest in $args
  -NoProfile, -NoLogo, -NonInteractive, -ExecutionPolicy P, -OutputFormat Text, -InputFormat Text
                          accepted for pwsh habits (azshell has no profile, no banner, no policy)
  -v, -Version            print the version and exit
  -h, -Help               show this help and exit

global options (before or after a subcommand, before the script or command):
  --state PATH            state file (default $AZSHELL_STATE or $AZSHELL_HOME/state.db; ':memory:' for a
                          throwaway tenant)
  --seed N                seed for reproducible ids, passed on as $AZSHELL_SEED

exit code: 1 if the script wrote any error, else 0; `exit N` exits N; 64 for a mistake on the command line.
"""

_POLICIES = ("AllSigned", "Bypass", "Default", "RemoteSigned", "Restricted", "Undefined", "Unrestricted")

#: pwsh's switches in the order pwsh tries them: (name, shortest accepted prefix, what azshell does with it)
_SWITCHES: tuple[tuple[str, str, str], ...] = (
    ("version", "v", "version"), ("help", "h", "help"), ("?", "?", "help"), ("login", "l", "ignore"),
    ("noexit", "noe", "unsupported"), ("noprofile", "nop", "ignore"), ("nologo", "nol", "ignore"),
    ("noninteractive", "noni", "ignore"), ("socketservermode", "so", "unsupported"),
    ("servermode", "s", "unsupported"), ("namedpipeservermode", "nam", "unsupported"),
    ("sshservermode", "sshs", "unsupported"), ("interactive", "i", "ignore"),
    ("configurationname", "config", "unsupported"), ("custompipename", "cus", "unsupported"),
    ("command", "c", "command"), ("windowstyle", "w", "unsupported"), ("file", "f", "file"),
    ("outputformat", "o", "outputformat"), ("of", "o", "outputformat"),
    ("inputformat", "inp", "inputformat"), ("if", "if", "inputformat"),
    ("executionpolicy", "ex", "executionpolicy"), ("ep", "ep", "executionpolicy"),
    ("encodedcommand", "e", "encodedcommand"), ("ec", "e", "encodedcommand"),
    ("encodedarguments", "encodeda", "unsupported"), ("ea", "ea", "unsupported"),
    ("settingsfile", "settings", "unsupported"), ("sta", "sta", "unsupported"), ("mta", "mta", "unsupported"),
    ("workingdirectory", "wo", "unsupported"), ("wd", "wd", "unsupported"),
)
_SPELLED = {"version": "Version", "help": "Help", "?": "?", "login": "Login", "noexit": "NoExit",
            "noprofile": "NoProfile", "nologo": "NoLogo", "noninteractive": "NonInteractive",
            "socketservermode": "SocketServerMode", "servermode": "ServerMode",
            "namedpipeservermode": "NamedPipeServerMode", "sshservermode": "SSHServerMode",
            "interactive": "Interactive", "configurationname": "ConfigurationName",
            "custompipename": "CustomPipeName", "command": "Command", "windowstyle": "WindowStyle", "file": "File",
            "outputformat": "OutputFormat", "of": "OutputFormat", "inputformat": "InputFormat", "if": "InputFormat",
            "executionpolicy": "ExecutionPolicy", "ep": "ExecutionPolicy", "encodedcommand": "EncodedCommand",
            "ec": "EncodedCommand", "encodedarguments": "EncodedArguments", "ea": "EncodedArguments",
            "settingsfile": "SettingsFile", "sta": "STA", "mta": "MTA", "workingdirectory": "WorkingDirectory",
            "wd": "WorkingDirectory"}
_GLOBALS = ("state", "seed")


class UsageError(Exception):
    """A mistake on the command line: the message is the one line the user sees."""


class _OutputClosed(BaseException):
    """The reader of stdout went away (``azshell -c … | head -1``): stop the script, quietly. A BaseException so
    that the engine, which turns every Exception into an error record, lets it through."""


class Options:
    """What the command line asks for (filled by :func:`parse_command_line`)."""

    def __init__(self) -> None:
        self.state: str | None = None
        self.seed: int | None = None
        #: "serve", "portal" or "kernel" (then ``rest`` holds its own arguments), else None: the shell
        self.subcommand: str | None = None
        self.rest: list[str] = []
        self.help = False
        self.version = False
        self.command: str | None = None
        self.stdin = False
        self.file: str | None = None
        self.script_args: list[str] = []


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        try:
            opts = parse_command_line(args)
        except UsageError as e:
            print(e, file=sys.stderr)
            return EXIT_USAGE
        if opts.seed is not None:
            os.environ["AZSHELL_SEED"] = str(opts.seed)  # the documented twin of --seed, read where ids are made
        if opts.subcommand == "serve":
            return _serve(opts.rest, opts.state)
        if opts.subcommand == "portal":
            return _serve(opts.rest, opts.state, portal=True)
        if opts.subcommand == "kernel":
            return _kernel(opts.rest)
        if opts.subcommand == "state":
            return _state(opts.rest, opts.state)
        return _shell(opts)
    except KeyboardInterrupt:
        return 130
    except (BrokenPipeError, _OutputClosed):  # the reader went away (`azshell -c … | head -1`): stop quietly
        _silence_stdout()
        return 141


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def parse_command_line(argv: list[str]) -> Options:
    """Read ``argv`` as described in the module docstring; raises :class:`UsageError`."""
    opts = Options()
    i = 0
    n = len(argv)
    # global options, then perhaps a subcommand
    while i < n:
        nxt = _global_option(argv, i, opts)
        if nxt is None:
            break
        i = nxt
    if i < n and argv[i] in ("serve", "portal", "kernel", "state"):
        opts.subcommand = argv[i]
        i += 1
        while i < n:  # global options may follow the subcommand too, anywhere among its own
            nxt = _global_option(argv, i, opts)
            if nxt is None:
                opts.rest.append(argv[i])
                i += 1
            else:
                i = nxt
        return opts
    while i < n:
        nxt = _global_option(argv, i, opts)
        if nxt is not None:
            i = nxt
            continue
        arg = argv[i]
        if arg in ("", "-") or arg[0] != "-":  # pwsh: the first argument that is not an option is the file
            _take_file(argv, i, opts)
            return opts
        key = arg[2:] if arg.startswith("--") else arg[1:]
        action, name = _match_switch(key)
        if action == "version":
            opts.version = True
            return opts  # pwsh looks at nothing after -Version
        if action == "help":
            opts.help = True
        elif action == "ignore":
            pass
        elif action == "unsupported":
            raise UsageError(f"azshell does not support -{_SPELLED[name]}.")
        elif action == "command":
            _take_command(argv, i, opts)
            return opts
        elif action == "file":
            if i + 1 >= n:
                raise UsageError("The command cannot be run because the File parameter requires a file path. "
                                 "Supply a path for the File parameter and then try the command again.")
            _take_file(argv, i + 1, opts)
            return opts
        elif action == "encodedcommand":
            if opts.command is not None or opts.stdin:
                raise UsageError("Cannot process command because a command is already specified with -Command "
                                 "or -EncodedCommand.")
            if i + 1 >= n:
                raise UsageError("Cannot process the command because of a missing parameter. A command must "
                                 "follow -EncodedCommand.")
            opts.command = _decode_command(argv[i + 1])
            i += 1
        elif action == "executionpolicy":
            if i + 1 >= n:
                raise UsageError("Cannot process the execution policy because of a missing policy name. A policy "
                                 "name must follow -ExecutionPolicy.")
            if argv[i + 1].casefold() not in (p.casefold() for p in _POLICIES):
                raise UsageError(f"Invalid ExecutionPolicy value '{argv[i + 1]}'. Valid values are: "
                                 f"{', '.join(_POLICIES)}.")
            i += 1
        elif action in ("outputformat", "inputformat"):
            spelled = _SPELLED[name]
            if i + 1 >= n:
                raise UsageError(f"The command cannot be run because no argument has been supplied for the "
                                 f"{spelled} parameter. Specify one of the following formats for this parameter: "
                                 "Text, XML.")
            value = argv[i + 1]
            if value.casefold() == "xml":
                raise UsageError(f"azshell does not support -{spelled} XML; use Text (the default).")
            if value.casefold() != "text":
                raise UsageError(f'Cannot process the command because of an incorrect parameter value. "{value}" '
                                 "is not a valid format. Valid formats are: Text, XML.")
            i += 1
        else:
            _unknown_option(argv, i, opts)
            return opts
        i += 1
    return opts


def _global_option(argv: list[str], i: int, opts: Options) -> int | None:
    """If ``argv[i]`` is ``--state``/``--seed`` (any case, one or two dashes, ``=value`` or the next argument),
    record it and return the index after it; else None."""
    arg = argv[i]
    if not arg.startswith("-"):
        return None
    body = arg[2:] if arg.startswith("--") else arg[1:]
    name, eq, value = body.partition("=")
    name = name.casefold()
    if name not in _GLOBALS:
        return None
    nxt = i + 1
    if not eq:
        if i + 1 >= len(argv):
            raise UsageError(f"--{name} needs a value: " + (
                "a state file path, or :memory: for a throwaway tenant." if name == "state" else "a whole number."))
        value, nxt = argv[i + 1], i + 2
    if name == "state":
        if not value:
            raise UsageError("--state needs a state file path, or :memory: for a throwaway tenant.")
        opts.state = value
    else:
        try:
            opts.seed = int(value)
        except ValueError:
            raise UsageError(f"--seed needs a whole number, not '{value}'.") from None
    return nxt


def _match_switch(key: str) -> tuple[str | None, str]:
    """pwsh's MatchSwitch over its switches, in its order: (action, canonical name) or (None, '')."""
    folded = key.casefold()
    if not folded:
        return None, ""
    for name, shortest, action in _SWITCHES:
        if len(folded) >= len(shortest) and name.startswith(folded):
            return action, name
    return None, ""


def _take_command(argv: list[str], i: int, opts: Options) -> None:
    """``-Command``: the rest of the line, joined with spaces (as pwsh does), or ``-`` for standard input."""
    if opts.command is not None:
        raise UsageError("Cannot process command because a command is already specified with -Command or "
                         "-EncodedCommand.")
    rest = argv[i + 1:]
    if not rest:
        raise UsageError("Cannot process the command because of a missing parameter. A command must follow "
                         "-Command.")
    if rest[0] == "-":
        if len(rest) > 1:
            raise UsageError("'-' was specified with the -Command parameter; no other arguments to -Command are "
                             "permitted.")
        _need_redirected_stdin("-Command")
        opts.stdin = True
        return
    opts.command = " ".join(rest)


def _take_file(argv: list[str], i: int, opts: Options) -> None:
    """``[-File] FILE args…``: the script file and every argument after it (``-`` reads standard input)."""
    if opts.command is not None:
        raise UsageError("Cannot process command because a command is already specified with -Command or "
                         "-EncodedCommand.")
    path = argv[i]
    if path == "-":
        _need_redirected_stdin("-File")
        opts.stdin = True
        return
    if not os.path.isfile(path):
        raise UsageError(f"The argument '{path}' is not recognized as the name of a script file. Check the "
                         "spelling of the name, or if a path was included, verify that the path is correct and "
                         "try again.")
    opts.file = path
    opts.script_args = argv[i + 1:]


def _unknown_option(argv: list[str], i: int, opts: Options) -> None:
    """pwsh takes an option it does not know for the script file's name: run it if such a file exists, else say
    the option is invalid (naming the options it may have meant)."""
    arg = argv[i]
    if os.path.isfile(arg):
        _take_file(argv, i, opts)
        return
    import difflib

    key = (arg[2:] if arg.startswith("--") else arg[1:]).casefold()
    names = sorted({_SPELLED[name] for name, _, action in _SWITCHES if action != "unsupported" and name != "?"})
    names += ["state", "seed"]
    # pwsh names the options that contain what was typed; a near miss (-Comand) is worth naming too
    close = [x for x in names if key and key in x.casefold()]
    if not close:
        folded = {x.casefold(): x for x in names}
        close = [folded[m] for m in difflib.get_close_matches(key, list(folded), n=2, cutoff=0.75)]
    if close:
        hint = ", ".join(("--" if x in _GLOBALS else "-") + x for x in close)
        raise UsageError(f"Invalid argument '{arg}', did you mean: {hint}?")
    raise UsageError(f"Invalid argument '{arg}': not an azshell option, and no script file has that name. "
                     "Run 'azshell -Help' for the options.")


def _decode_command(value: str) -> str:
    """``-EncodedCommand``: base64 of the script's UTF-16LE text (what pwsh expects)."""
    import base64
    import binascii

    try:
        data = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise UsageError("Cannot process the command because the value specified with -EncodedCommand is not "
                         "properly encoded. The value must be Base64 encoded.") from None
    return data.decode("utf-16-le", errors="replace")


def _need_redirected_stdin(option: str) -> None:
    try:
        tty = sys.stdin is None or sys.stdin.isatty()
    except (ValueError, OSError):  # closed
        tty = True
    if tty:
        raise UsageError(f"'-' was specified as the argument to {option} but standard input has not been "
                         "redirected for this process.")


def _shell(opts: Options) -> int:
    if opts.help:
        sys.stdout.write(HELP)
        return 0
    if opts.version:
        print(f"azshell {__version__}")
        return 0
    if opts.command is not None:
        return run_text(opts.command, state=opts.state)
    if opts.stdin:
        return _run_stdin(opts.state)
    if opts.file is not None:
        path = os.path.abspath(opts.file)
        try:
            text = _read_script(path)
        except OSError as e:
            print(f"azshell: cannot read {opts.file}: {e.strerror or e}", file=sys.stderr)
            return 1
        return run_text(text, state=opts.state, script_path=path, script_args=opts.script_args)
    return _interactive(opts.state)


def _read_script(path: str) -> str:
    """A script file's text as pwsh reads it: UTF-8 unless a byte-order mark says UTF-16; no decoding error."""
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    return data.decode("utf-8-sig", errors="replace")


def run_text(text: str, *, state: str | None, script_path: str | None = None,
             script_args: list[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run script text non-interactively: output to ``out``, errors to ``err``; returns the exit code.

    With ``script_path``, ``text`` is that file's content and ``script_args`` its command-line arguments."""
    from azshell.session import Session, SessionError

    out = out or sys.stdout
    err = err or sys.stderr
    try:
        session = Session(state=state)
    except SessionError as e:
        print(f"azshell: {e}", file=err)
        return 1
    try:
        result = session.run(text, lambda stream, chunk: _write(out, err, stream, chunk), script_path=script_path,
                             script_args=script_args)
    finally:
        session.close()
    if result.exit_requested is not None:
        return result.exit_requested
    return 1 if result.had_errors else 0


def _write(out: TextIO, err: TextIO, stream: str, chunk: str) -> None:
    target = out if stream in ("output", "host", "information") else err
    try:
        target.write(chunk)
        target.flush()
    except BrokenPipeError:
        raise _OutputClosed from None


def _interactive(state: str | None) -> int:
    from azshell.session import Session, SessionError

    try:
        session = Session(state=state, interactive=True)
    except SessionError as e:
        print(f"azshell: {e}", file=sys.stderr)
        return 1
    try:
        if sys.stdin.isatty() and sys.stdout.isatty():
            try:
                from azshell.repl.app import main as repl_main
            except ImportError:  # pragma: no cover - the REPL ships with the package
                return _line_loop(session)
            return repl_main(session)
        return _line_loop(session)
    finally:
        session.close()


def _run_stdin(state: str | None) -> int:
    """``-Command -``: statements from standard input, each run when complete; exit 1 if any wrote an error."""
    from azshell.session import Session, SessionError

    try:
        session = Session(state=state)
    except SessionError as e:
        print(f"azshell: {e}", file=sys.stderr)
        return 1
    try:
        return _line_loop(session, any_error=True)
    finally:
        session.close()


def _line_loop(session: object, *, any_error: bool = False) -> int:
    """Plain line mode for a non-terminal stdin: read, continue while incomplete, run, print.

    The exit code is the last command's (1 if it wrote an error), or with ``any_error`` 1 if any command did."""
    from azshell.session import Session

    assert isinstance(session, Session)
    buf: list[str] = []
    last_exit = 0
    failed = False
    for line in sys.stdin:
        buf.append(line.rstrip("\n"))
        text = "\n".join(buf)
        if session.is_complete(text) == "incomplete":
            continue
        buf.clear()
        result = session.run(text, lambda stream, chunk: _write(sys.stdout, sys.stderr, stream, chunk))
        last_exit = 1 if result.had_errors else 0
        failed = failed or result.had_errors
        if result.exit_requested is not None and session.closed:
            return result.exit_requested
    if buf:
        result = session.run("\n".join(buf), lambda stream, chunk: _write(sys.stdout, sys.stderr, stream, chunk))
        last_exit = 1 if result.had_errors else 0
        failed = failed or result.had_errors
        if result.exit_requested is not None and session.closed:
            return result.exit_requested
    return (1 if failed else 0) if any_error else last_exit


def _serve_parser(portal: bool = False) -> argparse.ArgumentParser:
    import argparse

    if portal:
        p = argparse.ArgumentParser(prog="azshell portal", description="Serve the Azure portal (and every emulated "
                                    "endpoint, as `azshell serve` does) on loopback; prints the portal's URL first.")
    else:
        p = argparse.ArgumentParser(prog="azshell serve", description="Serve the emulated Azure endpoints on "
                                    "loopback for external clients (curl, Azure SDKs, az CLI) and the Azure portal "
                                    "at /.")
    p.add_argument("--port", type=int, default=0, help="port to listen on (0 picks a free port; default 0)")
    p.add_argument("--bind", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--vm", metavar="NAME", help="answer the token endpoints as this VM")
    who.add_argument("--app", metavar="NAME", help="answer the token endpoints as this web or function app")
    # read before argparse sees the line (global options); listed here for --help
    p.add_argument("--state", metavar="PATH", help="state file (a global option: also before 'serve')")
    p.add_argument("--seed", metavar="N", help="reproducible ids (a global option: also before 'serve')")
    return p


def _kernel_parser() -> argparse.ArgumentParser:
    import argparse

    p = argparse.ArgumentParser(prog="azshell kernel", description="Manage the azshell Jupyter kernel.")
    sub = p.add_subparsers(dest="action", required=True)
    inst = sub.add_parser("install", help="install the 'azshell' kernelspec")
    where = inst.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="install for the current user")
    where.add_argument("--sys-prefix", action="store_true", help="install into sys.prefix (e.g. the venv)")
    where.add_argument("--prefix", metavar="P", help="install under prefix P")
    return p


def _serve(argv: list[str], state: str | None, *, portal: bool = False) -> int:
    ns = _serve_parser(portal).parse_args(argv)
    try:
        from azshell.server import serve
    except ImportError:
        print(f"azshell {'portal' if portal else 'serve'}: the server is not available in this build (uvicorn "
              "missing?)", file=sys.stderr)
        return 1
    if ns.bind not in ("127.0.0.1", "localhost", "::1"):
        print(f"WARNING: binding {ns.bind}: the emulated endpoints hand out tokens to anyone who can reach "
              "this address.", file=sys.stderr)
    return serve(port=ns.port, bind=ns.bind, vm=ns.vm, app=ns.app, state=state, portal_first=portal)


def _state(argv: list[str], state: str | None) -> int:
    """``azshell state export FILE`` / ``azshell state import FILE`` (``Export-/Import-AzShellState``)."""
    if len(argv) != 2 or argv[0] not in ("export", "import"):
        print("usage: azshell state export FILE | azshell state import FILE   [--state PATH]", file=sys.stderr)
        return EXIT_USAGE
    from azshell.controls.export import StateImportError, load_snapshot, read_export_file, write_export
    from azshell.model.errors import StateFileError
    from azshell.services.registry import open_world
    from azshell.session import default_state_path

    path = state or default_state_path()
    action, file = argv
    try:
        snapshot = read_export_file(file) if action == "import" else None
        world = open_world(path)
    except (StateImportError, StateFileError) as e:
        print(f"azshell state {action}: {e}", file=sys.stderr)
        return 1
    try:
        if snapshot is not None:
            load_snapshot(world, snapshot, source=file)
            print(f"Imported {file} into {path} (tenant {world.tenant_id}).")
        else:
            write_export(world, file)
            print(f"Exported {path} to {file}. It holds this test tenant's private signing keys and secrets; "
                  "keep it private.")
    except StateImportError as e:
        print(f"azshell state {action}: {e}", file=sys.stderr)
        return 1
    finally:
        world.close()
    return 0


def _kernel(argv: list[str]) -> int:
    ns = _kernel_parser().parse_args(argv)
    from azshell_kernel.install import install

    path = install(user=ns.user, sys_prefix=ns.sys_prefix, prefix=ns.prefix)
    print(f"Installed kernelspec azshell in {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
