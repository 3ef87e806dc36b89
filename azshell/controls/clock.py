"""Reading and moving the tenant clock (``Get-AzShellClock`` / ``Set-AzShellClock``).

The clock itself is ``azshell.clock.TenantClock`` (the world's clock); these functions read and write its
setting in the state file, so every process on that file sees the move on its next request. A world built with
another clock (tests inject ``FixedClock``) is moved in memory instead.

Example::

    advance(world, 90_000)            # Set-AzShellClock -Advance 1.01:00
    info(world).now                   # tenant time, a datetime in UTC
    reset(world)                      # real time again
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from azshell.clock import CLOCK_SETTING, ClockSetting, TenantClock
from azshell.errors import AzShellError

__all__ = ["EVENT_CLOCK_SET", "ClockError", "ClockInfo", "advance", "freeze", "info", "reset", "set_at"]

EVENT_CLOCK_SET = "clock.set"
#: the clock may be moved at most this far from real time (years; dates beyond 9999 do not exist)
MAX_OFFSET_SECONDS = 100 * 365 * 86400.0


class ClockError(AzShellError):
    """The clock cannot be moved like that (out of range, or a clock that cannot move)."""


@dataclass(frozen=True)
class ClockInfo:
    """The tenant clock as ``Get-AzShellClock`` shows it."""

    now: datetime
    real: datetime
    offset_seconds: float
    frozen: bool

    @property
    def is_real(self) -> bool:
        return not self.frozen and abs(self.offset_seconds) < 0.001


def _utc(t: float) -> datetime:
    return datetime.fromtimestamp(t, tz=UTC)


def _tenant_clock(world: Any) -> TenantClock | None:
    clock = world.clock
    return clock if isinstance(clock, TenantClock) else None


def info(world: Any) -> ClockInfo:
    """Where the tenant clock stands."""
    clock = world.clock
    now = float(clock.now())
    tc = _tenant_clock(world)
    if tc is not None:
        real = tc.base_now()
        return ClockInfo(_utc(now), _utc(real), now - real, tc.setting().frozen is not None)
    return ClockInfo(_utc(now), _utc(now), 0.0, False)


def _store(world: Any, setting: ClockSetting, what: str) -> None:
    if abs(setting.offset) > MAX_OFFSET_SECONDS:
        raise ClockError("The tenant clock can be moved at most 100 years away from real time.")
    store = world.store
    with store.transaction():
        if setting.is_real:
            store.delete_setting(CLOCK_SETTING)
        else:
            store.set_setting(CLOCK_SETTING, setting.to_json())
        store.append_event(EVENT_CLOCK_SET, {"change": what, "offset": setting.offset, "frozen": setting.frozen})


def _move_fixed(world: Any, target: float) -> None:
    clock = world.clock
    setter = getattr(clock, "set", None)
    if not callable(setter):
        raise ClockError("This tenant's clock cannot be moved (it is not the tenant clock).")
    setter(target)


def advance(world: Any, seconds: float) -> ClockInfo:
    """Move the tenant clock by ``seconds`` (negative moves it back); a frozen clock stays frozen."""
    tc = _tenant_clock(world)
    if tc is None:
        _move_fixed(world, float(world.clock.now()) + seconds)
        return info(world)
    s = tc.setting()
    if s.frozen is not None:
        target = s.frozen + seconds
        _check_instant(target)
        _store(world, ClockSetting(frozen=target), f"advance {seconds:g}")
    else:
        _store(world, ClockSetting(offset=s.offset + seconds), f"advance {seconds:g}")
    return info(world)


def _check_instant(t: float) -> None:
    if not 0 <= t <= 253402300799:  # 9999-12-31T23:59:59Z
        raise ClockError("The tenant clock must stay between 1970 and 9999.")


def set_at(world: Any, when: datetime, *, frozen: bool = False) -> ClockInfo:
    """Set the tenant clock to ``when`` (a naive datetime is local time); it runs on from there unless
    ``frozen``."""
    target = (when if when.tzinfo is not None else when.astimezone()).timestamp()
    _check_instant(target)
    tc = _tenant_clock(world)
    if tc is None:
        _move_fixed(world, target)
        return info(world)
    if frozen:
        _store(world, ClockSetting(frozen=target), "at (frozen)")
    else:
        _store(world, ClockSetting(offset=target - tc.base_now()), "at")
    return info(world)


def freeze(world: Any) -> ClockInfo:
    """Stop the tenant clock where it stands (it moves only with -Advance / -At from then on)."""
    tc = _tenant_clock(world)
    if tc is None:
        return info(world)
    _store(world, ClockSetting(frozen=tc.now()), "freeze")
    return info(world)


def reset(world: Any) -> ClockInfo:
    """Back to real time."""
    tc = _tenant_clock(world)
    if tc is None:  # an injected clock (tests) has no real time to go back to
        return info(world)
    _store(world, ClockSetting(), "reset")
    return info(world)
