"""The bottom toolbar (tenant, subscription, account, host) and the REPL's colours."""

from __future__ import annotations

from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.styles import Style

from azshell.repl._types import SessionLike

TOOLBAR_KEYS = ("host", "account", "subscription", "tenant")  # most useful first: narrow terminals cut the end

STYLE_RULES = {
    "ps.command": "#ffff55 bold",
    "ps.parameter": "#a0a0a0",
    "ps.variable": "#55ff55",
    "ps.string": "#40c0c0",
    "ps.number": "#ffffff",
    "ps.operator": "#a0a0a0",
    "ps.keyword": "#55aaff",
    "ps.comment": "#00aa00 italic",
    "ps.type": "#aaaaaa",
    "ps.error": "#ff5555 underline",
    "ps.text": "",
    "prompt": "",
    "bottom-toolbar": "noreverse bg:#222244 #dddddd",
    "bottom-toolbar.key": "bg:#222244 #8888cc",
    "bottom-toolbar.value": "bg:#222244 #ffffff bold",
    "tutorial-panel": "bg:#103a1a #e8ffe8",
    "tutorial-panel.title": "bg:#103a1a #88ff88 bold",
    "completion-menu.completion": "bg:#303030 #e0e0e0",
    "completion-menu.completion.current": "bg:#5f87af #ffffff",
    "completion-menu.meta.completion": "bg:#202020 #a0a0a0",
    "completion-menu.meta.completion.current": "bg:#3a5f7f #ffffff",
}


def make_style() -> Style:
    return Style.from_dict(STYLE_RULES)


def toolbar_fragments(values: dict[str, str]) -> StyleAndTextTuples:
    """``host: … │ account: … │ subscription: … │ tenant: …`` as styled fragments."""
    out: StyleAndTextTuples = [("class:bottom-toolbar", " ")]
    for i, key in enumerate(TOOLBAR_KEYS):
        if i:
            out.append(("class:bottom-toolbar", " │ "))
        out.append(("class:bottom-toolbar.key", f"{key}: "))
        out.append(("class:bottom-toolbar.value", str(values.get(key) or "-")))
    return out


def panel_fragments(lines: list[str]) -> StyleAndTextTuples:
    """The tutorial step panel (shown above the toolbar while a tutorial is active)."""
    out: StyleAndTextTuples = []
    for i, line in enumerate(lines):
        out.append(("class:tutorial-panel.title" if i == 0 else "class:tutorial-panel", f" {line} "))
        out.append(("class:bottom-toolbar", "\n"))
    return out


def read_panel(session: SessionLike) -> list[str]:
    """The session's tutorial panel lines ([] when none, or when the session has no tutorials)."""
    fn = getattr(session, "tutorial_panel", None)
    if not callable(fn):
        return []
    try:
        return [str(x) for x in fn()]
    except Exception:
        return []


def toolbar_text(values: dict[str, str]) -> str:
    """The toolbar as plain text (for tests and the line mode)."""
    return "".join(frag[1] for frag in toolbar_fragments(values))


def read_toolbar(session: SessionLike) -> dict[str, str]:
    try:
        return {str(k): str(v) for k, v in session.toolbar().items()}
    except Exception:
        return {}


def read_prompt(session: SessionLike) -> str:
    try:
        return str(session.prompt())
    except Exception:
        return "PS> "
