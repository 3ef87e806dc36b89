"""Az.Storage's container and blob cmdlets, and the AzureRM-era Azure.Storage names the 2017 tutorials type.

Each call goes to ``https://{account}.blob.core.windows.net`` through :func:`~azshell.services.storage.cmdlets.
blob_request`, signed as the ``-Context`` says (Shared Key, SAS, or the current account's token). Files come from
and go to the current host's disk (on a VM, the VM's; off-host, the real current folder).

==========================================  ==================================================================
``New/Get/Remove-AzStorageContainer``       ``PUT|GET|DELETE ?restype=container``, ``GET ?comp=list``
``Set-AzStorageBlobContent``                Put Blob (BlockBlob; ``-Properties @{ContentType=…}``, ``-Metadata``)
``Get-AzStorageBlobContent``                Get Blob into ``-Destination``
``Get-AzStorageBlob`` / ``Remove-…``        List Blobs (``-Prefix``, wildcards, marker paging) / Delete Blob
``Set/Get-AzureStorageBlobContent`` …       the same, printing the 2017 ``ICloudBlob/BlobType/Length/…`` object
==========================================  ==================================================================
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from xml.etree import ElementTree

import httpx

from azshell.cmdlets._base import AzCmdlet
from azshell.lang.cmdlet import Example, Param
from azshell.lang.formatting import ViewTable
from azshell.lang.values import PSHashtable, PSObject
from azshell.services.storage.cmdlets import StorageCmdlet, StorageContext, blob_path

__all__ = ["COMMANDS", "COMPLETERS", "blob_properties", "content_type_for", "list_blobs", "list_containers",
           "register_views"]

PS_CONTAINER = "Microsoft.WindowsAzure.Commands.Common.Storage.ResourceModel.AzureStorageContainer"
PS_BLOB = "Microsoft.WindowsAzure.Commands.Common.Storage.ResourceModel.AzureStorageBlob"
#: the 2017 Azure.Storage module's types (their default view is a list, as the 2017 tutorials print it)
PS_LEGACY_CONTAINER = "Microsoft.WindowsAzure.Commands.Storage.Model.ResourceModel.AzureStorageContainer"
PS_LEGACY_BLOB = "Microsoft.WindowsAzure.Commands.Storage.Model.ResourceModel.AzureStorageBlob"
CLOUD_BLOCK_BLOB = "Microsoft.WindowsAzure.Storage.Blob.CloudBlockBlob"
CLOUD_BLOB_CONTAINER = "Microsoft.WindowsAzure.Storage.Blob.CloudBlobContainer"
BLOB_CLIENT = "Azure.Storage.Blobs.BlobClient"
CONTAINER_CLIENT = "Azure.Storage.Blobs.BlobContainerClient"
#: Az.Storage's messages. INFERRED wording (no public capture of these exact strings).
CONTAINER_NOT_FOUND = "Can not find the container '{name}'."
BLOB_NOT_FOUND = "Can not find blob '{blob}' in container '{container}', or the blob type is unsupported."
FILE_NOT_FOUND = "Can not find the file '{path}'."
DEST_EXISTS = ("The file '{path}' already exists: use -Force to overwrite it.")
CONTAINER_EXISTS = "Container '{name}' already exists."
PUBLIC_ACCESS = {"off": None, "container": "container", "blob": "blob"}

_CONTENT_TYPES = {
    ".txt": "text/plain", ".json": "application/json", ".html": "text/html", ".htm": "text/html",
    ".csv": "text/csv", ".xml": "application/xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".gif": "image/gif", ".pdf": "application/pdf", ".zip": "application/zip", ".js": "application/javascript",
    ".css": "text/css", ".md": "text/markdown", ".ps1": "application/octet-stream",
    ".sh": "application/x-sh",
}


def content_type_for(name: str) -> str:
    """What az (Python's ``mimetypes``) guesses from a file name; ``application/octet-stream`` otherwise."""
    dot = name.rfind(".")
    return _CONTENT_TYPES.get(name[dot:].casefold(), "application/octet-stream") if dot >= 0 else \
        "application/octet-stream"


def _http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).astimezone(UTC)
    except (TypeError, ValueError):
        return None


