"""``az`` inside the shell: the tutorials' commands, az's JSON, --query/--output, errors and exit codes."""

from __future__ import annotations

import importlib
import json
import sys
import types
from typing import Any

import pytest

from azshell.clock import FixedClock
from azshell.cmdlets.linux.az import AZ_VERSION, O_NAME, Az, AzCommandTable
from azshell.cmdlets.linux.azcli import ParsedArgs
from azshell.services.base import Service
from azshell.services.registry import default_registry, open_world
from azshell.world import World
from tests.cmdlets._shell import Shell as BaseShell

RG = "myResourceGroup"


class Shell(BaseShell):
    host_streams = ("host", "warning")

    def az(self, text: str, code: int = 0) -> Any:
        outs, host = self.ok_host(text)
        assert self.exit_code() == code, host
        text_out = "\n".join(str(o) for o in outs)
        return json.loads(text_out) if text_out.strip().startswith(("{", "[")) else text_out

    def az_error(self, text: str, code: int) -> str:
        outs, host = self.ok_host(text)
        assert outs == []
        assert self.exit_code() == code
        return "\n".join(host)


@pytest.fixture
def shell(world: World) -> Shell:
    s = Shell(world)
    s.az(f"az group create --name {RG} --location westus")
    return s


def test_login_lists_subscriptions(shell: Shell) -> None:
    subs = shell.az("az login")
    assert isinstance(subs, list) and subs[0]["id"] == shell.sub and subs[0]["isDefault"] is True
    assert subs[0]["user"]["type"] == "user" and subs[0]["cloudName"] == "AzureCloud"
    assert shell.az("az account show")["id"] == shell.sub


def test_group_commands(shell: Shell) -> None:
    group = shell.az(f"az group show -n {RG}")
    assert group == {"id": f"/subscriptions/{shell.sub}/resourceGroups/{RG}", "location": "westus",
                     "managedBy": None, "name": RG, "properties": {"provisioningState": "Succeeded"},
                     "tags": None, "type": "Microsoft.Resources/resourceGroups"}
    assert shell.az("az group list --query [].name -o tsv") == RG
    assert shell.az(f"az group exists -n {RG}") == "true"
    text = shell.az_error("az group show -n nope", 3)
    assert text.startswith("ERROR: (ResourceGroupNotFound) Resource group 'nope' could not be found.")
    shell.az(f"az group delete -n {RG} --yes")
    assert shell.az(f"az group exists -n {RG}") == "false"


def test_output_formats(shell: Shell) -> None:
    outs, _ = shell.ok_host(f"az group show -n {RG} -o tsv")
    assert outs == [f"/subscriptions/{shell.sub}/resourceGroups/{RG}\twestus\t\t{RG}\t\t\t"
                    "Microsoft.Resources/resourceGroups"]
    outs, _ = shell.ok_host(f"az group show -n {RG} -o table")
    assert outs[0].split() == ["Id", "Location", "ManagedBy", "Name", "Tags", "Type"][:len(outs[0].split())] or \
        outs[0].startswith("Id")
    assert set(outs[1].replace(" ", "")) == {"-"}
    outs, _ = shell.ok_host(f"az group show -n {RG} -o none")
    assert outs == []
    assert shell.az(f"az group show -n {RG} --query location -o json") == '"westus"'
    text = shell.az_error(f"az group show -n {RG} -o xml", 2)
    assert "invalid choice: 'xml'" in text


def test_usage_errors(shell: Shell) -> None:
    assert shell.az_error("az group create --location westus", 2) == \
        "ERROR: the following arguments are required: --name/-n"
    assert shell.az_error("az foo", 2) == "az: 'foo' is not in the 'az' command group. See 'az --help'."
    assert shell.az_error("az vm frob", 2).startswith("az vm: 'frob' is not in the 'az vm' command group.")
    assert "unrecognized arguments: --bogus" in shell.az_error(f"az group show -n {RG} --bogus 1", 2)
    assert "azure-cli" in shell.az("az --version")
    assert "Commands:" in shell.az("az -h")


