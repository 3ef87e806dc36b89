"""The 401/403 hints and ``Test-AzAccess`` read the plane's decision: every 401 and every access 403 ends with a
runnable line, the line runs and explains; ``Test-AzAccess -Uri`` is a dry run that writes nothing; wrong scopes
and token mistakes are explained in plain English."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from azshell.auth.decision import DECISION_EXTENSION, AccessDecision
from azshell.clock import FixedClock
from azshell.http import EVENT_HTTP_REQUEST, make_client
from azshell.session import Session
from azshell.world import World

IMDS = "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource="
ARM = "https://management.azure.com"


class Sh:
    """A session over the test world with the helpers these tests need."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.session = Session(world=world)
        self.sub = world.default_subscription_id

    def run(self, text: str) -> tuple[list[Any], str]:
        r = self.session.execute(text)
        outs = [x.value for x in r.records if x.stream == "output"]
        errs = "\n".join(self.session.render_text(x) for x in r.records if x.stream == "error")
        return outs, errs

    def ok(self, text: str) -> list[Any]:
        outs, errs = self.run(text)
        assert not errs, errs
        return outs

    def error(self, text: str) -> str:
        outs, errs = self.run(text)
        assert errs, f"expected an error, got {outs!r}"
        return errs

    def pointer(self, text: str) -> str:
        """The runnable line an error ends with (``To see why:`` / ``To fix:``), checked to be the last line
        before the error record's position lines."""
        lines = [ln for ln in text.splitlines() if not ln.startswith(("At line:", "+ ", "    + "))]
        last = lines[-1]
        assert last.startswith(("To see why: ", "To fix: ")), text
        return last.split(": ", 1)[1]


@pytest.fixture
def sh(world: World) -> Iterator[Sh]:
    s = Sh(world)
    s.ok("New-AzResourceGroup rg1 westus | Out-Null\n"
         "New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus -IdentityType SystemAssigned | Out-Null\n"
         "$oid = (Get-AzVM -ResourceGroupName rg1 -Name vm1).Identity.PrincipalId")
    yield s


def on_vm(sh: Sh, resource: str = "https://management.azure.com/") -> None:
    sh.ok("Enter-AzVM -ResourceGroupName rg1 -Name vm1 | Out-Null\n"
          f"$r = Invoke-RestMethod '{IMDS}{resource}' -Headers @{{Metadata='true'}}\n$t = $r.access_token")


# ------------------------------------------------------------------------------------ the two disagreements
def test_reader_on_a_group_sees_the_subscription_and_test_azaccess_agrees(sh: Sh) -> None:
    sh.ok("New-AzRoleAssignment -ObjectId $oid -RoleDefinitionName Reader -ResourceGroupName rg1 | Out-Null")
    on_vm(sh)
    url = f"{ARM}/subscriptions/{sh.sub}?api-version=2022-12-01"
    assert sh.ok(f"(Invoke-WebRequest '{url}' -Headers @{{Authorization=\"Bearer $t\"}}).StatusCode") == [200]
    sh.ok("Connect-AzAccount -Identity | Out-Null")
    [d] = sh.ok(f"Test-AzAccess -Uri '{url}'")
    assert d.get("Allowed") is True and d.get("StatusCode") == 200
    assert "any principal with a role assignment at, above or below it" in d.get("Reason")
    assert d.get("Matched") == [f"Reader at /subscriptions/{sh.sub}/resourceGroups/rg1"]


