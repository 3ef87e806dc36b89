"""Invoke-WebRequest (iwr) and Invoke-RestMethod (irm) with PowerShell's semantics, served in-process.

Requests go through ``services.http``: Azure host names are answered by the planes, as the current host (so
``169.254.169.254`` answers only on a VM you entered). What PowerShell does and these do too:

* ``-Body`` a hashtable on GET → appended to the query string; on other methods → form-encoded; a string → as is;
* redirects are followed (5 by default) and the ``Authorization`` header is dropped on the way, as .NET does;
  ``-MaximumRedirection 0`` returns the 3xx response itself (Windows PowerShell 5.1, which the Data Lake
  tutorial relies on);
* a non-2xx answer is a terminating error whose text is the service's body followed by PowerShell 7's status
  line ``Response status code does not indicate success: 403 (Forbidden).``; the response stays in the error
  record (``$_.Exception.Response``);
* a host nobody answers fails as an offline host does, followed by azshell's hint (``Enter-AzVM`` for IMDS, the
  2017 tutorial's ``localhost/50342`` typo, ...).
"""

from __future__ import annotations

import re
import time
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus, urlsplit

import httpx

from azshell.auth.decision import AccessDecision
from azshell.cmdlets._azure import PS_WEB_RESPONSE
from azshell.cmdlets._base import AzCmdlet, access_hints, checked_uri, decision_of
from azshell.cmdlets.context import hint_of
from azshell.cmdlets.views import ViewSpec, pairs, register_table, truncated
from azshell.hostnames import LOOPBACK_HOSTS, MSI_EXTENSION_PORT
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.values import PSHashtable, PSObject

if TYPE_CHECKING:
    from azshell.lang.formatting import ViewTable

__all__ = [
    "HttpResponseError",
    "InvokeRestMethod",
    "InvokeWebRequest",
    "connection_hints",
    "web_response_object",
]

HTTP_RESPONSE_EXCEPTION = "Microsoft.PowerShell.Commands.HttpResponseException"
HTTP_REQUEST_EXCEPTION = "System.Net.Http.HttpRequestException"
WEB_RESPONSE_ERROR_ID = "WebCmdletWebResponseException"
#: Windows PowerShell 5.1's message for a refused or unreachable address (what the MSI docs quote).
UNABLE_TO_CONNECT = "Unable to connect to the remote server"
STATUS_LINE = "Response status code does not indicate success: {status} ({reason})."
MAX_REDIRECTION_EXCEEDED = (
    "The maximum redirection count has been exceeded. To increase the number of redirections allowed, supply a "
    "higher value to the -MaximumRedirection parameter."
)
DEFAULT_MAXIMUM_REDIRECTION = 5
USER_AGENT = "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.20348; en-US) PowerShell/7.4.6"
HTTP_METHODS = ("Default", "Get", "Head", "Post", "Put", "Delete", "Trace", "Options", "Merge", "Patch")
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_TEXT_TYPES = ("text/", "json", "xml", "javascript", "x-www-form-urlencoded", "html")
_TYPO_PATH = re.compile(r"^/(?P<port>\d{2,5})(?P<rest>/.*)$")


