"""App Service cmdlets and the App Service tutorials through the whole shell (Session → engine → planes).

Sources: ``current-app-service-overview-managed-identity.txt`` (2019-08-01, ``X-IDENTITY-HEADER``) and
``2018-app-service-managed-service-identity.txt`` (AzureRM, 2017-09-01, ``Secret``), verbatim with the
placeholders filled; negative twins: no role → 403, identity not attached → App Service's "No MSI found".
"""

from __future__ import annotations

import datetime
from typing import Any

import jwt
import pytest

from azshell.world import World
from tests.cmdlets._shell import Shell

VAULT = "https://vault.azure.net"


@pytest.fixture
def shell(world: World) -> Shell:
    return Shell(world)


def decode(token: Any) -> dict[str, Any]:
    return dict(jwt.decode(str(token), options={"verify_signature": False}))


CURRENT_WEB_APP = """$location = "westus"
$webappname = "mywebapp4711"
$resourceGroupName = "myResourceGroup"
Login-AzAccount
# Create a resource group.
New-AzResourceGroup -Name $resourceGroupName -Location $location
# Create an App Service plan in Free tier.
New-AzAppServicePlan -Name $webappname -Location $location -ResourceGroupName $resourceGroupName -Tier Free
# Create a web app.
New-AzWebApp -Name $webappname -Location $location -AppServicePlan $webappname -ResourceGroupName $resourceGroupName
Set-AzWebApp -AssignIdentity $true -Name $webappname -ResourceGroupName $resourceGroupName
"""

CURRENT_IN_APP = """$resourceURI = "https://vault.azure.net"
$tokenAuthURI = $env:IDENTITY_ENDPOINT + "?resource=$resourceURI&api-version=2019-08-01"
$tokenResponse = Invoke-RestMethod -Method Get -Headers @{"X-IDENTITY-HEADER"="$env:IDENTITY_HEADER"} -Uri $tokenAuthURI
$accessToken = $tokenResponse.access_token
"""

LEGACY_WEB_APP = """$location = "westus"
$webappname = "mywebapp2018"
Login-AzureRmAccount
# Create a resource group.
New-AzureRmResourceGroup -Name myResourceGroup -Location $location
# Create an App Service plan in Free tier.
New-AzureRmAppServicePlan -Name $webappname -Location $location -ResourceGroupName myResourceGroup -Tier Free
# Create a web app.
New-AzureRmWebApp -Name $webappname -Location $location -AppServicePlan $webappname -ResourceGroupName myResourceGroup
Set-AzureRmWebApp -AssignIdentity $true -Name $webappname -ResourceGroupName myResourceGroup
"""

LEGACY_IN_APP = """$apiVersion = "2017-09-01"
$resourceURI = "https://management.azure.com/"
$tokenAuthURI = $env:MSI_ENDPOINT + "?resource=$resourceURI&api-version=$apiVersion"
$tokenResponse = Invoke-RestMethod -Method Get -Headers @{"Secret"="$env:MSI_SECRET"} -Uri $tokenAuthURI
$accessToken = $tokenResponse.access_token
"""

FUNCTION_PREFIX = """$location = "westus"
$resourceGroupName = "myResourceGroup"
$storageAccountName = "myfuncstorage42"
$sku = "Standard_LRS"
$functionAppName = "myfunc4711"
$runtime = "PowerShell"
$userAssignedIdentityName = "myFuncIdentity"
"""

FUNCTION_SYSTEM = """New-AzResourceGroup -Name $resourceGroupName -Location $location
New-AzStorageAccount -Name $storageAccountName -ResourceGroupName $resourceGroupName -SkuName $sku
New-AzFunctionApp -Name $functionAppName -ResourceGroupName $resourceGroupName -Location $location -StorageAccountName $storageAccountName -Runtime $runtime -IdentityType SystemAssigned
"""

