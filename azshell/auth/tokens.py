"""The token service: Azure AD v1 access tokens for managed identities and users, and their verification.

Tokens are compact JWS, RS256, header ``{"typ":"JWT","alg":"RS256","x5t":kid,"kid":kid}``, with the claims
real managed-identity tokens carry (msi-tutorials-and-token-endpoints.md §4). Like Entra, ``iat``/``nbf`` are
back-dated five minutes and ``aud`` is the resource exactly as requested.

Example::

    tokens = TokenService(store, clock)
    issued = tokens.issue_for_principal(principal=sp, resource="https://management.azure.com/",
                                        kind="managed_identity")
    claims = tokens.verify(issued.access_token, audiences=ARM_AUDIENCES)

Caching follows the local MSI subsystem: the same token is returned for the same identity and resource until
five minutes before it expires (``IssuedToken.cached`` tells). Only minted tokens append a ``token.issued``
event, as only real issuance shows in Entra's sign-in logs.

Tokens are signed with PyJWT (``jwt.encode`` with the ring's already-parsed ``cryptography`` key, so no PEM
is parsed per token) and verified with ``jwt.decode`` against a ``jwt.PyJWK`` built once per ``kid`` from the
published JWKS entry (cached per service, never per module). PyJWT checks the signature, the issuer, the
audience and the required claims; its exceptions map onto the ``azshell.auth.errors`` leaves so every Azure
401 stays as it was. ``exp``/``nbf`` are checked against the injected clock, not by PyJWT, which reads the
wall clock (``datetime.now()``): ``FixedClock`` lets tests run at a fixed time and move it to make tokens expire.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import threading
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, Protocol

import jwt

from azshell.auth.errors import (
    ExpiredTokenError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignatureError,
    MalformedTokenError,
    NotYetValidError,
    UnknownKeyError,
    UnsupportedAlgorithmError,
    WrongTenantError,
)
from azshell.auth.keys import KeyFactory, KeyRing, LoadedKey, b64url
from azshell.auth.resources import resolve_resource
from azshell.clock import Clock
from azshell.hostnames import (
    AAD_GRAPH_HOST,
    GRAPH_HOST,
    GRAPH_USERINFO_URL,
    LOGIN_AUTHORITY,
    LOGIN_V2_ISSUER_TEMPLATE,
    STS_ISSUER_TEMPLATE,
)
from azshell.ids import IdSource
from azshell.model.types import DirectoryObject, SigningKeyRecord, Tenant

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.types import Options

__all__ = [
    "AZURE_CLI_APP_ID",
    "AZURE_POWERSHELL_APP_ID",
    "CLOCK_SKEW_SECONDS",
    "EVENT_TOKEN_ISSUED",
    "IssuedToken",
    "MI_TOKEN_LIFETIME_SECONDS",
    "TokenKind",
    "TokenService",
    "TokenStore",
    "USER_TOKEN_LIFETIME_SECONDS",
    "sts_issuer",
]

TOKEN_TYPE_BEARER = "Bearer"
JWT_ALG = "RS256"
#: What ``jwt.decode`` accepts: RS256 only, fixed here and never taken from the token (RFC 8725 §2.1).
JWT_ALGORITHMS = (JWT_ALG,)
JWT_TYP = "JWT"
TOKEN_VERSION = "1.0"
#: Azure PowerShell's well-known public client ID (the ``appid`` of a user's Az PowerShell token, and of a user
#: token whose request named no client).
AZURE_POWERSHELL_APP_ID = "1950a258-227b-4e31-a9cf-717495945fc2"
#: The Azure CLI's well-known public client ID (``az login``, and azure-identity's default public client).
AZURE_CLI_APP_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
USER_SCOPE = "user_impersonation"
EVENT_TOKEN_ISSUED = "token.issued"

#: Managed-identity tokens live ~24 h; user tokens ~75 min; both back-date iat/nbf by 5 minutes.
MI_TOKEN_LIFETIME_SECONDS = 86400
USER_TOKEN_LIFETIME_SECONDS = 4500
BACKDATE_SECONDS = 300
#: Cached tokens are handed out until this many seconds before expiry (MSAL and the MSI subsystem: 5 min).
CACHE_REFRESH_MARGIN_SECONDS = 300
CLOCK_SKEW_SECONDS = 300
#: Tokens whose signature, issuer and audience PyJWT has verified, remembered per service (clients reuse a token
#: for up to an hour, and PyJWT's strict base64url scan dominates a verify); oldest dropped first.
VERIFIED_TOKEN_CACHE_SIZE = 256

TokenKind = Literal["managed_identity", "user"]


def sts_issuer(tenant_id: str) -> str:
    """The v1 issuer ``https://sts.windows.net/{tenant}/``."""
    return STS_ISSUER_TEMPLATE.format(tenant=tenant_id)


