"""Services: the Az context, tokens, host context, completion."""

from __future__ import annotations

import pytest

from azshell.cmdlets.context import NotSignedInError, Services, SignInError, decode_claims
from azshell.world import World


def test_default_context_is_admin_user(services: Services, world: World) -> None:
    ctx = services.context
    assert ctx.account is not None
    assert ctx.account.type == "User"
    assert ctx.account.id == world.admin_user.user_principal_name
    assert ctx.subscription_id == world.default_subscription_id
    assert ctx.tenant_id == world.tenant_id
    assert ctx.name.startswith(f"{ctx.subscription_name} ({ctx.subscription_id}) - ")


def test_user_token_is_cached_and_for_the_admin(services: Services, world: World) -> None:
    t1 = services.get_access_token()
    assert services.get_access_token() == t1
    claims = decode_claims(t1)
    assert claims["oid"] == world.admin_user.object_id
    assert claims["aud"] == "https://management.azure.com/"


def test_sign_out_then_no_token(services: Services) -> None:
    services.context  # noqa: B018 - signs in
    old = services.sign_out()
    assert old.account is not None
    with pytest.raises(NotSignedInError, match="Run Connect-AzAccount to login."):
        services.get_access_token()
    ctx = services.connect_user()
    assert ctx.account is not None and ctx.account.type == "User"


def test_identity_sign_in_off_host_fails_with_hint(services: Services) -> None:
    with pytest.raises(SignInError) as ei:
        services.connect_identity()
    assert "IMDS" in ei.value.message
    assert ei.value.hint and "Enter-AzVM" in ei.value.hint


def test_host_context_is_empty_and_separate(services: Services, world: World) -> None:
    off = services.context
    host = services.enter_host(f"/subscriptions/{world.default_subscription_id}/resourceGroups/rg/providers/"
                               "Microsoft.Compute/virtualMachines/myVM")
    assert host.name == "myVM" and host.resource_group == "rg"
    assert services.prompt() == "[myVM]: PS C:\\> "
    assert services.caller_context().host_id == host.resource_id
    assert services.context.account is None
    assert services.toolbar()["host"] == "myVM"
    assert services.exit_host() == host
    assert services.context is off
    assert services.caller_context().host_id is None
    assert services.prompt().startswith("PS ")


def test_host_env_overrides(services: Services) -> None:
    services.enter_host("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app", kind="webapp",
                        env={"IDENTITY_ENDPOINT": "http://localhost:4141/MSI/token"})
    assert services.env_overrides() == {"IDENTITY_ENDPOINT": "http://localhost:4141/MSI/token"}
    services.exit_host()
    assert services.env_overrides() == {}


def test_host_change_hook(services: Services) -> None:
    seen: list[object] = []
    services.on_host_change.append(seen.append)
    services.enter_host("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/v")
    services.exit_host()
    assert len(seen) == 2 and seen[1] is None


def test_complete_value(services: Services, world: World) -> None:
    assert services.complete_value("location", "westu") == ["westus2", "westus3", "westus"]
    assert services.complete_value("identity_type", "system") == ["SystemAssigned", "SystemAssignedUserAssigned"]
    assert "Reader" in services.complete_value("role", "Rea")
    assert services.complete_value("subscription", "Azure") == [services.context.subscription_name]
    assert services.complete_value("nope", "") == []
    assert world.admin_user.user_principal_name in services.complete_value("principal", "admin")
