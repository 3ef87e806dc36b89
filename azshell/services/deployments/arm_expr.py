"""ARM template language expressions: ``"[concat('a', parameters('b'))]"``, parsed with a lark grammar.

A string value whose first character is ``[`` and last is ``]`` is an expression; ``[[`` escapes a literal
``[``. The grammar is ARM's: function calls, single-quoted string literals (``''`` for a quote), integers, member
access (``.identity.principalId``) and index (``[0]``, ``['key']``). Evaluation is lazy for ``if`` (only the chosen
branch runs). What a function needs from the deployment (parameters, variables, ``reference``, ``listKeys``,
``resourceGroup()``) comes from a :class:`Scope`.

Errors are :class:`TemplateError` carrying ARM's inner text (``Unable to parse language expression …``,
``The template function 'x' is not valid.``, ``The language expression property 'y' doesn't exist, available
properties are 'a, b'.``); the engine wraps them in ARM's envelope with the line and column of the template value.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from functools import lru_cache
from typing import Any, Protocol

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

__all__ = ["FUNCTIONS", "Scope", "TemplateError", "evaluate", "evaluate_value", "function_names", "is_expression",
           "parse",
           "to_text", "unique_string", "arm_guid", "type_name"]

#: The namespace ARM's ``guid()`` hashes its (hyphen-joined) arguments under: a version-5 UUID.
GUID_NAMESPACE = uuid.UUID("11fb06fb-712d-4ddd-98c7-e71bbd588830")
EXPRESSIONS_HELP = "Please see https://aka.ms/arm-template-expressions for usage details."

_GRAMMAR = r"""
?start: expr
?expr: primary
     | expr "." NAME            -> member
     | expr "[" expr "]"        -> index
?primary: call
        | STRING                -> string
        | NUMBER                -> number
