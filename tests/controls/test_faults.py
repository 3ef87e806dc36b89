"""Add-/Get-/Remove-AzShellFault, the faults' answers per service, -Realistic, and Get-AzShellEvent."""

from __future__ import annotations

import json
from typing import Any

import pytest

from azshell.clock import FixedClock
from azshell.controls.faults import FaultError, add_fault, endpoint_names, list_faults, resolve_endpoint
from azshell.world import World
from tests.cmdlets._shell import Shell

TOKEN_URL = ("http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
             "&resource=https://management.azure.com/")
IWR = f"Invoke-WebRequest -Uri '{TOKEN_URL}' -Headers @{{Metadata='true'}}"


@pytest.fixture
def vm_shell(tshell: Shell) -> Shell:
    tshell.ok("New-AzResourceGroup -Name rg1 -Location westus | Out-Null\n"
              "New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus -IdentityType SystemAssigned | Out-Null")
    return tshell


def _status_of(shell: Shell, script: str) -> tuple[int, Any]:
    """Run an Invoke-WebRequest; (status, parsed body) of its answer or of the error's response."""
    out = shell.ok(f"try {{ $r = {script}; @($r.StatusCode, $r.Content) }} "
                   "catch { @([int]$_.Exception.Response.StatusCode, $_.ErrorDetails.Message) }")
    return int(out[0]), json.loads(str(out[1]))


def test_endpoints_come_from_the_registry(tworld: World) -> None:
    names = endpoint_names(tworld.registry)
    assert names == [p.name for p in tworld.registry.plane_routes()]
    assert resolve_endpoint(tworld.registry, "Imds") == "imds"
    assert resolve_endpoint(tworld.registry, "Extension") == "msi_extension"
    assert resolve_endpoint(tworld.registry, "KeyVault") == "keyvault"
    assert resolve_endpoint(tworld.registry, "AppService") == "appservice"
    with pytest.raises(FaultError, match="There is no endpoint named 'Nope'. Valid endpoints: arm, "):
        resolve_endpoint(tworld.registry, "Nope")


def test_bad_faults_are_refused(tworld: World) -> None:
    with pytest.raises(FaultError, match="Status code 418"):
        add_fault(tworld, endpoint="imds", status=418)
    with pytest.raises(FaultError, match="-StatusCode, -Latency or both"):
        add_fault(tworld, endpoint="imds")
    with pytest.raises(FaultError, match="-Probability"):
        add_fault(tworld, endpoint="imds", status=429, probability=0)
    assert list_faults(tworld.store) == []


def test_count_faults_answer_then_step_aside_and_events_show_each(vm_shell: Shell) -> None:
    fault = vm_shell.ok("Add-AzShellFault -Endpoint Imds -StatusCode 429 -Count 2 -RetryAfter 1")[0]
    assert (fault.get("Id"), fault.get("Endpoint"), fault.get("StatusCode"), fault.get("Remaining")) == (
        1, "imds", 429, 2)
    vm_shell.ok("Enter-AzVM -ResourceGroupName rg1 -Name vm1")
    first = _status_of(vm_shell, IWR)
    second = _status_of(vm_shell, IWR)
    third = _status_of(vm_shell, IWR)
    vm_shell.ok("Exit-AzVM")
    assert first == (429, {"error": "too_many_requests", "error_description": "IMDS Throttle limit reached"})
    assert second[0] == 429 and third[0] == 200 and "access_token" in third[1]
    listed = vm_shell.ok("Get-AzShellFault")
    assert [(f.get("Injected"), f.get("Remaining")) for f in listed] == [(2, 0)]
    events = vm_shell.ok("Get-AzShellEvent -Kind http.request -Path /metadata/identity/* -Last 3")
    assert [e.get("Status") for e in events] == [429, 429, 200]
    assert all(e.get("Host") == "169.254.169.254" and e.get("Method") == "GET" for e in events)
    assert "→ 429 (injected fault)" in str(events[0].get("Summary"))
    assert [e.get("Status") for e in vm_shell.ok("Get-AzShellEvent fault.*")] == [429, 429]


def test_arm_throttling_body_and_retry_after(vm_shell: Shell) -> None:
    vm_shell.ok("Add-AzShellFault -Endpoint Arm -StatusCode 429 -Count 1 -Match '*/resourceGroups/*'")
    status, body = _status_of(vm_shell, "Invoke-WebRequest -Uri \"https://management.azure.com/subscriptions/"
                                        f"{vm_shell.sub}/resourceGroups/rg1?api-version=2021-04-01\" "
                                        "-Headers @{Authorization=\"Bearer $((Get-AzAccessToken).Token)\"}")
    assert status == 429
    assert body["error"]["code"] == "TooManyRequests"
    assert body["error"]["message"].startswith(f"Number of 'read' requests for subscription '{vm_shell.sub}' actor")
    assert body["error"]["message"].endswith("Refer to https://aka.ms/arm-throttling")
    headers = vm_shell.ok("try { Get-AzResourceGroup -Name rg1 } catch { 'failed' }")
    assert headers and headers[0] != "failed"  # the count was used up: ARM answers again


def test_a_non_matching_path_is_not_faulted(vm_shell: Shell) -> None:
    vm_shell.ok("Add-AzShellFault -Endpoint Arm -StatusCode 503 -Match '*/providers/Microsoft.KeyVault/*'")
    assert vm_shell.ok("(Get-AzResourceGroup -Name rg1).ResourceGroupName") == ["rg1"]
    assert vm_shell.ok("(Get-AzShellFault).Injected") == [0]


