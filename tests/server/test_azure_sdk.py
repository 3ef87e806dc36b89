"""The unmodified Azure SDK for Python against ``azshell serve`` (marked slow; skipped without azure-identity)."""

from __future__ import annotations

import pytest

from azshell.server import AzShellServer
from azshell.server.ca import LocalCA
from tests.conftest import require_module

from .conftest import ARM, RG_API, Tenant, jwt_claims, use_serve_env

pytestmark = pytest.mark.slow


@pytest.fixture
def sdk_env(monkeypatch: pytest.MonkeyPatch, server: AzShellServer, ca: LocalCA) -> AzShellServer:
    """The environment ``azshell serve`` prints, on a scrubbed copy of this process's environment."""
    return use_serve_env(monkeypatch, server, ca)


def test_managed_identity_credential_then_arm(sdk_env: AzShellServer, tenant: Tenant) -> None:
    identity = require_module("azure.identity")
    from azure.core import PipelineClient
    from azure.core.pipeline.policies import BearerTokenCredentialPolicy, RetryPolicy
    from azure.core.rest import HttpRequest

    credential = identity.ManagedIdentityCredential()
    token = credential.get_token("https://management.azure.com/.default")
    assert token.expires_on > 0
    assert jwt_claims(token.token)["oid"] == tenant.principal_id

    from azure.core.rest import HttpResponse

    client: PipelineClient[HttpRequest, HttpResponse] = PipelineClient(
        base_url=ARM,
        policies=[RetryPolicy(retry_total=0),
                  BearerTokenCredentialPolicy(credential, "https://management.azure.com/.default")],
    )
    with client:
        response = client.send_request(HttpRequest("GET", f"{ARM}{tenant.rg_id}", params={"api-version": RG_API}))
        assert response.status_code == 200, response.text()
        assert response.json()["name"] == "rg1"
        denied = client.send_request(HttpRequest("GET", f"{ARM}/subscriptions/{tenant.subscription_id}"
                                                 "/resourceGroups/other", params={"api-version": RG_API}))
        assert denied.status_code == 403
        assert denied.json()["error"]["code"] == "AuthorizationFailed"


def test_msal_managed_identity_client(sdk_env: AzShellServer, tenant: Tenant) -> None:
    msal = require_module("msal")
    import requests

    client = msal.ManagedIdentityClient(msal.SystemAssignedManagedIdentity(), http_client=requests.Session())
    result = client.acquire_token_for_client(resource="https://vault.azure.net")
    assert "access_token" in result, result
    assert jwt_claims(result["access_token"])["aud"] == "https://vault.azure.net"
