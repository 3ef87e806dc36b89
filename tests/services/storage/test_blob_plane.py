"""The Blob service at ``{account}.blob.core.windows.net`` over the in-process client: operations, XML and
headers, conditional requests, and the three ways in (Shared Key, SAS, OAuth) with Azure's refusals."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from azshell.clock import FixedClock
from azshell.http import PlaneConnectError
from azshell.world import World
from tests.conftest import ArmClient, require_module

from ._helpers import (
    ACCOUNT,
    BLOB,
    BLOB_DATA_CONTRIBUTOR,
    BLOB_DATA_READER,
    RG,
    Blob,
    account_path,
    create_account,
    error_code,
    list_keys,
    signed,
    storage_token,
)

ERROR_BODY = re.compile(
    r'^<\?xml version="1\.0" encoding="utf-8"\?><Error><Code>(\w+)</Code><Message>([^<]*)\n'
    r"RequestId:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{6}000000\n"
    r"Time:\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z</Message>(.*)</Error>$", re.S)


@pytest.fixture
def key(arm: ArmClient) -> str:
    assert create_account(arm).status_code == 200
    return list_keys(arm)[0]


@pytest.fixture
def blob(client: httpx.Client, key: str) -> Blob:
    b = Blob(client, key)
    assert b("PUT", "/data?restype=container", headers={"x-ms-meta-owner": "me"}).status_code == 201
    return b


def put(b: Blob, name: str, data: bytes, **headers: str) -> httpx.Response:
    return b("PUT", f"/data/{name}", headers={"x-ms-blob-type": "BlockBlob", **headers}, content=data)


# ---------------------------------------------------------------------------------------------- shapes
def test_error_body_and_headers_are_azures(blob: Blob) -> None:
    resp = blob("GET", "/data/missing.txt")
    assert resp.status_code == 404
    m = ERROR_BODY.match(resp.text)
    assert m is not None, resp.text
    assert (m.group(1), m.group(2)) == ("BlobNotFound", "The specified blob does not exist.")
    assert resp.headers["x-ms-error-code"] == "BlobNotFound"
    assert resp.headers["Content-Type"] == "application/xml"
    assert resp.headers["x-ms-version"] == "2021-08-06"
    assert resp.headers["Server"] == "Windows-Azure-Blob/1.0 Microsoft-HTTPAPI/2.0"
    assert resp.headers["x-ms-request-id"] in resp.text
    nocontainer = blob("GET", "/nothere/x")
    assert error_code(nocontainer) == "ContainerNotFound" and nocontainer.status_code == 404
    again = blob("PUT", "/data?restype=container")
    assert again.status_code == 409 and error_code(again) == "ContainerAlreadyExists"
    assert error_code(blob("PUT", "/Bad_Name?restype=container")) == "InvalidResourceName"
    assert error_code(blob("PUT", "/ab?restype=container")) == "OutOfRangeInput"
    echoed = blob("GET", "/data?restype=container", headers={"x-ms-client-request-id": "abc-123"})
    assert echoed.headers["x-ms-client-request-id"] == "abc-123" and echoed.headers["x-ms-meta-owner"] == "me"


def test_unknown_account_does_not_resolve(client: httpx.Client, key: str) -> None:
    with pytest.raises(PlaneConnectError) as exc:
        client.get("https://nosuchaccount.blob.core.windows.net/?comp=list")
    assert "No such host is known" in str(exc.value)


def test_put_get_range_head_and_md5(blob: Blob) -> None:
    data = b"0123456789" * 10
    resp = put(blob, "dir/a.txt", data, **{"x-ms-blob-content-type": "text/plain", "x-ms-meta-color": "blue"})
    assert resp.status_code == 201
    md5 = base64.b64encode(hashlib.md5(data).digest()).decode()
    assert resp.headers["Content-MD5"] == md5 and re.match(r'^"0x8D[0-9A-F]{13}"$', resp.headers["ETag"])
    got = blob("GET", "/data/dir/a.txt")
    assert got.content == data and got.headers["Content-Type"] == "text/plain"
    assert got.headers["x-ms-meta-color"] == "blue" and got.headers["x-ms-blob-type"] == "BlockBlob"
    assert got.headers["Content-MD5"] == md5 and got.headers["ETag"] == resp.headers["ETag"]
    part = blob("GET", "/data/dir/a.txt", headers={"x-ms-range": "bytes=10-19", "x-ms-range-get-content-md5": "true"})
    assert part.status_code == 206 and part.content == data[10:20]
    assert part.headers["Content-Range"] == "bytes 10-19/100"
    assert part.headers["Content-MD5"] == base64.b64encode(hashlib.md5(data[10:20]).digest()).decode()
    tail = blob("GET", "/data/dir/a.txt", headers={"Range": "bytes=95-"})
    assert tail.content == data[95:] and tail.headers["Content-Range"] == "bytes 95-99/100"
    beyond = blob("GET", "/data/dir/a.txt", headers={"x-ms-range": "bytes=100-200"})
    assert beyond.status_code == 416 and error_code(beyond) == "InvalidRange"
    head = blob("HEAD", "/data/dir/a.txt")
    assert head.status_code == 200 and head.content == b"" and head.headers["Content-Length"] == "100"
    assert head.headers["x-ms-access-tier"] == "Hot"
    bad = put(blob, "b.txt", b"abc", **{"Content-MD5": md5})
    assert bad.status_code == 400 and error_code(bad) == "Md5Mismatch"
    assert "<UserSpecifiedMd5>" in bad.text and "<ServerCalculatedMd5>" in bad.text
    missing_type = blob("PUT", "/data/c.txt", content=b"x")
    assert missing_type.status_code == 400 and error_code(missing_type) == "MissingRequiredHeader"


def test_metadata_properties_copy_delete(blob: Blob) -> None:
    put(blob, "a.txt", b"hello", **{"x-ms-meta-one": "1"})
    assert blob("PUT", "/data/a.txt?comp=metadata", headers={"x-ms-meta-two": "2"}).status_code == 200
    meta = blob("GET", "/data/a.txt?comp=metadata")
    assert meta.headers.get("x-ms-meta-two") == "2" and "x-ms-meta-one" not in meta.headers
    assert blob("PUT", "/data/a.txt?comp=properties",
                headers={"x-ms-blob-content-type": "text/markdown"}).status_code == 200
    assert blob("HEAD", "/data/a.txt").headers["Content-Type"] == "text/markdown"
    copied = blob("PUT", "/data/b.txt", headers={"x-ms-copy-source": f"{BLOB}/data/a.txt"})
    assert copied.status_code == 202 and copied.headers["x-ms-copy-status"] == "success"
    assert blob("GET", "/data/b.txt").content == b"hello"
    nosrc = blob("PUT", "/data/c.txt", headers={"x-ms-copy-source": f"{BLOB}/data/zzz.txt"})
    assert nosrc.status_code == 404 and error_code(nosrc) == "CannotVerifyCopySource"
    assert blob("DELETE", "/data/a.txt").status_code == 202
    assert error_code(blob("DELETE", "/data/a.txt")) == "BlobNotFound"
    assert blob("PUT", "/data?restype=container&comp=metadata", headers={"x-ms-meta-k": "v"}).status_code == 200
    assert blob("GET", "/data?restype=container&comp=metadata").headers["x-ms-meta-k"] == "v"
    assert blob("DELETE", "/data?restype=container").status_code == 202
    assert error_code(blob("GET", "/data/b.txt")) == "ContainerNotFound"


def test_conditional_headers(blob: Blob, clock: FixedClock) -> None:
    etag = put(blob, "a.txt", b"v1").headers["ETag"]
    assert blob("GET", "/data/a.txt", headers={"If-None-Match": etag}).status_code == 304
    assert blob("GET", "/data/a.txt", headers={"If-Match": etag}).status_code == 200
    stale = blob("GET", "/data/a.txt", headers={"If-Match": '"0x8D000000000000"'})
    assert stale.status_code == 412 and error_code(stale) == "ConditionNotMet"
    assert ERROR_BODY.match(stale.text).group(2) == (  # type: ignore[union-attr]
        "The condition specified using HTTP conditional header(s) is not met.")
    exists = put(blob, "a.txt", b"v2", **{"If-None-Match": "*"})
    assert exists.status_code == 409 and error_code(exists) == "BlobAlreadyExists"
    assert put(blob, "new.txt", b"n", **{"If-None-Match": "*"}).status_code == 201
    clock.advance(10)
    etag2 = put(blob, "a.txt", b"v2", **{"If-Match": etag}).headers["ETag"]
    assert etag2 != etag
    assert put(blob, "a.txt", b"v3", **{"If-Match": etag}).status_code == 412
    modified = datetime.fromtimestamp(clock.now(), tz=UTC)
    since = (modified - timedelta(seconds=5)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    later = (modified + timedelta(seconds=5)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert blob("GET", "/data/a.txt", headers={"If-Modified-Since": since}).status_code == 200
    assert blob("GET", "/data/a.txt", headers={"If-Modified-Since": later}).status_code == 304
    assert blob("GET", "/data/a.txt", headers={"If-Unmodified-Since": since}).status_code == 412
    assert blob("DELETE", "/data/a.txt", headers={"If-Match": etag}).status_code == 412
    assert blob("DELETE", "/data/a.txt", headers={"If-Match": etag2}).status_code == 202


def test_list_blobs_prefix_delimiter_and_paging(blob: Blob) -> None:
    for name in ("a/1.txt", "a/2.txt", "a/b/3.txt", "c.txt", "d/4.txt", "e.txt"):
        put(blob, name, name.encode(), **{"x-ms-meta-n": name.replace("/", "_")})
    flat = blob("GET", "/data?restype=container&comp=list")
    assert re.findall(r"<Name>([^<]+)</Name>", flat.text) == ["a/1.txt", "a/2.txt", "a/b/3.txt", "c.txt", "d/4.txt",
                                                             "e.txt"]
    assert "<NextMarker />" in flat.text and "<Metadata>" not in flat.text
    tree = blob("GET", "/data?restype=container&comp=list&delimiter=/")
    assert re.findall(r"<BlobPrefix><Name>([^<]+)</Name></BlobPrefix>", tree.text) == ["a/", "d/"]
    assert re.findall(r"<Blob><Name>([^<]+)</Name>", tree.text) == ["c.txt", "e.txt"]
    assert "<Delimiter>/</Delimiter>" in tree.text
    sub = blob("GET", "/data?restype=container&comp=list&delimiter=/&prefix=a/&include=metadata")
    assert re.findall(r"<Blob><Name>([^<]+)</Name>", sub.text) == ["a/1.txt", "a/2.txt"]
    assert "<Metadata><n>a_1.txt</n></Metadata>" in sub.text and "<Prefix>a/</Prefix>" in sub.text
    seen: list[str] = []
    marker = ""
    pages = 0
    while True:
        page = blob("GET", f"/data?restype=container&comp=list&maxresults=4{marker}")
        assert "<MaxResults>4</MaxResults>" in page.text
        seen += re.findall(r"<Blob><Name>([^<]+)</Name>", page.text)
        pages += 1
        nxt = re.search(r"<NextMarker>([^<]+)</NextMarker>", page.text)
        if nxt is None:
            break
        marker = "&marker=" + nxt.group(1)
    assert pages == 2 and len(seen) == 6
    bad = blob("GET", "/data?restype=container&comp=list&maxresults=0")
    assert bad.status_code == 400 and error_code(bad) == "OutOfRangeQueryParameterValue"


def test_list_containers(blob: Blob) -> None:
    for name in ("logs", "logs-old", "zeta"):
        blob("PUT", f"/{name}?restype=container")
    listing = blob("GET", "/?comp=list&prefix=logs&include=metadata")
    assert re.findall(r"<Name>([^<]+)</Name>", listing.text) == ["logs", "logs-old"]
    assert listing.text.startswith('<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint='
                                   '"https://mystorage.blob.core.windows.net/"><Prefix>logs</Prefix>')
    first = blob("GET", "/?comp=list&maxresults=2")
    nxt = re.search(r"<NextMarker>([^<]+)</NextMarker>", first.text)
    assert nxt is not None and nxt.group(1) == "/mystorage/logs-old"
    rest = blob("GET", f"/?comp=list&maxresults=2&marker={nxt.group(1)}")
    assert re.findall(r"<Name>([^<]+)</Name>", rest.text) == ["logs-old", "zeta"]


def test_blocks(blob: Blob) -> None:
    ids = [base64.b64encode(f"block-{i:04d}".encode()).decode() for i in range(3)]
    for i, block_id in enumerate(ids):
        resp = blob("PUT", f"/data/big.bin?comp=block&blockid={block_id}", content=bytes([65 + i]) * 10)
        assert resp.status_code == 201
    pending = blob("GET", "/data/big.bin?comp=blocklist&blocklisttype=uncommitted")
    assert pending.status_code == 200 and pending.text.count("<Block>") == 3
    body = ('<?xml version="1.0" encoding="utf-8"?><BlockList>'
            f"<Latest>{ids[0]}</Latest><Uncommitted>{ids[2]}</Uncommitted></BlockList>")
    done = blob("PUT", "/data/big.bin?comp=blocklist", content=body.encode(),
                headers={"x-ms-blob-content-type": "application/x-test"})
    assert done.status_code == 201
    got = blob("GET", "/data/big.bin")
    assert got.content == b"A" * 10 + b"C" * 10 and got.headers["Content-Type"] == "application/x-test"
    committed = blob("GET", "/data/big.bin?comp=blocklist&blocklisttype=all")
    assert committed.text == ('<?xml version="1.0" encoding="utf-8"?><BlockList><CommittedBlocks>'
                              f"<Block><Name>{ids[0]}</Name><Size>10</Size></Block>"
                              f"<Block><Name>{ids[2]}</Name><Size>10</Size></Block></CommittedBlocks>"
                              "<UncommittedBlocks /></BlockList>")
    # a committed block can be reused; an unknown one makes the list invalid
    reuse = f"<BlockList><Committed>{ids[2]}</Committed><Committed>{ids[0]}</Committed></BlockList>"
    assert blob("PUT", "/data/big.bin?comp=blocklist", content=reuse.encode()).status_code == 201
    assert blob("GET", "/data/big.bin").content == b"C" * 10 + b"A" * 10
    wrong = f"<BlockList><Uncommitted>{ids[1]}</Uncommitted></BlockList>"
    bad = blob("PUT", "/data/big.bin?comp=blocklist", content=wrong.encode())
    assert bad.status_code == 400 and error_code(bad) == "InvalidBlockList"
    badid = blob("PUT", "/data/big.bin?comp=block&blockid=not*base64", content=b"x")
    assert badid.status_code == 400 and error_code(badid) == "InvalidQueryParameterValue"


# ------------------------------------------------------------------------------------------ Shared Key
def test_shared_key_refusals(client: httpx.Client, blob: Blob, key: str) -> None:
    url = f"{BLOB}/data?restype=container"
    h = signed("GET", url, key)
    h["x-ms-version"] = "2099-01-01"  # changed after signing, and not a version
    bad_version = client.get(url, headers=h)
    assert bad_version.status_code == 400 and error_code(bad_version) == "InvalidHeaderValue"
    assert "<HeaderName>x-ms-version</HeaderName><HeaderValue>2099-01-01</HeaderValue>" in bad_version.text
    h = signed("GET", url, key)
    h["x-ms-meta-added"] = "after"
    mac = client.get(url, headers=h)
    assert mac.status_code == 403 and error_code(mac) == "AuthenticationFailed"
    assert "is not the same as any computed signature. Server used following string to sign: 'GET\n" in mac.text
    assert "x-ms-meta-added:after\n" in mac.text
    malformed = client.get(url, headers={"Authorization": "SharedKey nocolon", "x-ms-date": "x",
                                         "x-ms-version": "2021-08-06"})
    assert malformed.status_code == 400 and error_code(malformed) == "InvalidAuthenticationInfo"
    # the versions before 2015-02-21 sign a zero Content-Length as "0"
    old = f"{BLOB}/old?restype=container"
    h = signed("PUT", old, key, version="2014-02-14")
    assert client.put(old, headers=h).status_code == 403
    import hmac as _hmac

    from ._helpers import string_to_sign

    sts = string_to_sign("PUT", old, h, ACCOUNT).replace("\n\n\n\n", "\n\n\n0\n", 1)
    h["Authorization"] = "SharedKey mystorage:" + base64.b64encode(
        _hmac.new(base64.b64decode(key), sts.encode(), hashlib.sha256).digest()).decode()
    assert client.put(old, headers=h).status_code == 201


def test_shared_key_access_disallowed(arm: ArmClient, client: httpx.Client, world: World) -> None:
    create_account(arm, properties={"allowSharedKeyAccess": False})
    key = list_keys(arm)[0]
    resp = Blob(client, key)("GET", "/?comp=list")
    assert resp.status_code == 403 and error_code(resp) == "KeyBasedAuthenticationNotPermitted"
    assert ERROR_BODY.match(resp.text).group(2) == (  # type: ignore[union-attr]
        "Key based authentication is not permitted on this storage account.")
    doc = arm.request("GET", account_path(arm), api_version="2023-01-01").json()
    assert doc["properties"]["allowSharedKeyAccess"] is False
    token = storage_token(world)
    assert arm.assign(account_path(arm), world.admin_user.object_id, BLOB_DATA_CONTRIBUTOR).status_code == 201
    ok = client.get(f"{BLOB}/?comp=list", headers={"Authorization": f"Bearer {token}", "x-ms-version": "2021-08-06"})
    assert ok.status_code == 200, ok.text


# ------------------------------------------------------------------------------------------------ OAuth
def test_bearer_token_with_data_roles(arm: ArmClient, client: httpx.Client, world: World, blob: Blob) -> None:
    """The current Linux tutorial: curl with x-ms-version 2017-11-09 and Storage Blob Data Reader on the group."""
    put(blob, "hello world.txt", b"Hello world! :)")
    arm.create_rg(RG)
    oid = str(arm.create_vm(RG, "vm1", identity={"type": "SystemAssigned"}).json()["identity"]["principalId"])
    token = storage_token(world, oid)
    url = f"{BLOB}/data/hello%20world.txt"
    h = {"Authorization": f"Bearer {token}", "x-ms-version": "2017-11-09"}
    denied = client.get(url, headers=h)
    assert denied.status_code == 403 and error_code(denied) == "AuthorizationPermissionMismatch"
    assert ERROR_BODY.match(denied.text).group(2) == (  # type: ignore[union-attr]
        "This request is not authorized to perform this operation using this permission.")
    decision = denied.extensions["azshell.decision"]
    assert decision.allowed is False and decision.plane == "storage" and decision.data_action
    assert decision.action == "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"
    assert "Storage Blob Data Reader" in decision.fix
    assert arm.assign(arm.rg_path(RG), oid, BLOB_DATA_READER).status_code == 201
    ok = client.get(url, headers=h)
    assert ok.status_code == 200 and ok.content == b"Hello world! :)"
    assert ok.extensions["azshell.decision"].allowed
    old = client.get(url, headers={"Authorization": f"Bearer {token}", "x-ms-version": "2017-07-29"})
    assert old.status_code == 403 and error_code(old) == "AuthenticationFailed"
    assert "<AuthenticationErrorDetail>Authentication scheme Bearer is not supported in this version." in old.text
    none = client.get(url, headers={"Authorization": f"Bearer {token}"})
    assert none.status_code == 403 and "Bearer is not supported in this version" in none.text
    hint = none.extensions["azshell.decision"]
    assert hint.model == "token" and hint.token.code == "storage_version" and "x-ms-version" in hint.fix
    write = client.put(url, headers={**h, "x-ms-blob-type": "BlockBlob"}, content=b"x")
    assert write.status_code == 403 and error_code(write) == "AuthorizationPermissionMismatch"
    arm_token = arm.token_for(oid)
    wrong_aud = client.get(url, headers={"Authorization": f"Bearer {arm_token}", "x-ms-version": "2017-11-09"})
    assert wrong_aud.status_code == 401 and error_code(wrong_aud) == "InvalidAuthenticationInfo"
    assert "Audience validation failed. Audience did not match." in wrong_aud.text
    assert wrong_aud.headers["WWW-Authenticate"].startswith("Bearer authorization_uri=https://login.microsoftonline.com/")
    # Contributor may write; the SDK-style account URL audience is accepted too
    assert arm.assign(arm.rg_path(RG), oid, BLOB_DATA_CONTRIBUTOR).status_code == 201
    assert client.put(url, headers={**h, "x-ms-blob-type": "BlockBlob"}, content=b"new").status_code == 201


def test_anonymous(client: httpx.Client, blob: Blob) -> None:
    put(blob, "a.txt", b"x")
    anon = client.get(f"{BLOB}/data/a.txt")
    assert anon.status_code == 404 and error_code(anon) == "ResourceNotFound"
    listing = client.get(f"{BLOB}/?comp=list", headers={"x-ms-version": "2021-08-06"})
    assert listing.status_code == 401 and error_code(listing) == "NoAuthenticationInformation"


# --------------------------------------------------------------------------------------------------- SAS
def test_sas_refusals(client: httpx.Client, blob: Blob, key: str, clock: FixedClock) -> None:
    sdk = require_module("azure.storage.blob")
    put(blob, "a.txt", b"secret")
    now = datetime.fromtimestamp(clock.now(), tz=UTC)
    sas = sdk.generate_blob_sas(ACCOUNT, "data", "a.txt", account_key=key, permission="r",
                                expiry=now + timedelta(hours=1), start=now - timedelta(minutes=1), protocol="https")
    assert client.get(f"{BLOB}/data/a.txt?{sas}").content == b"secret"
    http = client.get(f"http://{ACCOUNT}.blob.core.windows.net/data/a.txt?{sas}")
    assert http.status_code == 403 and error_code(http) == "AuthorizationProtocolMismatch"
    other = client.get(f"{BLOB}/data/b.txt?{sas}")  # another blob: the signature covers the name
    assert other.status_code == 403 and "Signature did not match. String to sign used was r\n" in other.text
    write = client.put(f"{BLOB}/data/a.txt?{sas}", headers={"x-ms-blob-type": "BlockBlob"}, content=b"x")
    assert write.status_code == 403 and error_code(write) == "AuthorizationPermissionMismatch"
    clock.advance(7200)
    late = client.get(f"{BLOB}/data/a.txt?{sas}")
    assert late.status_code == 403 and error_code(late) == "AuthenticationFailed"
    assert "Signature not valid in the specified time frame: Start [" in late.text
    now = datetime.fromtimestamp(clock.now(), tz=UTC)
    inverted = sdk.generate_blob_sas(ACCOUNT, "data", "a.txt", account_key=key, permission="r",
                                     expiry=now + timedelta(hours=1), start=now + timedelta(hours=2))
    assert "must be after signed start time" in client.get(f"{BLOB}/data/a.txt?{inverted}").text
    objects_only = sdk.generate_account_sas(ACCOUNT, key, sdk.ResourceTypes(object=True),
                                            sdk.AccountSasPermissions(read=True, list=True),
                                            expiry=now + timedelta(hours=1))
    assert client.get(f"{BLOB}/data/a.txt?{objects_only}").status_code == 200
    listing = client.get(f"{BLOB}/?comp=list&{objects_only}")
    assert listing.status_code == 403 and error_code(listing) == "AuthorizationResourceTypeMismatch"
    queue_only = sdk.generate_account_sas(ACCOUNT, key, sdk.ResourceTypes(object=True),
                                          sdk.AccountSasPermissions(read=True), expiry=now + timedelta(hours=1),
                                          services=sdk.Services(queue=True))
    qs = client.get(f"{BLOB}/data/a.txt?{queue_only}")
    assert qs.status_code == 403 and error_code(qs) == "AuthorizationServiceMismatch"


def test_network_rules_refuse_everyone(arm: ArmClient, client: httpx.Client) -> None:
    create_account(arm, properties={"publicNetworkAccess": "Disabled"})
    key = list_keys(arm)[0]
    resp = Blob(client, key)("GET", "/?comp=list")
    assert resp.status_code == 403 and error_code(resp) == "AuthorizationFailure"
    assert ERROR_BODY.match(resp.text).group(2) == (  # type: ignore[union-attr]
        "This request is not authorized to perform this operation.")


def test_sas_signing_matches_the_sdk() -> None:
    """Our string-to-sign for the layouts the SDK makes today equals the SDK's own (its ``sts_hook``)."""
    sdk = require_module("azure.storage.blob")
    from urllib.parse import parse_qsl

    from azshell.services.storage.plane_auth import (
        account_sas_string_to_sign,
        sas_canonical_resource,
        service_sas_string_to_sign,
    )

    key = base64.b64encode(b"k" * 64).decode()
    expiry = datetime(2030, 1, 1, tzinfo=UTC)
    seen: list[str] = []
    token = sdk.generate_blob_sas(ACCOUNT, "data", "dir/a b.txt", account_key=key, permission="rw", expiry=expiry,
                                  content_type="text/plain", sts_hook=seen.append)
    q = dict(parse_qsl(token))
    ours = service_sas_string_to_sign(q, sas_canonical_resource(ACCOUNT, q["sv"], "data", "dir/a b.txt"))
    assert ours == seen[-1]
    token = sdk.generate_container_sas(ACCOUNT, "data", account_key=key, permission="rl", expiry=expiry,
                                       sts_hook=seen.append)
    q = dict(parse_qsl(token))
    assert service_sas_string_to_sign(q, sas_canonical_resource(ACCOUNT, q["sv"], "data", None)) == seen[-1]
    token = sdk.generate_account_sas(ACCOUNT, key, sdk.ResourceTypes(container=True), sdk.AccountSasPermissions(
        read=True), expiry=expiry, sts_hook=seen.append)
    assert account_sas_string_to_sign(ACCOUNT, dict(parse_qsl(token))) == seen[-1]