def test_a_data_lake_403_ends_with_a_runnable_line_that_explains_the_acl(sh: Sh) -> None:
    sh.ok("New-AzDataLakeStoreAccount -ResourceGroupName rg1 -Name store1 -Location eastus2 | Out-Null\n"
          "New-AzDataLakeStoreItem -AccountName store1 -Path /folder -Folder | Out-Null")
    on_vm(sh, "https://datalake.azure.net/")
    text = sh.error("Invoke-WebRequest 'https://store1.azuredatalakestore.net/webhdfs/v1/folder?op=LISTSTATUS' "
                    "-Headers @{Authorization=\"Bearer $t\"}")
    assert "AccessControlException" in text and "403 (Forbidden)" in text
    line = sh.pointer(text)
    sh.ok("Exit-AzVM")
    [d] = sh.ok(line)
    assert d.get("Allowed") is False and d.get("Model") == "acl" and d.get("StatusCode") == 403
    assert "needs --x on / (a parent folder of /folder)" in d.get("Reason")
    assert d.get("Considered") == ["other::---"] and d.get("Missing") == "--x on /"
    assert d.get("Fix").startswith("Set-AzDataLakeStoreItemAclEntry -AccountName store1 -Path '/' -AceType User")
    sh.ok(str(d.get("Fix")) + " | Out-Null")
    [d2] = sh.ok(line)
    assert d2.get("Allowed") is False and "-Path '/folder'" in d2.get("Fix") and "ReadExecute" in d2.get("Fix")
    sh.ok(str(d2.get("Fix")) + " | Out-Null")
    [d3] = sh.ok(line)
    assert d3.get("Allowed") is True and d3.get("StatusCode") == 200
    # the Data Lake cmdlets show the same line
    sh.ok("New-AzDataLakeStoreItem -AccountName store1 -Path /private -Folder | Out-Null")
    sh.ok("Enter-AzVM -ResourceGroupName rg1 -Name vm1 | Out-Null\nConnect-AzAccount -Identity | Out-Null")
    text = sh.error("Get-AzDataLakeStoreChildItem -AccountName store1 -Path /private")
    assert sh.pointer(text).startswith("Test-AzAccess -ObjectId ")


# ------------------------------------------------------------------------------------------------- 401s
def _forged(token: str, **changes: Any) -> str:
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims.update(changes)
    return f"{head}.{base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip('=')}.{sig}"


def test_every_401_ends_with_a_runnable_line_that_names_the_mistake(sh: Sh, world: World, clock: FixedClock) -> None:
    on_vm(sh)
    oid = sh.ok("$oid")[0]
    sp = world.store.get_directory_object(oid)
    assert sp is not None
    url = f"{ARM}/subscriptions/{sh.sub}?api-version=2022-12-01"
    clock.advance(86400)
    future = world.tokens.issue_for_principal(principal=sp, resource="https://management.azure.com/",
                                              kind="managed_identity").access_token
    clock.advance(-86400)
    other_tenant = world.tokens.issue_for_principal(
        principal=replace(sp, tenant_id="00000000-0000-4000-8000-000000000001",
                          object_id="00000000-0000-4000-8000-000000000002"),
        resource="https://management.azure.com/", kind="managed_identity").access_token
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = json.loads(base64.urlsafe_b64decode(sh.ok("$t")[0].split(".")[1] + "=="))
    unknown_key = jwt.encode(claims, stranger, algorithm="RS256", headers={"kid": "not-a-tenant-key"})
    sh.ok(f"$future = '{future}'\n$foreign = '{other_tenant}'\n$unknown = '{unknown_key}'\n"
          f"$tampered = '{_forged(sh.ok('$t')[0], oid='00000000-0000-0000-0000-000000000000')}'\n"
          f"$kv = (Invoke-RestMethod '{IMDS}https://vault.azure.net' -Headers @{{Metadata='true'}}).access_token")
    cases = {
        '"Bearer $kv"': ("audience", "audience (aud) is https://vault.azure.net (Azure Key Vault)"),
        '"Bearer $future"': ("not_yet_valid", "not valid before"),
        '"Bearer $foreign"': ("tenant", "is from tenant 00000000-0000-4000-8000-000000000001"),
        '"Bearer $unknown"': ("unknown_key", "not-a-tenant-key"),
        '"Bearer $tampered"': ("signature", "changed after it was signed"),
        '"Bearer garbage"': ("not_jwt", "is not a JWT"),
        '"Bearer $r"': ("token_response", "whole token response"),
        '"$t"': ("not_bearer", "must start with 'Bearer '"),
        '"Bearer $missing"': ("empty", "followed by nothing"),
    }
    for header, (code, words) in cases.items():
        text = sh.error(f"Invoke-WebRequest '{url}' -Headers @{{Authorization={header}}}")
        assert "401 (Unauthorized)" in text, header
        hint = next(ln for ln in text.splitlines() if ln.startswith("Hint: "))
        assert words in hint, (header, hint)
        [d] = sh.ok(sh.pointer(text))
        assert d.get("Allowed") is False and d.get("TokenProblem") == code and d.get("StatusCode") == 401, header
        assert words in d.get("Reason") and d.get("Fix"), header
    # the token variable is named when the session holds it
    text = sh.error(f"Invoke-WebRequest '{url}' -Headers @{{Authorization=\"Bearer $kv\"}}")
    assert f"Test-AzAccess -Token $kv -Uri '{url}'" in text
    text = sh.error(f"Invoke-WebRequest '{url}'")
    assert "no Authorization header" in text and "-Authorization ''" in sh.pointer(text)
    clock.advance(3 * 86400)
    text = sh.error(f"Invoke-WebRequest '{url}' -Headers @{{Authorization=\"Bearer $t\"}}")
    assert "The token expired at" in text and sh.pointer(text).startswith("Test-AzAccess -Token $t ")
    [d] = sh.ok(sh.pointer(text))
    assert d.get("TokenProblem") == "expired" and "169.254.169.254" in d.get("Fix")


