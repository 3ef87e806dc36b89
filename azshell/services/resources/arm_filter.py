"""``$filter``, ``$top`` and ``$skiptoken`` on ARM's own lists, as Microsoft.Resources documents them.

What a filter may say (``Resources - List`` and ``Resource Groups - List`` in the REST reference)::

    resources lists     eq / ne on  resourceType, name, location, resourceGroup, identity, identity/principalId,
                                    plan, plan/publisher, plan/product, plan/name, plan/version, plan/promotionCode
                        substringof('value', name | resourceGroup)
                        tagName eq 'n' [and tagValue eq 'v'],  startswith(tagName, 'prefix')
                        joined with and / or (and binds tighter), parentheses allowed
    resource groups     tagName eq 'n' [and tagValue eq 'v'] only

Names, types, locations and tag names compare case-insensitively, tag values exactly (Azure's tag rules). A
tag filter matches a resource when one of its tags satisfies it, and ARM then leaves ``tags`` out of the rows.
Anything else — an unknown property or function, a syntax error, ``tagValue`` without ``tagName`` — is refused
with ARM's 400 ``InvalidFilterInQueryString`` rather than ignored (an ignored filter answers with everything, which
reads as a result).

``$top`` is the page size (ARM pages, it does not truncate): the answer holds at most ``$top`` rows and a
``nextLink`` carrying the same query with a ``$skiptoken`` when more follow.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from azshell.hostnames import ARM_ENDPOINT
from azshell.planes._shared import arm_error
from azshell.planes.base import PlaneError, Request

__all__ = [
    "INVALID_FILTER",
    "Filter",
    "Page",
    "page",
    "parse_filter",
]

INVALID_FILTER = "InvalidFilterInQueryString"
#: SEEN word for word (ARM's answers quoted in Azure/azure-sdk-for-go#2480, Azure/azure-sdk-for-net#2819,
#: #2757 and #18748): the filter as sent, inside single quotes.
INVALID_FILTER_TEMPLATE = "Invalid $filter '{filter}' specified in the query string."
#: ARM's answer for a ``$top`` that is not an integer from 1 to 1000: the code is SEEN from ARM itself for
#: ``GET /subscriptions/{s}/resources?$top=1001`` (Azure/azure-sdk-for-js issue 18535, which shows the code but not the
#: message). INFERRED: the message (it follows ARM's $filter text; no capture found of the message).
INVALID_TOP = "InvalidTopInQueryString"
MAX_TOP = 1000
INVALID_TOP_TEMPLATE = "Invalid $top '{top}' specified in the query string."
#: INFERRED: a ``$skiptoken`` this server did not hand out (no capture found of ARM's answer to a forged token).
INVALID_SKIP_TOKEN = "InvalidSkipToken"
INVALID_SKIP_TOKEN_TEMPLATE = "Invalid $skiptoken '{token}' specified in the query string."

RESOURCE_PROPERTIES = frozenset({
    "resourcetype", "name", "location", "resourcegroup", "identity", "identity/principalid", "plan",
    "plan/publisher", "plan/product", "plan/name", "plan/version", "plan/promotioncode", "tagname", "tagvalue",
})
GROUP_PROPERTIES = frozenset({"tagname", "tagvalue"})
_SUBSTRING_PROPERTIES = frozenset({"name", "resourcegroup"})

_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<punct>[(),])|(?P<word>[A-Za-z_][A-Za-z0-9_/]*))")


class _Bad(Exception):
    """The filter does not parse or says something ARM does not support."""


# ------------------------------------------------------------------------------------------------------ AST
@dataclass(frozen=True)
class _Compare:
    prop: str  # lower-case
    negate: bool
    value: str


@dataclass(frozen=True)
class _Substring:
    prop: str
    value: str


@dataclass(frozen=True)
class _StartsWith:
    prop: str
    value: str


@dataclass(frozen=True)
class _Bool:
    op: str  # "and" | "or"
    left: _Node
    right: _Node


_Node = _Compare | _Substring | _StartsWith | _Bool


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise _Bad(text)
        pos = m.end()
        if m.group("str") is not None:
            out.append(("str", m.group("str")[1:-1].replace("''", "'")))
        elif m.group("punct") is not None:
            out.append(("punct", m.group("punct")))
        else:
            out.append(("word", m.group("word")))
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], properties: frozenset[str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.properties = properties

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, kind: str, value: str | None = None) -> str:
        tok = self.peek()
        if tok is None or tok[0] != kind or (value is not None and tok[1].lower() != value):
            raise _Bad()
        self.pos += 1
        return tok[1]

    def at_word(self, word: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[0] == "word" and tok[1].lower() == word

    def parse(self) -> _Node:
        node = self.disjunction()
        if self.peek() is not None:
            raise _Bad()
        return node

    def disjunction(self) -> _Node:
        node = self.conjunction()
        while self.at_word("or"):
            self.pos += 1
            node = _Bool("or", node, self.conjunction())
        return node

    def conjunction(self) -> _Node:
        node = self.factor()
        while self.at_word("and"):
            self.pos += 1
            node = _Bool("and", node, self.factor())
        return node

    def prop(self, allowed: frozenset[str]) -> str:
        name = self.take("word").lower()
        if name not in self.properties or name not in allowed:
            raise _Bad()
        return name

    def factor(self) -> _Node:
        tok = self.peek()
        if tok == ("punct", "("):
            self.pos += 1
            node = self.disjunction()
            self.take("punct", ")")
            return node
        if self.at_word("substringof"):
            self.pos += 1
            self.take("punct", "(")
            value = self.take("str")
            self.take("punct", ",")
            name = self.prop(_SUBSTRING_PROPERTIES)
            self.take("punct", ")")
            return _Substring(name, value)
        if self.at_word("startswith"):
            self.pos += 1
            self.take("punct", "(")
            name = self.prop(frozenset({"tagname"}))
            self.take("punct", ",")
            value = self.take("str")
            self.take("punct", ")")
            return _StartsWith(name, value)
        name = self.prop(self.properties)
        op = self.take("word").lower()
        if op not in ("eq", "ne") or (op == "ne" and name in ("tagname", "tagvalue")):
            raise _Bad()
        return _Compare(name, op == "ne", self.take("str"))


def _walk(node: _Node) -> list[_Node]:
    if isinstance(node, _Bool):
        return [*_walk(node.left), *_walk(node.right)]
    return [node]


# -------------------------------------------------------------------------------------------------- evaluate
def _norm(value: str) -> str:
    return value.replace(" ", "").lower()


def _test(node: _Node, props: dict[str, str | None], tag: tuple[str, str] | None) -> bool:
    if isinstance(node, _Bool):
        left = _test(node.left, props, tag)
        if node.op == "and":
            return left and _test(node.right, props, tag)
        return left or _test(node.right, props, tag)
    if isinstance(node, _Substring):
        return node.value.lower() in (props.get(node.prop) or "").lower()
    if isinstance(node, _StartsWith):
        return tag is not None and tag[0].lower().startswith(node.value.lower())
    if node.prop == "tagname":
        return tag is not None and tag[0].lower() == node.value.lower()
    if node.prop == "tagvalue":
        return tag is not None and tag[1] == node.value
    have = props.get(node.prop)
    if node.prop == "location":
        same = have is not None and _norm(have) == _norm(node.value)
    else:
        same = have is not None and have.lower() == node.value.lower()
    return not same if node.negate else same


@dataclass(frozen=True)
class Filter:
    """A parsed ``$filter``: ``matches(props, tags)``; ``by_tag`` when ARM leaves the rows' tags out."""

    text: str
    node: _Node

    @property
    def by_tag(self) -> bool:
        return any(isinstance(n, _StartsWith) or (isinstance(n, _Compare) and n.prop in ("tagname", "tagvalue"))
                   for n in _walk(self.node))

    def matches(self, props: dict[str, str | None], tags: dict[str, str]) -> bool:
        if not self.by_tag:
            return _test(self.node, props, None)
        return any(_test(self.node, props, (k, v)) for k, v in tags.items())


