"""Command line: ``azshell``, ``azshell -c``, ``azshell FILE.ps1``, ``azshell serve``, ``azshell kernel install``.

Exit codes (DESIGN.md): a script run exits 1 if any error was written, else 0; ``exit N`` exits N.
Usage errors exit 2 (argparse's convention). Heavy imports stay inside the functions: the cold start of
``azshell -c '$null'`` is a measured figure.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from azshell import __version__

USAGE = """\
azshell [--state PATH] [-c|-Command SCRIPT | -File FILE | FILE.ps1]
azshell serve [--port N] [--bind 127.0.0.1] [--vm NAME | --app NAME] [--state PATH]
azshell kernel install [--user | --sys-prefix | --prefix P]
azshell --version | --help"""

DESCRIPTION = (
    "Learn, try and test Azure managed identities offline: a PowerShell-style shell over an emulated "
    "tenant kept in a local SQLite file."
)


def _main_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="azshell", usage=USAGE, description=DESCRIPTION, add_help=False)
    p.add_argument("-h", "--help", "-Help", action="store_true", help="show this help and exit")
    p.add_argument("--version", "-Version", action="store_true", help="print the version and exit")
    p.add_argument("--state", metavar="PATH", help="state file (default $AZSHELL_STATE or $AZSHELL_HOME/state.db; "
                   "':memory:' for a throwaway tenant)")
    p.add_argument("-c", "-Command", "--command", dest="command", metavar="SCRIPT", help="run SCRIPT and exit")
    p.add_argument("-File", "--file", dest="file", metavar="FILE", help="run a script file and exit")
    p.add_argument("script", nargs="?", help="a script file to run (FILE.ps1)")
    p.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return p


def _serve_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="azshell serve", description="Serve the emulated Azure endpoints on loopback "
                                "for external clients (curl, Azure SDKs, az CLI).")
    p.add_argument("--port", type=int, default=0, help="port to listen on (0 picks a free port; default 0)")
    p.add_argument("--bind", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    who = p.add_mutually_exclusive_group()
    who.add_argument("--vm", metavar="NAME", help="answer the token endpoints as this VM")
    who.add_argument("--app", metavar="NAME", help="answer the token endpoints as this web or function app")
    p.add_argument("--state", metavar="PATH", help="state file")
    return p


def _kernel_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="azshell kernel", description="Manage the azshell Jupyter kernel.")
    sub = p.add_subparsers(dest="action", required=True)
    inst = sub.add_parser("install", help="install the 'azshell' kernelspec")
    where = inst.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="install for the current user")
    where.add_argument("--sys-prefix", action="store_true", help="install into sys.prefix (e.g. the venv)")
    where.add_argument("--prefix", metavar="P", help="install under prefix P")
    return p


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if args and args[0] == "serve":
            return _serve(args[1:])
        if args and args[0] == "kernel":
            return _kernel(args[1:])
        return _shell(args)
    except KeyboardInterrupt:
        return 130


def _shell(argv: list[str]) -> int:
    parser = _main_parser()
    ns, unknown = parser.parse_known_args(argv)
    if ns.help:
        parser.print_help()
        return 0
    if ns.version:
        print(f"azshell {__version__}")
        return 0
    if unknown:
        parser.print_usage(sys.stderr)
        print(f"azshell: unknown option {unknown[0]!r}", file=sys.stderr)
        return 2
    if ns.command is not None:
        return run_text(ns.command, state=ns.state)
    path = ns.file or ns.script
    if path is not None:
        try:
            with open(path, encoding="utf-8-sig") as f:
                text = f.read()
        except OSError as e:
            print(f"azshell: cannot read {path}: {e.strerror or e}", file=sys.stderr)
            return 1
        return run_text(text, state=ns.state, script_path=path)
    return _interactive(ns.state)


def run_text(text: str, *, state: str | None, script_path: str | None = None,
             out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run script text non-interactively: output to ``out``, errors to ``err``; returns the exit code."""
    from azshell.session import Session, SessionError

    out = out or sys.stdout
    err = err or sys.stderr
    try:
        session = Session(state=state)
    except SessionError as e:
        print(f"azshell: {e}", file=err)
        return 1
    try:
        result = session.run(text, lambda stream, chunk: _write(out, err, stream, chunk), script_path=script_path)
    finally:
        session.close()
    if result.exit_requested is not None:
        return result.exit_requested
    return 1 if result.had_errors else 0


def _write(out: TextIO, err: TextIO, stream: str, chunk: str) -> None:
    target = out if stream in ("output", "host", "information") else err
    target.write(chunk)
    target.flush()


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


def _line_loop(session: object) -> int:
    """Plain line mode for a non-terminal stdin: read, continue while incomplete, run, print."""
    from azshell.session import Session

    assert isinstance(session, Session)
    buf: list[str] = []
    last_exit = 0
    for line in sys.stdin:
        buf.append(line.rstrip("\n"))
        text = "\n".join(buf)
        if session.is_complete(text) == "incomplete":
            continue
        buf.clear()
        result = session.run(text, lambda stream, chunk: _write(sys.stdout, sys.stderr, stream, chunk))
        last_exit = 1 if result.had_errors else 0
        if result.exit_requested is not None and session.closed:
            return result.exit_requested
    if buf:
        result = session.run("\n".join(buf), lambda stream, chunk: _write(sys.stdout, sys.stderr, stream, chunk))
        last_exit = 1 if result.had_errors else 0
    return last_exit


def _serve(argv: list[str]) -> int:
    ns = _serve_parser().parse_args(argv)
    try:
        from azshell.server import serve
    except ImportError:
        print("azshell serve: the server is not available in this build (uvicorn missing?)", file=sys.stderr)
        return 1
    if ns.bind not in ("127.0.0.1", "localhost", "::1"):
        print(f"WARNING: binding {ns.bind}: the emulated endpoints hand out tokens to anyone who can reach "
              "this address.", file=sys.stderr)
    return serve(port=ns.port, bind=ns.bind, vm=ns.vm, app=ns.app, state=ns.state)


def _kernel(argv: list[str]) -> int:
    ns = _kernel_parser().parse_args(argv)
    from azshell_kernel.install import install

    path = install(user=ns.user, sys_prefix=ns.sys_prefix, prefix=ns.prefix)
    print(f"Installed kernelspec azshell in {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