def blob_properties(headers: httpx.Headers | dict[str, str]) -> dict[str, Any]:
    """A blob's properties from the headers of Get Blob / Get Blob Properties / Put Blob."""
    h = httpx.Headers(headers)
    length = h.get("content-length")
    rng = h.get("content-range")
    if rng and "/" in rng:
        length = rng.rsplit("/", 1)[-1]
    meta = {k[len("x-ms-meta-"):]: v for k, v in h.items() if k.startswith("x-ms-meta-")}
    return {
        "etag": h.get("etag"),
        "last_modified": _http_date(h.get("last-modified")),
        "length": int(length) if length and length.isdigit() else 0,
        "content_type": h.get("content-type"),
        "content_md5": h.get("content-md5"),
        "content_encoding": h.get("content-encoding"),
        "content_language": h.get("content-language"),
        "cache_control": h.get("cache-control"),
        "content_disposition": h.get("content-disposition"),
        "blob_type": h.get("x-ms-blob-type", "BlockBlob"),
        "lease_state": h.get("x-ms-lease-state", "available"),
        "lease_status": h.get("x-ms-lease-status", "unlocked"),
        "server_encrypted": (h.get("x-ms-server-encrypted") or h.get("x-ms-request-server-encrypted")
                             or "").casefold() == "true",
        "access_tier": h.get("x-ms-access-tier"),
        "metadata": meta,
    }


def _blob_object(props: dict[str, Any], name: str, container: str, ctx: Any, *, legacy: bool) -> PSObject:
    ptype = PS_LEGACY_BLOB if legacy else PS_BLOB
    cloud_blob = PSObject([("Name", name), ("BlobType", props.get("blob_type"))],
                          type_names=(CLOUD_BLOCK_BLOB if props.get("blob_type") == "BlockBlob" else
                                      f"Microsoft.WindowsAzure.Storage.Blob.Cloud{props.get('blob_type')}",
                                      "System.Object"))
    endpoint = ctx.get("BlobEndPoint") if isinstance(ctx, PSObject) else ""
    uri = f"{str(endpoint).rstrip('/')}/{container}"
    if legacy:
        return PSObject([
            ("ICloudBlob", cloud_blob),
            ("BlobType", props.get("blob_type")),
            ("Length", props.get("length", 0)),
            ("ContentType", props.get("content_type")),
            ("LastModified", props.get("last_modified")),
            ("SnapshotTime", None),
            ("ContinuationToken", None),
            ("Context", ctx),
            ("Name", name),
        ], type_names=(ptype, "System.Object"))
    meta = PSHashtable()
    for k, v in (props.get("metadata") or {}).items():
        meta[k] = v
    blob_props = PSObject([
        ("LastModified", props.get("last_modified")), ("ContentLength", props.get("length", 0)),
        ("ContentType", props.get("content_type")), ("ETag", props.get("etag")),
        ("ContentHash", props.get("content_md5")), ("ContentEncoding", props.get("content_encoding")),
        ("ContentLanguage", props.get("content_language")), ("CacheControl", props.get("cache_control")),
        ("ContentDisposition", props.get("content_disposition")), ("BlobType", props.get("blob_type")),
        ("LeaseState", props.get("lease_state")), ("LeaseStatus", props.get("lease_status")),
        ("IsServerEncrypted", props.get("server_encrypted")), ("AccessTier", props.get("access_tier")),
        ("Metadata", meta),
    ], type_names=("Azure.Storage.Blobs.Models.BlobProperties", "System.Object"))
    return PSObject([
        ("ICloudBlob", cloud_blob),
        ("BlobType", props.get("blob_type")),
        ("Length", props.get("length", 0)),
        ("IsDeleted", False),
        ("BlobClient", PSObject([("Name", name), ("BlobContainerName", container), ("Uri", f"{uri}/{name}")],
                                type_names=(BLOB_CLIENT, "System.Object"))),
        ("BlobProperties", blob_props),
        ("RemainingDaysBeforePermanentDelete", None),
        ("ContentType", props.get("content_type")),
        ("LastModified", props.get("last_modified")),
        ("SnapshotTime", None),
        ("ContinuationToken", None),
        ("VersionId", None),
        ("IsLatestVersion", None),
        ("AccessTier", props.get("access_tier")),
        ("TagCount", 0),
        ("Tags", None),
        ("Context", ctx),
        ("Name", name),
        ("ContainerUri", uri),
    ], type_names=(ptype, "System.Object"))