def invalid_filter(text: str) -> PlaneError:
    return arm_error(400, INVALID_FILTER, INVALID_FILTER_TEMPLATE.format(filter=text))


def parse_filter(text: str | None, properties: frozenset[str] = RESOURCE_PROPERTIES) -> Filter | None:
    """The request's ``$filter`` (None when absent or blank); ARM's 400 when it is not one ARM supports."""
    if text is None or not text.strip():
        return None
    try:
        node = _Parser(_tokens(text), properties).parse()
    except _Bad:
        raise invalid_filter(text) from None
    leaves = _walk(node)
    has_name = any(isinstance(n, (_Compare, _StartsWith)) and n.prop == "tagname" for n in leaves)
    has_value = any(isinstance(n, _Compare) and n.prop == "tagvalue" for n in leaves)
    if has_value and not has_name:  # INFERRED: a tag value needs the tag's name (no capture found)
        raise invalid_filter(text)
    return Filter(text, node)


# ------------------------------------------------------------------------------------------------------ paging
@dataclass(frozen=True)
class Page:
    """One page of a list: its rows and the ``nextLink`` (None on the last page)."""

    items: list[Any]
    next_link: str | None

    def body(self, render: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {"value": [render(i) for i in self.items]}
        if self.next_link:
            out["nextLink"] = self.next_link
        return out


def _top(request: Request) -> int | None:
    raw = request.query_get("$top")
    if raw is None or raw == "":
        return None
    try:
        value = int(raw.strip())
    except ValueError:
        value = 0
    if value < 1 or value > MAX_TOP:
        raise arm_error(400, INVALID_TOP, INVALID_TOP_TEMPLATE.format(top=raw))
    return value


def _skip(request: Request) -> int:
    raw = request.query_get("$skiptoken")
    if raw is None or raw == "":
        return 0
    try:
        padded = raw + "=" * (-len(raw) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        offset = data["o"] if isinstance(data, dict) else None
    except (ValueError, KeyError, UnicodeError, TypeError):
        offset = None
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise arm_error(400, INVALID_SKIP_TOKEN, INVALID_SKIP_TOKEN_TEMPLATE.format(token=raw))
    return offset


def _skip_token(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}, separators=(",", ":")).encode()).rstrip(b"=").decode()


def _next_link(request: Request, offset: int) -> str:
    query = [(k, v) for k, v in request.query if k != "$skiptoken"]
    query.append(("$skiptoken", _skip_token(offset)))
    return f"{ARM_ENDPOINT}{request.raw_path}?{urlencode(query, quote_via=quote)}"


def page(request: Request, items: Sequence[Any]) -> Page:
    """The page of ``items`` the request's ``$top``/``$skiptoken`` select (all of them without ``$top``)."""
    top = _top(request)
    start = _skip(request)
    if top is None:
        return Page(list(items[start:]), None)
    rows = list(items[start:start + top])
    more = start + top < len(items)
    return Page(rows, _next_link(request, start + top) if more else None)