def test_vm_create_identity_and_role(shell: Shell) -> None:
    vm = shell.az(f"az vm create --resource-group {RG} --name myVM --image win2016datacenter --generate-ssh-keys "
                  "--assign-identity --role contributor "
                  f"--scope /subscriptions/{shell.sub}/resourceGroups/{RG} --admin-username azureuser "
                  "--admin-password myPassword12")
    pid = vm["identity"]["systemAssignedIdentity"]
    assert pid and vm["powerState"] == "VM running" and vm["resourceGroup"] == RG
    roles = shell.az(f"az role assignment list --assignee {pid} --scope /subscriptions/{shell.sub}/resourceGroups/{RG}")
    assert [r["roleDefinitionName"] for r in roles] == ["Contributor"]
    ident = shell.az(f"az vm identity show -g {RG} -n myVM")
    assert ident["type"] == "SystemAssigned" and ident["principalId"] == pid
    assert shell.az(f"az vm show -g {RG} -n myVM --query identity.principalId -o tsv") == pid
    shell.ok_host(f"$x = az vm show -g {RG} -n myVM | ConvertFrom-Json")
    assert shell.ok_host("$x.identity.principalId")[0] == [pid]


def test_vm_password_and_role_usage(shell: Shell) -> None:
    assert "Password must have" in shell.az_error(
        f"az vm create -g {RG} -n v2 --image UbuntuLTS --admin-password aaaaaaaaaaaaaa", 1)
    assert "only applicable when assign system identity" in shell.az_error(
        f"az vm create -g {RG} -n v2 --image UbuntuLTS --assign-identity id1 --role Reader --scope /x", 2)


def test_user_assigned_identity_lifecycle(shell: Shell) -> None:
    uai = shell.az(f"az identity create -g {RG} -n myUserAssignedIdentity")
    assert set(uai) >= {"clientId", "clientSecretUrl", "id", "location", "name", "principalId", "resourceGroup",
                        "tags", "tenantId", "type"}
    assert uai["type"] == "Microsoft.ManagedIdentity/userAssignedIdentities" and uai["tags"] == {}
    shell.az(f"az vm create -g {RG} -n myVM --image UbuntuLTS --admin-username u --admin-password myPassword12")
    out = shell.az(f"az vm identity assign -g {RG} -n myVM --identities myUserAssignedIdentity")
    assert out["systemAssignedIdentity"] == "" or out["systemAssignedIdentity"]
    assert uai["id"].casefold() in {k.casefold() for k in out["userAssignedIdentities"]}
    shell.az(f"az vm identity assign -g {RG} -n myVM")
    ident = shell.az(f"az vm identity show -g {RG} -n myVM")
    assert ident["type"] == "SystemAssigned, UserAssigned"
    shell.az(f"az vm update -n myVM -g {RG} --set identity.type='UserAssigned'")
    assert shell.az(f"az vm identity show -g {RG} -n myVM --query type -o tsv") == "UserAssigned"
    shell.az(f"az vm identity remove -g {RG} -n myVM --identities myUserAssignedIdentity")
    assert shell.az(f"az vm identity show -g {RG} -n myVM --query type -o tsv") in ("", "None")
    shell.az(f"az vm identity assign -g {RG} -n myVM --identities myUserAssignedIdentity")
    shell.az(f"az vm update -n myVM -g {RG} --set identity.type='SystemAssigned' identity.userAssignedIdentities=null")
    assert shell.az(f"az vm identity show -g {RG} -n myVM --query type -o tsv") == "SystemAssigned"
    shell.az(f'az vm update -n myVM -g {RG} --set identity.type="none"')
    assert shell.az(f"az vm identity show -g {RG} -n myVM --query type -o tsv") in ("", "None")


def test_2017_assign_identity_and_extension_delete(shell: Shell) -> None:
    shell.az(f"az vm create -g {RG} -n myVM --image win2016datacenter --admin-username u --admin-password myPassword12")
    outs, host = shell.ok_host(f"az vm assign-identity -g {RG} -n myVM")
    assert any("deprecated" in h for h in host)
    exts = shell.az(f"az vm extension list -g {RG} --vm-name myVM --query [].name -o tsv")
    assert exts == "ManagedIdentityExtensionForWindows"
    shell.az(f"az vm extension delete --resource-group {RG} --vm-name myVM -n ManagedIdentityExtensionForWindows")
    assert shell.az(f"az vm extension list -g {RG} --vm-name myVM") == []


