"""How one managed-identity token came to be (``Get-Token -Trace``), and the identity's own certificate.

What Azure does for a managed identity, step by step (the 2017 announcement's list, still how it works):

1. the code on the host asks the host's local endpoint (IMDS ``169.254.169.254``, the 2017 MSI extension on
   ``localhost:50342``, or App Service's ``IDENTITY_ENDPOINT``);
2. the endpoint knows the identity's service principal (client ID, object ID) and holds its certificate —
   Azure creates that certificate with the identity and rolls it by itself: each credential expires after 90
   days and is rolled after 45 (:func:`identity_certificate`, on the tenant clock);
3. it asks Entra ID for a token with the client-credentials grant, authenticating with that certificate;
4. Entra ID returns a JWT signed with the tenant's current signing key.

:func:`token_trace` puts those steps together for one token from the request it made and the event log
(``http.request`` and ``token.issued`` events, with their tenant-clock times).

Example::

    cert = identity_certificate(world, sp.object_id)
    cert.thumbprint, cert.not_after, cert.next_roll
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from azshell.hostnames import LOGIN_AUTHORITY

__all__ = [
    "CERT_LIFETIME_SECONDS",
    "CERT_ROLL_SECONDS",
    "IdentityCertificate",
    "TokenTrace",
    "TraceStep",
    "identity_certificate",
    "token_trace",
]

#: "Each managed identity's credentials have an expiration of 90 days and are rolled after 45 days." (Azure docs,
#: AKS "Use a managed identity", and the managed identities FAQ)
CERT_LIFETIME_SECONDS = 90 * 86400.0
CERT_ROLL_SECONDS = 45 * 86400.0
#: settings row prefix: when the identity's first certificate was issued (``{"created": epoch}``), per object ID
CERT_SETTING_PREFIX = "controls.identity_certificate."
EVENT_PRINCIPAL_CREATED = "principal.created"
EVENT_TOKEN_ISSUED = "token.issued"
EVENT_HTTP_REQUEST = "http.request"
_EVENT_LOOKBACK = 2000


@dataclass(frozen=True)
class IdentityCertificate:
    """The certificate a managed identity's service principal authenticates to Entra ID with (Azure-internal)."""

    object_id: str
    thumbprint: str
    not_before: float
    not_after: float
    next_roll: float
    #: how many times Azure has rolled it since the identity was created
    rolls: int


def _principal_created(store: Any, object_id: str) -> float | None:
    for e in reversed(store.recent_events(EVENT_PRINCIPAL_CREATED, _EVENT_LOOKBACK)):
        if str(e.data.get("objectId", "")).lower() == object_id.lower():
            return float(e.time)
    return None


