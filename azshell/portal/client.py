"""The portal's client for the planes: ARM, Microsoft Graph, Key Vault and Data Lake over the in-process HTTP client,
with the signed-in admin's tokens.

The portal is one more client of the emulated Azure: every read and write is an HTTP call to the service's real
URL (``https://management.azure.com/...``, ``https://{vault}.vault.azure.net/...``) answered by the same plane
code that answers the shell, the SDKs and ``azshell serve``, so RBAC decides and events are logged as for any
other client. Nothing here touches the model.

    client = PortalClient(planes)
    subs = client.arm_list("/subscriptions", API_SUBSCRIPTIONS)
    client.arm("PATCH", vm_id, API_COMPUTE, body={"identity": {"type": "SystemAssigned"}})

A refusal or failure raises :class:`PortalError` with the service's own code and message (Azure's words), which
the pages show in a banner.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import httpx

from azshell.errors import AzShellError
from azshell.hostnames import (
    ARM_ENDPOINT,
    ARM_RESOURCE,
    DATA_LAKE_RESOURCE,
    GRAPH_ENDPOINT,
    GRAPH_RESOURCE,
    KEY_VAULT_RESOURCE,
    STORAGE_RESOURCE,
)
from azshell.http import make_client
from azshell.planes.base import CallerContext
from azshell.planes.router import Planes

__all__ = [
    "API_AUTHORIZATION",
    "API_KEY_VAULT",
    "API_KEY_VAULT_DATA",
    "API_PROVIDERS",
    "API_RESOURCE_GROUPS",
    "API_SUBSCRIPTIONS",
    "PORTAL_APP_ID",
    "PortalClient",
    "PortalError",
]

#: The Azure portal's first-party application id (the ``appid`` of the tokens it gets).
PORTAL_APP_ID = "c44b4083-3bb0-49c1-b47d-974e53cbdf3c"

API_SUBSCRIPTIONS = "2022-12-01"
API_RESOURCE_GROUPS = "2021-04-01"
API_PROVIDERS = "2021-04-01"
API_AUTHORIZATION = "2022-04-01"
API_MANAGED_IDENTITY = "2023-01-31"
API_KEY_VAULT = "2023-07-01"
API_KEY_VAULT_DATA = "7.4"
API_STORAGE_DATA = "2021-08-06"
API_STORAGE = "2023-01-01"
TIMEOUT = 30.0


class PortalError(AzShellError):
    """A plane refused or failed a portal call: ``status``, the service's ``code`` and ``message``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}" if code else message)
        self.status = status
        self.code = code
        self.message = message


def error_of(resp: httpx.Response) -> PortalError:
    """The service's error in ``resp`` (ARM/Graph/Key Vault ``error``, WebHDFS ``RemoteException``, Storage XML)."""
    code, message = "", ""
    try:
        body = resp.json()
    except (ValueError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict):
        err = body.get("error")
        if isinstance(err, dict):
            code, message = str(err.get("code") or ""), str(err.get("message") or "")
            inner = err.get("innererror") or err.get("innerError")
            if isinstance(inner, dict) and inner.get("code") and not code:
                code = str(inner["code"])
        elif isinstance(err, str):  # OAuth shape
            code, message = err, str(body.get("error_description") or "")
        remote = body.get("RemoteException")
        if isinstance(remote, dict):
            code, message = str(remote.get("exception") or ""), str(remote.get("message") or "")
    elif resp.text.lstrip().startswith("<"):  # Storage's XML error
        import re

        found = re.search(r"<Code>(.*?)</Code>", resp.text, re.S)
        said = re.search(r"<Message>(.*?)</Message>", resp.text, re.S)
        code = found.group(1) if found else ""
        message = (said.group(1) if said else "").split("\n")[0]
    if not message:
        message = f"The service answered {resp.status_code} {resp.reason_phrase}."
    return PortalError(resp.status_code, code, message)


