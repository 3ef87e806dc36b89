"""The root of azshell's exceptions. Each layer has its own branch::

    AzShellError
     +-- LangError            (azshell.lang.errors: lex, parse and runtime errors with source spans)
     +-- ModelError           (azshell.model: not found, conflict, bad state file)
     +-- AuthError            (azshell.auth: token issue/verify failures, one leaf per failed check)
     +-- PlaneError           (azshell.planes: an HTTP status + Azure error code + message)

The language core defines ``LangError`` without importing this module (it knows nothing of azshell's
other layers); the session treats both roots alike.
"""

from __future__ import annotations


class AzShellError(Exception):
    """Root of every error azshell raises on purpose."""