FUNCTION_USER = """New-AzResourceGroup -Name $resourceGroupName -Location $location
New-AzStorageAccount -Name $storageAccountName -ResourceGroupName $resourceGroupName -SkuName $sku
# Create a user-assigned identity. This requires installation of the "Az.ManagedServiceIdentity" module.
$userAssignedIdentity = New-AzUserAssignedIdentity -Name $userAssignedIdentityName -ResourceGroupName $resourceGroupName
New-AzFunctionApp -Name $functionAppName -ResourceGroupName $resourceGroupName -Location $location -StorageAccountName $storageAccountName -Runtime $runtime -IdentityType UserAssigned -IdentityId $userAssignedIdentity.Id
"""

FUNCTION_REMOVE = "Update-AzFunctionApp -Name $functionAppName -ResourceGroupName $resourceGroupName -IdentityType None"


# ------------------------------------------------------------------------------------------------ tutorials
def test_current_web_app_tutorial_and_token_in_the_app(shell: Shell) -> None:
    outs = shell.ok(CURRENT_WEB_APP)
    site = outs[-1]
    assert site.get("Name") == "mywebapp4711" and site.get("State") == "Running"
    assert site.get("HostNames") == ["mywebapp4711.azurewebsites.net"]
    assert site.get("ResourceGroup") == "myResourceGroup"
    identity = site.get("Identity")
    assert identity.get("Type") == "SystemAssigned" and identity.get("PrincipalId")
    plan = outs[2]
    assert plan.get("Sku").get("Tier") == "Free"

    shell.ok("Enter-AzWebApp -ResourceGroupName myResourceGroup -Name mywebapp4711")
    assert shell.session.services.prompt() == "[mywebapp4711]: PS C:\\home\\site\\wwwroot> "
    shell.ok(CURRENT_IN_APP)
    response = shell.var("tokenResponse")
    assert response.get("resource") == VAULT and str(response.get("expires_on")).isdigit()
    claims = decode(shell.var("accessToken"))
    assert claims["aud"] == VAULT and claims["oid"] == identity.get("PrincipalId")
    assert claims["xms_mirid"].lower().endswith("/providers/microsoft.web/sites/mywebapp4711")
    env = shell.ok("$env:IDENTITY_ENDPOINT; $env:MSI_ENDPOINT; $env:IDENTITY_HEADER -eq $env:MSI_SECRET")
    assert env == ["http://localhost:4141/MSI/token", "http://localhost:4141/MSI/token", True]


def test_2018_web_app_tutorial_with_secret_header(shell: Shell) -> None:
    shell.ok(LEGACY_WEB_APP)
    shell.ok("Enter-AzWebApp myResourceGroup mywebapp2018")
    shell.ok(LEGACY_IN_APP)
    response = shell.var("tokenResponse")
    expires_on = str(response.get("expires_on"))
    parsed = datetime.datetime.strptime(expires_on.replace(" +00:00", ""), "%m/%d/%Y %I:%M:%S %p")
    claims = decode(shell.var("accessToken"))
    assert parsed.replace(tzinfo=datetime.UTC).timestamp() == claims["exp"]
    assert claims["aud"] == "https://management.azure.com/"


