"""Fault injection and the event log: Add-/Get-/Remove-AzShellFault and Get-AzShellEvent.

Faults are azshell controls, not Azure resources: there is no Azure API to call, so these cmdlets write the
fault list in the state file (``azshell.controls.faults``) and every plane dispatch reads it (REPL, kernel and
``azshell serve`` alike). ``Get-AzShellEvent`` shows the events log: each request the planes answered (with its
status, so a client's retries against an injected 429 are visible one by one), each injected fault, each
change the tenant recorded.
"""

from __future__ import annotations

import fnmatch
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from azshell.controls.faults import (
    EVENT_FAULT_INJECTED,
    Fault,
    FaultError,
    add_fault,
    list_faults,
    remove_faults,
)
from azshell.lang.cmdlet import Cmdlet, CmdletError, Example, Param
from azshell.lang.values import PSObject

if TYPE_CHECKING:
    from azshell.lang.formatting import ViewTable
    from azshell.model.types import Event
    from azshell.world import World

__all__ = ["COMMANDS", "register_views"]

FAULT_TYPE = "Azshell.Fault"
EVENT_TYPE = "Azshell.Event"
_PSCUSTOM = "System.Management.Automation.PSCustomObject"
#: events Get-AzShellEvent shows without -Last
DEFAULT_LAST = 50
#: events read at most (the log keeps about 10 000)
MAX_EVENTS = 10_000


def _complete_endpoint(prefix: str) -> list[str]:
    from azshell.controls.faults import endpoint_names
    from azshell.services.registry import default_registry

    low = prefix.casefold().strip("'\"")
    return [n for n in endpoint_names(default_registry()) if n.casefold().startswith(low)]


class _ControlCmdlet(Cmdlet):
    @property
    def bound(self) -> dict[str, Any]:
        value = self.__dict__.get("params")
        return value if isinstance(value, dict) else {}

    @property
    def world(self) -> World:
        services = self.ctx.services
        world = getattr(services, "world", None)
        if world is None:
            raise CmdletError("This command needs the azshell state.", category="ResourceUnavailable",
                              error_id="NoState")
        return world  # type: ignore[no-any-return]


def _latency_ms(value: Any) -> int:
    """``-Latency``: a TimeSpan (``00:00:02``, ``[timespan]'0:0:2'``) or a number of milliseconds."""
    if value is None:
        return 0
    if isinstance(value, timedelta):
        return int(value.total_seconds() * 1000)
    if isinstance(value, bool):
        raise CmdletError("-Latency takes a TimeSpan (00:00:02) or milliseconds (2000).",
                          category="InvalidArgument", error_id="BadLatency")
    if isinstance(value, (int, float)):
        return int(value)
    text = str(value).strip()
    try:
        return int(float(text))
    except ValueError:
        pass
    from azshell.lang.conversions import convert_to

    try:
        span = convert_to("timespan", text)
    except Exception:
        raise CmdletError(f"Cannot convert '{text}' to a latency: use a TimeSpan (00:00:02) or milliseconds "
                          "(2000).", category="InvalidArgument", error_id="BadLatency") from None
    return int(span.total_seconds() * 1000)


def fault_object(f: Fault) -> PSObject:
    return PSObject([
        ("Id", f.id), ("Endpoint", f.endpoint), ("StatusCode", f.status),
        ("Remaining", f.remaining), ("Probability", f.probability),
        ("Latency", timedelta(milliseconds=f.latency_ms)), ("Match", f.match), ("RetryAfter", f.retry_after),
        ("Injected", f.injected),
        ("Until", datetime.fromtimestamp(f.until, tz=UTC) if f.until is not None else None),
        ("HostId", f.host_id), ("Reason", f.reason),
    ], type_names=(FAULT_TYPE, _PSCUSTOM))


