"""One source of truth for access decisions: the plane's decision travels with its answer, and ``Test-AzAccess
-Uri`` (a dry run through the same plane code) agrees with the real call, on every plane that authorizes.

The property tests build a fresh tenant per example with random role assignments (built-in roles at subscription,
group, resource and child scopes, directly or through a group), Key Vault access policies, Data Lake ACLs, and a
random request with a random credential (the principal's token, or one of the everyday mistakes); then
``Test-AzAccess``'s verdict must be "denied" exactly when the real request answers 401 or an access 403, and its
dry run must answer the same status.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from typing import Any

import httpx
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from azshell.auth.decision import DECISION_EXTENSION, AccessDecision
from azshell.auth.resources import ARM_RESOURCE, DATA_LAKE_RESOURCE, GRAPH_RESOURCE, KEY_VAULT_RESOURCE
from azshell.clock import FixedClock
from azshell.http import make_client
from azshell.model.types import DirectoryObject
from azshell.services.datalake import model as dl
from azshell.services.keyvault import model as kv
from azshell.services.registry import open_world
from azshell.session import Session
from azshell.world import World
from tests.conftest import TEST_KEYS

ARM = "https://management.azure.com"
#: 120 examples a plane (a few seconds each); ``AZSHELL_ACCESS_EXAMPLES=5000`` searches harder, at random.
_EXAMPLES = os.environ.get("AZSHELL_ACCESS_EXAMPLES")
SETTINGS = settings(max_examples=int(_EXAMPLES or 120), deadline=None, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=_EXAMPLES is None)
EXAMPLE_GUID = "6f1e2d3c-4b5a-4978-8a6b-5c4d3e2f1a0b"


# ------------------------------------------------------------------------------------------------- the tenant
@dataclass
class Tenant:
    """A fresh world with: rg1 (vm1 with a system identity = the principal P, its extension ext1, storage st1,
    vault kv1, Data Lake store dl1), rg2 (uai1, vm2), a group G with P as member, and a user U."""

    world: World
    clock: FixedClock
    session: Session
    client: httpx.Client
    sub: str
    principal: DirectoryObject
    user: DirectoryObject
    group: str
    ids: dict[str, str] = field(default_factory=dict)

    def role(self, name: str) -> str:
        return next(d.id for d in self.world.rbac_index().definitions.values() if d.role_name == name)

    def assign(self, role: str, scope: str, to_group: bool = False) -> None:
        self.world.backend.create_role_assignment(
            scope=self.ids.get(scope, scope), role_definition_id=self.role(role),
            principal_id=self.group if to_group else self.principal.object_id)

    def token(self, who: DirectoryObject, resource: str) -> str:
        kind = "user" if who.object_type == "User" else "managed_identity"
        return self.world.tokens.issue_for_principal(principal=who, resource=resource, kind=kind).access_token  # type: ignore[arg-type]

    def expired_token(self, who: DirectoryObject, resource: str) -> str:
        self.clock.advance(-3 * 86400)
        try:
            return self.token(who, resource)
        finally:
            self.clock.advance(3 * 86400)

    def close(self) -> None:
        self.client.close()
        self.session.close()
        self.world.close()


def make_tenant() -> Tenant:
    clock = FixedClock(1_700_000_000.0)
    world = open_world(":memory:", clock=clock, signing_key=TEST_KEYS)
    backend, sub = world.backend, world.default_subscription_id
    for rg in ("rg1", "rg2"):
        backend.create_or_update_resource_group(sub, rg, "westus", {})
    vm = backend.create_or_update_vm(sub, "rg1", "vm1", "westus", identity_type="SystemAssigned")
    assert vm.identity is not None and vm.identity.principal_id
    principal = world.store.get_directory_object(vm.identity.principal_id)
    assert principal is not None
    backend.create_or_update_resource(sub, "rg1", "Microsoft.Compute/virtualMachines/extensions", "vm1/ext1",
                                      "westus")
    st_acct = backend.create_or_update_resource(sub, "rg1", "Microsoft.Storage/storageAccounts", "st1", "westus")
    uai = backend.create_or_update_user_assigned_identity(sub, "rg2", "uai1", "westus", {})
    group = backend.create_group("readers")
    backend.add_group_member(group.object_id, principal.object_id)
    user = backend.create_user("Ursula User", "ursula@azshell.onmicrosoft.com")
    rg1 = f"/subscriptions/{sub}/resourceGroups/rg1"
    session = Session(world=world)
    t = Tenant(world, clock, session, make_client(world), sub, principal, user, group.object_id)
    t.ids = {"sub": f"/subscriptions/{sub}", "rg1": rg1, "rg2": f"/subscriptions/{sub}/resourceGroups/rg2",
             "vm1": vm.id, "ext1": f"{vm.id}/extensions/ext1", "st1": st_acct.id, "uai1": uai.id}
    return t


# --------------------------------------------------------------------------------------------- the comparison
def verdict(t: Tenant, args: str) -> Any:
    """Run ``Test-AzAccess {args}`` in the admin's session; its one output object."""
    result = t.session.execute(f"Test-AzAccess {args}")
    errors = [t.session.render_text(r) for r in result.records if r.stream == "error"]
    assert not errors, errors
    [out] = [r.value for r in result.records if r.stream == "output"]
    return out


