"""Storage's ``az`` commands: ``az storage account show|list|create|keys list`` through ARM, and ``az storage
container create|list|delete`` / ``az storage blob upload|download|list|show|delete`` against
``https://{account}.blob.core.windows.net``.

Credentials as az takes them: ``--account-name`` with ``--account-key`` (Shared Key) or ``--sas-token``,
``--connection-string``, or ``--auth-mode login`` (the session account's token for ``https://storage.azure.com/``;
on a VM after ``az login --identity``, the identity's). With none, az queries the account key through ARM (and
says so). Upload and download print what the tutorials print: the progress line and the 2017 JSON shapes.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any

import httpx

from azshell.cmdlets._azure import API_STORAGE, STORAGE_ACCOUNT_TYPE
from azshell.cmdlets._base import access_hints
from azshell.cmdlets.linux.az import O_LOCATION, O_NAME, Az, AzCommandTable, flatten
from azshell.cmdlets.linux.azcli import EXIT_NOT_FOUND, EXIT_USAGE, AzCliError, OptSpec, ParsedArgs
from azshell.hostnames import STORAGE_ENDPOINT_SUFFIX
from azshell.services.resources.cmdlets import normalize_location
from azshell.services.storage.cmdlets import (
    StorageAuth,
    StorageError,
    blob_endpoint,
    blob_path,
    blob_request,
    parse_connection_string,
    storage_error_parts,
)
from azshell.services.storage.cmdlets_blob import (
    blob_properties,
    content_type_for,
    list_blobs,
    list_containers,
)

__all__ = ["AZ_COMMANDS"]

#: az's warning when a data command gets no credential (azure-cli's storage module, verbatim)
NO_CREDENTIALS_WARNING = (
    "\nThere are no credentials provided in your command and environment, we will query for account key for your "
    "storage account.\nIt is recommended to provide --connection-string, --account-key or --sas-token in your "
    "command as credentials.\n\nYou also can add `--auth-mode login` in your command to use Azure Active Directory "
    "(Azure AD) for authorization if your login account is assigned required RBAC roles.\nFor more information "
    "about RBAC roles in storage, visit https://docs.microsoft.com/azure/storage/common/storage-auth-aad-rbac-cli."
    "\n\nIn addition, setting the corresponding environment variables can avoid inputting credentials in your "
    "command. Please use --help to get more information about environment variable usage."
)
#: az's message for a 403 AuthorizationPermissionMismatch under --auth-mode login (azure-cli, verbatim)
LOGIN_PERMISSION_MESSAGE = (
    "\nYou do not have the required permissions needed to perform this operation.\nDepending on your operation, "
    "you may need to be assigned one of the following roles:\n    \"Storage Blob Data Owner\"\n    \"Storage Blob "
    "Data Contributor\"\n    \"Storage Blob Data Reader\"\n    \"Storage Queue Data Contributor\"\n    \"Storage "
    "Queue Data Reader\"\n    \"Storage Table Data Contributor\"\n    \"Storage Table Data Reader\"\n\nIf you want "
    "to use the old authentication method and allow querying for the right account key, please use the "
    "\"--auth-mode\" parameter and \"key\" value.\n"
)
PROGRESS_DONE = "Finished[#############################################################]  100.0000%"
NO_ACCOUNT = "Missing account name: use --account-name, --connection-string or the AZURE_STORAGE_ACCOUNT variable."

O_ACCOUNT_NAME = OptSpec(("--account-name",), "account_name")
O_ACCOUNT_KEY = OptSpec(("--account-key",), "account_key")
O_SAS = OptSpec(("--sas-token",), "sas_token")
O_CONN = OptSpec(("--connection-string",), "connection_string")
O_AUTH_MODE = OptSpec(("--auth-mode",), "auth_mode")
O_BLOB_ENDPOINT = OptSpec(("--blob-endpoint",), "blob_endpoint")
AUTH_OPTS = (O_ACCOUNT_NAME, O_ACCOUNT_KEY, O_SAS, O_CONN, O_AUTH_MODE, O_BLOB_ENDPOINT)
O_CONTAINER = OptSpec(("--container-name", "-c"), "container", required=True)
O_BLOB = OptSpec(("--name", "-n"), "name", required=True)
O_OPT_RG = OptSpec(("--resource-group", "-g"), "rg")


def _env(az: Az, name: str) -> str | None:
    getter = getattr(az.ctx, "get_variable", None)
    if not callable(getter):
        return None
    try:
        value = getter(f"env:{name}")
    except Exception:  # an engine without env: drive
        return None
    return str(value) if value else None


# ---------------------------------------------------------------------------------------------- accounts
def _find_account(az: Az, name: str, rg: str | None) -> dict[str, Any]:
    if rg:
        data = az.arm_get(f"{az.rg_path(rg)}/providers/{STORAGE_ACCOUNT_TYPE}/{name}", API_STORAGE, allow_404=True)
        if isinstance(data, dict):
            return data
    else:
        for item in az.arm_list(f"/subscriptions/{az.sub}/providers/{STORAGE_ACCOUNT_TYPE}", API_STORAGE):
            if isinstance(item, dict) and str(item.get("name", "")).casefold() == name.casefold():
                return item
    where = f"resource group '{rg}'" if rg else "the subscription"
    raise AzCliError(f"The storage account '{name}' was not found in {where}.", EXIT_NOT_FOUND)


def cmd_account_show(az: Az, a: ParsedArgs) -> Any:
    return flatten(_find_account(az, str(a.get("name")), a.get("rg")))


def cmd_account_list(az: Az, a: ParsedArgs) -> Any:
    rg = a.get("rg")
    base = az.rg_path(str(rg)) if rg else f"/subscriptions/{az.sub}"
    return [flatten(x) for x in az.arm_list(f"{base}/providers/{STORAGE_ACCOUNT_TYPE}", API_STORAGE)]


def cmd_account_create(az: Az, a: ParsedArgs) -> Any:
    """PUT the account as az does (StorageV2, Standard_RAGRS, HTTPS only, TLS 1.2 by default)."""
    rg, name = str(a.get("rg")), str(a.get("name"))
    if not (3 <= len(name) <= 24 and name.isalnum() and name == name.lower()):
        raise AzCliError(f"(AccountNameInvalid) {name} is not a valid storage account name. Storage account name "
                         "must be between 3 and 24 characters in length and use numbers and lower-case letters only.")
    group = az.require_group(rg)
    location = normalize_location(str(a.get("location") or group.get("location")))
    sku = str(a.get("sku") or "Standard_RAGRS")
    created = datetime.fromtimestamp(az.services._now(), UTC).strftime("%Y-%m-%dT%H:%M:%S.%f0Z")
    endpoints = {k: f"https://{name}.{k}.{STORAGE_ENDPOINT_SUFFIX}/" for k in ("blob", "queue", "table", "file",
                                                                                "dfs")}
    body: dict[str, Any] = {
        "location": location, "kind": str(a.get("kind") or "StorageV2"),
        "sku": {"name": sku, "tier": "Premium" if sku.startswith("Premium") else "Standard"},
        "properties": {"supportsHttpsTrafficOnly": True, "minimumTlsVersion": "TLS1_2", "creationTime": created,
                       "primaryEndpoints": endpoints, "primaryLocation": location, "statusOfPrimary": "available",
                       "accessTier": "Hot"},
    }
    tags = a.get("tags")
    if tags:
        body["tags"] = dict(t.partition("=")[::2] for t in tags)
    path = f"{az.rg_path(rg)}/providers/{STORAGE_ACCOUNT_TYPE}/{name}"
    az.arm_put(path, API_STORAGE, body)
    return flatten(az.arm_get(path, API_STORAGE))


def _keys(az: Az, account: dict[str, Any]) -> list[dict[str, Any]]:
    data = az.arm("POST", f"{account['id']}/listKeys", API_STORAGE, params={"$expand": "kerb"})
    out = []
    for k in (data or {}).get("keys") or []:
        if isinstance(k, dict):
            out.append({"creationTime": k.get("creationTime"), "keyName": k.get("keyName"),
                        "permissions": str(k.get("permissions", "FULL")).upper(), "value": k.get("value")})
    return out


def cmd_keys_list(az: Az, a: ParsedArgs) -> Any:
    name = a.get("name") or a.get("account_name")
    if not name:
        raise AzCliError("the following arguments are required: --account-name/-n", EXIT_USAGE)
    return _keys(az, _find_account(az, str(name), a.get("rg")))


def cmd_keys_renew(az: Az, a: ParsedArgs) -> Any:
    name = a.get("name") or a.get("account_name")
    if not name:
        raise AzCliError("the following arguments are required: --account-name/-n", EXIT_USAGE)
    account = _find_account(az, str(name), a.get("rg"))
    az.arm("POST", f"{account['id']}/regenerateKey", API_STORAGE, body={"keyName": str(a.get("key"))})
    return _keys(az, account)


# ---------------------------------------------------------------------------------------------- data plane
def _auth(az: Az, a: ParsedArgs) -> StorageAuth:
    conn = a.get("connection_string") or _env(az, "AZURE_STORAGE_CONNECTION_STRING")
    if conn:
        try:
            return parse_connection_string(str(conn))
        except ValueError as e:
            raise AzCliError(f"Connection string is invalid: {e}") from None
    account = str(a.get("account_name") or _env(az, "AZURE_STORAGE_ACCOUNT") or "")
    endpoint = str(a.get("blob_endpoint") or "")
    if not account and endpoint:
        account = (httpx.URL(endpoint).host or "").split(".", 1)[0]
    if not account:
        raise AzCliError(NO_ACCOUNT)
    endpoint = endpoint or blob_endpoint(account)
    if not endpoint.endswith("/"):
        endpoint += "/"
    mode = str(a.get("auth_mode") or "key").casefold()
    if mode not in ("key", "login"):
        raise AzCliError(f"argument --auth-mode: invalid choice: '{mode}' (choose from 'key', 'login')", EXIT_USAGE)
    key = a.get("account_key") or _env(az, "AZURE_STORAGE_KEY")
    sas = a.get("sas_token") or _env(az, "AZURE_STORAGE_SAS_TOKEN")
    if mode == "login":
        if key or sas:
            raise AzCliError("--auth-mode login cannot be combined with --account-key or --sas-token.", EXIT_USAGE)
        return StorageAuth(account, endpoint, oauth=True)
    if key:
        try:
            base64.b64decode(str(key), validate=True)
        except ValueError:
            raise AzCliError("Incorrect padding" if len(str(key)) % 4 else "Invalid base64-encoded string: the "
                             "account key is not a storage key.") from None
        return StorageAuth(account, endpoint, key=str(key))
    if sas:
        return StorageAuth(account, endpoint, sas=str(sas).lstrip("?"))
    az.stderr(f"WARNING: {NO_CREDENTIALS_WARNING}")
    found = _find_account(az, account, None)
    return StorageAuth(account, endpoint, arm_id=str(found["id"]))


def _storage_az_error(az: Az, resp: httpx.Response, auth: StorageAuth) -> AzCliError:
    code, message, detail = storage_error_parts(resp)
    if auth.oauth and code == "AuthorizationPermissionMismatch":
        text = LOGIN_PERMISSION_MESSAGE
    else:
        text = f"{message}\nErrorCode:{code}"
        if detail:
            text += f"\nauthenticationerrordetail:{detail}"
    hints = access_hints(resp, ctx=az.ctx)
    if hints:
        text += "\n" + "\n".join(hints)
    return AzCliError(text, EXIT_NOT_FOUND if resp.status_code == 404 else 1)


def _call(az: Az, auth: StorageAuth, method: str, path: str, *, ok: tuple[int, ...] = (200, 201, 202, 206),
          params: dict[str, str] | None = None, headers: dict[str, str] | None = None,
          content: bytes | None = None) -> httpx.Response:
    try:
        resp = blob_request(az.services, auth, method, path, params=params, headers=headers, content=content)
    except StorageError as e:
        raise AzCliError(e.message) from None
    if resp.status_code not in ok:
        raise _storage_az_error(az, resp, auth)
    return resp


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _blob_json(name: str, props: dict[str, Any], *, content_range: str | None = None) -> dict[str, Any]:
    """The 2017 az CLI's blob JSON (what the tutorials print for ``download``, and ``show``/``list`` items)."""
    return {
        "content": None,
        "metadata": dict(props.get("metadata") or {}),
        "name": name,
        "properties": {
            "appendBlobCommittedBlockCount": None,
            "blobType": props.get("blob_type") or "BlockBlob",
            "contentLength": props.get("length", 0),
            "contentRange": content_range,
            "contentSettings": {
                "cacheControl": props.get("cache_control"),
                "contentDisposition": props.get("content_disposition"),
                "contentEncoding": props.get("content_encoding"),
                "contentLanguage": props.get("content_language"),
                "contentMd5": props.get("content_md5"),
                "contentType": props.get("content_type"),
            },
            "copy": {"completionTime": None, "id": None, "progress": None, "source": None, "status": None,
                     "statusDescription": None},
            "etag": props.get("etag"),
            "lastModified": _iso(props.get("last_modified")),
            "lease": {"duration": None, "state": props.get("lease_state") or "available",
                      "status": props.get("lease_status") or "unlocked"},
            "pageBlobSequenceNumber": None,
            "serverEncrypted": bool(props.get("server_encrypted")),
        },
        "snapshot": None,
    }


