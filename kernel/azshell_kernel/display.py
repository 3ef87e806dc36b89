"""Turning session records into Jupyter messages (mime bundles, stream text, error content).

Kept apart from the kernel class (as bash_kernel keeps ``display.py``) so it is testable without ipykernel.
"""

from __future__ import annotations

from typing import Any, Protocol

RED = "\x1b[31m"
RESET = "\x1b[0m"

#: streams written as stdout text; warning/verbose/debug go to stderr
STDOUT_STREAMS = frozenset({"host", "information", "output"})


class Renderer(Protocol):
    def render_text(self, record: Any) -> str: ...

    def render_outputs(self, objects: list[Any]) -> str: ...

    def render_html(self, objects: list[Any]) -> str | None: ...


def stream_name(stream: str) -> str:
    """The Jupyter stream (``stdout``/``stderr``) for a session stream."""
    return "stdout" if stream in STDOUT_STREAMS else "stderr"


def is_text_output(value: Any) -> bool:
    """Text output is streamed as stdout; anything else is an object shown as a mime bundle."""
    return isinstance(value, str)


def with_newline(text: str) -> str:
    return text if text.endswith("\n") else text + "\n"


def own_svg(objects: list[Any]) -> str | None:
    """The SVG of objects that draw themselves (a ``ToSvg`` method, e.g. ``Show-AzAccessGraph``'s graph): one
    object's picture, else None."""
    if len(objects) != 1:
        return None
    methods = getattr(objects[0], "methods", None)
    draw = methods.get("tosvg") if isinstance(methods, dict) else None
    if not callable(draw):
        return None
    svg = draw()
    return svg if isinstance(svg, str) and svg.lstrip().startswith("<svg") else None


def mime_bundle(renderer: Renderer, objects: list[Any]) -> dict[str, str]:
    """``text/plain`` (PowerShell formatting) and, for tables, ``text/html``; an object that draws itself
    (``ToSvg``) is ``image/svg+xml`` with its text as the ``text/plain`` fallback."""
    try:
        plain = renderer.render_outputs(objects)
    except Exception:
        plain = "\n".join(str(o) for o in objects)
    bundle = {"text/plain": plain.strip("\n")}
    try:
        svg = own_svg(objects)
    except Exception:  # a picture that cannot be drawn: the text stays
        svg = None
    if svg:
        bundle["image/svg+xml"] = svg
        return bundle
    try:
        html = renderer.render_html(objects)
    except Exception:
        html = None
    if html:
        bundle["text/html"] = html
    return bundle


def error_name(value: Any) -> str:
    """``ename``: the .NET-style exception type (``RuntimeException``…), else the category, else the class."""
    for attr in ("reason", "category"):
        got = getattr(value, attr, None)
        if isinstance(got, str) and got:
            return got
    return type(value).__name__


def error_message(value: Any) -> str:
    msg = getattr(value, "error_details", None) or getattr(value, "message", None)
    return str(msg) if msg else str(value)


def error_content(renderer: Renderer, record: Any) -> dict[str, Any]:
    """``{ename, evalue, traceback}``: the traceback lines are the rendered PowerShell error, in red."""
    value = getattr(record, "value", record)
    try:
        text = renderer.render_text(record)
    except Exception:
        text = error_message(value)
    lines = text.rstrip("\n").split("\n") or [error_message(value)]
    return {
        "ename": error_name(value),
        "evalue": error_message(value),
        "traceback": [f"{RED}{line}{RESET}" if line else "" for line in lines],
    }


def internal_error_content(exc: BaseException) -> dict[str, Any]:
    """An unexpected Python failure, shown as one readable line (never a Python traceback)."""
    text = f"azshell: internal error: {type(exc).__name__}: {exc}"
    return {"ename": "InternalError", "evalue": str(exc) or type(exc).__name__, "traceback": [f"{RED}{text}{RESET}"]}


def stopped_content() -> dict[str, Any]:
    text = "The pipeline has been stopped."
    return {"ename": "PipelineStoppedException", "evalue": text, "traceback": [f"{RED}{text}{RESET}"]}


def progress_bundle(records: list[Any], lines: list[str]) -> dict[str, str]:
    """A Write-Progress display: ``text/plain`` (the bar lines) and ``text/html`` (one ``<progress>`` per
    activity, children indented); empty strings when nothing is in progress (the display is cleared)."""
    if not records:
        return {"text/plain": "", "text/html": ""}
    from html import escape

    depth: dict[int, int] = {}
    by_id = {r.activity_id: r for r in records}

    def level(r: Any, guard: int = 0) -> int:
        parent = by_id.get(r.parent_id)
        return level(parent, guard + 1) + 1 if parent is not None and guard < 8 else 0

    rows = []
    for r in records:
        depth[r.activity_id] = level(r)
        pct = int(r.percent_complete)
        bar = (f'<progress value="{pct}" max="100" style="width:16em;vertical-align:middle"></progress> {pct}%'
               if pct >= 0 else '<progress style="width:16em;vertical-align:middle"></progress>')
        extra = " · ".join(x for x in (escape(str(r.current_operation)),
                                       f"{r.seconds_remaining}s left" if r.seconds_remaining >= 0 else "") if x)
        rows.append(f'<div class="azshell-progress" style="margin-left:{depth[r.activity_id] * 1.5}em">'
                    f"<b>{escape(str(r.activity))}</b> {bar} {escape(str(r.status))}"
                    + (f' <span style="color:#666">{extra}</span>' if extra else "") + "</div>")
    return {"text/plain": "\n".join(lines), "text/html": "".join(rows)}
