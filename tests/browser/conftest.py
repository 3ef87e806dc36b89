"""The real-browser harness: Debian's Chromium driven by Playwright (no browser download).

``browser`` (session-scoped) is a launched Chromium; ``page`` (per test) a fresh 1280x800 page whose console
errors, page errors and failed requests are collected in ``page.problems`` and asserted empty when the test
ends. ``shot(page, name)`` saves a screenshot into the test's temporary folder (CI keeps it as an artifact).

Reuse from another test package::

    from tests.browser.conftest import browser, page, shot   # noqa: F401 (fixtures)
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_module, require_tool

#: Where Debian's chromium package puts the browser (``apt-get install chromium``).
CHROMIUM_NAMES = ("chromium", "chromium-browser")
TIMEOUT_MS = 20_000
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def chromium_path() -> str:
    """The Chromium executable: ``$AZSHELL_CHROMIUM`` or ``chromium`` on PATH (under CI a missing one fails)."""
    given = os.environ.get("AZSHELL_CHROMIUM")
    if given:
        return given
    for name in CHROMIUM_NAMES[1:]:
        import shutil

        found = shutil.which(name)
        if found:
            return found
    return require_tool(CHROMIUM_NAMES[0])


# One browser per test module, closed when the module ends: Playwright's sync API keeps an asyncio loop running in
# the main thread while it is open, and a session-long browser would break every later test that calls asyncio.run()
@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    executable = chromium_path()
    sync_api = require_module("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=executable, headless=True,
                                      args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            yield launched
        finally:
            launched.close()


class Problems(list[str]):
    """Console errors, uncaught page errors and failed requests seen by a page."""


def watch(page: Any) -> Problems:
    """Collect ``page``'s console errors, page errors and failed requests."""
    problems = Problems()
    page.on("console", lambda msg: problems.append(f"console.{msg.type}: {msg.text} ({page.url})")
            if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc} ({page.url})"))
    page.on("requestfailed", lambda req: problems.append(f"requestfailed: {req.url} {req.failure}"))
    return problems


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    pg.problems = watch(pg)
    try:
        yield pg
        assert list(pg.problems) == [], "\n".join(pg.problems)
    finally:
        context.close()


def shot(page: Any, folder: Path, name: str) -> Path:
    """Save a full-page screenshot ``<folder>/screenshots/<name>.png``."""
    out = folder / "screenshots"
    out.mkdir(exist_ok=True)
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than its viewport (0: no horizontal scrolling)."""
    return int(page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))
