"""``Session.complete`` as a prompt_toolkit completer, with the description in the menu's meta column."""

from __future__ import annotations

from collections.abc import Iterable

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from azshell.repl._types import SessionLike

#: cap on what the menu shows while typing (Tab shows everything)
MAX_WHILE_TYPING = 200


class SessionCompleter(Completer):
    """Completions for the whole buffer (multi-line aware) at the cursor.

    While typing, completions appear only once there is a prefix to complete (``Get-Ch``, ``-Na``, ``$va``),
    so a space or an empty line does not pop up every command; Tab and Ctrl+Space always ask.
    """

    def __init__(self, session: SessionLike) -> None:
        self.session = session

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        text = document.text
        cursor = document.cursor_position
        try:
            result = self.session.complete(text, cursor)
            start = int(result.start)
            items = list(result.items)
        except Exception:  # completion must never break the prompt
            return
        start = max(0, min(start, cursor))
        typing = complete_event.text_inserted and not complete_event.completion_requested
        if typing and start == cursor:
            return
        if typing:
            items = items[:MAX_WHILE_TYPING]
        for item in items:
            value = str(item.text)
            display = getattr(item, "display", None) or value
            meta = getattr(item, "meta", None) or getattr(item, "description", None) or ""
            kind = getattr(item, "kind", None) or "text"
            yield Completion(
                value,
                start_position=start - cursor,
                display=str(display),
                display_meta=str(meta),
                style=f"class:completion.{kind}",
            )
