"""The Blob service's wire shapes: its XML error body and headers, its list and block-list documents, and the
small formats around them (ETags, RFC 1123 dates, request IDs).

Errors are ``StorageError`` (a ``PlaneError``): status, ``x-ms-error-code`` and the body Azure sends::

    <?xml version="1.0" encoding="utf-8"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not
    exist.\\nRequestId:…\\nTime:2020-11-11T22:40:50.2409167Z</Message></Error>

with extra elements where Azure adds them (``AuthenticationErrorDetail``, ``HeaderName``/``HeaderValue``,
``QueryParameterName``/``QueryParameterValue``/``Reason``).
"""

from __future__ import annotations

import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import formatdate, parsedate_to_datetime
from xml.sax.saxutils import escape

from azshell.ids import IdSource
from azshell.planes._shared import format_iso
from azshell.planes.base import Headers, PlaneError, Response

__all__ = [
    "StorageError",
    "XML_DECLARATION",
    "block_list_xml",
    "etag_for",
    "http_date",
    "new_request_id",
    "parse_block_list",
    "parse_http_date",
]

XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
XML_CONTENT_TYPE = "application/xml"
SERVER = "Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0"
#: .NET ticks (100 ns since 0001-01-01) at the Unix epoch: Azure's ETags are the write time in ticks.
_EPOCH_TICKS = 621355968000000000


def new_request_id(ids: IdSource | None = None) -> str:
    """``4f4010b3-601e-00ee-3f7b-b8399d000000``: a GUID whose last six digits are zero, as Storage's are (from
    the world's id source when given, which ``--seed`` makes reproducible)."""
    guid = ids.guid() if ids is not None else str(uuid.uuid4())
    return guid[:-6] + "000000"


def etag_for(now: float, salt: int = 0) -> str:
    """``"0x8D4F9929765C139"``: the write time in .NET ticks (``salt`` keeps two writes in one tick apart)."""
    ticks = _EPOCH_TICKS + int(now * 10_000_000) + salt
    return f'"0x{ticks:X}"'


def http_date(epoch: float) -> str:
    """RFC 1123: ``Wed, 11 Nov 2020 22:40:50 GMT``."""
    return formatdate(epoch, usegmt=True)


def parse_http_date(text: str) -> float | None:
    try:
        dt = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.timestamp()


class StorageError(PlaneError):
    """An error of the Blob service: XML body, ``x-ms-error-code``, and the extra detail elements."""

    def __init__(self, status: int, code: str, message: str, *, details: Sequence[tuple[str, str]] = (),
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status, code, message, headers=headers)
        self.details = tuple(details)

    def render(self, now: float, request_id: str) -> Response:
        body = (f"{XML_DECLARATION}<Error><Code>{escape(self.code)}</Code><Message>{escape(self.message)}\n"
                f"RequestId:{request_id}\nTime:{format_iso(now)}</Message>")
        body += "".join(f"<{name}>{escape(value)}</{name}>" for name, value in self.details)
        body += "</Error>"
        h = Headers({"Content-Type": XML_CONTENT_TYPE})
        for k, v in self.headers.items():
            h.set(k, v)
        h.set("x-ms-error-code", self.code)
        return Response(self.status, h, body.encode("utf-8"))

    def to_response(self) -> Response:
        return self.render(time.time(), new_request_id())


def element(name: str, value: object | None) -> str:
    """``<Name>value</Name>``, or ``<Name />`` for None / empty."""
    if value is None or value == "":
        return f"<{name} />"
    return f"<{name}>{escape(str(value))}</{name}>"


def metadata_xml(metadata: Mapping[str, str]) -> str:
    if not metadata:
        return "<Metadata />"
    return "<Metadata>" + "".join(f"<{k}>{escape(v)}</{k}>" for k, v in metadata.items()) + "</Metadata>"


def block_list_xml(committed: Iterable[tuple[str, int]] | None, uncommitted: Iterable[tuple[str, int]] | None) -> str:
    """Get Block List's document; a list left out (None) is not written."""
    out = XML_DECLARATION + "<BlockList>"
    for tag, blocks in (("CommittedBlocks", committed), ("UncommittedBlocks", uncommitted)):
        if blocks is None:
            continue
        items = "".join(f"<Block><Name>{escape(b)}</Name><Size>{n}</Size></Block>" for b, n in blocks)
        out += f"<{tag}>{items}</{tag}>" if items else f"<{tag} />"
    return out + "</BlockList>"


def parse_block_list(body: bytes) -> list[tuple[str, str]] | None:
    """Put Block List's ``<BlockList><Latest>id</Latest>…</BlockList>`` → ``[(list, id)]``; None if malformed."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    if root.tag != "BlockList":
        return None
    out: list[tuple[str, str]] = []
    for child in root:
        if child.tag not in ("Latest", "Committed", "Uncommitted"):
            return None
        out.append((child.tag, (child.text or "").strip()))
    return out


def parse_key_info(body: bytes) -> tuple[str, str] | None:
    """Get User Delegation Key's ``<KeyInfo><Start>…</Start><Expiry>…</Expiry></KeyInfo>`` → (start, expiry)."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    if root.tag != "KeyInfo":
        return None
    expiry = (root.findtext("Expiry") or "").strip()
    return ((root.findtext("Start") or "").strip(), expiry) if expiry else None


def iso_from_rfc1123(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
