"""Parameter binding, shared by cmdlets and advanced functions (both declare :class:`~azshell.lang.cmdlet.Param`).

The evaluator turns a command's elements into :class:`ArgItem` s (``-Name``, values, splatted pairs); the
binder pairs names with values following PowerShell's rules (unambiguous prefixes, aliases, switches,
``-Name:value``, positional by ``Position``, ``ValueFromRemainingArguments``), picks the parameter set,
converts and validates values, then binds pipeline input per item (by value, then by property name).
Errors are :class:`BindingError` with PowerShell's words and ids (the evaluator appends ``,<command>``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from azshell.lang.cmdlet import ALL_PARAMETER_SETS, Param
from azshell.lang.errors import LangError, Span
from azshell.lang.numbers import plain_number

COMMON_PARAMS: tuple[Param, ...] = (
    Param("Verbose", "switch", aliases=("vb",)),
    Param("Debug", "switch", aliases=("db",)),
    Param("ErrorAction", "string", aliases=("ea",)),
    Param("WarningAction", "string", aliases=("wa",)),
    Param("InformationAction", "string", aliases=("infa",)),
    Param("ErrorVariable", "string", aliases=("ev",)),
    Param("WarningVariable", "string", aliases=("wv",)),
    Param("InformationVariable", "string", aliases=("iv",)),
    Param("OutVariable", "string", aliases=("ov",)),
    Param("OutBuffer", "int", aliases=("ob",)),
    Param("PipelineVariable", "string", aliases=("pv",)),
    Param("ProgressAction", "string", aliases=("proga",)),
)
SHOULD_PROCESS_PARAMS: tuple[Param, ...] = (
    Param("WhatIf", "switch", aliases=("wi",)),
    Param("Confirm", "switch", aliases=("cf",)),
)
COMMON_NAMES = frozenset(p.name.casefold() for p in COMMON_PARAMS + SHOULD_PROCESS_PARAMS)
ACTION_VALUES = ("SilentlyContinue", "Stop", "Continue", "Inquire", "Ignore", "Suspend", "Break")

_TYPE_NAMES = {
    "string": "System.String", "int": "System.Int32", "long": "System.Int64", "double": "System.Double",
    "bool": "System.Boolean", "switch": "System.Management.Automation.SwitchParameter", "object": "System.Object",
    "hashtable": "System.Collections.Hashtable", "scriptblock": "System.Management.Automation.ScriptBlock",
    "securestring": "System.Security.SecureString", "datetime": "System.DateTime",
    "pscredential": "System.Management.Automation.PSCredential", "guid": "System.Guid", "uri": "System.Uri",
    "psobject": "System.Management.Automation.PSObject", "char": "System.Char", "byte": "System.Byte",
}


def dotnet_type_name(type_name: str) -> str:
    """'string' -> 'System.String', 'string[]' -> 'System.String[]'."""
    base = type_name[:-2] if type_name.endswith("[]") else type_name
    suffix = "[]" if type_name.endswith("[]") else ""
    full = _TYPE_NAMES.get(base.casefold())
    if full is None:
        try:
            from azshell.lang.conversions import full_type_name

            full = full_type_name(base) or base
        except Exception:  # pragma: no cover - defensive
            full = base
    return full + suffix


class BindingError(LangError):
    """A parameter binding failure; ``error_id`` is the short id (``NamedParameterNotFound``)."""

    def __init__(self, message: str, error_id: str, *, category: str = "InvalidArgument", span: Span | None = None,
                 suggestion: str | None = None, target: Any = None) -> None:
        super().__init__(message, span)
        self.error_id = error_id
        self.category = category
        self.suggestion = suggestion
        self.target = target


@dataclass
class ArgItem:
    """One element of a command line: a parameter name (``kind='param'``) or a value."""

    kind: str  # "param" | "value"
    value: Any = None
    name: str = ""
    colon: bool = False
    span: Span | None = None
    text: str = ""
    #: a splatted hashtable entry: the name and the value come together
    splatted: bool = False


@dataclass
class BindResult:
    bound: dict[str, Any]
    parameter_set: str | None
    common: dict[str, Any] = field(default_factory=dict)
    #: parameters left for pipeline binding
    pipeline_params: list[Param] = field(default_factory=list)
    bound_by_pipeline: set[str] = field(default_factory=set)


class Binder:
    """Binds one invocation of a command. Create one per invocation; call :meth:`bind` then
    :meth:`bind_pipeline` for each input object, then :meth:`check_mandatory` as needed."""

    def __init__(self, command_name: str, params: tuple[Param, ...], *, default_set: str | None = None,
                 should_process: bool = False, is_function: bool = False, include_common: bool = True,
                 dynamic: bool = False) -> None:
        self.command_name = command_name
        #: ``-Name value`` pairs no declared parameter matches, for a cmdlet with dynamic parameters (None: refused)
        self.dynamic: dict[str, Any] | None = {} if dynamic else None
        self.declared = params
        extra = (COMMON_PARAMS + (SHOULD_PROCESS_PARAMS if should_process else ())) if include_common else ()
        self.all_params: tuple[Param, ...] = params + tuple(p for p in extra if not any(
            d.name.casefold() == p.name.casefold() for d in params))
        self.default_set = default_set
        self.is_function = is_function
        self.sets: set[str] = set()
        for p in params:
            self.sets.update(p.parameter_sets)
        self.candidates: set[str] = set(self.sets)
        self.bound: dict[str, Any] = {}
        self.common: dict[str, Any] = {}
        self.explicit: set[str] = set()

    # name resolution -------------------------------------------------------------------------------
    def resolve(self, name: str, span: Span | None) -> Param:
        key = name.casefold()
        for p in self.all_params:
            if p.name.casefold() == key or any(a.casefold() == key for a in p.aliases):
                return p
        matches = [p for p in self.all_params if p.name.casefold().startswith(key)
                   or any(a.casefold().startswith(key) for a in p.aliases)]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            declared = [p for p in matches if p.name.casefold() not in COMMON_NAMES]
            if len(declared) == 1 and len(matches) > 1 and all(
                    p.name.casefold() in COMMON_NAMES for p in matches if p is not declared[0]):
                return declared[0]
            names = " ".join("-" + p.name for p in matches)
            raise BindingError(
                f"Parameter cannot be processed because the parameter name '{name}' is ambiguous. "
                f"Possible matches include: {names}.", "AmbiguousParameter", span=span)
        candidates = [p.name for p in self.declared]
        import difflib

        close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
        if not close:
            low = {c.casefold(): c for c in candidates}
            close = [low[c] for c in difflib.get_close_matches(key, list(low), n=1, cutoff=0.6)]
        suggestion = f"Did you mean -{close[0]}?" if close else None
        raise BindingError(f"A parameter cannot be found that matches parameter name '{name}'.",
                           "NamedParameterNotFound", span=span, suggestion=suggestion)

    # main binding ----------------------------------------------------------------------------------
    def bind(self, items: list[ArgItem]) -> BindResult:
        if self.takes_raw_arguments():
            return self._bind_raw(items)
        positional: list[ArgItem] = []
        i = 0
        n = len(items)
        while i < n:
            item = items[i]
            if item.kind != "param":
                positional.append(item)
                i += 1
                continue
            if self.is_function and self.remaining_param is not None and not item.splatted and self._is_dynamic(item):
                # no such parameter, but one takes the remaining arguments: '-q' is one of them, as typed
                positional.append(ArgItem("value", item.text or f"-{item.name}", span=item.span, text=item.text))
                if item.colon and item.value is not None:
                    positional.append(ArgItem("value", item.value, span=item.span))
                i += 1
                continue
            if self.dynamic is not None and self._is_dynamic(item):
                taken = item.colon or item.splatted or not (i + 1 < n and items[i + 1].kind == "value")
                self.dynamic[item.name] = item.value if item.colon or item.splatted else (
                    True if taken else items[i + 1].value)
                i += 1 if taken else 2
                continue
            p = self.resolve(item.name, item.span)
            if p.is_switch:
                value: Any = True if not item.colon else item.value
                if item.colon and not item.splatted and item.value is None and not item.text:
                    value = True
                self._bind_named(p, value, item)
                i += 1
                continue
            if item.colon or item.splatted:
                self._bind_named(p, item.value, item)
                i += 1
                continue
            if i + 1 < n and items[i + 1].kind == "value":
                self._bind_named(p, items[i + 1].value, item)
                i += 2
                continue
            raise BindingError(
                f"Missing an argument for parameter '{p.name}'. Specify a parameter of type "
                f"'{dotnet_type_name(p.type)}' and try again.", "MissingArgument", span=item.span)
        self._bind_positional(positional)
        return BindResult(self.bound, None, self.common)

    @property
    def remaining_param(self) -> Param | None:
        """The parameter that takes the remaining arguments, if any."""
        return next((p for p in self.declared if p.value_from_remaining_arguments), None)

    def _is_dynamic(self, item: ArgItem) -> bool:
        """Does ``-name`` match no declared (or common) parameter, so it is a dynamic one?"""
        try:
            self.resolve(item.name, item.span)
        except BindingError as exc:
            return exc.error_id == "NamedParameterNotFound"
        return False

    def takes_raw_arguments(self) -> bool:
        """True for a cmdlet whose only parameter takes the remaining arguments (``curl``, ``az``): like a native
        command it gets every token as given, ``-H``, ``-i`` and ``--data`` included, and no common parameters."""
        return (not self.is_function and len(self.declared) == 1
                and self.declared[0].value_from_remaining_arguments)

    def _bind_raw(self, items: list[ArgItem]) -> BindResult:
        from azshell.lang.conversions import to_string

        values: list[Any] = []
        for item in items:
            if item.kind != "param":
                values.append(item.value)
            elif item.splatted:
                values.append(f"-{item.name}")
                if item.value is not True:
                    values.append(item.value)
            elif item.colon and item.value is not None:
                values.append(f"-{item.name}:{to_string(item.value)}")
            else:
                values.append(item.text or f"-{item.name}")
        if values:
            p = self.declared[0]
            self.bound[p.name] = values
            self.explicit.add(p.name)
        return BindResult(self.bound, None, self.common)

    def _bind_named(self, p: Param, value: Any, item: ArgItem) -> None:
        key = p.name
        if key in self.bound or key in self.common:
            raise BindingError(
                f"Cannot bind parameter because parameter '{p.name}' is specified more than once. To provide "
                "multiple values to parameters that can accept multiple values, use the array syntax. For example, "
                '"-parameter value1,value2,value3".', "ParameterAlreadyBound", span=item.span)
        if p.name.casefold() in COMMON_NAMES and not any(d is p for d in self.declared):
            self.common[p.name] = self._convert_common(p, value, item)
            return
        self._restrict_sets(p)
        self.bound[key] = self.convert(p, value, item.span)
        self.explicit.add(key)

    def _convert_common(self, p: Param, value: Any, item: ArgItem) -> Any:
        if p.is_switch:
            from azshell.lang.conversions import to_bool

            return to_bool(value)
        if p.name.endswith("Action"):
            text = str(value) if value is not None else ""
            for v in ACTION_VALUES:
                if v.casefold() == text.casefold():
                    return v
            raise BindingError(
                f"Cannot bind parameter '{p.name}'. Cannot convert value \"{text}\" to type "
                '"System.Management.Automation.ActionPreference". Error: "Unable to match the identifier name '
                f"{text} to a valid enumerator name. Specify one of the following enumerator names and try again:\n"
                'SilentlyContinue, Stop, Continue, Inquire, Ignore, Suspend, Break"',
                "CannotConvertArgumentNoMessage", span=item.span)
        if p.type == "int":
            return self.convert(p, value, item.span)
        return "" if value is None else str(value)

    def _restrict_sets(self, p: Param) -> None:
        if p.parameter_sets and ALL_PARAMETER_SETS not in p.parameter_sets and self.sets:
            new = self.candidates & set(p.parameter_sets)
            if not new:
                raise BindingError("Parameter set cannot be resolved using the specified named parameters.",
                                   "AmbiguousParameterSet")
            self.candidates = new

    def _in_candidates(self, p: Param) -> bool:
        if not p.parameter_sets or ALL_PARAMETER_SETS in p.parameter_sets or not self.sets:
            return True
        return bool(self.candidates & set(p.parameter_sets))

    def _bind_positional(self, values: list[ArgItem]) -> None:
        if not values:
            return
        remaining = next((p for p in self.declared if p.value_from_remaining_arguments), None)
        queue = list(values)
        while queue:
            # the default parameter set's parameter wins a position two sets share
            slots = sorted((p for p in self.declared if p.position is not None and p.name not in self.bound
                            and self._in_candidates(p)),
                           key=lambda p: (p.position or 0, 0 if self.default_set in p.parameter_sets else 1))
            if slots:
                item = queue.pop(0)
                p = slots[0]
                self._restrict_sets(p)
                self.bound[p.name] = self.convert(p, item.value, item.span)
                self.explicit.add(p.name)
                continue
            if remaining is not None:
                rest = [it.value for it in queue]
                prior = self.bound.get(remaining.name)
                merged = (prior if isinstance(prior, list) else [] if prior is None else [prior]) + rest
                self.bound[remaining.name] = self.convert(remaining, merged, queue[0].span)
                return
            item = queue[0]
            raise BindingError(f"A positional parameter cannot be found that accepts argument '{_arg_text(item)}'.",
                               "PositionalParameterNotFound", span=item.span)

    # conversion and validation ---------------------------------------------------------------------
    def convert(self, p: Param, value: Any, span: Span | None) -> Any:
        from azshell.lang import conversions as conv

        t = p.type.casefold()
        literal = getattr(value, "literal_text", None)
        if literal is not None:
            if t == "string":
                self.validate(p, literal, span)
                return literal
            value = plain_number(value)
        if t == "switch":
            return conv.to_bool(value)
        if value is None:
            self._validate_null(p, span)
            return None
        try:
            if t in ("object", ""):
                out = value
            elif t == "object[]":
                out = value if isinstance(value, list) else [value]
            elif t == "scriptblock":
                if type(value).__name__ != "ScriptBlock":
                    raise conv.ConversionError(value, "System.Management.Automation.ScriptBlock")
                out = value
            elif t == "string" and isinstance(value, list):
                out = " ".join(conv.to_string(v) for v in value)
            else:
                out = conv.convert_to(p.type, value)
        except (conv.ConversionError, ValueError, TypeError) as exc:
            message = getattr(exc, "message", str(exc))
            if self.is_function:
                raise BindingError(f"Cannot process argument transformation on parameter '{p.name}'. {message}",
                                   "ParameterArgumentTransformationError", span=span) from None
            raise BindingError(f"Cannot bind parameter '{p.name}'. {message}", "CannotConvertArgumentNoMessage",
                               span=span) from None
        self.validate(p, out, span)
        return out

    def _validate_null(self, p: Param, span: Span | None) -> None:
        if p.validate_not_null_or_empty:
            raise BindingError(
                f"Cannot validate argument on parameter '{p.name}'. The argument is null or empty. Provide an "
                "argument that is not null or empty, and then try the command again.",
                "ParameterArgumentValidationError", span=span)
        if p.mandatory and not p.allow_null:
            raise BindingError(f"Cannot bind argument to parameter '{p.name}' because it is null.",
                               "ParameterArgumentValidationErrorNullNotAllowed", span=span)

    def validate(self, p: Param, value: Any, span: Span | None) -> None:
        from azshell.lang.conversions import to_string

        items = value if isinstance(value, list) else [value]
        if p.mandatory:
            if isinstance(value, list) and not value and not p.allow_empty_collection:
                raise BindingError(f"Cannot bind argument to parameter '{p.name}' because it is an empty array.",
                                   "ParameterArgumentValidationErrorEmptyArrayNotAllowed", span=span)
            if p.type.casefold().startswith("string") and not p.allow_empty_string and any(v == "" for v in items):
                raise BindingError(f"Cannot bind argument to parameter '{p.name}' because it is an empty string.",
                                   "ParameterArgumentValidationErrorEmptyStringNotAllowed", span=span)
        if p.validate_not_null_or_empty:
            if (isinstance(value, list) and not value) or any(v is None or v == "" for v in items):
                raise BindingError(
                    f"Cannot validate argument on parameter '{p.name}'. The argument is null or empty. Provide an "
                    "argument that is not null or empty, and then try the command again.",
                    "ParameterArgumentValidationError", span=span)
        custom = dict(p.validate_messages)
        invalid = f"Cannot validate argument on parameter '{p.name}'. "
        if p.validate_pattern is not None:
            import re

            from azshell.lang.conversions import translate_regex

            rx = re.compile(translate_regex(p.validate_pattern), re.IGNORECASE)
            for v in items:
                if v is not None and not rx.search(to_string(v)):
                    text = custom["pattern"].format(to_string(v), p.validate_pattern) if "pattern" in custom else (
                        f"The argument \"{to_string(v)}\" does not match the \"{p.validate_pattern}\" pattern. Supply "
                        f"an argument that matches \"{p.validate_pattern}\" and try the command again.")
                    raise BindingError(invalid + text, "ParameterArgumentValidationError", span=span)
        if p.validate_script is not None:
            script_text, check = p.validate_script
            for v in items:
                if not check(v):
                    text = custom["script"].format(to_string(v), script_text) if "script" in custom else (
                        f"The \"{script_text}\" validation script for the argument with value \"{to_string(v)}\" did "
                        "not return a result of True. Determine why the validation script failed, and then try the "
                        "command again.")
                    raise BindingError(invalid + text, "ParameterArgumentValidationError", span=span)
        if p.validate_length is not None:
            lo_len, hi_len = p.validate_length
            for v in items:
                n = len(to_string(v))
                if n < lo_len:
                    raise BindingError(invalid + f"The character length ({n}) of the argument is too short. Specify "
                                       f"an argument with a length that is greater than or equal to \"{lo_len}\", and "
                                       "then try the command again.", "ParameterArgumentValidationError", span=span)
                if n > hi_len:
                    raise BindingError(invalid + f"The character length of the {n} argument is too long. Shorten "
                                       "the character length of the argument so it is fewer than or equal to "
                                       f"\"{hi_len}\" characters, and then try the command again.",
                                       "ParameterArgumentValidationError", span=span)
        if p.validate_count is not None:
            lo_n, hi_n = p.validate_count
            n = len(value) if isinstance(value, list) else (0 if value is None else 1)
            if n < lo_n:
                raise BindingError(invalid + f"The parameter requires at least {lo_n} value(s) and only {n} value(s) "
                                   "were supplied.", "ParameterArgumentValidationError", span=span)
            if n > hi_n:
                raise BindingError(invalid + f"The parameter requires at most {hi_n} value(s), but {n} value(s) were "
                                   "supplied.", "ParameterArgumentValidationError", span=span)
        if p.validate_set is not None:
            allowed = {s.casefold() for s in p.validate_set}
            for v in items:
                if to_string(v).casefold() not in allowed and "set" in custom:
                    raise BindingError(invalid + custom["set"].format(to_string(v), ",".join(p.validate_set)),
                                       "ParameterArgumentValidationError", span=span)
                if to_string(v).casefold() not in allowed:
                    raise BindingError(
                        f"Cannot validate argument on parameter '{p.name}'. The argument \"{to_string(v)}\" does not "
                        f"belong to the set \"{','.join(p.validate_set)}\" specified by the ValidateSet attribute. "
                        "Supply an argument that is in the set and then try the command again.",
                        "ParameterArgumentValidationError", span=span)
        if p.validate_range is not None:
            lo, hi = p.validate_range
            for v in items:
                if not isinstance(v, (int, float)) or isinstance(v, bool):
                    continue
                if v < lo:
                    raise BindingError(
                        f"Cannot validate argument on parameter '{p.name}'. The {to_string(v)} argument is less than "
                        f"the minimum allowed range of {_num(lo)}. Supply an argument that is greater than or equal "
                        f"to {_num(lo)} and then try the command again.", "ParameterArgumentValidationError", span=span)
                if v > hi:
                    raise BindingError(
                        f"Cannot validate argument on parameter '{p.name}'. The {to_string(v)} argument is greater "
                        f"than the maximum allowed range of {_num(hi)}. Supply an argument that is less than or equal "
                        f"to {_num(hi)} and then try the command again.", "ParameterArgumentValidationError", span=span)

    # parameter sets and mandatory ------------------------------------------------------------------
    def expects_pipeline(self) -> list[Param]:
        return [p for p in self.declared if (p.value_from_pipeline or p.value_from_pipeline_by_property_name)]

    def resolve_set(self, *, has_input: bool) -> str | None:
        """Pick the parameter set; raise AmbiguousParameterSet when it cannot be decided."""
        if not self.sets:
            return self.default_set
        cands = set(self.candidates)
        if len(cands) == 1:
            return next(iter(cands))

        def satisfied(s: str) -> bool:
            for p in self.declared:
                if not p.mandatory or p.name in self.bound:
                    continue
                if p.parameter_sets and s not in p.parameter_sets and ALL_PARAMETER_SETS not in p.parameter_sets:
                    continue
                if has_input and (p.value_from_pipeline or p.value_from_pipeline_by_property_name):
                    continue
                return False
            return True

        ok = [s for s in sorted(cands) if satisfied(s)]
        if self.default_set in cands and (self.default_set in ok or not ok):
            return self.default_set
        if len(ok) == 1:
            return ok[0]
        raise BindingError("Parameter set cannot be resolved using the specified named parameters.",
                           "AmbiguousParameterSet")

    def missing_mandatory(self, parameter_set: str | None, *, has_input: bool) -> list[str]:
        missing: list[str] = []
        for p in self.declared:
            if not p.mandatory or p.name in self.bound:
                continue
            if parameter_set and p.parameter_sets and parameter_set not in p.parameter_sets \
                    and ALL_PARAMETER_SETS not in p.parameter_sets:
                continue
            if has_input and (p.value_from_pipeline or p.value_from_pipeline_by_property_name):
                continue
            missing.append(p.name)
        return missing

    def check_mandatory(self, parameter_set: str | None, *, has_input: bool) -> None:
        missing = self.missing_mandatory(parameter_set, has_input=has_input)
        if missing:
            raise BindingError(
                "Cannot process command because of one or more missing mandatory parameters: "
                f"{' '.join(missing)}.", "MissingMandatoryParameter")

    # pipeline --------------------------------------------------------------------------------------
    def bind_pipeline(self, item: Any, parameter_set: str | None) -> dict[str, Any]:
        """Bind one pipeline object; returns the parameters bound for this item (the binder's ``bound`` is
        left untouched, so each item starts from the command-line values)."""

        def eligible(p: Param) -> bool:
            if p.name in self.explicit:
                return False
            if parameter_set and p.parameter_sets and parameter_set not in p.parameter_sets \
                    and ALL_PARAMETER_SETS not in p.parameter_sets:
                return False
            return True

        result: dict[str, Any] = {}
        by_value = [p for p in self.declared if p.value_from_pipeline and eligible(p)]
        if item is None:
            strict = next((p for p in by_value if p.mandatory and not p.allow_null and p.type != "object"), None)
            if strict is not None:  # `$null | ConvertFrom-Json`: PowerShell refuses the null for the parameter
                raise BindingError(f"Cannot bind argument to parameter '{strict.name}' because it is null.",
                                   "ParameterArgumentValidationErrorNullNotAllowed", target=item)
        # exact type first, then with conversion
        for p in by_value:
            if _type_matches(p.type, item):
                result[p.name] = [item] if p.type.endswith("[]") and not isinstance(item, list) else item
                break
        else:
            for p in by_value:
                if p.type.casefold() in ("hashtable", "scriptblock") or p.type.casefold().startswith("pscustom"):
                    continue
                try:
                    result[p.name] = self.convert(p, item, None)
                    break
                except BindingError:
                    continue
        for p in self.declared:
            if not p.value_from_pipeline_by_property_name or not eligible(p) or p.name in result:
                continue
            for nm in (p.name, *p.aliases):
                found, value = _property(item, nm)
                if found:
                    try:
                        result[p.name] = self.convert(p, value, None)
                    except BindingError:
                        if not result:
                            raise
                    break
        if not result and (by_value or any(p.value_from_pipeline_by_property_name for p in self.declared)):
            raise BindingError(
                "The input object cannot be bound to any parameters for the command either because the command "
                "does not take pipeline input or the input and its properties do not match any of the parameters "
                "that take pipeline input.", "InputObjectNotBound", target=item)
        if not result:
            raise BindingError(
                "The input object cannot be bound to any parameters for the command either because the command "
                "does not take pipeline input or the input and its properties do not match any of the parameters "
                "that take pipeline input.", "InputObjectNotBound", target=item)
        return result


def _property(item: Any, name: str) -> tuple[bool, Any]:
    from azshell.lang.values import PSHashtable, PSObject

    if isinstance(item, PSObject):
        if item.has(name):
            return True, item.get(name)
        return False, None
    if isinstance(item, PSHashtable):
        return False, None
    members = getattr(item, "ps_members", None)
    if callable(members):
        table = members()
        if isinstance(table, dict):
            for k, v in table.items():
                if k.casefold() == name.casefold():
                    return True, v
    return False, None


def _type_matches(type_name: str, item: Any) -> bool:
    t = type_name.casefold()
    if t.endswith("[]"):
        t = t[:-2]
    if t in ("object", "psobject", ""):
        return True
    if t == "string":
        return isinstance(item, str)
    if t in ("int", "long"):
        return isinstance(item, int) and not isinstance(item, bool)
    if t == "double":
        return isinstance(item, float)
    if t == "bool":
        return isinstance(item, bool)
    if t == "hashtable":
        from azshell.lang.values import PSHashtable

        return isinstance(item, PSHashtable)
    if t == "scriptblock":
        return type(item).__name__ == "ScriptBlock"
    try:
        from azshell.lang.conversions import is_instance_of

        return bool(is_instance_of(item, type_name))
    except Exception:
        return False


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


def _arg_text(item: ArgItem) -> str:
    if item.text:
        return item.text
    from azshell.lang.conversions import to_string

    return to_string(item.value)
