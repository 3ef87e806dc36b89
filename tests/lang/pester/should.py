"""``Should`` as Pester 5 spells it, a test-only cmdlet for the conformance harness.

The comparisons themselves are the language's: ``-Be`` calls a script block ``{ param($a, $b) $a -eq $b }``
defined in the harness prelude, so what is being tested is azshell's own ``-eq``, ``-like``, ``-match``, ``-is``
and ``-contains``, not a Python re-implementation. A failed assertion raises a terminating error
(``CmdletError``), which the harness's ``try``/``catch`` around the ``It`` body records as the failure.
"""

from __future__ import annotations

from typing import Any

from azshell.lang.cmdlet import Cmdlet, CmdletError, Param
from azshell.lang.errors import RuntimeLangError

_OPERATORS = (
    "Be", "BeExactly", "BeNullOrEmpty", "BeTrue", "BeFalse", "Throw", "BeOfType", "BeLike", "BeLikeExactly",
    "Match", "MatchExactly", "Contain", "BeIn", "BeGreaterThan", "BeLessThan", "BeGreaterOrEqual",
    "BeLessOrEqual", "HaveCount", "Exist",
)


class PesterFailure(CmdletError):
    pass


class Should(Cmdlet):
    name = "Should"
    params = (
        Param("ActualValue", value_from_pipeline=True),
        Param("Not", "switch"),
        *(Param(op, "switch") for op in _OPERATORS),
        Param("ExpectedValue", position=0),
        Param("ExpectedMessage"),
        Param("ErrorId"),
        Param("ExceptionType"),
        Param("Because"),
        Param("PassThru", "switch"),
        Param("ActualValueAlias", aliases=("Actual",)),
    )

    def begin(self) -> None:
        self._items: list[Any] = []
        self._piped = False

    def process(self) -> None:
        if "ActualValue" in self.params:
            self._piped = True
            self._items.append(self.params["ActualValue"])

    def end(self) -> None:
        p = self.params
        ops = [op for op in _OPERATORS if p.get(op)]
        if len(ops) != 1:
            raise CmdletError(f"Should: exactly one assertion operator expected, got {ops or 'none'}")
        op = ops[0]
        actual: Any
        if not self._items:
            actual = None
        elif len(self._items) == 1:
            actual = self._items[0]
        else:
            actual = list(self._items)
        expected = p.get("ExpectedValue")
        negate = bool(p.get("Not"))
        if op == "Throw":
            self._throw(actual, negate)
            return
        ok, what = self._check(op, actual, expected)
        if ok == negate:
            neg = "not " if negate else ""
            raise PesterFailure(f"Expected {neg}{what}, but got {_show(actual)}.", error_id="PesterAssertionFailed")

    # ------------------------------------------------------------------------------------------------------
    def _lang(self, name: str, *args: Any) -> Any:
        block = self.ctx.get_variable(f"__pester_{name}")
        out = self.ctx.invoke_script_block(block, list(args))
        return out[0] if len(out) == 1 else out

    def _check(self, op: str, actual: Any, expected: Any) -> tuple[bool, str]:
        if op in ("Be", "BeExactly"):
            fn = "eq" if op == "Be" else "ceq"
            if isinstance(actual, list) or isinstance(expected, list):
                a = actual if isinstance(actual, list) else [actual]
                e = expected if isinstance(expected, list) else [expected]
                ok = len(a) == len(e) and all(bool(self._lang(fn, y, x)) for x, y in zip(a, e, strict=False))
            else:
                # Pester compares with the expected value on the left: its type decides the conversion
                ok = bool(self._lang(fn, expected, actual))
            return ok, _show(expected)
        if op == "BeNullOrEmpty":
            ok = actual is None or actual == "" or (isinstance(actual, list) and len(actual) == 0)
            return ok, "$null or empty"
        if op == "BeTrue":
            return bool(self._lang("bool", actual)), "$true"
        if op == "BeFalse":
            return not bool(self._lang("bool", actual)), "$false"
        if op == "BeOfType":
            return bool(self._lang("is", actual, expected)), f"a value of type {expected}"
        if op in ("BeLike", "BeLikeExactly"):
            return bool(self._lang("like" if op == "BeLike" else "clike", actual, expected)), f"like {_show(expected)}"
        if op in ("Match", "MatchExactly"):
            return bool(self._lang("match" if op == "Match" else "cmatch", actual, expected)), \
                f"to match {_show(expected)}"
        if op == "Contain":
            coll = actual if isinstance(actual, list) else [actual]
            return bool(self._lang("contains", coll, expected)), f"to contain {_show(expected)}"
        if op == "BeIn":
            coll = expected if isinstance(expected, list) else [expected]
            return bool(self._lang("contains", coll, actual)), f"to be in {_show(expected)}"
        if op in ("BeGreaterThan", "BeLessThan", "BeGreaterOrEqual", "BeLessOrEqual"):
            fn = {"BeGreaterThan": "gt", "BeLessThan": "lt", "BeGreaterOrEqual": "ge", "BeLessOrEqual": "le"}[op]
            return bool(self._lang(fn, actual, expected)), f"{fn} {_show(expected)}"
        if op == "HaveCount":
            n = 0 if actual is None else len(actual) if isinstance(actual, list) else 1
            return n == int(expected), f"a collection of {expected} items"
        if op == "Exist":
            return bool(self.ctx.fs.exists(str(actual))), "the path to exist"
        raise CmdletError(f"Should -{op} is not supported by the harness")  # pragma: no cover

    def _throw(self, actual: Any, negate: bool) -> None:
        p = self.params
        record = None
        try:
            self.ctx.invoke_script_block(actual, [])
        except RuntimeLangError as exc:
            record = exc.record
        except CmdletError as exc:
            record = exc
        if negate:
            if record is not None:
                raise PesterFailure(f"Expected no exception to be thrown, but an exception \"{_msg(record)}\" was "
                                    "thrown.", error_id="PesterAssertionFailed")
            return
        if record is None:
            raise PesterFailure("Expected an exception to be thrown, but no exception was thrown.",
                                error_id="PesterAssertionFailed")
        if p.get("ExpectedMessage") is not None and not bool(self._lang("like", _msg(record), p["ExpectedMessage"])):
            raise PesterFailure(f"Expected an exception with message like '{p['ExpectedMessage']}' to be thrown, but "
                                f"the message was '{_msg(record)}'.", error_id="PesterAssertionFailed")
        if p.get("ErrorId") is not None:
            fqid = _fqid(record)
            if not bool(self._lang("like", fqid, f"*{p['ErrorId']}*")):
                raise PesterFailure(f"Expected an exception with FullyQualifiedErrorId '{p['ErrorId']}' to be thrown,"
                                    f" but it was '{fqid}'.", error_id="PesterAssertionFailed")
        if p.get("ExceptionType") is not None:
            wanted = str(p["ExceptionType"]).strip("[]").rsplit(".", 1)[-1].lower()
            got = str(getattr(record, "exception_type", "") or "").rsplit(".", 1)[-1].lower()
            if wanted not in (got, "exception") and not (wanted == "runtimeexception" and got):
                raise PesterFailure(f"Expected an exception of type [{p['ExceptionType']}] to be thrown, but got "
                                    f"[{got}].", error_id="PesterAssertionFailed")
        if p.get("PassThru"):
            self.write(record)


