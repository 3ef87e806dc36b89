"""App Service / Azure Functions managed-identity endpoint (``IDENTITY_ENDPOINT``/``MSI_ENDPOINT``).

Filled in by issue 4; until then no host answers, so the endpoint fails like an unknown name.
"""

from __future__ import annotations

from typing import Any

from azshell.planes.base import HostUnreachableError, Request, Response


def is_identity_endpoint(host: str, port: int | None) -> bool:
    """Does (host, port) name the App Service identity endpoint of the host in context?"""
    return False


def handle(request: Request, world: Any) -> Response:
    raise HostUnreachableError(request.host, request.port, f"No such host is known. ({request.host})")