def cmd_container_create(az: Az, a: ParsedArgs) -> Any:
    auth = _auth(az, a)
    headers = {}
    access = str(a.get("public_access") or "off").casefold()
    if access not in ("off", "blob", "container"):
        raise AzCliError(f"argument --public-access: invalid choice: '{access}' (choose from 'blob', 'container', "
                         "'off')", EXIT_USAGE)
    if access != "off":
        headers["x-ms-blob-public-access"] = access
    resp = _call(az, auth, "PUT", blob_path(str(a.get("name"))), params={"restype": "container"}, headers=headers,
                 ok=(201, 409))
    if resp.status_code == 409:
        code = storage_error_parts(resp)[0]
        if code != "ContainerAlreadyExists":
            raise _storage_az_error(az, resp, auth)
        return {"created": False}
    return {"created": True}


def cmd_container_delete(az: Az, a: ParsedArgs) -> Any:
    auth = _auth(az, a)
    resp = _call(az, auth, "DELETE", blob_path(str(a.get("name"))), params={"restype": "container"}, ok=(202, 404))
    return {"deleted": resp.status_code == 202}


def cmd_container_list(az: Az, a: ParsedArgs) -> Any:
    auth = _auth(az, a)
    out = []
    for name, props in list_containers(lambda m, p, **kw: _call(az, auth, m, p, **kw), prefix=a.get("prefix")):
        out.append({"deleted": None, "encryptionScope": None, "immutableStorageWithVersioningEnabled": False,
                    "metadata": props.get("metadata") or None, "name": name,
                    "properties": {"etag": props.get("etag"), "lastModified": _iso(props.get("last_modified")),
                                   "lease": {"duration": None, "state": props.get("lease_state"),
                                             "status": props.get("lease_status")},
                                   "publicAccess": props.get("public_access")},
                    "version": None})
    return out