def is_access_failure(resp: httpx.Response) -> bool:
    """401, or a 403 that is about access (not Data Lake's "already exists"/"not empty" 403s)."""
    if resp.status_code == 401:
        return True
    if resp.status_code != 403:
        return False
    try:
        remote = resp.json().get("RemoteException")
    except ValueError:
        return True
    return not isinstance(remote, dict) or remote.get("exception") == "AccessControlException"


MISTAKES = ("audience", "expired", "garbage", "bare", "missing", "response", "forged")
#: Mostly the principal itself (its access is what varies); a valid header and each everyday mistake sometimes.
CREDENTIALS = ("principal",) * 10 + ("valid_header",) * 2 + MISTAKES


def credential(t: Tenant, kind: str, who: DirectoryObject, resource: str, other: str) -> tuple[str | None, str]:
    """(Authorization header of the real call, Test-AzAccess's credential arguments)."""
    if kind == "principal":
        return f"Bearer {t.token(who, resource)}", f"-ObjectId {who.object_id}"
    header: str | None
    if kind == "valid_header":
        header = f"Bearer {t.token(who, resource)}"
    elif kind == "audience":
        header = f"Bearer {t.token(who, other)}"
    elif kind == "expired":
        header = f"Bearer {t.expired_token(who, resource)}"
    elif kind == "garbage":
        header = "Bearer not-a-token"
    elif kind == "bare":
        header = t.token(who, resource)
    elif kind == "missing":
        header = None
    elif kind == "response":
        header = f"Bearer @{{access_token={t.token(who, resource)}; token_type=Bearer}}"
    else:  # forged: claims changed after signing
        head, body, sig = t.token(who, resource).split(".")
        claims = json.loads(base64.urlsafe_b64decode(body + "=="))
        claims["oid"] = t.user.object_id
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        header = f"Bearer {head}.{body}.{sig}"
    return header, f"-Authorization '{header or ''}'"


def compare(t: Tenant, method: str, url: str, body: Any, header: str | None, args: str) -> tuple[Any, httpx.Response]:
    """Test-AzAccess first (a dry run: it must leave nothing behind), then the real call; they must agree."""
    body_arg = f" -Body '{json.dumps(body)}'" if body is not None else ""
    d = verdict(t, f"{args} -Uri '{url}' -Method {method}{body_arg}")
    headers = {"Authorization": header} if header is not None else {}
    resp = t.client.request(method, url, headers=headers, json=body)
    denied = is_access_failure(resp)
    event(f"{method} {resp.status_code} {'denied' if denied else 'allowed' if d.get('Allowed') else 'undecided'}")
    assert (d.get("Allowed") is False) == denied, (method, url, resp.status_code, resp.text[:300], d.get("Reason"))
    assert d.get("StatusCode") == resp.status_code, (method, url, resp.text[:300], d.get("Reason"))
    decision = resp.extensions.get(DECISION_EXTENSION)
    if denied:
        assert isinstance(decision, AccessDecision) and not decision.allowed
        assert decision.reason == d.get("Reason")
    return d, resp


# ------------------------------------------------------------------------------------------------------- ARM
ARM_ROLES = ("Reader", "Contributor", "Owner", "Virtual Machine Contributor", "User Access Administrator",
             "Managed Identity Operator", "Key Vault Secrets User")
