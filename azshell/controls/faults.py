"""Fault injection: make any plane answer 429, 5xx, IMDS's 404/410, or answer late, as a real cloud sometimes does.

Faults live in the state file (the ``settings`` row ``controls.faults``), so a fault added in the REPL is seen by
the kernel and by ``azshell serve`` on their next request. ``Planes.dispatch`` asks :func:`inject` before it
calls a plane: a matching fault answers instead of the plane (with the body and ``Retry-After`` header that
service sends for that status) or delays the request first (``latency_ms``).

Endpoints are the plane names of the registry (``imds``, ``msi_extension``, ``appservice``, ``login``, ``arm``,
``graph``, ``keyvault``, ``datalake``, … whatever services the world has); :func:`resolve_endpoint` accepts them
in any case, without the underscore, or by one of their words (``Extension`` → ``msi_extension``).

Example::

    fault = add_fault(world, endpoint="Imds", status=429, count=3, retry_after=1)
    list_faults(world.store)           # [Fault(id=1, endpoint='imds', status=429, remaining=3, ...)]
    remove_faults(world.store, ids=[fault.id])
"""

from __future__ import annotations

import fnmatch
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from azshell.errors import AzShellError
from azshell.planes.base import Headers, Request, Response

if TYPE_CHECKING:
    from azshell.model.store import Store
    from azshell.services.base import Registry
    from azshell.world import World

__all__ = [
    "EVENT_FAULT_INJECTED",
    "FAULTS_SETTING",
    "SUPPORTED_STATUS_CODES",
    "Fault",
    "FaultError",
    "add_fault",
    "endpoint_names",
    "fault_response",
    "inject",
    "list_faults",
    "realistic_identity_delay",
    "remove_faults",
    "resolve_endpoint",
]

#: the settings row holding the faults (a JSON object: ``{"next": n, "faults": [...]}``)
FAULTS_SETTING = "controls.faults"
EVENT_FAULT_INJECTED = "fault.injected"
#: the statuses a fault may answer with; each has a body per service below
SUPPORTED_STATUS_CODES = (404, 408, 410, 429, 500, 502, 503, 504)
#: longest latency a fault may add (a client would have given up long before)
MAX_LATENCY_MS = 300_000
#: IMDS's ``Server`` header (the identity service's plane sends the same one)
IMDS_SERVER_HEADER = "IMDS/150.870.65.1036"
_JSON = "application/json; charset=utf-8"

