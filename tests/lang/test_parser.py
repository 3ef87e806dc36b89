"""Parser tests: AST shapes, PowerShell's error messages, is_complete."""

from __future__ import annotations

import pytest

from azshell.lang import ast as A
from azshell.lang.errors import ParseError
from azshell.lang.parser import is_complete, parse


def first(text: str) -> A.Statement:
    return parse(text).block.end.statements[0]  # type: ignore[union-attr]


def expr(text: str) -> A.Expr:
    st = first(text)
    assert isinstance(st, A.Pipeline)
    el = st.elements[0]
    assert isinstance(el, A.CommandExpression)
    return el.expression


SHAPES = [
    ("1 + 2 * 3", lambda e: isinstance(e, A.BinaryOp) and e.op == "+" and isinstance(e.right, A.BinaryOp)),
    ("1,2 + 3", lambda e: isinstance(e, A.BinaryOp) and isinstance(e.left, A.ArrayLiteral)),
    ("-not $a -eq $b", lambda e: isinstance(e, A.BinaryOp) and isinstance(e.left, A.UnaryOp)),
    ("$a -and $b -or $c", lambda e: isinstance(e, A.BinaryOp) and e.op == "-or"),
    ("[int]$x + 1", lambda e: isinstance(e, A.BinaryOp) and isinstance(e.left, A.Convert)),
    ("[int]::MaxValue", lambda e: isinstance(e, A.StaticMember) and e.name == "MaxValue"),
    ("[uri]::EscapeDataString('x')", lambda e: isinstance(e, A.StaticCall) and len(e.args) == 1),
    ("$a.b.c", lambda e: isinstance(e, A.Member) and isinstance(e.target, A.Member)),
    ("$a.M(1, 2)", lambda e: isinstance(e, A.MethodCall) and len(e.args) == 2),
    ("$a[0][1]", lambda e: isinstance(e, A.Index) and isinstance(e.target, A.Index)),
    ("$a ? 1 : 2", lambda e: isinstance(e, A.Ternary)),
    ("$a ?? 1", lambda e: isinstance(e, A.NullCoalesce)),
    ("1..5", lambda e: isinstance(e, A.Range)),
    ("@{a=1; b=2}", lambda e: isinstance(e, A.Hashtable) and len(e.pairs) == 2),
    ("[ordered]@{a=1}", lambda e: isinstance(e, A.Convert) and e.type_name == "ordered"),
    ("{ param($x) $x }", lambda e: isinstance(e, A.ScriptBlockExpression) and e.block.param_block is not None),
    ('"a $b"', lambda e: isinstance(e, A.ExpandableString) and isinstance(e.parts[1], A.Variable)),
    ("$env:X", lambda e: isinstance(e, A.Variable) and e.scope == "env"),
    ("$i++", lambda e: isinstance(e, A.UnaryOp) and e.postfix),
    ("(Get-Thing).Name", lambda e: isinstance(e, A.Member) and isinstance(e.target, A.Paren)),
    ("@(1)", lambda e: isinstance(e, A.ArrayExpression)),
    ("$(1)", lambda e: isinstance(e, A.SubExpression)),
    ("-split 'a b'", lambda e: isinstance(e, A.UnaryOp) and e.op == "-split"),
    ("'a' -f 1, 2", lambda e: isinstance(e, A.BinaryOp) and isinstance(e.right, A.ArrayLiteral)),
]


@pytest.mark.parametrize(("text", "check"), SHAPES, ids=[s[0] for s in SHAPES])
def test_expression_shapes(text: str, check: object) -> None:
    assert check(expr(text))  # type: ignore[operator]


def test_command_elements() -> None:
    st = first("Get-Thing -Name a -Force:$false b,c @p > out.txt")
    assert isinstance(st, A.Pipeline)
    cmd = st.elements[0]
    assert isinstance(cmd, A.Command)
    kinds = [type(e).__name__ for e in cmd.elements]
    assert kinds == ["CommandParameter", "StringConstant", "CommandParameter", "ArrayLiteral", "Variable"]
    force = cmd.elements[2]
    assert isinstance(force, A.CommandParameter) and force.colon and force.argument is not None
    assert cmd.redirections[0].target is not None


