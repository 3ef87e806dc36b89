"""Tab completion, pure: text and cursor in, a replacement range and candidates out.

What completes where:
- at command position: cmdlet names and aliases (with their synopsis);
- ``-Par`` after a command: its parameters plus the common parameters;
- after ``-Param``: ValidateSet values, or values from ``value_completer(key, prefix)`` for ``Param.completer``;
- ``$na``: variables (``$env:NA`` environment variables); ``$var.Me``: members through ``members(var)``;
- anything else: paths from ``fs``.

A light scanner of its own finds the word under the cursor (the language's lexer is not needed).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from azshell.lang.cmdlet import Cmdlet, CommandRegistry, FileSystem, Param

COMMON_PARAMETERS = ("Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ErrorVariable",
                     "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable",
                     "ProgressAction")
ACTION_VALUES = ("Break", "Continue", "Ignore", "Inquire", "SilentlyContinue", "Stop", "Suspend")
_BREAKS = "|;{}(\n"


@dataclass(frozen=True)
class Completion:
    text: str
    display: str = ""
    description: str = ""
    kind: str = ""  # "command" | "alias" | "parameter" | "value" | "variable" | "member" | "path"


@dataclass
class CompletionResult:
    start: int
    end: int
    items: list[Completion] = field(default_factory=list)


@dataclass
class _Token:
    text: str
    start: int


def _segment_start(text: str) -> int:
    """Where the current statement/pipeline element begins (after the last unquoted | ; { ( or newline)."""
    quote = ""
    start = 0
    i = 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == "`" and quote == '"':
                i += 2
                continue
            if c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "`":
            i += 2
            continue
        elif c == "#":
            j = text.find("\n", i)
            if j == -1:
                return len(text)
            i = j
            continue
        elif c in _BREAKS or (c == "&" and text[i:i + 2] == "&&") or (c == "=" and text[i:i + 2] != "=="):
            start = i + 1
        i += 1
    return start


def _tokens(text: str, offset: int) -> list[_Token]:
    toks: list[_Token] = []
    i = 0
    n = len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        quote = ""
        while i < n:
            c = text[i]
            if quote:
                if c == quote:
                    quote = ""
            elif c in "'\"":
                quote = c
            elif c.isspace():
                break
            i += 1
        toks.append(_Token(text[start:i], offset + start))
    return toks


def _rank(candidates: Iterable[Completion], prefix: str) -> list[Completion]:
    p = prefix.casefold()
    exact: list[Completion] = []
    starts: list[Completion] = []
    seen: set[str] = set()
    for c in candidates:
        key = (c.display or c.text).casefold()
        bare = key.lstrip("-$").strip("'\"")
        if key in seen:
            continue
        pb = p.lstrip("-$")
        if bare == pb or key == p:
            exact.append(c)
            seen.add(key)
        elif bare.startswith(pb) or key.startswith(p):
            starts.append(c)
            seen.add(key)
    starts.sort(key=lambda c: (c.display or c.text).casefold())
    return exact + starts


def _quote(value: str) -> str:
    if value and (any(ch.isspace() for ch in value) or any(ch in value for ch in "'\"$`;|&(){}")):
        return "'" + value.replace("'", "''") + "'"
    return value


def _find_param(cls: type[Cmdlet], name: str) -> Param | None:
    key = name.lstrip("-").casefold()
    hits = [p for p in cls.params if p.name.casefold() == key or key in (a.casefold() for a in p.aliases)]
    if hits:
        return hits[0]
    prefixed = [p for p in cls.params if p.name.casefold().startswith(key)]
    return prefixed[0] if len(prefixed) == 1 else None


def complete(text: str, cursor: int, *, registry: CommandRegistry, variables: Callable[[], list[str]],
             members: Callable[[str], list[str]] | None = None,
             value_completer: Callable[[str, str], list[str]] | None = None,
             fs: FileSystem | None = None) -> CompletionResult:
    """Candidates for the word ending at ``cursor``; replace ``text[start:end]`` with one of them."""
    cursor = max(0, min(cursor, len(text)))
    before = text[:cursor]
    seg = _segment_start(before)
    toks = _tokens(before[seg:], seg)
    at_space = not before or before[-1].isspace() or (seg == len(before))
    word = "" if at_space or not toks else toks[-1].text
    start = cursor - len(word)
    prior = toks if at_space else toks[:-1]
    # variables and members
    if word.startswith("$") or word.startswith("@") and len(word) > 1 and word[1:2].isalpha():
        return _complete_variable(word, start, cursor, variables, members)
    # command position
    if not prior:
        if word.startswith(("'", '"')) or word.startswith((".", "/", "\\", "~")):
            return _complete_path(word, start, cursor, fs)
        return CompletionResult(start, cursor, _complete_command(word, registry))
    cls = registry.resolve(prior[0].text)
    if cls is not None and word.startswith("-") and not word[1:2].isdigit():
        items = [Completion("-" + p.name, "-" + p.name, p.help or f"[{p.type}]", "parameter") for p in cls.params]
        extra = list(COMMON_PARAMETERS) + (["WhatIf", "Confirm"] if cls.supports_should_process else [])
        items += [Completion("-" + n, "-" + n, "common parameter", "parameter") for n in extra]
        return CompletionResult(start, cursor, _rank(items, word))
    # a value for the parameter just before
    if cls is not None and prior and prior[-1].text.startswith("-") and len(prior) >= 2:
        pname = prior[-1].text.split(":", 1)[0]
        if pname.lstrip("-").casefold() in ("erroraction", "warningaction", "informationaction", "ea", "wa"):
            vals = [Completion(v, v, "", "value") for v in ACTION_VALUES]
            return CompletionResult(start, cursor, _rank(vals, word.strip("'\"")))
        param = _find_param(cls, pname)
        if param is not None and not param.is_switch:
            values = _param_values(param, word.strip("'\""), value_completer)
            if values is not None:
                items = [Completion(_quote(v), v, "", "value") for v in values]
                return CompletionResult(start, cursor, _rank(items, word.strip("'\"")))
    return _complete_path(word, start, cursor, fs)


def _complete_command(word: str, registry: CommandRegistry) -> list[Completion]:
    items: list[Completion] = []
    for name in registry.names():
        cls = registry.resolve(name)
        items.append(Completion(name, name, cls.synopsis if cls else "", "command"))
    for alias, target in registry.alias_map.items():
        cls = registry.resolve(target)
        shown = next((a for a in (cls.aliases if cls else ()) if a.casefold() == alias), alias)
        items.append(Completion(shown, shown, f"alias of {target}", "alias"))
    return _rank(items, word)


def _param_values(param: Param, prefix: str,
                  value_completer: Callable[[str, str], list[str]] | None) -> list[str] | None:
    if param.validate_set:
        return list(param.validate_set)
    comp = param.completer
    if callable(comp):
        return list(comp(prefix))
    if isinstance(comp, str) and value_completer is not None:
        return list(value_completer(comp, prefix))
    if param.type in ("bool",):
        return ["$true", "$false"]
    return None


def _complete_variable(word: str, start: int, cursor: int, variables: Callable[[], list[str]],
                       members: Callable[[str], list[str]] | None) -> CompletionResult:
    sigil = word[0]
    body = word[1:]
    if "." in body and not body.startswith("{"):
        var, _, rest = body.partition(".")
        head, _, member_prefix = rest.rpartition(".")
        names = members(var if not head else f"{var}.{head}") if members is not None else []
        items = [Completion(m, m, "", "member") for m in names]
        return CompletionResult(cursor - len(member_prefix), cursor, _rank(items, member_prefix))
    if body.casefold().startswith("env:"):
        prefix = body[4:]
        names = [v[4:] for v in variables() if v.casefold().startswith("env:")] or sorted(os.environ)
        items = [Completion(f"{sigil}env:{n}", f"{sigil}env:{n}", "environment variable", "variable") for n in names]
        return CompletionResult(start, cursor, _rank(items, f"{sigil}env:{prefix}"))
    items = [Completion(sigil + v, sigil + v, "", "variable") for v in variables() if not v.casefold().startswith("env:")]
    items.append(Completion(sigil + "env:", sigil + "env:", "environment variables", "variable"))
    return CompletionResult(start, cursor, _rank(items, word))


def _complete_path(word: str, start: int, cursor: int, fs: FileSystem | None) -> CompletionResult:
    if fs is None:
        return CompletionResult(start, cursor, [])
    quote = word[:1] if word[:1] in ("'", '"') else ""
    raw = word[len(quote):]
    norm = raw.replace("\\", "/")
    head, slash, leaf = norm.rpartition("/")
    folder = (head + "/" if slash and not head else head) if slash else "."
    if slash and head == "" :
        folder = "/"
    try:
        names = fs.list_dir(folder)
    except OSError:
        return CompletionResult(start, cursor, [])
    sep = "\\" if "\\" in raw else "/"
    prefix_dir = raw[: len(raw) - len(leaf)]
    items: list[Completion] = []
    for n in names:
        full = prefix_dir + n
        try:
            is_dir = fs.is_dir((folder.rstrip("/") + "/" + n) if folder not in (".",) else n)
        except OSError:
            is_dir = False
        text = full + (sep if is_dir else "")
        if quote:
            text = quote + text + quote
        elif any(ch.isspace() for ch in text):
            text = "'" + text + "'"
        items.append(Completion(text, n + (sep if is_dir else ""), "folder" if is_dir else "file", "path"))
    ranked = _rank(items, leaf) if leaf else sorted(items, key=lambda c: c.display.casefold())
    if leaf:
        ranked = [c for c in ranked if c.display.casefold().startswith(leaf.casefold())]
    return CompletionResult(start, cursor, ranked)


__all__ = ["COMMON_PARAMETERS", "Completion", "CompletionResult", "complete"]
