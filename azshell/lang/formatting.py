"""PowerShell's default output formatting (Out-Default) as text, plus an HTML rendering for Jupyter.

The rules PowerShell follows, and this module reproduces:

- scalars print raw, one per line (``$null`` prints nothing; a DateTime prints in its long form);
- a hashtable prints as a ``Name``/``Value`` table;
- an object with at most 4 properties prints as a table, with 5 or more as a list (``Name : Value``);
- consecutive objects of one type share one table; a new header starts when the type changes;
- a type may have a registered default view (:class:`ViewTable`, one per command registry), which wins over the
  rules above.

Text is a sequence of lines joined with ``"\\n"``, ending with ``"\\n"`` when non-empty; a table is preceded and
followed by a blank line, as in the console. :class:`FormattedText` (what ``Format-Table`` outputs) is printed
verbatim. ``tabulate`` is imported lazily: cold start matters.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from azshell.lang.conversions import (
    format_datetime,
    format_value,
    has_wildcards,
    property_names,
    to_string,
    type_name_of,
    wildcard_to_regex,
)
from azshell.lang.values import Guid, PSCredential, PSHashtable, PSObject, SecureString, Uri

#: ``$FormatEnumerationLimit``: how many items of a nested collection a cell shows
ENUMERATION_LIMIT = 4
ELLIPSIS = "…"

#: evaluates a script block with ``$_`` bound to an object: ``(block, obj) -> value``
Evaluator = Callable[[Any, Any], Any]


class FormattedText(str):
    """Text already formatted (the output of Format-Table/List/Wide); hosts print it verbatim."""

    __slots__ = ()


# ----------------------------------------------------------------------------------------------- columns
@dataclass
class Column:
    """One column of a table, or one line of a list entry."""

    label: str
    getter: Callable[[Any], Any]
    align: str | None = None  # "left" | "right" | None (decided by the values)
    width: int | None = None
    format_string: str | None = None


@dataclass
class ViewDef:
    """A default view registered for a type name."""

    kind: str
    columns: list[Column] = field(default_factory=list)
    #: a property whose change starts a new table under a ``   Label: value`` header (Get-Member's TypeName)
    group_by: str | None = None
    group_label: str | None = None


def _prop_getter(name: str) -> Callable[[Any], Any]:
    from azshell.lang.conversions import get_member

    def get(obj: Any) -> Any:
        return get_member(obj, name)

    return get


class ViewTable:
    """The default views of one command registry (``CommandRegistry.views``), by type name.

    Each cmdlet module registers its output types' views here when its commands join the registry; the
    formatting functions take the table of the session they format for (None: no views, plain defaults).
    """

    __slots__ = ("_views",)

    def __init__(self) -> None:
        self._views: dict[str, ViewDef] = {}

    def register(self, type_name: str, kind: str = "table", properties: Iterable[Any] = (), *,
                 labels: dict[str, str] | None = None,
                 calculated: dict[str, Callable[[Any], Any]] | None = None,
                 widths: dict[str, int] | None = None, group_by: str | None = None,
                 group_label: str | None = None) -> None:
        """Register the default view for objects whose ``type_names`` include ``type_name``.

        ``properties`` are property names, or ``(label, callable)`` pairs; ``labels`` renames a property's
        column; ``calculated`` maps a label to a callable of the object (appended after ``properties``).
        ``kind="text"`` prints each object's string form (``MatchInfo``). ``group_by`` names a property whose
        value heads each run of objects (``   TypeName: System.String``).
        """
        if kind not in ("table", "list", "wide", "text"):
            raise ValueError(f"unknown view kind {kind!r}")
        cols: list[Column] = []
        labels = labels or {}
        widths = widths or {}
        for p in properties:
            if isinstance(p, tuple):
                label, fn = p
                cols.append(Column(str(label), fn, width=widths.get(str(label))))
            else:
                name = str(p)
                cols.append(Column(labels.get(name, name), _prop_getter(name), width=widths.get(name)))
        for label, fn in (calculated or {}).items():
            cols.append(Column(label, fn, width=widths.get(label)))
        self._views[type_name.casefold()] = ViewDef(kind, cols, group_by, group_label or group_by)

    def unregister(self, type_name: str) -> None:
        self._views.pop(type_name.casefold(), None)

    def view_for(self, obj: Any) -> ViewDef | None:
        """The registered view for an object, looking through its type names most-derived first."""
        if not self._views:
            return None
        names = obj.type_names if isinstance(obj, PSObject) else [type_name_of(obj)]
        for t in names:
            v = self._views.get(t.casefold())
            if v is not None:
                return v
        return None

    def kinds(self) -> dict[str, str]:
        """Every registered type name (case-folded) and its view's kind."""
        return {name: view.kind for name, view in self._views.items()}

    def __len__(self) -> int:
        return len(self._views)

    def __contains__(self, type_name: object) -> bool:
        return isinstance(type_name, str) and type_name.casefold() in self._views


