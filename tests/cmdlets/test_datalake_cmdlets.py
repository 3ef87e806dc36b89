"""Data Lake Store cmdlets and the Data Lake tutorials, verbatim, through the whole shell.

Sources: ``shared/reference/tutorials/current-windows-vm-access-datalake.ps1.txt`` and
``2017-windows-vm-access-datalake.ps1.txt`` (placeholders filled). The portal steps (Data Explorer → Access →
Add the VM with Read+Execute on the root, New Folder TestFolder, Read+Write+Execute with a default entry on it)
are done with the Data Lake cmdlets. On the VM, ``echo ... > Test1.txt`` and ``-InFile`` use the VM's own disk
(kept in the state); each test still runs in ``tmp_path`` to show nothing lands in the real folder.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from azshell.cmdlets import register_all
from azshell.lang.cmdlet import CommandRegistry
from azshell.services.datalake.cmdlets import COMMANDS, COMPLETERS
from azshell.services.registry import default_registry
from azshell.world import World
from tests.cmdlets._shell import Shell

RG = "myResourceGroup"
VM = "myVM"
ADLS = "mytestadls"
DENIED_TEXT = ("failed with error 0x83090aa2 (Forbidden. ACL verification failed. Either the resource does not "
               "exist or the user is not authorized to perform the requested operation.).")

CURRENT_TUTORIAL = f"""\
$response = Invoke-WebRequest -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fdatalake.azure.net%2F' -Method GET -Headers @{{Metadata="true"}}
$content = $response.Content | ConvertFrom-Json
$AccessToken = $content.access_token
Invoke-WebRequest -Uri https://{ADLS}.azuredatalakestore.net/webhdfs/v1/?op=LISTSTATUS -Headers @{{Authorization="Bearer $AccessToken"}}
echo "Test file." > Test1.txt
$HdfsRedirectResponse = Invoke-WebRequest -Uri https://{ADLS}.azuredatalakestore.net/webhdfs/v1/TestFolder/Test1.txt?op=CREATE -Method PUT -Headers @{{Authorization="Bearer $AccessToken"}} -Infile Test1.txt -MaximumRedirection 0
$HdfsRedirectResponse
Invoke-WebRequest -Uri $HdfsRedirectResponse.Headers.Location -Method PUT -Headers @{{Authorization="Bearer $AccessToken"}} -Infile Test1.txt -MaximumRedirection 0
"""  # noqa: E501

TUTORIAL_2017 = f"""\
$response = Invoke-WebRequest -Uri http://localhost:50342/oauth2/token -Method GET -Body @{{resource="https://datalake.azure.net/"}} -Headers @{{Metadata="true"}}
$content = $response.Content | ConvertFrom-Json
$AccessToken = $content.access_token
Invoke-WebRequest -Uri https://{ADLS}.azuredatalakestore.net/webhdfs/v1/?op=LISTSTATUS -Headers @{{Authorization="Bearer $AccessToken"}}
echo "Test file." > Test1.txt
$HdfsRedirectResponse = Invoke-WebRequest -Uri https://{ADLS}.azuredatalakestore.net/webhdfs/v1/TestFolder/Test1.txt?op=CREATE -Method PUT -Headers @{{Authorization="Bearer $AccessToken"}} -Infile Test1.txt -MaximumRedirection 0
$HdfsRedirectResponse
Invoke-WebRequest -Uri $HdfsRedirectResponse.Headers.Location -Method PUT -Headers @{{Authorization="Bearer $AccessToken"}} -Infile Test1.txt -MaximumRedirection 0
"""  # noqa: E501


@pytest.fixture
def shell(world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Shell:
    monkeypatch.chdir(tmp_path)
    return Shell(world)


def portal_steps(shell: Shell, *, root: bool = True, folder: bool = True, msi_2017: bool = False) -> str:
    """Create the VM (with its identity), the store, TestFolder, and the Data Explorer → Access grants."""
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    if msi_2017:
        shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus")
        shell.ok(f"Enable-Msi -ResourceGroupName {RG} -Name {VM}")
    else:
        shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus -IdentityType SystemAssigned")
    shell.ok(f"New-AzDataLakeStoreAccount -ResourceGroupName {RG} -Name {ADLS} -Location eastus2")
    shell.ok(f"$spID = (Get-AzVM -ResourceGroupName {RG} -Name {VM}).Identity.PrincipalId")
    if root:
        shell.ok(f"Set-AzDataLakeStoreItemAclEntry -Account {ADLS} -Path / -AceType User -Id $spID "
                 "-Permissions ReadExecute")
    shell.ok(f"New-AzDataLakeStoreItem -Account {ADLS} -Path /TestFolder -Folder")
    if folder:
        shell.ok(f"Set-AzDataLakeStoreItemAclEntry -Account {ADLS} -Path /TestFolder -AceType User -Id $spID "
                 "-Permissions All")
        shell.ok(f"Set-AzDataLakeStoreItemAclEntry -Account {ADLS} -Path /TestFolder -AceType User -Id $spID "
                 "-Permissions All -Default")
    sp_id = shell.ok("$spID")[0]
    assert isinstance(sp_id, str)
    return sp_id


def assert_tutorial_output(shell: Shell, outs: list[Any]) -> None:
    admin = shell.world.admin_user.object_id
    listing, redirect, created = outs
    assert listing.get("StatusCode") == 200 and listing.get("StatusDescription") == "OK"
    content = json.loads(listing.get("Content"))
    entry = content["FileStatuses"]["FileStatus"][0]
    assert {k: entry[k] for k in ("length", "pathSuffix", "type", "blockSize", "replication", "permission",
                                  "owner", "group")} == {
        "length": 0, "pathSuffix": "TestFolder", "type": "DIRECTORY", "blockSize": 0, "replication": 0,
        "permission": "770", "owner": admin, "group": admin}
    assert listing.get("Content").startswith('{"FileStatuses":{"FileStatus":[{"length":0,"pathSuffix":"TestFolder"')
    headers = listing.get("Headers")
    assert headers["x-ms-webhdfs-version"] == "17.04.22.00" and headers["Status"] == "0x0"
    assert listing.get("RawContent").startswith("HTTP/1.1 200 OK\r\nPragma: no-cache\r\nx-ms-request-id: ")

    assert redirect.get("StatusCode") == 307 and redirect.get("StatusDescription") == "Temporary Redirect"
    assert redirect.get("Content") == [] and redirect.get("RawContentLength") == 0
    assert redirect.get("Headers")["Location"] == (
        f"https://{ADLS}.azuredatalakestore.net/webhdfs/v1/TestFolder/Test1.txt?op=CREATE&write=true")
    assert list(redirect.get("Headers"))[:4] == ["Pragma", "x-ms-request-id", "ContentLength",
                                                 "x-ms-webhdfs-version"]
    assert redirect.get("RawContent").startswith("HTTP/1.1 307 Temporary Redirect\r\nPragma: no-cache\r\n")

    assert created.get("StatusCode") == 201 and created.get("StatusDescription") == "Created"
    assert created.get("Content") == [] and created.get("RawContentLength") == 0
    assert created.get("RawContent").startswith("HTTP/1.1 201 Created\r\nPragma: no-cache\r\n")


def test_current_windows_datalake_tutorial_verbatim(shell: Shell, tmp_path: Path) -> None:
    sp_id = portal_steps(shell)
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    outs = shell.ok(CURRENT_TUTORIAL)
    assert len(outs) == 3
    assert_tutorial_output(shell, outs)
    assert not (tmp_path / "Test1.txt").exists()  # written on the VM's own disk, kept in the state
    shell.ok("exit")
    items = shell.ok(f"Get-AzDataLakeStoreChildItem -Account {ADLS} -Path /TestFolder")
    assert [(i.get("Name"), i.get("Type"), i.get("Owner")) for i in items] == [("Test1.txt", "FILE", sp_id)]
    assert items[0].get("Length") == len("Test file.\n")
    aces = shell.ok(f"Get-AzDataLakeStoreItemAclEntry -Account {ADLS} -Path /TestFolder/Test1.txt")
    assert ("Access", "User", sp_id, "rwx") in [(a.get("Scope"), a.get("Type"), a.get("Id"), a.get("Permission"))
                                                for a in aces]


def test_current_tutorial_without_any_acl_is_denied(shell: Shell) -> None:
    portal_steps(shell, root=False, folder=False)
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    text = shell.error_text(CURRENT_TUTORIAL)
    assert f"LISTSTATUS {DENIED_TEXT}" in text
    assert '{"RemoteException":{"exception":"AccessControlException","message":"LISTSTATUS failed' in text
    assert '"javaClassName":"org.apache.hadoop.security.AccessControlException"}}' in text
    assert "Response status code does not indicate success: 403 (Forbidden)." in text


def test_current_tutorial_without_folder_acl_fails_on_create(shell: Shell) -> None:
    portal_steps(shell, root=True, folder=False)
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    outs, errs = shell.run(CURRENT_TUTORIAL)
    assert outs[0].get("StatusCode") == 200 and outs[1].get("StatusCode") == 307
    text = "\n".join(e.render() for e in errs)
    assert f"CREATE {DENIED_TEXT}" in text


def test_2017_windows_datalake_tutorial_verbatim(shell: Shell) -> None:
    portal_steps(shell, msi_2017=True)
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    outs = shell.ok(TUTORIAL_2017)
    assert len(outs) == 3
    assert_tutorial_output(shell, outs)


# --------------------------------------------------------------------------------------------- cmdlets
def spec(ace: Any) -> str:
    """A DataLakeStoreItemAce back to its WebHDFS spec form."""
    prefix = "default:" if ace.get("Scope") == "Default" else ""
    return f"{prefix}{str(ace.get('Type')).lower()}:{ace.get('Id')}:{ace.get('Permission')}"


def test_account_cmdlets(shell: Shell) -> None:
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    acct = shell.ok(f"New-AzDataLakeStoreAccount -ResourceGroupName {RG} -Name {ADLS} -Location 'East US 2'")[0]
    assert acct.get("Name") == ADLS and acct.get("ResourceGroupName") == RG and acct.get("Location") == "eastus2"
    assert acct.get("Endpoint") == f"{ADLS}.azuredatalakestore.net"
    assert acct.get("ProvisioningState") == "Succeeded" and acct.get("State") == "Active"
    assert acct.get("Id").endswith(f"/providers/Microsoft.DataLakeStore/accounts/{ADLS}")
    assert shell.ok(f"(Get-AzDataLakeStoreAccount -Name {ADLS}).AccountId") == [acct.get("AccountId")]
    assert shell.ok(f"(Get-AzDataLakeStoreAccount -ResourceGroupName {RG} -Name {ADLS}).Name") == [ADLS]
    assert len(shell.ok("Get-AzDataLakeStoreAccount")) == 1
    assert "was not found" in shell.error_text("Get-AzDataLakeStoreAccount -Name nosuch")
    assert shell.ok(f"(Get-AzureRmDataLakeStoreAccount -Name {ADLS}).Name") == [ADLS]
    text = shell.ok(f"Get-AzDataLakeStoreAccount -Name {ADLS} | Out-String")[0]
    assert "Endpoint" in text and f"{ADLS}.azuredatalakestore.net" in text


def test_item_cmdlets_and_acl_entries(shell: Shell) -> None:
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    shell.ok(f"New-AzDataLakeStoreAccount -ResourceGroupName {RG} -Name {ADLS} -Location eastus2")
    assert shell.ok(f"New-AzDataLakeStoreItem -Account {ADLS} -Path /a/b -Folder") == ["/a/b"]
    shell.ok(f"New-AzDataLakeStoreItem -Account {ADLS} -Path /a/b/hello.txt -Value 'Hello'")
    # ADLS's own text for creating a file that exists (issue 14's capture), in Az's error line
    assert "HttpStatus:Forbidden  RemoteException: FileAlreadyExistsException FsOpenStream failed with error " \
           "0x83090180 (). [" in shell.error_text(
        f"New-AzDataLakeStoreItem -Account {ADLS} -Path /a/b/hello.txt -Value 'again'")
    shell.ok(f"New-AzDataLakeStoreItem -Account {ADLS} -Path /a/b/hello.txt -Value 'Hello!' -Force")
    item = shell.ok(f"Get-AzDataLakeStoreItem -Account {ADLS}.azuredatalakestore.net -Path /a/b/hello.txt")[0]
    assert (item.get("Name"), item.get("Type"), item.get("Length")) == ("hello.txt", "FILE", 6)
    oid = shell.world.backend.create_user("bob", "bob@contoso.onmicrosoft.com").object_id
    shell.ok(f"Set-AzDataLakeStoreItemAclEntry -Account {ADLS} -Path /a -AceType User -Id {oid} "
             "-Permissions ReadExecute -Default -Recurse")
    shell.ok(f"Set-AzDataLakeStoreItemAclEntry -Account {ADLS} -Path /a -AceType User -Id {oid} "
             "-Permissions ReadExecute -Recurse")
    for path in ("/a", "/a/b"):
        specs = [spec(a) for a in shell.ok(f"Get-AzDataLakeStoreItemAclEntry -Account {ADLS} -Path {path}")]
        assert f"user:{oid}:r-x" in specs and f"default:user:{oid}:r-x" in specs
    file_specs = [spec(a) for a in shell.ok(f"Get-AzDataLakeStoreItemAclEntry -Account {ADLS} -Path /a/b/hello.txt")]
    assert f"user:{oid}:r-x" in file_specs and not any(s.startswith("default:") for s in file_specs)
    left = shell.ok(f"Remove-AzDataLakeStoreItemAclEntry -Account {ADLS} -Path /a -AceType User -Id {oid} "
                    "-Default -PassThru")
    assert f"default:user:{oid}:r-x" not in [spec(a) for a in left] and f"user:{oid}:r-x" in [spec(a) for a in left]
    shell.ok(f"$acl = Get-AzDataLakeStoreItemAclEntry -Account {ADLS} -Path /a | Where-Object {{ $_.Id -eq '{oid}' }}"
             f"\nRemove-AzDataLakeStoreItemAclEntry -Account {ADLS} -Path /a -Acl $acl")
    assert f"user:{oid}:r-x" not in [spec(a) for a in shell.ok(
        f"Get-AzDataLakeStoreItemAclEntry -Account {ADLS} -Path /a")]
    names = [i.get("Name") for i in shell.ok(f"Get-AzDataLakeStoreChildItem -Account {ADLS} -Path /a/b")]
    assert names == ["hello.txt"]


def test_data_plane_errors_are_powershell_errors(shell: Shell) -> None:
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    shell.ok(f"New-AzDataLakeStoreAccount -ResourceGroupName {RG} -Name {ADLS} -Location eastus2")
    text = shell.error_text(f"Get-AzDataLakeStoreItem -Account {ADLS} -Path /nope")
    assert "Operation: GETFILESTATUS failed with HttpStatus:NotFound  RemoteException: FileNotFoundException " \
           "File/Folder does not exist: /nope [" in text
    assert "ObjectNotFound" in text and "Traceback" not in text
    text = shell.error_text("Get-AzDataLakeStoreChildItem -Account nosuchstore -Path /")
    assert "No such host is known" in text and "New-AzDataLakeStoreAccount" in text
    text = shell.error_text(f"Set-AzDataLakeStoreItemAclEntry -Account {ADLS} -Path / -AceType User "
                            "-Permissions All")
    assert "-Id parameter is required" in text


def test_on_a_vm_the_cmdlets_use_the_vm_identity(shell: Shell) -> None:
    portal_steps(shell, root=False, folder=False)
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    shell.ok("Connect-AzAccount -Identity")
    text = shell.error_text(f"Get-AzDataLakeStoreChildItem -Account {ADLS} -Path /")
    assert f"LISTSTATUS {DENIED_TEXT}" in text and "PermissionDenied" in text


def test_registration_help_and_completion(shell: Shell) -> None:
    registry = CommandRegistry()
    register_all(registry, default_registry())
    for cls in COMMANDS:
        assert registry.resolve(cls.name) is cls
        assert cls.synopsis and cls.description and cls.examples
        rm = cls.name.replace("-Az", "-AzureRm", 1)
        assert registry.resolve(rm) is cls
    assert registry.resolve("New-AdlStore") is not None
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    shell.ok(f"New-AzDataLakeStoreAccount -ResourceGroupName {RG} -Name {ADLS} -Location eastus2")
    assert COMPLETERS["datalake_account"](shell.session.services) == [ADLS]
    assert shell.session.services.complete_value("datalake_account", "myt") == [ADLS]
