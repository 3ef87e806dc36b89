"""Object cmdlets: Select, Where, ForEach, Sort, Group, Measure, Compare, Get-Unique, Tee, Get-Member, New-Object,
Select-String."""

from __future__ import annotations

import functools
import math
from datetime import UTC
from typing import Any

from azshell.lang.builtins._util import (
    CORE,
    UTILITY,
    Builtin,
    as_list,
    eval_block,
    hashtable_get,
    is_scriptblock,
    property_value,
    views_of,
    wants,
)
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.conversions import (
    PSCUSTOMOBJECT,
    ConversionError,
    compile_regex,
    enumerate_value,
    get_member,
    has_wildcards,
    ps_compare,
    ps_contains,
    ps_equals,
    ps_like,
    ps_match,
    sort_key_compare,
    to_bool,
    to_number,
    to_string,
    type_name_of,
    wildcard_to_regex,
)
from azshell.lang.conversions import property_names as object_property_names
from azshell.lang.formatting import ViewTable
from azshell.lang.runtime import StopUpstreamCommands, unwrap
from azshell.lang.values import PSHashtable, PSObject


def _input_items(cmd: Builtin) -> list[Any]:
    """The object(s) of this process call: the pipeline input, or -InputObject enumerated when given directly."""
    if cmd.input is not None:
        return [cmd.input]
    if "InputObject" in cmd.bound:
        v = cmd.bound["InputObject"]
        return [v] if v is not None else []
    return []


class _Collecting(Builtin):
    """A cmdlet that works on all of its input at once: ``process`` gathers it in ``self._items`` for ``end``."""

    def begin(self) -> None:
        self._items: list[Any] = []

    def process(self) -> None:
        self._items.extend(_input_items(self))


# ----------------------------------------------------------------------------------------------- Select-Object
class SelectObject(_Collecting):
    name = "Select-Object"

    def process(self) -> None:
        super().process()
        b = self.bound
        first = b.get("First")
        if first is not None and not any(k in b for k in ("Last", "Unique", "Index", "SkipLast")) \
                and len(self._items) >= int(b.get("Skip") or 0) + int(first):
            raise StopUpstreamCommands(self)  # enough: the commands before it stop, as in PowerShell

    aliases = ("select",)
    module = UTILITY
    synopsis = "Selects objects or object properties."
    description = ("Selects specified properties of an object or set of objects (names, wildcards, calculated "
                   "properties), or unique objects, or a given number of objects from the start or end of the "
                   "input. -ExpandProperty outputs the values of one property.")
    params = (
        Param("Property", "object[]", position=0, help="Properties to select; @{Name=..;Expression={..}} adds "
                                                     "a calculated property."),
        Param("InputObject", "object", value_from_pipeline=True, help="The objects to select from."),
        Param("ExcludeProperty", "string[]", help="Properties that are left out."),
        Param("ExpandProperty", "string", help="A property whose value (enumerated) is output."),
        Param("Unique", "switch", help="Only unique objects are output."),
        Param("First", "int", help="Number of objects from the beginning."),
        Param("Last", "int", help="Number of objects from the end."),
        Param("Skip", "int", help="Skips this many objects."),
        Param("SkipLast", "int", help="Skips this many objects from the end."),
        Param("Index", "int[]", help="Selects objects by their index (0-based)."),
        Param("Wait", "switch"),
    )
    examples = (
        Example("Get-Command | Select-Object -First 5 -Property Name, CommandType", "Selects two properties of the "
                "first five commands."),
        Example("1..10 | Select-Object -Last 3", "Outputs 8, 9 and 10."),
        Example("$o | Select-Object Name, @{Name='Upper'; Expression={$_.Name.ToUpper()}}",
                "Adds a calculated property."),
        Example("Get-Command | Select-Object -ExpandProperty Name", "Outputs just the names, as strings."),
    )

    def _columns(self, obj: Any) -> list[tuple[str, Any]]:
        specs = as_list(self.bound.get("Property"))
        excl = [wildcard_to_regex(x) for x in as_list(self.bound.get("ExcludeProperty"))]
        names = obj.property_names() if isinstance(obj, PSObject) else (
            [to_string(k) for k in obj.keys()] if isinstance(obj, PSHashtable) else object_property_names(obj))
        cols: list[tuple[str, Any]] = []
        if not specs and excl:
            specs = ["*"]
        for spec in specs:
            if isinstance(spec, PSHashtable):
                label = hashtable_get(spec, "name", "label")
                expr = hashtable_get(spec, "expression")
                if expr is None:
                    raise CmdletError("The \"Expression\" key is missing from the hash table.",
                                      category="InvalidArgument", error_id="DictionaryKeyMissingKey")
                if label is None:
                    label = to_string(expr).strip() if is_scriptblock(expr) else to_string(expr)
                cols.append((to_string(label), ("calc", expr)))
            elif is_scriptblock(spec):
                cols.append((to_string(spec).strip(), ("calc", spec)))
            else:
                s = to_string(spec)
                if has_wildcards(s):
                    rx = wildcard_to_regex(s)
                    cols.extend((n, ("prop", n)) for n in names if rx.match(n))
                else:
                    match = next((n for n in names if n.casefold() == s.casefold()), s)
                    cols.append((match, ("prop", match)))
        if excl:
            cols = [c for c in cols if not any(r.match(c[0]) for r in excl)]
        seen: set[str] = set()
        out = []
        for c in cols:
            if c[0].casefold() not in seen:
                seen.add(c[0].casefold())
                out.append(c)
        return out

    def _project(self, obj: Any) -> Any:
        cols = self._columns(obj)
        orig = type_name_of(obj) if not isinstance(obj, PSObject) else obj.type_name
        if orig.startswith("Selected."):
            orig = orig[len("Selected."):]
        result = PSObject(type_names=(f"Selected.{orig}", PSCUSTOMOBJECT))
        for label, (kind, arg) in cols:
            if kind == "prop":
                result.set(label, get_member(obj, arg))
            else:
                result.set(label, eval_block(self.ctx, arg, obj) if is_scriptblock(arg) else get_member(obj, to_string(arg)))
        return result

    def end(self) -> None:
        items = self._items
        if self.bound.get("Unique"):
            uniq: list[Any] = []
            for x in items:
                if not any(_same(x, y) for y in uniq):
                    uniq.append(x)
            items = uniq
        if "Index" in self.bound:
            idx = [int(i) for i in as_list(self.bound["Index"])]
            items = [items[i] for i in idx if -len(items) <= i < len(items)]
        skip = int(self.bound.get("Skip") or 0)
        if skip:
            items = items[skip:]
        skip_last = int(self.bound.get("SkipLast") or 0)
        if skip_last:
            items = items[:-skip_last] if skip_last < len(items) else []
        if "First" in self.bound or "Last" in self.bound:
            first = self.bound.get("First")
            last = self.bound.get("Last")
            head = items[: int(first)] if first is not None else []
            tail = items[-int(last):] if last is not None and int(last) > 0 else []
            items = head + tail if first is not None and last is not None else (head if first is not None else tail)
        expand = self.bound.get("ExpandProperty")
        has_props = self.bound.get("Property") is not None or self.bound.get("ExcludeProperty") is not None
        for obj in items:
            if expand is not None:
                if not _has_property(obj, expand):
                    self.write_error(f"Property \"{expand}\" cannot be found.", category="InvalidArgument",
                                     error_id="ExpandPropertyNotFound,Microsoft.PowerShell.Commands.SelectObjectCommand",
                                     target=obj)
                    continue
                value = get_member(obj, expand)
                if has_props and isinstance(value, PSObject):
                    extra = self._project(obj)
                    for k, v in extra.properties():
                        value.set(k, v)
                for v in enumerate_value(value):
                    self.write(v)
            elif has_props:
                self.write(self._project(obj))
            else:
                self.write(obj)


