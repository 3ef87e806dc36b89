"""GUIDs, ARM resource IDs and RBAC scopes: parsing, formatting and comparison.

A leaf utility (imports only ``azshell.errors``). ARM compares IDs and scopes case-insensitively but keeps the
case they were created with, so nothing here lower-cases an ID it returns; comparisons use ``casefold``.

Example::

    >>> rid = resource_id("0000", "rg1", "Microsoft.Compute/virtualMachines", "vm1")
    >>> parse_resource_id(rid)["name"]
    'vm1'
    >>> scope_contains("/subscriptions/0000", rid.upper())
    True
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import uuid
from random import Random
from typing import Literal, TypedDict

from azshell.errors import AzShellError

__all__ = [
    "IdSource",
    "InvalidResourceIdError",
    "ParsedResourceId",
    "ScopeKind",
    "is_guid",
    "new_guid",
    "normalize_scope",
    "parse_resource_id",
    "resource_group_id",
    "resource_id",
    "scope_contains",
    "scope_kind",
    "strip_dashes",
    "subscription_id_of",
]

ScopeKind = Literal["root", "managementGroup", "subscription", "resourceGroup", "resource", "invalid"]

SUBSCRIPTIONS_SEGMENT = "subscriptions"
RESOURCE_GROUPS_SEGMENT = "resourceGroups"
PROVIDERS_SEGMENT = "providers"
MANAGEMENT_GROUP_PREFIX = "/providers/Microsoft.Management/managementGroups/"

_GUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class InvalidResourceIdError(AzShellError, ValueError):
    """The text is not a well-formed ARM resource ID (``parse_resource_id``)."""

    def __init__(self, value: str, reason: str) -> None:
        super().__init__(f"Invalid resource ID '{value}': {reason}.")
        self.value = value
        self.reason = reason


class ParsedResourceId(TypedDict):
    """What ``parse_resource_id`` returns.

    ``type`` is the full type (``Microsoft.Compute/virtualMachines/extensions``), ``name`` the last name,
    ``types``/``names`` every level (``["virtualMachines", "extensions"]``, ``["vm1", "ext1"]``), ``parent`` the
    parent resource's ID for child resources (else None), ``resource_group`` None for subscription-level
    resources.
    """

    subscription: str
    resource_group: str | None
    provider: str
    type: str
    name: str
    types: list[str]
    names: list[str]
    parent: str | None


def new_guid() -> str:
    """A new random GUID in Azure's lower-case dashed form (not reproducible: code that has a ``World`` or a
    ``Store`` uses ``world.ids.guid()`` / ``store.ids.guid()``, which ``--seed`` makes reproducible)."""
    return str(uuid.uuid4())


class IdSource:
    """Where a world's random GUIDs, secrets, key material and token ids come from.

    Unseeded it reads the operating system's CSPRNG (``os.urandom``). With a seed (``--seed N`` /
    ``AZSHELL_SEED``) it is a deterministic stream (``random.Random`` seeded from the seed and ``salt``), so the
    same commands on the same starting state give the same ids: reproducible notebooks and bug reports. A
    seeded stream is predictable by design: it is for test tenants only, which is all azshell makes.

    Arguments:
        seed: the seed, or None for real randomness.
        salt: mixed into the seed (the world passes the state's generation counter, so two runs against one
            state file that has moved on do not hand out the ids of the first run again).
    """

    def __init__(self, seed: int | str | None = None, salt: str = "") -> None:
        self.seed = seed
        self._lock = threading.Lock()
        self._rng: Random | None = None
        if seed is not None:
            digest = hashlib.sha256(f"azshell-ids:{seed}:{salt}".encode()).digest()
            self._rng = Random(int.from_bytes(digest, "big"))

    @property
    def seeded(self) -> bool:
        return self._rng is not None

    def bytes(self, n: int) -> bytes:
        """``n`` random bytes."""
        if self._rng is None:
            return os.urandom(n)
        with self._lock:
            return self._rng.randbytes(n)

    def guid(self) -> str:
        """A version-4 GUID in Azure's lower-case dashed form."""
        return str(uuid.UUID(bytes=self.bytes(16), version=4))

    def hex(self, nbytes: int) -> str:
        """``nbytes`` random bytes as lower-case hex."""
        return self.bytes(nbytes).hex()

    def random(self) -> float:
        """A float in [0, 1) (fault probabilities)."""
        return int.from_bytes(self.bytes(7), "big") / float(1 << 56)

    def below(self, n: int) -> int:
        """A whole number in [0, n)."""
        if self._rng is None:
            import secrets

            return secrets.randbelow(n)
        with self._lock:
            return self._rng.randrange(n)

    def child(self, name: str) -> Random:
        """A separate deterministic generator for one long job (an RSA key's primes), so the job's length does
        not shift every id handed out after it. Unseeded: seeded from the OS."""
        return Random(int.from_bytes(self.bytes(32), "big") ^ int.from_bytes(
            hashlib.sha256(name.encode()).digest(), "big"))


def is_guid(s: str) -> bool:
    """True for a dashed 8-4-4-4-12 hex GUID (any case)."""
    return bool(_GUID_RE.match(s))


