"""Invoke-WebRequest / Invoke-RestMethod: PowerShell's request building, responses and error records."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from azshell.cmdlets.context import Services
from azshell.cmdlets.web import HttpResponseError, InvokeRestMethod, InvokeWebRequest, connection_hints
from azshell.lang.cmdlet import CmdletError
from azshell.lang.values import PSHashtable, PSObject
from azshell.world import World
from tests.cmdlets.conftest import Runner

IMDS = ("http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
        "&resource=https://management.azure.com/")


def mock_runner(world: World, handler: Callable[[httpx.Request], httpx.Response]) -> Runner:
    services = Services(world, client_factory=lambda provider: httpx.Client(transport=httpx.MockTransport(handler)))
    return Runner(services)


def test_get_body_hashtable_becomes_query_string(world: World) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"ok": True})

    run = mock_runner(world, handler)
    run(InvokeWebRequest, Uri="http://localhost:50342/oauth2/token", Method="GET",
        Body=PSHashtable({"resource": "https://management.azure.com/"}), Headers=PSHashtable({"Metadata": "true"}))
    req = seen[0]
    assert req.method == "GET" and req.content == b""
    assert req.url.params["resource"] == "https://management.azure.com/"
    assert req.headers["Metadata"] == "true"


def test_post_body_hashtable_is_form_encoded_and_string_as_is(world: World) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, text="hi", headers={"Content-Type": "text/plain"})

    run = mock_runner(world, handler)
    run(InvokeWebRequest, Uri="http://x.test/a", Method="POST", Body=PSHashtable({"resource": "r s"}))
    assert seen[0].content == b"resource=r+s"
    assert seen[0].headers["Content-Type"] == "application/x-www-form-urlencoded"
    run(InvokeWebRequest, Uri="http://x.test/a", Method="PUT", Body='{"a":1}', ContentType="application/json")
    assert seen[1].content == b'{"a":1}' and seen[1].headers["Content-Type"] == "application/json"
    assert run(InvokeRestMethod, Uri="http://x.test/a") == ["hi"]


def test_response_object_shape(world: World) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b'{"a":1}', headers={"Content-Type": "application/json", "X-A": "1"})

    r = mock_runner(world, handler)(InvokeWebRequest, Uri="https://x.test/")[0]
    assert r.type_names[0] == "Microsoft.PowerShell.Commands.HtmlWebResponseObject"
    assert r.property_names()[:11] == ["StatusCode", "StatusDescription", "Content", "RawContent", "Forms",
                                      "Headers", "Images", "InputFields", "Links", "ParsedHtml",
                                      "RawContentLength"]
    assert (r.get("StatusCode"), r.get("StatusDescription"), r.get("Content")) == (200, "OK", '{"a":1}')
    assert r.get("RawContent").startswith("HTTP/1.1 200 OK\r\n")
    assert "x-a: 1\r\n" in r.get("RawContent").lower() and r.get("RawContent").endswith('\r\n\r\n{"a":1}')
    assert r.get("Headers")["x-a"] == "1" and r.get("RawContentLength") == 7
    assert r.get("Forms") == [] and r.get("ParsedHtml") is None


def test_invoke_rest_method_parses_json(world: World) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"access_token": "t", "n": [1, 2]})

    out = mock_runner(world, handler)(InvokeRestMethod, Uri="https://x.test/")
    assert isinstance(out[0], PSObject) and out[0].get("access_token") == "t" and out[0].get("n") == [1, 2]


def test_redirects_follow_and_drop_authorization(world: World) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/a":
            return httpx.Response(307, headers={"Location": "https://x.test/b"})
        return httpx.Response(201)

    run = mock_runner(world, handler)
    r = run(InvokeWebRequest, Uri="https://x.test/a", Method="PUT", Body="data",
            Headers=PSHashtable({"Authorization": "Bearer t"}))[0]
    assert r.get("StatusCode") == 201
    assert seen[1].method == "PUT" and seen[1].content == b"data" and "Authorization" not in seen[1].headers
    seen.clear()
    r = run(InvokeWebRequest, Uri="https://x.test/a", Method="PUT", Body="data", MaximumRedirection=0,
            Headers=PSHashtable({"Authorization": "Bearer t"}))[0]
    assert r.get("StatusCode") == 307 and r.get("StatusDescription") == "Temporary Redirect"
    assert r.get("Headers")["Location"] == "https://x.test/b" and r.get("Content") == []
    assert len(seen) == 1


def test_http_error_record_and_skip_check(world: World) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"error": {"code": "NotFound", "message": "nope"}})

    run = mock_runner(world, handler)
    with pytest.raises(CmdletError) as ei:
        run(InvokeWebRequest, Uri="https://x.test/", StatusCodeVariable="sc")
    e = ei.value
    assert e.message.splitlines() == ['{"error":{"code":"NotFound","message":"nope"}}',
                                      "Response status code does not indicate success: 404 (Not Found)."]
    assert e.category == "InvalidOperation"
    assert e.error_id == "WebCmdletWebResponseException"
    assert isinstance(e.exception, HttpResponseError)
    assert e.exception.ps_type_name == "Microsoft.PowerShell.Commands.HttpResponseException"
    assert e.exception.Response.get("StatusCode") == 404
    assert run.ctx.variables["sc"] == 404
    out = run(InvokeWebRequest, Uri="https://x.test/", SkipHttpErrorCheck=True)
    assert out[0].get("StatusCode") == 404
    with pytest.raises(CmdletError) as ei:
        run(InvokeRestMethod, Uri="https://x.test/")
    assert ei.value.error_id == "WebCmdletWebResponseException"


def test_infile_and_outfile(world: World) -> None:
    seen: list[bytes] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        return httpx.Response(200, content=b"body!", headers={"Content-Type": "text/plain"})

    run = mock_runner(world, handler)
    run.ctx.fs.write_text("Test1.txt", "Test file.\n")
    assert run(InvokeWebRequest, Uri="https://x.test/", Method="PUT", InFile="Test1.txt", OutFile="out.txt") == []
    assert seen == [b"Test file.\n"] and run.ctx.fs.files["out.txt"] == b"body!"
    with pytest.raises(CmdletError, match="Could not find file 'missing.txt'"):
        run(InvokeWebRequest, Uri="https://x.test/", Method="PUT", InFile="missing.txt")


def test_connection_hints_for_the_2017_typos() -> None:
    assert connection_hints("http://localhost/50342/oauth2/token") == [
        "'localhost/50342' puts the port in the path; did you mean http://localhost:50342/oauth2/token?"]
    assert "port 50342" in connection_hints("http://localhost:50432/oauth2/token")[0]
    assert connection_hints("https://management.azure.com/") == []


# ----------------------------------------------------------------------------------- against the planes
def test_imds_off_host_fails_with_enter_hint(run: Runner) -> None:
    with pytest.raises(CmdletError) as ei:
        run(InvokeWebRequest, Uri=IMDS, Headers=PSHashtable({"Metadata": "true"}))
    assert "Enter-AzVM" in ei.value.message
    assert ei.value.error_id == "WebCmdletWebResponseException"


def test_typo_localhost_slash_port_is_refused_with_hint(run: Runner) -> None:
    with pytest.raises(CmdletError) as ei:
        run(InvokeWebRequest, Uri="http://localhost/50342/oauth2/token", Method="GET",
            Body=PSHashtable({"resource": "https://management.azure.com/"}), Headers=PSHashtable({"Metadata": "true"}))
    lines = ei.value.message.splitlines()
    assert lines[0] == "Unable to connect to the remote server"  # Windows PowerShell's text, as the docs quote it
    assert "(localhost:80)" in lines[1]
    assert "did you mean http://localhost:50342/oauth2/token?" in lines[2]


def test_unknown_host(run: Runner) -> None:
    with pytest.raises(CmdletError, match=r"No such host is known\. \(nosuch\.example\.com:443\)"):
        run(InvokeWebRequest, Uri="https://nosuch.example.com/")


def test_arm_401_without_token(run: Runner, world: World) -> None:
    url = f"https://management.azure.com/subscriptions/{world.default_subscription_id}/resourceGroups/x?api-version=2016-06-01"
    with pytest.raises(CmdletError) as ei:
        run(InvokeWebRequest, Uri=url, Headers=PSHashtable({"Authorization": "Bearer "}))
    assert "Response status code does not indicate success: 401 (Unauthorized)." in ei.value.message
    assert json.loads(ei.value.message.splitlines()[0])["error"]["code"].startswith("Authentication")


def test_http_error_body_is_in_error_details_and_status_line_in_exception_message(world) -> None:  # type: ignore[no-untyped-def]
    """PowerShell 7: $_.ErrorDetails.Message is the service's body, $_.Exception.Message the status line."""
    from azshell.session import Session

    s = Session(world=world)
    r = s.execute('try { Invoke-RestMethod "https://management.azure.com/subscriptions?api-version=2020-01-01" '
                  '-Headers @{Authorization="Bearer x"} } catch { $_.Exception.Message; '
                  '($_.ErrorDetails.Message | ConvertFrom-Json).error.code }')
    outs = [x.value for x in r.records if x.stream == "output"]
    assert outs == ["Response status code does not indicate success: 401 (Unauthorized).",
                    "InvalidAuthenticationToken"]


@pytest.mark.parametrize(("uri", "why"), [
    ("::::", "Invalid URI: Invalid port specified."),
    ("http://x:99999/", "Invalid URI: Invalid port specified."),
    ("http://[bad", "Invalid URI: The hostname could not be parsed."),
    ("http://", "Invalid URI: The hostname could not be parsed."),
])
def test_a_uri_that_is_no_uri_is_powershells_binding_error(world: World, uri: str, why: str) -> None:
    """Was an internal error (httpx.InvalidURL / urlsplit's ValueError); Test-AzAccess -Uri says the same."""
    from tests.cmdlets._shell import Shell

    shell = Shell(world)
    for line in (f"Invoke-WebRequest -Uri '{uri}'", f"Invoke-RestMethod '{uri}'", f"Test-AzAccess -Uri '{uri}'"):
        text = shell.error_text(line)
        assert f"Cannot bind parameter 'Uri'. Cannot convert value \"{uri}\" to type \"System.Uri\". Error: " \
               f"\"{why}\"" in text, text
        assert "internal error" not in text