def _view_for(obj: Any, views: ViewTable | None) -> ViewDef | None:
    """``views.view_for(obj)``, or None without a table."""
    return views.view_for(obj) if views is not None else None


# ----------------------------------------------------------------------------------------------- values
def long_datetime(d: datetime | date) -> str:
    """``Friday, November 27, 2026 3:18:12 AM``: how the console shows a DateTime."""
    if not isinstance(d, datetime):
        d = datetime(d.year, d.month, d.day)
    return format_datetime(d, "dddd, MMMM d, yyyy h:mm:ss tt")


def is_scalar(v: Any) -> bool:
    """Values printed raw by Out-Default."""
    return isinstance(v, (str, int, float, Decimal, bool, datetime, date, SecureString)) and not isinstance(
        v, (Guid, Uri))


def format_scalar(v: Any) -> str:
    if isinstance(v, (datetime, date)):
        return long_datetime(v)
    return to_string(v)


def format_cell(v: Any) -> str:
    """A value inside a table cell or after ``Name :`` in a list."""
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        items = [format_cell(x) for x in v[:ENUMERATION_LIMIT]]
        more = ELLIPSIS if len(v) > ENUMERATION_LIMIT else ""
        return "{" + ", ".join(items) + more + "}"
    if isinstance(v, (bytes, bytearray)):
        return format_cell(list(v))
    if isinstance(v, datetime):
        return format_datetime(v, "G")
    return to_string(v)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float, Decimal)) and not isinstance(v, bool)


# ----------------------------------------------------------------------------------------------- property specs
def _spec_key(h: PSHashtable, *names: str) -> Any:
    for k in h.keys():
        if isinstance(k, str):
            kl = k.casefold()
            for n in names:
                if n.startswith(kl) if len(kl) >= 1 and n[0] == kl[0] else False:
                    return h[k]
    return None


def calculated_property(h: PSHashtable, evaluate: Evaluator | None) -> Column:
    """A ``@{Name=..; Expression=..}`` spec (keys may be shortened: n/l/e) as a column."""
    label = _spec_key(h, "name", "label")
    expr = _spec_key(h, "expression")
    width = _spec_key(h, "width")
    align = _spec_key(h, "alignment")
    fmt = _spec_key(h, "formatstring")
    if isinstance(expr, str):
        name = expr
        getter = _prop_getter(name)
        label = label if label is not None else name
    elif expr is not None and not callable(expr):
        block = expr

        def getter(obj: Any) -> Any:
            if evaluate is None:
                return None
            return evaluate(block, obj)

        label = label if label is not None else to_string(expr).strip()
    elif expr is not None:
        fn = expr
        getter = fn
        label = label if label is not None else "Expression"
    else:
        getter = _prop_getter(to_string(label))
    return Column(to_string(label), getter,
                  align=to_string(align).casefold() if align is not None else None,
                  width=int(width) if width is not None else None,
                  format_string=to_string(fmt) if fmt is not None else None)


