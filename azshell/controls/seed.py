"""Reproducible ids: ``--seed N`` / ``AZSHELL_SEED``.

Every GUID, secret, key and token id a world makes comes from its :class:`azshell.ids.IdSource`
(``world.ids``), which a seed turns into a deterministic stream. RSA key generation in ``cryptography`` reads the
OS's randomness and cannot be seeded, so a seeded world derives its RSA keys here instead: two 1024-bit primes
drawn from the seeded generator and tested with Miller-Rabin (64 rounds with seeded witnesses, after trial
division), e = 65537, assembled into a ``cryptography`` key. Honest RSA, predictable by design: a seeded tenant is
a test tenant.

Example::

    ids = IdSource(7)
    key = deterministic_rsa_key(ids.child("rsa"))    # the same key for the same seed, every time
"""

from __future__ import annotations

import random

from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["deterministic_rsa_key", "is_probable_prime"]

PUBLIC_EXPONENT = 65537
KEY_SIZE = 2048
_SMALL_PRIMES = tuple(p for p in range(3, 2000) if all(p % d for d in range(2, int(p ** 0.5) + 1)))
_MR_ROUNDS = 64


def is_probable_prime(n: int, rng: random.Random) -> bool:
    """Miller-Rabin with ``_MR_ROUNDS`` witnesses from ``rng`` (after trial division by small primes)."""
    if n < 2:
        return False
    for p in (2, *_SMALL_PRIMES):
        if n % p == 0:
            return n == p
    d, r = n - 1, 0
    while d % 2 == 0:
        d //= 2
        r += 1
    for _ in range(_MR_ROUNDS):
        a = rng.randrange(2, n - 1)
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(r - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, rng: random.Random) -> int:
    """A ``bits``-bit prime p with gcd(p - 1, e) == 1, its top two bits set (so p*q has exactly 2*bits bits)."""
    while True:
        candidate = rng.getrandbits(bits) | (0b11 << (bits - 2)) | 1
        if (candidate - 1) % PUBLIC_EXPONENT == 0:
            continue
        if is_probable_prime(candidate, rng):
            return candidate


def deterministic_rsa_key(rng: random.Random, key_size: int = KEY_SIZE) -> rsa.RSAPrivateKey:
    """An RSA private key whose primes come from ``rng`` (same generator state, same key)."""
    half = key_size // 2
    p = _prime(half, rng)
    q = _prime(half, rng)
    while q == p:
        q = _prime(half, rng)
    if p < q:
        p, q = q, p
    phi = (p - 1) * (q - 1)
    d = pow(PUBLIC_EXPONENT, -1, phi)
    numbers = rsa.RSAPrivateNumbers(
        p=p, q=q, d=d, dmp1=d % (p - 1), dmq1=d % (q - 1), iqmp=pow(q, -1, p),
        public_numbers=rsa.RSAPublicNumbers(PUBLIC_EXPONENT, p * q))
    return numbers.private_key()