def _has_property(obj: Any, name: str) -> bool:
    if isinstance(obj, PSObject):
        return obj.has(name)
    if isinstance(obj, PSHashtable):
        return name in obj or name.casefold() in ("count", "keys", "values")
    return any(n.casefold() == name.casefold() for n in object_property_names(obj)) or \
        get_member(obj, name) is not None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, PSObject) and isinstance(b, PSObject):
        pa, pb = a.properties(), b.properties()
        return len(pa) == len(pb) and all(
            ka.casefold() == kb.casefold() and _same(va, vb) for (ka, va), (kb, vb) in zip(pa, pb, strict=True))
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return a is b
    return ps_equals(a, b, True)


# ----------------------------------------------------------------------------------------------- Where-Object
_OPERATORS = ("EQ", "NE", "GT", "GE", "LT", "LE", "Like", "NotLike", "Match", "NotMatch", "Contains",
              "NotContains", "In", "NotIn", "Is", "IsNot")
_CASE_OPERATORS = tuple("C" + op for op in _OPERATORS[:14])


def compare(op: str, left: Any, right: Any) -> bool:
    """``left -op right`` for Where-Object's simplified syntax (``op`` like "EQ", "CLike", "NotIn")."""
    o = op.casefold()
    cs = False
    if o.startswith("c") and o not in ("contains",):
        cs = True
        o = o[1:]
    if o.startswith("i") and o not in ("in", "is", "isnot"):
        o = o[1:]
    if isinstance(left, (list, tuple)) and o not in ("contains", "notcontains", "in", "notin", "is", "isnot"):
        return any(compare(op, x, right) for x in left)
    try:
        if o == "eq":
            return ps_equals(left, right, cs)
        if o == "ne":
            return not ps_equals(left, right, cs)
        if o in ("gt", "ge", "lt", "le"):
            if left is None and right is not None:
                return o in ("lt", "le")
            c = ps_compare(left, right, cs)
            return {"gt": c > 0, "ge": c >= 0, "lt": c < 0, "le": c <= 0}[o]
        if o == "like":
            return ps_like(left, right, cs)
        if o == "notlike":
            return not ps_like(left, right, cs)
        if o == "match":
            return ps_match(left, right, cs) is not None
        if o == "notmatch":
            return ps_match(left, right, cs) is None
        if o == "contains":
            return ps_contains(left, right, cs)
        if o == "notcontains":
            return not ps_contains(left, right, cs)
        if o == "in":
            return ps_contains(right, left, cs)
        if o == "notin":
            return not ps_contains(right, left, cs)
        if o in ("is", "isnot"):
            from azshell.lang.conversions import is_instance_of

            r = is_instance_of(left, to_string(right))
            return r if o == "is" else not r
    except ConversionError:
        return False
    return False


class WhereObject(Builtin):
    name = "Where-Object"
    aliases = ("where", "?")
    module = CORE
    synopsis = "Selects objects from a collection based on their property values."
    description = ("Passes on the input objects for which the script block returns true, or, in the "
                   "simplified syntax (Where-Object Name -eq 'x'), whose property satisfies the comparison.")
    params = (
        Param("Property", "object", position=0,
              help="The property to compare (simplified syntax); a script block here is the filter."),
        Param("Value", "object", position=1, help="The value to compare the property with."),
        Param("FilterScript", "scriptblock", help="The script block used to filter the objects."),
        Param("InputObject", "object", value_from_pipeline=True, help="The objects to filter."),
        *(Param(op, "switch", aliases=("I" + op,) if op not in ("In", "Is", "IsNot", "NotIn") else (),
                help=f"Uses the -{op.lower()} comparison.") for op in _OPERATORS),
        *(Param(op, "switch", help=f"Uses the case-sensitive -{op.lower()} comparison.") for op in _CASE_OPERATORS),
        Param("Not", "switch", help="Passes objects whose property is false or absent."),
    )
    examples = (
        Example("1..10 | Where-Object { $_ -gt 7 }", "Outputs 8, 9 and 10."),
        Example("Get-Command | Where-Object Name -like 'Get-*'", "Uses the simplified syntax."),
        Example("Get-Command | Where-Object -Property CommandType -EQ -Value Alias", "Names every parameter."),
    )

    def begin(self) -> None:
        self._op = next((op for op in _OPERATORS + _CASE_OPERATORS if self.bound.get(op)), None)

    def process(self) -> None:
        for obj in _input_items(self):
            if self._test(obj):
                self.write(obj)

    def _test(self, obj: Any) -> bool:
        block = self.bound.get("FilterScript")
        prop = self.bound.get("Property")
        if block is None and is_scriptblock(prop):
            block = prop
        if block is not None and is_scriptblock(block):
            return to_bool(unwrap(list(self.ctx.invoke_script_block(block, [], dollar_under=obj))))
        name = to_string(prop if prop is not None else block)
        value = get_member(obj, name)
        if self.bound.get("Not"):
            return not to_bool(value)
        if self._op is None:
            if "Value" in self.bound:
                return compare("EQ", value, self.bound["Value"])
            return to_bool(value)
        return compare(self._op, value, self.bound.get("Value"))