@pytest.mark.parametrize("url,resource", [
    ("https://kv1.vault.azure.net/secrets/s1?api-version=7.4", "https://vault.azure.net"),
    ("https://store1.azuredatalakestore.net/webhdfs/v1/?op=LISTSTATUS", "https://datalake.azure.net/"),
    ("https://graph.microsoft.com/v1.0/users", "https://graph.microsoft.com/"),
])
def test_401s_of_the_data_planes_and_graph_explain_the_audience(sh: Sh, url: str, resource: str) -> None:
    sh.ok("New-AzKeyVault -Name kv1 -ResourceGroupName rg1 -Location westus | Out-Null\n"
          "New-AzDataLakeStoreAccount -ResourceGroupName rg1 -Name store1 -Location eastus2 | Out-Null")
    on_vm(sh)  # an ARM token, sent to another service
    text = sh.error(f"Invoke-WebRequest '{url}' -Headers @{{Authorization=\"Bearer $t\"}}")
    assert "401 (Unauthorized)" in text
    assert f"get a token for resource={resource}" in text
    [d] = sh.ok(sh.pointer(text))
    assert d.get("TokenProblem") == "audience" and resource in d.get("Fix")


def test_app_service_identity_header_401_ends_with_the_fix(sh: Sh) -> None:
    sh.ok("New-AzAppServicePlan -ResourceGroupName rg1 -Name plan1 -Location westus -Tier Free | Out-Null\n"
          "New-AzWebApp -ResourceGroupName rg1 -Name app1 -Location westus -AppServicePlan plan1 | Out-Null\n"
          "Set-AzWebApp -ResourceGroupName rg1 -Name app1 -AssignIdentity $true | Out-Null\n"
          "Enter-AzWebApp -ResourceGroupName rg1 -Name app1 | Out-Null")
    text = sh.error('Invoke-RestMethod "$env:IDENTITY_ENDPOINT?resource=https://management.azure.com/&api-version='
                    '2019-08-01" -Headers @{"X-IDENTITY-HEADER" = "wrong"}')
    assert "401" in text and "is not this app's secret" in text
    token = sh.ok(sh.pointer(text))
    assert token and token[0].get("access_token")


# -------------------------------------------------------------------------------------------------- 403s
def test_wrong_scope_is_explained(sh: Sh) -> None:
    sh.ok("New-AzStorageAccount -ResourceGroupName rg1 -Name mystorage -Location westus -SkuName Standard_LRS "
          "| Out-Null\n"
          f"New-AzRoleAssignment -ObjectId $oid -RoleDefinitionName Reader -Scope /subscriptions/{sh.sub}/"
          "resourceGroups/rg1/providers/Microsoft.Storage/storageAccounts/mystorage | Out-Null")
    url = f"{ARM}/subscriptions/{sh.sub}/resourceGroups/rg1?api-version=2021-04-01"
    [d] = sh.ok(f"Test-AzAccess -ObjectId $oid -Uri '{url}'")
    assert d.get("Allowed") is False and d.get("Considered") == []
    assert ("Reader at …/providers/Microsoft.Storage/storageAccounts/mystorage (a child of this scope) does not "
            "cover the resource group") in d.get("Reason")
    [why] = d.get("NotInScope")
    assert why.startswith(f"Reader at /subscriptions/{sh.sub}/resourceGroups/rg1/providers/Microsoft.Storage/")
    text = sh.ok(f"Test-AzAccess -ObjectId $oid -Uri '{url}' | Out-String")[0]
    assert "Not in scope:" in text and "never above" in text and "Fix       : New-AzRoleAssignment" in text
    # the same from checkAccess (-Action/-Scope)
    [d] = sh.ok(f"Test-AzAccess -ObjectId $oid -Action Microsoft.Resources/subscriptions/resourceGroups/read "
                f"-Scope /subscriptions/{sh.sub}/resourceGroups/rg1")
    assert "(a child of this scope)" in d.get("Reason") and d.get("NotInScope") == [why]