class HttpResponseError(Exception):
    """``Microsoft.PowerShell.Commands.HttpResponseException``: keeps ``.Response`` for ``catch`` blocks."""

    ps_type_name = HTTP_RESPONSE_EXCEPTION
    ps_exception_type = HTTP_RESPONSE_EXCEPTION

    def __init__(self, message: str, response: PSObject, error_details: str | None = None,
                 decision: AccessDecision | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.response = response
        #: the plane's access decision for a 401/403 (Show-AzAccessGraph -Explain reads it)
        self.decision = decision
        #: the service's error body: PowerShell 7 puts it in ``$_.ErrorDetails.Message``
        self.error_details = error_details

    @property
    def Response(self) -> PSObject:  # noqa: N802 - .NET property name ($_.Exception.Response)
        return self.response

    @property
    def Message(self) -> str:  # noqa: N802
        return self.message

    @property
    def StatusCode(self) -> Any:  # noqa: N802
        return self.response.get("StatusCode")


class HttpConnectionError(Exception):
    """``System.Net.Http.HttpRequestException`` for a host that did not answer."""

    ps_type_name = HTTP_REQUEST_EXCEPTION
    ps_exception_type = HTTP_REQUEST_EXCEPTION

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    @property
    def Message(self) -> str:  # noqa: N802
        return self.message


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _is_text(content_type: str) -> bool:
    ct = content_type.casefold()
    return any(t in ct for t in _TEXT_TYPES)


def _headers_table(resp: httpx.Response) -> PSHashtable:
    """Response headers as a case-insensitive hashtable, names as sent, repeated headers joined with ", "."""
    table = PSHashtable()
    for k, v in _raw_headers(resp):
        old = table.get(k)
        table[k] = v if old is None else f"{old}, {v}"
    return table


def _raw_headers(resp: httpx.Response) -> list[tuple[str, str]]:
    return [(k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.headers.raw]


def web_response_object(resp: httpx.Response) -> PSObject:
    """The response object Invoke-WebRequest returns (5.1's HtmlWebResponseObject shape)."""
    body = resp.content
    ctype = resp.headers.get("content-type", "")
    content: Any
    if ctype and _is_text(ctype):
        content = resp.text
    elif not body:
        content = []  # a byte[]: Windows PowerShell shows {} for an empty non-text body
    else:
        try:
            content = body.decode("utf-8")
        except UnicodeDecodeError:
            content = list(body)
    reason = _reason(resp.status_code)
    text_body = content if isinstance(content, str) else ""
    raw = f"HTTP/1.1 {resp.status_code} {reason}\r\n"
    raw += "".join(f"{k}: {v}\r\n" for k, v in _raw_headers(resp))
    raw += "\r\n" + text_body
    base = PSObject([
        ("StatusCode", resp.status_code),
        ("StatusDescription", reason),
        ("ResponseUri", str(resp.request.url) if resp.request is not None else None),
        ("Method", resp.request.method if resp.request is not None else None),
    ], type_names=("System.Net.HttpWebResponse", "System.Object"))
    obj = PSObject([
        ("StatusCode", resp.status_code),
        ("StatusDescription", reason),
        ("Content", content),
        ("RawContent", raw),
        ("Forms", []),
        ("Headers", _headers_table(resp)),
        ("Images", []),
        ("InputFields", []),
        ("Links", []),
        ("ParsedHtml", None),
        ("RawContentLength", len(body)),
        ("BaseResponse", base),
    ], type_names=(PS_WEB_RESPONSE, "Microsoft.PowerShell.Commands.WebResponseObject", "System.Object"))
    obj.methods["tostring"] = lambda: text_body
    return obj


def connection_hints(url: str) -> list[str]:
    """azshell's notes on a failed connection that come from the URL itself (typos in the tutorials)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").casefold()
    hints: list[str] = []
    if host in LOOPBACK_HOSTS:
        m = _TYPO_PATH.match(parts.path or "")
        if m and parts.port in (None, 80):
            hints.append(
                f"'{parts.netloc}/{m['port']}' puts the port in the path; did you mean "
                f"{parts.scheme}://{parts.hostname}:{m['port']}{m['rest']}?")
        elif (parts.path or "").rstrip("/").casefold() == "/oauth2/token" and parts.port != MSI_EXTENSION_PORT:
            hints.append(f"The 2017 MSI VM extension listens on port {MSI_EXTENSION_PORT}; did you mean "
                         f"http://localhost:{MSI_EXTENSION_PORT}/oauth2/token?")
    return hints


def _to_pairs(value: Any) -> list[tuple[str, str]] | None:
    from azshell.lang.conversions import to_string

    if isinstance(value, PSHashtable):
        return [(to_string(k), to_string(v)) for k, v in value.items()]
    if isinstance(value, dict):
        return [(to_string(k), to_string(v)) for k, v in value.items()]
    return None


#: PowerShell 7's default -RetryIntervalSec, and the verbose line before each retry (WebCmdletStrings.RetryVerboseMsg)
DEFAULT_RETRY_INTERVAL_SEC = 5
RETRY_VERBOSE = "Retrying after interval of {seconds} seconds. Status code for previous attempt: {status}"


class _WebCmdlet(AzCmdlet):
    command_class = "Microsoft.PowerShell.Commands.InvokeWebRequestCommand"

    params = (
        Param("Uri", "string", mandatory=True, position=0, aliases=("Url",)),
        Param("Method", "string", validate_set=HTTP_METHODS, parameter_sets=("StandardMethod",)),
        Param("CustomMethod", "string", parameter_sets=("CustomMethod",)),
        Param("Headers", "object"),
        Param("Body", "object"),
        Param("ContentType", "string"),
        Param("InFile", "string"),
        Param("OutFile", "string"),
        Param("PassThru", "switch"),
        Param("MaximumRedirection", "int", default=DEFAULT_MAXIMUM_REDIRECTION),
        Param("UseBasicParsing", "switch"),
        Param("SkipHttpErrorCheck", "switch"),
        Param("StatusCodeVariable", "string"),
        Param("ResponseHeadersVariable", "string", aliases=("RHV",)),
        Param("PreserveAuthorizationOnRedirect", "switch"),
        Param("TimeoutSec", "int"),
        Param("MaximumRetryCount", "int", validate_range=(0, 2147483647)),
        Param("RetryIntervalSec", "int", validate_range=(1, 2147483647)),
        Param("UserAgent", "string"),
        Param("DisableKeepAlive", "switch"),
        Param("UseDefaultCredentials", "switch"),
        Param("Credential", "pscredential"),
        Param("SessionVariable", "string", aliases=("SV",)),
        Param("WebSession", "object"),
        Param("SkipCertificateCheck", "switch"),
        Param("NoProxy", "switch"),
    )
    default_parameter_set = "StandardMethod"

    # ------------------------------------------------------------------------------------- request
    def _build(self) -> tuple[str, str, list[tuple[str, str]], bytes | None]:
        from azshell.lang.conversions import to_string

        p = self.bound
        typed = to_string(p["Uri"])
        url = typed.strip()
        if "://" not in url:
            url = "http://" + url
        url = checked_uri(url, typed)
        method = str(p.get("CustomMethod") or p.get("Method") or "Default")
        method = "GET" if method.casefold() == "default" else method.upper()
        headers: list[tuple[str, str]] = []
        raw_headers = p.get("Headers")
        if raw_headers is not None:
            pairs = _to_pairs(raw_headers)
            if pairs is None:
                self.fail(f"Cannot bind parameter 'Headers'. Cannot convert the \"{to_string(raw_headers)}\" value of "
                          "type \"System.String\" to type \"System.Collections.IDictionary\".",
                          error_id="CannotConvertArgumentNoMessage")
            headers.extend(pairs)
        content_type = p.get("ContentType")
        body: bytes | None = None
        raw_body = p.get("Body")
        if p.get("InFile"):
            path = str(p["InFile"])
            try:
                body = self.ctx.fs.read_bytes(path)
            except (OSError, KeyError):
                raise CmdletError(f"Could not find file '{path}'.", category="ObjectNotFound",
                                  error_id=WEB_RESPONSE_ERROR_ID,
                                  exception=FileNotFoundError(path)) from None
        elif raw_body is not None:
            pairs = _to_pairs(raw_body)
            if pairs is not None:
                encoded = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in pairs)
                if method == "GET":
                    if encoded:
                        url += ("&" if "?" in url else "?") + encoded
                else:
                    body = encoded.encode("utf-8")
                    if not content_type:
                        content_type = "application/x-www-form-urlencoded"
            elif isinstance(raw_body, (bytes, bytearray)):
                body = bytes(raw_body)
            elif isinstance(raw_body, list) and all(isinstance(b, int) for b in raw_body):
                body = bytes(raw_body)
            else:
                body = to_string(raw_body).encode("utf-8")
        if content_type:
            headers = [(k, v) for k, v in headers if k.casefold() != "content-type"]
            headers.append(("Content-Type", str(content_type)))
        if not any(k.casefold() == "user-agent" for k, _ in headers):
            headers.append(("User-Agent", str(p.get("UserAgent") or USER_AGENT)))
        return method, url, headers, body

    def _send(self) -> tuple[httpx.Response, str]:
        """Send the request, following redirects; with ``-MaximumRetryCount``, retry a 304 or a 400-599 answer
        as PowerShell 7 does: after ``-RetryIntervalSec`` seconds (5 by default), or after a 429's
        ``Retry-After``, saying so on the verbose stream."""
        retries = int(self.bound.get("MaximumRetryCount") or 0)
        interval = int(self.bound.get("RetryIntervalSec") or DEFAULT_RETRY_INTERVAL_SEC)
        while True:
            resp, url = self._send_once()
            status = resp.status_code
            if retries <= 0 or not (status == 304 or 400 <= status <= 599):
                return resp, url
            retries -= 1
            wait = interval
            after = resp.headers.get("retry-after", "").strip()
            if status == 429 and after.isdigit():
                wait = int(after)
            self.write_verbose(RETRY_VERBOSE.format(seconds=wait, status=status))
            self._wait(wait)

    def _wait(self, seconds: float) -> None:
        check = getattr(self.ctx, "check_interrupt", None)
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            if callable(check) and check():
                return
            time.sleep(min(0.05, left))

    def _send_once(self) -> tuple[httpx.Response, str]:
        method, url, headers, body = self._build()
        max_redirects = self.bound.get("MaximumRedirection")
        max_redirects = DEFAULT_MAXIMUM_REDIRECTION if max_redirects is None else int(max_redirects)
        keep_auth = bool(self.bound.get("PreserveAuthorizationOnRedirect"))
        followed = 0
        while True:
            try:
                resp = self.services.http.request(method, url, headers=headers, content=body)
            except httpx.HTTPError as e:
                raise self._connection_error(e, url) from None
            location = resp.headers.get("location")
            if resp.status_code not in REDIRECT_STATUSES or not location:
                return resp, url
            if max_redirects == 0:
                return resp, url  # Windows PowerShell 5.1: the 3xx response is the result
            if followed >= max_redirects:
                self.write_error(MAX_REDIRECTION_EXCEEDED, category="InvalidOperation",
                                 error_id="MaximumRedirectExceeded")
                return resp, url
            followed += 1
            url = str(resp.url.join(location))
            if resp.status_code == 303 or (resp.status_code in (301, 302) and method == "POST"):
                method, body = "GET", None
                headers = [(k, v) for k, v in headers if k.casefold() != "content-type"]
            if not keep_auth:
                headers = [(k, v) for k, v in headers if k.casefold() != "authorization"]

    def _connection_error(self, e: httpx.HTTPError, url: str) -> CmdletError:
        message = str(e) or UNABLE_TO_CONNECT
        if not message.startswith(UNABLE_TO_CONNECT):
            # Windows PowerShell's WebException text, as the docs quote it; the socket's reason below it
            message = f"{UNABLE_TO_CONNECT}\n{message}"
        hints = connection_hints(url)
        plane_hint = hint_of(e)
        if plane_hint:
            hints.append(plane_hint)
        text = message + "".join(f"\nHint: {h}" for h in hints)
        return CmdletError(text, category="InvalidOperation",
                           error_id=WEB_RESPONSE_ERROR_ID,
                           exception=HttpConnectionError(message, plane_hint or (hints[0] if hints else None)))

    def _http_error(self, resp: httpx.Response, url: str, response_obj: PSObject) -> CmdletError:
        status_line = STATUS_LINE.format(status=resp.status_code, reason=_reason(resp.status_code))
        body_text = resp.text.strip() if resp.content else ""
        lines = [body_text, status_line] if body_text else [status_line]
        # every 401/403 ends with a runnable line: the Test-AzAccess that explains the plane's decision
        lines.extend(access_hints(resp, ctx=self.ctx))
        text = "\n".join(lines)
        return CmdletError(text, category="InvalidOperation",
                           error_id=WEB_RESPONSE_ERROR_ID,
                           exception=HttpResponseError(status_line, response_obj, body_text or None,
                                                       decision_of(resp)))

    def _run(self) -> tuple[httpx.Response, PSObject] | None:
        resp, url = self._send()
        response_obj = web_response_object(resp)
        scv = self.bound.get("StatusCodeVariable")
        if scv:
            self.ctx.set_variable(str(scv).lstrip("$"), resp.status_code)
        rhv = self.bound.get("ResponseHeadersVariable")
        if rhv:
            self.ctx.set_variable(str(rhv).lstrip("$"), response_obj.get("Headers"))
        is_error = resp.status_code >= 400
        if is_error and not self.bound.get("SkipHttpErrorCheck"):
            raise self._http_error(resp, url, response_obj)
        out_file = self.bound.get("OutFile")
        if out_file:
            self.ctx.fs.write_bytes(str(out_file), resp.content)
            if not self.bound.get("PassThru"):
                return None
        return resp, response_obj


class InvokeWebRequest(_WebCmdlet):
    name = "Invoke-WebRequest"
    aliases = ("iwr",)
    synopsis = "Gets content from a web page on the internet."
    description = (
        "Sends an HTTP request and returns the response object (StatusCode, StatusDescription, Content, "
        "RawContent, Headers, RawContentLength...). Azure's host names are answered in-process: "
        "management.azure.com, login.microsoftonline.com, and on a host you entered with Enter-AzVM the token "
        "endpoints 169.254.169.254 and localhost:50342."
    )
    command_class = "Microsoft.PowerShell.Commands.InvokeWebRequestCommand"
    outputs = (PS_WEB_RESPONSE,)
    examples = (
        Example("$response = Invoke-WebRequest -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?"
                "api-version=2018-02-01&resource=https://management.azure.com/' -Method GET "
                "-Headers @{Metadata=\"true\"}\n$ArmToken = ($response.Content | ConvertFrom-Json).access_token",
                "On a VM: get an ARM token for the VM's managed identity from IMDS."),
        Example("(Invoke-WebRequest -Uri https://management.azure.com/subscriptions/$sub/resourceGroups/myRG"
                "?api-version=2016-06-01 -Method GET -ContentType \"application/json\" "
                "-Headers @{ Authorization =\"Bearer $ArmToken\"}).content",
                "Read the resource group from ARM with that token."),
    )

    def process(self) -> None:
        result = self._run()
        if result is not None:
            self.write(result[1])


class InvokeRestMethod(_WebCmdlet):
    name = "Invoke-RestMethod"
    aliases = ("irm",)
    synopsis = "Sends an HTTP or HTTPS request to a RESTful web service."
    description = ("Like Invoke-WebRequest, but returns the body: JSON becomes objects (as ConvertFrom-Json "
                   "makes them), other text is returned as a string.")
    command_class = "Microsoft.PowerShell.Commands.InvokeRestMethodCommand"
    outputs = ("System.Management.Automation.PSCustomObject", "System.String")
    examples = (
        Example("$token = (Invoke-RestMethod -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?"
                "api-version=2018-02-01&resource=https://vault.azure.net' -Headers @{Metadata=\"true\"})"
                ".access_token", "On a VM: a Key Vault token for the VM's identity."),
    )

    def process(self) -> None:
        result = self._run()
        if result is None:
            return
        resp, _ = result
        if not resp.content:
            return
        text = resp.text
        ctype = resp.headers.get("content-type", "").casefold()
        if "json" in ctype or text.lstrip()[:1] in ("{", "["):
            from azshell.lang.jsonconv import JsonConversionError, from_json

            try:
                value = from_json(text)
            except JsonConversionError:
                self.write(text)
                return
            if isinstance(value, list):
                for item in value:
                    self.write(item)
            elif value is not None:
                self.write(value)
            return
        self.write(text)


COMMANDS = (InvokeWebRequest, InvokeRestMethod)


#: The default views of this module's output types (Az PowerShell's format files).
VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec(PS_WEB_RESPONSE, "list",
             ("StatusCode", "StatusDescription", "Content", "RawContent", "Forms", "Headers", "Images",
              "InputFields", "Links", "ParsedHtml", "RawContentLength"),
             {"Content": truncated("Content"), "RawContent": truncated("RawContent"), "Headers": pairs("Headers")}),
)


def register_views(views: ViewTable) -> None:
    register_table(views, VIEWS)
