"""Fast kernel tests: an ``AzShellKernel`` instance called directly (no process, no sockets)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_module, skip_or_fail

require_module("ipykernel")

from azshell_kernel import install as kinstall  # noqa: E402
from azshell_kernel.kernel import AzShellKernel, default_session_factory  # noqa: E402
from jupyter_client.session import Session as JupyterSession  # noqa: E402

from tests.repl._fake_session import FakeSession  # noqa: E402

Sent = list[tuple[str, dict[str, Any]]]


def make_kernel(factory: Callable[[], Any], monkeypatch: pytest.MonkeyPatch) -> tuple[AzShellKernel, Sent]:
    monkeypatch.setattr(AzShellKernel, "session_factory", staticmethod(factory))
    kernel = AzShellKernel(session=JupyterSession())
    sent: Sent = []
    monkeypatch.setattr(kernel, "send_response", lambda _sock, msg_type, content, *a, **k: sent.append((msg_type, content)))
    return kernel, sent


def run(kernel: AzShellKernel, code: str, **kw: Any) -> dict[str, Any]:
    if not kw.get("silent"):
        kernel.execution_count += 1
    kw.setdefault("silent", False)
    return asyncio.run(kernel.do_execute(code, **kw))


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> tuple[AzShellKernel, Sent]:
    return make_kernel(FakeSession, monkeypatch)


@pytest.fixture
def real(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[AzShellKernel, Sent]]:
    try:
        default_session_factory()
    except Exception as e:  # pragma: no cover - the session is part of the package
        skip_or_fail(f"the real Session cannot start: {e}", "CI must start it: the Session is azshell's own")
    kernel, sent = make_kernel(default_session_factory, monkeypatch)
    yield kernel, sent
    asyncio.run(kernel.do_shutdown(False))


# ------------------------------------------------------------------ with the fake session (adapter logic)

def test_last_object_is_the_execute_result(fake: tuple[AzShellKernel, Sent]) -> None:
    kernel, sent = fake
    reply = run(kernel, "1+2")
    assert reply == {"status": "ok", "execution_count": 1, "payload": [], "user_expressions": {}}
    assert sent == [("execute_result", {"execution_count": 1, "data": {"text/plain": "3"}, "metadata": {}})]


def test_text_is_stdout_and_warnings_are_stderr(fake: tuple[AzShellKernel, Sent]) -> None:
    kernel, sent = fake
    run(kernel, "Write-Output 'hello, world'\nWrite-Warning careful\nWrite-Verbose v\nWrite-Host h")
    assert sent == [
        ("stream", {"name": "stdout", "text": "hello, world\n"}),
        ("stream", {"name": "stderr", "text": "WARNING: careful\n"}),
        ("stream", {"name": "stderr", "text": "VERBOSE: v\n"}),
        ("stream", {"name": "stdout", "text": "h\n"}),
    ]


def test_objects_before_other_output_are_display_data(fake: tuple[AzShellKernel, Sent]) -> None:
    kernel, sent = fake
    run(kernel, "Get-Thing 2\nWrite-Host between\nGet-Thing 1")
    kinds = [m for m, _ in sent]
    assert kinds == ["display_data", "stream", "execute_result"]
    table = sent[0][1]["data"]
    assert "thing1" in table["text/plain"] and table["text/html"].startswith("<table>")


def test_an_error_is_one_error_message_and_an_error_reply(fake: tuple[AzShellKernel, Sent]) -> None:
    kernel, sent = fake
    reply = run(kernel, "throw boom")
    assert [m for m, _ in sent] == ["error"]
    assert reply["status"] == "error"
    assert reply["ename"] == "RuntimeException" and reply["evalue"] == "boom"
    assert reply["traceback"] == sent[0][1]["traceback"]
    assert "boom" in reply["traceback"][0]
    assert reply["execution_count"] == 1


def test_silent_sends_nothing_and_keeps_no_history(fake: tuple[AzShellKernel, Sent]) -> None:
    kernel, sent = fake
    reply = run(kernel, "Write-Output x", silent=True)
    assert reply["status"] == "ok" and sent == []
    assert asyncio.run(kernel.do_history("tail", False, False, n=10))["history"] == []


def test_complete_is_complete_inspect(fake: tuple[AzShellKernel, Sent]) -> None:
    kernel, _ = fake
    reply = asyncio.run(kernel.do_complete("Write-Output 1; Get-Varia", 25))
    assert reply["matches"] == ["Get-Variable"]
    assert (reply["cursor_start"], reply["cursor_end"]) == (16, 25)
    types = reply["metadata"]["_jupyter_types_experimental"]
    assert types[0]["type"] == "command" and types[0]["signature"].startswith("Gets the variables")
    assert asyncio.run(kernel.do_is_complete("if (1) {")) == {"status": "incomplete", "indent": "    "}
    assert asyncio.run(kernel.do_is_complete("}")) == {"status": "invalid"}
    assert asyncio.run(kernel.do_is_complete("1")) == {"status": "complete"}
    found = asyncio.run(kernel.do_inspect("Get-Help", 2))
    assert found["found"] is True and "SYNOPSIS" in found["data"]["text/plain"]
    assert asyncio.run(kernel.do_inspect("nothing", 2))["found"] is False


def test_history_tail_range_search(fake: tuple[AzShellKernel, Sent]) -> None:
    kernel, _ = fake
    for code in ["1+2", "Write-Output a", "1+2", "2+2"]:
        run(kernel, code)
    tail = asyncio.run(kernel.do_history("tail", True, False, n=2))["history"]
    assert tail == [(1, 3, ("1+2", "3")), (1, 4, ("2+2", "4"))]
    rng = asyncio.run(kernel.do_history("range", False, False, session=1, start=2, stop=3))["history"]
    assert rng == [(1, 2, "Write-Output a")]
    hits = asyncio.run(kernel.do_history("search", False, False, pattern="1+*", unique=True))["history"]
    assert hits == [(1, 3, "1+2")]


def test_clear_host_sends_clear_output(fake: tuple[AzShellKernel, Sent]) -> None:
    kernel, sent = fake
    run(kernel, "Get-Thing 1\nClear-Host\nWrite-Output after")
    assert sent == [("clear_output", {"wait": False}), ("stream", {"name": "stdout", "text": "after\n"})]


def test_sigint_interrupts_a_running_cell(fake: tuple[AzShellKernel, Sent]) -> None:
    kernel, sent = fake
    kernel.pre_handler_hook()  # what ipykernel does around every shell handler
    try:
        threading.Timer(0.2, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        reply = run(kernel, "Start-Sleep 30")
    finally:
        kernel.post_handler_hook()
    assert reply["status"] == "error"
    assert reply["evalue"] == "The pipeline has been stopped."
    assert [m for m, _ in sent] == ["error"]


def test_a_broken_session_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> Any:
        raise OSError("state file unusable")

    kernel, sent = make_kernel(boom, monkeypatch)
    reply = run(kernel, "1")
    assert reply["status"] == "error" and "state file unusable" in reply["evalue"]
    assert asyncio.run(kernel.do_complete("Get-", 4))["matches"] == []


def test_kernel_info_has_no_debugger_and_powershell_language(fake: tuple[AzShellKernel, Sent]) -> None:
    kernel, _ = fake
    info = kernel.kernel_info
    assert "debugger" not in info["supported_features"]
    assert info["implementation"] == "azshell"
    li = info["language_info"]
    assert (li["name"], li["mimetype"], li["file_extension"], li["pygments_lexer"], li["codemirror_mode"]) == (
        "powershell", "text/x-powershell", ".ps1", "powershell", "powershell")


# ------------------------------------------------------------------ with the real session

def test_real_session_cells(real: tuple[AzShellKernel, Sent]) -> None:
    kernel, sent = real
    assert run(kernel, "1+2")["status"] == "ok"
    assert sent == [("execute_result", {"execution_count": 1, "data": {"text/plain": "3"}, "metadata": {}})]
    sent.clear()
    run(kernel, "[pscustomobject]@{a=1}")
    (kind, content), = sent
    assert kind == "execute_result" and "<table" in content["data"]["text/html"]
    sent.clear()
    reply = run(kernel, 'throw "boom"')
    assert [m for m, _ in sent] == ["error"]
    assert reply["evalue"] == "boom"
    assert any("At line:1 char:1" in line for line in reply["traceback"])


def test_real_session_completion(real: tuple[AzShellKernel, Sent]) -> None:
    kernel, _ = real
    reply = asyncio.run(kernel.do_complete("Get-Varia", 9))
    assert reply["matches"] == ["Get-Variable"]
    assert reply["cursor_start"] == 0 and reply["cursor_end"] == 9


def test_real_session_inspects_the_command_whose_arguments_the_cursor_is_in(real: tuple[AzShellKernel, Sent]) -> None:
    kernel, _ = real

    def tooltip(code: str, cursor: int | None = None) -> str:
        reply = asyncio.run(kernel.do_inspect(code, len(code) if cursor is None else cursor))
        assert reply["status"] == "ok" and reply["found"] is True, code
        return str(reply["data"]["text/plain"])

    for code in ("Get-AzVM ", "Get-AzVM -ResourceGroupName x", "$vm = Get-AzVM -Name (Get-Date) -Status ",
                 "Get-AzResourceGroup | Get-AzVM "):
        assert "NAME\n    Get-AzVM\n" in tooltip(code), code
    on_param = tooltip("Get-AzVM -ResourceGroupName x", len("Get-AzVM -Resou"))
    assert on_param.startswith("Get-AzVM -ResourceGroupName <String>") and "Required?" in on_param
    assert "NAME\n    Get-Date\n" in tooltip("Get-AzVM -Name (Get-Date ")
    assert "NAME\n    Get-AzVM\n" in tooltip("Get-Help Get-AzVM")  # the command Get-Help is asked about
    assert asyncio.run(kernel.do_inspect("'Get-AzVM ", 10))["found"] is False  # inside a string
    # SYNTAX wraps between parameters: every continuation line starts a new [-Parameter ...] item
    page = tooltip("New-AzVM ")
    syntax = page.split("SYNTAX\n", 1)[1].split("DESCRIPTION", 1)[0]
    for line in syntax.splitlines():
        if line.strip() and not line.lstrip().startswith("New-AzVM"):
            assert line.lstrip().startswith("[") or line.lstrip().startswith("-"), line
        assert not line.rstrip().endswith(("[-", "<", "|", "{")), line


def test_real_session_explanations_render_as_their_text(real: tuple[AzShellKernel, Sent]) -> None:
    """Show-Token (and Test-AzAccess) are purpose-built text: HTML keeps that layout, never a property table."""
    kernel, sent = real
    for code in ("Get-AzAccessToken | Show-Token",
                 'Test-AzAccess -Action Microsoft.Resources/subscriptions/read '
                 '-Scope "/subscriptions/$((Get-AzContext).Subscription.Id)"'):
        sent.clear()
        assert run(kernel, code)["status"] == "ok", code
        bundles = [c["data"] for m, c in sent if m in ("display_data", "execute_result")]
        assert bundles, code
        html = bundles[-1]["text/html"]
        assert html.startswith("<pre>") and "<table" not in html, code
        assert html.count("\n") == bundles[-1]["text/plain"].strip("\n").count("\n"), code


def test_real_session_tutorial_cells(real: tuple[AzShellKernel, Sent]) -> None:
    """Outside a generated notebook: each passed step's next card is HTML; a cell that passed nothing ends with
    one short status; a quiet run (the generated notebooks) shows pass lines only."""
    kernel, sent = real
    name = "current-windows-vm-access-arm"
    run(kernel, f"Start-Tutorial {name}")
    assert any(m == "execute_result" and "<h4>Step 1/8" in c["data"].get("text/html", "") for m, c in sent)
    assert not any(m == "stream" and "── step" in c["text"] for m, c in sent)  # the cmdlet said it
    sent.clear()
    run(kernel, "New-AzResourceGroup -Name myResourceGroup -Location westus")
    texts = [c["text"] for m, c in sent if m == "stream"]
    assert any("✔ Step 1 passed" in t for t in texts) and not any("── step" in t for t in texts)
    cards = [c["data"] for m, c in sent if m == "display_data" and "<h4>Step 2/8" in c["data"].get("text/html", "")]
    assert len(cards) == 1 and cards[0]["text/plain"].startswith("Step 2/8: Create the Windows VM")
    sent.clear()
    run(kernel, "$x = 1")
    texts = [c["text"] for m, c in sent if m == "stream"]
    assert texts == ["── step 2/8 (Create the Windows VM) not passed yet: VM myVM does not exist yet\n"]
    sent.clear()
    run(kernel, f"Start-Tutorial {name} -Restart -Quiet")
    assert [c["text"] for m, c in sent if m == "stream"] == [
        f"▶ {name} started over (removed resource group myResourceGroup) — step 1/8: Create a resource group\n"]
    assert not any(m in ("display_data", "execute_result") for m, _ in sent)
    sent.clear()
    run(kernel, "New-AzResourceGroup -Name myResourceGroup -Location westus")
    assert [c["text"] for m, c in sent if m == "stream"] == ["✔ Step 1 passed: Create a resource group\n"]
    assert not any("<h4>" in c.get("data", {}).get("text/html", "") for _, c in sent)


# ------------------------------------------------------------------ install

def test_install_writes_an_absolute_interpreter(tmp_path: Path) -> None:
    path = kinstall.install(prefix=str(tmp_path))
    spec = json.loads((Path(path) / "kernel.json").read_text())
    assert Path(path).name == "azshell"
    assert os.path.isabs(spec["argv"][0])
    assert spec["argv"][1:] == ["-m", "azshell_kernel", "-f", "{connection_file}"]
    assert spec["language"] == "powershell"
    assert spec["display_name"] == "azshell (PowerShell for Azure MI)"


def test_install_main_prints_where(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kinstall.main(["--prefix", str(tmp_path)]) == 0
    assert str(tmp_path) in capsys.readouterr().out