ARM_SCOPES = ("sub", "rg1", "rg2", "vm1", "ext1", "st1", "uai1")
ARM_REQUESTS: tuple[tuple[str, str, str, Any], ...] = (
    ("GET", "/subscriptions", "2022-12-01", None),
    ("GET", "{sub}", "2022-12-01", None),
    ("GET", "{sub}/resourcegroups", "2021-04-01", None),
    ("GET", "{rg1}", "2021-04-01", None),
    ("GET", "{rg2}", "2021-04-01", None),
    ("GET", "{sub}/resourceGroups/nope", "2021-04-01", None),
    ("PUT", "{sub}/resourceGroups/rg3", "2021-04-01", {"location": "westus"}),
    ("PATCH", "{rg1}", "2021-04-01", {"tags": {"a": "b"}}),
    ("DELETE", "{rg2}", "2021-04-01", None),
    ("GET", "{rg1}/resources", "2021-04-01", None),
    ("GET", "{sub}/resources", "2021-04-01", None),
    ("GET", "{vm1}", "2023-03-01", None),
    ("PUT", "{vm1}", "2023-03-01", {"location": "westus"}),
    ("DELETE", "{vm1}", "2023-03-01", None),
    ("GET", "{ext1}", "2023-03-01", None),
    ("GET", "{vm1}/extensions", "2023-03-01", None),
    ("GET", "{st1}", "2023-01-01", None),
    ("GET", "{rg1}/providers/Microsoft.Compute/virtualMachines", "2023-03-01", None),
    ("GET", "{sub}/providers/Microsoft.Compute/virtualMachines", "2023-03-01", None),
    ("GET", "{rg1}/providers/Microsoft.Authorization/roleAssignments", "2022-04-01", None),
    ("PUT", "{rg1}/providers/Microsoft.Authorization/roleAssignments/" + EXAMPLE_GUID, "2022-04-01", "assignment"),
    ("GET", "{rg1}/providers/Microsoft.Authorization/permissions", "2022-04-01", None),
    ("PUT", "{rg1}/providers/Microsoft.Compute/virtualMachines/vm2", "2023-03-01", "with_uai"),
    ("GET", "{sub}/resourceGroups/rg2/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai1",
     "2023-01-31", None),
)

assignment = st.tuples(st.sampled_from(ARM_ROLES), st.sampled_from(ARM_SCOPES), st.booleans())


@SETTINGS
@given(assignments=st.lists(assignment, max_size=3, unique_by=lambda a: (a[0], a[1], a[2])),
       request=st.sampled_from(ARM_REQUESTS), cred=st.sampled_from(CREDENTIALS))
def test_arm_test_azaccess_agrees_with_the_plane(assignments: list[tuple[str, str, bool]],
                                                  request: tuple[str, str, str, Any], cred: str) -> None:
    t = make_tenant()
    try:
        for role, scope, via_group in assignments:
            t.assign(role, scope, to_group=via_group)
        method, template, version, body = request
        path = template.format(**t.ids)
        if body == "assignment":
            body = {"properties": {"roleDefinitionId": f"/subscriptions/{t.sub}/providers/Microsoft.Authorization/"
                                                      f"roleDefinitions/{t.role('Reader')}",
                                   "principalId": t.user.object_id}}
        elif body == "with_uai":
            body = {"location": "westus", "identity": {"type": "UserAssigned",
                                                       "userAssignedIdentities": {t.ids["uai1"]: {}}}}
        header, args = credential(t, cred, t.principal, ARM_RESOURCE, KEY_VAULT_RESOURCE)
        compare(t, method, f"{ARM}{path}?api-version={version}", body, header, args)
    finally:
        t.close()


# ------------------------------------------------------------------------------------------------- Key Vault
KV_ROLES = ("Key Vault Secrets User", "Key Vault Secrets Officer", "Key Vault Administrator", "Key Vault Reader",
            "Reader", "Owner")
