"""Where ``azshell serve`` (and so the portal) is listening, recorded in the state file for the other processes.

``azshell serve``/``azshell portal`` records its base URL (``http://127.0.0.1:PORT``) and process id in the
state's settings when it starts and removes them when it stops, so a REPL or a kernel on the same state file can
show live portal links (a walkthrough's "do it in the portal at …"). A server that died without cleaning up
leaves a record naming a process that no longer runs: :func:`served_url` ignores it::

    record_served_url(world.store, server.url)        # in azshell serve, before it answers
    served_url(world.store)                           # elsewhere: "http://127.0.0.1:PORT" or None
    forget_served_url(world.store, server.url)        # when it stops
"""

from __future__ import annotations

import json
import os
from typing import Protocol

__all__ = ["SERVED_SETTING", "forget_served_url", "record_served_url", "served_url"]

SERVED_SETTING = "serve.url"


class SettingsStore(Protocol):
    def get_setting(self, key: str) -> str | None: ...

    def set_setting(self, key: str, value: str) -> None: ...

    def delete_setting(self, key: str) -> bool: ...


def record_served_url(store: SettingsStore, url: str, *, pid: int | None = None) -> None:
    """Record that this process serves the state at ``url`` (the last server started wins)."""
    store.set_setting(SERVED_SETTING, json.dumps({"url": url.rstrip("/"), "pid": os.getpid() if pid is None
                                                  else pid}))


def forget_served_url(store: SettingsStore, url: str, *, pid: int | None = None) -> None:
    """Remove the record if it is still this server's (another one may have started on the state since)."""
    if _read(store) == (url.rstrip("/"), os.getpid() if pid is None else pid):
        store.delete_setting(SERVED_SETTING)


def served_url(store: SettingsStore) -> str | None:
    """The base URL of a running ``azshell serve`` on this state (no trailing slash), or None."""
    got = _read(store)
    if got is None or not _alive(got[1]):
        return None
    return got[0]


def _read(store: SettingsStore) -> tuple[str, int] | None:
    try:
        raw = store.get_setting(SERVED_SETTING)
        data = json.loads(raw) if raw else None
        if isinstance(data, dict) and isinstance(data.get("url"), str) and isinstance(data.get("pid"), int):
            return str(data["url"]), int(data["pid"])
    except Exception:  # noqa: BLE001 - a link is a convenience: an unreadable record is no record
        pass
    return None


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it runs
        return True
    except OSError:
        return False
    return True