def _container_object(name: str, props: dict[str, Any], ctx: Any, *, legacy: bool) -> PSObject:
    access = props.get("public_access")
    public = {"container": "Container", "blob": "Blob"}.get(str(access or "").casefold(), "Off")
    endpoint = ctx.get("BlobEndPoint") if isinstance(ctx, PSObject) else ""
    cloud = PSObject([("Name", name), ("Uri", f"{str(endpoint).rstrip('/')}/{name}")],
                     type_names=(CLOUD_BLOB_CONTAINER, "System.Object"))
    common: list[tuple[str, Any]] = [
        ("CloudBlobContainer", cloud),
        ("Permission", PSObject([("PublicAccess", public)],
                                type_names=("Microsoft.WindowsAzure.Storage.Blob.BlobContainerPermissions",
                                            "System.Object"))),
        ("PublicAccess", public),
        ("LastModified", props.get("last_modified")),
        ("ContinuationToken", None),
        ("Context", ctx),
        ("Name", name),
    ]
    if legacy:
        return PSObject(common, type_names=(PS_LEGACY_CONTAINER, "System.Object"))
    meta = PSHashtable()
    for k, v in (props.get("metadata") or {}).items():
        meta[k] = v
    extra = [
        ("BlobContainerClient", PSObject([("Name", name)], type_names=(CONTAINER_CLIENT, "System.Object"))),
        ("BlobContainerProperties", PSObject([("LastModified", props.get("last_modified")),
                                              ("ETag", props.get("etag")), ("Metadata", meta),
                                              ("PublicAccess", access)],
                                             type_names=("Azure.Storage.Blobs.Models.BlobContainerProperties",
                                                         "System.Object"))),
        ("IsDeleted", False),
        ("VersionId", None),
        ("StorageAccountName", ctx.get("StorageAccountName") if isinstance(ctx, PSObject) else ""),
    ]
    return PSObject(common + extra, type_names=(PS_CONTAINER, "System.Object"))


# ---------------------------------------------------------------------------------------------- XML lists
def _xml(resp: httpx.Response) -> ElementTree.Element:
    try:
        return ElementTree.fromstring(resp.content)
    except ElementTree.ParseError:
        return ElementTree.Element("EnumerationResults")


def _listed_props(el: ElementTree.Element | None) -> dict[str, Any]:
    """The ``<Properties>`` of a listed container or blob, as :func:`blob_properties` names them."""
    if el is None:
        return {}
    def text(tag: str) -> str | None:
        v = el.findtext(tag)
        return v if v else None
    length = text("Content-Length")
    return {
        "etag": text("Etag"),
        "last_modified": _http_date(text("Last-Modified")),
        "length": int(length) if length and length.isdigit() else 0,
        "content_type": text("Content-Type"),
        "content_md5": text("Content-MD5"),
        "content_encoding": text("Content-Encoding"),
        "content_language": text("Content-Language"),
        "cache_control": text("Cache-Control"),
        "content_disposition": text("Content-Disposition"),
        "blob_type": text("BlobType") or "BlockBlob",
        "lease_state": text("LeaseState") or "available",
        "lease_status": text("LeaseStatus") or "unlocked",
        "server_encrypted": (text("ServerEncrypted") or "").casefold() == "true",
        "access_tier": text("AccessTier"),
        "public_access": text("PublicAccess"),
    }


def _metadata(el: ElementTree.Element | None) -> dict[str, str]:
    return {c.tag: c.text or "" for c in el} if el is not None else {}


Request = Callable[..., "httpx.Response | None"]