def cmd_blob_upload(az: Az, a: ParsedArgs) -> Any:
    auth = _auth(az, a)
    path = str(a.get("file"))
    container = str(a.get("container"))
    name = str(a.get("name") or path.replace("\\", "/").rsplit("/", 1)[-1])
    fs = az.ctx.fs
    try:
        data = fs.read_bytes(path)
    except (FileNotFoundError, IsADirectoryError, OSError):
        raise AzCliError(f"[Errno 2] No such file or directory: '{path}'") from None
    # the 2017 CLI overwrote; a current one refuses with BlobAlreadyExists unless --overwrite: azshell keeps the
    # tutorials' behaviour and honours an explicit --overwrite false
    given = a.get("overwrite")
    overwrite = not (isinstance(given, list) and given and str(given[0]).casefold() == "false")
    headers = {"x-ms-blob-type": "BlockBlob",
               "x-ms-blob-content-type": str(a.get("content_type") or content_type_for(name)),
               "x-ms-blob-content-md5": base64.b64encode(hashlib.md5(data).digest()).decode("ascii")}
    if not overwrite:
        headers["If-None-Match"] = "*"
    resp = _call(az, auth, "PUT", blob_path(container, name), headers=headers, content=data, ok=(201,))
    az.stderr(PROGRESS_DONE)
    props = blob_properties(resp.headers)
    return {"etag": props.get("etag"), "lastModified": _iso(props.get("last_modified"))}