def test_az_cmdlet_403s_point_at_the_decision(sh: Sh) -> None:
    sh.ok("New-AzRoleAssignment -ObjectId $oid -RoleDefinitionName Reader -ResourceGroupName rg1 | Out-Null\n"
          "Enter-AzVM -ResourceGroupName rg1 -Name vm1 | Out-Null\nConnect-AzAccount -Identity | Out-Null")
    read = sh.pointer(sh.error("Remove-AzResourceGroup -Name rg1 -Force"))
    assert read.startswith("Test-AzAccess -ObjectId ") and "-Uri 'https://management.azure.com/" in read
    write = sh.pointer(sh.error("New-AzResourceGroup -Name rg9 -Location westus"))
    assert "/resourcegroups/rg9?api-version=" in write.lower() and write.endswith("-Method PUT")
    sh.ok("Exit-AzVM")
    for line in (read, write):
        [d] = sh.ok(line)
        assert d.get("Allowed") is False and "Contributor" in d.get("Fix")


def test_key_vault_access_policy_decision(sh: Sh) -> None:
    sh.ok("New-AzKeyVault -Name kv1 -ResourceGroupName rg1 -Location westus -DisableRbacAuthorization | Out-Null\n"
          "Set-AzKeyVaultAccessPolicy -VaultName kv1 -ObjectId $oid -PermissionsToSecrets list | Out-Null\n"
          "Enter-AzVM -ResourceGroupName rg1 -Name vm1 | Out-Null\nConnect-AzAccount -Identity | Out-Null")
    line = sh.pointer(sh.error("Get-AzKeyVaultSecret -VaultName kv1 -Name s1"))
    sh.ok("Exit-AzVM")
    [d] = sh.ok(line)
    assert d.get("Model") == "access_policy" and d.get("Allowed") is False
    assert d.get("Considered")[0].endswith("secrets list")
    assert d.get("Fix").endswith("-PermissionsToSecrets get")
    sh.ok(d.get("Fix") + " | Out-Null")
    [d] = sh.ok(line)
    assert d.get("Allowed") is True and d.get("StatusCode") == 404  # allowed; the secret does not exist


# ------------------------------------------------------------------------------------------------ dry runs
def test_the_dry_run_writes_nothing_and_logs_nothing(sh: Sh, world: World) -> None:
    sh.ok("New-AzDataLakeStoreAccount -ResourceGroupName rg1 -Name store1 -Location eastus2 | Out-Null")
    def logged() -> list[str]:  # the account's own token for a service is a real token, issued as any cmdlet's
        return [e.kind for e in world.store.recent_events(None, limit=100_000) if e.kind != "token.issued"]

    before = logged()
    gen = world.store.generation()
    url = f"{ARM}/subscriptions/{sh.sub}/resourceGroups/rg1?api-version=2021-04-01"
    [d] = sh.ok(f"Test-AzAccess -Uri '{url}' -Method DELETE")
    assert d.get("Allowed") is True and d.get("StatusCode") == 202
    [d] = sh.ok("Test-AzAccess -Uri 'https://store1.azuredatalakestore.net/webhdfs/v1/made?op=MKDIRS' -Method PUT")
    assert d.get("Allowed") is True and d.get("StatusCode") == 200
    [d] = sh.ok(f"Test-AzAccess -Uri '{ARM}/subscriptions/{sh.sub}/resourceGroups/rg7?api-version=2021-04-01' "
                "-Method PUT -Body @{location='westus'}")
    assert d.get("StatusCode") == 201
    assert logged() == before  # no http.request, datalake.op, ... event
    assert world.store.generation() == gen
    assert world.store.get_resource_group(sh.sub, "rg1") is not None
    assert world.store.get_resource_group(sh.sub, "rg7") is None
    assert sh.ok("(Get-AzDataLakeStoreChildItem -AccountName store1 -Path /).Count") == [0]