def list_containers(request: Request, *, prefix: str | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, properties) of each container, following ``NextMarker``. ``request(method, path, params=…)``."""
    marker = ""
    for _ in range(10_000):
        params = {"comp": "list", "include": "metadata"}
        if prefix:
            params["prefix"] = prefix
        if marker:
            params["marker"] = marker
        resp = request("GET", "/", params=params)
        if resp is None:
            return
        root = _xml(resp)
        for c in root.iter("Container"):
            props = _listed_props(c.find("Properties"))
            props["metadata"] = _metadata(c.find("Metadata"))
            yield c.findtext("Name") or "", props
        marker = root.findtext("NextMarker") or ""
        if not marker:
            return


def list_blobs(request: Request, container: str, *, prefix: str | None = None, delimiter: str | None = None,
               max_count: int | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(name, properties) of each blob of ``container`` (``BlobPrefix`` entries as (prefix, {"prefix": True})),
    following ``NextMarker``."""
    marker = ""
    seen = 0
    for _ in range(100_000):
        params = {"restype": "container", "comp": "list", "include": "metadata"}
        if prefix:
            params["prefix"] = prefix
        if delimiter:
            params["delimiter"] = delimiter
        if marker:
            params["marker"] = marker
        if max_count:
            params["maxresults"] = str(min(5000, max_count - seen))
        resp = request("GET", blob_path(container), params=params)
        if resp is None:
            return
        root = _xml(resp)
        blobs = root.find("Blobs")
        for b in list(blobs) if blobs is not None else []:
            if b.tag == "BlobPrefix":
                yield b.findtext("Name") or "", {"prefix": True}
                continue
            if b.tag != "Blob":
                continue
            props = _listed_props(b.find("Properties"))
            props["metadata"] = _metadata(b.find("Metadata"))
            yield b.findtext("Name") or "", props
            seen += 1
            if max_count and seen >= max_count:
                return
        marker = root.findtext("NextMarker") or ""
        if not marker:
            return


# ---------------------------------------------------------------------------------------------- cmdlets
_CONTEXT = Param("Context", "object", value_from_pipeline_by_property_name=True,
                 help="The storage context (New-AzStorageContext).")


class _BlobCmdlet(StorageCmdlet):
    def context_object(self) -> PSObject:
        ctx = self.bound.get("Context")
        return ctx if isinstance(ctx, StorageContext) else StorageContext(self.context_auth())

    def request(self, method: str, path: str, **kw: Any) -> httpx.Response | None:
        return self.blob(method, path, **kw)

    def container_props(self, name: str) -> dict[str, Any] | None:
        resp = self.blob("HEAD", blob_path(name), params={"restype": "container"}, allow_404=True)
        if resp is None:
            return None
        meta = {k[len("x-ms-meta-"):]: v for k, v in resp.headers.items() if k.startswith("x-ms-meta-")}
        return {"etag": resp.headers.get("etag"), "last_modified": _http_date(resp.headers.get("last-modified")),
                "public_access": resp.headers.get("x-ms-blob-public-access"), "metadata": meta}


class NewAzStorageContainer(_BlobCmdlet):
    name = "New-AzStorageContainer"
    aliases = ("New-AzureStorageContainer",)
    synopsis = "Creates a storage container."
    description = ("Create Container (PUT ?restype=container). -Permission Off (default: private), Blob or "
                   "Container (anonymous read). Needs a Storage Blob Data Contributor role, the key, or a SAS "
                   "with create/write.")
    supports_should_process = True
    params = (
        Param("Name", "string", mandatory=True, position=0, aliases=("N", "Container"),
              value_from_pipeline=True, value_from_pipeline_by_property_name=True),
        Param("Permission", "string", position=1, aliases=("PublicAccess",),
              validate_set=("Off", "Container", "Blob", "Unknown")),
        _CONTEXT,
    )
    outputs = (PS_CONTAINER,)
    examples = (Example("New-AzStorageContainer -Name mycontainer -Context $ctx", "A private container."),)

    def process(self) -> None:
        name = str(self.bound["Name"])
        headers: dict[str, str] = {}
        access = PUBLIC_ACCESS.get(str(self.bound.get("Permission") or "Off").casefold())
        if access:
            headers["x-ms-blob-public-access"] = access
        if not self.should_process(name, "Create container"):
            return
        resp = self.blob("PUT", blob_path(name), params={"restype": "container"}, headers=headers, ok=(201,))
        assert resp is not None
        props = {"etag": resp.headers.get("etag"), "last_modified": _http_date(resp.headers.get("last-modified")),
                 "public_access": access, "metadata": {}}
        self.write(_container_object(name, props, self.context_object(), legacy=self.legacy))


