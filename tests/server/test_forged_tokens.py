"""A forged-token battery against every bearer-token plane of ``azshell serve``, over real sockets and TLS.

Each forgery starts from a genuine token of the tenant's admin (Owner on the subscription, "all" on the vault,
owner of the Data Lake root, a Graph writer), so a plane that skipped any check would let it write. Every
forgery must get that plane's 401 — never 2xx, never 5xx — and the state file must not change at all
(``store.generation()`` is bumped by every write transaction). The login plane is public (discovery, JWKS and
its token endpoint authenticate by other means), so it is not in the battery.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from azshell.server import AzShellServer
from azshell.server.ca import LocalCA

from .conftest import ARM, RG_API, Tenant
from .test_real_clients import DATA_LAKE, KV_RESOURCE, Services, seed_services

GRAPH_RESOURCE = "https://graph.microsoft.com/"
OTHER_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(obj: Any) -> str:
    return b64(json.dumps(obj, separators=(",", ":")).encode())


def unb64(text: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


@cache
def stranger_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def rs_sign(key: rsa.RSAPrivateKey, header: dict[str, Any], claims: dict[str, Any],
            algorithm: hashes.HashAlgorithm | None = None) -> str:
    signing_input = f"{b64json(header)}.{b64json(claims)}"
    sig = key.sign(signing_input.encode(), padding.PKCS1v15(), algorithm or hashes.SHA256())
    return f"{signing_input}.{b64(sig)}"


def forgeries(genuine: str, world_key: rsa.RSAPrivateKey, other_aud: str) -> dict[str, str]:
    """Named forged tokens derived from ``genuine`` (signed by the world as ``world_key``)."""
    h64, c64, s64 = genuine.split(".")
    header, claims = unb64(h64), unb64(c64)
    now = int(time.time())
    public_pem = world_key.public_key().public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo)

    def signed(**changes: Any) -> str:
        return rs_sign(world_key, header, {**claims, **changes})

    hs_header = {**header, "alg": "HS256"}
    hs_input = f"{b64json(hs_header)}.{c64}"
    hs_sig = hmac.new(public_pem, hs_input.encode(), hashlib.sha256).digest()
    none_header = {**header, "alg": "none"}
    return {
        "alg none, no signature": f"{b64json(none_header)}.{c64}.",
        "alg none, original signature": f"{b64json(none_header)}.{c64}.{s64}",
        "alg None (capitalised)": f"{b64json({**header, 'alg': 'None'})}.{c64}.",
        "HS256 keyed with the public key": f"{hs_input}.{b64(hs_sig)}",
        "RS512 with the world's key": rs_sign(world_key, {**header, "alg": "RS512"}, claims, hashes.SHA512()),
        "wrong key, same kid": rs_sign(stranger_key(), header, claims),
        "wrong key, unknown kid": rs_sign(stranger_key(), {**header, "kid": "forged", "x5t": "forged"}, claims),
        "no kid": rs_sign(world_key, {"typ": "JWT", "alg": "RS256"}, claims),
        "claims tampered, signature kept": f"{h64}.{b64json({**claims, 'exp': claims['exp'] + 86400})}.{s64}",
        "expired": signed(iat=now - 7200, nbf=now - 7200, exp=now - 3600),
        "not yet valid": signed(iat=now + 3600, nbf=now + 3600, exp=now + 7200),
        "exp as a string": signed(exp=str(claims["exp"])),
        "no exp": rs_sign(world_key, header, {k: v for k, v in claims.items() if k != "exp"}),
        "wrong audience": signed(aud=other_aud),
        "audience list": signed(aud=[claims["aud"]]),
        "wrong issuer": signed(iss="https://sts.windows.net/" + OTHER_TENANT + "/"),
        "wrong tenant (iss and tid)": signed(iss="https://sts.windows.net/" + OTHER_TENANT + "/", tid=OTHER_TENANT),
        "v2 issuer": signed(iss=f"https://login.microsoftonline.com/{claims['tid']}/v2.0"),
        "truncated signature": genuine[:-12],
        "signature removed": f"{h64}.{c64}.",
        "two segments": f"{h64}.{c64}",
        "header only": h64,
        "garbage": "garbage",
        "garbage segments": "a.b.c",
        "not base64": "%%%.###.$$$",
        "huge": "A" * 6000 + "." + "B" * 6000 + "." + "C" * 600,
        "json not object": f"{b64json([1])}.{b64json('x')}.{s64}",
        "empty": "",
    }


@dataclass
class Plane:
    name: str
    resource: str
    write: Callable[[httpx.Client, dict[str, str]], httpx.Response]
    read: Callable[[httpx.Client, dict[str, str]], httpx.Response]


@pytest.fixture
def battery(server: AzShellServer, tenant: Tenant, ca: LocalCA) -> Iterator[tuple[Services, list[Plane]]]:
    svc = seed_services(tenant)
    sub = tenant.subscription_id
    kv = svc.policy_vault_url
    lake = f"https://{svc.store}.azuredatalakestore.net/webhdfs/v1"
    planes = [
        Plane("arm", "https://management.azure.com/",
              lambda c, h: c.put(f"{ARM}/subscriptions/{sub}/resourceGroups/forged", params={"api-version": RG_API},
                                 json={"location": "westus"}, headers=h),
              lambda c, h: c.get(f"{ARM}{tenant.rg_id}", params={"api-version": RG_API}, headers=h)),
        Plane("keyvault", KV_RESOURCE,
              lambda c, h: c.put(f"{kv}/secrets/forged", params={"api-version": "7.4"}, json={"value": "x"},
                                 headers=h),
              lambda c, h: c.get(f"{kv}/secrets", params={"api-version": "7.4"}, headers=h)),
        Plane("datalake", DATA_LAKE,
              lambda c, h: c.put(f"{lake}/forged", params={"op": "CREATE", "write": "true"}, content=b"x",
                                 headers=h),
              lambda c, h: c.get(f"{lake}/", params={"op": "LISTSTATUS"}, headers=h)),
        Plane("graph", GRAPH_RESOURCE,
              lambda c, h: c.post("https://graph.microsoft.com/v1.0/groups", headers=h,
                                  json={"displayName": "forged", "mailNickname": "forged", "securityEnabled": True,
                                        "mailEnabled": False}),
              lambda c, h: c.get("https://graph.microsoft.com/v1.0/me", headers=h)),
    ]
    yield svc, planes


def test_forged_tokens_get_401_and_change_nothing(battery: tuple[Services, list[Plane]], server: AzShellServer,
                                                  tenant: Tenant, ca: LocalCA) -> None:
    _, planes = battery
    world = tenant.world
    world_key = world.tokens.key_ring().active.private_key
    admin = world.admin_user
    trust = ssl.create_default_context(cafile=ca.cert_path)
    genuine = {p.name: world.tokens.issue_for_principal(principal=admin, resource=p.resource, kind="user").access_token
               for p in planes}
    failures: list[str] = []
    with httpx.Client(proxy=server.url, verify=trust, trust_env=False, timeout=10) as client:
        for p in planes:  # positive control: the genuine token is accepted
            r = p.read(client, {"Authorization": f"Bearer {genuine[p.name]}"})
            assert r.status_code == 200, (p.name, r.status_code, r.text[:300])
        generation = world.store.generation()
        tried = 0
        for p in planes:
            other = KV_RESOURCE if p.resource != KV_RESOURCE else "https://management.azure.com/"
            cases = forgeries(genuine[p.name], world_key, other)
            cases["no Authorization header"] = "<none>"
            cases["Basic scheme"] = "<basic>"
            for label, token in cases.items():
                if token == "<none>":
                    headers: dict[str, str] = {}
                elif token == "<basic>":
                    headers = {"Authorization": "Basic " + b64(b"admin:admin")}
                else:  # (an empty token is sent as a bare "Bearer": h11 refuses trailing blanks)
                    headers = {"Authorization": f"Bearer {token}".strip()}
                for kind, call in (("write", p.write), ("read", p.read)):
                    tried += 1
                    r = call(client, headers)
                    if r.status_code != 401:
                        failures.append(f"{p.name} {kind} [{label}]: {r.status_code} {r.text[:200]}")
                        continue
                    if p.name == "keyvault":
                        assert r.headers["WWW-Authenticate"].startswith("Bearer authorization=")
                    elif p.name == "datalake":
                        assert "RemoteException" in r.json() or r.json()
                    else:
                        assert r.json()["error"]["code"], r.text
        assert not failures, "\n".join(failures)
        assert tried >= 4 * 2 * 28
        assert world.store.generation() == generation, "a forged token changed the state"
        # the server still serves, and nothing the writes named exists
        assert planes[0].read(client, {"Authorization": f"Bearer {genuine['arm']}"}).status_code == 200
        gone = client.get(f"{ARM}/subscriptions/{tenant.subscription_id}/resourceGroups/forged",
                          params={"api-version": RG_API}, headers={"Authorization": f"Bearer {genuine['arm']}"})
        assert gone.status_code == 404