# ----------------------------------------------------------------------------------------------- ForEach-Object
class ForEachObject(Builtin):
    name = "ForEach-Object"
    aliases = ("foreach", "%")
    module = CORE
    synopsis = "Performs an operation against each item in a collection of input objects."
    description = ("Runs the -Process script block once per input object with $_ set to it (and -Begin/-End "
                   "once), or, given a name (ForEach-Object Name), outputs that property of each object or "
                   "calls that method.")
    params = (
        Param("Process", "object[]", position=0, value_from_remaining_arguments=True,
              help="The script block run for each input object (or a member name)."),
        Param("Begin", "scriptblock", help="A script block run before the first input object."),
        Param("End", "scriptblock", help="A script block run after the last input object."),
        Param("MemberName", "string", help="The property to get or method to call on each object."),
        Param("ArgumentList", "object[]", aliases=("Args",), help="Arguments of a method call."),
        Param("RemainingScripts", "scriptblock[]"),
        Param("InputObject", "object", value_from_pipeline=True, help="The input objects."),
        Param("Parallel", "scriptblock", help="Runs the script block for each object (sequentially here)."),
        Param("ThrottleLimit", "int"),
    )
    examples = (
        Example("1..3 | ForEach-Object { $_ * 2 }", "Outputs 2, 4 and 6."),
        Example("Get-Command | ForEach-Object Name", "Outputs the Name of each command."),
        Example("1..3 | ForEach-Object -Begin { $t = 0 } -Process { $t += $_ } -End { $t }", "Sums the numbers."),
    )

    def begin(self) -> None:
        procs = as_list(self.bound.get("Process")) + as_list(self.bound.get("RemainingScripts"))
        self._member: str | None = self.bound.get("MemberName")
        self._begin = self.bound.get("Begin")
        self._end = self.bound.get("End")
        self._process: list[Any] = []
        self._args = as_list(self.bound.get("ArgumentList"))
        if procs and not is_scriptblock(procs[0]) and self._member is None:
            self._member = to_string(procs[0])
            self._args = self._args or procs[1:]
            procs = []
        elif procs and self._member is not None and not any(is_scriptblock(p) for p in procs):
            self._args = self._args or procs  # ForEach-Object -MemberName Split '-'
            procs = []
        if self.bound.get("Parallel") is not None:
            procs = [self.bound["Parallel"]]
        if len(procs) >= 2 and self._begin is None and self._end is None:
            self._begin = procs[0]
            self._process = procs[1:2] if len(procs) == 2 else procs[1:-1]
            if len(procs) > 2:
                self._end = procs[-1]
        else:
            self._process = procs
        if self._begin is not None:
            for x in self.ctx.invoke_script_block(self._begin, [], dollar_under=None):
                self.write(x)

    def process(self) -> None:
        items = _input_items(self)
        if not items and self.input is None and "InputObject" not in self.bound:
            items = [None]
        for obj in items:
            if self._member is not None:
                self._do_member(obj)
                continue
            for block in self._process:
                if block is None:
                    continue
                for x in self.ctx.invoke_script_block(block, [], dollar_under=obj):
                    self.write(x)

    def _do_member(self, obj: Any) -> None:
        name = self._member or ""
        call = wants(self.ctx, "invoke_method")
        if isinstance(obj, str) and name.casefold() in _STR_METHODS and not callable(call):
            self.write(_STR_METHODS[name.casefold()](obj))
            return
        if isinstance(obj, PSObject) and name.casefold() in obj.methods:
            self.write(obj.methods[name.casefold()](*self._args))
            return
        if not _has_property(obj, name) and callable(call):
            for v in enumerate_value(call(obj, name, self._args)):
                self.write(v)
            return
        value = get_member(obj, name)
        if value is None and not _has_property(obj, name):
            return
        for v in enumerate_value(value):
            self.write(v)

    def end(self) -> None:
        if self._end is not None:
            for x in self.ctx.invoke_script_block(self._end, [], dollar_under=None):
                self.write(x)


_STR_METHODS: dict[str, Any] = {
    "toupper": str.upper, "tolower": str.lower, "trim": str.strip, "trimstart": str.lstrip,
    "trimend": str.rstrip, "tostring": str, "toupperinvariant": str.upper, "tolowerinvariant": str.lower,
}