class TokenStore(Protocol):
    """What the token service needs from ``azshell.model.store.Store``."""

    def get_tenant(self) -> Tenant: ...

    def list_signing_keys(self, tenant_id: str) -> Sequence[SigningKeyRecord]: ...

    def put_signing_key(self, key: SigningKeyRecord) -> None: ...

    def append_event(self, kind: str, data: dict[str, Any]) -> Any: ...


@dataclass(frozen=True)
class IssuedToken:
    """A token as the token endpoints hand it out (numbers as ints; the planes stringify)."""

    access_token: str
    expires_on: int
    expires_in: int
    not_before: int
    resource: str
    token_type: str
    client_id: str
    cached: bool = False
    claims: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def ext_expires_in(self) -> int:
        return self.expires_in


def _b64url_decode(segment: str) -> bytes:
    if not segment or any(c in segment for c in "+/= \t\r\n"):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _opaque(nbytes: int, ids: IdSource | None = None) -> str:
    """``nbytes`` random bytes, base64url (``aio``, ``uti``, ``rh``): from the store's id source when it has one
    (``--seed`` makes them reproducible), else the OS."""
    return b64url(ids.bytes(nbytes) if ids is not None else os.urandom(nbytes))


def _mirid(resource_id: str) -> str:
    """``xms_mirid`` writes ``resourcegroups`` in lower case, as Entra does; the rest keeps its spelling."""
    parts = resource_id.split("/")
    return "/".join("resourcegroups" if p.lower() == "resourcegroups" else p for p in parts)