def test_negative_twin_no_role_is_403(shell: Shell) -> None:
    shell.ok(CURRENT_WEB_APP)
    shell.ok("Enter-AzWebApp -ResourceGroupName myResourceGroup -Name mywebapp4711")
    shell.ok(LEGACY_IN_APP)
    sub = shell.sub
    text = shell.error_text(
        f"Invoke-RestMethod -Uri https://management.azure.com/subscriptions/{sub}/resourceGroups/myResourceGroup"
        "?api-version=2016-06-01 -Headers @{Authorization=\"Bearer $accessToken\"}")
    assert "403 (Forbidden)" in text and "AuthorizationFailed" in text
    shell.ok("exit")
    shell.ok("$p = (Get-AzWebApp -ResourceGroupName myResourceGroup -Name mywebapp4711).Identity.PrincipalId\n"
             "New-AzRoleAssignment -ObjectId $p -RoleDefinitionName Reader -ResourceGroupName myResourceGroup")
    shell.ok("Enter-AzWebApp -ResourceGroupName myResourceGroup -Name mywebapp4711")
    shell.ok(LEGACY_IN_APP)
    outs = shell.ok(
        f"Invoke-RestMethod -Uri https://management.azure.com/subscriptions/{sub}/resourceGroups/myResourceGroup"
        "?api-version=2016-06-01 -Headers @{Authorization=\"Bearer $accessToken\"}")
    assert outs[0].get("name") == "myResourceGroup"
    # Connect-AzAccount -Identity uses the App Service endpoint on an app
    shell.ok("Connect-AzAccount -Identity")
    assert shell.ok("(Get-AzResourceGroup -Name myResourceGroup).ResourceGroupName") == ["myResourceGroup"]


def test_function_app_system_assigned_tutorial(shell: Shell) -> None:
    outs = shell.ok(FUNCTION_PREFIX + FUNCTION_SYSTEM)
    storage, func = outs[-2], outs[-1]
    assert storage.get("StorageAccountName") == "myfuncstorage42" and storage.get("SkuName") == "Standard_LRS"
    assert func.get("Name") == "myfunc4711" and func.get("Kind") == "functionapp"
    assert func.get("IdentityType") == "SystemAssigned" and func.get("Runtime") == "powershell"
    assert func.get("StorageAccountName") == "myfuncstorage42"
    shell.ok("Enter-AzFunctionApp -ResourceGroupName myResourceGroup -Name myfunc4711")
    shell.ok(CURRENT_IN_APP)
    assert decode(shell.var("accessToken"))["oid"] == func.get("IdentityPrincipalId")
    shell.ok("Exit-AzVM")  # Exit-AzVM leaves an app too
    assert shell.session.services.current_host is None
    assert shell.ok("$env:IDENTITY_HEADER") in ([], [None], [""])
    shell.ok(FUNCTION_PREFIX + FUNCTION_REMOVE)
    func = shell.ok("Get-AzFunctionApp -Name myfunc4711 -ResourceGroupName myResourceGroup")[0]
    assert func.get("IdentityType") is None


def test_function_app_user_assigned_tutorial_and_not_attached_twin(shell: Shell) -> None:
    outs = shell.ok(FUNCTION_PREFIX + FUNCTION_USER)
    func = outs[-1]
    assert func.get("IdentityType") == "UserAssigned"
    uai = shell.var("userAssignedIdentity")
    cid, oid = str(uai.get("ClientId")), str(uai.get("PrincipalId"))
    shell.ok("New-AzUserAssignedIdentity -Name stranger -ResourceGroupName myResourceGroup")
    stranger = shell.ok("(Get-AzUserAssignedIdentity -ResourceGroupName myResourceGroup -Name stranger).ClientId")[0]
    shell.ok("Enter-AzFunctionApp -ResourceGroupName myResourceGroup -Name myfunc4711")
    token = shell.ok(
        f'(Invoke-RestMethod -Uri "$env:IDENTITY_ENDPOINT?resource={VAULT}&api-version=2019-08-01&client_id={cid}"'
        ' -Headers @{"X-IDENTITY-HEADER"="$env:IDENTITY_HEADER"}).access_token')[0]
    assert decode(token)["oid"] == oid
    token = shell.ok(
        f'(Invoke-RestMethod -Uri "$env:MSI_ENDPOINT?resource={VAULT}&api-version=2017-09-01&clientid={cid}"'
        ' -Headers @{"Secret"="$env:MSI_SECRET"}).access_token')[0]
    assert decode(token)["oid"] == oid
    text = shell.error_text(
        f'Invoke-RestMethod -Uri "$env:IDENTITY_ENDPOINT?resource={VAULT}&api-version=2019-08-01&client_id={stranger}"'
        ' -Headers @{"X-IDENTITY-HEADER"="$env:IDENTITY_HEADER"}')
    assert "400 (Bad Request)" in text and "No MSI found for specified ClientId/ResourceId." in text
    text = shell.error_text(
        f'Invoke-RestMethod -Uri "$env:IDENTITY_ENDPOINT?resource={VAULT}&api-version=2019-08-01"'
        ' -Headers @{"X-IDENTITY-HEADER"="$env:IDENTITY_HEADER"}')
    assert "Unable to load the proper Managed Identity." in text