# ----------------------------------------------------------------------------------------------- Sort-Object
class SortObject(_Collecting):
    name = "Sort-Object"
    aliases = ("sort",)
    module = UTILITY
    synopsis = "Sorts objects by property values."
    description = ("Sorts objects in ascending or descending order by one or more properties (names, script "
                   "blocks or @{Expression=..; Descending=$true}), or by the objects themselves.")
    params = (
        Param("Property", "object[]", position=0, help="Properties used for sorting."),
        Param("InputObject", "object", value_from_pipeline=True, help="The objects to sort."),
        Param("Descending", "switch", help="Sorts in descending order."),
        Param("Unique", "switch", help="Removes duplicates (case-insensitively unless -CaseSensitive)."),
        Param("CaseSensitive", "switch", help="Sorting is case-sensitive."),
        Param("Top", "int", help="The number of objects to get from the start of the sorted list."),
        Param("Bottom", "int", help="The number of objects to get from the end of the sorted list."),
        Param("Stable", "switch"),
        Param("Culture", "string"),
    )
    examples = (
        Example("3, 1, 2 | Sort-Object", "Outputs 1, 2, 3."),
        Example("Get-Command | Sort-Object -Property Name -Descending", "Sorts commands by name, Z first."),
        Example("$objs | Sort-Object @{Expression='Count'; Descending=$true}, Name", "Sorts on two keys."),
    )

    def end(self) -> None:
        cs = bool(self.bound.get("CaseSensitive"))
        desc = bool(self.bound.get("Descending"))
        specs = as_list(self.bound.get("Property"))
        keys: list[tuple[Any, bool]] = []
        for spec in specs:
            if isinstance(spec, PSHashtable):
                d = hashtable_get(spec, "descending")
                a = hashtable_get(spec, "ascending")
                this_desc = to_bool(d) if d is not None else (not to_bool(a) if a is not None else desc)
                keys.append((hashtable_get(spec, "expression"), this_desc))
            else:
                keys.append((spec, desc))
        rows = [(obj, [property_value(self.ctx, obj, k) for k, _ in keys] if keys else [obj])
                for obj in self._items]
        directions = [d for _, d in keys] if keys else [desc]

        def cmp(a: tuple[Any, list[Any]], b: tuple[Any, list[Any]]) -> int:
            for va, vb, d in zip(a[1], b[1], directions, strict=True):
                c = sort_key_compare(va, vb, cs)
                if c:
                    return -c if d else c
            return 0

        ordered = sorted(rows, key=functools.cmp_to_key(cmp))
        if self.bound.get("Unique"):
            uniq: list[tuple[Any, list[Any]]] = []
            for r in ordered:
                if not uniq or cmp(uniq[-1], r) != 0 or not _same_keys(uniq[-1], r, cs):
                    uniq.append(r)
            ordered = uniq
        out = [o for o, _ in ordered]
        if self.bound.get("Top") is not None:
            out = out[: int(self.bound["Top"])]
        if self.bound.get("Bottom") is not None:
            out = out[-int(self.bound["Bottom"]):] if int(self.bound["Bottom"]) > 0 else []
        for o in out:
            self.write(o)


def _same_keys(a: tuple[Any, list[Any]], b: tuple[Any, list[Any]], cs: bool) -> bool:
    return all(ps_equals(x, y, cs) if not isinstance(x, PSObject) else _same(x, y)
               for x, y in zip(a[1], b[1], strict=True))


# ----------------------------------------------------------------------------------------------- Group-Object
GROUP_INFO = "Microsoft.PowerShell.Commands.GroupInfo"


class GroupObject(_Collecting):
    name = "Group-Object"
    aliases = ("group",)
    module = UTILITY
    synopsis = "Groups objects that contain the same value for specified properties."
    description = "Outputs one GroupInfo (Count, Name, Group) per distinct value of the given properties."
    params = (
        Param("Property", "object[]", position=0, help="The properties for grouping."),
        Param("InputObject", "object", value_from_pipeline=True, help="The objects to group."),
        Param("NoElement", "switch", help="Omits the members of a group from the results."),
        Param("AsHashTable", "switch", help="Returns a hashtable of name to group."),
        Param("AsString", "switch", help="Converts the keys of the hashtable to strings."),
        Param("CaseSensitive", "switch", help="Grouping is case-sensitive."),
        Param("Culture", "string"),
    )
    examples = (
        Example("'a','b','a' | Group-Object", "Outputs groups 'a' (2) and 'b' (1)."),
        Example("Get-Command | Group-Object -Property CommandType", "Counts commands by type."),
    )

    def end(self) -> None:
        cs = bool(self.bound.get("CaseSensitive"))
        specs = as_list(self.bound.get("Property"))
        groups: list[tuple[list[Any], list[Any]]] = []
        for obj in self._items:
            values = [property_value(self.ctx, obj, s) for s in specs] if specs else [obj]
            for g in groups:
                if all(_group_eq(a, b, cs) for a, b in zip(g[0], values, strict=True)):
                    g[1].append(obj)
                    break
            else:
                groups.append((values, [obj]))
        if self.bound.get("AsHashTable"):
            h = PSHashtable()
            for values, members in groups:
                key: Any = values[0] if len(values) == 1 else values
                if self.bound.get("AsString"):
                    key = ", ".join(to_string(v) for v in values)
                h[key] = members
            self.write(h)
            return
        for values, members in groups:
            name = ", ".join(to_string(v) for v in values)
            info = PSObject(type_names=(GROUP_INFO,))
            info.set("Count", len(members))
            info.set("Name", name)
            info.set("Group", [] if self.bound.get("NoElement") else members)
            info.set("Values", values)
            self.write(info)


def _group_eq(a: Any, b: Any, cs: bool) -> bool:
    if isinstance(a, str) or isinstance(b, str):
        return ps_equals(to_string(a), to_string(b), cs)
    return ps_equals(a, b, cs)


# ----------------------------------------------------------------------------------------------- Measure-Object
GENERIC_MEASURE = "Microsoft.PowerShell.Commands.GenericMeasureInfo"
TEXT_MEASURE = "Microsoft.PowerShell.Commands.TextMeasureInfo"


