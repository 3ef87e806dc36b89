"""Turning ARM JSON into the PSObjects Az cmdlets output (PascalCase names, .NET type names)."""

from __future__ import annotations

from typing import Any

from azshell.lang.values import PSHashtable, PSObject

__all__ = ["braced", "pascal", "to_ps", "tags_table"]


def pascal(name: str) -> str:
    """``vmSize`` → ``VmSize`` (Az's model property names are the REST names, PascalCased)."""
    return name[:1].upper() + name[1:] if name else name


def braced(obj: PSObject) -> PSObject:
    """Make ``obj`` print as Az's views print nested models: ``{Prop1, Prop2}``."""
    names = obj.property_names()
    obj.methods["tostring"] = lambda: "{" + ", ".join(names) + "}"
    return obj


def to_ps(value: Any, type_name: str | None = None) -> Any:
    """JSON (dicts/lists/scalars) → PSObjects with PascalCase property names, recursively."""
    if isinstance(value, dict):
        obj = PSObject([(pascal(str(k)), to_ps(v)) for k, v in value.items()],
                       type_names=(type_name or "System.Object", "System.Object") if type_name
                       else ("System.Object",))
        return braced(obj)
    if isinstance(value, list):
        return [to_ps(v) for v in value]
    return value


def tags_table(tags: Any) -> PSHashtable | None:
    """ARM ``tags`` → a hashtable (None when absent, as Az shows an empty Tags column)."""
    if not isinstance(tags, dict) or not tags:
        return None
    return PSHashtable(tags)


def plain(value: Any) -> Any:
    """A PowerShell value (hashtable, PSObject, list) → JSON-able Python, for request bodies."""
    if isinstance(value, PSHashtable):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, PSObject):
        return {k: plain(v) for k, v in value.properties()}
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
