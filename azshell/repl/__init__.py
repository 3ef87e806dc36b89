"""The interactive REPL (prompt_toolkit): a thin adapter over :class:`azshell.session.Session`.

Entry point: :func:`azshell.repl.app.main`. Modules, one concern each (as in ptpython):

* ``app``       the loop: prompt, run, print; the plain line-mode fallback when stdin is not a terminal
* ``completer`` ``Session.complete`` as a prompt_toolkit ``Completer``
* ``lexer``     ``Session.highlight_tokens`` as a prompt_toolkit ``Lexer``
* ``keys``      key bindings (Enter decides multi-line by ``Session.is_complete``, F1 help, Ctrl+Space)
* ``toolbar``   the bottom toolbar and the style
* ``output``    printing streamed records (errors red, warnings/verbose yellow)

Nothing here is imported at ``import azshell``; prompt_toolkit is loaded only when the REPL starts.
"""
