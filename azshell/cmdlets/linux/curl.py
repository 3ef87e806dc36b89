"""``curl``: the flags the Linux tutorials use, with curl's semantics, answered in-process by the planes.

Requests go through the session's in-process client (``services.http``), exactly as Invoke-WebRequest's do, so
``169.254.169.254`` answers only on a VM you entered. What curl does and this does too:

* ``-d/--data`` (and ``--data-raw``, ``--data-binary``, ``--data-urlencode``) make a form POST; several join
  with ``&``; ``@file`` reads a file (``-d`` strips its newlines); ``-G`` puts them in the query instead;
* ``-X`` sets the method for every request, also after a redirect (so ``-X PUT -L -T f`` re-sends the PUT
  and its body to the 307's ``Location``, as the Data Lake tutorials rely on); ``-T`` uploads with PUT;
* ``-i`` writes each response's status line and headers before the body (with ``-L``, every hop's), and for
  an upload the ``HTTP/1.1 100 Continue`` the tutorials show; ``-v`` writes ``> `` / ``< `` lines to stderr;
* errors are curl's (``curl: (7) Failed to connect to localhost port 50432 after 0 ms: Connection refused``,
  ``curl: (6) Could not resolve host: x``, ``curl: (22) The requested URL returned error: 403`` with
  ``--fail``), followed by azshell's hint; ``$LASTEXITCODE`` is curl's exit code.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import quote, urlsplit

import httpx

from azshell.cmdlets.context import hint_of, unreachable_of
from azshell.cmdlets.linux._native import NativeCommand
from azshell.cmdlets.web import connection_hints
from azshell.hostnames import LOOPBACK_HOSTS
from azshell.lang.cmdlet import Example

__all__ = ["Curl", "CurlOptions", "CurlUsageError", "parse_curl_args"]

CURL_VERSION = "8.5.0"
USER_AGENT = f"curl/{CURL_VERSION}"
MAX_REDIRS = 50
TRY_HELP = "curl: try 'curl --help' or 'curl --manual' for more information"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
REDIRECTS = frozenset({301, 302, 303, 307, 308})

# exit codes (curl's libcurl error numbers)
EXIT_UNSUPPORTED_PROTOCOL = 1
EXIT_USAGE = 2
EXIT_URL_MALFORMAT = 3
EXIT_COULDNT_RESOLVE_HOST = 6
EXIT_COULDNT_CONNECT = 7
EXIT_HTTP_RETURNED_ERROR = 22
EXIT_WRITE_ERROR = 23
EXIT_READ_ERROR = 26
EXIT_OPERATION_TIMEDOUT = 28
EXIT_TOO_MANY_REDIRECTS = 47

#: options that take a value: long name -> canonical key
_VALUE_OPTS = {
    "--header": "header", "--data": "data", "--data-ascii": "data", "--data-raw": "data-raw",
    "--data-binary": "data-binary", "--data-urlencode": "data-urlencode", "--request": "request",
    "--upload-file": "upload-file", "--output": "output", "--url": "url", "--user-agent": "user-agent",
    "--max-redirs": "max-redirs", "--write-out": "write-out", "--connect-timeout": "ignore",
    "--max-time": "ignore", "--retry": "ignore", "--cacert": "ignore", "--proxy": "ignore",
    "--noproxy": "ignore", "--resolve": "ignore",
}
_SHORT_VALUE = {"H": "header", "d": "data", "X": "request", "T": "upload-file", "o": "output",
                "A": "user-agent", "w": "write-out", "m": "ignore", "x": "ignore"}
_FLAG_OPTS = {
    "--include": "include", "--silent": "silent", "--show-error": "show-error", "--location": "location",
    "--location-trusted": "location-trusted", "--verbose": "verbose", "--insecure": "ignore", "--fail": "fail",
    "--fail-with-body": "fail-with-body", "--get": "get", "--head": "head", "--compressed": "ignore",
    "--globoff": "ignore", "--no-progress-meter": "ignore", "--http1.1": "ignore", "--help": "help",
    "--version": "version", "--remote-name": "ignore",
}
_SHORT_FLAG = {"i": "include", "s": "silent", "S": "show-error", "L": "location", "v": "verbose", "k": "ignore",
               "f": "fail", "G": "get", "I": "head", "h": "help", "V": "version", "g": "ignore"}

HELP_TEXT = """Usage: curl [options...] <url>
 -d, --data <data>           HTTP POST data
     --data-urlencode <data> HTTP POST data url encoded
 -f, --fail                  Fail fast with no output on HTTP errors
 -G, --get                   Put the post data in the URL and use GET
 -H, --header <header/@file> Pass custom header(s) to server
 -I, --head                  Show document info only
 -i, --include               Include protocol response headers in the output
 -k, --insecure              Allow insecure server connections
 -L, --location              Follow redirects
 -o, --output <file>         Write to file instead of stdout
 -X, --request <method>      Specify request method to use
 -s, --silent                Silent mode
 -S, --show-error            Show error even when -s is used
 -T, --upload-file <file>    Transfer local FILE to destination
 -v, --verbose               Make the operation more talkative
 -w, --write-out <format>    Use output FORMAT after completion
 -V, --version               Show version number and quit
