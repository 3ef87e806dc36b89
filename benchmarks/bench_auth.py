"""Benchmark of the auth layer: token mint vs the RS256 signing floor, cached token, verify, RBAC decisions.

Run: ``.venv/bin/python benchmarks/bench_auth.py``. Prints one line per figure (medians in µs, rates per second).

The signing floor is what ``openssl speed rsa2048`` measures: one RSA-2048 PKCS#1 v1.5 signature. It is taken
in-process (``private_key.sign`` on the same key the mint uses) and from ``openssl speed -seconds 1 rsa2048``
when ``openssl`` is installed. Target (issue: PyJWT): a mint (claims, ``jwt.encode``, ``token.issued`` event)
within 1.3x the signing time, i.e. floor/mint (ops/s over ops/s) <= 1.3. Mint and floor are measured in
alternating rounds so drift on a busy machine hits both; the figures are medians over the rounds.
"""

from __future__ import annotations

import itertools
import re
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from azshell.auth.keys import load_pem_key
from azshell.auth.rbac import RbacIndex, decide
from azshell.auth.resources import ARM_AUDIENCES
from azshell.auth.tokens import TokenService
from azshell.clock import FixedClock
from azshell.model.backend import TenantBackend
from azshell.model.builtin_roles import CONTRIBUTOR, READER, builtin_roles
from azshell.model.store import Store
from azshell.model.types import DirectoryObject, RoleAssignment

KEYS_DIR = Path(__file__).resolve().parent.parent / "tests" / "keys"
SUB = "/subscriptions/98f51385-2edc-4b79-bed9-7718de4cb861"
RG = f"{SUB}/resourceGroups/rg"
VM = f"{RG}/providers/Microsoft.Compute/virtualMachines/vm1"
PRINCIPAL = "11282bd8-03e2-44ea-9fb7-e45b5f3bf72e"
ARM = "https://management.azure.com/"


def median_us(fn: Callable[[], object], n: int) -> float:
    """Median wall time of ``fn`` in microseconds over ``n`` calls (after a short warm-up)."""
    for _ in range(min(50, n)):
        fn()
    samples = []
    for _ in range(n):
        t0 = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t0)
    return statistics.median(samples) / 1000.0


MINT_ROUNDS = 5
MINT_SAMPLES = 200
#: The signing-floor target of the issue: a mint within this factor of one RS256 signature.
MINT_TARGET = 1.3


def openssl_rsa2048_signs_per_second() -> float | None:
    """``openssl speed -seconds 1 rsa2048`` sign/s, or None when openssl is missing or its output is unknown."""
    exe = shutil.which("openssl")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "speed", "-seconds", "1", "rsa2048"], capture_output=True, text=True,
                             timeout=60, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"^rsa\s+2048 bits?\s+[\d.]+s\s+[\d.]+s\s+([\d.]+)", out, re.MULTILINE)
    return float(m.group(1)) if m else None


def rbac_index(total: int) -> RbacIndex:
    """``total`` assignments: three for the benchmarked principal, the rest spread over other principals."""
    mine = [
        RoleAssignment("m1", RG, READER, PRINCIPAL, "ServicePrincipal"),
        RoleAssignment("m2", SUB, READER, PRINCIPAL, "ServicePrincipal"),
        RoleAssignment("m3", f"{SUB}/resourceGroups/other", CONTRIBUTOR, PRINCIPAL, "ServicePrincipal"),
    ]
    others = [RoleAssignment(f"o{i}", RG if i % 2 else SUB, CONTRIBUTOR if i % 3 else READER,
                             f"00000000-0000-0000-{i % 97:04d}-{i:012d}", "ServicePrincipal")
              for i in range(max(0, total - len(mine)))]
    return RbacIndex([*others, *mine], builtin_roles())


