"""Invoke-AzShellKeyRollover: a new key signs, the old stays in the JWKS for the grace period, then every
service refuses what it signed."""

from __future__ import annotations

import base64
import json

from azshell.auth.errors import UnknownKeyError
from azshell.auth.keys import RETIREMENT_SETTING
from azshell.clock import FixedClock, TenantClock
from azshell.controls import clock as ctl
from azshell.controls.rollover import key_status, rollover
from azshell.services.registry import open_world
from azshell.world import World
from tests.cmdlets._shell import Shell
from tests.conftest import TEST_KEYS
from tests.controls.conftest import START

RG = "keysRG"
VM = "keysVM"
VAULT = "keysvault"
ADLS = "keysadls"
ARM_AUDIENCES = ("https://management.azure.com/",)


def _kid(token: str) -> str:
    head = token.split(".")[0]
    return str(json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))["kid"])


def _jwks_kids(shell: Shell, tenant: str) -> list[str]:
    out = shell.ok(f"Invoke-RestMethod https://login.microsoftonline.com/{tenant}/discovery/keys")
    return [k.get("kid") for k in out[0].get("keys")]


def _status(shell: Shell, uri: str, var: str) -> tuple[int, str]:
    out = shell.ok(f"Invoke-WebRequest -Uri '{uri}' -Headers @{{Authorization=\"Bearer ${var}\"}} "
                   "-SkipHttpErrorCheck")
    return int(out[0].get("StatusCode")), str(out[0].get("Content"))


def test_rollover_publishes_a_new_key_keeps_the_old_for_the_grace_period(tshell: Shell, tworld: World) -> None:
    tenant = tworld.tenant_id
    sub = tshell.sub
    tshell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    tshell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus -IdentityType SystemAssigned")
    tshell.ok(f"$sp = (Get-AzVM -ResourceGroupName {RG} -Name {VM}).Identity.PrincipalId")
    tshell.ok(f"New-AzRoleAssignment -ObjectId $sp -RoleDefinitionName Reader -ResourceGroupName {RG}")
    tshell.ok(f"New-AzKeyVault -Name {VAULT} -ResourceGroupName {RG} -Location westus")
    tshell.ok(f"New-AzDataLakeStoreAccount -ResourceGroupName {RG} -Name {ADLS} -Location eastus2")
    old_kid = tworld.tokens.key_ring().active.kid
    tshell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    tshell.ok("$arm = (Get-Token).access_token; $kv = (Get-Token -Resource https://vault.azure.net).access_token")
    tshell.ok("$dl = (Get-Token -Resource https://datalake.azure.net/).access_token")
    tshell.ok("Exit-AzVM")

    r = tshell.ok("Invoke-AzShellKeyRollover -GracePeriod 01:00:00")[0]
    assert r.get("OldKeyId") == old_kid and r.get("NewKeyId") != old_kid
    new_kid = r.get("NewKeyId")
    kids = _jwks_kids(tshell, tenant)
    assert kids[0] == new_kid and old_kid in kids
    assert tworld.store.get_setting(RETIREMENT_SETTING) == json.dumps({old_kid: START + 3600})
    states = {k.kid: k.state for k in key_status(tworld)}
    assert states[new_kid] == "Active" and states[old_kid] == "Previous"

    arm_uri = f"https://management.azure.com/subscriptions/{sub}/resourceGroups/{RG}?api-version=2021-04-01"
    kv_uri = f"https://{VAULT}.vault.azure.net/secrets/nothing?api-version=7.4"
    dl_uri = f"https://{ADLS}.azuredatalakestore.net/webhdfs/v1/?op=LISTSTATUS"
    tshell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    assert _status(tshell, arm_uri, "arm")[0] == 200  # old key still published
    # new tokens are signed with the new key (the endpoint's cache keeps the old token while its key is published)
    tshell.ok("Set-AzShellClock -Advance 00:59:00")
    assert _status(tshell, arm_uri, "arm")[0] == 200
    tshell.ok("Set-AzShellClock -Advance 00:01:00")  # the grace period is over
    assert old_kid not in _jwks_kids(tshell, tenant)
    status, body = _status(tshell, arm_uri, "arm")
    assert status == 401 and json.loads(body)["error"]["code"] == "InvalidAuthenticationToken"
    status, body = _status(tshell, kv_uri, "kv")
    assert status == 401 and json.loads(body)["error"]["message"].startswith(
        "AKV10046: Unable to resolve the key used for signature validation.")
    status, body = _status(tshell, dl_uri, "dl")
    assert status == 401 and "The access token is invalid." in body
    text = tshell.error_text(f"Invoke-WebRequest -Uri '{arm_uri}' -Headers @{{Authorization=\"Bearer $arm\"}}")
    assert f"signed with key '{old_kid}'" in text and "rolled over" in text
    # Get-Token now mints with the new key
    tshell.ok("$arm = (Get-Token).access_token")
    assert _status(tshell, arm_uri, "arm")[0] == 200
    assert _kid(tshell.var("arm")) == new_kid
    tshell.ok("Exit-AzVM")
    # the admin's own session gets a new token by itself
    tshell.ok(f"Get-AzResourceGroup -Name {RG}")