class GetAzStorageContainer(_BlobCmdlet):
    name = "Get-AzStorageContainer"
    aliases = ("Get-AzureStorageContainer",)
    synopsis = "Lists the containers of a storage account."
    description = ("List Containers (GET ?comp=list, following NextMarker); -Name takes wildcards, -Prefix filters "
                   "on the service. A name without wildcards reads that container's properties.")
    params = (
        Param("Name", "string", position=0, aliases=("N", "Container"), completer="storage_container"),
        Param("Prefix", "string"),
        Param("MaxCount", "int"),
        _CONTEXT,
    )
    outputs = (PS_CONTAINER,)
    examples = (Example("Get-AzStorageContainer -Context $ctx", "Every container."),)

    def process(self) -> None:
        name = self.bound.get("Name")
        ctx = self.context_object()
        if name and not any(c in str(name) for c in "*?["):
            props = self.container_props(str(name))
            if props is None:
                self.fail(CONTAINER_NOT_FOUND.format(name=name), category="ObjectNotFound",
                          error_id="ResourceNotFoundException")
            self.write(_container_object(str(name), props, ctx, legacy=self.legacy))
            return
        count = 0
        limit = self.bound.get("MaxCount")
        for cname, props in list_containers(self.request, prefix=self.bound.get("Prefix")):
            if name and not fnmatch.fnmatchcase(cname.casefold(), str(name).casefold()):
                continue
            self.write(_container_object(cname, props, ctx, legacy=self.legacy))
            count += 1
            if limit and count >= int(limit):
                return


class RemoveAzStorageContainer(_BlobCmdlet):
    name = "Remove-AzStorageContainer"
    aliases = ("Remove-AzureStorageContainer",)
    synopsis = "Removes a storage container."
    description = "Delete Container (DELETE ?restype=container): the container and every blob in it."
    supports_should_process = True
    params = (
        Param("Name", "string", mandatory=True, position=0, aliases=("N", "Container"), completer="storage_container",
              value_from_pipeline_by_property_name=True),
        Param("Force", "switch"),
        Param("PassThru", "switch"),
        _CONTEXT,
    )
    examples = (Example("Remove-AzStorageContainer -Name mycontainer -Context $ctx -Force", "Deletes it."),)

    def process(self) -> None:
        name = str(self.bound["Name"])
        if not self.should_process(name, "Remove container"):
            return
        resp = self.blob("DELETE", blob_path(name), params={"restype": "container"}, ok=(202,), allow_404=True)
        if resp is None:
            self.fail(CONTAINER_NOT_FOUND.format(name=name), category="ObjectNotFound",
                      error_id="ResourceNotFoundException")
        if self.bound.get("PassThru"):
            self.write(True)