class MeasureObject(_Collecting):
    name = "Measure-Object"
    aliases = ("measure",)
    module = UTILITY
    synopsis = "Calculates the numeric properties of objects, and the characters, words, and lines in strings."
    description = ("Counts the input objects and, on request, computes the sum, average, maximum, minimum and "
                   "standard deviation of a property, or counts lines, words and characters of text.")
    params = (
        Param("Property", "object[]", position=0, help="The properties to measure."),
        Param("InputObject", "object", value_from_pipeline=True, help="The objects to measure."),
        Param("Sum", "switch"), Param("Average", "switch"), Param("Maximum", "switch"),
        Param("Minimum", "switch"), Param("StandardDeviation", "switch"), Param("AllStats", "switch"),
        Param("Line", "switch"), Param("Word", "switch"), Param("Character", "switch"),
        Param("IgnoreWhiteSpace", "switch"),
    )
    examples = (
        Example("1..5 | Measure-Object -Sum -Average", "Count 5, Sum 15, Average 3."),
        Example("Get-Content notes.txt | Measure-Object -Line -Word -Character", "Counts text."),
    )

    def end(self) -> None:
        b = self.bound
        if b.get("Line") or b.get("Word") or b.get("Character"):
            self._text()
            return
        props: list[str | None] = [to_string(p) for p in as_list(b.get("Property"))] or [None]
        allstats = bool(b.get("AllStats"))
        for prop in props:
            values = [obj if prop is None else get_member(obj, prop) for obj in self._items]
            if prop is not None:
                values = [v for v in values if v is not None]
                if not values and self._items:
                    raise CmdletError(f"The property \"{prop}\" cannot be found in the input for any objects.",
                                      category="InvalidArgument",
                                      error_id="GenericMeasurePropertyNotFound,Microsoft.PowerShell.Commands."
                                               "MeasureObjectCommand")
            info = PSObject(type_names=(GENERIC_MEASURE,))
            info.set("Count", len(values))
            nums: list[float] = []
            want_num = b.get("Sum") or b.get("Average") or b.get("StandardDeviation") or allstats
            if want_num:
                for v in values:
                    try:
                        nums.append(float(to_number(v)))
                    except ConversionError:
                        raise CmdletError(
                            f"Input object \"{to_string(v)}\" is not numeric.", category="InvalidType",
                            error_id="NonNumericInputObject,Microsoft.PowerShell.Commands.MeasureObjectCommand",
                            target=v) from None
            info.set("Average", (sum(nums) / len(nums) if nums else None) if b.get("Average") or allstats else None)
            info.set("Sum", float(sum(nums)) if b.get("Sum") or allstats else None)
            info.set("Maximum", _extreme(values, 1) if b.get("Maximum") or allstats else None)
            info.set("Minimum", _extreme(values, -1) if b.get("Minimum") or allstats else None)
            sd = None
            if (b.get("StandardDeviation") or allstats) and len(nums) > 1:
                mean = sum(nums) / len(nums)
                sd = math.sqrt(sum((x - mean) ** 2 for x in nums) / (len(nums) - 1))
            elif b.get("StandardDeviation") or allstats:
                sd = 0.0
            info.set("StandardDeviation", sd)
            info.set("Property", prop)
            self.write(info)

    def _text(self) -> None:
        b = self.bound
        lines = words = chars = 0
        for obj in self._items:
            s = to_string(obj)
            lines += len([ln for ln in s.split("\n") if not b.get("IgnoreWhiteSpace") or ln.strip()]) if s else 0
            words += len(s.split())
            chars += len("".join(s.split())) if b.get("IgnoreWhiteSpace") else len(s.replace("\n", ""))
        info = PSObject(type_names=(TEXT_MEASURE,))
        info.set("Lines", lines if b.get("Line") else None)
        info.set("Words", words if b.get("Word") else None)
        info.set("Characters", chars if b.get("Character") else None)
        info.set("Property", None)
        self.write(info)


def _extreme(values: list[Any], sign: int) -> Any:
    best: Any = None
    for v in values:
        cand: Any = v
        if isinstance(v, str):
            try:
                cand = float(to_number(v))
            except ConversionError:
                cand = v
        elif isinstance(v, (int, float)) and not isinstance(v, bool):
            cand = float(v)
        if best is None or sort_key_compare(cand, best) * sign > 0:
            best = cand
    return best


# ----------------------------------------------------------------------------------------------- Compare-Object
class CompareObject(Builtin):
    name = "Compare-Object"
    aliases = ("compare", "diff")
    module = UTILITY
    synopsis = "Compares two sets of objects."
    description = ("Reports the objects only in the reference set (<=), only in the difference set (=>), and, "
                   "with -IncludeEqual, in both (==).")
    params = (
        Param("ReferenceObject", "object[]", mandatory=True, position=0, allow_empty_collection=True,
              help="The reference set."),
        Param("DifferenceObject", "object[]", mandatory=True, position=1, value_from_pipeline=True,
              allow_empty_collection=True, help="The set compared with the reference set."),
        Param("Property", "object[]", help="The properties to compare."),
        Param("IncludeEqual", "switch"), Param("ExcludeDifferent", "switch"), Param("PassThru", "switch"),
        Param("CaseSensitive", "switch"), Param("SyncWindow", "int"), Param("Culture", "string"),
    )
    examples = (Example("Compare-Object @(1,2,3) @(2,3,4)", "Shows 4 => and 1 <=."),)

    def begin(self) -> None:
        self._diff: list[Any] = []
        self._piped = False

    def process(self) -> None:
        if self.input is not None:
            self._piped = True
            self._diff.append(self.input)
        elif not self._piped:
            self._diff = as_list(self.bound.get("DifferenceObject"))

    def end(self) -> None:
        ref = as_list(self.bound.get("ReferenceObject"))
        props = as_list(self.bound.get("Property"))
        cs = bool(self.bound.get("CaseSensitive"))

        def key(o: Any) -> list[Any]:
            return [property_value(self.ctx, o, p) for p in props] if props else [o]

        def eq(a: Any, b: Any) -> bool:
            return all(ps_equals(x, y, cs) if not isinstance(x, PSObject) else _same(x, y)
                       for x, y in zip(key(a), key(b), strict=True))

        used = [False] * len(self._diff)
        equal: list[Any] = []
        ref_only: list[Any] = []
        for r in ref:
            for i, d in enumerate(self._diff):
                if not used[i] and eq(r, d):
                    used[i] = True
                    equal.append(r)
                    break
            else:
                ref_only.append(r)
        diff_only = [d for i, d in enumerate(self._diff) if not used[i]]
        rows: list[tuple[Any, str]] = []
        if self.bound.get("IncludeEqual"):
            rows += [(x, "==") for x in equal]
        if not self.bound.get("ExcludeDifferent"):
            rows += [(x, "=>") for x in diff_only] + [(x, "<=") for x in ref_only]
        for obj, side in rows:
            if self.bound.get("PassThru"):
                self.write(obj)
                continue
            out = PSObject()
            if props:
                for p, v in zip(props, key(obj), strict=True):
                    out.set(to_string(p) if not isinstance(p, PSHashtable) else
                            to_string(hashtable_get(p, "name", "label") or hashtable_get(p, "expression")), v)
            else:
                out.set("InputObject", obj)
            out.set("SideIndicator", side)
            self.write(out)


