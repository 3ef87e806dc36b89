"""Recursive-descent parser for the PowerShell subset; each method's docstring holds its grammar rule.

``parse(text) -> Script`` raises :class:`~azshell.lang.errors.ParseError` with PowerShell's wording and the
offending position. An error found at the end of the input is *incomplete* (more lines could fix it), which
``is_complete`` reports to the REPL and the kernel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, NoReturn

from azshell.lang import ast as A
from azshell.lang.errors import ParseError, Span
from azshell.lang.lexer import Lexer, Mode, SourceMap
from azshell.lang.tokens import (
    ASSIGNMENT_OPERATORS,
    T_EOF,
    T_GENERIC,
    T_IDENT,
    T_LT,
    T_NEWLINE,
    T_NUMBER,
    T_OP,
    T_PARAMETER,
    T_REDIRECTION,
    T_SEMI,
    T_SPLAT,
    T_STRING,
    T_VARIABLE,
    T_XSTRING,
    SubPart,
    Token,
    VarPart,
)

_LOGICAL = frozenset({"-and", "-or", "-xor"})
_BITWISE = frozenset({"-band", "-bor", "-bxor", "-shl", "-shr"})
_COMPARISON = frozenset(
    {p + b for b in ("eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch", "contains",
                     "notcontains", "in", "notin", "replace", "split") for p in ("-", "-i", "-c")}
    | {"-join", "-is", "-isnot", "-as"}
)
_ADDITIVE = frozenset({"+", "-"})
_MULTIPLICATIVE = frozenset({"*", "/", "%"})
_UNARY = frozenset({"-not", "!", "-bnot", "-join", "-split", "-isplit", "-csplit", "-", "+", "++", "--", ","})
_STATEMENT_END = frozenset({")", "}", "|", "&&", "||"})
_KEYWORD_STATEMENTS = frozenset({
    "if", "while", "for", "foreach", "do", "switch", "try", "throw", "break", "continue", "return", "exit",
    "function", "filter", "trap", "class", "enum", "using",
})
#: statements that end with their own closing brace, after which another statement may follow on the same line
_BRACE_ENDED = (A.If, A.While, A.For, A.Foreach, A.Switch, A.Try, A.Trap, A.FunctionDefinition)
_SWITCH_FLAGS = {"regex": "regex", "wildcard": "wildcard", "exact": "exact", "casesensitive": "casesensitive",
                 "file": "file", "parallel": "parallel"}


_NEWLINE_CHARS = frozenset("\r\n")
_SEPARATOR_CHARS = frozenset("\r\n;")


class Parser:
    """Parses one text. ``limit`` restricts parsing to ``text[:limit]`` (used for ``$( )`` inside strings)."""

    __slots__ = ("text", "lx", "src", "pos", "last_end", "limit", "_caches", "_expr", "_start", "_cmd", "_lim",
                 "_one_line", "_clear_at", "_clear_of_semi")

    def __init__(self, text: str, *, lexer: Lexer | None = None, start: int = 0, limit: int | None = None) -> None:
        self.text = text
        self.lx = lexer or Lexer(text)
        self.src: SourceMap = self.lx.source
        self.pos = start
        self.last_end = start
        self.limit = limit
        self._caches = self.lx.caches
        self._expr = self._caches["expr"]
        self._start = self._caches["start"]
        self._cmd = self._caches["cmd"]
        self._lim = limit if limit is not None else self.lx.n + 1
        self._one_line: bool = self.src.one_line
        self._clear_at = -1  # an offset where _skip found no NEWLINE (nor SEMI, if _clear_of_semi) to skip
        self._clear_of_semi = False

    # token plumbing ---------------------------------------------------------------------------------
    def peek(self, mode: Mode = "expr") -> Token:
        tok = self._caches[mode].get(self.pos)
        if tok is None:
            tok = self.lx.scan(self.pos, mode)
        if tok.start >= self._lim:
            return Token(T_EOF, "", self._lim, self._lim)
        return tok

    def peek_expr(self) -> Token:
        """``peek("expr")``, the most frequent call of all, without the mode table lookup."""
        tok = self._expr.get(self.pos)
        if tok is None:
            tok = self.lx.scan(self.pos, "expr")
        if tok.start >= self._lim:
            return Token(T_EOF, "", self._lim, self._lim)
        return tok

    def advance(self, tok: Token) -> Token:
        self.pos = tok.end
        self.last_end = tok.end
        return tok

    def next(self, mode: Mode = "expr") -> Token:
        return self.advance(self.peek(mode))

    def skip_newlines(self) -> None:
        pos = self.pos
        if pos == self._clear_at:
            return
        tok = self._expr.get(pos)
        if tok is not None and tok.kind is not T_NEWLINE:
            return
        self._skip(_NEWLINE_CHARS)

    def skip_separators(self) -> None:
        pos = self.pos
        if pos == self._clear_at and self._clear_of_semi:
            return
        tok = self._expr.get(pos)
        if tok is not None and tok.kind is not T_NEWLINE and tok.kind is not T_SEMI:
            return
        self._skip(_SEPARATOR_CHARS)

    def _skip(self, chars: frozenset[str]) -> None:
        """Skip NEWLINE (and SEMI) tokens. This runs between almost every two tokens, and the caller then
        often peeks in another mode: look at the next character rather than scan a token in expression mode
        (but do scan where that scan could raise, at '$' and '@', to report the same errors as ever)."""
        cache = self._expr
        text, lx, lim = self.text, self.lx, self._lim
        while True:
            tok = cache.get(self.pos)
            if tok is None:
                p = lx.token_start(self.pos)
                if p >= lim or p >= lx.n:
                    return
                c = text[p]
                if c not in chars and c != "$" and c != "@":
                    # remember: nothing to skip here (the parser often asks again at the same offset)
                    self._clear_at = self.pos
                    self._clear_of_semi = ";" in chars
                    return
                tok = lx.scan(self.pos, "expr")
            if tok.start >= lim or (tok.kind is not T_NEWLINE and (tok.kind is not T_SEMI or ";" not in chars)):
                return
            self.pos = self.last_end = tok.end

    def accept_op(self, value: str, mode: Mode = "expr") -> Token | None:
        tok = self.peek(mode)
        if tok.kind is T_OP and tok.value == value:
            return self.advance(tok)
        return None

    def expect_op(self, value: str, message: str, error_id: str, *, at_end: bool = False) -> Token:
        """Consume the operator ``value``, the next token; else fail with ``message``, placed at that token or
        (``at_end``) just after the previous one."""
        tok = self.peek_expr()
        if not (tok.kind is T_OP and tok.value == value):
            self.fail(message, tok, error_id=error_id, at=self.last_end if at_end else None)
        return self.advance(tok)

    def comma_or_close(self, closing: str, message: str, error_id: str) -> bool:
        """After an item of a comma-separated list: True past a ',' (another item follows), False past
        ``closing`` (the list ends); else fail with ``message``."""
        self.skip_newlines()
        tok = self.peek_expr()
        if tok.kind is T_OP and tok.value == ",":
            self.advance(tok)
            return True
        if tok.kind is T_OP and tok.value == closing:
            self.advance(tok)
            return False
        self.fail(message, tok, error_id=error_id)

    def span(self, start: int, end: int | None = None) -> Span:
        if end is None:
            end = self.last_end
        if self._one_line:  # SourceMap.span inlined for the common one-line text
            return Span(start, 1, start + 1, end if end >= start else start)
        return self.src.span(start, end)

    def fail(self, message: str, tok: Token | None = None, *, error_id: str = "UnexpectedToken",
             at: int | None = None, end: int | None = None) -> NoReturn:
        """Raise a ParseError; at the end of the input it is marked incomplete."""
        if tok is None:
            tok = self.peek_expr()
        start = tok.start if at is None else at
        stop = (tok.end if at is None else start) if end is None else end
        raise ParseError(message, self.src.span(start, stop), self.text, error_id=error_id,
                         incomplete=tok.kind is T_EOF)

    def unexpected(self, tok: Token) -> NoReturn:
        if tok.kind is T_EOF:
            self.fail("Unexpected end of input.", tok, error_id="UnexpectedEndOfInput")
        if tok.kind is T_LT:
            self.fail("The '<' operator is reserved for future use.", tok, error_id="RedirectionNotSupported")
        self.fail(f"Unexpected token '{tok.text}' in expression or statement.", tok)

    # script and blocks ------------------------------------------------------------------------------
    def parse_script(self) -> A.Script:
        """script : script_block_body EOF"""
        start = self.pos
        block = self.parse_script_block_body(None, start)
        tok = self.peek("start")
        if tok.kind is not T_EOF:
            self.unexpected(tok)
        return A.Script(self.span(start, len(self.text) if self.limit is None else self.limit), block)

    def parse_script_block_body(self, closing: str | None, start: int) -> A.ScriptBlock:
        """script_block_body : [attribute* 'param' '(' parameter_list ')'] (named_block+ | statement_list)
        named_block : ('begin' | 'process' | 'end' | 'dynamicparam') '{' statement_list '}'"""
        self.skip_separators()
        tok = self.peek("start")
        param_block: A.ParamBlock | None = None
        if (tok.kind is T_OP and tok.value == "[") or (tok.kind is T_GENERIC and not tok.parts
                                                       and tok.value.lower() == "param"):
            param_block = self.try_parse_param_block()
            self.skip_separators()
            tok = self.peek("start")
        if tok.kind is T_GENERIC and not tok.parts and tok.value.lower() in ("begin", "process", "end", "clean", "dynamicparam") \
                and self._next_is_brace(tok):
            blocks: dict[str, A.StatementBlock] = {}
            while True:
                self.skip_separators()
                tok = self.peek("start")
                if tok.kind is T_GENERIC and not tok.parts and tok.value.lower() in ("begin", "process", "end", "clean", "dynamicparam"):
                    self.advance(tok)
                    self.skip_newlines()
                    blocks[tok.value.lower()] = self.parse_braced_block(f"Missing statement block after '{tok.value}'.")
                    continue
                break
            text = self.text[start:self.last_end]
            return A.ScriptBlock(self.span(start), param_block, blocks.get("begin"), blocks.get("process"),
                                 blocks.get("end"), text, blocks.get("clean"))
        body = self.parse_statement_list(closing, tok)
        return A.ScriptBlock(self.span(start), param_block, None, None, body, self.text[start:self.last_end])

    def _next_is_brace(self, tok: Token) -> bool:
        save = self.pos
        self.pos = tok.end
        self.skip_newlines()
        nxt = self.peek_expr()
        self.pos = save
        return nxt.kind is T_OP and nxt.value == "{"

    def try_parse_param_block(self) -> A.ParamBlock | None:
        """param_block : attribute* 'param' '(' parameter_list ')'"""
        first = self.peek("start")
        if not (first.kind is T_OP and first.value == "[") and not (first.kind is T_GENERIC and not first.parts
                                                                   and first.value.lower() == "param"):
            return None
        save, save_end = self.pos, self.last_end
        start = first.start
        attrs: list[A.Attribute] = []
        try:
            while True:
                tok = self.peek("start")
                if tok.kind is T_OP and tok.value == "[":
                    item = self.parse_attribute_or_type()
                    if isinstance(item, str):
                        raise _Backtrack
                    attrs.append(item)
                    self.skip_newlines()
                    continue
                break
        except (_Backtrack, ParseError):
            self.pos, self.last_end = save, save_end
            return None
        tok = self.peek("start")
        if tok.kind is T_GENERIC and not tok.parts and tok.value.lower() == "param":
            self.advance(tok)
            self.skip_newlines()
            open_tok = self.expect_op("(", "Missing '(' after 'param' in param block.",
                                      "MissingOpenParenthesisAfterParam")
            params = self.parse_parameter_list(")", open_tok)
            return A.ParamBlock(self.span(start), params, tuple(attrs))
        self.pos, self.last_end = save, save_end
        return None

    def parse_parameter_list(self, closing: str, open_tok: Token) -> tuple[A.ParameterDecl, ...]:
        """parameter_list : [parameter (',' parameter)*]
        parameter : (attribute | '[' type ']')* variable ['=' expression]"""
        params: list[A.ParameterDecl] = []
        while True:
            self.skip_newlines()
            tok = self.peek_expr()
            if tok.is_op(closing):
                self.advance(tok)
                return tuple(params)
            if tok.kind is T_EOF:
                self.fail("Missing ')' in function parameter list.", tok, error_id="MissingEndParenthesisInFunctionParameterList")
            pstart = tok.start
            attrs: list[A.Attribute] = []
            type_name: str | None = None
            while tok.kind is T_OP and tok.value == "[":
                item = self.parse_attribute_or_type()
                if isinstance(item, str):
                    type_name = item
                else:
                    attrs.append(item)
                self.skip_newlines()
                tok = self.peek_expr()
            if tok.kind is not T_VARIABLE:
                self.fail("Missing ')' in function parameter list.", tok, error_id="MissingEndParenthesisInFunctionParameterList")
            self.advance(tok)
            default: A.Expr | None = None
            self.skip_newlines()
            if self.accept_op("="):
                self.skip_newlines()
                # a ',' separates parameters here, as in PowerShell (an array default needs @( ) or ( ))
                default = self.parse_expression(allow_comma=False)
            params.append(A.ParameterDecl(self.span(pstart), tok.value.name, type_name, tuple(attrs), default))
            if not self.comma_or_close(closing, "Missing ')' in function parameter list.",
                                       "MissingEndParenthesisInFunctionParameterList"):
                return tuple(params)

    def parse_attribute_or_type(self) -> A.Attribute | str:
        """attribute : '[' type_name '(' attribute_arguments ')' ']' ; type_constraint : '[' type_name ']'"""
        open_tok = self.next("expr")
        end, name = self.lx.scan_type_name(open_tok.end)
        if not name:
            self.fail("Missing type name after '['.", open_tok, error_id="MissingTypename", at=open_tok.end)
        self.pos = self.last_end = end
        tok = self.peek_expr()
        if tok.kind is T_OP and tok.value == "]":
            self.advance(tok)
            return name
        if not (tok.kind is T_OP and tok.value == "(") or tok.space_before:
            self.fail("Missing ] at end of attribute or type literal.", tok, error_id="EndSquareBracketExpectedAtEndOfAttribute")
        self.advance(tok)
        positional: list[A.Expr] = []
        named: list[tuple[str, A.Expr | None]] = []
        while True:
            self.skip_newlines()
            if self.accept_op(")"):
                break
            tok = self.peek_expr()
            if tok.kind is T_IDENT:
                save = self.pos
                self.advance(tok)
                self.skip_newlines()
                if self.accept_op("="):
                    self.skip_newlines()
                    named.append((tok.value, self.parse_expression(allow_comma=False)))
                else:
                    nxt = self.peek_expr()
                    if (nxt.kind is T_OP and nxt.value == ",") or (nxt.kind is T_OP and nxt.value == ")"):
                        named.append((tok.value, None))
                    else:
                        self.pos = save
                        positional.append(self.parse_expression(allow_comma=False))
            else:
                if tok.kind is T_EOF:
                    self.fail("Missing closing ')' in expression.", tok, error_id="MissingEndParenthesisInExpression")
                positional.append(self.parse_expression(allow_comma=False))
            if not self.comma_or_close(")", "Missing closing ')' in expression.", "MissingEndParenthesisInExpression"):
                break
        self.skip_newlines()
        self.expect_op("]", "Missing ] at end of attribute or type literal.", "EndSquareBracketExpectedAtEndOfAttribute")
        return A.Attribute(self.span(open_tok.start), name, tuple(positional), tuple(named))

    def parse_braced_block(self, missing_message: str, error_id: str = "MissingStatementBlock") -> A.StatementBlock:
        """braced_block : '{' statement_list '}'"""
        tok = self.expect_op("{", missing_message, error_id, at_end=True)
        body = self.parse_statement_list("}")
        self.expect_close_brace(tok)
        return body

    def expect_close_brace(self, open_tok: Token) -> None:
        tok = self.peek("start")
        if not (tok.kind is T_OP and tok.value == "}"):
            if tok.kind is T_EOF:
                raise ParseError("Missing closing '}' in statement block or type definition.",
                                 self.src.span(open_tok.start, open_tok.end), self.text,
                                 error_id="MissingEndCurlyBrace", incomplete=True)
            self.unexpected(tok)
        self.advance(tok)

    def parse_statement_list(self, closing: str | None, first: Token | None = None) -> A.StatementBlock:
        """statement_list : (statement (NEWLINE | ';')*)*   -- until `closing` or EOF

        ``first``, when given, is ``peek("start")`` at the current position, separators skipped already."""
        start = self.pos
        stmts: list[A.Statement] = []
        while True:
            if first is not None:
                tok, first = first, None
            else:
                self.skip_separators()
                cached = self._start.get(self.pos)  # peek("start") inlined (hot)
                tok = self.peek("start") if cached is None or cached.start >= self._lim else cached
            if tok.kind is T_EOF:
                break
            if closing is not None and tok.kind is T_OP and tok.value == closing:
                break
            stmts.append(self.parse_statement(tok))
            after = self._expr.get(self.pos)  # peek_expr() inlined (hot)
            if after is None or after.start >= self._lim:
                after = self.peek_expr()
            tok = after
            if tok.kind in (T_NEWLINE, T_SEMI, T_EOF):
                continue
            if closing is not None and tok.kind is T_OP and tok.value == closing:
                continue
            if isinstance(stmts[-1], _BRACE_ENDED) and self.text[self.last_end - 1:self.last_end] == "}":
                continue  # `if ($x) { 1 } "next"`: a statement that ends with its block needs no separator
            self.unexpected(self.peek("start") if tok.kind is T_OP and tok.value in ("}", ")") else tok)
        traps = tuple(s for s in stmts if isinstance(s, A.Trap))
        if traps:
            return A.StatementBlock(self.span(start), tuple(s for s in stmts if not isinstance(s, A.Trap)), traps)
        return A.StatementBlock(self.span(start), tuple(stmts))

    # statements -------------------------------------------------------------------------------------
    def parse_statement(self, tok: Token | None = None) -> A.Statement:
        """statement : if | while | for | foreach | do | switch | try | throw | break | continue | return
                     | exit | function | pipeline_chain

        ``tok``, when given, is ``peek("start")`` at the current position."""
        if tok is None:
            tok = self.peek("start")
        if tok.kind is T_GENERIC and not tok.parts:
            word = tok.value.lower()
            if word in _KEYWORD_STATEMENTS:
                method = getattr(self, f"parse_{word}_statement", None)
                if method is not None:
                    result: A.Statement = method(tok)
                    return result
                self.fail(f"The '{tok.value}' keyword is not supported in this version of the language.", tok,
                          error_id="ReservedKeywordNotAllowed")
            if word == "param" or word in ("begin", "process", "end", "elseif", "else", "catch", "finally", "until"):
                if word in ("elseif", "else", "catch", "finally", "until", "param"):
                    self.unexpected(tok)
        return self.parse_pipeline_chain(tok)

    def parse_pipeline_chain(self, tok: Token | None = None) -> A.Statement:
        """pipeline_chain : pipeline (('&&' | '||') NEWLINE* pipeline)*"""
        start = self.pos
        first = self.parse_pipeline(tok)
        rest: list[tuple[str, A.Statement]] = []
        while True:
            tok = self._expr.get(self.pos)  # peek_expr() inlined (hot)
            if tok is None or tok.start >= self._lim:
                tok = self.peek_expr()
            if tok.kind is T_OP and tok.value in ("&&", "||"):
                self.advance(tok)
                self.skip_newlines()
                nxt = self.peek("start")
                if nxt.kind in (T_EOF, T_NEWLINE, T_SEMI) or nxt.is_op(")", "}"):
                    self.fail(f"Missing expression after '{tok.value}' in pipeline chain.", nxt,
                              error_id="InvalidEndOfLine", at=tok.end)
                rest.append((tok.value, self.parse_pipeline(nxt)))
                continue
            break
        if rest:
            return A.PipelineChain(self.span(start), first, tuple(rest))
        return first

    def parse_pipeline(self, tok: Token | None = None) -> A.Statement:
        """pipeline : expression assignment_operator statement
                    | (expression redirection* | command) ('|' NEWLINE* command)*"""
        if tok is None:
            tok = self.peek("start")
        start = tok.start
        elements: list[A.Command | A.CommandExpression] = []
        if tok.kind is T_GENERIC or (tok.kind is T_OP and tok.value in ("&", ".")):  # _starts_command(tok)
            elements.append(self.parse_command(first=True, tok=tok))
        else:
            if tok.kind is T_EOF or tok.kind in (T_NEWLINE, T_SEMI) or (tok.kind is T_OP and tok.value in _STATEMENT_END):
                self.unexpected(tok)
            # tokens that scan alike in both modes are shared between the mode tables
            expr = self.parse_expression(first=tok if self._expr.get(self.pos) is tok else None)
            op_tok = self._expr.get(self.pos)  # peek_expr() inlined (hot)
            if op_tok is None or op_tok.start >= self._lim:
                op_tok = self.peek_expr()
            if op_tok.kind is T_OP and op_tok.value in ASSIGNMENT_OPERATORS:
                return self.parse_assignment(start, expr, op_tok)
            redirs: tuple[A.Redirection, ...] = ()
            if op_tok.kind is T_REDIRECTION or op_tok.kind is T_LT:
                redirs = self.parse_redirections()
            elements.append(A.CommandExpression(self.span(start), expr, redirs))
        while True:
            tok = self._expr.get(self.pos)  # peek_expr() inlined (hot)
            if tok is None or tok.start >= self._lim:
                tok = self.peek_expr()
            if not (tok.kind is T_OP and tok.value == "|"):
                break
            self.advance(tok)
            self.skip_newlines()
            nxt = self.peek("cmd")
            if nxt.kind is T_EOF or nxt.kind in (T_NEWLINE, T_SEMI) or nxt.is_op(")", "}", "|"):
                self.fail("An empty pipe element is not allowed.", nxt, error_id="EmptyPipeElement",
                          at=tok.start, end=tok.end)
            if not self._starts_command(nxt):
                self.parse_expression()
                self.fail("Expressions are only allowed as the first element of a pipeline.", nxt,
                          error_id="ExpressionsMustBeFirstInPipeline", at=nxt.start, end=self.last_end)
            elements.append(self.parse_command(first=False, tok=nxt))
        return A.Pipeline(self.span(start), tuple(elements))

    @staticmethod
    def _starts_command(tok: Token) -> bool:
        if tok.kind is T_GENERIC:
            return True
        return tok.kind is T_OP and tok.value in ("&", ".")

    def parse_assignment(self, start: int, expr: A.Expr, op_tok: Token) -> A.Statement:
        """assignment : expression ('=' | '+=' | '-=' | '*=' | '/=' | '%=' | '??=') NEWLINE* statement"""
        targets = expr.elements if isinstance(expr, A.ArrayLiteral) and op_tok.value == "=" else (expr,)
        void = False
        for t in targets:
            inner = t
            if isinstance(inner, A.Convert):
                if inner.type_name.lower() == "void":
                    void = True
                inner = inner.operand
            if not isinstance(inner, (A.Variable, A.Member, A.Index)):
                self.fail("The assignment expression is not valid. The input to an assignment operator must be an "
                          "object that is able to accept assignments, such as a variable or a property.",
                          op_tok, error_id="InvalidLeftHandSide", at=t.span.offset, end=t.span.end_offset)
        self.advance(op_tok)
        self.skip_newlines()
        nxt = self.peek("start")
        if nxt.kind in (T_EOF, T_NEWLINE, T_SEMI) or (nxt.kind is T_OP and nxt.value in _STATEMENT_END):
            self.fail(f"You must provide a value expression following the '{op_tok.value}' operator.", nxt,
                      error_id="ExpectedValueExpression", at=op_tok.end)
        value = self.parse_statement(nxt)
        return A.Assignment(self.span(start), tuple(targets), op_tok.value, value, void)

    def parse_redirections(self) -> tuple[A.Redirection, ...]:
        out: list[A.Redirection] = []
        while True:
            tok = self._expr.get(self.pos)  # peek_expr() inlined (hot)
            if tok is None or tok.start >= self._lim:
                tok = self.peek_expr()
            if tok.kind is T_LT:
                self.unexpected(tok)
            if tok.kind is not T_REDIRECTION:
                return tuple(out)
            out.append(self.parse_redirection())

    def parse_redirection(self) -> A.Redirection:
        """redirection : ('>' | '>>' | 'n>' | '*>' ...) command_argument | 'n>&1'"""
        tok = self.next("cmd")
        r = tok.value
        if r.merge_to is not None:
            return A.Redirection(self.span(tok.start), r.stream, r.append, r.merge_to, None)
        nxt = self.peek("cmd")
        if nxt.kind in (T_EOF, T_NEWLINE, T_SEMI, T_REDIRECTION) or (nxt.kind is T_OP and nxt.value in _STATEMENT_END):
            self.fail("Missing file specification after redirection operator.", nxt,
                      error_id="MissingFileSpecification", at=tok.end)
        target = self.parse_command_argument(allow_comma=False)
        return A.Redirection(self.span(tok.start), r.stream, r.append, None, target)

    # commands ---------------------------------------------------------------------------------------
    def parse_command(self, *, first: bool, tok: Token | None = None) -> A.Command:
        """command : ['&' | '.'] command_name command_element*
        command_element : parameter | command_argument | redirection | splat

        ``tok``, when given, is ``peek("start" if first else "cmd")`` at the current position."""
        if tok is None:
            tok = self.peek("start" if first else "cmd")
        start = tok.start
        invocation = ""
        if tok.kind is T_OP and tok.value in ("&", "."):
            invocation = tok.value
            self.pos = self.last_end = tok.end
            tok = self.peek("cmd")
            if tok.kind in (T_EOF, T_NEWLINE, T_SEMI) or tok.is_op(")", "}", "|"):
                self.fail(f"Missing expression after '{invocation}' in pipeline element.", tok,
                          error_id="MissingExpression", at=start + 1)
        name: A.Expr
        if tok.kind is T_GENERIC:
            self.pos = self.last_end = tok.end
            name = self._bareword(tok)
        elif invocation:
            name = self.parse_command_argument(allow_comma=False)
        else:
            self.unexpected(tok)
        elements: list[A.CommandElement] = []
        redirs: list[A.Redirection] = []
        while True:
            tok = self._cmd.get(self.pos)  # peek("cmd") inlined (hot)
            if tok is None or tok.start >= self._lim:
                tok = self.peek("cmd")
            kind = tok.kind
            if kind in (T_EOF, T_NEWLINE, T_SEMI):
                break
            if kind is T_OP and tok.value in ("|", ")", "}", "&&", "||", "&"):
                break
            if kind is T_PARAMETER:
                self.pos = self.last_end = tok.end
                arg: A.Expr | None = None
                if tok.colon:
                    nxt = self.peek("cmd")
                    if not (nxt.kind in (T_EOF, T_NEWLINE, T_SEMI) or (nxt.kind is T_OP and nxt.value in _STATEMENT_END)
                            or nxt.space_before):
                        arg = self.parse_command_argument()
                elements.append(A.CommandParameter(self.span(tok.start), tok.value, arg, tok.colon))
            elif kind is T_REDIRECTION:
                redirs.append(self.parse_redirection())
            elif kind is T_LT:
                self.unexpected(tok)
            elif kind is T_SPLAT:
                self.pos = self.last_end = tok.end
                elements.append(A.Variable(self.span(tok.start), tok.value, "", True))
            elif kind is T_OP and tok.value not in ("(", "{", "@(", "@{", "$(", ",", "."):
                self.pos = self.last_end = tok.end
                elements.append(A.StringConstant(self.span(tok.start), tok.text, True))
            else:
                elements.append(self.parse_command_argument(tok=tok))
        return A.Command(self.span(start), name, tuple(elements), invocation, tuple(redirs))

    def _bareword(self, tok: Token) -> A.Expr:
        if tok.parts:
            return A.ExpandableString(self.span(tok.start, tok.end), self.resolve_parts(tok), True)
        return A.StringConstant(self.span(tok.start, tok.end), tok.value, True)

    def parse_command_argument(self, *, allow_comma: bool = True, tok: Token | None = None) -> A.Expr:
        """command_argument : command_primary (',' NEWLINE* command_primary)*

        ``tok``, when given, is ``peek("cmd")`` at the current position."""
        start = self.pos
        first = self.parse_command_primary(tok)
        if not allow_comma:
            return first
        items = [first]
        while True:
            tok = self._cmd.get(self.pos)  # peek("cmd") inlined (hot)
            if tok is None or tok.start >= self._lim:
                tok = self.peek("cmd")
            if not (tok.kind is T_OP and tok.value == ","):
                break
            self.advance(tok)
            self.skip_newlines()
            nxt = self.peek("cmd")
            if nxt.kind in (T_EOF, T_NEWLINE, T_SEMI) or (nxt.kind is T_OP and nxt.value in _STATEMENT_END):
                self.fail("Missing argument in parameter list.", nxt, error_id="MissingExpression", at=tok.end)
            items.append(self.parse_command_primary(nxt))
        if len(items) == 1:
            return first
        return A.ArrayLiteral(self.span(self.peek_start(start)), tuple(items))

    def peek_start(self, start: int) -> int:
        return self.lx.skip_space(start)

    def parse_command_primary(self, tok: Token | None = None) -> A.Expr:
        """command_primary : bareword | parameter_text | primary_expression postfix*"""
        if tok is None:
            tok = self.peek("cmd")
        if tok.kind is T_GENERIC:
            self.pos = self.last_end = tok.end
            return self._bareword(tok)
        if tok.kind is T_PARAMETER:
            self.pos = self.last_end = tok.end
            return A.StringConstant(self.span(tok.start), tok.text, True)
        if tok.kind is T_NUMBER:
            self.pos = self.last_end = tok.end
            text = tok.text if tok.text != str(tok.value) else ""
            return A.Number(self.span(tok.start), tok.value, text)
        if tok.kind is T_OP and tok.value in (")", "}", "|", ";"):
            self.unexpected(tok)
        if tok.kind is T_OP and tok.value not in ("(", "{", "@(", "@{", "$(", "["):
            self.pos = self.last_end = tok.end
            return A.StringConstant(self.span(tok.start), tok.text, True)
        prim = self.parse_primary(self.peek_expr() if tok.kind is T_OP else tok)
        return self.parse_postfix(prim)

    # expressions ------------------------------------------------------------------------------------
    def parse_expression(self, *, allow_comma: bool = True, first: Token | None = None) -> A.Expr:
        """expression : logical_expression ['?' expression ':' expression]

        ``first``, when given, is ``peek_expr()`` at the current position (callers that peeked already)."""
        if first is None:
            first = self.peek_expr()
        start = first.start
        cond = self.parse_binary(0, allow_comma, first)
        tok = self._expr.get(self.pos)  # peek_expr() inlined (hot)
        if tok is None or tok.start >= self._lim:
            tok = self.peek_expr()
        if (tok.kind is T_OP and tok.value == "?") and tok.space_before:
            self.advance(tok)
            self.skip_newlines()
            if_true = self.parse_expression(allow_comma=allow_comma)
            self.skip_newlines()
            self.expect_op(":", "Missing ':' in ternary expression.", "MissingColonInTernaryExpression")
            self.skip_newlines()
            if_false = self.parse_expression(allow_comma=allow_comma)
            return A.Ternary(self.span(start), cond, if_true, if_false)
        return cond

    _LEVELS: tuple[frozenset[str], ...] = (
        _LOGICAL, _BITWISE, _COMPARISON, frozenset({"??"}), _ADDITIVE, _MULTIPLICATIVE, frozenset({"-f"}),
        frozenset({".."}),
    )

    def parse_binary(self, min_level: int, allow_comma: bool, first: Token | None = None) -> A.Expr:
        """logical : bitwise (('-and'|'-or'|'-xor') NEWLINE* bitwise)*
        bitwise : comparison (('-band'|'-bor'|'-bxor') comparison)* ; comparison : coalesce (cmp_op coalesce)*
        coalesce : additive ('??' additive)* ; additive : multiplicative (('+'|'-') multiplicative)*
        multiplicative : format (('*'|'/'|'%') format)* ; format : range ('-f' range)*
        range : array_literal ('..' array_literal)*
        (implemented by precedence climbing over these levels)"""
        if first is None:
            first = self._expr.get(self.pos)  # peek_expr() inlined (hot)
            if first is None or first.start >= self._lim:
                first = self.peek_expr()
        start = first.start
        # parse_array_literal(allow_comma, first), inlined; and parse_unary(first) too, for a non-operator
        left = self.parse_unary(first) if first.kind is T_OP else self.parse_postfix(self.parse_primary(first))
        tok = self._expr.get(self.pos)  # peek_expr() inlined (hot)
        if tok is None or tok.start >= self._lim:
            tok = self.peek_expr()
        if allow_comma and tok.kind is T_OP and tok.value == ",":
            left = self._array_literal_tail(start, left, tok)
            tok = self.peek_expr()
        prec = _PRECEDENCE
        while True:
            if tok.kind is not T_OP:
                return left
            level = prec.get(tok.value)
            if level is None or level < min_level:
                return left
            self.pos = self.last_end = tok.end
            self.skip_newlines()
            nxt = self.peek_expr()
            if self._ends_expression(nxt):
                self.fail(f"You must provide a value expression following the '{tok.text}' operator.", nxt,
                          error_id="ExpectedValueExpression", at=tok.end)
            right = self.parse_binary(level + 1, allow_comma, nxt)
            op = tok.value
            if op == "..":
                left = A.Range(self.span(start), left, right)
            elif op == "??":
                left = A.NullCoalesce(self.span(start), left, right)
            else:
                left = A.BinaryOp(self.span(start), op, left, right)
            tok = self._expr.get(self.pos)  # peek_expr() inlined (hot)
            if tok is None or tok.start >= self._lim:
                tok = self.peek_expr()

    @staticmethod
    def _ends_expression(tok: Token) -> bool:
        if tok.kind in (T_EOF, T_NEWLINE, T_SEMI, T_REDIRECTION):
            return True
        return tok.kind is T_OP and tok.value in (")", "}", "]", "|", ",", "&&", "||", "=")

    def parse_array_literal(self, allow_comma: bool, tok: Token | None = None) -> A.Expr:
        """array_literal : unary (',' NEWLINE* unary)*"""
        if tok is None:
            tok = self.peek_expr()
        start = tok.start
        first = self.parse_unary(tok)
        if not allow_comma:
            return first
        tok = self._expr.get(self.pos)  # peek_expr() inlined (hot)
        if tok is None or tok.start >= self._lim:
            tok = self.peek_expr()
        if not (tok.kind is T_OP and tok.value == ","):
            return first
        return self._array_literal_tail(start, first, tok)

    def _array_literal_tail(self, start: int, first: A.Expr, tok: Token) -> A.Expr:
        """The rest of an array literal: ``tok`` is the ',' after its ``first`` element."""
        items = [first]
        while tok.kind is T_OP and tok.value == ",":
            self.advance(tok)
            self.skip_newlines()
            nxt = self.peek_expr()
            if self._ends_expression(nxt):
                self.fail("Missing expression after ','.", nxt, error_id="MissingExpressionAfterToken", at=tok.end)
            items.append(self.parse_unary(nxt))
            tok = self.peek_expr()
        return A.ArrayLiteral(self.span(start), tuple(items))

    def parse_unary(self, tok: Token | None = None) -> A.Expr:
        """unary : ('-not'|'!'|'-bnot'|'-'|'+'|'++'|'--'|'-join'|'-split'|',') NEWLINE* unary
                 | '[' type ']' unary | postfix"""
        if tok is None:
            tok = self.peek_expr()
        if tok.kind is T_OP:
            v = tok.value
            if v in _UNARY:
                self.pos = self.last_end = tok.end
                if v in ("-not", "!", ","):
                    self.skip_newlines()
                nxt = self.peek_expr()
                if self._ends_expression(nxt) or nxt.kind is T_IDENT and nxt.value.lower() in ("in",):
                    self.fail(f"Missing expression after unary operator '{tok.text}'.", nxt,
                              error_id="MissingExpressionAfterOperator", at=tok.end)
                operand = self.parse_unary(nxt)
                if v == "-" and isinstance(operand, A.Number):
                    return A.Number(self.span(tok.start), -operand.value)
                return A.UnaryOp(self.span(tok.start), v, operand)
            if v == "[":
                return self.parse_type_expression(tok)
        return self.parse_postfix(self.parse_primary(tok))

    def parse_type_expression(self, open_tok: Token) -> A.Expr:
        """type_expression : '[' type_name ']' (unary | '::' member)?"""
        self.advance(open_tok)
        end, name = self.lx.scan_type_name(open_tok.end)
        if not name:
            nxt = self.lx.scan(end, "expr")
            if nxt.kind is T_EOF:
                self.fail("Missing type name after '['.", nxt, error_id="MissingTypename", at=open_tok.end)
            self.fail("Missing type name after '['.", nxt, error_id="MissingTypename", at=open_tok.end)
        self.pos = self.last_end = end
        close = self.peek_expr()
        if not (close.kind is T_OP and close.value == "]") or close.space_before and False:
            if close.kind is T_OP and close.value == "(":
                # an attribute in expression position: parse it for a precise error
                self.fail("Unexpected attribute '" + name + "'.", close, error_id="UnexpectedAttribute",
                          at=open_tok.start, end=close.start)
            self.fail("Missing ] at end of attribute or type literal.", close,
                      error_id="EndSquareBracketExpectedAtEndOfAttribute", at=end)
        self.advance(close)
        nxt = self.peek_expr()
        span = self.span(open_tok.start)
        if (nxt.kind is T_OP and nxt.value == "::") and not nxt.space_before:
            return self.parse_postfix(A.TypeLiteral(span, name))
        if self._starts_operand(nxt):
            operand = self.parse_unary()
            return A.Convert(self.span(open_tok.start), name, operand)
        return self.parse_postfix(A.TypeLiteral(span, name))

    @staticmethod
    def _starts_operand(tok: Token) -> bool:
        if tok.kind in (T_VARIABLE, T_NUMBER, T_STRING, T_XSTRING):
            return True
        if tok.kind is T_OP:
            return tok.value in ("(", "$(", "@(", "@{", "[", "{", "-not", "!", "++", "--", "-join", "-split", "-bnot") \
                or (tok.value in ("-", "+", ",") and not tok.space_before)
        return False

    def parse_primary(self, tok: Token) -> A.Expr:
        """primary : number | string | variable | '(' pipeline ')' | '$(' statements ')' | '@(' statements ')'
                   | '@{' hash_entries '}' | '{' script_block '}'"""
        kind = tok.kind
        if kind is T_VARIABLE:
            self.pos = self.last_end = tok.end
            return A.Variable(self.span(tok.start), tok.value.name, tok.value.scope)
        if kind is T_NUMBER:
            self.pos = self.last_end = tok.end
            return A.Number(self.span(tok.start), tok.value)
        if kind is T_STRING:
            self.pos = self.last_end = tok.end
            return A.StringConstant(self.span(tok.start), tok.value)
        if kind is T_XSTRING:
            self.pos = self.last_end = tok.end
            if tok.parts:
                return A.ExpandableString(self.span(tok.start), self.resolve_parts(tok))
            return A.StringConstant(self.span(tok.start), tok.value)
        if kind is T_OP:
            v = tok.value
            if v == "(":
                self.pos = self.last_end = tok.end
                self.skip_newlines()
                inner_tok = self.peek("start")
                if inner_tok.kind is T_OP and inner_tok.value == ")":
                    self.fail("An expression was expected after '('.", inner_tok, error_id="ExpectedExpression")
                if inner_tok.kind is T_EOF:
                    self.fail("Missing closing ')' in expression.", inner_tok, error_id="MissingEndParenthesisInExpression")
                inner = self.parse_statement()
                self.skip_newlines()
                close = self.peek_expr()
                if not (close.kind is T_OP and close.value == ")"):
                    if close.kind is T_EOF:
                        self.fail("Missing closing ')' in expression.", close, error_id="MissingEndParenthesisInExpression")
                    self.unexpected(close)
                self.pos = self.last_end = close.end
                return A.Paren(self.span(tok.start), inner)
            if v in ("$(", "@("):
                self.pos = self.last_end = tok.end
                body = self.parse_statement_list(")")
                close = self.peek("start")
                if not (close.kind is T_OP and close.value == ")"):
                    if close.kind is T_EOF:
                        self.fail("Missing closing ')' in subexpression.", close,
                                  error_id="MissingEndParenthesisInSubexpression")
                    self.unexpected(close)
                self.pos = self.last_end = close.end
                if v == "$(":
                    return A.SubExpression(self.span(tok.start), body)
                return A.ArrayExpression(self.span(tok.start), body)
            if v == "@{":
                return self.parse_hashtable(tok)
            if v == "{":
                return self.parse_script_block_expression(tok)
            if v == "[":
                return self.parse_type_expression(tok)
        if kind is T_GENERIC:
            self.pos = self.last_end = tok.end
            return self._bareword(tok)
        if kind is T_EOF:
            self.fail("Unexpected end of input.", tok, error_id="UnexpectedEndOfInput")
        self.unexpected(tok)

    def parse_script_block_expression(self, open_tok: Token) -> A.ScriptBlockExpression:
        """script_block_expression : '{' script_block_body '}'"""
        self.advance(open_tok)
        block = self.parse_script_block_body("}", open_tok.end)
        self.expect_close_brace(open_tok)
        inner = A.ScriptBlock(self.span(open_tok.start), block.param_block, block.begin, block.process, block.end,
                              self.text[open_tok.end:self.last_end - 1], block.clean)
        return A.ScriptBlockExpression(self.span(open_tok.start), inner)

    def parse_hashtable(self, open_tok: Token) -> A.Hashtable:
        """hashtable : '@{' (hash_key '=' NEWLINE* statement (NEWLINE | ';')*)* '}'"""
        self.advance(open_tok)
        pairs: list[tuple[A.Expr, A.Statement]] = []
        while True:
            self.skip_separators()
            tok = self.peek_expr()
            if tok.kind is T_OP and tok.value == "}":
                self.advance(tok)
                break
            if tok.kind is T_EOF:
                self.fail("The hash literal was incomplete.", tok, error_id="IncompleteHashLiteral")
            key = self.parse_hash_key(tok)
            eq = self.peek_expr()
            if not (eq.kind is T_OP and eq.value == "="):
                if eq.kind is T_EOF:
                    self.fail("The hash literal was incomplete.", eq, error_id="IncompleteHashLiteral")
                self.fail("Missing '=' operator after key in hash literal.", eq, error_id="MissingEqualsInHashLiteral",
                          at=self.last_end)
            self.advance(eq)
            self.skip_newlines()
            vtok = self.peek("start")
            if vtok.kind is T_EOF:
                self.fail("The hash literal was incomplete.", vtok, error_id="IncompleteHashLiteral")
            if vtok.kind in (T_NEWLINE, T_SEMI) or (vtok.kind is T_OP and vtok.value == "}"):
                self.fail("Missing statement after '=' in hash literal.", vtok, error_id="MissingStatementInHashLiteral",
                          at=eq.end)
            value = self.parse_statement()
            pairs.append((key, value))
            nxt = self.peek_expr()
            if nxt.kind in (T_NEWLINE, T_SEMI) or (nxt.kind is T_OP and nxt.value == "}"):
                continue
            if nxt.kind is T_EOF:
                self.fail("The hash literal was incomplete.", nxt, error_id="IncompleteHashLiteral")
            self.fail("Missing '=' operator after key in hash literal.", nxt, error_id="MissingEqualsInHashLiteral")
        return A.Hashtable(self.span(open_tok.start), tuple(pairs))

    def parse_hash_key(self, tok: Token) -> A.Expr:
        """hash_key : identifier | string | number | unary"""
        if tok.kind is T_IDENT:
            self.advance(tok)
            # keys such as api-version: glue '-word' pieces written without spaces
            end = tok.end
            text = self.text
            while end < len(text) and text[end] in "-." and end + 1 < len(text) and (text[end + 1].isalnum()):
                j = end + 1
                while j < len(text) and (text[j].isalnum() or text[j] == "_"):
                    j += 1
                end = j
            if end != tok.end:
                self.pos = self.last_end = end
            return A.StringConstant(self.span(tok.start, end), text[tok.start:end], True)
        if tok.kind is T_GENERIC:
            self.advance(tok)
            return self._bareword(tok)
        if tok.kind in (T_NEWLINE, T_SEMI) or (tok.kind is T_OP and tok.value == "="):
            self.fail("Missing key before '=' in hash literal.", tok, error_id="MissingKeyInHashLiteral")
        return self.parse_unary()

    def parse_postfix(self, expr: A.Expr) -> A.Expr:
        """postfix : primary ('.' member ['(' args ')'] | '::' member ['(' args ')'] | '[' expression ']'
                     | '++' | '--')*   -- no whitespace before the operator"""
        start = expr.span.offset
        lx, text = self.lx, self.text
        while True:
            pos = self.pos
            if pos not in self._expr:
                # whitespace follows (a command argument, usually): no postfix operator, and no need to scan the
                # next token in expression mode -- except at '$'/'@', where that scan may raise an error
                p = lx.token_start(pos)
                if p != pos and (p >= lx.n or (text[p] != "$" and text[p] != "@")):
                    return expr
            tok = self._expr.get(self.pos)  # peek_expr() inlined (hot)
            if tok is None or tok.start >= self._lim:
                tok = self.peek_expr()
            if tok.space_before or tok.kind is not T_OP:
                return expr
            v = tok.value
            if v in (".", "::"):
                self.pos = self.last_end = tok.end
                name_tok = self.lx.scan(self.pos, "expr")
                if name_tok.space_before or name_tok.kind in (T_EOF, T_NEWLINE):
                    self.fail("Missing property name after reference operator.", name_tok,
                              error_id="MissingPropertyName", at=tok.end)
                name: A.Expr
                if name_tok.kind is T_IDENT:
                    self.pos = self.last_end = name_tok.end
                    name = A.StringConstant(self.span(name_tok.start), name_tok.value, True)
                elif name_tok.kind in (T_STRING, T_XSTRING, T_VARIABLE) or name_tok.is_op("(", "$("):
                    name = self.parse_primary(name_tok)
                elif name_tok.kind is T_NUMBER and isinstance(name_tok.value, int):
                    self.pos = self.last_end = name_tok.end
                    name = A.StringConstant(self.span(name_tok.start), name_tok.text, True)
                else:
                    self.fail("Missing property name after reference operator.", name_tok,
                              error_id="MissingPropertyName", at=tok.end)
                call = self.peek_expr()
                static = v == "::"
                if (call.kind is T_OP and call.value == "(") and not call.space_before:
                    args = self.parse_method_args(call)
                    if static and isinstance(expr, A.TypeLiteral) and isinstance(name, A.StringConstant):
                        expr = A.StaticCall(self.span(start), expr.name, name.value, args)
                    else:
                        expr = A.MethodCall(self.span(start), expr, name, args, static)
                elif static and isinstance(expr, A.TypeLiteral) and isinstance(name, A.StringConstant):
                    expr = A.StaticMember(self.span(start), expr.name, name.value)
                else:
                    expr = A.Member(self.span(start), expr, name, static)
            elif v == "[":
                self.pos = self.last_end = tok.end
                self.skip_newlines()
                nxt = self.peek_expr()
                if (nxt.kind is T_OP and nxt.value == "]") or nxt.kind is T_EOF:
                    self.fail("Array index expression is missing or not valid.", nxt,
                              error_id="MissingArrayIndexExpression")
                index = self.parse_expression()
                self.skip_newlines()
                close = self.peek_expr()
                if not (close.kind is T_OP and close.value == "]"):
                    self.fail("Missing ']' after array index expression.", close, error_id="MissingEndSquareBracket",
                              at=self.last_end)
                self.pos = self.last_end = close.end
                expr = A.Index(self.span(start), expr, index)
            elif v in ("++", "--"):
                self.pos = self.last_end = tok.end
                expr = A.UnaryOp(self.span(start), v, expr, True)
            else:
                return expr

    def parse_method_args(self, open_tok: Token) -> tuple[A.Expr, ...]:
        """method_args : '(' [expression (',' NEWLINE* expression)*] ')'"""
        self.advance(open_tok)
        args: list[A.Expr] = []
        self.skip_newlines()
        if self.accept_op(")"):
            return ()
        while True:
            self.skip_newlines()
            tok = self.peek_expr()
            if tok.kind is T_EOF:
                self.fail("Missing ')' in method call.", tok, error_id="MissingEndParenthesisInMethodCall")
            args.append(self.parse_expression(allow_comma=False))
            if not self.comma_or_close(")", "Missing ')' in method call.", "MissingEndParenthesisInMethodCall"):
                return tuple(args)

    def resolve_parts(self, tok: Token) -> tuple[str | A.Expr, ...]:
        out: list[str | A.Expr] = []
        for part in tok.parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, VarPart):
                out.append(A.Variable(self.src.span(part.start, part.end), part.ref.name, part.ref.scope))
            elif isinstance(part, SubPart):
                sub = Parser(self.text, lexer=self.lx, start=part.start, limit=part.end)
                body = sub.parse_statement_list(None)
                if sub.peek("start").kind is not T_EOF:
                    sub.unexpected(sub.peek("start"))
                out.append(A.SubExpression(self.src.span(part.start - 2, part.end + 1), body))
        return tuple(out)

    # keyword statements ----------------------------------------------------------------------------
    def _paren_condition(self, keyword: str, tok: Token, error_id: str) -> A.Statement:
        self.skip_newlines()
        self.expect_op("(", f"Missing '(' after '{keyword}' in {keyword} statement.", error_id, at_end=True)
        self.skip_newlines()
        nxt = self.peek("start")
        if (nxt.kind is T_OP and nxt.value == ")") or nxt.kind is T_EOF:
            self.fail(f"Missing condition in {keyword} statement after '{keyword} ('.", nxt,
                      error_id="IfStatementMissingCondition" if keyword == "if" else "MissingExpression")
        cond = self.parse_pipeline_chain()
        self.skip_newlines()
        self.expect_op(")", f"Missing closing ')' after expression in '{keyword}' statement.",
                       "MissingEndParenthesisAfterStatement", at_end=True)
        self.skip_newlines()
        return cond

    def parse_if_statement(self, tok: Token) -> A.Statement:
        """if : 'if' '(' pipeline ')' block ('elseif' '(' pipeline ')' block)* ['else' block]"""
        self.advance(tok)
        clauses: list[tuple[A.Statement, A.StatementBlock]] = []
        cond = self._paren_condition("if", tok, "MissingOpenParenthesisInIfStatement")
        clauses.append((cond, self.parse_braced_block("Missing statement block after if ( condition ).")))
        else_body: A.StatementBlock | None = None
        while True:
            save = (self.pos, self.last_end)
            self.skip_newlines()
            kw = self.peek("start")
            if kw.kind is T_GENERIC and not kw.parts and kw.value.lower() == "elseif":
                self.advance(kw)
                cond = self._paren_condition("elseif", kw, "MissingOpenParenthesisInElseIfStatement")
                clauses.append((cond, self.parse_braced_block("Missing statement block after elseif ( condition ).")))
                continue
            if kw.kind is T_GENERIC and not kw.parts and kw.value.lower() == "else":
                self.advance(kw)
                self.skip_newlines()
                else_body = self.parse_braced_block("Missing statement block after 'else' keyword.",
                                                    "MissingStatementBlockAfterElse")
            else:
                self.pos, self.last_end = save
            break
        return A.If(self.span(tok.start), tuple(clauses), else_body)

    def parse_while_statement(self, tok: Token) -> A.Statement:
        """while : 'while' '(' pipeline ')' block"""
        self.advance(tok)
        cond = self._paren_condition("while", tok, "MissingOpenParenthesisAfterKeyword")
        body = self.parse_braced_block("Missing statement body in while loop.", "MissingLoopStatement")
        return A.While(self.span(tok.start), cond, body)

    def parse_do_statement(self, tok: Token) -> A.Statement:
        """do : 'do' block ('while' | 'until') '(' pipeline ')'"""
        self.advance(tok)
        self.skip_newlines()
        body = self.parse_braced_block("Missing statement body in do loop.", "MissingLoopStatement")
        self.skip_newlines()
        kw = self.peek("start")
        if not (kw.kind is T_GENERIC and kw.value.lower() in ("while", "until")):
            self.fail("Missing while or until keyword in do loop.", kw, error_id="MissingWhileOrUntilInDoWhile",
                      at=self.last_end)
        self.advance(kw)
        word = kw.value.lower()
        cond = self._paren_condition(word, kw, "MissingOpenParenthesisAfterKeyword")
        if word == "while":
            return A.DoWhile(self.span(tok.start), body, cond)
        return A.DoUntil(self.span(tok.start), body, cond)

    def parse_for_statement(self, tok: Token) -> A.Statement:
        """for : 'for' '(' [pipeline] sep [pipeline] sep [pipeline] ')' block"""
        self.advance(tok)
        self.skip_newlines()
        self.expect_op("(", "Missing opening '(' after keyword 'for'.", "MissingOpenParenthesisAfterKeyword",
                       at_end=True)
        parts: list[A.Statement | None] = []
        for i in range(3):
            self.skip_newlines()
            nxt = self.peek("start")
            if nxt.kind is T_SEMI or (nxt.kind is T_OP and nxt.value == ")"):
                parts.append(None)
            elif nxt.kind is T_EOF:
                self.fail("Missing closing ')' after expression in 'for' statement.", nxt,
                          error_id="MissingEndParenthesisAfterStatement")
            else:
                parts.append(self.parse_pipeline_chain())
            self.skip_newlines()
            sep = self.peek_expr()
            if i < 2 and sep.kind is T_SEMI:
                self.advance(sep)
                continue
            if sep.kind is T_OP and sep.value == ")":
                while len(parts) < 3:
                    parts.append(None)
                break
            self.fail("Missing closing ')' after expression in 'for' statement.", sep,
                      error_id="MissingEndParenthesisAfterStatement")
        self.expect_op(")", "Missing closing ')' after expression in 'for' statement.",
                       "MissingEndParenthesisAfterStatement")
        self.skip_newlines()
        body = self.parse_braced_block("Missing statement body in for loop.", "MissingLoopStatement")
        return A.For(self.span(tok.start), parts[0], parts[1], parts[2], body)

    def parse_foreach_statement(self, tok: Token) -> A.Statement:
        """foreach : 'foreach' '(' variable 'in' pipeline ')' block"""
        self.advance(tok)
        self.skip_newlines()
        self.expect_op("(", "Missing opening '(' after keyword 'foreach'.", "MissingOpenParenthesisAfterKeyword",
                       at_end=True)
        self.skip_newlines()
        var_tok = self.peek_expr()
        if var_tok.kind is not T_VARIABLE:
            self.fail("Missing variable name after foreach.", var_tok, error_id="MissingVariableNameAfterForeach",
                      at=self.last_end)
        self.advance(var_tok)
        variable = A.Variable(self.span(var_tok.start), var_tok.value.name, var_tok.value.scope)
        self.skip_newlines()
        in_tok = self.peek_expr()
        if not (in_tok.kind is T_IDENT and in_tok.value.lower() == "in"):
            self.fail("Missing 'in' after variable in foreach loop.", in_tok, error_id="MissingInInForeach",
                      at=self.last_end)
        self.advance(in_tok)
        self.skip_newlines()
        nxt = self.peek("start")
        if (nxt.kind is T_OP and nxt.value == ")") or nxt.kind is T_EOF:
            self.fail("Missing foreach loop expression after 'in'.", nxt, error_id="MissingForeachExpression")
        iterable = self.parse_pipeline_chain()
        self.skip_newlines()
        self.expect_op(")", "Missing closing ')' after expression in 'foreach' statement.",
                       "MissingEndParenthesisAfterForeach", at_end=True)
        self.skip_newlines()
        body = self.parse_braced_block("Missing statement body in foreach loop.", "MissingForeachStatement")
        return A.Foreach(self.span(tok.start), variable, iterable, body)

    def parse_switch_statement(self, tok: Token) -> A.Statement:
        """switch : 'switch' ('-' flag)* '(' pipeline ')' '{' (clause_condition block)+ '}'"""
        self.advance(tok)
        flags: set[str] = set()
        while True:
            self.skip_newlines()
            p = self.peek("cmd")
            if p.kind is T_PARAMETER:
                low = p.value.lower()
                match = [v for k, v in _SWITCH_FLAGS.items() if k.startswith(low)]
                if len(match) != 1:
                    self.fail(f"'{p.text}' is not a valid switch statement option.", p, error_id="InvalidSwitchFlag")
                if match[0] in ("file", "parallel"):
                    self.fail(f"The switch option '-{match[0]}' is not supported.", p, error_id="InvalidSwitchFlag")
                flags.add(match[0])
                self.advance(p)
                continue
            break
        self.expect_op("(", "Missing condition in switch statement clause.", "PipelineValueRequired", at_end=True)
        self.skip_newlines()
        subject = self.parse_pipeline_chain()
        self.skip_newlines()
        self.expect_op(")", "Missing closing ')' after expression in 'switch' statement.",
                       "MissingEndParenthesisInSwitchStatement", at_end=True)
        self.skip_newlines()
        body_open = self.expect_op("{", "Missing '{' in switch statement.", "MissingCurlyInSwitchStatement",
                                   at_end=True)
        clauses: list[A.SwitchClause] = []
        while True:
            self.skip_separators()
            ctok = self.peek("cmd")
            if ctok.kind is T_OP and ctok.value == "}":
                self.advance(ctok)
                break
            if ctok.kind is T_EOF:
                raise ParseError("Missing closing '}' in statement block or type definition.",
                                 self.src.span(body_open.start, body_open.end), self.text,
                                 error_id="MissingEndCurlyBrace", incomplete=True)
            cstart = ctok.start
            cond: A.Expr | None
            if ctok.kind is T_GENERIC and not ctok.parts and ctok.value.lower() == "default":
                self.advance(ctok)
                cond = None
            elif ctok.kind is T_GENERIC:
                self.advance(ctok)
                cond = self._bareword(ctok)
            elif ctok.kind is T_OP and ctok.value == "{":
                cond = self.parse_script_block_expression(ctok)
            else:
                cond = self.parse_command_primary()
            self.skip_newlines()
            body = self.parse_braced_block("Missing statement block in switch statement clause.",
                                           "MissingSwitchStatementClause")
            clauses.append(A.SwitchClause(self.span(cstart), cond, body))
        return A.Switch(self.span(tok.start), subject, tuple(clauses), frozenset(flags))

    def parse_trap_statement(self, tok: Token) -> A.Statement:
        """trap : 'trap' ['[' type ']'] block"""
        self.advance(tok)
        self.skip_newlines()
        type_name: str | None = None
        t = self.peek_expr()
        if t.kind is T_OP and t.value == "[":
            self.advance(t)
            end, name = self.lx.scan_type_name(t.end)
            self.pos = self.last_end = end
            close = self.peek_expr()
            if not name or not (close.kind is T_OP and close.value == "]"):
                self.fail("Missing type name after '['.", close, error_id="MissingTypename", at=t.end)
            self.advance(close)
            type_name = name
            self.skip_newlines()
        body = self.parse_braced_block("Missing statement block after 'trap'.", "MissingTrapStatement")
        return A.Trap(self.span(tok.start), type_name, body)

    def parse_try_statement(self, tok: Token) -> A.Statement:
        """try : 'try' block ('catch' ([type] (',' [type])*)? block)* ['finally' block]"""
        self.advance(tok)
        self.skip_newlines()
        body = self.parse_braced_block("Missing statement block after 'try'.", "MissingTryStatementBlock")
        catches: list[A.Catch] = []
        finally_body: A.StatementBlock | None = None
        while True:
            save = (self.pos, self.last_end)
            self.skip_newlines()
            kw = self.peek("start")
            word = kw.value.lower() if kw.kind is T_GENERIC and not kw.parts else ""
            if word == "catch":
                self.advance(kw)
                types: list[str] = []
                while True:
                    self.skip_newlines()
                    t = self.peek_expr()
                    if t.kind is T_OP and t.value == "[":
                        self.advance(t)
                        end, name = self.lx.scan_type_name(t.end)
                        self.pos = self.last_end = end
                        close = self.peek_expr()
                        if not name or not (close.kind is T_OP and close.value == "]"):
                            self.fail("Missing type name after '['.", close, error_id="MissingTypename", at=t.end)
                        self.advance(close)
                        types.append(name)
                        self.skip_newlines()
                        if self.accept_op(","):
                            continue
                    break
                cbody = self.parse_braced_block("Missing statement block in catch block.", "MissingCatchBlock")
                catches.append(A.Catch(self.span(kw.start), tuple(types), cbody))
                continue
            if word == "finally":
                self.advance(kw)
                self.skip_newlines()
                finally_body = self.parse_braced_block("Missing statement block in finally block.",
                                                       "MissingFinallyStatementBlock")
                break
            self.pos, self.last_end = save
            break
        if not catches and finally_body is None:
            self.fail("The Try statement is missing its Catch or Finally block.", self.peek_expr(),
                      error_id="MissingCatchOrFinally", at=self.last_end)
        return A.Try(self.span(tok.start), body, tuple(catches), finally_body)

    def _optional_pipeline(self) -> A.Statement | None:
        nxt = self.peek("start")
        if nxt.kind in (T_EOF, T_NEWLINE, T_SEMI) or (nxt.kind is T_OP and nxt.value in (")", "}", "|")):
            return None
        return self.parse_pipeline_chain()

    def _label(self) -> A.Expr | None:
        nxt = self.peek("cmd")
        if nxt.kind is T_GENERIC:
            self.advance(nxt)
            return self._bareword(nxt)
        return None

    def _parse_jump_statement(self, tok: Token) -> A.Statement:
        """jump : ('throw' | 'return' | 'exit') [pipeline] | ('break' | 'continue') [label]"""
        self.advance(tok)
        node, operand = _JUMP_STATEMENTS[tok.value.lower()]
        return node(self.span(tok.start), operand(self))

    parse_throw_statement = parse_return_statement = parse_exit_statement = _parse_jump_statement
    parse_break_statement = parse_continue_statement = _parse_jump_statement

    def parse_function_statement(self, tok: Token) -> A.Statement:
        """function : ('function' | 'filter') name ['(' parameter_list ')'] '{' script_block_body '}'"""
        self.advance(tok)
        name_tok = self.peek("cmd")
        if name_tok.kind is not T_GENERIC or name_tok.parts:
            self.fail("Missing name after function keyword.", name_tok, error_id="MissingNameAfterKeyword",
                      at=self.last_end)
        self.advance(name_tok)
        params: tuple[A.ParameterDecl, ...] = ()
        self.skip_newlines()
        nxt = self.peek_expr()
        if nxt.kind is T_OP and nxt.value == "(":
            self.advance(nxt)
            params = self.parse_parameter_list(")", nxt)
            self.skip_newlines()
            nxt = self.peek_expr()
        if not (nxt.kind is T_OP and nxt.value == "{"):
            self.fail("Missing function body in function declaration.", nxt, error_id="MissingFunctionBody",
                      at=self.last_end)
        block = self.parse_script_block_expression(nxt).block
        return A.FunctionDefinition(self.span(tok.start), name_tok.value, block, params,
                                    tok.value.lower() == "filter")

    parse_filter_statement = parse_function_statement


#: each jump statement's node, and what its keyword may be followed by (see ``Parser._parse_jump_statement``)
_JUMP_STATEMENTS: dict[str, tuple[Callable[[Span, Any], A.Statement], Callable[[Parser], A.Node | None]]] = {
    "throw": (A.Throw, Parser._optional_pipeline),
    "return": (A.Return, Parser._optional_pipeline),
    "exit": (A.Exit, Parser._optional_pipeline),
    "break": (A.Break, Parser._label),
    "continue": (A.Continue, Parser._label),
}

_PRECEDENCE: dict[str, int] = {op: level for level, ops in enumerate(Parser._LEVELS) for op in ops}


class _Backtrack(Exception):
    pass


def parse(text: str) -> A.Script:
    """Parse a whole script. Raises :class:`ParseError`."""
    return Parser(text).parse_script()


def is_complete(text: str) -> Literal["complete", "incomplete", "invalid"]:
    """For REPL/kernel: would more input make this text valid?"""
    try:
        parse(text)
    except ParseError as exc:
        return "incomplete" if exc.incomplete else "invalid"
    except RecursionError:
        return "invalid"
    return "complete"