class SetAzStorageBlobContent(_BlobCmdlet):
    name = "Set-AzStorageBlobContent"
    aliases = ()
    synopsis = "Uploads a local file to an Azure Storage blob."
    description = ("Put Blob (a block blob) with the file's bytes, read from the current host's disk; -Blob "
                   "defaults to the file's name; -Properties @{ContentType=...} and -Metadata @{...} set them. The "
                   "blob is overwritten when it exists. Needs write permission: Storage Blob Data Contributor, the "
                   "account key, or a SAS with 'w' (and 'c' for a new blob).")
    supports_should_process = True
    params = (
        Param("File", "string", mandatory=True, position=0, aliases=("FullName",)),
        Param("Container", "string", mandatory=True, position=1, completer="storage_container"),
        Param("Blob", "string", position=2, completer="storage_blob"),
        Param("BlobType", "string", validate_set=("Block", "Page", "Append")),
        Param("Properties", "hashtable"),
        Param("Metadata", "hashtable"),
        Param("StandardBlobTier", "string", validate_set=("Hot", "Cool", "Cold", "Archive")),
        Param("Force", "switch"),
        _CONTEXT,
    )
    outputs = (PS_BLOB,)
    examples = (Example("Set-AzStorageBlobContent -File test.txt -Container mycontainer -Blob testblob -Context $ctx",
                        "Uploads test.txt as testblob."),)

    def process(self) -> None:
        path = str(self.bound["File"])
        container = str(self.bound["Container"])
        blob = str(self.bound.get("Blob") or path.replace("\\", "/").rsplit("/", 1)[-1])
        fs = self.ctx.fs
        try:
            data = fs.read_bytes(path)
        except (FileNotFoundError, IsADirectoryError, OSError):
            self.fail(FILE_NOT_FOUND.format(path=_resolved(self.ctx, path)), category="ObjectNotFound",
                      error_id="ArgumentException")
        if (self.bound.get("BlobType") or "Block") != "Block":
            self.fail("azshell uploads block blobs only (-BlobType Block).", error_id="ArgumentException")
        if not self.should_process(f"{container}/{blob}", "Upload blob"):
            return
        headers = {"x-ms-blob-type": "BlockBlob", "Content-Type": "application/octet-stream"}
        for k, v in dict((self.bound.get("Properties") or {}).items()).items():
            key = str(k).replace("-", "").casefold()
            target = {"contenttype": "Content-Type", "contentencoding": "x-ms-blob-content-encoding",
                      "contentlanguage": "x-ms-blob-content-language", "cachecontrol": "x-ms-blob-cache-control",
                      "contentdisposition": "x-ms-blob-content-disposition",
                      "contentmd5": "x-ms-blob-content-md5"}.get(key)
            if target is None:
                self.fail(f"InvalidBlobProperties: '{k}' is not a blob property (ContentType, ContentEncoding, "
                          "ContentLanguage, CacheControl, ContentDisposition, ContentMD5).",
                          error_id="ArgumentException")
            headers[target] = str(v)
        for k, v in dict((self.bound.get("Metadata") or {}).items()).items():
            headers[f"x-ms-meta-{k}"] = str(v)
        tier = self.bound.get("StandardBlobTier")
        if tier:
            headers["x-ms-access-tier"] = str(tier)
        resp = self.blob("PUT", blob_path(container, blob), headers=headers, content=data, ok=(201,))
        assert resp is not None
        props = blob_properties(resp.headers)
        props["length"] = len(data)
        props["content_type"] = headers["Content-Type"]
        head = self.blob("HEAD", blob_path(container, blob), ok=(200,), allow_404=True)
        if head is not None:
            props = blob_properties(head.headers)
        self.write(_blob_object(props, blob, container, self.context_object(), legacy=self.legacy))


def _resolved(ctx: Any, path: str) -> str:
    resolve = getattr(ctx.fs, "resolve", None)
    try:
        return str(resolve(path)) if callable(resolve) else path
    except Exception:  # a path the host's disk cannot resolve is shown as typed
        return path


class GetAzStorageBlobContent(_BlobCmdlet):
    name = "Get-AzStorageBlobContent"
    aliases = ()
    synopsis = "Downloads a storage blob."
    description = ("Get Blob into -Destination on the current host's disk (a folder: the blob's name in it; "
                   "default: the current folder). An existing file is overwritten.")
    supports_should_process = True
    params = (
        Param("Blob", "string", mandatory=True, position=0, completer="storage_blob"),
        Param("Container", "string", mandatory=True, position=1, completer="storage_container"),
        Param("Destination", "string", position=2, aliases=("Path",)),
        Param("CheckMd5", "switch"),
        Param("Force", "switch"),
        _CONTEXT,
    )
    outputs = (PS_BLOB,)
    examples = (Example("Get-AzStorageBlobContent -Blob testblob -Container mycontainer -Destination test2.txt "
                        "-Context $ctx", "Downloads testblob to test2.txt."),)

    def process(self) -> None:
        blob, container = str(self.bound["Blob"]), str(self.bound["Container"])
        dest = str(self.bound.get("Destination") or ".")
        fs = self.ctx.fs
        if fs.is_dir(dest):
            join = getattr(fs, "join", None)
            dest = join(dest, blob.rsplit("/", 1)[-1]) if callable(join) else f"{dest.rstrip('/')}/{blob}"
        if not self.should_process(f"{container}/{blob}", "Download blob"):
            return
        resp = self.blob("GET", blob_path(container, blob), ok=(200, 206), allow_404=False)
        assert resp is not None
        try:
            fs.write_bytes(dest, resp.content)
        except (IsADirectoryError, FileNotFoundError, OSError) as e:
            self.fail(f"Could not write '{_resolved(self.ctx, dest)}': {e.strerror or e}", category="WriteError",
                      error_id="IOException")
        self.write(_blob_object(blob_properties(resp.headers), blob, container, self.context_object(),
                                legacy=self.legacy))


