"""Time, injected: planes, tokens and the model never call ``time.time()`` themselves.

Three clocks:

* ``SystemClock`` — the machine's time.
* ``FixedClock`` — moves only when told to (tests).
* ``TenantClock`` — the tenant's clock, the default of every ``World``: real time (or any base clock) plus an
  offset kept in the state file, or an instant frozen there. Every process on one state file (REPL, kernel,
  ``azshell serve``) reads the same tenant time: the setting is re-read whenever ``store.generation()`` moves,
  and ``Set-AzShellClock`` writes it in a transaction that moves it.

::

    clock = TenantClock()            # real time until the state says otherwise
    clock.bind(store)                # build_world does this
    clock.now()                      # seconds since the epoch, tenant time
    store.set_setting(CLOCK_SETTING, ClockSetting(offset=3600).to_json())   # what Set-AzShellClock -Advance does
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Protocol

__all__ = ["CLOCK_SETTING", "Clock", "ClockSetting", "FixedClock", "SettingsSource", "SystemClock", "TenantClock"]

#: The settings key of the tenant clock (JSON ``{"offset": seconds}`` or ``{"frozen": epoch seconds}``).
CLOCK_SETTING = "controls.clock"


class Clock(Protocol):
    def now(self) -> float:
        """Seconds since the epoch (UTC)."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()


class FixedClock:
    """A clock that moves only when told to (tests)."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self._t = start

    def now(self) -> float:
        return self._t

    def advance(self, seconds: float) -> None:
        self._t += seconds

    def set(self, t: float) -> None:
        self._t = t


class SettingsSource(Protocol):
    """What the tenant clock reads from ``azshell.model.store.Store``."""

    def generation(self) -> int: ...

    def get_setting(self, key: str) -> str | None: ...


@dataclass(frozen=True)
class ClockSetting:
    """The stored state of the tenant clock: an offset from the base clock, or a frozen instant."""

    offset: float = 0.0
    frozen: float | None = None

    @property
    def is_real(self) -> bool:
        """True when the tenant clock is the base clock itself (no offset, not frozen)."""
        return self.frozen is None and self.offset == 0.0

    def to_json(self) -> str:
        return json.dumps({"frozen": self.frozen} if self.frozen is not None else {"offset": self.offset})

    @classmethod
    def parse(cls, text: str | None) -> ClockSetting:
        """The setting stored as ``text`` (real time for None or anything unreadable)."""
        if not text:
            return cls()
        try:
            data = json.loads(text)
        except ValueError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        frozen, offset = data.get("frozen"), data.get("offset")
        if isinstance(frozen, (int, float)) and not isinstance(frozen, bool):
            return cls(frozen=float(frozen))
        if isinstance(offset, (int, float)) and not isinstance(offset, bool):
            return cls(offset=float(offset))
        return cls()


class TenantClock:
    """The tenant clock: ``base`` time moved by the setting stored in the state file (see the module doc).

    Arguments:
        base: the clock the offset applies to (default: the system clock; tests pass a ``FixedClock``).
    """

    def __init__(self, base: Clock | None = None) -> None:
        self.base: Clock = base or SystemClock()
        self._store: SettingsSource | None = None
        self._cached: tuple[int, ClockSetting] | None = None

    def bind(self, store: SettingsSource) -> None:
        """Read the setting from ``store`` from now on (before this, the tenant clock is the base clock)."""
        self._store = store
        self._cached = None

    def setting(self) -> ClockSetting:
        """The stored setting, re-read only when the store's generation has moved (any process wrote)."""
        store = self._store
        if store is None:
            return ClockSetting()
        gen = store.generation()
        hit = self._cached
        if hit is not None and hit[0] == gen:
            return hit[1]
        setting = ClockSetting.parse(store.get_setting(CLOCK_SETTING))
        self._cached = (gen, setting)
        return setting

    def now(self) -> float:
        s = self.setting()
        return s.frozen if s.frozen is not None else self.base.now() + s.offset

    def base_now(self) -> float:
        """The base clock's time (real time unless a test injected another)."""
        return self.base.now()
