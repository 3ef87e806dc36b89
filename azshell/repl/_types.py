"""The part of :class:`azshell.session.Session` the front ends use, as a Protocol.

Typing against a Protocol (not the class) keeps the heavy session import out of REPL start-up and lets the
tests drive the REPL with a small fake.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol


class RecordLike(Protocol):
    @property
    def stream(self) -> str: ...

    @property
    def value(self) -> Any: ...


class ResultLike(Protocol):
    @property
    def had_errors(self) -> bool: ...

    @property
    def exit_requested(self) -> int | None: ...


class CompletionLike(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def display(self) -> str | None: ...

    @property
    def meta(self) -> str | None: ...

    @property
    def kind(self) -> str | None: ...


class CompletionResultLike(Protocol):
    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def items(self) -> Sequence[CompletionLike]: ...


class SessionLike(Protocol):
    closed: bool

    def execute(self, text: str, on_record: Callable[[Any], None] | None = None) -> Any: ...

    def render_text(self, record: Any) -> str: ...

    def render_outputs(self, objects: list[Any]) -> str: ...

    def is_complete(self, text: str) -> str: ...

    def complete(self, text: str, cursor: int) -> Any: ...

    def inspect(self, text: str, cursor: int, detail: int = 0) -> str | None: ...

    def interrupt(self) -> None: ...

    def prompt(self) -> str: ...

    def toolbar(self) -> dict[str, str]: ...

    def history_path(self) -> str: ...

    def highlight_tokens(self, text: str) -> list[tuple[str, str]]: ...