def _msg(record: Any) -> str:
    return str(getattr(record, "message", record))


def _fqid(record: Any) -> str:
    fq = getattr(record, "fully_qualified_error_id", None)
    return str(fq if fq is not None else getattr(record, "error_id", ""))


def _show(v: Any) -> str:
    if v is None:
        return "$null"
    if isinstance(v, str):
        return f"'{v}'"
    if isinstance(v, list):
        return "@(" + ", ".join(_show(x) for x in v) + ")"
    return str(v)


#: the language-level comparisons Should uses, defined in every harness engine
PRELUDE = "\n".join((
    "$__pester_eq = { param($a, $b) $a -eq $b }",
    "$__pester_ceq = { param($a, $b) $a -ceq $b }",
    "$__pester_bool = { param($a) [bool]$a }",
    "$__pester_is = { param($a, $b) if ($b -is [type]) { $a -is $b } else { $a -is [type]\"$b\" } }",
    "$__pester_like = { param($a, $b) $a -like $b }",
    "$__pester_clike = { param($a, $b) $a -clike $b }",
    "$__pester_match = { param($a, $b) $a -match $b }",
    "$__pester_cmatch = { param($a, $b) $a -cmatch $b }",
    "$__pester_contains = { param($a, $b) $a -contains $b }",
    "$__pester_gt = { param($a, $b) $a -gt $b }",
    "$__pester_lt = { param($a, $b) $a -lt $b }",
    "$__pester_ge = { param($a, $b) $a -ge $b }",
    "$__pester_le = { param($a, $b) $a -le $b }",
))