def test_copy_needs_read_on_the_source_under_oauth(arm: ArmClient, client: httpx.Client, world: World,
                                                   blob: Blob) -> None:
    put(blob, "src.txt", b"source")
    blob("PUT", "/other?restype=container")
    oid = str(arm.create_vm(RG, "vm2", identity={"type": "SystemAssigned"}).json()["identity"]["principalId"])
    # Contributor on the destination container only
    assert arm.assign(account_path(arm) + "/blobServices/default/containers/other", oid,
                      BLOB_DATA_CONTRIBUTOR).status_code == 201
    h = {"Authorization": f"Bearer {storage_token(world, oid)}", "x-ms-version": "2021-08-06",
         "x-ms-copy-source": f"{BLOB}/data/src.txt"}
    denied = client.put(f"{BLOB}/other/copy.txt", headers=h)
    assert denied.status_code == 403 and error_code(denied) == "CannotVerifyCopySource"
    assert arm.assign(account_path(arm) + "/blobServices/default/containers/data", oid,
                      BLOB_DATA_READER).status_code == 201
    assert client.put(f"{BLOB}/other/copy.txt", headers=h).status_code == 202


def test_user_delegation_sas(arm: ArmClient, client: httpx.Client, world: World, blob: Blob,
                             clock: FixedClock) -> None:
    """An identity's token gets a user delegation key; a SAS signed with it works while the identity keeps its
    role, and its string-to-sign is the SDK's."""
    sdk = require_module("azure.storage.blob")
    from urllib.parse import parse_qsl

    from azshell.services.storage.plane_auth import sas_canonical_resource, user_delegation_sas_string_to_sign

    put(blob, "a.txt", b"delegated")
    oid = str(arm.create_vm(RG, "vm3", identity={"type": "SystemAssigned"}).json()["identity"]["principalId"])
    assignment = arm.assign(account_path(arm), oid, BLOB_DATA_READER)
    assert assignment.status_code == 201
    h = {"Authorization": f"Bearer {storage_token(world, oid)}", "x-ms-version": "2026-10-06"}
    now = datetime.fromtimestamp(clock.now(), tz=UTC)
    key_info = (f"<?xml version='1.0' encoding='utf-8'?><KeyInfo><Start>{now:%Y-%m-%dT%H:%M:%SZ}</Start>"
                f"<Expiry>{now + timedelta(days=1):%Y-%m-%dT%H:%M:%SZ}</Expiry></KeyInfo>")
    resp = client.post(f"{BLOB}/?restype=service&comp=userdelegationkey", headers=h, content=key_info.encode())
    assert resp.status_code == 200, resp.text
    fields = dict(re.findall(r"<(Signed\w+|Value)>([^<]*)</", resp.text))
    assert fields["SignedOid"] == oid and fields["SignedService"] == "b" and fields["SignedVersion"] == "2026-10-06"
    udk = sdk.UserDelegationKey()
    udk.signed_oid, udk.signed_tid = fields["SignedOid"], fields["SignedTid"]
    udk.signed_start, udk.signed_expiry = fields["SignedStart"], fields["SignedExpiry"]
    udk.signed_service, udk.signed_version, udk.value = "b", fields["SignedVersion"], fields["Value"]
    seen: list[str] = []
    sas = sdk.generate_blob_sas(ACCOUNT, "data", "a.txt", user_delegation_key=udk, permission="rw",
                                expiry=now + timedelta(hours=1), sts_hook=seen.append)
    q = dict(parse_qsl(sas))
    assert user_delegation_sas_string_to_sign(q, sas_canonical_resource(ACCOUNT, q["sv"], "data", "a.txt")) == seen[-1]
    got = client.get(f"{BLOB}/data/a.txt?{sas}")
    assert got.status_code == 200 and got.content == b"delegated"
    # sp=rw, but the signer is only a Reader: the write is refused by its roles
    write = client.put(f"{BLOB}/data/a.txt?{sas}", headers={"x-ms-blob-type": "BlockBlob"}, content=b"x")
    assert write.status_code == 403 and error_code(write) == "AuthorizationPermissionMismatch"
    tampered = sas.replace(f"skoid={oid}", f"skoid={world.admin_user.object_id}")
    assert error_code(client.get(f"{BLOB}/data/a.txt?{tampered}")) == "AuthenticationFailed"
    # a key cannot ask for a user delegation key
    keyed = blob("POST", "/?restype=service&comp=userdelegationkey", content=key_info.encode())
    assert keyed.status_code == 403