SECRET_PERMS = ("get", "list", "set", "delete", "recover", "purge", "backup", "restore", "all")
KV_REQUESTS: tuple[tuple[str, str, Any], ...] = (
    ("GET", "/secrets", None),
    ("GET", "/secrets/s1", None),
    ("GET", "/secrets/nope", None),
    ("PUT", "/secrets/s2", {"value": "v"}),
    ("PATCH", "/secrets/s1", {"contentType": "text/plain"}),
    ("DELETE", "/secrets/s1", None),
    ("GET", "/secrets/s1/versions", None),
    ("GET", "/deletedsecrets", None),
    ("GET", "/deletedsecrets/gone", None),
    ("POST", "/deletedsecrets/gone/recover", None),
    ("DELETE", "/deletedsecrets/gone", None),
)
policy = st.tuples(st.sampled_from(("principal", "group", "other")),
                   st.lists(st.sampled_from(SECRET_PERMS), max_size=3, unique=True), st.booleans())


@SETTINGS
@given(rbac=st.booleans(),
       assignments=st.lists(st.tuples(st.sampled_from(KV_ROLES), st.sampled_from(("sub", "rg1", "kv1", "secret")),
                                      st.booleans()), max_size=3, unique=True),
       policies=st.lists(policy, max_size=3), request=st.sampled_from(KV_REQUESTS),
       cred=st.sampled_from(CREDENTIALS))
def test_key_vault_test_azaccess_agrees_with_the_plane(rbac: bool, assignments: list[tuple[str, str, bool]],
                                                       policies: list[tuple[str, list[str], bool]],
                                                       request: tuple[str, str, Any], cred: str) -> None:
    t = make_tenant()
    try:
        world = t.world
        entries = []
        for who, perms, with_app in policies:
            oid = {"principal": t.principal.object_id, "group": t.group, "other": t.user.object_id}[who]
            entry: dict[str, Any] = {"tenantId": world.tenant_id, "objectId": oid, "permissions": {"secrets": perms}}
            if with_app:
                entry["applicationId"] = "00000000-0000-0000-0000-000000000001"
            entries.append(entry)
        vault = world.backend.create_or_update_resource(
            t.sub, "rg1", "Microsoft.KeyVault/vaults", "kv1", "westus",
            {"tenantId": world.tenant_id, "enableRbacAuthorization": rbac, "accessPolicies": entries,
             "softDeleteRetentionInDays": 90})
        t.ids.update(kv1=vault.id, secret=f"{vault.id}/secrets/s1")
        now = int(t.clock.now())
        kv.set_secret(world.store, "kv1", "s1", "hello", now=now)
        kv.set_secret(world.store, "kv1", "gone", "bye", now=now)
        kv.delete_secret(world.store, "kv1", "gone", now=now, retention_days=90)
        for role, scope, via_group in assignments:
            t.assign(role, scope, to_group=via_group)
        method, path, body = request
        header, args = credential(t, cred, t.principal, KEY_VAULT_RESOURCE, ARM_RESOURCE)
        compare(t, method, f"https://kv1.vault.azure.net{path}?api-version=7.4", body, header, args)
    finally:
        t.close()


# ------------------------------------------------------------------------------------------------- Data Lake
DL_PATHS = ("/", "/a", "/a/b", "/a/f.txt")
DL_REQUESTS: tuple[tuple[str, str, str, str], ...] = (
    ("GET", "/a", "LISTSTATUS", ""),
    ("GET", "/a/b", "LISTSTATUS", ""),
    ("GET", "/a/b", "GETFILESTATUS", ""),
    ("GET", "/a/f.txt", "OPEN", ""),
    ("GET", "/a", "GETACLSTATUS", ""),
    ("GET", "/nope/x", "GETFILESTATUS", ""),
    ("PUT", "/a/new", "MKDIRS", ""),
    ("PUT", "/a/b/deep/er", "MKDIRS", ""),
    ("PUT", "/a/g.txt", "CREATE", "&write=true"),
    ("PUT", "/a/f.txt", "CREATE", "&write=true&overwrite=true"),
    ("PUT", "/a/g.txt", "CREATE", ""),
    ("POST", "/a/f.txt", "APPEND", "&write=true"),
    ("DELETE", "/a/b", "DELETE", "&recursive=true"),
    ("DELETE", "/a", "DELETE", ""),
    ("PUT", "/a/f.txt", "RENAME", "&destination=/a/b/f.txt"),
    ("PUT", "/a", "SETACL", "&aclspec=user::rwx,group::r-x,other::---"),
    ("PUT", "/a/b", "SETPERMISSION", "&permission=755"),
    ("PUT", "/a", "SETOWNER", "&owner=someone"),
)
acl_spec = st.tuples(st.sampled_from(("principal", "admin")), st.integers(0, 7),
                     st.sampled_from((None, 0, 1, 4, 5, 7)), st.sampled_from((None, 1, 5, 7)), st.integers(0, 7),
                     st.integers(0, 7))