class TokenService:
    """Issues and verifies access tokens for the store's tenant.

    Arguments:
        store: the model store (tenant, signing keys, events).
        clock: the injected clock; every time claim comes from it.
        key_factory: optional source of RSA keys (tests inject pre-made ones; default generates).
    """

    def __init__(self, store: TokenStore, clock: Clock, *, key_factory: KeyFactory | None = None) -> None:
        self.store = store
        self.clock = clock
        self._key_factory = key_factory
        #: where token ids come from (``Store.ids``; a bare ``TokenStore`` without one uses the OS)
        self._ids: IdSource | None = getattr(store, "ids", None)
        self._rings: dict[str, KeyRing] = {}
        self._cache: dict[tuple[str, str, str, str, str], tuple[IssuedToken, str]] = {}
        self._tenant: Tenant | None = None
        # kid -> (the ring's public key object, the PyJWK built from its JWKS entry); rebuilt if the key changes.
        self._verify_keys: dict[str, tuple[rsa.RSAPublicKey, jwt.PyJWK]] = {}
        # token -> (kid, the public key that verified it, its claims): what jwt.decode established for the token.
        # The server verifies on several threads: changes (insert, evict, forget) hold the lock; lookups need not.
        self._verified: dict[str, tuple[str, rsa.RSAPublicKey, dict[str, Any]]] = {}
        self._verified_lock = threading.Lock()
        # PyJWT checks signature, iss (with iss/tid required) and aud; exp/nbf go by the injected clock instead,
        # and sub/jti/iat are not Azure's checks. Built per service: PyJWT copies options, never mutates them.
        self._decode_options: Options = {
            "require": ["iss", "tid"],
            "verify_signature": True,
            "verify_iss": True,
            "verify_aud": True,
            "verify_exp": False,
            "verify_nbf": False,
            "verify_iat": False,
            "verify_sub": False,
            "verify_jti": False,
        }

    # -- keys ----------------------------------------------------------------------------------------------
    @property
    def tenant(self) -> Tenant:
        if self._tenant is None:
            self._tenant = self.store.get_tenant()
        return self._tenant

    def key_ring(self, tenant_id: str | None = None) -> KeyRing:
        """The tenant's key ring (created on first use; keys generated lazily)."""
        tid = (tenant_id or self.tenant.tenant_id).lower()
        ring = self._rings.get(tid)
        if ring is None:
            ring = self._rings[tid] = KeyRing(self.store, tenant_id or self.tenant.tenant_id, self.clock.now,
                                              self._key_factory)
        return ring

    def roll_keys(self, tenant_id: str | None = None) -> LoadedKey:
        """Roll the tenant's signing keys; returns the new active key. Cached tokens stay valid."""
        return self.key_ring(tenant_id).roll()

    def jwks(self, tenant_id: str | None = None, *, v2: bool = False) -> dict[str, Any]:
        """The tenant's JWKS document (``{"keys": [...]}``); v2 entries carry ``issuer``."""
        tid = tenant_id or self.tenant.tenant_id
        issuer = LOGIN_V2_ISSUER_TEMPLATE.format(tenant=tid) if v2 else None
        return {"keys": [k.jwk(issuer) for k in self.key_ring(tid).published()]}

    def openid_configuration(self, tenant_id: str | None = None, v2: bool = False) -> dict[str, Any]:
        """The tenant's OpenID Connect discovery document, v1 (issuer sts.windows.net) or v2."""
        tid = tenant_id or self.tenant.tenant_id
        base = f"{LOGIN_AUTHORITY}/{tid}"
        if v2:
            return {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt",
                                                          "client_secret_basic"],
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": [JWT_ALG],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "issuer": LOGIN_V2_ISSUER_TEMPLATE.format(tenant=tid),
                "request_uri_parameter_supported": False,
                "userinfo_endpoint": GRAPH_USERINFO_URL,
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "http_logout_supported": True,
                "frontchannel_logout_supported": True,
                "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
                "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name",
                                     "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time",
                                     "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash",
                                     "c_hash", "email"],
                "kerberos_endpoint": f"{base}/kerberos",
                "tenant_region_scope": "WW",
                "cloud_instance_name": "microsoftonline.com",
                "cloud_graph_host_name": AAD_GRAPH_HOST,
                "msgraph_host": GRAPH_HOST,
                "rbac_url": "https://pas.windows.net",
            }
        return {
            "token_endpoint": f"{base}/oauth2/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{base}/discovery/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": [JWT_ALG],
            "response_types_supported": ["code", "id_token", "code id_token", "token id_token", "token"],
            "scopes_supported": ["openid"],
            "issuer": sts_issuer(tid),
            "microsoft_multi_refresh_token": True,
            "authorization_endpoint": f"{base}/oauth2/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{base}/oauth2/logout",
            "claims_supported": ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name",
                                 "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr",
                                 "amr", "nonce", "email", "given_name", "family_name", "nickname"],
            "check_session_iframe": f"{base}/oauth2/checksession",
            "userinfo_endpoint": f"{base}/openid/userinfo",
            "kerberos_endpoint": f"{base}/kerberos",
            "tenant_region_scope": "WW",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": AAD_GRAPH_HOST,
            "msgraph_host": GRAPH_HOST,
            "rbac_url": "https://pas.windows.net",
        }

    # -- issue ---------------------------------------------------------------------------------------------
    def resolve_resource(self, resource: str) -> str:
        """The ``aud`` for ``resource`` (scopes stripped); raises ``UnknownResourceError`` (AADSTS500011)."""
        return resolve_resource(resource, self.tenant.tenant_id)

    def issue_for_principal(
        self,
        *,
        principal: DirectoryObject,
        resource: str,
        mi_res_id: str | None = None,
        kind: TokenKind,
        source: str | None = None,
        client_id: str | None = None,
    ) -> IssuedToken:
        """A token for ``principal`` to call ``resource``; cached per (principal, resource) like the MSI cache.

        ``mi_res_id`` overrides the ``xms_mirid`` claim (defaults to the principal's ``resource_id``);
        ``source`` names the endpoint for the ``token.issued`` event (``"imds"``, ``"msi_extension"``, ``"login"``).
        ``client_id`` is the application a user signed in with: the token's ``appid`` (and its pairwise ``sub``)
        carry it; None means Azure PowerShell's. A managed identity's ``appid`` is always its own.
        Raises ``UnknownResourceError`` for a resource the tenant does not know.
        """
        aud = self.resolve_resource(resource)
        now = int(self.clock.now())
        app = (client_id or AZURE_POWERSHELL_APP_ID).lower() if kind == "user" else ""
        key = (principal.object_id.lower(), aud, kind, (mi_res_id or "").lower(), app)
        hit = self._cache.get(key)
        if hit is not None:
            token, kid = hit
            # a clock moved back before the token's nbf (Set-AzShellClock) makes it unusable: mint again
            if token.not_before - CLOCK_SKEW_SECONDS <= now < token.expires_on - CACHE_REFRESH_MARGIN_SECONDS \
                    and self.key_ring().find(kid) is not None:
                return replace(token, expires_in=token.expires_on - now, resource=resource, cached=True)
        signing = self.key_ring().active
        tid = principal.tenant_id or self.tenant.tenant_id
        lifetime = MI_TOKEN_LIFETIME_SECONDS if kind == "managed_identity" else USER_TOKEN_LIFETIME_SECONDS
        claims = self._claims(principal, aud, tid, now, lifetime, kind, mi_res_id, app or AZURE_POWERSHELL_APP_ID)
        # Header bytes as Entra writes them: {"typ":"JWT","alg":"RS256","x5t":…,"kid":…} (PyJWT puts typ and alg
        # first; sort_headers=False keeps that order). The key is the ring's parsed key object: no PEM per token.
        access_token = jwt.encode(claims, signing.private_key, algorithm=JWT_ALG,
                                  headers={"typ": JWT_TYP, "x5t": signing.x5t, "kid": signing.kid},
                                  sort_headers=False)
        client_id = str(claims["appid"])
        token = IssuedToken(
            access_token=access_token,
            expires_on=int(claims["exp"]),
            expires_in=int(claims["exp"]) - now,
            not_before=int(claims["nbf"]),
            resource=resource,
            token_type=TOKEN_TYPE_BEARER,
            client_id=client_id,
            cached=False,
            claims=claims,
        )
        self._cache[key] = (token, signing.kid)
        self.store.append_event(EVENT_TOKEN_ISSUED, {
            "principal": principal.object_id, "appid": client_id, "aud": aud, "resource": resource,
            "source": source or kind, "kind": kind, "xms_mirid": claims.get("xms_mirid"), "exp": token.expires_on,
            "uti": claims["uti"],
        })
        return token

    def clear_cache(self) -> None:
        """Forget every cached token (the next request mints, the next verify runs PyJWT again)."""
        self._cache.clear()
        with self._verified_lock:
            self._verified.clear()

    def _claims(self, p: DirectoryObject, aud: str, tid: str, now: int, lifetime: int, kind: TokenKind,
                mi_res_id: str | None, app_id: str = AZURE_POWERSHELL_APP_ID) -> dict[str, Any]:
        issuer = sts_issuer(tid)
        iat = now - BACKDATE_SECONDS
        rh = f"0.A{_opaque(48, self._ids)}."
        if kind == "managed_identity":
            claims: dict[str, Any] = {
                "aud": aud, "iss": issuer, "iat": iat, "nbf": iat, "exp": now + lifetime,
                "aio": _opaque(42, self._ids), "appid": p.app_id or p.object_id, "appidacr": "2", "idp": issuer,
                "idtyp": "app", "oid": p.object_id, "rh": rh, "sub": p.object_id, "tid": tid,
                "uti": _opaque(16, self._ids), "ver": TOKEN_VERSION,
            }
            mirid = mi_res_id or p.resource_id
            if mirid:
                claims["xms_mirid"] = _mirid(mirid)
            return claims
        upn = p.user_principal_name or p.display_name
        given, _, family = p.display_name.partition(" ")
        sub = b64url(hashlib.sha256(f"{p.object_id}|{app_id}".encode()).digest())
        return {
            "aud": aud, "iss": issuer, "iat": iat, "nbf": iat, "exp": now + lifetime,
            "acr": "1", "aio": _opaque(60, self._ids), "amr": ["pwd"], "appid": app_id, "appidacr": "0",
            "family_name": family or given, "given_name": given, "idtyp": "user", "ipaddr": "127.0.0.1",
            "name": p.display_name, "oid": p.object_id, "rh": rh, "scp": USER_SCOPE, "sub": sub, "tid": tid,
            "unique_name": upn, "upn": upn, "uti": _opaque(16, self._ids), "ver": TOKEN_VERSION,
        }

    # -- verify --------------------------------------------------------------------------------------------
    def verify(self, token: str, *, audiences: Collection[str], tenant_id: str | None = None) -> dict[str, Any]:
        """Check ``token`` and return its claims; raises the ``TokenValidationError`` leaf of the first failure.

        Checks, in order: structure, ``alg`` (RS256 only), ``kid`` in the JWKS, signature, issuer
        (``https://sts.windows.net/{tid}/``), audience (exact string match against ``audiences``),
        ``exp``/``nbf`` with five minutes of clock skew, and ``tid`` == ``tenant_id`` when given.
        Signature, issuer and audience are PyJWT's ``jwt.decode``; the rest keeps Azure's order and leaves.
        """
        if not isinstance(token, str):
            raise MalformedTokenError("The token is not a string.")
        token = token.strip()
        verified = self._verified_signature(token, audiences)
        # PyJWT matches a list ``aud`` against any accepted audience; Azure's ``aud`` is one exact string.
        aud = verified.get("aud")
        if not isinstance(aud, str) or aud not in audiences:
            raise InvalidAudienceError(str(aud), audiences)
        # Integers only: PyJWT would take "exp": "1700000000", 1.7e9 or true through int().
        exp, nbf = verified.get("exp"), verified.get("nbf", verified.get("iat"))
        if not isinstance(exp, int) or isinstance(exp, bool) or not isinstance(nbf, int) or isinstance(nbf, bool):
            raise MalformedTokenError("The token's 'exp' and 'nbf' claims must be integers.")
        now = self.clock.now()
        if now > exp + CLOCK_SKEW_SECONDS:
            raise ExpiredTokenError(exp, now)
        if now < nbf - CLOCK_SKEW_SECONDS:
            raise NotYetValidError(nbf, now)
        tid, iss = verified["tid"], verified["iss"]
        if tenant_id is not None and tid.lower() != tenant_id.lower():
            raise WrongTenantError(tid, iss, tenant_id)
        return dict(verified)

    def _verified_signature(self, token: str, audiences: Collection[str]) -> dict[str, Any]:
        """The claims of ``token`` once structure, ``alg``, ``kid``, signature, issuer and audience are checked.

        A token verified before by this service is taken from its cache if its key is still published (the
        audience is checked again by ``verify``, and every time check runs on each call).
        """
        hit = self._verified.get(token)
        if hit is not None:
            seen_kid, seen_key, seen_claims = hit
            loaded = self.key_ring().find(seen_kid)
            if loaded is not None and loaded.public_key is seen_key:
                return seen_claims
            with self._verified_lock:  # rolled out: the full path below answers UnknownKeyError
                self._verified.pop(token, None)
        parts = token.split(".")
        if len(parts) != 3:
            raise MalformedTokenError("The token is not a JWS compact serialization (three dot-separated parts).")
        # The unverified header and claims decide the leaf of a malformed token and which key and issuer to
        # verify against; nothing in them is trusted before jwt.decode has checked the signature.
        try:
            header = json.loads(_b64url_decode(parts[0]))
            claims = json.loads(_b64url_decode(parts[1]))
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise MalformedTokenError("The token's header or claims are not base64url-encoded JSON.") from exc
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise MalformedTokenError("The token's header and claims must be JSON objects.")
        alg = header.get("alg")
        if alg != JWT_ALG:
            raise UnsupportedAlgorithmError(str(alg))
        kid = header.get("kid") or header.get("x5t")
        if not isinstance(kid, str) or (found := self._verification_key(kid)) is None:
            raise UnknownKeyError(kid if isinstance(kid, str) else None)
        public_key, key = found
        if "=" in parts[2]:  # compact JWS is unpadded; PyJWT tolerates a padded signature (AWS ALB), Azure not
            raise InvalidSignatureError("The token signature is invalid.")
        tid = claims.get("tid")
        try:
            verified = jwt.decode(token, key, algorithms=JWT_ALGORITHMS, audience=audiences,
                                  issuer=sts_issuer(tid) if isinstance(tid, str) else (),
                                  options=self._decode_options)
        # Claim errors come only after the signature verified, so ``claims`` is then the signed payload.
        except jwt.MissingRequiredClaimError as exc:
            if exc.claim == "aud":
                raise InvalidAudienceError(str(claims.get("aud")), audiences) from exc
            raise InvalidIssuerError(claims.get("iss")) from exc
        except jwt.InvalidIssuerError as exc:
            raise InvalidIssuerError(claims.get("iss")) from exc
        except jwt.InvalidAudienceError as exc:
            raise InvalidAudienceError(str(claims.get("aud")), audiences) from exc
        except jwt.InvalidAlgorithmError as exc:
            raise UnsupportedAlgorithmError(str(alg)) from exc
        except jwt.PyJWTError as exc:  # bad signature or signature segment, header PyJWT refuses (crit, kid type)
            raise InvalidSignatureError("The token signature is invalid.") from exc
        with self._verified_lock:
            while len(self._verified) >= VERIFIED_TOKEN_CACHE_SIZE:
                del self._verified[next(iter(self._verified))]
            self._verified[token] = (kid, public_key, verified)
        return verified

    def _verification_key(self, kid: str) -> tuple[rsa.RSAPublicKey, jwt.PyJWK] | None:
        """The published key ``kid`` and its ``PyJWK`` (built once from its JWKS entry), or None if unpublished."""
        loaded = self.key_ring().find(kid)
        if loaded is None:
            return None
        hit = self._verify_keys.get(loaded.kid)
        if hit is None or hit[0] is not loaded.public_key:
            hit = self._verify_keys[loaded.kid] = (loaded.public_key, jwt.PyJWK(loaded.jwk(), algorithm=JWT_ALG))
        return hit