class GetAzStorageBlob(_BlobCmdlet):
    name = "Get-AzStorageBlob"
    aliases = ()
    synopsis = "Lists blobs in a container."
    description = ("List Blobs (GET ?restype=container&comp=list, following NextMarker). -Blob takes wildcards; "
                   "-Prefix filters on the service; a -Blob without wildcards reads that blob's properties.")
    params = (
        Param("Blob", "string", position=0, aliases=("Name",), completer="storage_blob"),
        Param("Container", "string", mandatory=True, position=1, completer="storage_container",
              value_from_pipeline_by_property_name=True, aliases=("N", "ContainerName")),
        Param("Prefix", "string"),
        Param("MaxCount", "int"),
        Param("IncludeDeleted", "switch"),
        _CONTEXT,
    )
    outputs = (PS_BLOB,)
    examples = (
        Example("Get-AzStorageBlob -Container mycontainer -Context $ctx", "Every blob of mycontainer."),
        Example("Get-AzStorageBlob -Container mycontainer -Prefix logs/ -Context $ctx", "Blobs under logs/."))

    def process(self) -> None:
        container = str(self.bound["Container"])
        name = self.bound.get("Blob")
        ctx = self.context_object()
        if name and not any(c in str(name) for c in "*?["):
            head = self.blob("HEAD", blob_path(container, str(name)), ok=(200,), allow_404=True)
            if head is None:
                self.fail(BLOB_NOT_FOUND.format(blob=name, container=container), category="ObjectNotFound",
                          error_id="ResourceNotFoundException")
            self.write(_blob_object(blob_properties(head.headers), str(name), container, ctx, legacy=self.legacy))
            return
        limit = self.bound.get("MaxCount")
        count = 0
        for bname, props in list_blobs(self.request, container, prefix=self.bound.get("Prefix")):
            if name and not fnmatch.fnmatchcase(bname, str(name)):
                continue
            self.write(_blob_object(props, bname, container, ctx, legacy=self.legacy))
            count += 1
            if limit and count >= int(limit):
                return


class RemoveAzStorageBlob(_BlobCmdlet):
    name = "Remove-AzStorageBlob"
    aliases = ("Remove-AzureStorageBlob",)
    synopsis = "Removes a storage blob."
    description = "Delete Blob (with its snapshots: x-ms-delete-snapshots include)."
    supports_should_process = True
    params = (
        Param("Blob", "string", mandatory=True, position=0, completer="storage_blob"),
        Param("Container", "string", mandatory=True, position=1, completer="storage_container"),
        Param("Force", "switch"),
        Param("PassThru", "switch"),
        _CONTEXT,
    )
    examples = (Example("Remove-AzStorageBlob -Blob testblob -Container mycontainer -Context $ctx", "Deletes it."),)

    def process(self) -> None:
        blob, container = str(self.bound["Blob"]), str(self.bound["Container"])
        if not self.should_process(f"{container}/{blob}", "Remove blob"):
            return
        resp = self.blob("DELETE", blob_path(container, blob), headers={"x-ms-delete-snapshots": "include"},
                         ok=(202,), allow_404=True)
        if resp is None:
            self.fail(BLOB_NOT_FOUND.format(blob=blob, container=container), category="ObjectNotFound",
                      error_id="ResourceNotFoundException")
        if self.bound.get("PassThru"):
            self.write(True)