class GetUnique(Builtin):
    name = "Get-Unique"
    aliases = ("gu",)
    module = UTILITY
    synopsis = "Returns unique items from a sorted list."
    description = "Removes adjacent duplicates (case-sensitively) from sorted input."
    params = (
        Param("InputObject", "object", value_from_pipeline=True, help="The input objects."),
        Param("AsString", "switch"), Param("OnType", "switch"), Param("CaseInsensitive", "switch"),
    )
    examples = (Example("'a','a','b' | Get-Unique", "Outputs a and b."),)

    def begin(self) -> None:
        self._last: Any = None
        self._first = True

    def process(self) -> None:
        for obj in _input_items(self):
            if self.bound.get("OnType"):
                same = not self._first and type_name_of(obj) == type_name_of(self._last)
            elif self.bound.get("AsString") or isinstance(obj, str):
                same = not self._first and ps_equals(to_string(obj), to_string(self._last),
                                                     not self.bound.get("CaseInsensitive"))
            else:
                same = not self._first and _same(obj, self._last)
            if not same:
                self.write(obj)
            self._last = obj
            self._first = False


class TeeObject(Builtin):
    name = "Tee-Object"
    aliases = ("tee",)
    module = UTILITY
    synopsis = "Saves command output in a file or variable and also sends it down the pipeline."
    description = "Passes input objects on unchanged while saving them to a file (formatted) or a variable."
    params = (
        Param("FilePath", "string", position=0, aliases=("Path",), help="The file to save to."),
        Param("Variable", "string", help="The name of the variable to save to (no $)."),
        Param("InputObject", "object", value_from_pipeline=True, help="The objects to save."),
        Param("Append", "switch"), Param("Encoding", "string"),
    )
    examples = (Example("1..3 | Tee-Object -Variable nums | Measure-Object", "Keeps the numbers in $nums."),)

    def begin(self) -> None:
        self._items: list[Any] = []

    def process(self) -> None:
        for obj in _input_items(self):
            self._items.append(obj)
            self.write(obj)

    def end(self) -> None:
        if self.bound.get("Variable"):
            self.ctx.set_variable(to_string(self.bound["Variable"]), unwrap(self._items))
        if self.bound.get("FilePath"):
            from azshell.lang.builtins.output import write_file
            from azshell.lang.formatting import format_objects

            text = format_objects(self._items, views=views_of(self.ctx))
            write_file(self, to_string(self.bound["FilePath"]), text,
                       append=bool(self.bound.get("Append")), command="TeeObjectCommand")


# ----------------------------------------------------------------------------------------------- Get-Member
MEMBER_DEFINITION = "Microsoft.PowerShell.Commands.MemberDefinition"
_SHORT = {"System.String": "string", "System.Int32": "int", "System.Int64": "long", "System.Double": "double",
          "System.Boolean": "bool", "System.DateTime": "datetime", "System.Object[]": "Object[]",
          "System.Guid": "guid", "System.Decimal": "decimal", "System.Collections.Hashtable": "hashtable",
          "System.Management.Automation.PSCustomObject": "System.Management.Automation.PSCustomObject"}
_COMMON_METHODS = [("Equals", "bool Equals(System.Object obj)"), ("GetHashCode", "int GetHashCode()"),
                   ("GetType", "type GetType()"), ("ToString", "string ToString()")]
_TYPE_METHODS: dict[str, list[tuple[str, str]]] = {
    "System.String": [
        ("Contains", "bool Contains(string value)"), ("EndsWith", "bool EndsWith(string value)"),
        ("IndexOf", "int IndexOf(string value)"), ("Insert", "string Insert(int startIndex, string value)"),
        ("LastIndexOf", "int LastIndexOf(string value)"), ("PadLeft", "string PadLeft(int totalWidth)"),
        ("PadRight", "string PadRight(int totalWidth)"), ("Remove", "string Remove(int startIndex)"),
        ("Replace", "string Replace(string oldValue, string newValue)"),
        ("Split", "string[] Split(char[] separator)"), ("StartsWith", "bool StartsWith(string value)"),
        ("Substring", "string Substring(int startIndex, int length)"), ("ToLower", "string ToLower()"),
        ("ToUpper", "string ToUpper()"), ("Trim", "string Trim()"), ("TrimEnd", "string TrimEnd()"),
        ("TrimStart", "string TrimStart()"),
    ],
    "System.Collections.Hashtable": [
        ("Add", "void Add(System.Object key, System.Object value)"), ("Clear", "void Clear()"),
        ("Clone", "System.Object Clone()"), ("Contains", "bool Contains(System.Object key)"),
        ("ContainsKey", "bool ContainsKey(System.Object key)"),
        ("ContainsValue", "bool ContainsValue(System.Object value)"), ("Remove", "void Remove(System.Object key)"),
    ],
    "System.DateTime": [
        ("AddDays", "datetime AddDays(double value)"), ("AddHours", "datetime AddHours(double value)"),
        ("AddMinutes", "datetime AddMinutes(double value)"), ("AddSeconds", "datetime AddSeconds(double value)"),
        ("ToLocalTime", "datetime ToLocalTime()"), ("ToUniversalTime", "datetime ToUniversalTime()"),
    ],
    "System.Object[]": [("Contains", "bool IList.Contains(System.Object value)"),
                        ("IndexOf", "int IList.IndexOf(System.Object value)")],
}