def main() -> None:
    clock = FixedClock(time.time())
    store = Store.open(":memory:", clock=clock)
    TenantBackend(store, clock).seed()
    keys = itertools.cycle([load_pem_key(p.read_bytes()) for p in sorted(KEYS_DIR.glob("signing_key_*.pem"))])
    tokens = TokenService(store, clock, key_factory=lambda: next(keys))
    tid = store.get_tenant().tenant_id
    mi = DirectoryObject(PRINCIPAL, tid, "ServicePrincipal", "vm1", app_id="6f2f6e69-80a1-476a-8dcf-f983d6d251b8",
                         service_principal_type="ManagedIdentity", resource_id=VM)

    def mint() -> object:
        tokens.clear_cache()
        return tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity")

    active = tokens.key_ring().active
    private_key = active.private_key
    sample = mint().access_token  # type: ignore[attr-defined]
    message = sample.rsplit(".", 1)[0].encode()
    claims = jwt.decode(sample, options={"verify_signature": False})
    headers = {"typ": "JWT", "x5t": active.kid, "kid": active.kid}
    mints, signs, encodes = [], [], []
    for _ in range(MINT_ROUNDS):  # alternate, so a slow spell of the machine hits mint and floor alike
        mints.append(median_us(mint, MINT_SAMPLES))
        signs.append(median_us(lambda: private_key.sign(message, padding.PKCS1v15(), hashes.SHA256()), MINT_SAMPLES))
        encodes.append(median_us(lambda: jwt.encode(claims, private_key, algorithm="RS256", headers=headers,
                                                    sort_headers=False), MINT_SAMPLES))
    mint_us, sign_us, encode_us = (statistics.median(x) for x in (mints, signs, encodes))
    openssl = openssl_rsa2048_signs_per_second()
    cached_us = median_us(lambda: tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity"),
                          5000)
    token = tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity").access_token
    verify_us = median_us(lambda: tokens.verify(token, audiences=ARM_AUDIENCES, tenant_id=tid), 5000)

    def verify_first() -> object:  # a token this service has not verified yet: the whole jwt.decode path
        tokens.clear_cache()
        return tokens.verify(token, audiences=ARM_AUDIENCES, tenant_id=tid)

    verify_first_us = median_us(verify_first, 2000)

    ratio = mint_us / sign_us  # = floor ops/s / mint ops/s
    print(f"token mint (uncached, PyJWT, incl. event): {mint_us:8.1f} µs median  = {1e6 / mint_us:8.0f}/s")
    print(f"jwt.encode alone (RS256, cached key):      {encode_us:8.1f} µs median  = {1e6 / encode_us:8.0f}/s")
    print(f"RS256 sign floor (private_key.sign):       {sign_us:8.1f} µs median  = {1e6 / sign_us:8.0f}/s")
    if openssl is not None:
        print(f"openssl speed -seconds 1 rsa2048 sign:     {1e6 / openssl:8.1f} µs          = {openssl:8.0f}/s")
    else:
        print("openssl speed -seconds 1 rsa2048 sign:     n/a (openssl missing or output not recognised)")
    verdict = "ok" if ratio <= MINT_TARGET else "OVER TARGET"
    print(f"floor/mint (in-process):                   {ratio:8.2f}x  (target <= {MINT_TARGET}x: {verdict}; "
          f"rounds: {', '.join(f'{m / f:.2f}' for m, f in zip(mints, signs, strict=True))})")
    if openssl is not None:
        print(f"openssl floor/mint:                        {openssl * mint_us / 1e6:8.2f}x")
    print(f"mint overhead over the signing floor:      {mint_us - sign_us:8.1f} µs "
          f"(of which jwt.encode {encode_us - sign_us:.1f} µs)")
    print(f"cached token:                              {cached_us:8.1f} µs median")
    print(f"verify, first time (jwt.decode + claims):  {verify_first_us:8.1f} µs median")
    print(f"verify, same token again (claims, clock):  {verify_us:8.1f} µs median")
    for total in (10, 1000, 4000):
        index = rbac_index(total)
        allow_us = median_us(lambda index=index: decide(  # type: ignore[misc]
            principal_id=PRINCIPAL, action="Microsoft.Compute/virtualMachines/read", scope=VM, index=index), 20000)
        deny_us = median_us(lambda index=index: decide(  # type: ignore[misc]
            principal_id=PRINCIPAL, action="Microsoft.Compute/virtualMachines/write", scope=VM, index=index), 20000)
        build_ms = median_us(lambda total=total: rbac_index(total), 5) / 1000  # type: ignore[misc]
        print(f"RBAC decide @ {total:>5} assignments:        allow {allow_us:6.1f} µs, deny {deny_us:6.1f} µs "
              f"median (index build {build_ms:.2f} ms)")
    store.close()


if __name__ == "__main__":
    main()