class AddAzShellFault(_ControlCmdlet):
    name = "Add-AzShellFault"
    synopsis = "Makes an endpoint answer with an error (429, 5xx, IMDS's 404/410) or answer late."
    description = (
        "Adds a fault to the state file: from now on, requests to the endpoint (a plane: Imds, MsiExtension, "
        "AppService, Login, Graph, Arm, KeyVault, DataLake, ... as Get-AzShellFault -ListEndpoints shows) are "
        "answered with -StatusCode, with the body and Retry-After header the service sends for it, instead of "
        "the real answer. -Count N stops after N answers; -Probability p hits each matching request with "
        "chance p; -Latency delays the answer (TimeSpan or milliseconds; alone, the real answer comes late). "
        "-Match limits it to request paths matching a wildcard pattern. The REPL, the kernel and azshell serve "
        "all see it. Get-AzShellEvent shows every attempt a client made, with its status.")
    params = (
        Param("Endpoint", "string", mandatory=True, position=0, completer=_complete_endpoint,
              help="The endpoint (plane) to fail: Imds, Extension, AppService, Login, Graph, Arm, KeyVault, "
                   "DataLake..."),
        Param("StatusCode", "int", position=1, help="429, 500, 502, 503, 504, 408, or IMDS's 404 / 410."),
        Param("Count", "int", help="Answer this many requests, then stop."),
        Param("Probability", "double", help="Fail each matching request with this chance (0 < p <= 1)."),
        Param("Latency", "object", help="Delay before answering: a TimeSpan (00:00:02) or milliseconds."),
        Param("Match", "string", help="Only requests whose path matches this wildcard (*/secrets/*)."),
        Param("RetryAfter", "int", help="Seconds in the Retry-After header (default: the service's usual)."),
        Param("Duration", "timespan", help="Tenant time after which the fault lapses on its own."),
    )
    examples = (
        Example("Add-AzShellFault -Endpoint Imds -StatusCode 429 -Count 3",
                "The next three token requests to IMDS are throttled; the fourth gets a token."),
        Example("Add-AzShellFault -Endpoint KeyVault -StatusCode 503 -Probability 0.2 -Match '*/secrets/*'",
                "One secret request in five fails with 503."),
        Example("Add-AzShellFault -Endpoint Arm -Latency 00:00:02", "ARM answers two seconds late."),
    )
    outputs = (FAULT_TYPE,)

    def process(self) -> None:
        p = self.bound
        duration = p.get("Duration")
        try:
            fault = add_fault(
                self.world, endpoint=str(p["Endpoint"]),
                status=int(p["StatusCode"]) if p.get("StatusCode") is not None else None,
                count=int(p["Count"]) if p.get("Count") is not None else None,
                probability=float(p["Probability"]) if p.get("Probability") is not None else None,
                latency_ms=_latency_ms(p.get("Latency")), match=str(p["Match"]) if p.get("Match") else None,
                retry_after=int(p["RetryAfter"]) if p.get("RetryAfter") is not None else None,
                duration=duration.total_seconds() if isinstance(duration, timedelta) else None)
        except FaultError as e:
            raise CmdletError(str(e), category="InvalidArgument", error_id="InvalidFault",
                              target=p.get("Endpoint")) from None
        self.write(fault_object(fault))


class GetAzShellFault(_ControlCmdlet):
    name = "Get-AzShellFault"
    synopsis = "Lists the injected faults (and, with -ListEndpoints, the endpoints a fault can name)."
    description = ("Shows every fault with how many answers it has made (Injected) and how many it still will "
                   "(Remaining; empty: until removed). A fault that has used up its count or lapsed stays "
                   "listed until Remove-AzShellFault.")
    params = (Param("Id", "int", position=0, help="One fault."),
              Param("ListEndpoints", "switch", help="The endpoint names instead."))
    examples = (Example("Get-AzShellFault", "The faults."),
                Example("Get-AzShellFault -ListEndpoints", "imds, msi_extension, appservice, login, ..."))
    outputs = (FAULT_TYPE,)

    def process(self) -> None:
        world = self.world
        if self.bound.get("ListEndpoints"):
            from azshell.controls.faults import endpoint_names

            for n in endpoint_names(world.registry):
                self.write(n)
            return
        want = self.bound.get("Id")
        found = False
        for f in list_faults(world.store):
            if want is None or f.id == int(want):
                found = True
                self.write(fault_object(f))
        if want is not None and not found:
            self.write_error(f"There is no fault with Id {want}.", category="ObjectNotFound",
                             error_id="FaultNotFound")


class RemoveAzShellFault(_ControlCmdlet):
    name = "Remove-AzShellFault"
    synopsis = "Removes injected faults (-Id, or -All)."
    params = (
        Param("Id", "int[]", position=0, parameter_sets=("ById",), mandatory=True,
              value_from_pipeline_by_property_name=True, help="The fault(s) to remove."),
        Param("All", "switch", parameter_sets=("All",), mandatory=True, help="Remove every fault."),
        Param("PassThru", "switch", help="Output the removed faults."),
    )
    default_parameter_set = "ById"
    supports_should_process = True
    examples = (Example("Remove-AzShellFault -All", "No more faults."),
                Example("Get-AzShellFault | Remove-AzShellFault", "The same, from the pipeline."))
    outputs = (FAULT_TYPE,)

    def process(self) -> None:
        p = self.bound
        ids = None if p.get("All") else [int(i) for i in (p["Id"] if isinstance(p["Id"], list) else [p["Id"]])]
        if not self.should_process("all faults" if ids is None else ", ".join(f"fault {i}" for i in ids),
                                   "Remove fault injection"):
            return
        gone = remove_faults(self.world.store, ids)
        if ids is not None:
            missing = sorted(set(ids) - {f.id for f in gone})
            for i in missing:
                self.write_error(f"There is no fault with Id {i}.", category="ObjectNotFound",
                                 error_id="FaultNotFound", target=i)
        if p.get("PassThru"):
            for f in gone:
                self.write(fault_object(f))


