"""Signing-key rollover on command (``Invoke-AzShellKeyRollover``).

Entra ID publishes a new signing key in its JWKS (``login.microsoftonline.com/{tenant}/discovery/keys``), signs
new tokens with it, keeps the old key published for a while so tokens it signed still verify, and then removes
it: from then on every validator refuses those tokens (ARM ``InvalidAuthenticationToken``, Key Vault ``AKV10046``
"Unable to resolve the key used for signature validation", Data Lake and Storage their own 401s). This does the
same on the tenant clock: :func:`rollover` rolls the key ring with a grace period (``KeyRing.roll``), and
:func:`key_status` tells which keys the JWKS holds and until when.

Example::

    result = rollover(world, grace_seconds=3600)
    result.new_kid, result.old_kid, result.old_retires_at
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["DEFAULT_GRACE_SECONDS", "EVENT_KEY_ROLLED", "KeyStatus", "RolloverResult", "key_status", "rollover"]

EVENT_KEY_ROLLED = "signing_key.rolled"
#: how long the old key stays published by default (tenant time). INFERRED: Entra publishes a new key weeks ahead
#: and keeps the old one for a while; a day outlives every token signed with it (24 h managed-identity tokens).
DEFAULT_GRACE_SECONDS = 86400.0
MAX_GRACE_SECONDS = 90 * 86400.0


@dataclass(frozen=True)
class RolloverResult:
    new_kid: str
    old_kid: str
    old_retires_at: float
    published: tuple[str, ...]


@dataclass(frozen=True)
class KeyStatus:
    """One key of the tenant's ring as the JWKS shows it now."""

    kid: str
    state: str  # Active | Next | Previous
    created: float
    retires_at: float | None


def rollover(world: Any, *, grace_seconds: float = DEFAULT_GRACE_SECONDS) -> RolloverResult:
    """Roll the tenant's signing keys, keeping the old active key published for ``grace_seconds`` (tenant time).

    Raises ValueError for a negative or too long grace period."""
    if not 0 <= grace_seconds <= MAX_GRACE_SECONDS:
        raise ValueError("The grace period must be between 00:00:00 and 90.00:00:00.")
    ring = world.tokens.key_ring()
    old = ring.active
    store = world.store
    with store.transaction():
        new = ring.roll(retire_after=grace_seconds)
        retires = ring.retirement(old.kid) or world.clock.now()
        store.append_event(EVENT_KEY_ROLLED, {"new_kid": new.kid, "old_kid": old.kid, "old_retires_at": retires,
                                              "grace_seconds": grace_seconds})
    return RolloverResult(new.kid, old.kid, retires, tuple(k.kid for k in ring.published()))


def key_status(world: Any) -> list[KeyStatus]:
    """The keys in the tenant's JWKS now: the active one first."""
    ring = world.tokens.key_ring()
    ring.refresh()
    active = ring.active
    out: list[KeyStatus] = []
    for k in ring.published():
        if k.kid == active.kid:
            state = "Active"
        elif (k.created, k.kid) > (active.created, active.kid):
            state = "Next"
        else:
            state = "Previous"
        out.append(KeyStatus(k.kid, state, k.created, ring.retirement(k.kid)))
    return out
