"""Turning ARM JSON into the PSObjects Az cmdlets output (PascalCase names, .NET type names)."""

from __future__ import annotations

from typing import Any

from azshell.lang.values import PSHashtable, PSObject

__all__ = ["braced", "pascal", "rg_of", "tags_table", "to_ps", "uai_table"]


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


def rg_of(resource_id: str) -> str:
    """The resource group segment of ``/subscriptions/{sub}/resourceGroups/{rg}/...`` ("" for a shorter ID)."""
    parts = resource_id.strip("/").split("/")
    return parts[3] if len(parts) > 3 else ""


def uai_table(identity: dict[str, Any], value_type: str | None = None) -> PSHashtable | None:
    """``identity.userAssignedIdentities`` → a hashtable: UAI ID → ``{PrincipalId, ClientId}`` (None when empty).

    The values are PSCustomObjects, or of ``value_type`` when given.
    """
    uais = identity.get("userAssignedIdentities") or {}
    if not isinstance(uais, dict) or not uais:
        return None
    table = PSHashtable()
    for uid, val in uais.items():
        v = val if isinstance(val, dict) else {}
        value = PSObject([("PrincipalId", v.get("principalId")), ("ClientId", v.get("clientId"))])
        if value_type is not None:
            value.type_names = [value_type, "System.Object"]
        table[uid] = braced(value)
    return table


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