def _summary(e: Event) -> str:
    d = e.data
    if e.kind == "http.request":
        where = f"{d.get('host', '')}{':' + str(d['port']) if d.get('port') not in (None, 80, 443) else ''}"
        text = f"{d.get('method', '')} {where}{d.get('path', '')} → {d.get('status', '')}"
        if d.get("fault"):
            text += " (injected fault)"
        return text
    if e.kind == EVENT_FAULT_INJECTED:
        status = d.get("status")
        return (f"fault {d.get('fault')} on {d.get('endpoint')}: {d.get('method')} {d.get('path')} → "
                f"{status if status is not None else 'delayed'}"
                + (f" after {d.get('latencyMs')} ms" if d.get("latencyMs") else ""))
    parts = [f"{k}={v}" for k, v in d.items() if not isinstance(v, (dict, list)) and v not in (None, "")]
    return ", ".join(parts)[:200]


def event_object(e: Event) -> PSObject:
    d = e.data
    http = e.kind in ("http.request", EVENT_FAULT_INJECTED)
    return PSObject([
        ("Seq", e.seq), ("Time", datetime.fromtimestamp(e.time, tz=UTC)), ("Kind", e.kind),
        ("Method", d.get("method") if http else None), ("Host", d.get("host") if http else None),
        ("Path", d.get("path") if http else None), ("Status", d.get("status") if http else None),
        ("Summary", _summary(e)), ("Data", PSObject(list(d.items()))),
    ], type_names=(EVENT_TYPE, _PSCUSTOM))


class GetAzShellEvent(_ControlCmdlet):
    name = "Get-AzShellEvent"
    synopsis = "Shows the events log: requests the planes answered (with status), injected faults, changes."
    description = ("Every request any azshell process answered (REPL, kernel, azshell serve) is an http.request "
                   "event with its method, host, path and status, so a client's retries against an injected "
                   "fault show one by one. Other kinds record tenant changes (resource.put, identity.enabled, "
                   "token.issued...). -Kind filters by kind (wildcards allowed), -Last keeps the newest N "
                   f"(default {DEFAULT_LAST}), -Path by request path (wildcards).")
    params = (
        Param("Kind", "string[]", position=0, help="Event kinds (wildcards): http.request, fault.*, token.*..."),
        Param("Last", "int", help=f"The newest N events (default {DEFAULT_LAST})."),
        Param("Path", "string", help="Only requests whose path matches this wildcard."),
    )
    examples = (
        Example("Get-AzShellEvent -Kind http.request -Last 4", "The last four requests and their statuses."),
        Example("Get-AzShellEvent fault.*", "What the injected faults answered."),
    )
    outputs = (EVENT_TYPE,)

    def process(self) -> None:
        p = self.bound
        last = int(p["Last"]) if p.get("Last") is not None else DEFAULT_LAST
        if last < 0:
            raise CmdletError("-Last must be 0 or more.", category="InvalidArgument", error_id="BadLast")
        kinds = p.get("Kind")
        patterns = [str(k).casefold() for k in (kinds if isinstance(kinds, list) else [kinds])] if kinds else []
        path = str(p["Path"]).casefold() if p.get("Path") else None
        store = self.world.store
        exact = len(patterns) == 1 and not any(c in patterns[0] for c in "*?[") and path is None
        events = store.recent_events(kind=patterns[0] if exact else None, limit=last if exact else MAX_EVENTS)
        picked = [e for e in events
                  if (not patterns or any(fnmatch.fnmatchcase(e.kind.casefold(), k) for k in patterns))
                  and (path is None or fnmatch.fnmatchcase(str(e.data.get("path", "")).casefold(), path))]
        for e in picked[-last:] if last else []:
            self.write(event_object(e))


COMMANDS = (AddAzShellFault, GetAzShellFault, RemoveAzShellFault, GetAzShellEvent)


def register_views(views: ViewTable) -> None:
    views.register(FAULT_TYPE, "table", ("Id", "Endpoint", "StatusCode", "Remaining", "Injected", "Latency",
                                         "Match", "Reason"))
    views.register(EVENT_TYPE, "table", ("Seq", "Time", "Kind", "Summary"))
