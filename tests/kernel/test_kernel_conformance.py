"""End to end: the real kernel process under ``jupyter_kernel_test`` (marked ``slow``; runs in CI).

The kernelspec comes from the temporary ``JUPYTER_PATH`` set up in ``conftest.py``; the kernel runs the real
``Session`` over a throwaway ``:memory:`` tenant. Every ``KernelTests`` check that applies is switched on.
"""

from __future__ import annotations

import time
import unittest

import pytest

from tests.conftest import require_module

jkt = require_module("jupyter_kernel_test")
ipykernel = require_module("ipykernel")

from jupyter_kernel_test.msgspec_v5 import validate_message  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]


def _session_clears_screen() -> bool:
    """Whether the session calls the host's clear-screen hook for ``Clear-Host`` (enables test_clear_output)."""
    import os
    import tempfile

    try:
        from azshell.session import Session

        os.environ.setdefault("AZSHELL_HOME", tempfile.mkdtemp(prefix="azshell-probe-"))
        session = Session(state=":memory:")
        calls: list[int] = []
        session.set_clear_screen(lambda: calls.append(1))
        session.execute("Clear-Host")
        session.close()
        return bool(calls)
    except Exception:
        return False


class AzShellKernelTests(jkt.KernelTests):  # type: ignore[misc,name-defined]
    kernel_name = "azshell"

    language_name = "powershell"
    file_extension = ".ps1"

    code_hello_world = 'Write-Output "hello, world"'
    code_stderr = 'Write-Warning "careful"'

    completion_samples = [
        {"text": "Get-Varia", "matches": {"Get-Variable"}},
        {"text": "Get-He", "matches": {"Get-Help"}},
        {"text": "zzzq", "matches": set()},
    ]

    complete_code_samples = ["Write-Output 1", "if ($true) { 1 }", "'{'"]
    incomplete_code_samples = ["if ($true) {", '"abc', "Write-Output `"]
    invalid_code_samples = ["}", "Write-Output 1 }"]

    code_generate_error = 'throw "boom"'

    code_execute_result = [
        {"code": "1+2", "result": "3"},
        {"code": "[pscustomobject]@{a=1}", "mime": "text/html"},
        {"code": "[pscustomobject]@{a=1}", "mime": "text/plain"},
    ]
    code_display_data = [
        {"code": "[pscustomobject]@{a=1}; Write-Host done", "mime": "text/html"},
        {"code": "Get-Command Get-Help; Write-Host done", "mime": "text/plain"},
    ]

    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "1+*"

    code_inspect_sample = "Get-Help"

    code_page_something = "Get-Help Get-Command"  # a help-only cell opens the pager, as IPython's `?` does

    code_clear_output = "Clear-Host" if _session_clears_screen() else ""

    # ---- project checks on the same kernel

    def test_kernel_info_features(self) -> None:
        self.flush_channels()
        msg_id = self.kc.kernel_info()
        reply = self.kc.get_shell_msg(timeout=jkt.TIMEOUT)
        validate_message(reply, "kernel_info_reply", msg_id)
        info = reply["content"]
        self.assertEqual(info["implementation"], "azshell")
        self.assertEqual(info["language_info"]["pygments_lexer"], "powershell")
        self.assertEqual(info["language_info"]["codemirror_mode"], "powershell")
        self.assertEqual(info["language_info"]["mimetype"], "text/x-powershell")
        self.assertNotIn("debugger", info.get("supported_features", []))

    def test_error_reply_fields(self) -> None:
        self.flush_channels()
        reply, outputs = self.execute_helper('throw "kaput"')
        content = reply["content"]
        self.assertEqual(content["status"], "error")
        self.assertEqual(content["evalue"], "kaput")
        self.assertTrue(any("At line:1 char:1" in line for line in content["traceback"]))
        (err,) = outputs
        self.assertEqual(err["msg_type"], "error")

    def test_silent_produces_no_output(self) -> None:
        self.flush_channels()
        r1, _ = self.execute_helper("1")
        reply, outputs = self.execute_helper('Write-Output "x"', silent=True)
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertEqual(outputs, [])
        self.assertEqual(reply["content"]["execution_count"], r1["content"]["execution_count"])

    def test_state_persists_between_cells(self) -> None:
        self.flush_channels()
        self.execute_helper("$x = 40")
        reply, outputs = self.execute_helper("$x + 2")
        (res,) = [m for m in outputs if m["msg_type"] == "execute_result"]
        self.assertEqual(res["content"]["data"]["text/plain"], "42")

    def test_user_expressions(self) -> None:
        self.flush_channels()
        msg_id = self.kc.execute("1", user_expressions={"a": "40+2", "b": 'throw "nope"'})
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
        validate_message(reply, "execute_reply", msg_id)
        ue = reply["content"]["user_expressions"]
        self.assertEqual(ue["a"]["data"]["text/plain"], "42")
        self.assertEqual(ue["b"]["status"], "error")
        self._drain_until_idle(msg_id)

    def test_interrupt(self) -> None:
        self.flush_channels()
        msg_id = self.kc.execute("Start-Sleep 30")
        deadline = time.monotonic() + jkt.TIMEOUT
        while time.monotonic() < deadline:  # a SIGINT between requests is ignored: wait until it runs
            m = self.kc.get_iopub_msg(timeout=jkt.TIMEOUT)
            if m["msg_type"] == "execute_input" and m["parent_header"]["msg_id"] == msg_id:
                break
        time.sleep(0.3)
        t0 = time.monotonic()
        self.km.interrupt_kernel()
        reply = self.kc.get_shell_msg(timeout=10)
        self.assertLess(time.monotonic() - t0, 5)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(reply["content"]["evalue"], "The pipeline has been stopped.")
        self._drain_until_idle(msg_id)
        r, _ = self.execute_helper('Write-Output "after"')
        self.assertEqual(r["content"]["status"], "ok")

    def _drain_until_idle(self, msg_id: str) -> None:
        while True:
            m = self.kc.get_iopub_msg(timeout=jkt.TIMEOUT)
            if (m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status"
                    and m["content"]["execution_state"] == "idle"):
                return


class AzShellIopubWelcomeTests(jkt.IopubWelcomeTests):  # type: ignore[misc,name-defined]
    kernel_name = "azshell"
    support_iopub_welcome = ipykernel.version_info >= (7,)


if __name__ == "__main__":
    unittest.main()