def resolve_columns(obj: Any, properties: list[Any] | None, evaluate: Evaluator | None = None) -> list[Column]:
    """Columns for explicit ``-Property`` values (names, wildcards, calculated hashtables, script blocks)."""
    if not properties:
        return []
    names = _all_property_names(obj)
    cols: list[Column] = []
    for p in properties:
        if isinstance(p, PSHashtable):
            cols.append(calculated_property(p, evaluate))
        elif isinstance(p, str):
            if has_wildcards(p):
                rx = wildcard_to_regex(p)
                cols.extend(Column(n, _prop_getter(n)) for n in names if rx.match(n))
            else:
                match = next((n for n in names if n.casefold() == p.casefold()), p)
                cols.append(Column(match, _prop_getter(match)))
        elif p is not None:
            block = p

            def getter(obj: Any, block: Any = block) -> Any:
                return evaluate(block, obj) if evaluate is not None else None

            cols.append(Column(to_string(p).strip(), getter))
    return cols


def _all_property_names(obj: Any) -> list[str]:
    if isinstance(obj, PSHashtable):
        return [to_string(k) for k in obj.keys()]
    return property_names(obj)


def default_columns(obj: Any, kind: str, views: ViewTable | None = None) -> list[Column]:
    """The columns Out-Default uses for an object (its view in ``views``, else every property)."""
    view = _view_for(obj, views)
    if view is not None and view.columns and (view.kind == kind or kind == "auto"):
        return view.columns
    if isinstance(obj, PSHashtable):
        return [Column("Name", lambda e: e[0], width=30), Column("Value", lambda e: e[1])]
    if isinstance(obj, Guid):
        return [Column("Guid", lambda g: str.__str__(g))]
    return [Column(n, _prop_getter(n)) for n in property_names(obj)]


def default_kind(obj: Any, views: ViewTable | None = None) -> str:
    """"table" or "list" (or a view's kind) for an object under Out-Default."""
    view = _view_for(obj, views)
    if view is not None:
        return view.kind
    if isinstance(obj, (PSHashtable, Guid, PSCredential)):
        return "table"
    if isinstance(obj, PSObject):
        return "table" if len(obj.property_names()) <= 4 else "list"
    if isinstance(obj, (timedelta, Uri)):
        return "list"
    names = property_names(obj)
    return "table" if len(names) <= 4 else "list"


def _shape(obj: Any, views: ViewTable | None) -> tuple[str, ...] | None:
    """The property names of an object with no view of its own (a Select-Object result, a PSCustomObject), else
    None. PowerShell's table for such an object takes the view-less objects after it whatever their type, so
    ``Get-ChildItem | Select-Object Name`` over folders and files is one table; azshell does so while the
    properties stay the same (a new shape gets a new header rather than blank rows)."""
    if _view_for(obj, views) is not None or is_scalar(obj) or isinstance(obj, (PSHashtable, Guid, PSCredential)) \
            or _is_error_record(obj):
        return None
    return tuple(n.casefold() for n in _all_property_names(obj))


def _group_key(obj: Any) -> str:
    if isinstance(obj, PSObject):
        return "\0".join(obj.type_names) if obj.type_name != "System.Management.Automation.PSCustomObject" \
            else "pso\0" + "\0".join(n.casefold() for n in obj.property_names())
    return type_name_of(obj)


# ----------------------------------------------------------------------------------------------- rendering
def _truncate(text: str, width: int) -> str:
    if len(text) <= width:
        return text
    if width <= 1:
        return text[:width]
    return text[: width - 1] + ELLIPSIS


def _cell_text(col: Column, obj: Any) -> tuple[str, bool]:
    try:
        v = col.getter(obj)
    except Exception as e:  # a failing calculated property shows empty, as PowerShell does
        if type(e).__name__ in ("PipelineStopped", "KeyboardInterrupt"):
            raise
        v = None
    if col.format_string and v is not None:
        try:
            return format_value(v, col.format_string), _is_number(v)
        except Exception:
            pass
    return format_cell(v), _is_number(v)


