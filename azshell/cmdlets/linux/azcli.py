"""The az CLI's plumbing: its argument parser, its output formats (json, jsonc, tsv, table, none) and --query.

The command itself is ``azshell.cmdlets.linux.az`` and the command groups are the services'
(``azshell/services/<name>/az.py``); this module knows nothing Azure. az prints JSON with
two-space indents and sorted keys; ``--query`` is JMESPath (the ``jmespath`` package, as az uses); ``-o tsv``
writes values tab-separated (dict values in key order), ``-o table`` a column table of the scalar fields.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import jmespath  # type: ignore[import-untyped]
from jmespath.exceptions import JMESPathError  # type: ignore[import-untyped]

__all__ = ["AzCliError", "OptSpec", "ParsedArgs", "format_output", "parse_options", "run_query"]

#: az's exit codes
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_NOT_FOUND = 3
OUTPUT_FORMATS = ("json", "jsonc", "table", "tsv", "yaml", "yamlc", "none")


class AzCliError(Exception):
    """An error az prints as ``ERROR: ...`` and exits with ``code``."""

    def __init__(self, message: str, code: int = EXIT_ERROR, *, raw: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        #: print the message as is (no ``ERROR: `` prefix): az's command-group errors
        self.raw = raw


@dataclass(frozen=True)
class OptSpec:
    """One option of an az command: its names, its key in the parsed dict, and how many values it takes."""

    names: tuple[str, ...]
    dest: str
    nargs: str = "1"  # "1" one value, "0" a flag, "*" zero or more, "+" one or more
    required: bool = False

    @property
    def label(self) -> str:
        return "/".join(self.names)


@dataclass
class ParsedArgs:
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def __contains__(self, key: str) -> bool:
        return key in self.values


GLOBAL_OPTS = (
    OptSpec(("--output", "-o"), "output"),
    OptSpec(("--query",), "query"),
    OptSpec(("--only-show-errors",), "only_show_errors", "0"),
    OptSpec(("--debug",), "debug", "0"),
    OptSpec(("--verbose",), "verbose", "0"),
    OptSpec(("--help", "-h"), "help", "0"),
    OptSpec(("--subscription",), "subscription"),
)


def _is_option(token: str) -> bool:
    return token.startswith("-") and len(token) > 1 and not token[1:2].isdigit()


def parse_options(tokens: list[str], specs: tuple[OptSpec, ...]) -> ParsedArgs:
    """az's argparse rules, for the options of one command (plus the global ones)."""
    table: dict[str, OptSpec] = {}
    for one in specs + GLOBAL_OPTS:
        for n in one.names:
            table.setdefault(n, one)
    parsed = ParsedArgs()
    unknown: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if not _is_option(tok):
            unknown.append(tok)
            i += 1
            continue
        name, eq, attached = tok.partition("=")
        spec = table.get(name)
        if spec is None:
            matches = {s.dest: s for n, s in table.items() if n.startswith("--") and n.startswith(name)
                       and name.startswith("--")}
            if len(matches) == 1:
                spec = next(iter(matches.values()))
        if spec is None:
            unknown.append(tok)
            i += 1
            while i < len(tokens) and not _is_option(tokens[i]):
                unknown.append(tokens[i])
                i += 1
            continue
        values: list[str] = [attached] if eq else []
        i += 1
        if not eq and spec.nargs != "0":
            while i < len(tokens) and not _is_option(tokens[i]):
                values.append(tokens[i])
                i += 1
                if spec.nargs == "1":
                    break
        if spec.nargs == "0":
            parsed.values[spec.dest] = True
        elif spec.nargs == "1":
            if not values:
                raise AzCliError(f"argument {spec.label}: expected one argument", EXIT_USAGE)
            parsed.values[spec.dest] = values[0]
        elif spec.nargs == "+":
            if not values:
                raise AzCliError(f"argument {spec.label}: expected at least one argument", EXIT_USAGE)
            parsed.values.setdefault(spec.dest, []).extend(values)
        else:
            parsed.values.setdefault(spec.dest, []).extend(values)
    if unknown and not parsed.get("help"):
        raise AzCliError(f"unrecognized arguments: {' '.join(unknown)}", EXIT_USAGE)
    if not parsed.get("help"):
        missing = [s.label for s in specs if s.required and s.dest not in parsed.values]
        if missing:
            raise AzCliError(f"the following arguments are required: {', '.join(missing)}", EXIT_USAGE)
    out = parsed.get("output")
    if out is not None and out not in OUTPUT_FORMATS:
        raise AzCliError(f"argument --output/-o: invalid choice: '{out}' (choose from "
                         + ", ".join(f"'{f}'" for f in OUTPUT_FORMATS) + ")", EXIT_USAGE)
    return parsed


def run_query(query: str, data: Any) -> Any:
    try:
        return jmespath.search(query, data)
    except JMESPathError:
        raise AzCliError(f"argument --query: invalid jmespath_type value: '{query}'", EXIT_USAGE) from None


# ---------------------------------------------------------------------------------------------- output
def to_json(data: Any) -> str:
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _tsv_cell(value: Any) -> str:
    if isinstance(value, list):
        return str(len(value))
    if isinstance(value, dict) or value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def to_tsv(data: Any) -> str:
    rows = data if isinstance(data, list) else [data]
    lines: list[str] = []
    for row in rows:
        if isinstance(row, dict):
            lines.append("\t".join(_tsv_cell(v) for _, v in sorted(row.items())))
        elif isinstance(row, list):
            lines.append("\t".join(_tsv_cell(v) for v in row))
        else:
            lines.append(_tsv_cell(row))
    return "\n".join(lines) + "\n" if lines else ""


def _column(key: str) -> str:
    return key[:1].upper() + key[1:]


def to_table(data: Any) -> str:
    rows = data if isinstance(data, list) else [data]
    if not rows:
        return ""
    if not all(isinstance(r, dict) for r in rows):
        header = ["Result"]
        cells = [[_tsv_cell(r)] for r in rows]
    else:
        keys: list[str] = []
        for r in rows:
            for k, v in r.items():
                if k not in keys and not isinstance(v, (dict, list)):
                    keys.append(k)
        header = [_column(k) for k in keys]
        cells = [[_tsv_cell(r.get(k)) for k in keys] for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    lines = ["    ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
             "    ".join("-" * w for w in widths)]
    lines += ["    ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells]
    return "\n".join(lines) + "\n"


def format_output(data: Any, fmt: str) -> str:
    if fmt == "none":
        return ""
    if fmt == "tsv":
        return to_tsv(data)
    if fmt == "table":
        return to_table(data)
    return to_json(data)