def test_function_app_needs_a_storage_account(shell: Shell) -> None:
    shell.ok("New-AzResourceGroup -Name rg1 -Location westus")
    text = shell.error_text("New-AzFunctionApp -Name f1 -ResourceGroupName rg1 -Location westus "
                            "-StorageAccountName nosuchacct -Runtime PowerShell")
    assert "Storage account 'nosuchacct' does not exist." in text
    text = shell.error_text("New-AzStorageAccount -Name Bad_Name -ResourceGroupName rg1 -SkuName Standard_LRS")
    assert "is not a valid storage account name" in text


def test_update_function_app_user_assigned_with_force(shell: Shell) -> None:
    shell.ok(FUNCTION_PREFIX + FUNCTION_SYSTEM)
    shell.ok("$u = New-AzUserAssignedIdentity -Name u1 -ResourceGroupName myResourceGroup\n"
             "Update-AzFunctionApp -Name myfunc4711 -ResourceGroupName myResourceGroup -IdentityType "
             "'SystemAssigned, UserAssigned' -IdentityId $u.Id -Force")
    func = shell.ok("Get-AzFunctionApp -ResourceGroupName myResourceGroup")[0]
    assert func.get("IdentityType") == "SystemAssignedUserAssigned"
    assert func.get("IdentityPrincipalId")


# ---------------------------------------------------------------------------------------- host behaviour
def test_app_without_identity_has_no_endpoint(shell: Shell) -> None:
    shell.ok("New-AzResourceGroup -Name rg1 -Location westus\nNew-AzAppServicePlan -Name p1 -ResourceGroupName rg1 "
             "-Location westus -Tier Basic\nNew-AzWebApp -Name plainapp99 -ResourceGroupName rg1 -AppServicePlan p1")
    _, errs, warns = shell.run_all("Enter-AzWebApp -ResourceGroupName rg1 -Name plainapp99")
    assert not errs and any("no managed identity" in str(w) for w in warns)
    assert shell.ok("$env:IDENTITY_ENDPOINT") in ([], [None], [""])
    assert shell.ok("$env:WEBSITE_SITE_NAME") == ["plainapp99"]
    text = shell.error_text("Invoke-RestMethod -Uri 'http://localhost:4141/MSI/token?resource=https://vault.azure.net"
                            "&api-version=2019-08-01'")
    assert "actively refused" in text and "AssignIdentity" in text
    shell.ok("Exit-AzWebApp")
    assert shell.ok("$env:WEBSITE_SITE_NAME") in ([], [None], [""])


def test_off_host_endpoint_is_refused_with_hint(shell: Shell) -> None:
    text = shell.error_text("Invoke-RestMethod -Uri 'http://localhost:4141/MSI/token?resource=https://vault.azure.net"
                            "&api-version=2019-08-01' -Headers @{'X-IDENTITY-HEADER'='x'}")
    assert "actively refused" in text and "Enter-AzWebApp" in text


def test_set_web_app_assign_identity_false_and_new_header(shell: Shell) -> None:
    shell.ok(CURRENT_WEB_APP)
    shell.ok("Enter-AzWebApp -ResourceGroupName myResourceGroup -Name mywebapp4711")
    old = shell.ok("$env:IDENTITY_HEADER")[0]
    shell.ok("exit")
    site = shell.ok("Set-AzWebApp -AssignIdentity $false -Name mywebapp4711 -ResourceGroupName myResourceGroup")[0]
    assert site.get("Identity") is None
    site = shell.ok("Set-AzWebApp -AssignIdentity $true -Name mywebapp4711 -ResourceGroupName myResourceGroup")[0]
    assert site.get("Identity").get("Type") == "SystemAssigned"
    shell.ok("Enter-AzWebApp -ResourceGroupName myResourceGroup -Name mywebapp4711")
    assert shell.ok("$env:IDENTITY_HEADER")[0] != old  # rotated when the identity changed