def test_the_decision_rides_on_the_response_and_the_event(world: World, admin_token: str) -> None:
    with make_client(world) as client:
        r = client.get(f"{ARM}/subscriptions/{world.default_subscription_id}/resourceGroups?api-version=2021-04-01",
                       headers={"Authorization": f"Bearer {admin_token}"})
    d = r.extensions[DECISION_EXTENSION]
    assert isinstance(d, AccessDecision) and d.allowed and d.plane == "arm" and d.model == "rbac"
    assert not any("decision" in k.lower() for k in r.headers)
    [event] = world.store.recent_events(EVENT_HTTP_REQUEST, limit=1)
    assert event.data["decision"]["allowed"] is True and event.data["decision"]["model"] == "rbac"
    assert AccessDecision.from_dict(d.to_dict()) == d


def test_test_azaccess_refuses_token_and_principal_together(sh: Sh) -> None:
    text = sh.error(f"Test-AzAccess -ObjectId $oid -Token abc -Uri '{ARM}/subscriptions'")
    assert "not both" in text


def test_checking_another_principal_needs_role_assignment_read(sh: Sh) -> None:
    sh.ok("New-AzResourceGroup rg2 westus | Out-Null\n"
          "New-AzRoleAssignment -ObjectId $oid -RoleDefinitionName Reader -ResourceGroupName rg1 | Out-Null\n"
          "Enter-AzVM -ResourceGroupName rg1 -Name vm1 | Out-Null\nConnect-AzAccount -Identity | Out-Null")
    admin = sh.world.admin_user.object_id
    text = sh.error(f"Test-AzAccess -ObjectId {admin} -Uri '{ARM}/subscriptions/{sh.sub}/resourceGroups/rg2"
                    "?api-version=2021-04-01'")
    assert "needs Microsoft.Authorization/roleAssignments/read" in text
    [d] = sh.ok(f"Test-AzAccess -ObjectId $oid -Uri '{ARM}/subscriptions/{sh.sub}/resourceGroups/rg1"
                "?api-version=2021-04-01'")
    assert d.get("Allowed") is True


def test_store_dry_run_rolls_back_nested(world: World) -> None:
    store = world.store
    gen = store.generation()
    with store.rolled_back():
        assert store.generation() < 0
        world.backend.create_or_update_resource_group(world.default_subscription_id, "tmp", "westus", {})
        assert store.get_resource_group(world.default_subscription_id, "tmp") is not None
    assert store.get_resource_group(world.default_subscription_id, "tmp") is None
    assert store.generation() == gen
    with store.transaction():
        world.backend.create_or_update_resource_group(world.default_subscription_id, "kept", "westus", {})
        with store.rolled_back():
            world.backend.create_or_update_resource_group(world.default_subscription_id, "gone", "westus", {})
    assert store.get_resource_group(world.default_subscription_id, "kept") is not None
    assert store.get_resource_group(world.default_subscription_id, "gone") is None
    assert store.generation() == gen + 1


def test_httpx_client_over_the_real_transport_has_no_decision_without_a_plane_check(world: World) -> None:
    with make_client(world) as client:
        r = client.get("https://login.microsoftonline.com/common/discovery/keys")
    assert r.status_code == 200 and DECISION_EXTENSION not in r.extensions


def test_the_runnable_line_names_the_users_variable_not_an_automatic_one(sh: Sh) -> None:
    """``"Bearer $response"`` with a hashtable: $PSVersionTable stringifies the same, but the line names $response."""
    on_vm(sh)
    sh.ok("$response = @{access_token = $t}")
    err = sh.error(f"Invoke-RestMethod '{ARM}/subscriptions?api-version=2020-01-01' "
                   "-Headers @{Authorization=\"Bearer $response\"}")
    assert "System.Collections.Hashtable" in err
    assert sh.pointer(err).startswith('Test-AzAccess -Authorization "Bearer $response" ')


def test_test_azaccess_with_an_unset_token_variable_tests_an_empty_token(sh: Sh) -> None:
    """``-Token $nothing`` is what the user sent (``Bearer `` and nothing), not the signed-in account."""
    outs = sh.ok(f"Test-AzAccess -Token $nothing -Uri '{ARM}/subscriptions?api-version=2020-01-01'")
    assert outs[0].get("StatusCode") == 401 and outs[0].get("Allowed") is False
