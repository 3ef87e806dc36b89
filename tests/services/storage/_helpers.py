"""Shared by the Storage tests: an account made through ARM, and requests signed the way Azure documents it
(written here from the REST reference, independently of the plane's own signing code)."""

from __future__ import annotations

import base64
import hashlib
import hmac
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx

from azshell.world import World
from tests.conftest import ArmClient

RG = "strg"
ACCOUNT = "mystorage"
BLOB = f"https://{ACCOUNT}.blob.core.windows.net"
STORAGE_AUDIENCE = "https://storage.azure.com/"
VERSION = "2021-08-06"
BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
KEY_OPERATOR = "81a9662b-bebf-436f-a333-f67b29880f12"
ACCOUNT_CONTRIBUTOR = "17d1049b-9a84-46fb-8f53-869881c3d3ab"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"


def account_path(arm: ArmClient, name: str = ACCOUNT, rg: str = RG) -> str:
    return f"{arm.rg_path(rg)}/providers/Microsoft.Storage/storageAccounts/{name}"


def create_account(arm: ArmClient, name: str = ACCOUNT, *, properties: dict[str, Any] | None = None,
                   api_version: str = "2023-01-01") -> httpx.Response:
    arm.create_rg(RG)
    body = {"location": "westus", "kind": "StorageV2", "sku": {"name": "Standard_LRS"},
            "properties": properties or {}}
    return arm.request("PUT", account_path(arm, name), api_version=api_version, json=body)


def list_keys(arm: ArmClient, name: str = ACCOUNT, api_version: str = "2023-01-01") -> list[str]:
    resp = arm.request("POST", account_path(arm, name) + "/listKeys", api_version=api_version)
    assert resp.status_code == 200, resp.text
    return [k["value"] for k in resp.json()["keys"]]


def string_to_sign(method: str, url: str, headers: dict[str, str], account: str) -> str:
    """The Blob service's Shared Key string-to-sign (REST reference, version 2015-02-21 and later)."""
    h = {k.lower(): v for k, v in headers.items()}
    length = h.get("content-length", "")
    if length == "0":
        length = ""
    parts = urlsplit(url)
    lines = [method, h.get("content-encoding", ""), h.get("content-language", ""), length, h.get("content-md5", ""),
             h.get("content-type", ""), h.get("date", ""), h.get("if-modified-since", ""), h.get("if-match", ""),
             h.get("if-none-match", ""), h.get("if-unmodified-since", ""), h.get("range", "")]
    canon_headers = "".join(f"{k}:{v}\n" for k, v in sorted(h.items()) if k.startswith("x-ms-"))
    resource = f"/{account}{parts.path or '/'}"
    query: dict[str, list[str]] = {}
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        query.setdefault(k.lower(), []).append(unquote(v))
    for k in sorted(query):
        resource += f"\n{k}:{','.join(sorted(query[k]))}"
    return "\n".join(lines) + "\n" + canon_headers + resource


def signed(method: str, url: str, key: str, *, account: str = ACCOUNT, headers: dict[str, str] | None = None,
           content: bytes = b"", version: str = VERSION) -> dict[str, str]:
    h = {"x-ms-date": formatdate(usegmt=True), "x-ms-version": version, **(headers or {})}
    if content or method in ("PUT", "POST"):
        h["Content-Length"] = str(len(content))
    sts = string_to_sign(method, url, h, account)
    sig = base64.b64encode(hmac.new(base64.b64decode(key), sts.encode(), hashlib.sha256).digest()).decode()
    h["Authorization"] = f"SharedKey {account}:{sig}"
    return h


class Blob:
    """Requests to the account's Blob service, signed with a key (or not signed: ``key=None``)."""

    def __init__(self, client: httpx.Client, key: str | None, account: str = ACCOUNT) -> None:
        self.client = client
        self.key = key
        self.account = account
        self.base = f"https://{account}.blob.core.windows.net"

    def __call__(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                 content: bytes = b"") -> httpx.Response:
        url = self.base + path
        h = signed(method, url, self.key, account=self.account, headers=headers, content=content) \
            if self.key else dict(headers or {})
        return self.client.request(method, url, headers=h, content=content)


def storage_token(world: World, oid: str | None = None, resource: str = STORAGE_AUDIENCE) -> str:
    p = world.admin_user if oid is None else world.store.get_directory_object(oid)
    assert p is not None
    kind = "user" if oid is None else "managed_identity"
    return world.tokens.issue_for_principal(principal=p, resource=resource, kind=kind).access_token  # type: ignore[arg-type]


def error_code(resp: httpx.Response) -> str:
    return resp.headers.get("x-ms-error-code", "")
