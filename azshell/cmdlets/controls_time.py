"""The time controls: ``Get-AzShellClock``, ``Set-AzShellClock``, ``Get-AzShellOption``, ``Set-AzShellOption`` and
``Invoke-AzShellKeyRollover``.

They change the emulated tenant itself (its clock, its propagation delay, its signing keys), which no Azure API
does, so they write the state file directly (``azshell.controls``); everything else still reaches the tenant
through the planes. All of it lives in the state file: the kernel and ``azshell serve`` on the same file see the
change on their next request.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from azshell.lang.cmdlet import Cmdlet, CmdletError, Example, Param
from azshell.lang.formatting import ViewTable
from azshell.lang.values import PSObject

__all__ = ["COMMANDS", "register_views"]

CLOCK_TYPE = "Azshell.Clock"
OPTION_TYPE = "Azshell.Option"
ROLLOVER_TYPE = "Azshell.KeyRollover"


def _world(cmd: Cmdlet) -> Any:
    services = cmd.ctx.services
    world = getattr(services, "world", None)
    if world is None:
        raise CmdletError(f"{cmd.name} needs the azshell state.", category="ResourceUnavailable", error_id="NoState")
    return world


def _bound(cmd: Cmdlet) -> dict[str, Any]:
    value = cmd.__dict__.get("params")
    return value if isinstance(value, dict) else {}


def _span(seconds: float) -> timedelta:
    return timedelta(seconds=round(seconds, 3))


def _clock_object(world: Any) -> PSObject:
    from azshell.controls.clock import info

    c = info(world)
    return PSObject([
        ("Now", c.now.astimezone()), ("UtcNow", c.now), ("RealTime", c.real.astimezone()),
        ("Offset", _span(c.offset_seconds)), ("IsReal", c.is_real), ("IsFrozen", c.frozen),
    ], type_names=(CLOCK_TYPE, "System.Object"))


class GetAzShellClock(Cmdlet):
    name = "Get-AzShellClock"
    synopsis = "Gets the tenant clock: the time every token, expiry and event of the emulated tenant goes by."
    description = (
        "The tenant clock starts as real time. Set-AzShellClock moves it (tokens expire, role assignments "
        "propagate, managed-identity certificates roll); the REPL, the kernel and azshell serve on the same state "
        "file all read the same tenant time. Now is local time, UtcNow the same instant in UTC, Offset how far "
        "the tenant clock is from real time."
    )
    outputs = (CLOCK_TYPE,)
    examples = (
        Example("Get-AzShellClock", "Now, UtcNow, RealTime, Offset, IsReal, IsFrozen."),
        Example("(Get-AzShellClock).Offset", "How far the tenant clock has been moved."),
    )

    def process(self) -> None:
        self.write(_clock_object(_world(self)))


class SetAzShellClock(Cmdlet):
    name = "Set-AzShellClock"
    synopsis = "Moves the tenant clock: -Advance a TimeSpan, -At a date, -Freeze it, or -Reset to real time."
    description = (
        "-Advance '1.01:00' moves the tenant clock a day and an hour ahead (a TimeSpan as PowerShell reads it: "
        "'00:05:01' is five minutes and a second; a negative one moves it back); -At sets it to a date and time "
        "(add -Freeze to stop it there); -Freeze stops it where it stands; -Reset returns to real time. Tokens "
        "issued before expire by their exp claim on the new time, cached tokens are refreshed five minutes before "
        "they expire, pending role assignments take effect, and managed-identity certificates roll."
    )
    supports_should_process = True
    params = (
        Param("Advance", "timespan", mandatory=True, position=0, parameter_sets=("Advance",),
              help="How far to move the clock, e.g. '1.01:00' (1 day 1 hour) or '00:05:01'."),
        Param("At", "datetime", mandatory=True, parameter_sets=("At",), help="The tenant's new date and time."),
        Param("Freeze", "switch", parameter_sets=("At", "Freeze"),
              help="Stop the clock (at -At, or where it stands)."),
        Param("Reset", "switch", mandatory=True, parameter_sets=("Reset",), help="Back to real time."),
    )
    default_parameter_set = "Freeze"
    outputs = (CLOCK_TYPE,)
    examples = (
        Example("Set-AzShellClock -Advance 1.01:00", "A day and an hour later: yesterday's tokens have expired."),
        Example("Set-AzShellClock -Advance 00:05:01", "Past a 5-minute role assignment propagation delay."),
        Example("Set-AzShellClock -At '2030-01-01 09:00' -Freeze", "A fixed instant, for reproducible output."),
        Example("Set-AzShellClock -Reset", "Real time again."),
    )

    def process(self) -> None:
        from azshell.controls.clock import ClockError, advance, freeze, reset, set_at

        world = _world(self)
        p = _bound(self)
        try:
            if p.get("Reset"):
                if self.should_process("tenant clock", "Reset to real time"):
                    reset(world)
            elif p.get("Advance") is not None:
                span = p["Advance"]
                seconds = span.total_seconds() if isinstance(span, timedelta) else float(span)
                if self.should_process("tenant clock", f"Advance by {span}"):
                    advance(world, seconds)
            elif p.get("At") is not None:
                when = p["At"]
                if not isinstance(when, datetime):
                    raise CmdletError(f"Cannot convert '{when}' to a DateTime.", category="InvalidArgument",
                                      error_id="InvalidDateTime")
                if self.should_process("tenant clock", f"Set to {when}"):
                    set_at(world, when, frozen=bool(p.get("Freeze")))
            elif p.get("Freeze"):
                if self.should_process("tenant clock", "Freeze"):
                    freeze(world)
            else:
                raise CmdletError("Say how to move the clock: -Advance <TimeSpan>, -At <DateTime>, -Freeze or "
                                  "-Reset.", category="InvalidArgument", error_id="NoClockChange")
        except (ClockError, OverflowError, ValueError) as e:
            raise CmdletError(str(e), category="InvalidArgument", error_id="InvalidClockChange") from None
        if not self.what_if:
            self.write(_clock_object(world))


# ------------------------------------------------------------------------------------------------ options
def _option_object(world: Any) -> PSObject:
    from azshell.controls.propagation import assignment_delay

    return PSObject([("RoleAssignmentDelay", _span(assignment_delay(world.store)))],
                    type_names=(OPTION_TYPE, "System.Object"))


class GetAzShellOption(Cmdlet):
    name = "Get-AzShellOption"
    synopsis = "Gets the emulator's options for this tenant (role assignment propagation delay)."
    description = (
        "RoleAssignmentDelay: how long a new or removed role assignment takes to take effect (00:00:00, the "
        "default, means at once). Options live in the state file: every process on it shares them."
    )
    outputs = (OPTION_TYPE,)
    examples = (Example("Get-AzShellOption", "RoleAssignmentDelay : 00:00:00"),)

    def process(self) -> None:
        self.write(_option_object(_world(self)))


class SetAzShellOption(Cmdlet):
    name = "Set-AzShellOption"
    synopsis = "Sets the emulator's options: -RoleAssignmentDelay, how long role assignments take to propagate."
    description = (
        "On Azure a new role assignment can take minutes to apply, and a removed one to stop applying. With "
        "-RoleAssignmentDelay 00:05:00 azshell does the same on the tenant clock: ARM lists the assignment at "
        "once, but requests are decided without it until five minutes have passed (the 403 says \"If access was "
        "recently granted, please refresh your credentials.\" and Test-AzAccess says when it takes effect); a "
        "removed assignment keeps granting for five minutes. 00:00:00 turns the delay off."
    )
    supports_should_process = True
    params = (
        Param("RoleAssignmentDelay", "timespan", mandatory=True,
              help="How long role assignment changes take to apply, e.g. 00:05:00; 00:00:00 for at once."),
    )
    outputs = (OPTION_TYPE,)
    examples = (
        Example("Set-AzShellOption -RoleAssignmentDelay 00:05:00",
                "New and removed role assignments take effect after 5 minutes of tenant time."),
        Example("Set-AzShellOption -RoleAssignmentDelay 0:0", "At once again (the default)."),
    )

    def process(self) -> None:
        from azshell.controls.propagation import set_assignment_delay

        world = _world(self)
        span = _bound(self).get("RoleAssignmentDelay")
        seconds = span.total_seconds() if isinstance(span, timedelta) else float(span or 0)
        if not self.should_process("RoleAssignmentDelay", f"Set to {span}"):
            return
        try:
            set_assignment_delay(world.store, seconds, now=float(world.clock.now()))
        except ValueError as e:
            raise CmdletError(str(e), category="InvalidArgument", error_id="InvalidRoleAssignmentDelay") from None
        self.write(_option_object(world))


# ----------------------------------------------------------------------------------------------- rollover
class InvokeAzShellKeyRollover(Cmdlet):
    name = "Invoke-AzShellKeyRollover"
    synopsis = "Rolls the tenant's token-signing keys: a new key signs, the old one stays published for a while."
    description = (
        "Entra ID rolls the keys that sign tokens: the new key appears in the JWKS "
        "(https://login.microsoftonline.com/<tenant>/discovery/keys), new tokens are signed with it, and the old "
        "key stays published for a grace period so tokens it signed still verify; then it is removed and every "
        "service refuses those tokens (ARM InvalidAuthenticationToken, Key Vault AKV10046 ...). -GracePeriod is "
        "tenant time (default 1.00:00:00); 00:00:00 removes the old key at once."
    )
    supports_should_process = True
    params = (
        Param("GracePeriod", "timespan", position=0,
              help="How long the old key stays in the JWKS (tenant time); default one day."),
    )
    outputs = (ROLLOVER_TYPE,)
    examples = (
        Example("Invoke-AzShellKeyRollover -GracePeriod 01:00:00\nSet-AzShellClock -Advance 01:00:01",
                "An hour later, tokens signed with the old key are refused."),
        Example("Invoke-RestMethod https://login.microsoftonline.com/$((Get-AzContext).Tenant.Id)/discovery/keys",
                "The JWKS: the new key and the old one, until its grace period ends."),
    )

    def process(self) -> None:
        from azshell.controls.rollover import DEFAULT_GRACE_SECONDS, rollover

        world = _world(self)
        span = _bound(self).get("GracePeriod")
        grace = DEFAULT_GRACE_SECONDS if span is None else (
            span.total_seconds() if isinstance(span, timedelta) else float(span))
        if not self.should_process("token signing keys", "Roll over"):
            return
        try:
            result = rollover(world, grace_seconds=grace)
        except ValueError as e:
            raise CmdletError(str(e), category="InvalidArgument", error_id="InvalidGracePeriod") from None
        self.write(PSObject([
            ("NewKeyId", result.new_kid), ("OldKeyId", result.old_kid),
            ("OldKeyRemovedOn", datetime.fromtimestamp(result.old_retires_at, tz=UTC).astimezone()),
            ("PublishedKeyIds", list(result.published)),
        ], type_names=(ROLLOVER_TYPE, "System.Object")))


COMMANDS = (GetAzShellClock, SetAzShellClock, GetAzShellOption, SetAzShellOption, InvokeAzShellKeyRollover)


def register_views(views: ViewTable) -> None:
    views.register(CLOCK_TYPE, "list", ("Now", "UtcNow", "RealTime", "Offset", "IsReal", "IsFrozen"))
    views.register(OPTION_TYPE, "list", ("RoleAssignmentDelay",))
    views.register(ROLLOVER_TYPE, "list", ("NewKeyId", "OldKeyId", "OldKeyRemovedOn", "PublishedKeyIds"))
