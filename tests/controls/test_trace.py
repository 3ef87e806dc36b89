"""Get-Token -Trace: the chain for one token, and the identity's certificate rolling on the tenant clock."""

from __future__ import annotations

from azshell.controls import clock as ctl
from azshell.controls.trace import CERT_LIFETIME_SECONDS, CERT_ROLL_SECONDS, identity_certificate
from azshell.world import World
from tests.cmdlets._shell import Shell
from tests.controls.conftest import START

RG = "traceRG"
VM = "traceVM"


def _vm(shell: Shell) -> str:
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus -IdentityType SystemAssigned")
    shell.ok(f"$sp = (Get-AzVM -ResourceGroupName {RG} -Name {VM}).Identity.PrincipalId")
    return str(shell.var("sp"))


def test_trace_shows_endpoint_identity_certificate_entra_and_jwt(tshell: Shell, tworld: World) -> None:
    sp = _vm(tshell)
    tshell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    t = tshell.ok("Get-Token -Trace")[0]
    assert [s.get("Step") for s in t.get("Steps")] == ["Local endpoint", "Service principal", "Certificate",
                                                       "Entra ID", "JWT"]
    assert t.get("Endpoint") == "http://169.254.169.254/metadata/identity/oauth2/token"
    assert t.get("ApiVersion") == "2018-02-01"
    assert t.get("Kid") == tworld.tokens.key_ring().active.kid
    text = t.methods["tostring"]()
    assert tshell.text("Get-Token -Trace | Out-String").strip().startswith(f"Token trace: https://management.azure.com/ for {VM}")
    assert f"object ID: {sp}" in text and f"identity: {VM} (system-assigned identity)" in text
    cert = identity_certificate(tworld, sp)
    assert f"thumbprint: {cert.thumbprint}" in text and len(cert.thumbprint) == 40
    assert "next automatic roll: 2023-12-29 22:13:20 UTC (in 45 days)" in text
    assert f"POST https://login.microsoftonline.com/{tworld.tenant_id}/oauth2/token" in text
    assert "answer: 200, token minted at 2023-11-14 22:13:20 UTC" in text
    assert "exp: 2023-11-15 22:13:20 UTC (in 24 h 0 min)" in text
    assert "Total:" in text
    # the same token again comes from the endpoint's cache: Entra ID is not asked
    again = tshell.ok("Get-Token -Trace")[0].methods["tostring"]()
    assert "not asked this time: the endpoint answered from its token cache" in again
    # the notebook view
    html = tshell.session.render_html([t]) or ""
    assert html.startswith("<div class='azshell-trace'>") and "<td style='vertical-align:top;white-space:nowrap'>" \
        "Certificate</td>" in html and "&lt;" not in html.split("Token trace")[0]


def test_trace_on_the_extension_endpoint_and_its_errors(tshell: Shell) -> None:
    _vm(tshell)
    tshell.ok(f"Enable-Msi -ResourceGroupName {RG} -Name {VM}")
    tshell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    t = tshell.ok("Get-Token -Endpoint Extension -Trace")[0]
    assert t.get("Endpoint") == "http://localhost:50342/oauth2/token" and t.get("ApiVersion") is None
    assert "api-version: (none: the 2017 extension takes none)" in t.methods["tostring"]()
    tshell.ok("Exit-AzVM")
    assert "not on a host" in tshell.error_text("Get-Token -Trace")
    tshell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    assert "App Service" in tshell.error_text("Get-Token -Endpoint AppService -Trace")


def test_the_identity_certificate_rolls_every_45_days_of_tenant_time(tshell: Shell, tworld: World) -> None:
    sp = _vm(tshell)
    first = identity_certificate(tworld, sp)
    assert first.not_before == START and first.not_after == START + CERT_LIFETIME_SECONDS
    assert first.next_roll == START + CERT_ROLL_SECONDS and first.rolls == 0
    assert identity_certificate(tworld, sp) == first  # stable while the clock stands
    ctl.advance(tworld, CERT_ROLL_SECONDS - 1)
    assert identity_certificate(tworld, sp).thumbprint == first.thumbprint
    ctl.advance(tworld, 1)
    rolled = identity_certificate(tworld, sp)
    assert rolled.thumbprint != first.thumbprint and rolled.rolls == 1
    assert rolled.not_before == first.next_roll and rolled.not_before < first.not_after  # overlap, as Azure's do
    tshell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    assert "Azure rolls it every 45 days, rolled once so far" in tshell.ok("Get-Token -Trace")[0].methods["tostring"]()


def test_on_an_app_service_app_get_token_asks_identity_endpoint(tshell: Shell) -> None:
    tshell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    tshell.ok(f"New-AzAppServicePlan -Name plan1 -Location westus -ResourceGroupName {RG} -Tier Free")
    tshell.ok(f"New-AzWebApp -Name traceapp -Location westus -AppServicePlan plan1 -ResourceGroupName {RG}")
    tshell.ok(f"Set-AzWebApp -AssignIdentity $true -Name traceapp -ResourceGroupName {RG}")
    tshell.ok(f"Enter-AzWebApp -ResourceGroupName {RG} -Name traceapp")
    tok = tshell.ok("Get-Token")[0]
    assert tok.get("access_token", "").startswith("eyJ")
    t = tshell.ok("Get-Token -Trace")[0]
    assert t.get("ApiVersion") == "2019-08-01"
    assert t.get("Endpoint") == tshell.ok("$env:IDENTITY_ENDPOINT")[0]
    text = t.methods["tostring"]()
    assert "headers: X-IDENTITY-HEADER: (the IDENTITY_HEADER secret)" in text
    assert "identity: traceapp (system-assigned identity)" in text
    assert tshell.ok("$env:IDENTITY_HEADER")[0] not in text
    # the 2017-09-01 endpoint writes expires_on as a date: the tenant's date
    tshell.ok("Exit-AzWebApp")
    tshell.ok("Set-AzShellClock -Advance 10.00:00")
    tshell.ok(f"Enter-AzWebApp -ResourceGroupName {RG} -Name traceapp")
    old = tshell.ok("Invoke-RestMethod -Uri \"$($env:MSI_ENDPOINT)?resource=https://vault.azure.net&api-version=2017-09-01\""
                    " -Headers @{Secret=$env:MSI_SECRET}")[0]
    assert str(old.get("expires_on")).startswith("11/25/2023 10:13:20 PM")