def short_type(v: Any) -> str:
    if v is None:
        return "object"
    t = type_name_of(v)
    return _SHORT.get(t, t)


def members_of(obj: Any) -> list[tuple[str, str, str]]:
    """(Name, MemberType, Definition) rows of Get-Member for one object."""
    t = type_name_of(obj)
    rows: list[tuple[str, str, str]] = []
    methods = list(_COMMON_METHODS) + _TYPE_METHODS.get(t, [])
    if isinstance(obj, PSObject):
        methods += [(n, "System.Object " + n + "()") for n in obj.methods]
    for n, d in methods:
        rows.append((n, "Method", d))
    if isinstance(obj, PSObject):
        kind = "NoteProperty" if obj.type_name.startswith(("System.Management.Automation.PSCustomObject",
                                                            "Selected.")) else "Property"
        for n, v in obj.properties():
            vt = short_type(v)
            if kind == "NoteProperty":
                rows.append((n, kind, f"{vt} {n}={to_string(v) if v is not None else 'null'}"))
            else:
                rows.append((n, kind, f"{vt} {n} {{get;set;}}"))
    elif isinstance(obj, PSHashtable):
        rows.append(("Item", "ParameterizedProperty", "System.Object Item(System.Object key) {get;set;}"))
        for n, d in (("Count", "int Count {get;}"), ("IsFixedSize", "bool IsFixedSize {get;}"),
                     ("IsReadOnly", "bool IsReadOnly {get;}"), ("IsSynchronized", "bool IsSynchronized {get;}"),
                     ("Keys", "System.Collections.ICollection Keys {get;}"),
                     ("SyncRoot", "System.Object SyncRoot {get;}"),
                     ("Values", "System.Collections.ICollection Values {get;}")):
            rows.append((n, "Property", d))
    elif isinstance(obj, str):
        rows.append(("Chars", "ParameterizedProperty", "char Chars(int index) {get;}"))
        rows.append(("Length", "Property", "int Length {get;}"))
    else:
        for n in object_property_names(obj):
            rows.append((n, "Property", f"{short_type(get_member(obj, n))} {n} {{get;}}"))
    rows.sort(key=lambda r: (r[1], r[0].casefold()))
    return rows


class GetMember(Builtin):
    name = "Get-Member"
    aliases = ("gm",)
    module = UTILITY
    synopsis = "Gets the properties and methods of objects."
    description = "Lists, per distinct input type, the type name and its members (properties and methods)."
    params = (
        Param("Name", "string[]", position=0, help="Member names to show (wildcards allowed)."),
        Param("InputObject", "object", value_from_pipeline=True, help="The object whose members are retrieved."),
        Param("MemberType", "string[]", aliases=("Type",), help="Member types to show (Property, Method, ...)."),
        Param("Static", "switch"), Param("Force", "switch"), Param("View", "string"),
    )
    examples = (Example("'text' | Get-Member", "Shows the members of System.String."),
                Example("$obj | Get-Member -MemberType NoteProperty", "Shows the properties of a custom object."))

    def begin(self) -> None:
        self._seen: list[str] = []

    def process(self) -> None:
        for obj in _input_items(self):
            if obj is None:
                continue
            key = type_name_of(obj)
            if isinstance(obj, PSObject):
                key += "\0" + "\0".join(n.casefold() for n in obj.property_names())
            if key in self._seen:
                continue
            self._seen.append(key)
            names = [wildcard_to_regex(n) for n in as_list(self.bound.get("Name"))]
            kinds = [to_string(k).casefold() for k in as_list(self.bound.get("MemberType"))]
            for n, mt, d in members_of(obj):
                if names and not any(r.match(n) for r in names):
                    continue
                if kinds and not any(mt.casefold() == k or (k == "properties" and "property" in mt.casefold())
                                     or (k == "methods" and mt == "Method") or k == "all" for k in kinds):
                    continue
                row = PSObject(type_names=(MEMBER_DEFINITION,))
                row.set("TypeName", type_name_of(obj))
                row.set("Name", n)
                row.set("MemberType", mt)
                row.set("Definition", d)
                self.write(row)

    def end(self) -> None:
        if not self._seen:
            raise CmdletError("You must specify an object for the Get-Member cmdlet.", category="CloseError",
                              error_id="NoObjectInGetMember,Microsoft.PowerShell.Commands.GetMemberCommand")