STATEMENTS = [
    ("if ($a) { 1 } elseif ($b) { 2 } else { 3 }", A.If),
    ("while ($true) { break }", A.While),
    ("do { 1 } while ($false)", A.DoWhile),
    ("do { 1 } until ($true)", A.DoUntil),
    ("for ($i = 0; $i -lt 3; $i++) { $i }", A.For),
    ("foreach ($x in 1..3) { $x }", A.Foreach),
    ("switch -Regex ($x) { 'a' { 1 } default { 2 } }", A.Switch),
    ("try { 1 } catch [System.Exception] { 2 } finally { 3 }", A.Try),
    ("throw 'x'", A.Throw),
    ("return 1", A.Return),
    ("exit 1", A.Exit),
    ("function f($a) { $a }", A.FunctionDefinition),
    ("filter f { $_ }", A.FunctionDefinition),
    ("$a, $b = 1, 2", A.Assignment),
    ("$h.k += 1", A.Assignment),
    ("a && b", A.PipelineChain),
    ("& $sb 1", A.Pipeline),
    (". ./x.ps1", A.Pipeline),
]


@pytest.mark.parametrize(("text", "cls"), STATEMENTS, ids=[s[0] for s in STATEMENTS])
def test_statements(text: str, cls: type) -> None:
    assert isinstance(first(text), cls)


def test_advanced_function() -> None:
    st = first("""function Get-X {
    [CmdletBinding(DefaultParameterSetName='A')]
    param(
        [Parameter(Mandatory, Position=0, ValueFromPipeline)]
        [ValidateSet('a','b')]
        [Alias('N')]
        [string]$Name = 'a',
        [switch]$Force
    )
    begin { 1 } process { 2 } end { 3 }
}""")
    assert isinstance(st, A.FunctionDefinition)
    pb = st.body.param_block
    assert pb is not None and pb.attributes[0].name == "CmdletBinding"
    name = pb.parameters[0]
    assert name.type_name == "string" and name.default is not None
    assert [a.name for a in name.attributes] == ["Parameter", "ValidateSet", "Alias"]
    assert dict(name.attributes[0].named)["Mandatory"] is None
    assert st.body.begin and st.body.process and st.body.end


ERRORS = [
    ("$x = )", "You must provide a value expression following the '=' operator.", False, 5),
    ("if ($x) {", "Missing closing '}' in statement block or type definition.", True, 9),
    ("@{ a = 1", "The hash literal was incomplete.", True, None),
    ("1 +", "You must provide a value expression following the '+' operator.", True, 4),
    ("-", "Missing expression after unary operator '-'.", True, 2),
    ("$s.Substring(1", "Missing ')' in method call.", True, None),
    ("1 2", "Unexpected token '2' in expression or statement.", False, 3),
    ("a | | b", "An empty pipe element is not allowed.", False, 3),
    ("x -Name <y>", "The '<' operator is reserved for future use.", False, 9),
    ("if (1) ", "Missing statement block after if ( condition ).", True, None),
    ("function f", "Missing function body in function declaration.", True, None),
    ("try { }", "The Try statement is missing its Catch or Finally block.", True, None),
    ("1 = 2", "The assignment expression is not valid. The input to an assignment operator must be an object "
     "that is able to accept assignments, such as a variable or a property.", False, 1),
]


@pytest.mark.parametrize(("text", "message", "incomplete", "col"), ERRORS, ids=[e[0] for e in ERRORS])
def test_errors(text: str, message: str, incomplete: bool, col: int | None) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.message == message
    assert info.value.incomplete is incomplete
    if col is not None:
        assert info.value.span is not None and info.value.span.col == col


COMPLETENESS = [
    ("Get-Thing", "complete"), ("", "complete"), ("# only a comment", "complete"),
    ("if ($x) {", "incomplete"), ("foo (", "incomplete"), ("@{ a = 1", "incomplete"), ('"abc', "incomplete"),
    ("'abc", "incomplete"), ("@\"\nx", "incomplete"), ("foo |", "incomplete"), ("foo `", "incomplete"),
    ("if ($x)", "incomplete"), ("function f {", "incomplete"), ("$a = @(", "incomplete"), ("1 +", "incomplete"),
    ("<# x", "incomplete"), ("$x = )", "invalid"), ("}", "invalid"), ("x <y>", "invalid"),
    ("try { 1 }\ncatch { 2 }", "complete"), ("switch (1) {", "incomplete"),
]


@pytest.mark.parametrize(("text", "state"), COMPLETENESS, ids=[c[0] or "empty" for c in COMPLETENESS])
def test_is_complete(text: str, state: str) -> None:
    assert is_complete(text) == state


def test_spans_are_precise() -> None:
    st = first("Get-Thing -Nme x")
    assert isinstance(st, A.Pipeline)
    cmd = st.elements[0]
    assert isinstance(cmd, A.Command)
    p = cmd.elements[0]
    assert (p.span.col, p.span.end_offset - p.span.offset) == (11, 4)


def test_multiline_and_separators() -> None:
    script = parse("$a = 1\n$b = 2; $c = 3\n\n# c\n$a")
    assert script.block.end is not None and len(script.block.end.statements) == 4
