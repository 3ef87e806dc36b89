"""Az.Storage cmdlets and ``az storage`` against the Blob plane, in process (issue 11, part 2).

The client side is written against Azure's REST contract; the signing helpers are also checked against the Python
SDK's own implementation (azure-storage-blob, a test extra), so both ends agree with Azure, not only with each other.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import pytest

from azshell.services.storage.cmdlets import (
    SAS_VERSION,
    account_sas,
    parse_connection_string,
    service_sas,
    shared_key_string_to_sign,
)
from azshell.world import World
from tests.cmdlets._shell import Shell
from tests.conftest import require_module

RG = "rg1"
ACCT = "st1acct"
KEY = "a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5"


@pytest.fixture
def shell(world: World) -> Shell:
    s = Shell(world)
    s.ok(f"New-AzResourceGroup {RG} westus | Out-Null\n"
         f"New-AzStorageAccount -ResourceGroupName {RG} -Name {ACCT} -SkuName Standard_LRS | Out-Null\n"
         f"$key = (Get-AzStorageAccountKey -ResourceGroupName {RG} -Name {ACCT})[0].Value\n"
         f"$ctx = New-AzStorageContext -StorageAccountName {ACCT} -StorageAccountKey $key\n"
         "New-AzStorageContainer -Name cont1 -Context $ctx | Out-Null")
    return s


def _file(shell: Shell, tmp_path: Any, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


# ---------------------------------------------------------------------------------------- signing vs the SDK
def test_shared_key_string_to_sign_matches_the_sdk() -> None:
    require_module("azure.storage.blob")
    from azure.core.pipeline import PipelineContext, PipelineRequest
    from azure.core.pipeline.transport import HttpRequest
    from azure.storage.blob._shared.authentication import SharedKeyCredentialPolicy

    url = f"https://{ACCT}.blob.core.windows.net/cont1/dir/a%20b.txt?comp=metadata&timeout=30"
    headers = {"x-ms-version": "2023-11-03", "x-ms-date": "Sun, 06 Dec 2026 08:00:00 GMT", "Content-Length": "5",
               "Content-Type": "text/plain", "x-ms-meta-Owner": "me", "x-ms-blob-type": "BlockBlob"}
    req = HttpRequest("PUT", url, headers=dict(headers))
    policy = SharedKeyCredentialPolicy(ACCT, KEY)
    captured: dict[str, str] = {}
    policy._add_authorization_header = lambda request, sts: captured.setdefault("sts", sts)  # type: ignore[method-assign]
    policy.on_request(PipelineRequest(req, PipelineContext(None)))
    assert shared_key_string_to_sign("PUT", url, headers, ACCT) == captured["sts"]


@pytest.mark.parametrize("blob", [None, "dir/test.txt"])
def test_service_sas_matches_the_sdk(blob: str | None) -> None:
    require_module("azure.storage.blob")
    from azure.storage.blob._shared.constants import X_MS_VERSION
    from azure.storage.blob._shared_access_signature import BlobSharedAccessSignature

    start, expiry = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    sdk = BlobSharedAccessSignature(ACCT, KEY)  # signs with the SDK's own newest version
    if blob:
        want = sdk.generate_blob("cont1", blob, permission="rcw", expiry=expiry, start=start, protocol="https")
    else:
        want = sdk.generate_container("cont1", permission="rwl", expiry=expiry, start=start, protocol="https")
    got = service_sas(ACCT, KEY, container="cont1", blob=blob, permission="rcw" if blob else "lwr", expiry=expiry,
                      start=start, protocol="https", version=X_MS_VERSION)
    assert parse_qs(got) == parse_qs(want)
    assert SAS_VERSION <= X_MS_VERSION  # the layout the SDK signs is the one azshell's version uses


def test_account_sas_matches_the_sdk() -> None:
    require_module("azure.storage.blob")
    from azure.storage.blob._shared.shared_access_signature import SharedAccessSignature

    expiry = datetime(2026, 1, 2, tzinfo=UTC)
    want = SharedAccessSignature(ACCT, KEY, x_ms_version=SAS_VERSION).generate_account(
        "b", "co", "rl", expiry, protocol="https")
    got = account_sas(ACCT, KEY, services="b", resource_types="co", permission="rl", expiry=expiry, start=None,
                      protocol="https")
    assert parse_qs(got) == parse_qs(want)


def test_sas_permission_letters_are_put_in_azures_order_and_checked() -> None:
    sas = service_sas(ACCT, KEY, container="c", blob=None, permission="wcr", expiry=datetime(2030, 1, 1, tzinfo=UTC),
                      start=None, protocol=None)
    assert parse_qs(sas)["sp"] == ["rcw"]
    with pytest.raises(ValueError, match="Invalid access permission 'z'"):
        service_sas(ACCT, KEY, container="c", blob=None, permission="rz", expiry=datetime(2030, 1, 1, tzinfo=UTC),
                    start=None, protocol=None)


def test_connection_strings() -> None:
    auth = parse_connection_string(f"DefaultEndpointsProtocol=https;AccountName={ACCT};AccountKey={KEY};"
                                   "EndpointSuffix=core.windows.net")
    assert (auth.account, auth.key, auth.blob_endpoint) == (ACCT, KEY, f"https://{ACCT}.blob.core.windows.net/")
    sas = parse_connection_string(f"BlobEndpoint=https://{ACCT}.blob.core.windows.net;SharedAccessSignature=?sv=x")
    assert (sas.account, sas.sas) == (ACCT, "sv=x")
    with pytest.raises(ValueError, match="local storage emulator"):
        parse_connection_string("UseDevelopmentStorage=true")


# ---------------------------------------------------------------------------------------------- cmdlets
def test_shared_key_round_trip_and_views(shell: Shell, tmp_path: Any) -> None:
    src = _file(shell, tmp_path, "up.txt", "hello blob\n")
    blob = shell.ok(f"Set-AzStorageBlobContent -File '{src}' -Container cont1 -Blob dir/one.txt -Context $ctx")[0]
    assert blob.get("Name") == "dir/one.txt" and blob.get("Length") == 11 and blob.get("BlobType") == "BlockBlob"
    assert blob.get("ContentType") == "application/octet-stream"
    dest = tmp_path / "down.txt"
    shell.ok(f"Get-AzStorageBlobContent -Blob dir/one.txt -Container cont1 -Destination '{dest}' -Context $ctx")
    assert dest.read_text(encoding="utf-8") == "hello blob\n"
    table = shell.session.render_text(shell.session.execute("Get-AzStorageBlob -Container cont1 -Context $ctx")
                                      .records[0])
    assert "Container Uri: https://st1acct.blob.core.windows.net/cont1" in table
    assert "dir/one.txt" in table and "BlockBlob" in table
    names = shell.ok("(Get-AzStorageBlob -Container cont1 -Prefix dir/ -Context $ctx).Name")
    assert names == ["dir/one.txt"]
    assert shell.ok("(Get-AzStorageContainer -Context $ctx).Name") == ["cont1"]
    shell.ok("Remove-AzStorageBlob -Blob dir/one.txt -Container cont1 -Context $ctx")
    assert shell.ok("Get-AzStorageBlob -Container cont1 -Context $ctx") == []


def test_legacy_names_print_the_2017_blob_object(shell: Shell, tmp_path: Any) -> None:
    src = _file(shell, tmp_path, "test.txt", "This is a test text file.\n")
    outs = shell.ok(f"$c = New-AzureStorageContext -StorageAccountName {ACCT} -StorageAccountKey $key\n"
                    f"Set-AzureStorageBlobContent -File '{src}' -Container cont1 -Blob testblob -Context $c")
    blob = outs[0]
    assert [n for n in blob.property_names()] == ["ICloudBlob", "BlobType", "Length", "ContentType", "LastModified",
                                                 "SnapshotTime", "ContinuationToken", "Context", "Name"]
    text = shell.session.render_text(shell.session.execute(
        f"Get-AzureStorageBlobContent -Blob testblob -Container cont1 -Destination '{tmp_path / 't2.txt'}' "
        "-Context $c").records[0])
    assert "ICloudBlob        : Microsoft.WindowsAzure.Storage.Blob.CloudBlockBlob" in text
    assert "Context           : Microsoft.WindowsAzure.Commands.Storage.AzureStorageContext" in text
    assert "Length            : 26" in text and "Name              : testblob" in text


def test_sas_tokens_are_enforced_by_the_plane(shell: Shell, tmp_path: Any) -> None:
    src = _file(shell, tmp_path, "x.txt", "x")
    sas = shell.text("New-AzStorageContainerSASToken -Name cont1 -Permission rl -Context $ctx")
    assert not sas.startswith("?") and "sr=c" in sas and "sp=rl" in sas
    err = shell.error_text(f"$r = New-AzStorageContext -StorageAccountName {ACCT} -SasToken '{sas}'\n"
                           f"Set-AzStorageBlobContent -File '{src}' -Container cont1 -Blob x -Context $r")
    assert "ErrorCode: AuthorizationPermissionMismatch" in err and "Status: 403" in err
    rw = shell.text("New-AzStorageContainerSASToken -Name cont1 -Permission rcw -Context $ctx")
    shell.ok(f"$w = New-AzStorageContext -StorageAccountName {ACCT} -SasToken '{rw}'\n"
             f"Set-AzStorageBlobContent -File '{src}' -Container cont1 -Blob x -Context $w | Out-Null")
    url = shell.text("New-AzStorageBlobSASToken -Container cont1 -Blob x -Permission r -Context $ctx -FullUri")
    assert url.startswith(f"https://{ACCT}.blob.core.windows.net/cont1/x?sv=")
    assert shell.text(f"(Invoke-WebRequest -Uri '{url}').Content") == "x"
    acct = shell.text("New-AzStorageAccountSASToken -Service Blob -ResourceType Container,Object -Permission rl "
                      "-Context $ctx")
    assert "ss=b" in acct and "srt=co" in acct
    assert shell.ok(f"$a = New-AzStorageContext -StorageAccountName {ACCT} -SasToken '{acct}'\n"
                    "(Get-AzStorageBlob -Container cont1 -Context $a).Name") == ["x"]


def test_a_tampered_sas_and_a_wrong_key_are_refused(shell: Shell) -> None:
    sas = shell.text("New-AzStorageContainerSASToken -Name cont1 -Permission rl -Context $ctx")
    tampered = sas.replace("sp=rl", "sp=rwl")
    err = shell.error_text(f"$t = New-AzStorageContext -StorageAccountName {ACCT} -SasToken '{tampered}'\n"
                           "Get-AzStorageBlob -Container cont1 -Context $t")
    assert "ErrorCode: AuthenticationFailed" in err
    err = shell.error_text(f"$bad = New-AzStorageContext -StorageAccountName {ACCT} -StorageAccountKey '{KEY}'\n"
                           "Get-AzStorageContainer -Context $bad")
    assert "ErrorCode: AuthenticationFailed" in err and "AuthenticationErrorDetail:" in err


def test_sas_needs_the_key(shell: Shell) -> None:
    err = shell.error_text(f"$o = New-AzStorageContext -StorageAccountName {ACCT} -UseConnectedAccount\n"
                           "New-AzStorageContainerSASToken -Name cont1 -Permission r -Context $o")
    assert "account key" in err


def test_oauth_needs_a_data_role(shell: Shell) -> None:
    err = shell.error_text(f"$o = New-AzStorageContext -StorageAccountName {ACCT} -UseConnectedAccount\n"
                           "Get-AzStorageBlob -Container cont1 -Context $o")
    assert "ErrorCode: AuthorizationPermissionMismatch" in err
    assert "To see why: Test-AzAccess" in err
    shell.ok("New-AzRoleAssignment -SignInName (Get-AzContext).Account.Id -RoleDefinitionName "
             f"'Storage Blob Data Contributor' -Scope /subscriptions/{shell.sub}/resourceGroups/{RG} | Out-Null")
    assert shell.ok("Get-AzStorageBlob -Container cont1 -Context $o") == []


def test_account_context_lists_the_key_and_pipes(shell: Shell) -> None:
    names = shell.ok(f"(Get-AzStorageAccount -ResourceGroupName {RG} -Name {ACCT}).Context | "
                     "Get-AzStorageContainer | ForEach-Object Name")
    assert names == ["cont1"]
    keys = shell.ok(f"Get-AzStorageAccountKey -ResourceGroupName {RG} -Name {ACCT}")
    assert [k.get("KeyName") for k in keys] == ["key1", "key2"] and keys[0].get("Permissions") == "Full"
    new = shell.ok(f"New-AzStorageAccountKey -ResourceGroupName {RG} -Name {ACCT} -KeyName key1")[0]
    assert new.get("Keys")[0].get("Value") != keys[0].get("Value")
    err = shell.error_text("Get-AzStorageContainer -Context $ctx")  # made with the old key1
    assert "AuthenticationFailed" in err


def test_errors_are_azures_and_never_tracebacks(shell: Shell, tmp_path: Any) -> None:
    err = shell.error_text("Get-AzStorageBlobContent -Blob nope -Container cont1 -Destination x.txt -Context $ctx")
    assert "ErrorCode: BlobNotFound" in err
    assert "ContainerNotFound" in shell.error_text("Get-AzStorageBlob -Container nocontainer -Context $ctx")
    assert "Can not find the container 'nocontainer'" in shell.error_text(
        "Get-AzStorageContainer -Name nocontainer -Context $ctx")
    assert "ContainerAlreadyExists" in shell.error_text("New-AzStorageContainer -Name cont1 -Context $ctx")
    assert "-Context" in shell.error_text("Get-AzStorageBlob -Container cont1")
    assert "Can not find the file" in shell.error_text(
        f"Set-AzStorageBlobContent -File '{tmp_path / 'missing.txt'}' -Container cont1 -Context $ctx")
    assert "Base-64" in shell.error_text(f"New-AzStorageContext -StorageAccountName {ACCT} -StorageAccountKey 'no!'")
    assert "Invalid connection string" in shell.error_text("New-AzStorageContext -ConnectionString 'nonsense'")


def test_completion_of_containers_and_blobs(shell: Shell, tmp_path: Any) -> None:
    src = _file(shell, tmp_path, "c.txt", "c")
    shell.ok(f"Set-AzStorageBlobContent -File '{src}' -Container cont1 -Blob report.csv -Context $ctx | Out-Null")
    services = shell.session.services
    assert "cont1" in services.complete_value("storage_container", "co")
    assert "report.csv" in services.complete_value("storage_blob", "rep")


# --------------------------------------------------------------------------------------------------- az
def test_az_storage_with_key_sas_connection_string_and_login(shell: Shell, tmp_path: Any) -> None:
    key = shell.text("$key")
    keys = json.loads(shell.text(f"az storage account keys list -g {RG} -n {ACCT}"))
    assert [k["keyName"] for k in keys] == ["key1", "key2"] and keys[0]["permissions"] == "FULL"
    src = _file(shell, tmp_path, "a.txt", "This is a test file.\n")
    outs, host = shell.ok_host(f"az storage blob upload -c cont1 -n test.txt -f '{src}' --account-name {ACCT} "
                               f"--account-key {key}")
    assert set(json.loads("\n".join(str(o) for o in outs))) == {"etag", "lastModified"}
    dest = tmp_path / "b.txt"
    down = json.loads(shell.text(f"az storage blob download -c cont1 -n test.txt -f '{dest}' --account-name {ACCT} "
                                 f"--account-key {key}"))
    assert dest.read_text(encoding="utf-8") == "This is a test file.\n"
    assert down["properties"]["contentLength"] == 21 and down["properties"]["contentRange"] == "bytes 0-20/21"
    assert down["properties"]["contentSettings"]["contentType"] == "text/plain"
    assert down["properties"]["contentSettings"]["contentMd5"] == "LSghAvpnElYyfUdn7CO8aw=="  # the doc's value
    sas = shell.text("New-AzStorageContainerSASToken -Name cont1 -Permission rl -Context $ctx")
    listed = json.loads(shell.text(f"az storage blob list -c cont1 --account-name {ACCT} --sas-token '{sas}'"))
    assert [b["name"] for b in listed] == ["test.txt"]
    conn = (f"DefaultEndpointsProtocol=https;AccountName={ACCT};AccountKey={key};EndpointSuffix=core.windows.net")
    shown = json.loads(shell.text(f"az storage blob show -c cont1 -n test.txt --connection-string '{conn}'"))
    assert shown["properties"]["contentLength"] == 21
    shell.run(f"az storage blob list -c cont1 --account-name {ACCT} --auth-mode login")
    assert shell.exit_code() == 1
    created = json.loads(shell.text(f"az storage container create -n cont2 --account-name {ACCT} "
                                    f"--account-key {key}"))
    assert created == {"created": True}
    names = json.loads(shell.text(f"az storage container list --account-name {ACCT} --account-key {key}"))
    assert [c["name"] for c in names] == ["cont1", "cont2"]


def test_az_storage_errors(shell: Shell) -> None:
    shell.run("az storage blob upload --container-name")
    assert shell.exit_code() == 2
    shell.run(f"az storage blob list -c cont1 --account-name {ACCT} --account-key {KEY}")
    assert shell.exit_code() == 1


def test_az_storage_account_commands(shell: Shell) -> None:
    created = json.loads(shell.text(f"az storage account create -n st2acct -g {RG} --sku Standard_LRS"))
    assert created["name"] == "st2acct" and created["primaryEndpoints"]["blob"] == \
        "https://st2acct.blob.core.windows.net/"
    assert json.loads(shell.text("az storage account show -n st2acct"))["resourceGroup"] == RG
    names = json.loads(shell.text(f"az storage account list -g {RG} --query [].name"))
    assert sorted(names) == [ACCT, "st2acct"]
    old = json.loads(shell.text("az storage account keys list -n st2acct"))
    new = json.loads(shell.text("az storage account keys renew -n st2acct --key key2"))
    assert old[0]["value"] == new[0]["value"] and old[1]["value"] != new[1]["value"]
    shell.run("az storage account show -n nosuchacct")
    assert shell.exit_code() == 3


def test_az_without_credentials_queries_the_key(shell: Shell) -> None:
    outs, host = shell.ok_host(f"az storage container list --account-name {ACCT} --query [].name")
    assert json.loads("\n".join(map(str, outs))) == ["cont1"]
    assert any("There are no credentials provided in your command" in h for h in host)


def test_curl_with_a_sas_url(shell: Shell) -> None:
    url = shell.text("New-AzStorageContainerSASToken -Name cont1 -Permission rl -Context $ctx -FullUri")
    listing = shell.text(f"curl '{url}&restype=container&comp=list'")
    assert listing.startswith("<?xml") and "<EnumerationResults" in listing


def test_properties_and_metadata(shell: Shell, tmp_path: Any) -> None:
    src = _file(shell, tmp_path, "m.txt", "m")
    shell.ok(f"Set-AzStorageBlobContent -File '{src}' -Container cont1 -Blob m -Properties @{{ContentType="
             "'text/plain'; CacheControl='no-cache'} -Metadata @{owner='me'} -Context $ctx | Out-Null")
    got = shell.ok("$b = Get-AzStorageBlob -Container cont1 -Blob m -Context $ctx\n"
                   "$b.ContentType; $b.BlobProperties.CacheControl; $b.BlobProperties.Metadata.owner")
    assert got == ["text/plain", "no-cache", "me"]
    assert "InvalidBlobProperties" in shell.error_text(
        f"Set-AzStorageBlobContent -File '{src}' -Container cont1 -Blob m -Properties @{{Colour='red'}} -Context $ctx")