# ----------------------------------------------------------------------------------------------- New-Object
class NewObject(Builtin):
    name = "New-Object"
    module = UTILITY
    synopsis = "Creates an instance of a .NET object."
    description = ("Creates a PSCustomObject (-TypeName PSObject -Property @{...}), a PSCredential, an "
                   "ArrayList/List, a Hashtable, a Uri, a Guid or a DateTime.")
    params = (
        Param("TypeName", "string", mandatory=True, position=0, help="The fully qualified name of the type."),
        Param("ArgumentList", "object[]", position=1, aliases=("Args",), help="Constructor arguments."),
        Param("Property", "hashtable", help="Property values to set on the new object."),
        Param("ComObject", "string"), Param("Strict", "switch"),
    )
    examples = (
        Example("New-Object -TypeName PSObject -Property @{Name='a'; Size=1}", "Creates a custom object."),
        Example("New-Object System.Management.Automation.PSCredential ('user', $secure)", "Creates a credential."),
    )

    def process(self) -> None:
        from azshell.lang.conversions import convert_to
        from azshell.lang.values import PSCredential, SecureString

        raw = to_string(self.bound["TypeName"]).strip()
        t = raw.casefold()
        if t.startswith("system."):
            t = t[7:]
        args = as_list(self.bound.get("ArgumentList"))
        props = self.bound.get("Property")
        obj: Any
        if t in ("psobject", "pscustomobject", "management.automation.psobject", "object"):
            obj = PSObject()
        elif t in ("collections.arraylist",) or t.startswith(("collections.generic.list", "collections.generic.list`1")):
            obj = list(enumerate_value(args[0])) if args and isinstance(args[0], (list, tuple)) else []
        elif t in ("collections.hashtable", "hashtable"):
            obj = PSHashtable()
        elif t in ("collections.specialized.ordereddictionary",) or t.startswith("collections.generic.dictionary"):
            obj = PSHashtable(ordered=True)
        elif t in ("management.automation.pscredential", "pscredential"):
            if len(args) != 2:
                raise CmdletError(
                    f'Cannot find an overload for "PSCredential" and the argument count: "{len(args)}".',
                    category="InvalidOperation",
                    error_id="ConstructorInvokedThrowException,Microsoft.PowerShell.Commands.NewObjectCommand")
            pw = args[1]
            if not isinstance(pw, SecureString):
                raise CmdletError(
                    'Cannot convert argument "password", with value: "' + to_string(pw) + '", for "PSCredential" '
                    'to type "System.Security.SecureString": "Cannot convert the "' + to_string(pw) + '" value of '
                    'type "System.String" to type "System.Security.SecureString"."', category="InvalidOperation",
                    error_id="ConstructorInvokedThrowException,Microsoft.PowerShell.Commands.NewObjectCommand")
            obj = PSCredential(to_string(args[0]), pw)
        elif t in ("uri", "guid", "datetime", "string", "text.stringbuilder", "timespan"):
            if t == "datetime" and len(args) >= 3:
                from datetime import datetime

                nums = [int(to_number(a)) for a in args[:6]] + [0, 0, 0]
                obj = datetime(nums[0], nums[1], nums[2], nums[3], nums[4], nums[5], tzinfo=UTC)
            elif t == "text.stringbuilder":
                obj = to_string(args[0]) if args else ""
            else:
                obj = convert_to(t, args[0] if args else "")
        else:
            raise CmdletError(f"Cannot find type [{raw}]: verify that the assembly containing this type is loaded.",
                              category="InvalidType",
                              error_id="TypeNotFound,Microsoft.PowerShell.Commands.NewObjectCommand", target=raw)
        if isinstance(props, PSHashtable):
            for k, v in props.items():
                if isinstance(obj, PSObject):
                    obj.set(to_string(k), v)
                elif isinstance(obj, PSHashtable):
                    obj[k] = v
        self.write(obj)


# ----------------------------------------------------------------------------------------------- Select-String
MATCH_INFO = "Microsoft.PowerShell.Commands.MatchInfo"


class SelectString(Builtin):
    name = "Select-String"
    aliases = ("sls",)
    module = UTILITY
    synopsis = "Finds text in strings and files."
    description = "Searches input strings or files for a regular expression (or plain text with -SimpleMatch)."
    params = (
        Param("Pattern", "string[]", mandatory=True, position=0, help="The text to find (a regular expression)."),
        Param("Path", "string[]", position=1, help="Files to search."),
        Param("InputObject", "object", value_from_pipeline=True, help="The text to search."),
        Param("SimpleMatch", "switch"), Param("CaseSensitive", "switch"), Param("NotMatch", "switch"),
        Param("AllMatches", "switch"), Param("Quiet", "switch"), Param("List", "switch"), Param("Raw", "switch"),
        Param("Context", "int[]"), Param("Encoding", "string"),
    )
    examples = (Example("'Hello', 'HELLO', 'bye' | Select-String -Pattern 'hello'", "Finds both hellos."),)

    def begin(self) -> None:
        self._found = False
        self._line = 0
        import re

        pats = [to_string(p) for p in as_list(self.bound.get("Pattern"))]
        cs = bool(self.bound.get("CaseSensitive"))
        if self.bound.get("SimpleMatch"):
            pats = [re.escape(p) for p in pats]
        self._rx = [compile_regex(p, cs) for p in pats]
        self._raw_patterns = pats
        for path in as_list(self.bound.get("Path")):
            p = to_string(path)
            try:
                text = self.ctx.fs.read_text(p)
            except OSError:
                from azshell.lang.builtins._util import not_found

                not_found(self, p, "SelectStringCommand")
                continue
            for i, line in enumerate(text.splitlines(), 1):
                self._check(line, i, p)

    def process(self) -> None:
        if self.bound.get("Path"):
            return
        for obj in _input_items(self):
            self._line += 1
            self._check(to_string(obj), self._line, None)

    def _check(self, line: str, number: int, path: str | None) -> None:
        hits = [m for r in self._rx for m in ([*r.finditer(line)] if self.bound.get("AllMatches")
                                               else [x for x in [r.search(line)] if x])]
        matched = bool(hits)
        if self.bound.get("NotMatch"):
            matched = not matched
        if not matched:
            return
        self._found = True
        if self.bound.get("Quiet"):
            return
        if self.bound.get("Raw"):
            self.write(line)
            return
        info = PSObject(type_names=(MATCH_INFO,))
        info.set("IgnoreCase", not self.bound.get("CaseSensitive"))
        info.set("LineNumber", number)
        info.set("Line", line)
        info.set("Filename", path.replace("\\", "/").rsplit("/", 1)[-1] if path else "InputStream")
        info.set("Path", path or "InputStream")
        info.set("Pattern", self._raw_patterns[0] if self._raw_patterns else "")
        info.set("Matches", [m.group(0) for m in hits])
        info.methods["tostring"] = (lambda: line) if path is None else (lambda: f"{path}:{number}:{line}")
        self.write(info)

    def end(self) -> None:
        if self.bound.get("Quiet"):
            self.write(self._found)


def register_views(views: ViewTable) -> None:
    """Add the default views of this module's output types to ``views`` (a registry's table)."""
    views.register(GROUP_INFO, "table", ["Count", "Name", "Group"])
    views.register(MEMBER_DEFINITION, "table", ["Name", "MemberType", "Definition"], group_by="TypeName")
    views.register(MATCH_INFO, "text")
    views.register(TEXT_MEASURE, "table", ["Lines", "Words", "Characters", "Property"])


COMMANDS: list[type[Builtin]] = [
    SelectObject, WhereObject, ForEachObject, SortObject, GroupObject, MeasureObject, CompareObject, GetUnique,
    TeeObject, GetMember, NewObject, SelectString,
]
