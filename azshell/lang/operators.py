"""Operator semantics: unary and binary operators, comparisons, ``-match``/``-replace``/``-split``, ranges,
``?:`` and ``??``. Arithmetic follows PowerShell's widening (int → double on overflow) and .NET's ``%``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from azshell.lang import ast as A
from azshell.lang import conversions as conv
from azshell.lang.errors import ErrorRecord, RuntimeLangError
from azshell.lang.numbers import Char
from azshell.lang.runtime import VOID, ScriptBlock, TypeRef, norm_type, unroll, unwrap
from azshell.lang.state import EvaluatorState
from azshell.lang.values import PSCredential, PSHashtable, PSObject, SecureString


class OperatorsMixin(EvaluatorState):
    """``visit_UnaryOp``/``visit_BinaryOp`` and :meth:`binary` (also used by ``+=`` and friends)."""

    def visit_UnaryOp(self, node: A.UnaryOp) -> Any:
        op = node.op
        if op in ("++", "--"):
            old = self.eval(node.operand)
            new = self.binary("+" if op == "++" else "-", 0 if old is None else old, 1, node)
            self.assign(node.operand, new)
            return old if node.postfix else new
        v = self.eval(node.operand)
        if op in ("-not", "!"):
            return not conv.to_bool(v)
        if op == ",":
            return [v]
        if op == "-":
            return self.binary("*", conv.to_number(v), -1, node)
        if op == "+":
            return conv.to_number(v)
        if op == "-bnot":
            return ~int(conv.to_number(v))
        if op == "-join":
            return "".join(conv.to_string(x) for x in unroll(v))
        if op in ("-split", "-isplit", "-csplit"):
            out: list[str] = []
            for x in unroll(v):
                out.extend(s for s in re.split(r"\s+", conv.to_string(x).strip()) if s)
            return out
        raise self.record_at(node, f"Unsupported unary operator '{op}'.", error_id="NotSupported")

    def visit_BinaryOp(self, node: A.BinaryOp) -> Any:
        op = node.op
        if op == "-and":
            return conv.to_bool(self.eval(node.left)) and conv.to_bool(self.eval(node.right))
        if op == "-or":
            return conv.to_bool(self.eval(node.left)) or conv.to_bool(self.eval(node.right))
        left = self.eval(node.left)
        if op in ("-is", "-isnot", "-as"):
            rv = self.eval(node.right)  # a type literal PowerShell does not know fails here (TypeNotFound)
            tname = rv.name if isinstance(rv, TypeRef) else conv.to_string(rv)
            if not isinstance(rv, TypeRef) and not (conv.valid_type_name(tname) and (
                    conv.is_known_type(tname) or tname.casefold().startswith(("system.", "microsoft.")))):
                if op == "-as":
                    return None
                raise self.record_at(node.right, f'Cannot convert the "{tname}" value of type '
                                     f'"{conv.type_name_of(rv)}" to type "System.Type".', error_id="RuntimeException")
            if op == "-as":
                try:
                    return self.cast(tname, left, node)
                except (conv.ConversionError, RuntimeLangError, ValueError, TypeError):
                    return None
            result = _is_type(left, tname)
            return result if op == "-is" else not result
        right = self.eval(node.right)
        return self.binary(op, left, right, node)

    def binary(self, op: str, left: Any, right: Any, node: A.Node) -> Any:
        if left is VOID:
            left = None
        if right is VOID:
            right = None
        if op == "+":
            return self._add(left, right, node)
        if op in ("-", "*", "/", "%"):
            return self._arith(op, left, right, node)
        if op == "-xor":
            return conv.to_bool(left) != conv.to_bool(right)
        if op == "-f":
            return conv.format_operator(left, right if isinstance(right, list) else [right])
        if op in ("-band", "-bor", "-bxor", "-shl", "-shr"):
            a, b = int(conv.to_number(left)), int(conv.to_number(right))
            return {"-band": a & b, "-bor": a | b, "-bxor": a ^ b, "-shl": a << b, "-shr": a >> b}[op]
        if op == "-join":
            sep = conv.to_string(right)
            return sep.join(conv.to_string(x) for x in unroll(left))
        base = op[1:]
        cs = False
        if base[0] in "ci" and base[1:] in _CMP_BASES:
            cs = base[0] == "c"
            base = base[1:]
        if base == "replace":
            pat, rep = (right[0], right[1] if len(right) > 1 else "") if isinstance(right, list) else (right, "")
            if isinstance(rep, ScriptBlock):
                return self._replace_sb(left, pat, rep, cs)
            if isinstance(left, list):
                return [conv.ps_replace(conv.to_string(x), pat, rep, cs) for x in left]
            return conv.ps_replace(conv.to_string(left), pat, rep, cs)
        if base == "split":
            return self._split(left, right, cs)
        if base in ("contains", "notcontains"):
            r = conv.ps_contains(left, right, cs)
            return r if base == "contains" else not r
        if base in ("in", "notin"):
            r = conv.ps_contains(right, left, cs)
            return r if base == "in" else not r
        fn = _COMPARATORS.get(base)
        if fn is None:
            raise self.record_at(node, f"Unsupported operator '{op}'.", error_id="NotSupported")
        if isinstance(left, (list, tuple)):
            if base in ("match", "notmatch"):
                return [x for x in left if (conv.ps_match(conv.to_string(x), right, cs) is not None) == (base == "match")]
            return [x for x in left if fn(x, right, cs)]
        if base in ("match", "notmatch"):
            m = conv.ps_match(conv.to_string(left), right, cs)
            if m is not None:
                self.set_variable("Matches", conv.matches_table(m))
            return (m is not None) == (base == "match")
        return fn(left, right, cs)

    def _replace_sb(self, left: Any, pat: Any, sb: ScriptBlock, cs: bool) -> Any:
        rx = conv.compile_regex(conv.to_string(pat), cs)

        def one(s: str) -> str:
            def repl(m: re.Match[str]) -> str:
                mo = PSObject([("Value", m.group(0)), ("Index", m.start()), ("Length", len(m.group(0))),
                               ("Groups", [PSObject([("Value", g or "")]) for g in (m.group(0), *m.groups())])],
                              ("System.Text.RegularExpressions.Match",))
                out = self.invoke_script_block(sb, [], dollar_under=mo)
                return conv.to_string(out[0] if len(out) == 1 else out)
            return rx.sub(repl, s)
        if isinstance(left, list):
            return [one(conv.to_string(x)) for x in left]
        return one(conv.to_string(left))

    def _split(self, left: Any, right: Any, cs: bool) -> Any:
        """``left -split pattern[, max[, options]]`` as PowerShell splits: ``max`` > 0 gives at most that many
        pieces from the left, < 0 from the right, 0 all; options ``SimpleMatch`` or ``RegexMatch`` (with
        ``IgnoreCase``, ``Multiline``, ``Singleline``, ``IgnorePatternWhitespace``, ``ExplicitCapture``,
        ``CultureInvariant``); a script block decides per character."""
        parts = right if isinstance(right, list) else [right]
        pat = parts[0]
        limit = int(conv.to_number(parts[1])) if len(parts) > 1 and parts[1] is not None else 0
        options = {o.strip().casefold() for o in conv.to_string(parts[2]).split(",") if o.strip()} \
            if len(parts) > 2 and parts[2] is not None else set()
        known = {"simplematch", "regexmatch", "cultureinvariant", "ignorepatternwhitespace", "multiline",
                 "singleline", "ignorecase", "explicitcapture", "none"}
        bad = options - known
        if bad:
            raise RuntimeLangError(ErrorRecord(
                f"Cannot convert value \"{conv.to_string(parts[2])}\" to type "
                "\"System.Management.Automation.SplitOptions\". Error: \"Unable to match the identifier name "
                f"{sorted(bad)[0]} to a valid enumerator name. Specify one of the following enumerator names and try "
                "again:\nSimpleMatch, RegexMatch, CultureInvariant, IgnorePatternWhitespace, Multiline, Singleline, "
                "IgnoreCase, ExplicitCapture\"", category="InvalidArgument", error_id="InvalidCastFromStringToType"))
        simple = "simplematch" in options
        if simple and options & {"regexmatch", "multiline", "singleline", "ignorepatternwhitespace",
                                  "explicitcapture"}:
            # INFERRED: the message (the error id is PowerShell's, from its own tests)
            raise RuntimeLangError(ErrorRecord(
                "Cannot use the specified split option combination." if "regexmatch" not in options else
                "Cannot use the 'RegexMatch' and 'SimpleMatch' options together.",
                category="InvalidOperation", error_id="InvalidSplitOptionCombination"))
        if "ignorecase" in options:
            cs = False
        out: list[str] = []
        for x in unroll(left):
            s = conv.to_string(x)
            spans: list[tuple[int, int, tuple[str, ...]]]
            if isinstance(pat, ScriptBlock):
                cuts = [i for i, ch in enumerate(s)
                        if conv.to_bool(unwrap(self.invoke_script_block(pat, [ch, i], dollar_under=ch)))]
                spans = [(i, i + 1, ()) for i in cuts]
            else:
                text = conv.to_string(pat)
                flags = 0 if cs else re.IGNORECASE
                if simple:
                    rx = re.compile(re.escape(text), flags)
                else:
                    flags |= (re.MULTILINE if "multiline" in options else 0) \
                        | (re.DOTALL if "singleline" in options else 0) \
                        | (re.VERBOSE if "ignorepatternwhitespace" in options else 0)
                    source = conv.translate_regex(text)
                    if "explicitcapture" in options:
                        source = re.sub(r"(?<!\\)\((?!\?)", "(?:", source)
                    try:
                        rx = re.compile(source, flags)
                    except re.error:
                        rx = conv.compile_regex(text, cs)  # raises with .NET's wording
                spans = [(m.start(), m.end(), tuple(g for g in m.groups() if g is not None))
                         for m in rx.finditer(s) if m.end() > m.start() or 0 < m.start() < len(s)]
            if limit > 0:
                spans = spans[:limit - 1]
            elif limit < 0:
                keep = -limit - 1
                spans = spans[max(0, len(spans) - keep):] if keep > 0 else []
            pos = 0
            for a, b, groups in spans:
                out.append(s[pos:a])
                out.extend(groups)
                pos = b
            out.append(s[pos:])
        return out

    def _add(self, left: Any, right: Any, node: A.Node) -> Any:
        if left is None:
            return right if not isinstance(right, list) else list(right)
        if isinstance(left, list):
            return left + (right if isinstance(right, list) else [right])
        if isinstance(left, PSHashtable):
            if not isinstance(right, PSHashtable):
                raise self.record_at(node, "A hash table can only be added to another hash table.",
                                     error_id="AddHashTableToNonHashTable")
            out = left.copy()
            for k, v in right.items():
                if k in out:
                    raise self.record_at(node, f"Item has already been added. Key in dictionary: '{k}'  Key being "
                                         f"added: '{k}'", error_id="DuplicateKey",
                                         exception_type="System.ArgumentException")
                out[k] = v
            return out
        if isinstance(left, str):
            return left + conv.to_string(right)
        if isinstance(left, datetime) and isinstance(right, timedelta):
            return left + right
        if isinstance(left, timedelta) and isinstance(right, timedelta):
            return left + right
        if isinstance(left, (int, float)):
            r = _num_operand(right, left, node, self)
            return _norm_int(left + r)
        raise self.record_at(node, f"Method invocation failed because [{conv.type_name_of(left)}] does not contain "
                             "a method named 'op_Addition'.", error_id="MethodNotFound")

    def _arith(self, op: str, left: Any, right: Any, node: A.Node) -> Any:
        if op == "*":
            if isinstance(left, str):
                return left * max(0, int(conv.to_number(right)))
            if isinstance(left, list):
                return left * max(0, int(conv.to_number(right)))
        if op == "-":
            if isinstance(left, datetime):
                if isinstance(right, datetime):
                    return left - right
                if isinstance(right, timedelta):
                    return left - right
            if isinstance(left, timedelta) and isinstance(right, timedelta):
                return left - right
        if isinstance(left, list) or isinstance(left, (PSHashtable, PSObject)):
            raise self.record_at(node, f"Method invocation failed because [{conv.type_name_of(left)}] does not "
                                 f"contain a method named '{_OP_METHOD[op]}'.", error_id="MethodNotFound")
        a = 0 if left is None else conv.to_number(left)
        b = _num_operand(right, a, node, self) if right is not None else 0
        if op == "-":
            return _norm_int(a - b)
        if op == "*":
            return _norm_int(a * b)
        if b == 0:
            raise self.record_at(node, "Attempted to divide by zero.", error_id="RuntimeException",
                                 category="NotSpecified", exception_type="System.DivideByZeroException")
        if op == "/":
            if isinstance(a, int) and isinstance(b, int) and a % b == 0:
                return a // b
            return a / b
        # % follows the sign of the dividend, as in .NET
        if isinstance(a, int) and isinstance(b, int):
            return int(math.fmod(a, b))
        return math.fmod(a, b)

    def visit_Range(self, node: A.Range) -> Any:
        a = self.eval(node.start)
        b = self.eval(node.end)
        if isinstance(a, str) and isinstance(b, str) and len(a) == 1 and len(b) == 1 and (
                not (a.isdigit() and b.isdigit()) or (isinstance(a, Char) and isinstance(b, Char))):
            # 'a'..'e' is a range of [char] ('0'..'9' stays numbers, [char]'0'..[char]'9' does not)
            start, stop = ord(a), ord(b)
            step = 1 if stop >= start else -1
            return [Char(chr(c)) for c in range(start, stop + step, step)]
        lo = conv.to_index(a)
        hi = conv.to_index(b)
        if abs(hi - lo) > 50_000_000:
            raise self.record_at(node, "The range is too large: the maximum is 50000000 items.",
                                 error_id="RangeTooLarge")
        step = 1 if hi >= lo else -1
        return list(range(lo, hi + step, step))

    def visit_Ternary(self, node: A.Ternary) -> Any:
        return self.eval(node.if_true) if conv.to_bool(self.eval(node.condition)) else self.eval(node.if_false)

    def visit_NullCoalesce(self, node: A.NullCoalesce) -> Any:
        left = self.eval(node.left)
        return self.eval(node.right) if left is None else left


_CMP_BASES = frozenset({"eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch", "contains",
                        "notcontains", "in", "notin", "replace", "split"})


def _safe_compare(a: Any, b: Any, cs: bool) -> int:
    return conv.ps_compare(a, b, cs)


_COMPARATORS: dict[str, Callable[[Any, Any, bool], bool]] = {
    "eq": lambda a, b, cs: conv.ps_equals(a, b, cs),
    "ne": lambda a, b, cs: not conv.ps_equals(a, b, cs),
    "gt": lambda a, b, cs: _safe_compare(a, b, cs) > 0,
    "ge": lambda a, b, cs: _safe_compare(a, b, cs) >= 0,
    "lt": lambda a, b, cs: _safe_compare(a, b, cs) < 0,
    "le": lambda a, b, cs: _safe_compare(a, b, cs) <= 0,
    "like": lambda a, b, cs: conv.ps_like(conv.to_string(a), b, cs),
    "notlike": lambda a, b, cs: not conv.ps_like(conv.to_string(a), b, cs),
    "match": lambda a, b, cs: conv.ps_match(conv.to_string(a), b, cs) is not None,
    "notmatch": lambda a, b, cs: conv.ps_match(conv.to_string(a), b, cs) is None,
}

_OP_METHOD = {"-": "op_Subtraction", "*": "op_Multiply", "/": "op_Division", "%": "op_Modulus"}


def _num_operand(right: Any, left: Any, node: A.Node, ev: EvaluatorState) -> int | float:
    if isinstance(right, list):
        raise ev.record_at(node, f'Cannot convert the "System.Object[]" value of type "System.Object[]" to type '
                           f'"{conv.type_name_of(left)}".', error_id="ConvertToFinalInvalidCastException",
                           category="InvalidArgument",
                           exception_type="System.Management.Automation.PSInvalidCastException")
    return conv.to_number(right)


def _norm_int(v: Any) -> Any:
    if isinstance(v, int) and not isinstance(v, bool) and not (-(2**63) <= v < 2**63):
        return float(v)
    return v


def _is_type(v: Any, type_name: str) -> bool:
    t = norm_type(type_name)
    if t == "scriptblock" or t == "management.automation.scriptblock":
        return isinstance(v, ScriptBlock)
    if t in ("management.automation.errorrecord", "errorrecord"):
        return isinstance(v, ErrorRecord)
    if t in ("securestring", "security.securestring"):
        return isinstance(v, SecureString)
    if t in ("pscredential", "management.automation.pscredential"):
        return isinstance(v, PSCredential)
    if t in ("type", "runtimetype"):
        return isinstance(v, TypeRef)
    return bool(conv.is_instance_of(v, type_name))