# --------------------------------------------------------------------------- the 2017 Azure.Storage names
class SetAzureStorageBlobContent(SetAzStorageBlobContent):
    name = "Set-AzureStorageBlobContent"
    aliases = ()
    legacy = True
    synopsis = "Uploads a local file to a blob (the 2017 Azure.Storage module's name and output)."
    outputs = (PS_LEGACY_BLOB,)
    examples = (Example("Set-AzureStorageBlobContent -File test.txt -Container mycontainer -Blob testblob "
                        "-Context $ctx", "Uploads test.txt; prints ICloudBlob, BlobType, Length, ..."),)


class GetAzureStorageBlobContent(GetAzStorageBlobContent):
    name = "Get-AzureStorageBlobContent"
    aliases = ()
    legacy = True
    synopsis = "Downloads a blob (the 2017 Azure.Storage module's name and output)."
    outputs = (PS_LEGACY_BLOB,)
    examples = (Example("Get-AzureStorageBlobContent -Blob testblob -Container mycontainer -Destination test2.txt "
                        "-Context $ctx", "Downloads testblob."),)


class GetAzureStorageBlob(GetAzStorageBlob):
    name = "Get-AzureStorageBlob"
    aliases = ()
    legacy = True
    synopsis = "Lists blobs (the 2017 Azure.Storage module's name and output)."
    outputs = (PS_LEGACY_BLOB,)
    examples = (Example("Get-AzureStorageBlob -Container mycontainer -Context $ctx", "Every blob."),
                Example("Get-AzureStorageBlob -Container mycontainer -Prefix logs/ -Context $ctx",
                        "Blobs under logs/."))


COMMANDS: tuple[type[AzCmdlet], ...] = (
    NewAzStorageContainer, GetAzStorageContainer, RemoveAzStorageContainer, SetAzStorageBlobContent,
    GetAzStorageBlobContent, GetAzStorageBlob, RemoveAzStorageBlob, SetAzureStorageBlobContent,
    GetAzureStorageBlobContent, GetAzureStorageBlob,
)


# ---------------------------------------------------------------------------------------------- completion
def _accounts(services: Any) -> list[str]:
    from azshell.cmdlets._azure import STORAGE_ACCOUNT_TYPE
    from azshell.cmdlets.completers import subscription_id

    sub = subscription_id(services)
    return [r.name for r in services.store.list_resources(sub, None, STORAGE_ACCOUNT_TYPE)] if sub else []


def _container_names(services: Any) -> list[str]:
    """Container names of the subscription's storage accounts (completion reads state, as the other completers)."""
    from azshell.services.storage import model

    names = {c.name for acct in _accounts(services) for c in model.list_containers(services.store, acct, limit=500)}
    return sorted(names)


def _blob_names(services: Any) -> list[str]:
    from azshell.services.storage import model

    names: set[str] = set()
    for acct in _accounts(services):
        for c in model.list_containers(services.store, acct, limit=100):
            names.update(b.name for b in model.list_blobs(services.store, acct, c.name, limit=500))
    return sorted(names)


COMPLETERS: dict[str, Callable[[Any], list[str]]] = {
    "storage_container": _container_names,
    "storage_blob": _blob_names,
}


def _container_uri(obj: Any) -> Any:
    return obj.get("ContainerUri") if hasattr(obj, "get") else None


def register_views(views: ViewTable) -> None:
    """Az.Storage's views: blobs and containers as tables under their container / account; the 2017 module's
    objects as lists (what the 2017 tutorials print)."""
    views.register(PS_BLOB, "table", ["Name", "BlobType", "Length", "ContentType", "LastModified", "AccessTier",
                                      "SnapshotTime", "IsDeleted", "VersionId"],
                   group_by="ContainerUri", group_label="Container Uri")
    views.register(PS_CONTAINER, "table", ["Name", "PublicAccess", "LastModified", "IsDeleted", "VersionId"],
                   group_by="StorageAccountName", group_label="Storage Account Name")
    views.register(PS_LEGACY_BLOB, "list", ["ICloudBlob", "BlobType", "Length", "ContentType", "LastModified",
                                            "SnapshotTime", "ContinuationToken", "Context", "Name"])
    views.register(PS_LEGACY_CONTAINER, "list", ["CloudBlobContainer", "Permission", "PublicAccess", "LastModified",
                                                 "ContinuationToken", "Context", "Name"])