def test_env_written_on_an_app_vanishes_on_exit(shell: Shell) -> None:
    shell.ok(CURRENT_WEB_APP)
    shell.ok("Enter-AzWebApp -ResourceGroupName myResourceGroup -Name mywebapp4711\n$env:MY_SETTING = 'x'")
    assert shell.ok("$env:MY_SETTING") == ["x"]
    shell.ok("exit")
    assert shell.ok("$env:MY_SETTING") in ([], [None], [""])


def test_enter_twice_and_enter_unknown_app(shell: Shell) -> None:
    shell.ok(CURRENT_WEB_APP)
    shell.ok("Enter-AzWebApp -ResourceGroupName myResourceGroup -Name mywebapp4711")
    assert "already on" in shell.error_text("Enter-AzWebApp -ResourceGroupName myResourceGroup -Name mywebapp4711")
    shell.ok("exit")
    assert "ResourceNotFound" in shell.error_text("Enter-AzWebApp -ResourceGroupName myResourceGroup -Name nope")
    assert "not a function app" in shell.error_text(
        "Enter-AzFunctionApp -ResourceGroupName myResourceGroup -Name mywebapp4711")


def test_get_web_app_lists_and_pipeline(shell: Shell) -> None:
    shell.ok(CURRENT_WEB_APP)
    assert [o.get("Name") for o in shell.ok("Get-AzWebApp")] == ["mywebapp4711"]
    assert [o.get("Name") for o in shell.ok("Get-AzWebApp -ResourceGroupName myResourceGroup")] == ["mywebapp4711"]
    shell.ok("Get-AzWebApp -ResourceGroupName myResourceGroup -Name mywebapp4711 | Enter-AzWebApp")
    assert shell.session.services.current_host is not None


def test_web_app_names_are_global(shell: Shell) -> None:
    shell.ok(CURRENT_WEB_APP)
    shell.ok("New-AzResourceGroup -Name other -Location westus\nNew-AzAppServicePlan -Name p -ResourceGroupName other "
             "-Location westus -Tier Free")
    text = shell.error_text("New-AzWebApp -Name mywebapp4711 -ResourceGroupName other -AppServicePlan p")
    assert "Website with given name mywebapp4711 already exists." in text


def test_help_examples_aliases_and_completion(shell: Shell) -> None:
    from azshell.services.web import cmdlets as appservice

    for cls in appservice.COMMANDS:
        assert cls.synopsis and cls.description and cls.examples, cls.name
    for az, rm in (("New-AzAppServicePlan", "New-AzureRmAppServicePlan"), ("New-AzWebApp", "New-AzureRmWebApp"),
                   ("Set-AzWebApp", "Set-AzureRmWebApp"), ("Get-AzWebApp", "Get-AzureRmWebApp")):
        assert shell.session.registry.resolve(rm) is shell.session.registry.resolve(az)
    shell.ok(FUNCTION_PREFIX + FUNCTION_SYSTEM)
    shell.ok("New-AzAppServicePlan -Name plan9 -ResourceGroupName myResourceGroup -Location westus -Tier Free\n"
             "New-AzWebApp -Name webby9 -ResourceGroupName myResourceGroup -AppServicePlan plan9")
    complete = shell.session.services.complete_value
    assert complete("webapp", "") == ["webby9"]
    assert complete("functionapp", "my") == ["myfunc4711"]
    assert "plan9" in complete("app_service_plan", "")
    assert complete("storage_account", "myf") == ["myfuncstorage42"]
