"""The kernel's pictures and progress: Write-Progress is one display updated in place (``display_data`` with a
``display_id``, then ``update_display_data``, emptied on -Completed and at the end of the cell), and an object
that draws itself (Show-AzAccessGraph) is ``image/svg+xml`` with its text tree as the ``text/plain`` fallback."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from azshell.session import Session
from azshell.world import World
from tests.conftest import require_module

require_module("ipykernel")

from tests.kernel.test_kernel_direct import Sent, make_kernel, run  # noqa: E402


@pytest.fixture
def kernel(world: World, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Sent]:
    return make_kernel(lambda: Session(world=world), monkeypatch)


def test_progress_is_one_display_updated_in_place(kernel: tuple[Any, Sent]) -> None:
    k, sent = kernel
    reply = run(k, "foreach ($i in 1..3) { Write-Progress -Activity 'Copying' -Status \"file $i\" "
                   "-PercentComplete ($i * 30) -Id 1 }\n"
                   "Write-Progress -Activity 'Inner' -Id 2 -ParentId 1 -Status nested\n"
                   "Write-Progress -Activity 'Copying' -Id 1 -Completed\n'done'")
    assert reply["status"] == "ok"
    kinds = [m for m, _ in sent]
    first = kinds.index("display_data")
    display_id = sent[first][1]["transient"]["display_id"]
    assert "Copying" in sent[first][1]["data"]["text/plain"] and "<progress" in sent[first][1]["data"]["text/html"]
    updates = [c for m, c in sent if m == "update_display_data"]
    assert updates and all(c["transient"]["display_id"] == display_id for c in updates)
    nested = next(c for c in updates if "Inner" in c["data"]["text/plain"])
    assert "\n  Inner" in nested["data"]["text/plain"]  # the child under its parent
    assert updates[-1]["data"] == {"text/plain": "", "text/html": ""}  # -Completed removed both (child too)
    assert ("stream", {"name": "stdout", "text": "done\n"}) in sent
    assert kinds.count("display_data") == 1


def test_a_bar_left_open_is_removed_when_the_cell_ends(kernel: tuple[Any, Sent]) -> None:
    k, sent = kernel
    run(k, "Write-Progress -Activity 'Never completed' -PercentComplete 10")
    assert [m for m, _ in sent] == ["display_data", "update_display_data"]
    assert sent[1][1]["data"]["text/plain"] == ""


def test_progress_preference_silences_the_display(kernel: tuple[Any, Sent]) -> None:
    k, sent = kernel
    run(k, "$ProgressPreference = 'SilentlyContinue'; Write-Progress -Activity a -PercentComplete 10")
    assert sent == []


def test_the_access_graph_is_an_svg_with_a_text_fallback(kernel: tuple[Any, Sent]) -> None:
    k, sent = kernel
    reply = run(k, "New-AzResourceGroup -Name DevTest -Location westus | Out-Null\nShow-AzAccessGraph")
    assert reply["status"] == "ok"
    result = next(c for m, c in sent if m == "execute_result")
    data = result["data"]
    assert set(data) == {"text/plain", "image/svg+xml"}
    assert data["text/plain"].startswith("Access graph of subscription")
    root = ET.fromstring(data["image/svg+xml"])
    texts = {t.text for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert "DevTest" in texts and "Owner" in texts