def test_role_assignment_create_list_delete(shell: Shell) -> None:
    uai = shell.az(f"az identity create -g {RG} -n id1")
    scope = f"/subscriptions/{shell.sub}/resourceGroups/{RG}"
    ra = shell.az(f"az role assignment create --assignee {uai['principalId']} --role Reader --scope {scope}")
    assert ra["principalId"] == uai["principalId"] and ra["scope"] == scope
    assert ra["principalType"] == "ServicePrincipal"
    listed = shell.az(f"az role assignment list --assignee {uai['principalId']} --all")
    assert [r["roleDefinitionName"] for r in listed] == ["Reader"]
    assert "already exists" in shell.az_error(
        f"az role assignment create --assignee-object-id {uai['principalId']} --role Reader --scope {scope}", 1)
    shell.az(f"az role assignment delete --assignee {uai['principalId']} --role Reader --scope {scope}")
    assert shell.az(f"az role assignment list --assignee {uai['principalId']} --all") == []
    assert shell.az_error(f"az role assignment create --assignee {uai['principalId']} --role Nope --scope {scope}",
                          1) == "ERROR: Role 'Nope' doesn't exist."


def test_access_token(shell: Shell) -> None:
    tok = shell.az("az account get-access-token")
    assert set(tok) == {"accessToken", "expiresOn", "expires_on", "subscription", "tenant", "tokenType"}
    assert tok["subscription"] == shell.sub and tok["tokenType"] == "Bearer"
    token = shell.az("az account get-access-token --resource-type ms-graph --query accessToken -o tsv")
    assert token.count(".") == 2
    assert "invalid choice" in shell.az_error("az account get-access-token --resource-type nope", 2)


def test_webapp_and_plan(shell: Shell) -> None:
    plan = shell.az(f"az appservice plan create --name myPlan --resource-group {RG} --sku S1")
    assert plan["sku"]["name"] == "S1"
    app = shell.az(f"az webapp create --name myApp-azsh --resource-group {RG} --plan myPlan")
    assert app["name"] == "myApp-azsh"
    ident = shell.az(f"az webapp identity assign --name myApp-azsh --resource-group {RG}")
    assert ident["type"] == "SystemAssigned" and ident["principalId"]


def test_login_identity_on_vm_and_authorization_failed(shell: Shell) -> None:
    vm = shell.az(f"az vm create -g {RG} -n myVM --image UbuntuLTS --assign-identity --admin-username u "
                  "--admin-password myPassword12")
    shell.ok_host(f"Enter-AzVM -ResourceGroupName {RG} -Name myVM")
    assert shell.az_error("az group list", 1) == "ERROR: Please run 'az login' to setup account."
    assert "No access was configured" in shell.az_error("az login --identity", 1)
    # IMDS refuses an identity the VM does not have: az prints the response object (Azure/azure-cli issue 17695)
    text = shell.az_error("az login --identity -u 00000000-0000-0000-0000-00000000abcd", 1)
    assert text.startswith("ERROR: Failed to connect to MSI. Please make sure MSI is configured correctly.\n"
                           "Get Token request returned: <Response [400]>"), text
    shell.ok_host("Exit-AzVM")
    shell.az(f"az role assignment create --assignee {vm['identity']['systemAssignedIdentity']} --role Reader "
             f"--scope /subscriptions/{shell.sub}/resourceGroups/{RG}")
    shell.ok_host(f"Enter-AzVM -ResourceGroupName {RG} -Name myVM")
    subs = shell.az("az login --identity")
    assert subs[0]["user"] == {"assignedIdentityInfo": "MSI", "name": "systemAssignedIdentity",
                               "type": "servicePrincipal"}
    assert shell.az(f"az group show -n {RG} --query name -o tsv") == RG
    text = shell.az_error("az group create -n other -l westus", 1)
    assert text.startswith("ERROR: (AuthorizationFailed) The client")
    assert "\nCode: AuthorizationFailed\nMessage: " in text
    # the last line is the runnable Test-AzAccess line, from the decision ARM attached to its answer
    oid = vm["identity"]["systemAssignedIdentity"]
    last = text.splitlines()[-1]
    assert last.startswith(f"To see why: Test-AzAccess -ObjectId {oid} -Uri 'https://management.azure.com"
                           f"/subscriptions/{shell.sub}/resourceGroups/other?api-version=") and \
        last.endswith("' -Method PUT"), text


def test_login_identity_off_vm(shell: Shell) -> None:
    text = shell.az_error("az login --identity", 1)
    assert text.startswith("ERROR: Failed to connect to MSI.") and "Enter-AzVM" in text
    # az's wording when the endpoint cannot be reached (Azure/azure-cli issues 19396, 20605)
    assert "and check the network connection.\nError detail: " in text, text




