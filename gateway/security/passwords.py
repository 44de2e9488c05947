"""Password hashing with argon2id, always off the event loop.

Parameters (OWASP's argon2id baseline): 19 MiB of memory, 2 passes, 1 lane. On the 2-core box
this takes ~29 ms median per hash or verify (measured with `bench/api.py`), so a login costs
one core ~30 ms: slow enough to make offline guessing expensive, cheap enough that the login
rate limit, not the CPU, is what bounds an online attack. More lanes would not help here: the
two cores are shared with every other request.

Hashes carry their parameters, so changing them later is safe: `needs_rehash` tells the login
path to upgrade a user's hash the next time the password is known.
"""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

TIME_COST = 2
MEMORY_COST_KIB = 19 * 1024
PARALLELISM = 1
MIN_PASSWORD = 8
MAX_PASSWORD = 128  # argon2 takes any length; a cap keeps a 1 MB "password" from costing more

HASHER = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB, parallelism=PARALLELISM)

# Verified against when the account does not exist, so "no such user" takes as long as
# "wrong password" and the response time does not reveal which phones are registered.
_DUMMY_HASH = HASHER.hash("paylink-no-such-user")


def hash_secret_sync(secret: str) -> str:
    """An argon2id hash of `secret` (blocking: call through `hash_secret`)."""
    return HASHER.hash(secret)


def verify_secret_sync(stored_hash: str, secret: str) -> bool:
    """Whether `secret` matches `stored_hash`; a malformed hash is a mismatch, never an error."""
    try:
        return HASHER.verify(stored_hash, secret)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def hash_secret(secret: str) -> str:
    """`hash_secret_sync` in a worker thread: a hash must not stall every other request."""
    return await asyncio.to_thread(hash_secret_sync, secret)


async def verify_secret(stored_hash: str | None, secret: str) -> bool:
    """Verify in a worker thread; a missing hash still costs one verification (timing)."""
    if stored_hash is None:
        await asyncio.to_thread(verify_secret_sync, _DUMMY_HASH, secret)
        return False
    return await asyncio.to_thread(verify_secret_sync, stored_hash, secret)


async def hash_password(password: str) -> str:
    return await hash_secret(password)


async def verify_password(stored_hash: str | None, password: str) -> bool:
    return await verify_secret(stored_hash, password)


def needs_rehash(stored_hash: str) -> bool:
    """True when the hash was made with other parameters than today's."""
    try:
        return HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
