"""The base of every Azure cmdlet: ARM calls with the current account's token, and Az-shaped errors.

::

    class GetThing(AzCmdlet):
        name = "Get-AzThing"

        def process(self) -> None:
            body = self.arm_get(f"/subscriptions/{self.subscription_id}/...", API_VERSION)
            self.write(to_ps(body))

Every ARM error (``{"error":{"code","message"}}``) becomes a terminating :class:`CmdletError` whose message is
what Az 10+ prints: the service's message, then ``ErrorCode``/``ErrorMessage``/``StatusCode``/``ReasonPhrase``
lines, and for a 401/403 the lines of :func:`access_hints`: a plain explanation of a refused token and the
runnable ``Test-AzAccess`` line that explains the decision. They read the decision the plane attached to the
answer (``resp.extensions["azshell.decision"]``), never the error's text. Never a Python traceback: network
failures and token failures are errors of their own with a hint.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, NoReturn, cast
from urllib.parse import quote, urlsplit

import httpx

from azshell.auth.decision import DECISION_EXTENSION, AccessDecision
from azshell.cmdlets._azure import ARM_ENDPOINT, ARM_RESOURCE, NO_SUBSCRIPTION, NOT_LOGGED_IN
from azshell.cmdlets.context import (
    NotSignedInError,
    Services,
    TokenAcquisitionError,
    hint_of,
)
from azshell.lang.cmdlet import Cmdlet, CmdletError

__all__ = [
    "AzCmdlet",
    "access_hints",
    "checked_uri",
    "decision_of",
    "AzureRestError",
    "arm_error_parts",
    "category_for_status",
    "connection_error",
    "encode_path",
    "json_result",
    "reason_code",
    "reason_phrase",
]

#: .NET exception type names Az's errors carry (``$_.Exception.GetType().FullName``)
CLOUD_EXCEPTION = "Microsoft.Rest.Azure.CloudException"
PS_INVALID_OPERATION = "Microsoft.Azure.Commands.Common.Exceptions.AzPSInvalidOperationException"
AUTHENTICATION_FAILED = "Microsoft.Azure.Commands.Common.Exceptions.AzPSAuthenticationFailedException"
ARGUMENT_EXCEPTION = "System.ArgumentException"

_CATEGORIES = {
    400: "InvalidArgument",
    401: "AuthenticationError",
    403: "PermissionDenied",
    404: "ObjectNotFound",
    409: "ResourceExists",
}


def category_for_status(status: int) -> str:
    if status in _CATEGORIES:
        return _CATEGORIES[status]
    return "InvalidOperation" if status < 500 else "ConnectionError"


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def reason_code(status: int) -> str:
    """The reason phrase as an error code (``404`` → ``NotFound``), or the number for a status with none."""
    return reason_phrase(status).replace(" ", "") or str(status)


def checked_uri(value: str, original: str, *, param: str = "Uri") -> str:
    """``value`` when it is a URL a request can go to; else the binding error PowerShell gives for a string that
    is no ``System.Uri`` (``original`` is what the user typed)."""
    why = ""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - reading it validates it
        if not parts.hostname:
            why = "Invalid URI: The hostname could not be parsed."
        else:
            httpx.URL(value)
    except (httpx.InvalidURL, ValueError, TypeError) as e:
        why = "Invalid URI: Invalid port specified." if "port" in str(e).lower() else \
            "Invalid URI: The hostname could not be parsed." if "ipv6" in str(e).lower() else \
            "Invalid URI: The format of the URI could not be determined."
    if why:
        raise CmdletError(f"Cannot bind parameter '{param}'. Cannot convert value \"{original}\" to type "
                          f"\"System.Uri\". Error: \"{why}\"", category="InvalidArgument",
                          error_id="CannotConvertArgumentNoMessage")
    return value


def decision_of(resp: httpx.Response | None) -> AccessDecision | None:
    """The access decision the plane attached to an in-process answer (None: none taken, or not in-process)."""
    if resp is None:
        return None
    found = resp.extensions.get(DECISION_EXTENSION)
    return found if isinstance(found, AccessDecision) else None


def encode_path(path: str) -> str:
    """``path`` with each segment percent-encoded as Az encodes path parameters (.NET's ``Uri.EscapeDataString``,
    the Python SDKs' ``quote(value, safe="")``): letters, digits and ``-._~`` stay, everything else — ``#``,
    ``?``, ``%``, spaces, non-ASCII — is escaped, so a name reaches ARM whole (``bad#name``, not ``bad``). A path
    carries no query (callers pass ``params``); a full URL (a ``nextLink``) is already encoded and is returned as
    is."""
    if path.startswith(("https://", "http://")):
        return path
    return "/".join(quote(seg, safe="") for seg in path.split("/"))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_VAR_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TOKEN_PROPS = ("access_token", "Token", "AccessToken", "accessToken")


#: PowerShell's automatic and preference variables: a hint names one only when no variable of the user's
#: holds the same value ("$PSVersionTable" stringifies like any hashtable the user built).
_AUTOMATIC = frozenset(n.casefold() for n in (
    "PSVersionTable", "Host", "HOME", "PID", "PWD", "PSHOME", "PSCulture", "PSUICulture", "ExecutionContext",
    "ErrorActionPreference", "WarningPreference", "VerbosePreference", "DebugPreference", "InformationPreference",
    "ProgressPreference", "ConfirmPreference", "WhatIfPreference", "OFS", "LASTEXITCODE", "IsWindows", "IsLinux",
    "IsMacOS", "IsCoreCLR", "PSScriptRoot", "PSCommandPath", "NestedPromptLevel", "MaximumHistoryCount",
    "FormatEnumerationLimit", "MyInvocation", "ShellId", "StackTrace", "PSEdition", "env"))


def _variables(ctx: Any) -> list[tuple[str, Any]]:
    """The session's variables that a hint may name, the user's own first."""
    lister = getattr(ctx, "list_variables", None)
    if not callable(lister):
        return []
    try:
        found = lister()
    except Exception:  # an engine hook; a hint never fails the command
        return []
    named = [(k, v) for k, v in dict(found).items() if isinstance(k, str) and _VAR_NAME.match(k)
             and k.casefold() not in ("_", "input", "error", "matches", "args", "this")]
    return sorted(named, key=lambda kv: kv[0].casefold() in _AUTOMATIC)


def _text_of(value: Any) -> str | None:
    from azshell.lang import conversions as conv

    if value is None or isinstance(value, (bool, int, float, list, tuple)):
        return None
    try:
        return conv.to_string(value)
    except Exception:  # a value the converter does not know
        return None


def _property(value: Any, name: str) -> Any:
    getter = getattr(value, "get", None)
    if not callable(getter):
        return None
    try:
        return getter(name)
    except Exception:  # not a property bag after all
        return None


def credential_args(ctx: Any, header: str | None) -> str:
    """``Test-AzAccess`` arguments that send the same Authorization header again, naming the session variable
    that holds the token (``-Token $t``, ``-Authorization "Bearer $response"``) when there is one, else the value."""
    if header is None:
        return "-Authorization ''"
    scheme, _, rest = header.strip().partition(" ")
    rest = rest.strip()
    variables = _variables(ctx)
    if scheme.casefold() == "bearer" and rest.startswith("eyJ") and rest.count(".") == 2:
        for name, value in variables:
            if _text_of(value) == rest:
                return f"-Token ${name}"
        for name, value in variables:
            for prop in _TOKEN_PROPS:
                if isinstance(_property(value, prop), str) and _property(value, prop) == rest:
                    return f"-Token ${name}.{prop}"
        return f"-Token {_quote(rest)}"
    for name, value in variables:
        text = _text_of(value)
        if text and scheme.casefold() == "bearer" and text == rest:
            return f'-Authorization "Bearer ${name}"'
        if text and text == header.strip():
            return f"-Authorization ${name}"
    if scheme.casefold() == "bearer" and rest:
        for name, value in variables:
            for prop in _TOKEN_PROPS:
                got = _property(value, prop)
                if got is not None and _text_of(got) == rest:
                    return f'-Authorization "Bearer $(${name}.{prop})"'
    return f"-Authorization {_quote(header)}"


def access_hints(resp: httpx.Response, *, ctx: Any = None) -> list[str]:
    """The lines that end a 401/403: for a refused credential a plain ``Hint:`` and a runnable line; for a
    denial the runnable ``Test-AzAccess`` line that explains it. From the plane's decision; [] without one."""
    d = decision_of(resp)
    if d is None or d.allowed or resp.status_code not in (401, 403):
        return []
    request = resp.request
    url, method = str(request.url), request.method.upper()
    if d.model == "token":
        lines = [f"Hint: {d.token.reason}"] if d.token is not None else []
        if d.fix:
            lines.append(f"To fix: {d.fix}")
        else:
            creds = credential_args(ctx, request.headers.get("authorization"))
            lines.append(f"To see why: Test-AzAccess {creds} -Uri {_quote(url)} -Method {method}")
        return lines
    if d.get("propagation") == "pending":  # a grant that has not propagated yet (Set-AzShellOption)
        return [f"Hint: {d.reason.removeprefix('Denied: ')}", f"To fix: {d.fix}",
                f"To see why: Test-AzAccess -ObjectId {d.principal} -Uri {_quote(url)} -Method {method}"]
    path = request.url.path.rstrip("/").casefold()
    if d.model == "rbac" and d.plane == "arm" and d.scope and not path.startswith(d.scope.rstrip("/").casefold()):
        # a check on another scope than the call's (a linked resource): ask about that action there
        data = " -DataAction" if d.data_action else ""
        return [f"To see why: Test-AzAccess -ObjectId {d.principal} -Action {_quote(d.action)} "
                f"-Scope {_quote(d.scope)}{data}"]
    return [f"To see why: Test-AzAccess -ObjectId {d.principal} -Uri {_quote(url)} -Method {method}"]


class AzureRestError(Exception):
    """The exception an Az error record carries: status, ARM code and message, and the raw response."""

    ps_type_name = CLOUD_EXCEPTION
    ps_exception_type = CLOUD_EXCEPTION

    def __init__(self, message: str, *, status: int, code: str, error_message: str,
                 response: Any = None, request_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status
        self.code = code
        self.error_message = error_message
        self.response = response
        self.request_id = request_id

    @property
    def Message(self) -> str:  # noqa: N802 - .NET property name, for $_.Exception.Message
        return self.message


def arm_error_parts(resp: httpx.Response) -> tuple[str, str]:
    """(code, message) from an ARM error body; falls back to the status for bodies that are not JSON."""
    code = ""
    message = ""
    try:
        data = resp.json()
    except ValueError:
        data = None
    if isinstance(data, dict):
        err = data.get("error", data)
        if isinstance(err, dict):
            code = str(err.get("code") or "")
            message = str(err.get("message") or "")
    if not code:
        code = reason_code(resp.status_code)
    if not message:
        message = resp.text.strip() or f"Operation returned an invalid status code '{code}'"
    return code, message


def connection_error(e: httpx.HTTPError, *, fallback_hint: str = "") -> CmdletError:
    """Az's error for a request that got no answer (no such host, refused), with the plane's hint if any."""
    hint = hint_of(e) or fallback_hint
    text = f"An error occurred while sending the request. ({e})" + (f"\nHint: {hint}" if hint else "")
    return CmdletError(text, category="ConnectionError", error_id="HttpRequestException")


def json_result(resp: httpx.Response, error: Callable[[httpx.Response], BaseException], *,
                allow_404: bool = False) -> Any:
    """The parsed JSON body of an answer (None for an empty body, or a 404 when allowed); ``error`` for a 4xx/5xx."""
    if resp.status_code == 404 and allow_404:
        return None
    if resp.status_code >= 400:
        raise error(resp)
    if not resp.content:
        return None
    try:
        return resp.json()
    except ValueError:
        return None


class AzCmdlet(Cmdlet):
    """Base of the Azure cmdlets: ``self.services``, ARM helpers and Az-shaped errors."""

    @property
    def bound(self) -> dict[str, Any]:
        """The bound parameters (``self.params`` on an instance; typed here, as mypy sees the class's tuple)."""
        value = self.__dict__.get("params")
        return value if isinstance(value, dict) else {}

    @property
    def services(self) -> Services:
        return cast(Services, self.ctx.services)

    # -------------------------------------------------------------------------------------- context
    def token(self, resource: str = ARM_RESOURCE) -> str:
        try:
            return self.services.get_access_token(resource)
        except NotSignedInError as e:
            raise CmdletError(e.message, category="CloseError", error_id="InvalidOperation",
                              exception=AzureRestError(e.message, status=0, code="NotLoggedIn",
                                                       error_message=e.message)) from None
        except TokenAcquisitionError as e:
            raise self.token_error(e) from None

    def token_error(self, e: TokenAcquisitionError) -> CmdletError:
        text = e.message + (f"\nHint: {e.hint}" if e.hint else "")
        return CmdletError(text, category="AuthenticationError", error_id="AuthenticationFailed",
                           exception=AzureRestError(e.message, status=e.status or 0,
                                                    code="AuthenticationFailed", error_message=e.message))

    @property
    def subscription_id(self) -> str:
        ctx = self.services.context
        if ctx.account is None:
            raise CmdletError(NOT_LOGGED_IN, category="CloseError", error_id="InvalidOperation")
        if not ctx.subscription_id:
            raise CmdletError(NO_SUBSCRIPTION, category="CloseError", error_id="InvalidOperation")
        return ctx.subscription_id

    @property
    def tenant_id(self) -> str:
        return self.services.context.tenant_id or ""

    # ------------------------------------------------------------------------------------------ ARM
    def bearer_request(self, method: str, url: str, resource: str, *, params: dict[str, str] | None = None,
                       body: Any = None, content_type: str = "application/json; charset=utf-8") -> httpx.Response:
        """One JSON call with the current account's bearer token for ``resource``; network failures become errors."""
        token = self.token(resource)
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        content: bytes | None = None
        if body is not None:
            content = json.dumps(body).encode("utf-8")
            headers["Content-Type"] = content_type
        try:
            return self.services.http.request(method, url, params=params, headers=headers, content=content)
        except httpx.HTTPError as e:
            raise connection_error(e) from None

    def arm_request(self, method: str, path: str, api_version: str, *, body: Any = None,
                    params: dict[str, str] | None = None) -> httpx.Response:
        """One ARM call with the current account's bearer token; network failures become errors. ``path`` holds
        names as they are (``/subscriptions/{s}/resourceGroups/bad#name``): each segment is encoded here."""
        url = path if path.startswith("https://") else f"{ARM_ENDPOINT}{encode_path(path)}"
        return self.bearer_request(method, url, ARM_RESOURCE, params={"api-version": api_version, **(params or {})},
                                   body=body)

    def arm(self, method: str, path: str, api_version: str, *, body: Any = None,
            params: dict[str, str] | None = None, allow_404: bool = False) -> Any:
        """Call ARM and return the parsed JSON body (None for an empty body, or a 404 when allowed)."""
        resp = self.arm_request(method, path, api_version, body=body, params=params)
        return json_result(resp, self.arm_error, allow_404=allow_404)

    def arm_get(self, path: str, api_version: str, *, params: dict[str, str] | None = None,
                allow_404: bool = False) -> Any:
        return self.arm("GET", path, api_version, params=params, allow_404=allow_404)

    def arm_put(self, path: str, api_version: str, body: Any) -> Any:
        return self.arm("PUT", path, api_version, body=body)

    def arm_patch(self, path: str, api_version: str, body: Any) -> Any:
        return self.arm("PATCH", path, api_version, body=body)

    def arm_delete(self, path: str, api_version: str, *, allow_404: bool = False) -> Any:
        return self.arm("DELETE", path, api_version, allow_404=allow_404)

    def arm_list(self, path: str, api_version: str, *, params: dict[str, str] | None = None) -> list[Any]:
        """A list call, following ``nextLink``."""
        out: list[Any] = []
        data = self.arm_get(path, api_version, params=params)
        pages = 0
        while isinstance(data, dict) and pages < 100:
            out.extend(v for v in data.get("value", []) if v is not None)
            nxt = data.get("nextLink")
            if not nxt:
                break
            pages += 1
            data = self.arm_get(str(nxt), api_version)
        return out

    def raise_arm_error(self, resp: httpx.Response, *, message: str | None = None) -> NoReturn:
        raise self.arm_error(resp, message=message)

    def arm_error(self, resp: httpx.Response, *, message: str | None = None) -> CmdletError:
        """Az 10+'s rendering of an ARM error response."""
        code, msg = arm_error_parts(resp)
        status = resp.status_code
        reason = reason_phrase(status)
        lines = [message or msg, f"ErrorCode: {code}", f"ErrorMessage: {msg}", f"StatusCode: {status}",
                 f"ReasonPhrase: {reason}"]
        request_id = resp.headers.get("x-ms-request-id")
        if request_id:
            lines.append(f"OperationID : {request_id}")
        lines.extend(access_hints(resp, ctx=self.ctx))
        text = "\n".join(lines)
        exc = AzureRestError(message or msg, status=status, code=code, error_message=msg, response=resp,
                             request_id=request_id)
        return CmdletError(text, category=category_for_status(status), error_id=code, exception=exc)

    def fail(self, message: str, *, category: str = "InvalidArgument", error_id: str = "",
             target: Any = None) -> NoReturn:
        raise CmdletError(message, category=category, error_id=error_id or self.name, target=target)
