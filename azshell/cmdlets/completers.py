"""Value completion for ``Param.completer`` keys, from live state.

Completion only *reads* (the store directly, as a tab press must be instant and may not fail); nothing a cmdlet
does goes this way. Each service declares its keys (``COMPLETERS`` in its cmdlet modules: ``resource_group``,
``location``, ``scope``, ``subscription`` in resources; ``vm`` in compute; ``role`` in authorization;
``identity``, ``identity_client_id``, ``identity_type``, ``token_resource`` in identity; ``principal`` and
``user`` in entra; …) and the registry joins them; here are the shared helpers and the look-up.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

#: The session's ``azshell.cmdlets.context.Services`` (completers read ``store``, ``context`` and ``world``; the
#: type is not imported because ``Services.complete_value`` is what calls in here).
Services = Any

__all__ = ["complete_value", "filter_values", "subscription_id"]



def filter_values(values: Iterable[str], prefix: str) -> list[str]:
    low = prefix.casefold().strip("'\"")
    seen: set[str] = set()
    out: list[str] = []
    for v in values:
        if v and v.casefold().startswith(low) and v.casefold() not in seen:
            seen.add(v.casefold())
            out.append(v)
    return out


def subscription_id(s: Services) -> str | None:
    ctx = s.context
    if ctx.subscription_id:
        return str(ctx.subscription_id)
    subs = s.store.list_subscriptions()
    return subs[0].subscription_id if subs else None






















def complete_value(services: Services, key: str, prefix: str) -> list[str]:
    """Values for ``key`` starting with ``prefix`` (case-insensitive); [] for an unknown key.

    The keys here are shared by several services; each service adds its own (``COMPLETERS`` in its cmdlet
    modules, joined by the registry), and the tutorial cmdlets theirs."""
    fn = services.world.registry.completers().get(key)
    if fn is None and key == "tutorial":
        from azshell.cmdlets.tutorials import COMPLETERS as TUTORIAL_COMPLETERS

        fn = TUTORIAL_COMPLETERS.get(key)
    if fn is None:
        return []
    return filter_values(fn(services), prefix)
