"""Runtime values of the PowerShell-style language.

How PowerShell values map to Python (every layer above relies on this table):

=====================  ==============================================================
PowerShell             Python
=====================  ==============================================================
``$null``              ``None``
``[bool]``             ``bool``
``[int]/[long]``       ``int``
``[double]``           ``float``
``[string]``           ``str``
``[array]`` / ``@()``  ``list`` (arrays are Python lists; ``1,2,3`` is a ``list``)
``@{}`` / hashtable    :class:`PSHashtable` (case-insensitive keys; ``[ordered]`` keeps order,
                       plain ones keep insertion order too, which is what users expect)
``[pscustomobject]``   :class:`PSObject` (ordered, case-insensitive properties, type names)
``[securestring]``     :class:`SecureString`
``[datetime]``         ``datetime.datetime`` (timezone-aware)
script block           ``lang.runtime.ScriptBlock`` (the evaluator's runtime values)
=====================  ==============================================================

Objects produced by cmdlets are :class:`PSObject` instances whose ``type_names[0]`` names the .NET type Az
uses (``Microsoft.Azure.Commands.Compute.Models.PSVirtualMachine``); formatting picks default views by it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any


class PSHashtable:
    """A hashtable with case-insensitive string keys that remembers insertion order."""

    __slots__ = ("_data", "ordered")

    def __init__(self, items: Iterable[tuple[Any, Any]] | Mapping[Any, Any] | None = None, *, ordered: bool = False) -> None:
        self._data: dict[Any, tuple[Any, Any]] = {}
        self.ordered = ordered
        if items is not None:
            pairs = items.items() if isinstance(items, Mapping) else items
            for k, v in pairs:
                self[k] = v

    @staticmethod
    def _norm(key: Any) -> Any:
        return key.casefold() if isinstance(key, str) else key

    def __getitem__(self, key: Any) -> Any:
        hit = self._data.get(self._norm(key))
        return None if hit is None else hit[1]

    def __setitem__(self, key: Any, value: Any) -> None:
        nk = self._norm(key)
        old = self._data.get(nk)
        self._data[nk] = (old[0] if old is not None else key, value)

    def __delitem__(self, key: Any) -> None:
        self._data.pop(self._norm(key), None)

    def __contains__(self, key: object) -> bool:
        return self._norm(key) in self._data

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[Any]:
        return (k for k, _ in self._data.values())

    def __eq__(self, other: object) -> bool:
        return self is other

    __hash__ = object.__hash__

    def get(self, key: Any, default: Any = None) -> Any:
        hit = self._data.get(self._norm(key))
        return default if hit is None else hit[1]

    def keys(self) -> list[Any]:
        return [k for k, _ in self._data.values()]

    def values(self) -> list[Any]:
        return [v for _, v in self._data.values()]

    def items(self) -> list[tuple[Any, Any]]:
        return list(self._data.values())

    def copy(self) -> PSHashtable:
        return PSHashtable(self.items(), ordered=self.ordered)

    def pop(self, key: Any, default: Any = None) -> Any:
        hit = self._data.pop(self._norm(key), None)
        return default if hit is None else hit[1]

    def __repr__(self) -> str:
        return f"PSHashtable({dict(self.items())!r})"


class PSObject:
    """A PSCustomObject: ordered properties, case-insensitive names, and .NET-style type names.

    ``type_names`` is most-derived first, like ``$obj.PSObject.TypeNames``; cmdlets set it to the Az type so
    formatting can find the default view. ``methods`` maps a lower-case method name to a Python callable for
    the few objects that expose methods (e.g. ``$resp.Content.ToString()`` is handled by the evaluator on str).
    """

    __slots__ = ("_props", "type_names", "methods")

    def __init__(
        self,
        props: Iterable[tuple[str, Any]] | Mapping[str, Any] | None = None,
        type_names: Iterable[str] = ("System.Management.Automation.PSCustomObject",),
    ) -> None:
        self._props: dict[str, tuple[str, Any]] = {}
        self.type_names: list[str] = list(type_names)
        self.methods: dict[str, Any] = {}
        if props is not None:
            pairs = props.items() if isinstance(props, Mapping) else props
            for k, v in pairs:
                self.set(k, v)

    def has(self, name: str) -> bool:
        return name.casefold() in self._props

    def get(self, name: str, default: Any = None) -> Any:
        hit = self._props.get(name.casefold())
        return default if hit is None else hit[1]

    def set(self, name: str, value: Any) -> None:
        nk = name.casefold()
        old = self._props.get(nk)
        self._props[nk] = (old[0] if old is not None else name, value)

    def remove(self, name: str) -> None:
        self._props.pop(name.casefold(), None)

    def property_names(self) -> list[str]:
        return [k for k, _ in self._props.values()]

    def properties(self) -> list[tuple[str, Any]]:
        return list(self._props.values())

    @property
    def type_name(self) -> str:
        return self.type_names[0] if self.type_names else "System.Management.Automation.PSCustomObject"

    def __repr__(self) -> str:
        return f"PSObject({dict(self.properties())!r})"


class SecureString:
    """``[securestring]``: holds text that is never printed. ``str()`` gives the .NET type name as PowerShell does."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    @property
    def length(self) -> int:
        return len(self._value)

    def __str__(self) -> str:
        return "System.Security.SecureString"

    def __repr__(self) -> str:
        return "SecureString(****)"


class PSCredential:
    """``[pscredential]``: a user name and a :class:`SecureString` password (``Get-Credential``)."""

    __slots__ = ("user_name", "password")

    def __init__(self, user_name: str, password: SecureString) -> None:
        self.user_name = user_name
        self.password = password


class Guid(str):
    """``[guid]``: a validated, lower-case GUID string (``str`` subclass so it compares and prints like text)."""

    __slots__ = ()

    @property
    def guid(self) -> str:
        return str.__str__(self)


class Uri(str):
    """``[uri]``: the original string, with .NET's ``Uri`` properties reachable through ``get_member``."""

    __slots__ = ()
