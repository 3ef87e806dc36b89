"""The default views of the Azure cmdlets' output types: how a service declares them.

Each cmdlet module lists its types' views as ``VIEWS`` (``ViewSpec`` entries: type name, kind, the property
lists Az PowerShell's format files use, and calculated columns) and registers them with ``register_table`` in
its ``register_views(views)``; the registry calls it with the session's view table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from azshell.lang.formatting import ViewTable

__all__ = ["ViewSpec", "pairs", "register_table", "truncated"]

#: Windows PowerShell's web response view shows the first 200 characters of Content and RawContent
WEB_TEXT_LIMIT = 200
DICT_ENUMERATION_LIMIT = 4


@dataclass(frozen=True)
class ViewSpec:
    """One type's default view: ``kind`` is ``table`` or ``list``; ``calculated`` replaces a property's read."""

    type_name: str
    kind: str
    properties: tuple[str, ...]
    calculated: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)


def truncated(name: str) -> Callable[[Any], Any]:
    """A string cell cut to ``WEB_TEXT_LIMIT`` characters and ``...``."""

    def get(obj: Any) -> Any:
        value = obj.get(name) if hasattr(obj, "get") else None
        if isinstance(value, str) and len(value) > WEB_TEXT_LIMIT:
            return value[:WEB_TEXT_LIMIT] + "..."
        return value

    return get


def pairs(name: str) -> Callable[[Any], Any]:
    """An IDictionary cell as PowerShell prints it: ``{[Pragma, no-cache], [x-ms-request-id, ...]...}``."""

    def get(obj: Any) -> Any:
        value = obj.get(name) if hasattr(obj, "get") else None
        if value is None or not hasattr(value, "items"):
            return value
        items = list(value.items())
        shown = ", ".join(f"[{k}, {v}]" for k, v in items[:DICT_ENUMERATION_LIMIT])
        return "{" + shown + ("..." if len(items) > DICT_ENUMERATION_LIMIT else "") + "}"

    return get


def register_table(views: ViewTable, specs: Iterable[ViewSpec]) -> None:
    """Register each view in ``views``."""
    for spec in specs:
        calc = spec.calculated
        views.register(spec.type_name, spec.kind, [(p, calc[p]) if p in calc else p for p in spec.properties])
