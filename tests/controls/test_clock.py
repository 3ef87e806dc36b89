"""The tenant clock: Get-/Set-AzShellClock, shared through the state file, and every token on it.

The done-when script: a token minted before ``Set-AzShellClock -Advance 1.01:00`` is refused by ARM, Key Vault and
Data Lake with each service's own expired-token answer, while ``Get-Token`` hands out a fresh one.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from azshell.clock import CLOCK_SETTING, FixedClock, TenantClock
from azshell.controls import clock as ctl
from azshell.services.registry import open_world
from azshell.world import World
from tests.cmdlets._shell import Shell
from tests.conftest import TEST_KEYS
from tests.controls.conftest import START

RG = "timeRG"
VM = "timeVM"
VAULT = "timevault"
ADLS = "timeadls"


def test_the_tenant_clock_starts_as_real_time_and_moves(tshell: Shell, tworld: World) -> None:
    c = tshell.ok("Get-AzShellClock")[0]
    assert c.get("IsReal") is True and c.get("Offset") == timedelta(0)
    assert c.get("UtcNow") == datetime.fromtimestamp(START, tz=UTC)
    c = tshell.ok("Set-AzShellClock -Advance 1.01:00")[0]
    assert c.get("Offset") == timedelta(days=1, hours=1) and c.get("IsReal") is False
    assert tworld.clock.now() == START + 90000
    tshell.ok("Set-AzShellClock -Advance '00:05:01'")
    assert tworld.clock.now() == START + 90000 + 301
    tshell.ok("Set-AzShellClock -Advance -00:00:01")
    assert tworld.clock.now() == START + 90000 + 300
    tshell.ok("Set-AzShellClock -At '2030-01-01T09:00:00Z' -Freeze")
    frozen = datetime(2030, 1, 1, 9, tzinfo=UTC).timestamp()
    assert tworld.clock.now() == frozen
    assert isinstance(tworld.clock, TenantClock)
    tworld.clock.base.advance(3600)  # type: ignore[attr-defined]
    assert tworld.clock.now() == frozen  # frozen: real time passing does not move it
    c = tshell.ok("Set-AzShellClock -Advance 00:01:00")[0]
    assert c.get("IsFrozen") is True and tworld.clock.now() == frozen + 60
    c = tshell.ok("Set-AzShellClock -Reset")[0]
    assert c.get("IsReal") is True and tworld.clock.now() == START + 3600
    assert tworld.store.get_setting(CLOCK_SETTING) is None
    kinds = [e.data["change"] for e in tworld.store.recent_events("clock.set")]
    assert kinds[0] == "advance 90000" and kinds[-1] == "reset"


def test_clock_errors_are_plain(tshell: Shell) -> None:
    assert "System.TimeSpan" in tshell.error_text("Set-AzShellClock -Advance banana")
    assert "100 years" in tshell.error_text("Set-AzShellClock -Advance 99999.00:00")
    assert "-Advance <TimeSpan>" in tshell.error_text("Set-AzShellClock")
    out, errs = tshell.run("Set-AzShellClock -Advance 01:00 -WhatIf")
    assert not errs and not out
    assert tshell.ok("Get-AzShellClock")[0].get("IsReal") is True


def test_every_process_on_the_state_file_reads_the_same_tenant_time(state_path: str) -> None:
    base = FixedClock(START)
    a = open_world(state_path, clock=TenantClock(base), signing_key=TEST_KEYS)
    b = open_world(state_path, clock=TenantClock(base), signing_key=TEST_KEYS)
    try:
        assert a.clock.now() == b.clock.now() == START
        ctl.advance(a, 3600)
        assert b.clock.now() == START + 3600  # b re-reads the setting: the generation moved
        ctl.set_at(b, datetime(2031, 5, 1, tzinfo=UTC), frozen=True)
        assert a.clock.now() == datetime(2031, 5, 1, tzinfo=UTC).timestamp()
        ctl.reset(a)
        assert b.clock.now() == START
    finally:
        a.close()
        b.close()


def test_default_world_clock_is_the_tenant_clock(state_path: str) -> None:
    w = open_world(state_path, signing_key=TEST_KEYS)
    try:
        assert isinstance(w.clock, TenantClock)
        real = w.clock.now()
        ctl.advance(w, 86400)
        assert w.clock.now() - real == pytest.approx(86400, abs=5)
        assert json.loads(w.store.get_setting(CLOCK_SETTING) or "{}") == {"offset": 86400.0}
    finally:
        w.close()


def test_an_injected_fixed_clock_moves_in_memory(world: World) -> None:
    start = world.clock.now()
    info = ctl.advance(world, 60)
    assert world.clock.now() == start + 60 and info.offset_seconds == 0


def test_event_timestamps_are_tenant_time(tshell: Shell, tworld: World) -> None:
    tshell.ok("Set-AzShellClock -Advance 2.00:00")
    tshell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    put = tworld.store.recent_events("resource_group.put")[-1]
    assert put.time == START + 2 * 86400


# ------------------------------------------------------------------------------------------ done-when script
def _setup_vm(shell: Shell) -> None:
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus -IdentityType SystemAssigned")
    shell.ok(f"$sp = (Get-AzVM -ResourceGroupName {RG} -Name {VM}).Identity.PrincipalId")
    shell.ok(f"New-AzRoleAssignment -ObjectId $sp -RoleDefinitionName Reader -ResourceGroupName {RG}")


def _status_and_body(shell: Shell, uri: str, token_var: str) -> tuple[int, str]:
    out = shell.ok(f"Invoke-WebRequest -Uri '{uri}' -Headers @{{Authorization=\"Bearer ${token_var}\"}} "
                   "-SkipHttpErrorCheck")
    return int(out[0].get("StatusCode")), str(out[0].get("Content"))


def test_tokens_minted_before_the_clock_moved_are_refused_by_each_service(tshell: Shell) -> None:
    sub = tshell.sub
    _setup_vm(tshell)
    tshell.ok(f"New-AzKeyVault -Name {VAULT} -ResourceGroupName {RG} -Location westus")
    tshell.ok(f"New-AzDataLakeStoreAccount -ResourceGroupName {RG} -Name {ADLS} -Location eastus2")
    tshell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    tshell.ok("$arm = (Get-Token).access_token")
    tshell.ok("$kv = (Get-Token -Resource https://vault.azure.net).access_token")
    tshell.ok("$dl = (Get-Token -Resource https://datalake.azure.net/).access_token")
    arm_uri = f"https://management.azure.com/subscriptions/{sub}/resourceGroups/{RG}?api-version=2021-04-01"
    kv_uri = f"https://{VAULT}.vault.azure.net/secrets/nothing?api-version=7.4"
    dl_uri = f"https://{ADLS}.azuredatalakestore.net/webhdfs/v1/?op=LISTSTATUS"
    assert _status_and_body(tshell, arm_uri, "arm")[0] == 200

    tshell.ok("Set-AzShellClock -Advance 1.01:00")

    status, body = _status_and_body(tshell, arm_uri, "arm")
    err = json.loads(body)["error"]
    assert status == 401 and err["code"] == "ExpiredAuthenticationToken"
    assert err["message"].startswith("The access token expiry UTC time '11/15/2023 10:13:20 PM' is earlier than "
                                     "current UTC time '11/15/2023 11:13:20 PM'.")
    status, body = _status_and_body(tshell, kv_uri, "kv")
    assert status == 401
    assert json.loads(body)["error"]["message"] == "[TokenExpired] Error validating token: 'S2S12086'."
    status, body = _status_and_body(tshell, dl_uri, "dl")
    assert status == 401 and "The access token has expired." in body

    # the same call through the shell ends with the explainer's hint
    text = tshell.error_text(f"Invoke-WebRequest -Uri '{arm_uri}' -Headers @{{Authorization=\"Bearer $arm\"}}")
    assert "ExpiredAuthenticationToken" in text and "expired at 2023-11-15 22:13:20 UTC (60 min ago): it was valid for 24 h 5 min" in text

    # Get-Token hands out a fresh one: the endpoint's cache refreshes tokens five minutes before they expire
    fresh = tshell.ok("Get-Token")[0]
    assert fresh.get("access_token") != tshell.var("arm")
    assert int(fresh.get("expires_on")) == int(START + 90000 + 86400)
    tshell.ok("$arm = (Get-Token).access_token")
    assert _status_and_body(tshell, arm_uri, "arm")[0] == 200


def test_cached_tokens_are_refreshed_five_minutes_before_expiry(tshell: Shell) -> None:
    _setup_vm(tshell)
    tshell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    first = tshell.ok("Get-Token")[0]
    tshell.ok("Set-AzShellClock -Advance 23:54:00")  # 6 min before exp: still the cached token
    again = tshell.ok("Get-Token")[0]
    assert again.get("access_token") == first.get("access_token")
    assert int(again.get("expires_in")) == 360
    tshell.ok("Set-AzShellClock -Advance 00:01:01")  # inside the last five minutes: a new token
    new = tshell.ok("Get-Token")[0]
    assert new.get("access_token") != first.get("access_token")
    assert int(new.get("expires_in")) == 86400


def test_the_session_token_and_show_token_follow_the_clock(tshell: Shell) -> None:
    tshell.ok("$t = (Get-AzAccessToken).Token | ConvertFrom-SecureString -AsPlainText")
    tok = tshell.var("t")
    shown = tshell.text("Show-Token $t | Out-String")
    assert "(expires in 1 h 15 min)" in shown and "(5 min ago) — not valid before" in shown
    tshell.ok("Set-AzShellClock -Advance 02:00")
    shown = tshell.text("Show-Token $t | Out-String")
    assert "(expired 45 min ago)" in shown and "but the token has EXPIRED: services answer 401" in shown
    # the Az session asks for a new token once its cached one is past its refresh time
    tshell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    tshell.ok("$t2 = (Get-AzAccessToken).Token | ConvertFrom-SecureString -AsPlainText")
    assert isinstance(tok, str) and tok.startswith("eyJ") and tshell.var("t2") != tok


def test_app_service_and_extension_expires_on_follow_the_tenant_clock(tshell: Shell, tworld: World) -> None:
    tshell.ok("Set-AzShellClock -Advance 10.00:00")
    _setup_vm(tshell)
    tshell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    tok = tshell.ok("Get-Token")[0]
    assert int(tok.get("expires_on")) == int(START + 10 * 86400 + 86400)
    assert int(tok.get("not_before")) == int(START + 10 * 86400 - 300)


def test_key_vault_refuses_a_disabled_secret_and_serves_an_expired_one(tshell: Shell) -> None:
    tshell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    tshell.ok(f"New-AzKeyVault -Name {VAULT} -ResourceGroupName {RG} -Location westus -DisableRbacAuthorization")
    tshell.ok(f"Set-AzKeyVaultSecret -VaultName {VAULT} -Name off -SecretValue "
              "(ConvertTo-SecureString 'v' -AsPlainText -Force) -Disable")
    tshell.ok(f"Set-AzKeyVaultSecret -VaultName {VAULT} -Name old -SecretValue "
              "(ConvertTo-SecureString 'v' -AsPlainText -Force) -Expires ([datetime]'2023-11-20T00:00:00Z')")
    tshell.ok("$kv = (Get-AzAccessToken -ResourceUrl https://vault.azure.net).Token | ConvertFrom-SecureString "
              "-AsPlainText")
    out = tshell.ok(f"Invoke-WebRequest -Uri 'https://{VAULT}.vault.azure.net/secrets/off?api-version=7.4' "
                    "-Headers @{Authorization=\"Bearer $kv\"} -SkipHttpErrorCheck")[0]
    assert int(out.get("StatusCode")) == 403
    assert json.loads(str(out.get("Content"))) == {"error": {
        "code": "Forbidden", "message": "Operation get is not allowed on a disabled secret.",
        "innererror": {"code": "SecretDisabled"}}}
    tshell.ok("Set-AzShellClock -Advance 30.00:00")  # well past its exp: Key Vault still returns it (SEEN)
    assert tshell.ok(f"Get-AzKeyVaultSecret -VaultName {VAULT} -Name old -AsPlainText") == ["v"]


def test_moving_the_clock_back_mints_tokens_valid_at_the_new_time(tshell: Shell) -> None:
    _setup_vm(tshell)
    tshell.ok("Set-AzShellClock -Advance 3.00:00")
    tshell.ok(f"Get-AzResourceGroup -Name {RG}")  # the session's token is now minted three days ahead
    tshell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    ahead = tshell.ok("Get-Token")[0]
    tshell.ok("Exit-AzVM")
    tshell.ok("Set-AzShellClock -Reset")
    tshell.ok(f"Get-AzResourceGroup -Name {RG}")  # not refused as not yet valid: the session minted again
    tshell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    back = tshell.ok("Get-Token")[0]
    assert back.get("access_token") != ahead.get("access_token")
    assert int(back.get("not_before")) == int(START - 300)