def _table_format() -> Any:
    from tabulate import DataRow, TableFormat

    return TableFormat(lineabove=None, linebelowheader=None, linebetweenrows=None, linebelow=None,
                       headerrow=DataRow("", " ", ""), datarow=DataRow("", " ", ""), padding=0,
                       with_header_hide=None)


def render_table(objects: list[Any], columns: list[Column], *, width: int = 120, hide_headers: bool = False,
                 wrap: bool = False, hashtable_rows: bool = False) -> list[str]:
    """Lines of one table (no surrounding blank lines)."""
    from tabulate import tabulate

    rows: list[list[str]] = []
    numeric = [True] * len(columns)
    seen_value = [False] * len(columns)
    items: list[Any] = []
    for obj in objects:
        if hashtable_rows and isinstance(obj, PSHashtable):
            items.extend(obj.items())
        else:
            items.append(obj)
    for obj in items:
        row: list[str] = []
        for i, col in enumerate(columns):
            text, is_num = _cell_text(col, obj)
            text = text.replace("\r\n", "\n")
            if not wrap:
                text = text.replace("\n", " ")
            row.append(text)
            if text != "":
                seen_value[i] = True
                numeric[i] = numeric[i] and is_num
        rows.append(row)
    aligns = []
    for i, col in enumerate(columns):
        if col.align in ("left", "right", "center"):
            aligns.append(col.align)
        else:
            aligns.append("right" if numeric[i] and seen_value[i] else "left")
    labels = [c.label for c in columns]
    widths = []
    for i, col in enumerate(columns):
        natural = max([len(labels[i])] + [max((len(x) for x in r[i].split("\n")), default=0) for r in rows])
        widths.append(col.width if col.width is not None else natural)
    # fit the screen: shrink the widest columns, then drop trailing ones
    def total() -> int:
        return sum(widths) + len(widths) - 1

    while total() > width and max(widths) > 8:
        i = widths.index(max(widths))
        widths[i] -= 1
    while len(widths) > 1 and total() > width:
        widths.pop()
        labels.pop()
        aligns.pop()
        rows = [r[:-1] for r in rows]
    physical: list[list[str]] = []
    for r in rows:
        if wrap:
            parts: list[list[str]] = []
            for i, cell in enumerate(r):
                lines: list[str] = []
                for seg in cell.split("\n"):
                    w = max(widths[i], 1)
                    lines.extend([seg[k:k + w] for k in range(0, len(seg), w)] or [""])
                parts.append(lines)
            height = max(len(p) for p in parts) if parts else 1
            for k in range(height):
                physical.append([p[k] if k < len(p) else "" for p in parts])
        else:
            physical.append([_truncate(cell, widths[i]) for i, cell in enumerate(r)])
    heads = [_truncate(lbl, widths[i]) for i, lbl in enumerate(labels)]
    # pad every column to its width so tabulate keeps the widths we chose
    data: list[list[str]] = []
    if not hide_headers:
        data.append(["-" * len(h) for h in heads])
    data.extend(physical)
    import tabulate as tabulate_module

    saved = tabulate_module.MIN_PADDING
    tabulate_module.MIN_PADDING = 0
    try:
        text = tabulate(data, headers=() if hide_headers else heads, tablefmt=_table_format(),
                        colalign=tuple(aligns), disable_numparse=True)
    finally:
        tabulate_module.MIN_PADDING = saved
    out = [line.rstrip() for line in text.split("\n")]
    if hide_headers:
        return out
    # tabulate sizes columns to content; ensure dashes match header width only (already) and
    # pad the fixed-width columns (e.g. hashtable's 30-wide Name)
    fixed = [c.width for c in columns[: len(widths)]]
    if any(fw is not None for fw in fixed):
        out = _repad(out, heads, physical, widths, aligns, hide_headers)
    return out


