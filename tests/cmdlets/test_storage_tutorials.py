"""The Storage tutorials of both eras, their command lines as printed (placeholders filled), through the whole shell.

Sources: ``shared/reference/tutorials/*storage*`` (index: ``tutorials-storage-templates-signin.md``). Portal steps
are done with cmdlets; bash's ``x=$(curl ...)`` becomes ``$x = curl ...``. The 2017 SAS tutorials ask for a SAS that
expires on 2017-09-23, so those run with the tenant's clock on the doc's day (2017-09-22) — and, on today's clock,
are refused as Azure refuses an expired SAS.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from azshell.clock import FixedClock
from azshell.lang.conversions import to_string
from azshell.world import World
from tests.cmdlets._shell import Shell

RG = "myResourceGroup"
VM = "myVM"
ACCT = "mystorageacct"
CONT = "mycontainer"
DOC_DAY = datetime(2017, 9, 22, 12, 0, tzinfo=UTC).timestamp()
LEGACY_BLOB_PROPS = ["ICloudBlob", "BlobType", "Length", "ContentType", "LastModified", "SnapshotTime",
                     "ContinuationToken", "Context", "Name"]
#: the keys of the 2017 `az storage blob download` JSON the Linux tutorials print
DOC_DOWNLOAD = json.loads("""{"content": null, "metadata": {}, "name": "test.txt", "properties": {
 "appendBlobCommittedBlockCount": null, "blobType": "BlockBlob", "contentLength": 21, "contentRange": "bytes 0-20/21",
 "contentSettings": {"cacheControl": null, "contentDisposition": null, "contentEncoding": null,
  "contentLanguage": null, "contentMd5": "LSghAvpnElYyfUdn7CO8aw==", "contentType": "text/plain"},
 "copy": {"completionTime": null, "id": null, "progress": null, "source": null, "status": null,
  "statusDescription": null},
 "etag": "\\"0x8D5067F30D0C283\\"", "lastModified": "2017-09-28T14:42:49+00:00",
 "lease": {"duration": null, "state": "available", "status": "unlocked"}, "pageBlobSequenceNumber": null,
 "serverEncrypted": false}, "snapshot": null}""")


@pytest.fixture
def shell(world: World) -> Shell:
    return Shell(world)


def _keys(d: Any) -> Any:
    if isinstance(d, dict):
        return {k: _keys(v) for k, v in d.items()}
    return None


def portal(shell: Shell, *, msi_2017: bool, linux: bool, role: str, scope: str = "account") -> None:
    """The portal steps: group, VM with its identity, storage account, container, the role for the VM."""
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus | Out-Null")
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus"
             + (" -Image UbuntuLTS" if linux else "") + " | Out-Null")
    if msi_2017:
        shell.ok(f"Enable-Msi -ResourceGroupName {RG} -Name {VM} | Out-Null")
    else:
        shell.ok(f"Update-AzVM -ResourceGroupName {RG} -Name {VM} -IdentityType SystemAssigned | Out-Null")
    shell.ok(f"New-AzStorageAccount -ResourceGroupName {RG} -Name {ACCT} -Location westus -SkuName Standard_LRS "
             "-Kind Storage | Out-Null")
    shell.ok(f"New-AzStorageContainer -Name {CONT} -Context (Get-AzStorageAccount -ResourceGroupName {RG} "
             f"-Name {ACCT}).Context | Out-Null")
    target = f"/subscriptions/{shell.sub}/resourceGroups/{RG}"
    if scope == "account":
        target += f"/providers/Microsoft.Storage/storageAccounts/{ACCT}"
    shell.ok(f"$spID = (Get-AzVM -ResourceGroupName {RG} -Name {VM}).Identity.PrincipalId\n"
             f"New-AzRoleAssignment -ObjectId $spID -RoleDefinitionName '{role}' -Scope {target} | Out-Null")
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")


def arm_account(shell: Shell) -> str:
    return (f"https://management.azure.com/subscriptions/{shell.sub}/resourceGroups/{RG}/providers/"
            f"Microsoft.Storage/storageAccounts/{ACCT}")


TOKEN_2017 = ('$response = Invoke-WebRequest -Uri http://localhost:50342/oauth2/token -Method GET '
              '-Body @{resource="https://management.azure.com/"} -Headers @{Metadata="true"}\n'
              "$content = $response.Content | ConvertFrom-Json\n$ArmToken = $content.access_token")
TOKEN_IMDS = ("$response = Invoke-WebRequest -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?"
              "api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F' -Method GET "
              '-Headers @{Metadata="true"}\n'
              "$content = $response.Content | ConvertFrom-Json\n$ArmToken = $content.access_token")


def windows_key_flow(shell: Shell, token_lines: str, *, legacy: bool) -> list[Any]:
    az = "Azure" if legacy else "Az"
    shell.ok(token_lines)
    shell.ok(f"$keysResponse = Invoke-WebRequest -Uri {arm_account(shell)}/listKeys/?api-version=2016-12-01 "
             '-Method POST -Headers @{Authorization="Bearer $ARMToken"}\n'
             "$keysContent = $keysResponse.Content | ConvertFrom-Json\n$key = $keysContent.keys[0].value")
    shell.ok('echo "This is a test text file." > test.txt')
    up = shell.ok(f"$ctx = New-{az}StorageContext -StorageAccountName {ACCT} -StorageAccountKey $key\n"
                  f"Set-{az}StorageBlobContent -File test.txt -Container {CONT} -Blob testblob -Context $ctx")
    down = shell.ok(f"Get-{az}StorageBlobContent -Blob testblob -Container {CONT} -Destination test2.txt "
                    "-Context $ctx")
    return [up[0], down[0]]


def check_blob_objects(shell: Shell, objs: list[Any], *, legacy: bool) -> None:
    size = shell.ok("(Get-Item test.txt).Length")[0]
    for blob in objs:
        if legacy:
            assert blob.property_names() == LEGACY_BLOB_PROPS
        assert blob.get("BlobType") == "BlockBlob" and blob.get("Name") == "testblob"
        assert blob.get("ContentType") == "application/octet-stream"
        assert to_string(blob.get("ICloudBlob")) == "Microsoft.WindowsAzure.Storage.Blob.CloudBlockBlob"
        assert blob.get("Length") == size
    assert shell.text("Get-Content test2.txt") == "This is a test text file."


def test_2017_windows_access_key(shell: Shell) -> None:
    portal(shell, msi_2017=True, linux=False, role="Storage Account Key Operator Service Role")
    objs = windows_key_flow(shell, TOKEN_2017, legacy=True)
    check_blob_objects(shell, objs, legacy=True)
    text = shell.session.render_text(shell.session.execute(
        f"Set-AzureStorageBlobContent -File test.txt -Container {CONT} -Blob testblob -Context $ctx").records[0])
    assert "ICloudBlob        : Microsoft.WindowsAzure.Storage.Blob.CloudBlockBlob" in text
    assert "Context           : Microsoft.WindowsAzure.Commands.Storage.AzureStorageContext" in text


def test_2017_windows_access_key_september_defects(shell: Shell) -> None:
    portal(shell, msi_2017=True, linux=False, role="Storage Account Key Operator Service Role")
    err = shell.error_text('$response = Invoke-WebRequest -Uri http://localhost/50342/oauth2/token -Method GET '
                           '-Body @{resource="https://management.azure.com/"} -Headers @{Metadata="true"}')
    assert "localhost:50342" in err
    shell.ok(TOKEN_2017)
    result = shell.session.execute(
        f"$keysResponse = Invoke-WebRequest -Uri {arm_account(shell)}/listKeys/?api-version=2016-12-01 "
        '-Method POST$ -Headers @{Authorization="Bearer $ARMToken"}')
    text = "\n".join(shell.session.render_text(r) for r in result.records)
    assert "POST$" in text and "Type -Method POST" in text


def test_2017_windows_access_key_reader_cannot_list_keys(shell: Shell) -> None:
    portal(shell, msi_2017=True, linux=False, role="Reader")
    shell.ok(TOKEN_2017)
    err = shell.error_text(f"$keysResponse = Invoke-WebRequest -Uri {arm_account(shell)}/listKeys/?"
                           'api-version=2016-12-01 -Method POST -Headers @{Authorization="Bearer $ARMToken"}')
    assert "AuthorizationFailed" in err and "listkeys/action" in err.casefold()


def test_current_windows_access_key(shell: Shell) -> None:
    portal(shell, msi_2017=False, linux=False, role="Storage Account Key Operator Service Role")
    objs = windows_key_flow(shell, TOKEN_IMDS, legacy=False)
    check_blob_objects(shell, objs, legacy=False)


def windows_sas_flow(shell: Shell, token_lines: str, *, legacy: bool) -> str:
    az = "Azure" if legacy else "Az"
    shell.ok(token_lines)
    shell.ok(f'$params = @{{canonicalizedResource="/blob/{ACCT}/{CONT}";signedResource="c";signedPermission="rcw";'
             'signedProtocol="https";signedExpiry="2017-09-23T00:00:00Z"}\n'
             "$jsonParams = $params | ConvertTo-Json\n"
             f"$sasResponse = Invoke-WebRequest -Uri {arm_account(shell)}/listServiceSas/?api-version=2017-06-01 "
             '-Method POST -Body $jsonParams -Headers @{Authorization="Bearer $ArmToken"}\n'
             "$sasContent = $sasResponse.Content | ConvertFrom-Json\n$sasCred = $sasContent.serviceSasToken")
    sas = shell.text("$sasCred")
    shell.ok('echo "This is a test text file." > test.txt')
    shell.ok(f"$ctx = New-{az}StorageContext -StorageAccountName {ACCT} -SasToken $sasCred")
    return sas


@pytest.mark.parametrize("legacy", [True, False])
def test_windows_sas_on_the_docs_day(shell: Shell, clock: FixedClock, legacy: bool) -> None:
    clock.set(DOC_DAY)
    az = "Azure" if legacy else "Az"
    portal(shell, msi_2017=legacy, linux=False, role="Storage Account Contributor")
    sas = windows_sas_flow(shell, TOKEN_2017 if legacy else TOKEN_IMDS, legacy=legacy)
    for part in ("sr=c", "sp=rcw", "spr=https", "se=2017-09-23T00%3A00%3A00Z", "sig="):
        assert part in sas
    up = shell.ok(f"Set-{az}StorageBlobContent -File test.txt -Container {CONT} -Blob testblob -Context $ctx")
    down = shell.ok(f"Get-{az}StorageBlobContent -Blob testblob -Container {CONT} -Destination test2.txt "
                    "-Context $ctx")
    check_blob_objects(shell, [up[0], down[0]], legacy=legacy)


def test_windows_sas_as_printed_is_expired_today(shell: Shell) -> None:
    portal(shell, msi_2017=True, linux=False, role="Storage Account Contributor")
    windows_sas_flow(shell, TOKEN_2017, legacy=True)
    err = shell.error_text(f"Set-AzureStorageBlobContent -File test.txt -Container {CONT} -Blob testblob "
                           "-Context $ctx")
    assert "AuthenticationFailed" in err and "(403) Forbidden" in err


def linux_token(shell: Shell, *, msi_2017: bool, resource: str = "https%3A%2F%2Fmanagement.azure.com%2F") -> None:
    if msi_2017:
        text = shell.text('curl http://localhost:50342/oauth2/token --data "resource=https://management.azure.com/"'
                          " -H Metadata:true")
    else:
        text = shell.text("curl 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
                          f"&resource={resource}' -H Metadata:true")
    token = json.loads(text)
    assert set(token) >= {"access_token", "expires_in", "expires_on", "not_before", "resource", "token_type"}
    shell.ok(f"$ACCESS_TOKEN = '{token['access_token']}'")


def az_upload_download(shell: Shell, cred: str) -> None:
    shell.ok('echo "This is a test file." > test.txt')
    outs, host = shell.ok_host(f"az storage blob upload -c {CONT} -n test.txt -f test.txt --account-name {ACCT} "
                               f"{cred}")
    assert any("Finished[#" in h and "100.0000%" in h for h in host)
    assert set(json.loads("\n".join(map(str, outs)))) == {"etag", "lastModified"}
    down = json.loads(shell.text(f"az storage blob download -c {CONT} -n test.txt -f test-download.txt "
                                 f"--account-name {ACCT} {cred}"))
    assert _keys(down) == _keys(DOC_DOWNLOAD)
    assert down["properties"]["contentLength"] == 21
    assert down["properties"]["contentSettings"]["contentMd5"] == DOC_DOWNLOAD["properties"]["contentSettings"][
        "contentMd5"]
    assert shell.text("Get-Content test-download.txt") == "This is a test file."


def test_2017_linux_access_key_with_the_en_dash(shell: Shell) -> None:
    portal(shell, msi_2017=True, linux=True, role="Storage Account Key Operator Service Role")
    linux_token(shell, msi_2017=True)
    result = shell.session.execute(
        f"curl {arm_account(shell)}/listKeys?api-version=2016-12-01 \u2013-request POST -d \"\" "
        "-H \"Authorization: Bearer $ACCESS_TOKEN\"")
    outs = [str(r.value) for r in result.records if r.stream == "output"]
    said = "\n".join(str(r.value) for r in result.records if r.stream != "output")
    keys = json.loads("".join(outs))["keys"]
    assert [k["keyName"] for k in keys] == ["key1", "key2"] and keys[0]["permissions"] == "Full"
    assert "Could not resolve host: \u2013-request" in said
    assert shell.exit_code() == 6
    shell.ok(f"$KEY = '{keys[0]['value']}'")
    az_upload_download(shell, "--account-key $KEY")


def test_2017_linux_access_key_earlier_revision_port(shell: Shell) -> None:
    portal(shell, msi_2017=True, linux=True, role="Storage Account Key Operator Service Role")
    shell.run('curl --data "authority= https://login.microsoftonline.com/x&&resource=https://management.azure.com/"'
              "  -H Metadata:true http://localhost:50432/oauth2/token")
    assert shell.exit_code() == 7


def test_current_linux_access_key(shell: Shell) -> None:
    portal(shell, msi_2017=False, linux=True, role="Storage Account Contributor", scope="group")
    linux_token(shell, msi_2017=False)
    keys = json.loads(shell.text(f"curl {arm_account(shell)}/listKeys?api-version=2016-12-01 --request POST "
                                 "-d \"\" -H \"Authorization: Bearer $ACCESS_TOKEN\""))
    shell.ok(f"$KEY = '{keys['keys'][0]['value']}'")
    az_upload_download(shell, "--account-key $KEY")


def linux_sas(shell: Shell, expiry: str) -> str:
    body = (f'{{"canonicalizedResource":"/blob/{ACCT}/{CONT}","signedResource":"c","signedPermission":"rcw",'
            f'"signedProtocol":"https","signedExpiry":"{expiry}"}}')
    got = json.loads(shell.text(f"curl {arm_account(shell)}/listServiceSas/?api-version=2017-06-01 -X POST "
                                f"-d '{body}' -H \"Authorization: Bearer $ACCESS_TOKEN\""))
    assert set(got) == {"serviceSasToken"}
    return str(got["serviceSasToken"])


@pytest.mark.parametrize("msi_2017", [True, False])
def test_linux_sas_on_the_docs_day(shell: Shell, clock: FixedClock, msi_2017: bool) -> None:
    clock.set(DOC_DAY)
    portal(shell, msi_2017=msi_2017, linux=True, role="Storage Account Contributor",
           scope="account" if msi_2017 else "group")
    linux_token(shell, msi_2017=msi_2017)
    sas = linux_sas(shell, "2017-09-23T00:00:00Z")
    assert "sr=c" in sas and "sp=rcw" in sas
    az_upload_download(shell, f"--sas-token '{sas}'")


def test_linux_sas_skeleton_lines_fail_as_az_does(shell: Shell) -> None:
    portal(shell, msi_2017=True, linux=True, role="Storage Account Contributor")
    result = shell.session.execute("az storage blob upload --container-name")
    said = "\n".join(str(r.value) for r in result.records)
    assert "argument --container-name/-c: expected one argument" in said
    assert shell.exit_code() == 2


def test_current_linux_oauth(shell: Shell) -> None:
    portal(shell, msi_2017=False, linux=True, role="Storage Blob Data Reader", scope="group")
    shell.ok("exit")
    shell.ok(f"$u = New-AzStorageBlobSASToken -Container {CONT} -Blob hello_world.txt -Permission cw "
             f"-Context (Get-AzStorageAccount -ResourceGroupName {RG} -Name {ACCT}).Context -FullUri\n"
             'Invoke-RestMethod -Method Put -Uri $u -Headers @{"x-ms-blob-type"="BlockBlob"} -Body "Hello world! :)"')
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    linux_token(shell, msi_2017=False, resource="https%3A%2F%2Fstorage.azure.com%2F")
    url = f"https://{ACCT}.blob.core.windows.net/{CONT}/hello_world.txt"
    assert shell.text(f'curl {url} -H "x-ms-version: 2017-11-09" -H "Authorization: Bearer $ACCESS_TOKEN"') \
        == "Hello world! :)"
    # the second form: the token kept in a variable (jq becomes ConvertFrom-Json here)
    shell.ok("$access_token = (curl 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
             "&resource=https%3A%2F%2Fstorage.azure.com%2F' -H Metadata:true -s | ConvertFrom-Json).access_token")
    assert shell.text(f'curl "{url}" -H "x-ms-version: 2017-11-09" -H "Authorization: Bearer $access_token"') \
        == "Hello world! :)"
    # Azure's refusals: no x-ms-version with a bearer token; a token for Resource Manager
    said = "\n".join(map(str, shell.ok(f'curl {url} -H "Authorization: Bearer $ACCESS_TOKEN"')))
    assert "Bearer is not supported in this version" in said
    linux_token(shell, msi_2017=False)
    said = "\n".join(map(str, shell.ok(f'curl {url} -H "x-ms-version: 2017-11-09" '
                                       '-H "Authorization: Bearer $ACCESS_TOKEN"')))
    assert "InvalidAuthenticationInfo" in said or "Audience" in said


def test_current_windows_azure_ad_with_cmdlets(shell: Shell) -> None:
    portal(shell, msi_2017=False, linux=False, role="Storage Blob Data Reader")
    shell.ok("exit")
    shell.ok(f"$u = New-AzStorageBlobSASToken -Container {CONT} -Blob hello_world.txt -Permission cw "
             f"-Context (Get-AzStorageAccount -ResourceGroupName {RG} -Name {ACCT}).Context -FullUri\n"
             'Invoke-RestMethod -Method Put -Uri $u -Headers @{"x-ms-blob-type"="BlockBlob"} -Body "Hello world! :)"')
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    shell.ok("Connect-AzAccount -Identity | Out-Null")
    shell.ok(f"$ctx = New-AzStorageContext -StorageAccountName {ACCT} -UseConnectedAccount\n"
             f"Get-AzStorageBlobContent -Blob hello_world.txt -Container {CONT} -Destination hello_world.txt "
             "-Context $ctx | Out-Null")
    assert shell.text("Get-Content hello_world.txt") == "Hello world! :)"