def test_keyvault_secret_set_show(shell: Shell) -> None:
    vault = shell.az(f"az keyvault create --name azshkv1 -g {RG} -l westus")
    assert vault["name"] == "azshkv1"
    secret = shell.az("az keyvault secret set --vault-name azshkv1 --name MyTestSecret --value p@ssw0rd!")
    assert secret["value"] == "p@ssw0rd!" and secret["name"] == "MyTestSecret"
    assert shell.az("az keyvault secret show --vault-name azshkv1 --name MyTestSecret --query value -o tsv") == \
        "p@ssw0rd!"
    assert shell.az_error("az keyvault secret show --vault-name nosuchvault9 --name x", 1).startswith("ERROR:")


# ------------------------------------------------------------------------------- groups come from the services
def _listed(outs: list[Any]) -> list[str]:
    """The names a group help lists (the indented lines after ``Commands:``)."""
    start = next(i for i, o in enumerate(outs) if str(o).endswith("ommands:"))
    return [str(o).strip() for o in outs[start + 1:] if str(o).startswith("    ")]


def test_help_lists_every_services_group(shell: Shell) -> None:
    outs, _ = shell.ok_host("az --help")
    assert _listed(outs) == ["account", "appservice", "deployment", "group", "identity", "keyvault", "login", "logout",
                             "resource", "role", "storage", "version", "vm", "vmss", "webapp"]
    outs, _ = shell.ok_host("az vm --help")
    assert _listed(outs) == ["assign-identity", "create", "delete", "extension", "identity", "list", "show",
                             "update"]
    outs, _ = shell.ok_host("az keyvault")
    assert _listed(outs) == ["create", "secret", "show"]
    assert shell.az("az version")["azure-cli"] == AZ_VERSION  # the one command of no service


def test_every_service_group_is_in_its_own_package() -> None:
    registry = default_registry()
    owners = {s.name: set(importlib.import_module(s.az).AZ_COMMANDS) for s in registry.services if s.az}
    first = {name: {k[0] for k in keys} for name, keys in owners.items()}
    assert first == {"entra": {"login", "logout", "account"}, "resources": {"group", "resource"},
                     "compute": {"vm", "vmss"},
                     "identity": {"identity"}, "authorization": {"role"}, "web": {"appservice", "webapp"},
                     "keyvault": {"keyvault"}, "storage": {"storage"}, "deployments": {"deployment"}}
    every = [k for keys in owners.values() for k in keys]
    assert len(every) == len(set(every)), "two services define the same az command"
    assert set(every) == set(registry.az_commands())


def test_a_new_service_adds_its_group(monkeypatch: pytest.MonkeyPatch, clock: FixedClock) -> None:
    from tests.conftest import TEST_KEYS

    def cmd_hello(az: Az, a: ParsedArgs) -> Any:
        return {"greeting": f"hello {a.get('name')}", "subscription": az.sub}

    table: AzCommandTable = {("fake", "hello"): ((O_NAME,), cmd_hello)}
    module = types.ModuleType("azshell_test_fake_az")
    module.AZ_COMMANDS = table  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, module.__name__, module)
    registry = default_registry().with_service(Service(name="fake", az=module.__name__))
    world = open_world(":memory:", clock=clock, signing_key=TEST_KEYS, registry=registry)
    try:
        shell = Shell(world)
        assert shell.az("az fake hello -n you") == {"greeting": "hello you", "subscription": shell.sub}
        assert "fake" in _listed(shell.ok_host("az --help")[0])
        assert shell.az("az group exists -n nothere") == "false"
        assert "the following arguments are required: --name/-n" in shell.az_error("az fake hello", 2)
    finally:
        world.close()


def test_role_definitions_are_read_once_per_call(shell: Shell) -> None:
    vm = shell.az(f"az vm create -g {RG} -n myVM --image win2016datacenter --assign-identity")
    pid = vm["identity"]["systemAssignedIdentity"]
    for role in ("Reader", "Contributor"):
        shell.az(f"az role assignment create --assignee-object-id {pid} --role {role} -g {RG}")
    world = shell.session.world
    seq = world.store.recent_events(None, 1)[-1].seq
    listed = shell.az(f"az role assignment list --assignee-object-id {pid} -g {RG} --role Reader")
    assert [a["roleDefinitionName"] for a in listed] == ["Reader"]
    listed = shell.az(f"az role assignment list --assignee-object-id {pid} -g {RG}")
    assert sorted(a["roleDefinitionName"] for a in listed) == ["Contributor", "Reader"]
    reads = [e for e in world.store.recent_events(None, 500)
             if e.seq > seq and e.kind == "http.request" and "roleDefinitions" in str(e.data.get("path"))]
    assert len(reads) == 2  # one per az call, however many roles it names

