"""``curl`` inside the shell: each flag the Linux tutorials use, curl's errors and exit codes, raw arguments."""

from __future__ import annotations

import json
from typing import Any

import pytest

from azshell.lang.binder import ArgItem, Binder
from azshell.lang.cmdlet import Param
from azshell.world import World
from tests.cmdlets._shell import Shell

RG = "myResourceGroup"
VM = "myVM"
IMDS = ("'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
        "&resource=https://management.azure.com/'")


@pytest.fixture
def shell(world: World) -> Shell:
    return Shell(world)


def on_vm(shell: Shell, *, extension: bool = False, grant: bool = True) -> None:
    shell.ok_host(f"New-AzResourceGroup -Name {RG} -Location westus")
    shell.ok_host(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus -Image UbuntuLTS")
    if extension:
        shell.ok_host(f"Enable-Msi -ResourceGroupName {RG} -Name {VM}")
    else:
        shell.ok_host(f"Update-AzVM -ResourceGroupName {RG} -Name {VM} -IdentityType SystemAssigned")
    if grant:
        shell.ok_host(f"New-RoleAssignment -Assignee {VM} -Role Reader -ResourceGroupName {RG}")
    shell.ok_host(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")


# ------------------------------------------------------------------------------------------------ binder
def test_binder_gives_raw_tokens_to_a_remaining_arguments_only_command() -> None:
    binder = Binder("curl", (Param("Arguments", "object[]", value_from_remaining_arguments=True),))
    items = [ArgItem("value", "http://x"), ArgItem("param", None, "H", text="-H"), ArgItem("value", "Metadata:true"),
             ArgItem("value", "--data"), ArgItem("value", "a=b"), ArgItem("param", None, "i", text="-i"),
             ArgItem("param", None, "Verbose", text="-Verbose")]
    bound = binder.bind(items).bound
    assert bound["Arguments"] == ["http://x", "-H", "Metadata:true", "--data", "a=b", "-i", "-Verbose"]


def test_binder_still_rejects_unknown_parameters_of_other_commands() -> None:
    from azshell.lang.binder import BindingError

    binder = Binder("x", (Param("Name", "string"), Param("Rest", "object[]", value_from_remaining_arguments=True)))
    with pytest.raises(BindingError):
        binder.bind([ArgItem("param", None, "H", text="-H")])


# --------------------------------------------------------------------------------------------- requests
def test_imds_token_with_header(shell: Shell) -> None:
    on_vm(shell)
    body = json.loads(shell.text(f"curl {IMDS} -H Metadata:true"))
    assert body["token_type"] == "Bearer" and body["resource"].startswith("https://management.azure.com")
    assert shell.exit_code() == 0


def test_missing_metadata_header_is_a_400_body(shell: Shell) -> None:
    on_vm(shell)
    text = shell.text(f"curl {IMDS}")
    assert "Metadata" in text or "error" in text
    assert shell.exit_code() == 0


def test_fail_flag_exit_22(shell: Shell) -> None:
    on_vm(shell)
    outs, host = shell.ok_host(f"curl {IMDS} --fail")
    assert outs == []
    assert host[0] == "curl: (22) The requested URL returned error: 400"
    assert shell.exit_code() == 22


def test_2017_extension_form_post(shell: Shell) -> None:
    on_vm(shell, extension=True)
    text = shell.text('curl http://localhost:50342/oauth2/token --data "resource=https://management.azure.com/" '
                      "-H Metadata:true")
    assert json.loads(text)["access_token"]


def test_data_urlencode_and_get(shell: Shell) -> None:
    on_vm(shell)
    text = shell.text("curl -G http://169.254.169.254/metadata/identity/oauth2/token --data api-version=2018-02-01 "
                      "--data-urlencode resource=https://management.azure.com/ -H Metadata:true")
    assert json.loads(text)["token_type"] == "Bearer"


def test_data_from_file(shell: Shell, tmp_path: Any) -> None:
    on_vm(shell, extension=True)
    shell.ok_host('echo "resource=https://management.azure.com/" > body.txt')  # on the VM's disk
    text = shell.text("curl http://localhost:50342/oauth2/token -d '@body.txt' -H Metadata:true")
    assert json.loads(text)["access_token"]


def test_include_verbose_silent_and_output(shell: Shell, tmp_path: Any) -> None:
    on_vm(shell)
    outs, host = shell.ok_host(f"curl -i -v {IMDS} -H Metadata:true")
    assert outs[0] == "HTTP/1.1 200 OK"
    assert "" in outs and outs[-1].startswith("{")
    assert any(h.startswith("> GET /metadata/identity/oauth2/token?") for h in host)
    assert "> Metadata: true" in host and any(h.startswith("< HTTP/1.1 200") for h in host)
    outs, host = shell.ok_host(f"curl -s -o token.json {IMDS} -H Metadata:true -k")
    assert outs == [] and host == []
    # -o writes to the VM's own disk, not to the real folder
    assert not (tmp_path / "token.json").exists()
    outs, _ = shell.ok_host("(Get-Content token.json | ConvertFrom-Json).token_type")
    assert outs == ["Bearer"]


def test_arm_with_bearer_header(shell: Shell) -> None:
    on_vm(shell)
    shell.ok_host(f"$token = (curl {IMDS} -H Metadata:true -s | ConvertFrom-Json).access_token")
    text = shell.text(f"curl https://management.azure.com/subscriptions/{shell.sub}/resourceGroups/{RG}"
                      "?api-version=2016-09-01 -H \"Authorization: Bearer $token\"")
    assert json.loads(text)["name"] == RG


def test_request_method_flag(shell: Shell) -> None:
    on_vm(shell)
    text = shell.text(f"curl -X POST {IMDS} -H Metadata:true")
    assert "error" in text  # IMDS takes GET only


# ---------------------------------------------------------------------------------------------- errors
def test_refused_port_50432(shell: Shell) -> None:
    on_vm(shell, extension=True)
    outs, host = shell.ok_host('curl http://localhost:50432/oauth2/token --data "resource=https://vault.azure.net" '
                               "-H Metadata:true")
    assert outs == []
    assert host[0] == "curl: (7) Failed to connect to localhost port 50432 after 0 ms: Connection refused"
    assert any("50342" in h for h in host[1:])
    assert shell.exit_code() == 7


def test_unresolvable_host(shell: Shell) -> None:
    outs, host = shell.ok_host("curl https://nosuchhost.example.org/x")
    assert host == ["curl: (6) Could not resolve host: nosuchhost.example.org"]
    assert shell.exit_code() == 6


def test_off_vm_imds_has_the_hint(shell: Shell) -> None:
    outs, host = shell.ok_host(f"curl {IMDS} -H Metadata:true -s")
    assert outs == []
    assert not any(h.startswith("curl:") for h in host)  # -s hides curl's message, not azshell's hint
    assert any("Enter-AzVM" in h for h in host)
    assert shell.exit_code() == 28
    _, host = shell.ok_host(f"curl {IMDS} -H Metadata:true")
    assert host[0].startswith("curl: (28) Failed to connect to 169.254.169.254 port 80")


def test_usage_errors(shell: Shell) -> None:
    _, host = shell.ok_host("curl --bogus http://x")
    assert host[0] == "curl: option --bogus: is unknown"
    assert shell.exit_code() == 2
    _, host = shell.ok_host("curl")
    assert host[0] == "curl: no URL specified"


def test_upload_file_missing(shell: Shell) -> None:
    _, host = shell.ok_host("curl -T nosuchfile.txt https://x.azuredatalakestore.net/webhdfs/v1/a?op=CREATE")
    assert host[0] == "curl: (26) Failed to open/read local data from file/application"
    assert shell.exit_code() == 26