def _repad(out: list[str], heads: list[str], physical: list[list[str]], widths: list[int], aligns: list[str],
           hide_headers: bool) -> list[str]:
    """Manual layout for tables with fixed column widths (tabulate would shrink them)."""
    rows = ([] if hide_headers else [heads, ["-" * len(h) for h in heads]]) + physical

    def cell(text: str, i: int) -> str:
        return text.rjust(widths[i]) if aligns[i] == "right" else text.ljust(widths[i])

    return [" ".join(cell(t, i) for i, t in enumerate(r)).rstrip() for r in rows]


def render_list(obj: Any, columns: list[Column]) -> list[str]:
    """``Name : Value`` lines of one object, names padded to the longest."""
    if not columns:
        return []
    pad = max(len(c.label) for c in columns)
    lines: list[str] = []
    for col in columns:
        text, _ = _cell_text(col, obj)
        parts = text.replace("\r\n", "\n").split("\n")
        lines.append(f"{col.label.ljust(pad)} : {parts[0]}".rstrip())
        for extra in parts[1:]:
            lines.append((" " * (pad + 3) + extra).rstrip())
    return lines


def render_wide(objects: list[Any], column: Column | None, *, width: int = 120, columns: int | None = None) -> list[str]:
    texts = []
    for obj in objects:
        if column is not None:
            texts.append(_cell_text(column, obj)[0])
        else:
            texts.append(format_cell(obj) if not is_scalar(obj) else format_scalar(obj))
    if not texts:
        return []
    if columns is None:
        cw = max(len(t) for t in texts) + 1
        columns = max(1, min(len(texts), width // max(cw, 1)))
        columns = max(1, columns)
    colw = max(1, width // columns - 1)
    lines = []
    for k in range(0, len(texts), columns):
        chunk = texts[k:k + columns]
        lines.append(" ".join(_truncate(t, colw).ljust(colw) for t in chunk).rstrip())
    return lines


def _flatten(objects: Iterable[Any]) -> list[Any]:
    out: list[Any] = []
    for o in objects:
        if isinstance(o, (list, tuple)):
            out.extend(_flatten(o))
        else:
            out.append(o)
    return out


def _is_error_record(obj: Any) -> bool:
    from azshell.lang.errors import ErrorRecord

    return isinstance(obj, ErrorRecord)


def format_objects(objects: list[Any], *, view: str = "auto", properties: list[Any] | None = None,
                   width: int = 120, hide_headers: bool = False, wrap: bool = False,
                   evaluate: Evaluator | None = None, wide_columns: int | None = None,
                   views: ViewTable | None) -> str:
    """Objects as the console shows them. ``view`` is "auto" (Out-Default), "table", "list" or "wide".

    ``views`` holds the types' default views (the session's ``CommandRegistry.views``); None formats every
    object by the plain rules.
    """
    items = _flatten(objects)
    lines: list[str] = []
    i = 0
    n = len(items)
    while i < n:
        obj = items[i]
        if obj is None:
            i += 1
            continue
        if isinstance(obj, FormattedText):
            text = str.__str__(obj)
            lines.extend(text[:-1].split("\n") if text.endswith("\n") else text.split("\n"))
            i += 1
            continue
        if view == "auto" and properties is None and is_scalar(obj):
            lines.extend(format_scalar(obj).replace("\r\n", "\n").split("\n"))
            i += 1
            continue
        if view == "auto" and properties is None and _is_error_record(obj):
            # an error record sent down the output pipeline ($e of -ErrorVariable, $Error[0], 2>&1) prints as
            # the error it describes, as PowerShell's default view does
            lines.extend(str(obj.render()).split("\n"))
            i += 1
            continue
        kind = view if view != "auto" else default_kind(obj, views)
        if kind == "text":
            lines.extend(to_string(obj).replace("\r\n", "\n").split("\n"))
            i += 1
            if i >= n or _view_for(items[i], views) is None or default_kind(items[i], views) != "text":
                lines.append("")
            continue
        if kind == "list":
            cols = resolve_columns(obj, properties, evaluate) if properties else (
                [Column("", lambda o: o)] if is_scalar(obj) else default_columns(obj, "list", views))
            if is_scalar(obj) and not properties:
                lines.append("")
                lines.append(format_scalar(obj))
            elif isinstance(obj, PSHashtable) and not properties:
                for k, v in obj.items():
                    lines.append("")
                    lines.extend(render_list((k, v), [Column("Name", lambda e: e[0]), Column("Value", lambda e: e[1])]))
            else:
                lines.append("")
                lines.extend(render_list(obj, cols))
            i += 1
            if i >= n or items[i] is None:
                lines.append("")
            continue
        # a group of consecutive objects of the same type (any type when -Property names the columns; any
        # view-less type of the same properties after a view-less object, see _shape)
        key = _group_key(obj)
        shape = None if properties else _shape(obj, views)
        j = i + 1
        while j < n:
            nxt = items[j]
            if nxt is None or isinstance(nxt, FormattedText):
                break
            if not properties and ((view == "auto" and is_scalar(nxt))
                                   or (_group_key(nxt) != key and (shape is None or _shape(nxt, views) != shape))):
                break
            j += 1
        group = items[i:j]
        if kind == "wide":
            col = None
            if properties:
                cs = resolve_columns(obj, properties, evaluate)
                col = cs[0] if cs else None
            elif not is_scalar(obj):
                names = _all_property_names(obj)
                pick = next((x for x in names if x.casefold() == "name"), names[0] if names else None)
                col = Column(pick, _prop_getter(pick)) if pick else None
            lines.append("")
            lines.extend(render_wide(group, col, width=width, columns=wide_columns))
            lines.append("")
        else:
            if properties:
                cols = resolve_columns(obj, properties, evaluate)
            elif is_scalar(obj):
                cols = [Column("", lambda o: o)]
                lines.append("")
                lines.extend(render_table(group, cols, width=width, hide_headers=True, wrap=wrap))
                lines.append("")
                i = j
                continue
            else:
                cols = default_columns(obj, "table", views)
            vd = _view_for(obj, views)
            runs: list[tuple[str | None, list[Any]]] = []
            if vd is not None and vd.group_by and not properties:
                gb = vd.group_by
                for o in group:
                    val = to_string(_prop_getter(gb)(o))
                    if runs and runs[-1][0] == val:
                        runs[-1][1].append(o)
                    else:
                        runs.append((val, [o]))
            else:
                runs.append((None, group))
            for head, run in runs:
                if head is not None and vd is not None:
                    lines.append("")
                    lines.append(f"   {vd.group_label}: {head}")
                lines.append("")
                lines.extend(render_table(run, cols, width=width, hide_headers=hide_headers, wrap=wrap,
                                          hashtable_rows=isinstance(obj, PSHashtable) and not properties))
                lines.append("")
        i = j
    if not lines:
        return ""
    return "\n".join(lines) + "\n"


def format_lines(objects: list[Any], **kw: Any) -> list[str]:
    """Like :func:`format_objects`, as lines (Out-String -Stream)."""
    text = format_objects(objects, **kw)
    return text[:-1].split("\n") if text else []


# ----------------------------------------------------------------------------------------------- HTML
#: explicit alignment: Jupyter's stylesheet right-aligns table cells and headers unless told otherwise
_LEFT = "text-align:left"
_RIGHT = "text-align:right"


def _pre(text: str) -> str:
    return f"<pre>{html.escape(text.strip(chr(10)))}</pre>"


def _keeps_text_layout(obj: Any, views: ViewTable | None) -> bool:
    """Objects whose console form is laid out text, not a property table: a ``text`` view (a purpose-built
    explanation: Show-Token, Test-AzAccess, Select-String's MatchInfo, a tutorial step), a ``wide`` view, an
    error record sent down the output pipeline."""
    return default_kind(obj, views) in ("text", "wide") or _is_error_record(obj)


def format_html(objects: list[Any], *, views: ViewTable | None) -> str | None:
    """An HTML rendering for Jupyter ``display_data``; None when plain text says it all (only scalars).

    Tables and lists use the same columns as the text (the type's view); objects whose text is laid out for
    reading (see :func:`_keeps_text_layout`) are that text in a ``<pre>``, never a generic property table.
    Every header and cell carries its alignment (left; right for a column of numbers, as in the console).
    ``views`` as for :func:`format_objects`.
    """
    items = [o for o in _flatten(objects) if o is not None]
    if not items or all(is_scalar(o) or isinstance(o, FormattedText) for o in items):
        return None
    parts: list[str] = []
    i = 0
    esc = html.escape
    while i < len(items):
        obj = items[i]
        if is_scalar(obj) or isinstance(obj, FormattedText):
            parts.append(_pre(format_scalar(obj) if is_scalar(obj) else str.__str__(obj)))
            i += 1
            continue
        if _keeps_text_layout(obj, views):
            j = i + 1
            while j < len(items) and _keeps_text_layout(items[j], views) and _group_key(items[j]) == _group_key(obj):
                j += 1
            parts.append(_pre(format_objects(items[i:j], views=views)))
            i = j
            continue
        key = _group_key(obj)
        shape = _shape(obj, views)
        j = i + 1
        while j < len(items) and not is_scalar(items[j]) and not isinstance(items[j], FormattedText) \
                and not _keeps_text_layout(items[j], views) \
                and (_group_key(items[j]) == key or (shape is not None and _shape(items[j], views) == shape)):
            j += 1
        group = items[i:j]
        kind = default_kind(obj, views)
        if kind == "list":
            for o in group:
                cols = default_columns(o, "list", views)
                rows = "".join(f"<tr><th style=\"{_LEFT}\">{esc(c.label)}</th>"
                               f"<td style=\"{_LEFT}\">{esc(_cell_text(c, o)[0])}</td></tr>"
                               for c in cols)
                parts.append(f"<table>{rows}</table>")
        else:
            vd = _view_for(obj, views)
            if isinstance(obj, PSHashtable):
                cols = [Column("Name", lambda e: e[0]), Column("Value", lambda e: e[1])]
                runs: list[tuple[str | None, list[Any]]] = [(None, [e for h in group for e in h.items()])]
            else:
                cols = default_columns(obj, "table", views)
                runs = []
                for o in group:  # a view's group_by starts a new table under a heading, as in the console
                    head = to_string(_prop_getter(vd.group_by)(o)) if vd is not None and vd.group_by else None
                    if runs and runs[-1][0] == head:
                        runs[-1][1].append(o)
                    else:
                        runs.append((head, [o]))
            for head, rows_src in runs:
                if head is not None and vd is not None:
                    parts.append(f"<p><b>{esc(str(vd.group_label))}:</b> {esc(head)}</p>")
                parts.append(_html_table(cols, rows_src))
        i = j
    return "\n".join(parts)


def _html_table(cols: list[Column], rows_src: list[Any]) -> str:
    """One ``<table>``: a header row and a row per object, each column aligned as the console aligns it."""
    esc = html.escape
    cells = [[_cell_text(c, o) for c in cols] for o in rows_src]
    aligns: list[str] = []
    for k, col in enumerate(cols):
        if col.align in ("left", "right", "center"):
            aligns.append(f"text-align:{col.align}")
            continue
        values = [row[k] for row in cells if row[k][0] != ""]
        aligns.append(_RIGHT if values and all(is_num for _, is_num in values) else _LEFT)
    head = "".join(f"<th style=\"{a}\">{esc(c.label)}</th>" for c, a in zip(cols, aligns, strict=True))
    body = "".join("<tr>" + "".join(f"<td style=\"{a}\">{esc(text)}</td>"
                                    for (text, _), a in zip(row, aligns, strict=True)) + "</tr>"
                   for row in cells)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


__all__ = [
    "Column", "ENUMERATION_LIMIT", "FormattedText", "ViewDef", "ViewTable", "calculated_property",
    "default_columns", "default_kind", "format_cell", "format_html", "format_lines", "format_objects",
    "format_scalar", "is_scalar", "long_datetime", "render_list", "render_table", "render_wide",
    "resolve_columns",
]