def cmd_blob_download(az: Az, a: ParsedArgs) -> Any:
    auth = _auth(az, a)
    container, name, dest = str(a.get("container")), str(a.get("name")), str(a.get("file"))
    resp = _call(az, auth, "GET", blob_path(container, name), ok=(200, 206))
    try:
        az.ctx.fs.write_bytes(dest, resp.content)
    except (IsADirectoryError, FileNotFoundError, OSError) as e:
        raise AzCliError(f"[Errno 2] No such file or directory: '{dest}'" if isinstance(e, FileNotFoundError)
                         else f"[Errno 21] Is a directory: '{dest}'") from None
    props = blob_properties(resp.headers)
    size = len(resp.content)
    return _blob_json(name, props, content_range=f"bytes 0-{max(size - 1, 0)}/{size}" if size else None)


def cmd_blob_show(az: Az, a: ParsedArgs) -> Any:
    auth = _auth(az, a)
    container, name = str(a.get("container")), str(a.get("name"))
    resp = _call(az, auth, "HEAD", blob_path(container, name), ok=(200,))
    return _blob_json(name, blob_properties(resp.headers))


def cmd_blob_list(az: Az, a: ParsedArgs) -> Any:
    auth = _auth(az, a)
    container = str(a.get("container"))
    num = a.get("num_results")
    limit = None if num in (None, "*") else int(str(num))
    out = []
    for name, props in list_blobs(lambda m, p, **kw: _call(az, auth, m, p, **kw), container,
                                  prefix=a.get("prefix"), delimiter=a.get("delimiter"),
                                  max_count=limit if limit is not None else 5000 if num is None else None):
        if props.get("prefix"):
            out.append({"name": name})
            continue
        out.append(_blob_json(name, props))
    return out