class PortalClient:
    """HTTP calls to the planes as the tenant's admin user (the account the portal is signed in with).

    Arguments:
        planes: the host router of the server (shared with ``azshell serve``'s own dispatch).
    """

    def __init__(self, planes: Planes) -> None:
        self.planes = planes
        self.world = planes.world
        self.http = make_client(self.world, lambda: CallerContext(), planes=planes)

    def close(self) -> None:
        self.http.close()

    # ------------------------------------------------------------------------------------------ sign-in
    def user(self) -> Any:
        """The signed-in user: the tenant's admin (``DirectoryObject``)."""
        return self.world.admin_user

    def token(self, resource: str) -> str:
        """The admin's bearer token for ``resource`` (the token service caches and refreshes it)."""
        issued = self.world.tokens.issue_for_principal(principal=self.user(), resource=resource, kind="user",
                                                       source="login", client_id=PORTAL_APP_ID)
        return str(issued.access_token)

    # ------------------------------------------------------------------------------------------ raw
    def call(self, method: str, url: str, resource: str, *, body: Any = None, content: bytes | None = None,
             headers: dict[str, str] | None = None, ok: tuple[int, ...] = ()) -> httpx.Response:
        """One request with the admin's token for ``resource``; raises ``PortalError`` for a status >= 400
        (unless listed in ``ok``)."""
        h = {"Authorization": f"Bearer {self.token(resource)}", **(headers or {})}
        if body is not None:
            content = json.dumps(body).encode("utf-8")
            h.setdefault("Content-Type", "application/json")
        try:
            resp = self.http.request(method, url, headers=h, content=content, timeout=TIMEOUT)
        except httpx.HTTPError as exc:
            raise PortalError(503, "ServiceUnavailable", f"{url} could not be reached: {exc}") from None
        if resp.status_code >= 400 and resp.status_code not in ok:
            raise error_of(resp)
        return resp

    # ------------------------------------------------------------------------------------------ ARM
    def arm(self, method: str, path: str, api_version: str, *, body: Any = None,
            params: dict[str, str] | None = None, ok: tuple[int, ...] = ()) -> httpx.Response:
        query = urlencode({"api-version": api_version, **(params or {})}, quote_via=quote)
        return self.call(method, f"{ARM_ENDPOINT}{quote(path, safe='/')}?{query}", ARM_RESOURCE, body=body, ok=ok)

    def arm_json(self, method: str, path: str, api_version: str, *, body: Any = None,
                 params: dict[str, str] | None = None) -> dict[str, Any]:
        resp = self.arm(method, path, api_version, body=body, params=params)
        if not resp.content:
            return {}
        data = resp.json()
        return data if isinstance(data, dict) else {}

    def arm_list(self, path: str, api_version: str, *, params: dict[str, str] | None = None,
                 limit: int = 5000) -> list[dict[str, Any]]:
        """Every item of an ARM list, following ``nextLink``."""
        data = self.arm_json("GET", path, api_version, params=params)
        items = [v for v in data.get("value") or [] if isinstance(v, dict)]
        next_link = data.get("nextLink")
        while isinstance(next_link, str) and next_link and len(items) < limit:
            resp = self.call("GET", next_link, ARM_RESOURCE)
            data = resp.json()
            items += [v for v in data.get("value") or [] if isinstance(v, dict)]
            next_link = data.get("nextLink")
        return items

    def api_version_for(self, resource_type: str, subscription: str) -> str:
        """The newest stable api-version ARM publishes for ``resource_type`` (``Namespace/type[/child]``)."""
        namespace, _, rest = resource_type.partition("/")
        provider = self.arm_json("GET", f"/subscriptions/{subscription}/providers/{namespace}", API_PROVIDERS)
        for entry in provider.get("resourceTypes") or []:
            if str(entry.get("resourceType", "")).lower() == rest.lower():
                versions = [str(v) for v in entry.get("apiVersions") or []]
                stable = sorted((v for v in versions if "preview" not in v.lower()), reverse=True)
                if stable or versions:
                    return (stable or sorted(versions, reverse=True))[0]
        raise PortalError(400, "NoRegisteredProviderFound",
                          f"No registered resource provider found for the resource type '{resource_type}'.")

    # ------------------------------------------------------------------------------------------ Graph
    def graph(self, method: str, path: str, *, body: Any = None,
              params: dict[str, str] | None = None) -> dict[str, Any]:
        query = f"?{urlencode(params, quote_via=quote)}" if params else ""
        resp = self.call(method, f"{GRAPH_ENDPOINT}/v1.0{path}{query}", GRAPH_RESOURCE, body=body)
        data = resp.json() if resp.content else {}
        return data if isinstance(data, dict) else {}

    def graph_list(self, path: str, params: dict[str, str] | None = None) -> list[dict[str, Any]]:
        data = self.graph("GET", path, params=params)
        items = [v for v in data.get("value") or [] if isinstance(v, dict)]
        next_link = data.get("@odata.nextLink")
        while isinstance(next_link, str) and next_link and len(items) < 5000:
            more = self.call("GET", next_link, GRAPH_RESOURCE).json()
            items += [v for v in more.get("value") or [] if isinstance(v, dict)]
            next_link = more.get("@odata.nextLink")
        return items

    def directory_objects(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """Graph ``directoryObjects/getByIds``: object id (lower-case) → the object (missing ids are left out)."""
        wanted = sorted({i for i in ids if i})
        if not wanted:
            return {}
        data = self.graph("POST", "/directoryObjects/getByIds", body={"ids": wanted})
        return {str(o.get("id", "")).lower(): o for o in data.get("value") or [] if isinstance(o, dict)}

    # ------------------------------------------------------------------------------------------ data planes
    def vault(self, method: str, vault_uri: str, path: str, *, body: Any = None) -> dict[str, Any]:
        url = f"{vault_uri.rstrip('/')}{path}{'&' if '?' in path else '?'}api-version={API_KEY_VAULT_DATA}"
        resp = self.call(method, url, KEY_VAULT_RESOURCE, body=body)
        data = resp.json() if resp.content else {}
        return data if isinstance(data, dict) else {}

    def webhdfs(self, method: str, endpoint: str, path: str, op: str, **params: str) -> httpx.Response:
        query = urlencode({"op": op, **params}, quote_via=quote)
        url = f"https://{endpoint}/webhdfs/v1{quote(path, safe='/')}?{query}"
        return self.call(method, url, DATA_LAKE_RESOURCE)

    def storage(self, method: str, url: str, *, content: bytes | None = None,
                headers: dict[str, str] | None = None) -> httpx.Response:
        """A Blob service call with the admin's Microsoft Entra token (the data roles decide)."""
        return self.call(method, url, STORAGE_RESOURCE, content=content,
                         headers={"x-ms-version": API_STORAGE_DATA, **(headers or {})})

    def storage_with_key(self, method: str, url: str, account: str, key: str) -> httpx.Response:
        """A Blob service call signed with the account's access key (Shared Key), as the portal's "Access key"
        authentication method does; raises ``PortalError`` for a status >= 400."""
        parts = urlsplit(url)
        headers = {"x-ms-date": formatdate(usegmt=True), "x-ms-version": API_STORAGE_DATA}
        length = "" if method in ("GET", "HEAD", "DELETE") else "0"
        canonical_headers = "".join(f"{k}:{headers[k]}\n" for k in sorted(headers))
        params: dict[str, list[str]] = {}
        for k, v in parse_qsl(parts.query, keep_blank_values=True):
            params.setdefault(k.lower(), []).append(v)
        resource = f"/{account}{parts.path or '/'}" + "".join(
            f"\n{k}:{','.join(sorted(params[k]))}" for k in sorted(params))
        to_sign = "\n".join([method, "", "", "" if length == "0" else length, "", "", "", "", "", "", "", ""]) \
            + "\n" + canonical_headers + resource
        try:
            secret = base64.b64decode(key)
        except (ValueError, binascii.Error):
            raise PortalError(400, "InvalidAccessKey", "The storage account's access key is not base64.") from None
        signature = base64.b64encode(hmac.new(secret, to_sign.encode("utf-8"), hashlib.sha256).digest()).decode()
        headers["Authorization"] = f"SharedKey {account}:{signature}"
        if length == "0":
            headers["Content-Length"] = "0"
        try:
            resp = self.http.request(method, url, headers=headers, content=b"" if length == "0" else None,
                                     timeout=TIMEOUT)
        except httpx.HTTPError as exc:
            raise PortalError(503, "ServiceUnavailable", f"{url} could not be reached: {exc}") from None
        if resp.status_code >= 400:
            raise error_of(resp)
        return resp