def strip_dashes(guid: str) -> str:
    """``0f14a80d-42e5-...`` -> ``0f14a80d42e5...`` (ARM prints some IDs this way in error messages)."""
    return guid.replace("-", "")


def normalize_scope(scope: str) -> str:
    """Strip trailing slashes (keeping ``/`` for the root) and keep the case as given."""
    s = scope.strip()
    if not s:
        return s
    stripped = s.rstrip("/")
    return stripped or "/"


def _segments(value: str) -> list[str]:
    return [p for p in value.strip().strip("/").split("/")] if value.strip("/ ") else []


def scope_kind(scope: str) -> ScopeKind:
    """Classify an RBAC scope: root ``/``, management group, subscription, resource group or resource."""
    s = normalize_scope(scope)
    if s == "/":
        return "root"
    if not s.startswith("/") or "//" in s:
        return "invalid"
    parts = _segments(s)
    if any(not p for p in parts):
        return "invalid"
    low = [p.casefold() for p in parts]
    if (
        len(parts) == 4
        and low[0] == "providers"
        and low[1] == "microsoft.management"
        and low[2] == "managementgroups"
    ):
        return "managementGroup"
    if low[0] != SUBSCRIPTIONS_SEGMENT.casefold() or len(parts) < 2:
        return "invalid"
    if len(parts) == 2:
        return "subscription"
    if low[2] == RESOURCE_GROUPS_SEGMENT.casefold():
        if len(parts) == 4:
            return "resourceGroup"
        if len(parts) >= 8 and low[4] == PROVIDERS_SEGMENT and len(parts) % 2 == 0:
            return "resource"
        return "invalid"
    if low[2] == PROVIDERS_SEGMENT and len(parts) >= 6 and len(parts) % 2 == 0:
        return "resource"  # subscription-level resource (e.g. a role definition)
    return "invalid"


def scope_contains(outer: str, inner: str) -> bool:
    """True when ``inner`` is ``outer`` or lies below it (case-insensitive, segment-aligned)."""
    o = normalize_scope(outer).casefold()
    i = normalize_scope(inner).casefold()
    if o == "/":
        return True
    return i == o or i.startswith(o + "/")


def subscription_id_of(scope: str) -> str | None:
    """The subscription GUID a scope lies in, or None (root, management group, malformed)."""
    parts = _segments(normalize_scope(scope))
    if len(parts) >= 2 and parts[0].casefold() == SUBSCRIPTIONS_SEGMENT:
        return parts[1]
    return None


def resource_group_id(subscription_id: str, name: str) -> str:
    """``/subscriptions/{sub}/resourceGroups/{name}``."""
    return f"/subscriptions/{subscription_id}/resourceGroups/{name}"


def resource_id(subscription_id: str, resource_group: str | None, type: str, name: str) -> str:
    """Build an ARM ID. Child types interleave with child names, as ARM templates spell them::

    resource_id(s, "rg", "Microsoft.Compute/virtualMachines/extensions", "vm1/ext1")
    -> /subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1/extensions/ext1
    """
    type_parts = type.strip("/").split("/")
    names = name.strip("/").split("/")
    if len(type_parts) < 2 or len(names) != len(type_parts) - 1 or not all(names):
        raise InvalidResourceIdError(
            f"{type}/{name}", "the name must have one segment per resource type level"
        )
    namespace, types = type_parts[0], type_parts[1:]
    tail = "/".join(f"{t}/{n}" for t, n in zip(types, names, strict=True))
    base = f"/subscriptions/{subscription_id}"
    if resource_group is not None:
        base += f"/resourceGroups/{resource_group}"
    return f"{base}/providers/{namespace}/{tail}"


def parse_resource_id(id: str) -> ParsedResourceId:
    """Split an ARM resource ID into its parts; raises ``InvalidResourceIdError`` when malformed."""
    parts = _segments(normalize_scope(id))
    if not id.strip().startswith("/") or any(not p for p in parts):
        raise InvalidResourceIdError(id, "it must start with '/' and have no empty segments")
    if len(parts) < 2 or parts[0].casefold() != SUBSCRIPTIONS_SEGMENT:
        raise InvalidResourceIdError(id, "it must start with /subscriptions/{subscriptionId}")
    subscription = parts[1]
    rest = parts[2:]
    rg: str | None = None
    if len(rest) >= 2 and rest[0].casefold() == RESOURCE_GROUPS_SEGMENT.casefold():
        rg = rest[1]
        rest = rest[2:]
    if len(rest) < 4 or rest[0].casefold() != PROVIDERS_SEGMENT or len(rest) % 2 != 0:
        raise InvalidResourceIdError(
            id, "expected /providers/{namespace}/{type}/{name}[/{childType}/{childName}]"
        )
    provider = rest[1]
    pairs = rest[2:]
    types = pairs[0::2]
    names = pairs[1::2]
    parent: str | None = None
    if len(types) > 1:
        prefix = "/" + "/".join(parts[: len(parts) - 2])
        parent = prefix
    return ParsedResourceId(
        subscription=subscription,
        resource_group=rg,
        provider=provider,
        type="/".join([provider, *types]),
        name=names[-1],
        types=list(types),
        names=list(names),
        parent=parent,
    )