def cmd_blob_delete(az: Az, a: ParsedArgs) -> Any:
    auth = _auth(az, a)
    _call(az, auth, "DELETE", blob_path(str(a.get("container")), str(a.get("name"))),
          headers={"x-ms-delete-snapshots": "include"}, ok=(202,))
    return None


AZ_COMMANDS: AzCommandTable = {
    ("storage", "account", "show"): ((O_NAME, O_OPT_RG), cmd_account_show),
    ("storage", "account", "list"): ((O_OPT_RG,), cmd_account_list),
    ("storage", "account", "create"): ((O_NAME, OptSpec(("--resource-group", "-g"), "rg", required=True), O_LOCATION,
                                        OptSpec(("--sku",), "sku"), OptSpec(("--kind",), "kind"),
                                        OptSpec(("--tags",), "tags", "*")), cmd_account_create),
    ("storage", "account", "keys", "list"): ((OptSpec(("--account-name", "--name", "-n"), "name"), O_OPT_RG),
                                             cmd_keys_list),
    ("storage", "account", "keys", "renew"): ((OptSpec(("--account-name", "--name", "-n"), "name"), O_OPT_RG,
                                               OptSpec(("--key",), "key", required=True)), cmd_keys_renew),
    ("storage", "container", "create"): ((O_NAME, OptSpec(("--public-access",), "public_access"), *AUTH_OPTS),
                                         cmd_container_create),
    ("storage", "container", "delete"): ((O_NAME, *AUTH_OPTS), cmd_container_delete),
    ("storage", "container", "list"): ((OptSpec(("--prefix",), "prefix"), *AUTH_OPTS), cmd_container_list),
    ("storage", "blob", "upload"): ((O_CONTAINER, OptSpec(("--file", "-f"), "file", required=True),
                                     OptSpec(("--name", "-n"), "name"), OptSpec(("--content-type",), "content_type"),
                                     OptSpec(("--overwrite",), "overwrite", "*"), *AUTH_OPTS), cmd_blob_upload),
    ("storage", "blob", "download"): ((O_CONTAINER, O_BLOB, OptSpec(("--file", "-f"), "file", required=True),
                                       *AUTH_OPTS), cmd_blob_download),
    ("storage", "blob", "show"): ((O_CONTAINER, O_BLOB, *AUTH_OPTS), cmd_blob_show),
    ("storage", "blob", "list"): ((O_CONTAINER, OptSpec(("--prefix",), "prefix"), OptSpec(("--delimiter",), "delimiter"),
                                   OptSpec(("--num-results",), "num_results"), *AUTH_OPTS), cmd_blob_list),
    ("storage", "blob", "delete"): ((O_CONTAINER, O_BLOB, *AUTH_OPTS), cmd_blob_delete),
}