def test_a_zero_grace_period_removes_the_old_key_at_once(tworld: World) -> None:
    admin = tworld.admin_user
    token = tworld.tokens.issue_for_principal(principal=admin, resource="https://management.azure.com/",
                                              kind="user").access_token
    result = rollover(tworld, grace_seconds=0)
    assert result.old_kid not in result.published
    try:
        tworld.tokens.verify(token, audiences=ARM_AUDIENCES)
    except UnknownKeyError as e:
        assert e.kid == result.old_kid
    else:
        raise AssertionError("a token signed with a removed key verified")


def test_two_rollovers_within_the_grace_period_keep_both_old_keys(tworld: World) -> None:
    ring = tworld.tokens.key_ring()
    first = ring.active.kid
    a = rollover(tworld, grace_seconds=3600)
    ctl.advance(tworld, 600)
    b = rollover(tworld, grace_seconds=3600)
    published = [k.kid for k in ring.published()]
    assert first in published and a.new_kid in published and b.new_kid == published[0]
    ctl.advance(tworld, 3000)  # first's grace is over, the second's is not
    published = [k.kid for k in ring.published()]
    assert first not in published and a.new_kid in published
    ctl.advance(tworld, 600)
    assert [k.state for k in key_status(tworld)] == ["Active", "Next"]


def test_another_process_sees_the_rollover_and_the_removal(state_path: str) -> None:
    base = FixedClock(START)
    a = open_world(state_path, clock=TenantClock(base), signing_key=TEST_KEYS)
    b = open_world(state_path, clock=TenantClock(base), signing_key=TEST_KEYS)
    try:
        admin = a.admin_user
        token = a.tokens.issue_for_principal(principal=admin, resource="https://management.azure.com/",
                                             kind="user").access_token
        b.tokens.verify(token, audiences=ARM_AUDIENCES)  # b has loaded the ring
        rollover(a, grace_seconds=60)
        b.tokens.verify(token, audiences=ARM_AUDIENCES)
        ctl.advance(a, 61)
        try:
            b.tokens.verify(token, audiences=ARM_AUDIENCES)
        except UnknownKeyError:
            pass
        else:
            raise AssertionError("process b still accepts a token whose key was removed")
    finally:
        a.close()
        b.close()


def test_grace_period_errors(tshell: Shell) -> None:
    assert "between 00:00:00 and 90.00:00:00" in tshell.error_text("Invoke-AzShellKeyRollover -GracePeriod 100.00:00")
    assert "between" in tshell.error_text("Invoke-AzShellKeyRollover -GracePeriod -01:00")