_REASONS = {404: "Not Found", 408: "Request Timeout", 410: "Gone", 429: "Too Many Requests",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


class FaultError(AzShellError, ValueError):
    """A fault that cannot be added (unknown endpoint, unsupported status, bad probability...)."""


@dataclass(frozen=True)
class Fault:
    """One injected fault.

    Arguments:
        id: its number (``Remove-AzShellFault -Id``).
        endpoint: the plane name it applies to.
        status: the status it answers with, or None for a latency-only fault (the plane then answers).
        remaining: how many more requests it answers (None: until removed).
        probability: the chance that a matching request is hit (None: every one).
        latency_ms: delay added before the answer.
        match: a wildcard pattern the request path must match (case-insensitive), or None.
        retry_after: the ``Retry-After`` seconds sent with 429/503 (None: the service's usual value).
        host_id: only requests made from this emulated host (``-Realistic`` uses it), or None.
        until: tenant time (epoch seconds) after which the fault no longer applies, or None.
        injected: how many answers it has made so far.
        reason: why it exists, in words (``identity just enabled on vm1``), or None.
    """

    id: int
    endpoint: str
    status: int | None
    remaining: int | None = None
    probability: float | None = None
    latency_ms: int = 0
    match: str | None = None
    retry_after: int | None = None
    host_id: str | None = None
    until: float | None = None
    injected: int = 0
    reason: str | None = None

    def active(self, now: float) -> bool:
        """Whether the fault can still answer a request."""
        if self.remaining is not None and self.remaining <= 0:
            return False
        return self.until is None or now < self.until

    def applies_to(self, plane: str, request: Request, now: float) -> bool:
        """Whether ``request`` to ``plane`` is one this fault answers (before the probability roll)."""
        if plane != self.endpoint or not self.active(now):
            return False
        if self.host_id is not None and (request.caller.host_id or "").casefold() != self.host_id.casefold():
            return False
        return self.match is None or fnmatch.fnmatchcase(request.path.casefold(), self.match.casefold())


# ------------------------------------------------------------------------------------------------- endpoints
def endpoint_names(registry: Registry) -> list[str]:
    """The plane names faults can name, in registry order."""
    names: list[str] = []
    for route in registry.plane_routes():
        if route.name not in names:
            names.append(route.name)
    return names


def _squash(text: str) -> str:
    return text.casefold().replace("_", "").replace("-", "").replace(" ", "")


def resolve_endpoint(registry: Registry, text: str) -> str:
    """The plane name ``text`` means: exact (any case), without underscores, or one word of it."""
    names = endpoint_names(registry)
    want = _squash(text)
    for name in names:
        if _squash(name) == want:
            return name
    partial = [n for n in names if want and want in (_squash(w) for w in n.split("_"))]
    if len(partial) == 1:
        return partial[0]
    raise FaultError(f"There is no endpoint named '{text}'. Valid endpoints: {', '.join(names)}.")


# ------------------------------------------------------------------------------------------------- storage
def _load(store: Store) -> tuple[int, list[Fault]]:
    raw = store.get_setting(FAULTS_SETTING)
    if not raw:
        return 1, []
    try:
        data = json.loads(raw)
        faults = [Fault(**f) for f in data.get("faults", [])]
        return int(data.get("next", 1)), faults
    except (ValueError, TypeError):  # a hand-edited or damaged row: start over rather than break every request
        return 1, []


def _save(store: Store, next_id: int, faults: Sequence[Fault]) -> None:
    store.set_setting(FAULTS_SETTING, json.dumps({"next": next_id, "faults": [asdict(f) for f in faults]},
                                                 separators=(",", ":"), sort_keys=True))


def list_faults(store: Store) -> list[Fault]:
    """Every fault, active or used up, in the order they were added."""
    return _load(store)[1]


def add_fault(world: World, *, endpoint: str, status: int | None = None, count: int | None = None,
              probability: float | None = None, latency_ms: int = 0, match: str | None = None,
              retry_after: int | None = None, host_id: str | None = None, duration: float | None = None,
              reason: str | None = None) -> Fault:
    """Add a fault (``endpoint`` as the user wrote it); raises :class:`FaultError` for a bad one.

    ``duration`` (seconds of tenant time from now) makes it expire on its own."""
    plane = resolve_endpoint(world.registry, endpoint)
    if status is None and not latency_ms:
        raise FaultError("A fault needs -StatusCode, -Latency or both.")
    if status is not None and status not in SUPPORTED_STATUS_CODES:
        raise FaultError(f"Status code {status} is not one a fault can answer with. Supported: "
                         f"{', '.join(str(s) for s in SUPPORTED_STATUS_CODES)}.")
    if count is not None and count < 1:
        raise FaultError("-Count must be 1 or more.")
    if probability is not None and not 0.0 < probability <= 1.0:
        raise FaultError("-Probability must be more than 0 and at most 1 (0.25 is one request in four).")
    if not 0 <= latency_ms <= MAX_LATENCY_MS:
        raise FaultError(f"-Latency must be between 0 and {MAX_LATENCY_MS // 1000} seconds.")
    if retry_after is not None and retry_after < 0:
        raise FaultError("-RetryAfter must be 0 or more seconds.")
    store = world.store
    with store.transaction():  # moves generation(): the planes' cached fault list is re-read
        next_id, faults = _load(store)
        fault = Fault(id=next_id, endpoint=plane, status=status, remaining=count, probability=probability,
                      latency_ms=int(latency_ms), match=match or None, retry_after=retry_after, host_id=host_id,
                      until=None if duration is None else world.clock.now() + duration, reason=reason)
        _save(store, next_id + 1, [*faults, fault])
    return fault


def remove_faults(store: Store, ids: Iterable[int] | None = None) -> list[Fault]:
    """Remove the faults with these ids (all when ``ids`` is None); returns the ones removed."""
    with store.transaction():  # moves generation(): the planes' cached fault list is re-read
        next_id, faults = _load(store)
        wanted = None if ids is None else set(ids)
        gone = [f for f in faults if wanted is None or f.id in wanted]
        if gone:
            _save(store, next_id, [f for f in faults if f not in gone])
    return gone


# ------------------------------------------------------------------------------------------------- answering
def _take(world: World, plane: str, request: Request) -> Fault | None:
    """The fault that answers this request (its count taken), or None. One read when no fault is set."""
    store = world.store
    now = world.clock.now()
    cache = world.generation_cache("faults")
    listed = cache.get("faults")
    if listed is None:
        listed = cache["faults"] = _load(store)[1]
    if not any(f.applies_to(plane, request, now) for f in listed):
        return None
    with store.transaction():  # moves generation(): the planes' cached fault list is re-read
        next_id, faults = _load(store)
        for i, f in enumerate(faults):
            if not f.applies_to(plane, request, now):
                continue
            if f.probability is not None and f.probability < 1.0 and world.ids.random() >= f.probability:
                continue
            used = replace(f, injected=f.injected + 1,
                           remaining=None if f.remaining is None else f.remaining - 1)
            faults[i] = used
            _save(store, next_id, faults)
            return used
    return None


def inject(world: World, plane: str, request: Request) -> Response | None:
    """Apply the fault matching ``request`` (if any): sleep its latency, then return its answer, or None to
    let the plane answer (no fault, or a latency-only one). Logs a ``fault.injected`` event."""
    if request.dry_run:
        return None
    fault = _take(world, plane, request)
    if fault is None:
        return None
    if fault.latency_ms:
        time.sleep(fault.latency_ms / 1000)
    response = fault_response(fault, request) if fault.status is not None else None
    try:
        world.store.append_event(EVENT_FAULT_INJECTED, {
            "fault": fault.id, "endpoint": plane, "method": request.method, "host": request.host,
            "path": request.path, "status": fault.status, "latencyMs": fault.latency_ms})
    except Exception:  # the log is a convenience; the answer matters
        pass
    return response


def _retry_after(fault: Fault, default: int | None) -> dict[str, str]:
    seconds = fault.retry_after if fault.retry_after is not None else default
    return {} if seconds is None else {"Retry-After": str(seconds)}


def fault_response(fault: Fault, request: Request) -> Response:
    """The answer the fault's service gives for its status: Azure's body shape and headers."""
    status = fault.status or 500
    reason = _REASONS.get(status, "Error")
    body: dict[str, Any]
    plane = fault.endpoint
    throttled = status == 429
    if plane in ("imds", "msi_extension"):
        # IMDS documents the statuses (404 "IMDS endpoint is updating", 410 "IMDS is going through updates",
        # 429 "IMDS Throttle limit reached", 5xx transient) but not their bodies.
        # INFERRED: IMDS's usual {"error", "error_description"} shape with the doc table's words.
        descriptions = {
            404: "IMDS endpoint is updating" if fault.host_id is None else "Identity not found",
            410: "IMDS is going through updates",
            429: "IMDS Throttle limit reached",
        }
        error = {404: "not_found", 410: "gone", 429: "too_many_requests"}.get(status, "unknown")
        body = {"error": error, "error_description": descriptions.get(
            status, "The managed identities for Azure resources subsystem returned a transient error.")}
        headers = {"Server": IMDS_SERVER_HEADER, "Content-Type": _JSON,
                   **_retry_after(fault, 1 if throttled else 70 if status == 410 else None)}
        return Response.json(status, body, headers)
    if plane == "appservice":
        # App Service's token endpoint answers errors in PascalCase (see the 400 "No MSI found" body).
        # INFERRED: the same shape for throttling and transient errors.
        body = {"StatusCode": status, "Message": f"{reason}.", "CorrelationId": request.headers.get(
            "x-ms-client-request-id") or "00000000-0000-0000-0000-000000000000"}
        return Response.json(status, body, {"Content-Type": _JSON, **_retry_after(fault, 1 if throttled else None)})
    if plane == "login":
        # Entra ID's OAuth error shape; AADSTS50196 is its throttling answer to a client request loop,
        # INFERRED for injected 429s; 5xx use "temporarily_unavailable" (RFC 6749 §4.1.2.1).
        if throttled:
            body = {"error": "invalid_grant", "error_description": "AADSTS50196: The server terminated an "
                    "operation because it encountered a client request loop. Please contact your app vendor.",
                    "error_codes": [50196]}
        else:
            body = {"error": "temporarily_unavailable",
                    "error_description": "The server is temporarily unable to handle the request."}
        return Response.json(status, body, {"Content-Type": _JSON, **_retry_after(fault, 5 if throttled else None)})
    if plane == "keyvault":
        # Key Vault's throttling error code is "Throttled" (Key Vault throttling guidance).
        # INFERRED: the message text after "Reason:".
        if throttled:
            err = {"code": "Throttled", "message": "Request was not processed because too many requests were "
                   "received. Reason: A generic throttling reason"}
        else:
            err = {"code": reason.replace(" ", ""), "message": f"{reason}."}
        return Response.json(status, {"error": err},
                             {"Content-Type": _JSON, **_retry_after(fault, 10 if throttled else None)})
    if plane == "datalake":
        # WebHDFS's RemoteException shape that Data Lake Store Gen1 answers with. INFERRED for these statuses.
        exception = "ThrottledException" if throttled else "RuntimeException"
        body = {"RemoteException": {"exception": exception, "message": f"{reason}.",
                                    "javaClassName": f"org.apache.hadoop.security.{exception}"}}
        return Response.json(status, body, {"Content-Type": _JSON, **_retry_after(fault, 1 if throttled else None)})
    # ARM and every other JSON plane: ARM's error envelope. ARM's throttling text names the request kind and
    # the subscription (https://aka.ms/arm-throttling); the actor is INFERRED as the caller's token subject.
    if throttled:
        kind = "read" if request.method in ("GET", "HEAD") else "write"
        sub = request.path.split("/")[2] if request.path.casefold().startswith("/subscriptions/") else ""
        code, message = "TooManyRequests", (
            f"Number of '{kind}' requests for subscription '{sub}' actor '{_actor(request)}' exceeded. Please "
            f"try again after '{fault.retry_after if fault.retry_after is not None else 5}' seconds after "
            "additional tokens are available. Refer to https://aka.ms/arm-throttling")
    elif status == 503:
        code, message = "ServiceUnavailable", "The service is temporarily unavailable. Please try again later."
    elif status == 500:
        code, message = "InternalServerError", ("Encountered internal server error. The request could not be "
                                                "completed; the error has been logged.")
    elif status in (502, 504):
        code, message = ("BadGateway" if status == 502 else "GatewayTimeout"), (
            "The gateway did not receive a response from the resource provider within the specified time period.")
    else:
        code, message = reason.replace(" ", ""), f"{reason}."
    arm_headers = Headers({"Content-Type": _JSON, "Cache-Control": "no-cache", "Pragma": "no-cache",
                           "Expires": "-1", "x-ms-failure-cause": "gateway"})
    for k, v in _retry_after(fault, 5 if throttled or status == 503 else None).items():
        arm_headers.set(k, v)
    return Response(status, arm_headers, json.dumps({"error": {"code": code, "message": message}},
                                                separators=(",", ":")).encode("utf-8"))


def _actor(request: Request) -> str:
    """The ``oid`` of the bearer token (unverified: it only names the caller in a message), or empty."""
    auth = request.headers.get("Authorization") or ""
    token = auth[7:] if auth.lower().startswith("bearer ") else ""
    try:
        import base64

        payload = token.split(".")[1]
        claims: Any = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return str(claims.get("oid", "")) if isinstance(claims, dict) else ""
    except Exception:
        return ""


#: how long (tenant seconds) IMDS answers 404 for a host whose identity was just enabled with ``-Realistic``
REALISTIC_IDENTITY_DELAY = 10.0


def realistic_identity_delay(world: World, host_id: str, host_name: str) -> Fault:
    """``-Realistic`` on enabling an identity: IMDS answers 404 for this host for the first
    ``REALISTIC_IDENTITY_DELAY`` tenant-seconds, as a real VM does while its identity is being set up."""
    return add_fault(world, endpoint="imds", status=404, host_id=host_id, duration=REALISTIC_IDENTITY_DELAY,
                     reason=f"identity just enabled on {host_name} (-Realistic)")