call: NAME "(" [expr ("," expr)*] ")"
NAME: /[A-Za-z_][A-Za-z0-9_]*/
STRING: /'(?:[^']|'')*'/
NUMBER: /-?[0-9]+/
%ignore /[ \t\r\n]+/
"""

#: lark terminal names → the token names ARM's messages use
_TOKEN_NAMES = {
    "LPAR": "LeftParenthesis", "RPAR": "RightParenthesis", "COMMA": "Comma", "DOT": "Dot",
    "LSQB": "LeftSquareBracket", "RSQB": "RightSquareBracket", "NAME": "Identifier", "STRING": "Literal",
    "NUMBER": "Integer", "$END": "EndOfData",
}


#: which expected token a parse error names when several would do (the closer before the separator)
_PREFERRED = ("RPAR", "RSQB", "LPAR", "NAME", "COMMA", "DOT", "LSQB", "STRING", "NUMBER", "$END")


class TemplateError(Exception):
    """A template language failure; ``message`` is ARM's inner text."""

    def __init__(self, message: str, *, code: str = "InvalidTemplate", details: list[dict[str, Any]] | None = None,
                 status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details
        self.status = status


class Scope(Protocol):
    """What the functions ask of the deployment being evaluated."""

    def parameter(self, name: str) -> Any: ...
    def variable(self, name: str) -> Any: ...
    def resource_group(self) -> dict[str, Any]: ...
    def subscription(self) -> dict[str, Any]: ...
    def deployment(self) -> dict[str, Any]: ...
    def copy_index(self, loop: str | None) -> int: ...
    def reference(self, target: str, api_version: str | None, full: bool) -> Any: ...
    def list_keys(self, resource_id: str, api_version: str) -> Any: ...


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return Lark(_GRAMMAR, parser="lalr", maybe_placeholders=False)


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and len(value) >= 2 and value[0] == "[" and value[-1] == "]" \
        and not value.startswith("[[")


@lru_cache(maxsize=4096)
def parse(text: str) -> Tree[Token] | Token:
    """The syntax tree of an expression's inside (without the brackets); TemplateError when it does not parse."""
    if not text.strip():
        raise TemplateError(f"Unable to parse language expression '{text}': expected token 'Identifier' and "
                            "actual 'EndOfData'.")
    try:
        tree: Tree[Token] | Token = _parser().parse(text)
    except UnexpectedCharacters as exc:
        pos = exc.pos_in_stream or 0
        raise TemplateError(f"The language expression '{text}' is not valid: the string character "
                            f"'{text[pos:pos + 1]}' at position '{pos}' is not expected.") from None
    except (UnexpectedToken, UnexpectedEOF) as exc:
        expected = set(getattr(exc, "expected", None) or getattr(exc, "accepts", None) or ())
        first = next((t for t in _PREFERRED if t in expected), min(expected) if expected else "$END")
        want = _TOKEN_NAMES.get(first, first)
        tok = getattr(exc, "token", None)
        actual = _TOKEN_NAMES.get(tok.type, tok.type) if isinstance(tok, Token) else "EndOfData"
        raise TemplateError(f"Unable to parse language expression '{text}': expected token '{want}' and actual "
                            f"'{actual}'.") from None
    except UnexpectedInput:
        raise TemplateError(f"Unable to parse language expression '{text}'.") from None
    return tree


def function_names(tree: Tree[Token] | Token) -> list[str]:
    """The names of the functions an expression calls (for the static check before a deployment runs)."""
    if isinstance(tree, Token):
        return []
    names = [str(sub.children[0]) for sub in tree.iter_subtrees() if sub.data == "call"]
    return names


def evaluate_value(value: str, scope: Scope) -> Any:
    """A template string: an expression's value, ``[[…`` unescaped, or the string itself."""
    if is_expression(value):
        return evaluate(value[1:-1], scope)
    if value.startswith("[["):
        return value[1:]
    return value


def evaluate(text: str, scope: Scope) -> Any:
    return _Evaluator(scope).run(parse(text))


# ------------------------------------------------------------------------------------------------ evaluation
def type_name(value: Any) -> str:
    """ARM's name of a value's type (``String``, ``Integer``, ``Boolean``, ``Object``, ``Array``, ``Null``)."""
    if value is None:
        return "Null"
    if isinstance(value, bool):
        return "Boolean"
    if isinstance(value, int):
        return "Integer"
    if isinstance(value, float):
        return "Float"
    if isinstance(value, str):
        return "String"
    if isinstance(value, list):
        return "Array"
    return "Object"


def to_text(value: Any) -> str:
    """``string()``: a string as is, booleans ``True``/``False`` as .NET prints them, objects as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


class _Evaluator:
    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def run(self, node: Tree[Token] | Token) -> Any:
        if isinstance(node, Token):  # pragma: no cover - the grammar wraps literals in trees
            return str(node)
        kind = node.data
        if kind == "string":
            return str(node.children[0])[1:-1].replace("''", "'")
        if kind == "number":
            return int(str(node.children[0]))
        if kind == "member":
            target = self.run(node.children[0])  # type: ignore[arg-type]
            return _member(target, str(node.children[1]))
        if kind == "index":
            target = self.run(node.children[0])  # type: ignore[arg-type]
            key = self.run(node.children[1])  # type: ignore[arg-type]
            return _index(target, key)
        if kind == "call":
            name = str(node.children[0])
            args = [c for c in node.children[1:] if c is not None]
            low = name.lower()
            if low == "if":
                if len(args) != 3:
                    raise TemplateError("The template language function 'if' expects exactly three parameters: "
                                        "the condition, the true value and the false value.")
                cond = self.run(args[0])  # type: ignore[arg-type]
                if not isinstance(cond, bool):
                    raise TemplateError("The template language function 'if' expects its first parameter to be of "
                                        f"type 'Boolean'. The provided value is of type '{type_name(cond)}'.")
                return self.run(args[1] if cond else args[2])  # type: ignore[arg-type]
            fn = FUNCTIONS.get(low)
            if fn is None:
                raise TemplateError(f"The template function '{name}' is not valid. {EXPRESSIONS_HELP}")
            values = [self.run(a) for a in args]  # type: ignore[arg-type]
            try:
                return fn(self.scope, name, values)
            except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as exc:
                # arguments of a kind the function cannot take (min() of a string and an integer...)
                raise TemplateError(f"The template language function '{name}' was invoked with parameters that "
                                    f"are not valid: {exc}. {EXPRESSIONS_HELP}") from None
        raise TemplateError(f"Unable to evaluate language expression '{kind}'.")  # pragma: no cover


def _member(target: Any, name: str) -> Any:
    if isinstance(target, dict):
        for k, v in target.items():
            if k.lower() == name.lower():
                return v
        available = ", ".join(target.keys())
        raise TemplateError(f"The language expression property '{name}' doesn't exist, available properties are "
                            f"'{available}'.")
    raise TemplateError(f"The language expression property '{name}' can't be evaluated, property name must be a "
                        f"string.") if not isinstance(name, str) else TemplateError(
        f"The language expression property '{name}' can't be evaluated.")


def _index(target: Any, key: Any) -> Any:
    if isinstance(target, list):
        if not isinstance(key, int) or isinstance(key, bool):
            raise TemplateError(f"The language expression property array index '{to_text(key)}' is not valid: "
                                "the index must be an integer.")
        if key < 0 or key >= len(target):
            raise TemplateError(f"The language expression property array index '{key}' is out of bounds.")
        return target[key]
    if isinstance(target, dict) and isinstance(key, str):
        return _member(target, key)
    raise TemplateError(f"The language expression property '{to_text(key)}' can't be evaluated.")


# ------------------------------------------------------------------------------------------------- functions
Fn = Callable[[Scope, str, list[Any]], Any]


def _count(name: str, args: list[Any], low: int, high: int | None = None) -> None:
    if len(args) < low or (high is not None and len(args) > high):
        if high == low:
            want = f"exactly {low} parameter{'s' if low != 1 else ''}"
        elif high is None:
            want = f"at least {low} parameter{'s' if low != 1 else ''}"
        else:
            want = f"from {low} to {high} parameters"
        raise TemplateError(f"The template language function '{name}' must have {want}. {EXPRESSIONS_HELP}")


def _str(name: str, value: Any, position: int = 1) -> str:
    if not isinstance(value, str):
        raise TemplateError(f"The template language function '{name}' expects its parameter{_nth(position)} to be "
                            f"of type 'String'. The provided value is of type '{type_name(value)}'. "
                            f"{EXPRESSIONS_HELP}")
    return value


def _int(name: str, value: Any, position: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TemplateError(f"The template language function '{name}' expects its parameter{_nth(position)} to be "
                            f"an integer. The provided value is of type '{type_name(value)}'. {EXPRESSIONS_HELP}")
    return value


def _nth(position: int) -> str:
    return "" if position == 1 else f" at position '{position - 1}'"


def _parameters(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1, 1)
    return scope.parameter(_str(name, args[0]))


def _variables(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1, 1)
    return scope.variable(_str(name, args[0]))


def _concat(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1)
    if all(isinstance(a, list) for a in args):
        return [x for a in args for x in a]
    if any(isinstance(a, (list, dict)) for a in args):
        raise TemplateError("The template language function 'concat' expects its parameters to be either all "
                            "arrays or all primitive values (strings, integers, booleans). "
                            f"{EXPRESSIONS_HELP}")
    return "".join(to_text(a) for a in args)


def _format(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1)
    fmt = _str(name, args[0])
    out: list[str] = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        if c == "{" and fmt.startswith("{{", i):
            out.append("{")
            i += 2
            continue
        if c == "}" and fmt.startswith("}}", i):
            out.append("}")
            i += 2
            continue
        if c == "{":
            end = fmt.find("}", i)
            spec = fmt[i + 1:end] if end > 0 else ""
            index_text = spec.split(":", 1)[0].split(",", 1)[0]
            if end < 0 or not index_text.isdigit() or int(index_text) + 1 >= len(args):
                raise TemplateError("The template language function 'format' failed: 'Index (zero based) must be "
                                    "greater than or equal to zero and less than the size of the argument list.'.")
            out.append(to_text(args[int(index_text) + 1]))
            i = end + 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _split_type(type_text: str) -> list[str]:
    return [p for p in type_text.strip("/").split("/") if p]


def _resource_id_parts(name: str, args: list[Any]) -> tuple[list[str], list[str], list[str]]:
    """(scope parts before the type, the type's segments, the names)."""
    texts = [_str(name, a, i + 1) for i, a in enumerate(args)]
    type_at = next((i for i, t in enumerate(texts) if "/" in t.strip("/") and "." in t.split("/", 1)[0]), None)
    if type_at is None:
        raise TemplateError(f"Unable to evaluate template language function '{name}': function requires exactly one "
                            "multi-segmented argument which must be resource type including resource provider "
                            f"namespace. Current function arguments '{','.join(texts)}'. Please see "
                            f"https://aka.ms/arm-template-expressions/#{name.lower()} for usage details.")
    segs = _split_type(texts[type_at])
    names = texts[type_at + 1:]
    if len(names) != len(segs) - 1:
        raise TemplateError(f"Unable to evaluate template language function '{name}': the type '{'/'.join(segs)}' "
                            f"requires '{len(segs) - 1}' resource name argument(s). Please see "
                            f"https://aka.ms/arm-template-expressions/#{name.lower()} for usage details.")
    return texts[:type_at], segs, names


def provider_path(segs: list[str], names: list[str]) -> str:
    """``providers/NS/t1/n1/t2/n2``."""
    tail = "/".join(f"{t}/{n}" for t, n in zip(segs[1:], names, strict=False))
    return f"providers/{segs[0]}/{tail}"


def _resource_id(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 2)
    before, segs, names = _resource_id_parts(name, args)
    sub = str(scope.subscription()["subscriptionId"])
    rg = str(scope.resource_group()["name"])
    if len(before) == 1:
        rg = before[0]
    elif len(before) == 2:
        sub, rg = before
    elif len(before) > 2:
        raise TemplateError(f"Unable to evaluate template language function '{name}': too many scope arguments.")
    return f"/subscriptions/{sub}/resourceGroups/{rg}/{provider_path(segs, names)}"


def _subscription_resource_id(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 2)
    before, segs, names = _resource_id_parts(name, args)
    sub = before[0] if before else str(scope.subscription()["subscriptionId"])
    return f"/subscriptions/{sub}/{provider_path(segs, names)}"


def _tenant_resource_id(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 2)
    _, segs, names = _resource_id_parts(name, args)
    return f"/{provider_path(segs, names)}"


def _extension_resource_id(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 3)
    base = _str(name, args[0])
    _, segs, names = _resource_id_parts(name, args[1:])
    return f"{base.rstrip('/')}/{provider_path(segs, names)}"


def arm_guid(*parts: str) -> str:
    """``guid(a, b, …)``: the version-5 UUID of ``a-b-…`` under ARM's namespace."""
    return str(uuid.uuid5(GUID_NAMESPACE, "-".join(parts)))


def _guid(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1)
    return arm_guid(*(_str(name, a, i + 1) for i, a in enumerate(args)))


_M32 = 0xFFFFFFFF


def _rotl(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & _M32


def _fmix(h: int) -> int:
    h = ((h ^ (h >> 16)) * 0x85EBCA6B) & _M32
    h = ((h ^ (h >> 13)) * 0xC2B2AE35) & _M32
    return h ^ (h >> 16)


def _murmur64(data: bytes) -> int:
    """The 64-bit MurmurHash variant ARM's ``uniqueString`` uses (two 32-bit lanes, seed 0)."""
    c1, c2 = 0xAB0E9789, 0x239B961B
    h1 = h2 = 0
    n = len(data)
    i = 0
    while i + 8 <= n:
        k1 = int.from_bytes(data[i:i + 4], "little")
        k2 = int.from_bytes(data[i + 4:i + 8], "little")
        h1 ^= _rotl((k1 * c2) & _M32, 15) * c1 & _M32
        h1 = (_rotl(h1, 19) + h2) & _M32
        h1 = (h1 * 5 + 0x561CCD1B) & _M32
        h2 ^= _rotl((k2 * c1) & _M32, 17) * c2 & _M32
        h2 = (_rotl(h2, 13) + h1) & _M32
        h2 = (h2 * 5 + 0x0BCAA747) & _M32
        i += 8
    rest = data[i:]
    if rest:
        k1 = int.from_bytes(rest[:4], "little")
        h1 ^= _rotl((k1 * c2) & _M32, 15) * c1 & _M32
        if len(rest) > 4:
            k2 = int.from_bytes(rest[4:], "little")
            h2 ^= _rotl((k2 * c1) & _M32, 17) * c2 & _M32
    h2 = (h2 ^ n) & _M32
    h1 = ((h1 ^ n) + h2) & _M32
    h2 = (h2 + h1) & _M32
    h1, h2 = _fmix(h1), _fmix(h2)
    h1 = (h1 + h2) & _M32
    h2 = (h2 + h1) & _M32
    return (h2 << 32) | h1


def unique_string(*parts: str) -> str:
    """``uniqueString(a, b, …)``: 13 characters of base32 (``a-z2-7``) of the hash of ``a-b-…``."""
    h = _murmur64("-".join(parts).encode("utf-8"))
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "".join(alphabet[(h >> (59 - 5 * k)) & 31 if k < 12 else (h << 1) & 31] for k in range(13))


def _unique_string(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1)
    return unique_string(*(_str(name, a, i + 1) for i, a in enumerate(args)))


def _reference(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1, 3)
    target = _str(name, args[0])
    api = _str(name, args[1], 2) if len(args) > 1 else None
    full = len(args) > 2 and isinstance(args[2], str) and args[2].lower() == "full"
    return scope.reference(target, api, full)


def _list_keys(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 2, 3)
    return scope.list_keys(_str(name, args[0]), _str(name, args[1], 2))


def _copy_index(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 0, 2)
    loop: str | None = None
    offset = 0
    for a in args:
        if isinstance(a, str):
            loop = a
        else:
            offset = _int(name, a)
    return scope.copy_index(loop) + offset


def _length(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1, 1)
    value = args[0]
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise TemplateError(f"The template language function 'length' expects its parameter to be an array, an object "
                        f"or a string. The provided value is of type '{type_name(value)}'. {EXPRESSIONS_HELP}")


def _empty(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1, 1)
    value = args[0]
    return value is None or (isinstance(value, (str, list, dict)) and len(value) == 0)


def _contains(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 2, 2)
    container, item = args
    if isinstance(container, str):
        return to_text(item) in container
    if isinstance(container, dict):
        return any(k.lower() == to_text(item).lower() for k in container)
    if isinstance(container, list):
        return item in container
    raise TemplateError(f"The template language function 'contains' expects its first parameter to be an array, "
                        f"an object or a string. The provided value is of type '{type_name(container)}'.")


def _equals(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 2, 2)
    a, b = args
    if type_name(a) != type_name(b):
        return False
    return bool(a == b)


def _bool_args(name: str, args: list[Any]) -> list[bool]:
    out = []
    for i, a in enumerate(args):
        if not isinstance(a, bool):
            raise TemplateError(f"The template language function '{name}' expects its parameter{_nth(i + 1)} to be "
                                f"of type 'Boolean'. The provided value is of type '{type_name(a)}'. "
                                f"{EXPRESSIONS_HELP}")
        out.append(a)
    return out


def _and(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 2)
    return all(_bool_args(name, args))


def _or(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 2)
    return any(_bool_args(name, args))


def _not(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1, 1)
    return not _bool_args(name, args)[0]


def _string(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1, 1)
    return to_text(args[0])


def _int_fn(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1, 1)
    value = args[0]
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise TemplateError(f"The template language function 'int' was invoked with a parameter that is not valid. "
                            f"The value cannot be converted to the target type. {EXPRESSIONS_HELP}") from None


def _bool_fn(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1, 1)
    value = args[0]
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise TemplateError(f"The template language function 'bool' was invoked with a parameter that is not valid. "
                        f"The value cannot be converted to the target type. {EXPRESSIONS_HELP}")


def _json_fn(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1, 1)
    try:
        return json.loads(_str(name, args[0]))
    except ValueError:
        raise TemplateError(f"The template language function 'json' parameter is not valid. The provided value "
                            f"'{args[0]}' cannot be parsed as a JSON object. {EXPRESSIONS_HELP}") from None


def _create_object(scope: Scope, name: str, args: list[Any]) -> Any:
    if len(args) % 2:
        raise TemplateError(f"The template language function 'createObject' must have an even number of "
                            f"parameters. {EXPRESSIONS_HELP}")
    return {_str(name, args[i], i + 1): args[i + 1] for i in range(0, len(args), 2)}


def _union(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1)
    if all(isinstance(a, dict) for a in args):
        out: dict[str, Any] = {}
        for a in args:
            out.update(a)
        return out
    if all(isinstance(a, list) for a in args):
        items: list[Any] = []
        for a in args:
            items.extend(x for x in a if x not in items)
        return items
    raise TemplateError(f"The template language function 'union' expects its parameters to be either all arrays "
                        f"or all objects. {EXPRESSIONS_HELP}")


def _split(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 2, 2)
    text = _str(name, args[0])
    seps = args[1] if isinstance(args[1], list) else [args[1]]
    parts = [text]
    for sep in seps:
        parts = [p for part in parts for p in part.split(_str(name, sep, 2))]
    return parts


def _replace(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 3, 3)
    return _str(name, args[0]).replace(_str(name, args[1], 2), _str(name, args[2], 3))


def _substring(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1, 3)
    text = _str(name, args[0])
    start = _int(name, args[1], 2) if len(args) > 1 else 0
    length = _int(name, args[2], 3) if len(args) > 2 else len(text) - start
    if start < 0 or start > len(text) or length < 0 or start + length > len(text):
        raise TemplateError(f"The template language function 'substring' parameters are out of range: 'start index' "
                            f"and 'length' must be non-negative integers and their sum must be no more than the "
                            f"length of the string parameter. {EXPRESSIONS_HELP}")
    return text[start:start + length]


def _arith(op: Callable[[int, int], int]) -> Fn:
    def fn(scope: Scope, name: str, args: list[Any]) -> Any:
        _count(name, args, 2, 2)
        a, b = _int(name, args[0], 1), _int(name, args[1], 2)
        if name.lower() in ("div", "mod") and b == 0:
            raise TemplateError(f"The template language function '{name}' cannot divide by zero. {EXPRESSIONS_HELP}")
        return op(a, b)

    return fn


def _div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def _mod(a: int, b: int) -> int:
    return a - b * _div(a, b)


def _base64(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1, 1)
    return base64.b64encode(_str(name, args[0]).encode()).decode()


def _first(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1, 1)
    value = args[0]
    return value[0] if isinstance(value, (list, str)) and value else None


def _last(scope: Scope, name: str, args: list[Any]) -> Any:
    _count(name, args, 1, 1)
    value = args[0]
    return value[-1] if isinstance(value, (list, str)) and value else None


def _on_string(op: Callable[..., Any], count: int = 1) -> Fn:
    """A function of ``count`` strings."""

    def call(scope: Scope, name: str, args: list[Any]) -> Any:
        _count(name, args, count, count)
        return op(*(_str(name, a, i + 1) for i, a in enumerate(args)))

    return call


def _of_scope(get: Callable[[Scope], Any]) -> Fn:
    def call(scope: Scope, name: str, args: list[Any]) -> Any:
        _count(name, args, 0, 0)
        return get(scope)

    return call


def _plain(fn: Callable[[list[Any]], Any], low: int, high: int | None) -> Fn:
    def call(scope: Scope, name: str, args: list[Any]) -> Any:
        _count(name, args, low, high)
        return fn(args)

    return call


FUNCTIONS: dict[str, Fn] = {
    "parameters": _parameters,
    "variables": _variables,
    "concat": _concat,
    "format": _format,
    "resourceid": _resource_id,
    "subscriptionresourceid": _subscription_resource_id,
    "tenantresourceid": _tenant_resource_id,
    "extensionresourceid": _extension_resource_id,
    "subscription": _of_scope(lambda s: s.subscription()),
    "resourcegroup": _of_scope(lambda s: s.resource_group()),
    "deployment": _of_scope(lambda s: s.deployment()),
    "reference": _reference,
    "listkeys": _list_keys,
    "guid": _guid,
    "uniquestring": _unique_string,
    "tolower": _on_string(str.lower),
    "toupper": _on_string(str.upper),
    "trim": _on_string(str.strip),
    "equals": _equals,
    "and": _and,
    "or": _or,
    "not": _not,
    "true": _plain(lambda a: True, 0, 0),
    "false": _plain(lambda a: False, 0, 0),
    "null": _plain(lambda a: None, 0, 0),
    "length": _length,
    "empty": _empty,
    "contains": _contains,
    "string": _string,
    "int": _int_fn,
    "bool": _bool_fn,
    "json": _json_fn,
    "createarray": _plain(lambda a: list(a), 0, None),
    "array": _plain(lambda a: a[0] if isinstance(a[0], list) else [a[0]], 1, 1),
    "createobject": _create_object,
    "union": _union,
    "split": _split,
    "replace": _replace,
    "substring": _substring,
    "startswith": _on_string(lambda a, b: a.lower().startswith(b.lower()), 2),
    "endswith": _on_string(lambda a, b: a.lower().endswith(b.lower()), 2),
    "add": _arith(lambda a, b: a + b),
    "sub": _arith(lambda a, b: a - b),
    "mul": _arith(lambda a, b: a * b),
    "div": _arith(_div),
    "mod": _arith(_mod),
    "min": _plain(lambda a: min(a[0] if len(a) == 1 and isinstance(a[0], list) else a), 1, None),
    "max": _plain(lambda a: max(a[0] if len(a) == 1 and isinstance(a[0], list) else a), 1, None),
    "base64": _base64,
    "first": _first,
    "last": _last,
    "copyindex": _copy_index,
}