@SETTINGS
@given(acls=st.fixed_dictionaries({p: acl_spec for p in DL_PATHS}), owner_role=st.booleans(),
       reader=st.booleans(), request=st.sampled_from(DL_REQUESTS), cred=st.sampled_from(CREDENTIALS))
def test_data_lake_test_azaccess_agrees_with_the_plane(acls: dict[str, tuple[str, int, int | None, int | None, int,
                                                                            int]],
                                                       owner_role: bool, reader: bool,
                                                       request: tuple[str, str, str, str], cred: str) -> None:
    t = make_tenant()
    try:
        world = t.world
        account = world.backend.create_or_update_resource(t.sub, "rg1", "Microsoft.DataLakeStore/accounts", "dl1",
                                                          "eastus2", {"accountId": "11111111-2222-4333-8444-555555555555"})
        store_id = str(account.properties["accountId"])
        admin = world.admin_user.object_id
        me = t.principal.object_id
        for path, (owner, user_bits, named_user, named_group, group_bits, other_bits) in acls.items():
            entries = [dl.AclEntry("user", "", user_bits)]
            if named_user is not None:
                entries.append(dl.AclEntry("user", me, named_user))
            entries.append(dl.AclEntry("group", "", group_bits))
            if named_group is not None:
                entries.append(dl.AclEntry("group", t.group, named_group))
            if named_user is not None or named_group is not None:
                entries.append(dl.AclEntry("mask", "", 7 if (user_bits + other_bits) % 2 else 5))
            entries.append(dl.AclEntry("other", "", other_bits))
            kind = dl.FILE if path.endswith(".txt") else dl.DIRECTORY
            dl.put_entry(world.store, dl.PathEntry(
                store_id=store_id, path=path, kind=kind, owner=me if owner == "principal" else admin, group=admin,
                acl=tuple(entries), default_acl=(), content=b"data" if kind == dl.FILE else b"",
                mtime_ms=0, atime_ms=0))
        t.ids["dl1"] = account.id
        if owner_role:
            t.assign("Owner", "dl1")
        if reader:
            t.assign("Reader", "rg1")
        method, path, op, extra = request
        header, args = credential(t, cred, t.principal, DATA_LAKE_RESOURCE, ARM_RESOURCE)
        url = f"https://dl1.azuredatalakestore.net/webhdfs/v1{path}?op={op}{extra}"
        compare(t, method, url, None, header, args)
    finally:
        t.close()


# ------------------------------------------------------------------------------------------------------ Graph
GRAPH_REQUESTS: tuple[tuple[str, str, Any], ...] = (
    ("GET", "/v1.0/users", None),
    ("GET", "/v1.0/groups", None),
    ("GET", "/v1.0/me", None),
    ("GET", "/v1.0/servicePrincipals", None),
    ("GET", "/v1.0/groups/{group}/members", None),
    ("POST", "/v1.0/groups", {"displayName": "g2", "mailNickname": "g2"}),
    ("POST", "/v1.0/groups/{group}/members/$ref", "member"),
    ("GET", "/v1.0/directoryObjects/{group}", None),
)


@SETTINGS
@given(as_user=st.booleans(), request=st.sampled_from(GRAPH_REQUESTS), cred=st.sampled_from(CREDENTIALS))
def test_graph_test_azaccess_agrees_with_the_plane(as_user: bool, request: tuple[str, str, Any], cred: str) -> None:
    t = make_tenant()
    try:
        who = t.user if as_user else t.principal
        method, template, body = request
        if body == "member":
            body = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{t.user.object_id}"}
        header, args = credential(t, cred, who, GRAPH_RESOURCE, ARM_RESOURCE)
        compare(t, method, f"https://graph.microsoft.com{template.format(group=t.group)}", body, header, args)
    finally:
        t.close()
