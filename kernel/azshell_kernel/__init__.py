"""The azshell Jupyter kernel: a thin ipykernel wrapper over :class:`azshell.session.Session`.

Run with ``python -m azshell_kernel -f CONNECTION_FILE``; install the kernelspec with
``azshell kernel install`` or ``python -m azshell_kernel.install [--user|--sys-prefix|--prefix P]``.
"""

from __future__ import annotations

__all__ = ["KERNEL_NAME", "__version__"]

KERNEL_NAME = "azshell"

try:
    from azshell import __version__
except Exception:  # pragma: no cover - azshell is a hard dependency
    __version__ = "0.0.0"
