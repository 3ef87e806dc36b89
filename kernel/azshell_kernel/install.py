"""Install the ``azshell`` kernelspec.

    python -m azshell_kernel.install --sys-prefix     # <venv>/share/jupyter/kernels/azshell
    python -m azshell_kernel.install --prefix /dir    # /dir/share/jupyter/kernels/azshell
    python -m azshell_kernel.install --user           # the user's Jupyter data dir

``argv[0]`` is the absolute interpreter running this (``sys.executable``), never a bare ``python`` that
jupyter_client would swap for the *client's* interpreter.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from typing import Any

from azshell_kernel import KERNEL_NAME

DISPLAY_NAME = "azshell (PowerShell for Azure MI)"


def kernel_json(python: str | None = None) -> dict[str, Any]:
    """The kernelspec's ``kernel.json`` content."""
    return {
        "argv": [os.path.abspath(python or sys.executable), "-m", "azshell_kernel", "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "powershell",
        "interrupt_mode": "signal",
        "env": {},
        "metadata": {"debugger": False},
    }


def write_spec(directory: str, python: str | None = None) -> str:
    """Write ``kernel.json`` into ``directory`` (created if needed); returns the directory."""
    os.makedirs(directory, exist_ok=True)
    os.chmod(directory, 0o755)
    with open(os.path.join(directory, "kernel.json"), "w", encoding="utf-8") as f:
        json.dump(kernel_json(python), f, indent=2)
        f.write("\n")
    return directory


def install(user: bool = False, sys_prefix: bool = False, prefix: str | None = None) -> str:
    """Install the kernelspec via ``KernelSpecManager``; returns the installed directory."""
    from jupyter_client.kernelspec import KernelSpecManager

    if sys_prefix:
        prefix = sys.prefix
    with tempfile.TemporaryDirectory() as td:
        src = write_spec(os.path.join(td, KERNEL_NAME))
        path: str = KernelSpecManager().install_kernel_spec(
            src, kernel_name=KERNEL_NAME, user=user, prefix=prefix
        )
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m azshell_kernel.install",
                                     description="Install the azshell Jupyter kernelspec.")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="install for the current user")
    where.add_argument("--sys-prefix", action="store_true", help="install into sys.prefix (e.g. the venv)")
    where.add_argument("--prefix", metavar="P", help="install under prefix P")
    ns = parser.parse_args(argv)
    try:
        path = install(user=ns.user, sys_prefix=ns.sys_prefix, prefix=ns.prefix)
    except OSError as e:
        print(f"azshell kernel install: {e.strerror or e}", file=sys.stderr)
        return 1
    print(f"Installed kernelspec {KERNEL_NAME} in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