def identity_certificate(world: Any, object_id: str) -> IdentityCertificate:
    """The identity's certificate at the tenant clock's now, created on first ask (dated from the identity's
    creation when the event log still knows it) and rolled every 45 days of tenant time."""
    store = world.store
    key = CERT_SETTING_PREFIX + object_id.lower()
    created: float | None = None
    text = store.get_setting(key)
    if text:
        try:
            value = json.loads(text).get("created")
            created = float(value) if isinstance(value, (int, float)) else None
        except (ValueError, AttributeError):
            created = None
    if created is None:
        created = _principal_created(store, object_id) or float(world.clock.now())
        store.set_setting(key, json.dumps({"created": created}))
    now = float(world.clock.now())
    rolls = max(0, int((now - created) // CERT_ROLL_SECONDS))
    start = created + rolls * CERT_ROLL_SECONDS
    digest = hashlib.sha1(f"{object_id.lower()}|{created!r}|{rolls}".encode(), usedforsecurity=False)
    return IdentityCertificate(object_id, digest.hexdigest().upper(), start, start + CERT_LIFETIME_SECONDS,
                               start + CERT_ROLL_SECONDS, rolls)


# ================================================================================================ the trace
@dataclass(frozen=True)
class TraceStep:
    """One step of the chain: its title, what it shows (label, value) and when it happened (ms after the start,
    from the event log; None when the log does not say)."""

    title: str
    details: tuple[tuple[str, str], ...]
    at_ms: float | None = None


@dataclass(frozen=True)
class TokenTrace:
    resource: str
    identity_name: str
    steps: tuple[TraceStep, ...]
    elapsed_ms: float
    claims: dict[str, Any] = field(default_factory=dict)
    header: dict[str, Any] = field(default_factory=dict)

    def text(self) -> str:
        width = max(len(s.title) for s in self.steps) if self.steps else 0
        lines = [f"Token trace: {self.resource} for {self.identity_name}"]
        for i, s in enumerate(self.steps, 1):
            when = f"  (+{s.at_ms:.0f} ms)" if s.at_ms is not None else ""
            first = True
            for label, value in s.details:
                head = f" {i}. {s.title.ljust(width)}" if first else " " * (width + 4)
                lines.append(f"{head}  {label}: {value}" + (when if first else ""))
                first = False
        lines.append(f"Total: {self.elapsed_ms:.0f} ms")
        return "\n".join(lines)

    def html(self) -> str:
        esc = html.escape
        rows = []
        for i, s in enumerate(self.steps, 1):
            when = f"+{s.at_ms:.0f} ms" if s.at_ms is not None else ""
            items = "".join(f"<div><b>{esc(k)}</b>: <code>{esc(v)}</code></div>" for k, v in s.details)
            rows.append(f"<tr><td style='vertical-align:top'>{i}</td><td style='vertical-align:top;white-space:"
                        f"nowrap'>{esc(s.title)}</td><td style='text-align:left'>{items}</td>"
                        f"<td style='vertical-align:top;white-space:nowrap'>{esc(when)}</td></tr>")
        return (f"<div class='azshell-trace'><p><b>Token trace</b>: {esc(self.resource)} for "
                f"{esc(self.identity_name)}</p><table><thead><tr><th>#</th><th>Step</th><th>Detail</th><th>When</th>"
                f"</tr></thead><tbody>{''.join(rows)}</tbody></table><p>Total: {self.elapsed_ms:.0f} ms</p></div>")


def _segment(token: str, i: int) -> dict[str, Any]:
    try:
        part = token.split(".")[i]
        data = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _utc(t: float) -> str:
    return datetime.fromtimestamp(t, tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _span(seconds: float) -> str:
    s = abs(int(seconds))
    if s < 120:
        text = f"{s} s"
    elif s < 7200:
        text = f"{s // 60} min"
    elif s < 172800:
        text = f"{s // 3600} h {s // 60 % 60} min"
    else:
        text = f"{s // 86400} days"
    return f"in {text}" if seconds >= 0 else f"{text} ago"


def _ago(seconds: float) -> str:
    return _span(-max(seconds, 0.0)) if seconds > 0 else "just now"


def _rolled(n: int) -> str:
    return "" if n == 0 else ", rolled once so far" if n == 1 else f", rolled {n} times so far"


def _ms(t: float | None, start: float) -> float | None:
    return None if t is None else max(0.0, (t - start) * 1000.0)


def token_trace(world: Any, *, endpoint: str, url: str, api_version: str, request_headers: Sequence[str],
                answer: dict[str, Any], status: int, since_seq: int, started: float, elapsed_ms: float,
                host_name: str) -> TokenTrace:
    """The chain for the token in ``answer`` (a token endpoint's JSON), from the request made at tenant time
    ``started`` and the events appended after ``since_seq``."""
    store = world.store
    token = str(answer.get("access_token") or "")
    header, claims = _segment(token, 0), _segment(token, 1)
    resource = str(answer.get("resource") or claims.get("aud") or "")
    events = [e for e in store.recent_events(None, 200) if e.seq > since_seq]
    request_event = next((e for e in reversed(events) if e.kind == EVENT_HTTP_REQUEST), None)
    uti = claims.get("uti")
    issued = next((e for e in events if e.kind == EVENT_TOKEN_ISSUED and e.data.get("uti") == uti), None)
    cached = issued is None
    if issued is None and uti:
        issued = next((e for e in reversed(store.recent_events(EVENT_TOKEN_ISSUED, _EVENT_LOOKBACK))
                       if e.data.get("uti") == uti), None)
    oid = str(claims.get("oid") or "")
    sp = world.store.get_directory_object(oid) if oid else None
    name = sp.display_name if sp is not None else oid or "(unknown identity)"
    kind = "user-assigned identity" if sp is not None and sp.resource_id and \
        "/userassignedidentities/" in sp.resource_id.lower() else "system-assigned identity"
    steps: list[TraceStep] = []
    steps.append(TraceStep("Local endpoint", (
        ("request", f"GET {url}"), ("api-version", api_version or "(none: the 2017 extension takes none)"),
        ("headers", ", ".join(request_headers)), ("on host", host_name),
        ("answer", f"{status}" + (f" at {_utc(request_event.time)}" if request_event is not None else "")),
    ), 0.0))
    steps.append(TraceStep("Service principal", (
        ("identity", f"{name} ({kind})"), ("object ID", oid or "?"),
        ("client ID", str(claims.get("appid") or answer.get("client_id") or "?")),
        *((("resource", str(claims["xms_mirid"])),) if claims.get("xms_mirid") else ()),
    )))
    now = float(world.clock.now())
    if oid:
        cert = identity_certificate(world, oid)
        steps.append(TraceStep("Certificate", (
            ("thumbprint", cert.thumbprint),
            ("valid", f"{_utc(cert.not_before)} to {_utc(cert.not_after)}"),
            ("next automatic roll", f"{_utc(cert.next_roll)} ({_span(cert.next_roll - now)}); Azure rolls it "
                                    f"every 45 days{_rolled(cert.rolls)}"),
        )))
        assertion = f"a JWT signed with certificate {cert.thumbprint[:8]}…"
    else:
        assertion = "the identity's certificate"
    tid = str(claims.get("tid") or world.tenant_id)
    entra: list[tuple[str, str]] = [
        ("request", f"POST {LOGIN_AUTHORITY}/{tid}/oauth2/token"),
        ("body", f"grant_type=client_credentials, client_id={claims.get('appid', '?')}, resource={resource}, "
                 f"client_assertion={assertion}"),
    ]
    if cached:
        entra.append(("answer", "not asked this time: the endpoint answered from its token cache" +
                      (f" (the token was minted at {_utc(issued.time)}, {_ago(now - issued.time)})"
                       if issued is not None else "") + "; it asks again five minutes before the token expires"))
    else:
        assert issued is not None
        entra.append(("answer", f"200, token minted at {_utc(issued.time)}"))
    steps.append(TraceStep("Entra ID", tuple(entra), None if cached or issued is None else
                           _ms(issued.time, started)))
    ring = world.tokens.key_ring()
    kid = str(header.get("kid") or "")
    key_state = "the tenant's active signing key" if kid and ring.active.kid == kid else \
        "a previous signing key, still published" if kid and ring.find(kid) is not None else \
        "a key no longer published: services refuse this token"
    exp = claims.get("exp")
    jwt_details: list[tuple[str, str]] = [
        ("kid", f"{kid} ({key_state})"), ("aud", str(claims.get("aud", ""))), ("iss", str(claims.get("iss", ""))),
        ("oid", oid),
    ]
    if isinstance(exp, int):
        jwt_details.append(("exp", f"{_utc(exp)} ({_span(exp - now)})"))
    if isinstance(claims.get("iat"), int):
        jwt_details.append(("iat/nbf", f"{_utc(claims['iat'])} (back-dated five minutes, as Entra does)"))
    steps.append(TraceStep("JWT", tuple(jwt_details),
                           _ms(request_event.time, started) if request_event is not None else None))
    return TokenTrace(resource, name, tuple(steps), elapsed_ms, claims, header)