(azshell: requests are answered in-process by the emulated Azure endpoints)"""


class CurlUsageError(Exception):
    """A command-line error: curl prints it and exits 2."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class CurlOptions:
    urls: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    data: list[tuple[str, str]] = field(default_factory=list)  # (kind, value)
    method: str | None = None
    upload_file: str | None = None
    output: str | None = None
    user_agent: str | None = None
    write_out: str | None = None
    max_redirs: int = MAX_REDIRS
    flags: set[str] = field(default_factory=set)


def parse_curl_args(args: list[str]) -> CurlOptions:
    """curl's command line: short flags bundle (``-sSL``), values follow or are attached (``-XPUT``)."""
    opts = CurlOptions()
    i = 0

    def take(name: str) -> str:
        nonlocal i
        if i + 1 >= len(args):
            raise CurlUsageError(f"curl: option {name}: requires parameter")
        i += 1
        return args[i]

    while i < len(args):
        arg = args[i]
        if arg.startswith("--") and len(arg) > 2:
            name, eq, attached = arg.partition("=")
            if name in _VALUE_OPTS:
                _set_value(opts, _VALUE_OPTS[name], attached if eq else take(name))
            elif name in _FLAG_OPTS and not eq:
                opts.flags.add(_FLAG_OPTS[name])
            else:
                raise CurlUsageError(f"curl: option {arg}: is unknown")
        elif arg.startswith("-") and len(arg) > 1:
            j = 1
            while j < len(arg):
                c = arg[j]
                if c in _SHORT_VALUE:
                    rest = arg[j + 1:]
                    _set_value(opts, _SHORT_VALUE[c], rest if rest else take(f"-{c}"))
                    break
                if c in _SHORT_FLAG:
                    opts.flags.add(_SHORT_FLAG[c])
                    j += 1
                    continue
                raise CurlUsageError(f"curl: option -{arg[j:]}: is unknown")
        else:
            opts.urls.append(arg)
        i += 1
    return opts


def _set_value(opts: CurlOptions, key: str, value: str) -> None:
    if key == "header":
        opts.headers.append(value)
    elif key in ("data", "data-raw", "data-binary", "data-urlencode"):
        opts.data.append((key, value))
    elif key == "request":
        opts.method = value
    elif key == "upload-file":
        opts.upload_file = value
    elif key == "output":
        opts.output = value
    elif key == "url":
        opts.urls.append(value)
    elif key == "user-agent":
        opts.user_agent = value
    elif key == "write-out":
        opts.write_out = value
    elif key == "max-redirs":
        try:
            opts.max_redirs = int(value)
        except ValueError:
            raise CurlUsageError("curl: option --max-redirs: expected a proper numerical parameter") from None


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