def test_keyvault_and_503_bodies(tworld: World) -> None:
    from azshell.controls.faults import fault_response
    from azshell.planes.base import Request

    kv = add_fault(tworld, endpoint="KeyVault", status=429)
    arm = add_fault(tworld, endpoint="Arm", status=503)
    req = Request(method="GET", scheme="https", host="v.vault.azure.net", port=None, path="/secrets/s",
                  raw_path="/secrets/s", query=[], headers=None, body=b"")  # type: ignore[arg-type]
    r = fault_response(kv, req)
    assert r.json_body()["error"]["code"] == "Throttled" and r.headers.get("Retry-After") == "10"
    r = fault_response(arm, req)
    assert r.json_body()["error"]["code"] == "ServiceUnavailable" and r.headers.get("Retry-After") == "5"


def test_probability_uses_the_world_random_source(tworld: World) -> None:
    fault = add_fault(tworld, endpoint="imds", status=500, probability=0.5)
    assert fault.probability == 0.5 and fault.remaining is None


def test_latency_only_fault_delays_the_real_answer(vm_shell: Shell) -> None:
    vm_shell.ok("Add-AzShellFault -Endpoint Arm -Latency 30 -Count 1")
    assert vm_shell.ok("(Get-AzResourceGroup -Name rg1).ResourceGroupName") == ["rg1"]
    assert vm_shell.ok("(Get-AzShellFault).Injected") == [1]
    assert vm_shell.ok("(Get-AzShellEvent fault.injected -Last 1).Summary")[0].endswith("delayed after 30 ms")


def test_remove_faults(vm_shell: Shell) -> None:
    vm_shell.ok("Add-AzShellFault Imds 429\nAdd-AzShellFault Arm 500\nAdd-AzShellFault Login 503")
    assert vm_shell.ok("Remove-AzShellFault -Id 2 -PassThru | ForEach-Object Endpoint") == ["arm"]
    assert "There is no fault with Id 9." in vm_shell.error_text("Remove-AzShellFault -Id 9")
    vm_shell.ok("Remove-AzShellFault -All")
    assert vm_shell.ok("Get-AzShellFault") == []


def test_user_errors_are_clear(vm_shell: Shell) -> None:
    assert "There is no endpoint named 'Bogus'" in vm_shell.error_text("Add-AzShellFault -Endpoint Bogus 429")
    assert "Status code 200 is not one a fault" in vm_shell.error_text("Add-AzShellFault Imds 200")
    assert "Cannot convert 'soon' to a latency" in vm_shell.error_text("Add-AzShellFault Imds -Latency soon")


def test_realistic_identity_answers_404_for_a_few_tenant_seconds(tshell: Shell, base: FixedClock) -> None:
    tshell.ok("New-AzResourceGroup -Name rg1 -Location westus | Out-Null\n"
              "New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus | Out-Null")
    _, notes = tshell.ok_host("Update-AzVM -ResourceGroupName rg1 -Name vm1 -IdentityType SystemAssigned -Realistic")
    assert any("IMDS on vm1 answers 404" in n for n in notes)
    tshell.ok("Enter-AzVM -ResourceGroupName rg1 -Name vm1")
    status, body = _status_of(tshell, IWR)
    assert status == 404 and body["error_description"] == "Identity not found"
    base.advance(11)  # tenant time moves past the delay
    status, body = _status_of(tshell, IWR)
    assert status == 200 and body["access_token"]


def test_realistic_on_enable_msi(tshell: Shell) -> None:
    tshell.ok("New-AzResourceGroup -Name rg1 -Location westus | Out-Null\n"
              "New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus | Out-Null\n"
              "Enable-Msi -ResourceGroupName rg1 -Name vm1 -Realistic | Out-Null")
    (fault,) = tshell.ok("Get-AzShellFault")
    assert fault.get("StatusCode") == 404 and str(fault.get("HostId")).endswith("/virtualMachines/vm1")


def test_invoke_webrequest_retries_as_powershell_7_does(vm_shell: Shell) -> None:
    """``-MaximumRetryCount`` retries a 429 after its ``Retry-After`` (saying so on the verbose stream); without it
    the first 429 is the answer; a retry count that runs out returns the last failure."""
    vm_shell.ok("Add-AzShellFault -Endpoint Imds -StatusCode 429 -Count 2 -RetryAfter 1 | Out-Null\n"
                "Enter-AzVM -ResourceGroupName rg1 -Name vm1")
    result = vm_shell.session.execute(f"({IWR} -MaximumRetryCount 3 -RetryIntervalSec 30 -Verbose).StatusCode")
    assert [r.value for r in result.records if r.stream == "output"] == [200]
    assert [str(r.value) for r in result.records if r.stream == "verbose"] == [
        "Retrying after interval of 1 seconds. Status code for previous attempt: 429"] * 2
    assert [e.get("Status") for e in vm_shell.ok("Get-AzShellEvent -Kind http.request -Last 3")] == [429, 429, 200]
    vm_shell.ok("Add-AzShellFault -Endpoint Imds -StatusCode 503 -Count 3 | Out-Null")
    assert _status_of(vm_shell, f"{IWR} -MaximumRetryCount 1 -RetryIntervalSec 1")[0] == 503
    assert _status_of(vm_shell, IWR)[0] == 503  # the third 503: no retry without -MaximumRetryCount
    assert _status_of(vm_shell, IWR)[0] == 200
    assert "less than the minimum allowed range of 1" in vm_shell.error_text(f"{IWR} -RetryIntervalSec 0")