class CurlFailure(Exception):
    """A transfer error: curl's exit code and its ``curl: (N) ...`` text, plus azshell's hints."""

    def __init__(self, code: int, message: str, hints: list[str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.hints = hints or []


class Curl(NativeCommand):
    name = "curl"
    synopsis = "Transfers a URL (curl), answered in-process by the emulated Azure endpoints."
    description = (
        "curl as the Linux tutorials use it: -H/--header, -d/--data (form POST; @file), --data-urlencode, "
        "-X/--request, -i/--include, -s/--silent, -S, -L/--location, -T/--upload-file, -o/--output, -v, -k, "
        "-f/--fail, -G, -I, -w. Output is the response body as text lines (headers first with -i); errors are "
        "curl's and set $LASTEXITCODE (6 could not resolve host, 7 failed to connect, 22 HTTP error with "
        "--fail). On a VM you entered, 169.254.169.254 and localhost:50342 answer for that VM's identities."
    )
    outputs = ("System.String",)
    examples = (
        Example("curl 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource="
                "https://management.azure.com/' -H Metadata:true",
                "On a VM: a token for ARM from IMDS (the current Linux tutorials)."),
        Example("curl http://localhost:50342/oauth2/token --data \"resource=https://management.azure.com/\" "
                "-H Metadata:true", "The 2017 MSI VM extension endpoint (a form POST)."),
        Example("$token = (curl 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
                "&resource=https://management.azure.com/' -H Metadata:true -s | ConvertFrom-Json).access_token\n"
                "curl \"https://management.azure.com/subscriptions/$sub/resourceGroups/myRG?api-version=2016-09-01\""
                " -H \"Authorization: Bearer $token\"", "Read the resource group with that token."),
    )

    def process(self) -> None:
        try:
            opts = parse_curl_args(self.arguments())
        except CurlUsageError as e:
            self.stderr(f"{e.message}\n{TRY_HELP}", error=True)
            self.set_exit_code(EXIT_USAGE)
            return
        if "help" in opts.flags:
            self.stdout(HELP_TEXT + "\n")
            self.set_exit_code(0)
            return
        if "version" in opts.flags:
            self.stdout(f"curl {CURL_VERSION} (x86_64-pc-linux-gnu) libcurl/{CURL_VERSION} (azshell)\n"
                        "Protocols: http https\n")
            self.set_exit_code(0)
            return
        if not opts.urls:
            self.stderr(f"curl: no URL specified\n{TRY_HELP}", error=True)
            self.set_exit_code(EXIT_USAGE)
            return
        code = 0
        for url in opts.urls:
            try:
                self._transfer(opts, url)
            except CurlFailure as e:
                code = e.code
                if "silent" not in opts.flags or "show-error" in opts.flags:
                    self.stderr(f"curl: ({e.code}) {e.message}", error=True)
                for hint in e.hints:
                    self.stderr(f"Hint: {hint}")
        self.set_exit_code(code)

    # ----------------------------------------------------------------------------------------- request
    def _body(self, opts: CurlOptions) -> bytes | None:
        if opts.upload_file is not None:
            try:
                return self.ctx.fs.read_bytes(opts.upload_file)
            except (OSError, KeyError):
                raise CurlFailure(EXIT_READ_ERROR, "Failed to open/read local data from file/application") from None
        if not opts.data:
            return None
        parts: list[str] = []
        for kind, value in opts.data:
            if kind == "data-urlencode":
                parts.append(self._urlencoded(value))
            elif kind != "data-raw" and value.startswith("@"):
                text = self._read_data_file(value[1:])
                parts.append(text.replace("\r", "").replace("\n", "") if kind == "data" else text)
            else:
                parts.append(value)
        return "&".join(parts).encode("utf-8")

    def _read_data_file(self, path: str) -> str:
        try:
            return self.ctx.fs.read_text(path)
        except (OSError, KeyError, UnicodeDecodeError):
            self.stderr(f'Warning: Couldn\'t read data from file "{path}", this makes an empty POST.')
            return ""

    def _urlencoded(self, value: str) -> str:
        name, eq, content = value.partition("=")
        if eq:
            return f"{name}={quote(content, safe='')}" if name else quote(content, safe="")
        name, at, path = value.partition("@")
        if at:
            text = quote(self._read_data_file(path), safe="")
            return f"{name}={text}" if name else text
        return quote(value, safe="")

    def _request_headers(self, opts: CurlOptions, host: str, body: bytes | None) -> list[tuple[str, str]]:
        headers: list[tuple[str, str]] = [("Host", host), ("User-Agent", opts.user_agent or USER_AGENT),
                                          ("Accept", "*/*")]
        if body is not None and opts.upload_file is None and "get" not in opts.flags:
            headers.append(("Content-Type", FORM_CONTENT_TYPE))
        for raw in opts.headers:
            if ":" in raw:
                name, _, value = raw.partition(":")
                name, value = name.strip(), value.strip()
                headers = [(k, v) for k, v in headers if k.casefold() != name.casefold()]
                if value:
                    headers.append((name, value))
            elif raw.endswith(";"):
                name = raw[:-1].strip()
                headers = [(k, v) for k, v in headers if k.casefold() != name.casefold()]
                headers.append((name, ""))
        return headers

    def _transfer(self, opts: CurlOptions, url: str) -> None:
        url = url.strip()
        if "://" not in url:
            url = "http://" + url
        scheme = url.split("://", 1)[0].casefold()
        if scheme not in ("http", "https"):
            raise CurlFailure(EXIT_UNSUPPORTED_PROTOCOL, f'Protocol "{scheme}" not supported')
        body = self._body(opts)
        if body is not None and "get" in opts.flags and opts.upload_file is None:
            url += ("&" if "?" in url else "?") + body.decode("utf-8")
            body = None
        if opts.method:
            method = opts.method
        elif "head" in opts.flags:
            method = "HEAD"
        elif opts.upload_file is not None:
            method = "PUT"
        elif body is not None:
            method = "POST"
        else:
            method = "GET"
        verbose = "verbose" in opts.flags
        include = "include" in opts.flags or "head" in opts.flags
        out: list[str] = []
        hops = 0
        first_host = (urlsplit(url).hostname or "").casefold()
        while True:
            parts = urlsplit(url)
            if not parts.hostname:
                raise CurlFailure(EXIT_URL_MALFORMAT, "URL using bad/illegal format or missing URL")
            try:
                httpx.URL(url)
            except httpx.InvalidURL:  # a word that is no host name ("–-request" with an en dash): no such host
                raise CurlFailure(EXIT_COULDNT_RESOLVE_HOST, f"Could not resolve host: {parts.hostname}") from None
            host_header = parts.netloc.rsplit("@", 1)[-1]
            headers = self._request_headers(opts, host_header, body)
            if hops and (parts.hostname or "").casefold() != first_host and "location-trusted" not in opts.flags:
                headers = [(k, v) for k, v in headers if k.casefold() != "authorization"]
            if body is not None:
                headers.append(("Content-Length", str(len(body))))
            if verbose:
                self._verbose_request(parts.hostname or "", parts.port, parts.scheme, method, url, headers)
            try:
                resp = self.ctx.services.http.request(
                    method, url, headers=[(k, v) for k, v in headers if k.casefold() != "host"], content=body)
            except httpx.HTTPError as e:
                raise self._connect_failure(e, url) from None
            status_line = f"HTTP/1.1 {resp.status_code} {_reason(resp.status_code)}".rstrip()
            raw_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.headers.raw]
            if verbose:
                self.stderr("\n".join([f"< {status_line}", *(f"< {k}: {v}" for k, v in raw_headers), "<"]))
            fail = resp.status_code >= 400 and ("fail" in opts.flags or "fail-with-body" in opts.flags)
            if include and not (fail and "fail" in opts.flags):
                if opts.upload_file is not None and body is not None:
                    out.append("HTTP/1.1 100 Continue\r\n\r\n")
                out.append(status_line + "\r\n" + "".join(f"{k}: {v}\r\n" for k, v in raw_headers) + "\r\n")
            location = resp.headers.get("location")
            if "location" in opts.flags and resp.status_code in REDIRECTS and location:
                hops += 1
                if hops > opts.max_redirs:
                    self._emit(opts, out)
                    raise CurlFailure(EXIT_TOO_MANY_REDIRECTS, f"Maximum ({opts.max_redirs}) redirects followed")
                url = str(resp.url.join(location))
                if not opts.method and (resp.status_code == 303 or
                                        (resp.status_code in (301, 302) and method == "POST")):
                    method, body = "GET", None
                continue
            if fail:
                self._emit(opts, out + ([resp.text] if "fail-with-body" in opts.flags else []))
                raise CurlFailure(EXIT_HTTP_RETURNED_ERROR,
                                  f"The requested URL returned error: {resp.status_code}")
            if method != "HEAD":
                out.append(resp.text)
            if opts.write_out:
                out.append(self._write_out(opts.write_out, resp))
            self._emit(opts, out)
            return

    def _emit(self, opts: CurlOptions, out: list[str]) -> None:
        text = "".join(out)
        if opts.output is not None and opts.output != "-":
            try:
                self.ctx.fs.write_text(opts.output, text)
            except OSError:
                raise CurlFailure(EXIT_WRITE_ERROR, "Failure writing output to destination") from None
            return
        self.stdout(text)

    @staticmethod
    def _write_out(fmt: str, resp: httpx.Response) -> str:
        return (fmt.replace("%{http_code}", str(resp.status_code)).replace("%{response_code}", str(resp.status_code))
                .replace("%{content_type}", resp.headers.get("content-type", "")).replace("\\n", "\n"))

    def _verbose_request(self, host: str, port: int | None, scheme: str, method: str, url: str,
                         headers: list[tuple[str, str]]) -> None:
        port = port or (443 if scheme == "https" else 80)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        lines = [f"*   Trying {host}:{port}...", f"* Connected to {host} ({host}) port {port}",
                 f"> {method} {target} HTTP/1.1", *(f"> {k}: {v}" for k, v in headers), ">"]
        self.stderr("\n".join(lines))

    @staticmethod
    def _connect_failure(e: httpx.HTTPError, url: str) -> CurlFailure:
        parts = urlsplit(url)
        unreachable = unreachable_of(e)
        host = str(getattr(unreachable, "host", None) or parts.hostname or "")
        port = getattr(unreachable, "port", None) or parts.port or (443 if parts.scheme == "https" else 80)
        hints = connection_hints(url)
        plane_hint = hint_of(e)
        if plane_hint and plane_hint not in hints:
            hints.append(plane_hint)
        if host.casefold() in LOOPBACK_HOSTS:
            return CurlFailure(EXIT_COULDNT_CONNECT,
                               f"Failed to connect to {host} port {port} after 0 ms: Connection refused", hints)
        try:
            ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return CurlFailure(EXIT_COULDNT_RESOLVE_HOST, f"Could not resolve host: {host}", hints)
        return CurlFailure(EXIT_OPERATION_TIMEDOUT,
                           f"Failed to connect to {host} port {port} after 21000 ms: Timeout was reached", hints)


