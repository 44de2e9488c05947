"""Sign-up cannot be hijacked: each `register` is its own registration with its own code.

The story: the owner of 08031234567 registers with password A. Before they type the SMS code,
an attacker registers the same phone with password B. The code on the owner's phone must
unlock the owner's sign-up (password A), never the attacker's; the attacker's sign-up dies
when the owner's is verified; and nobody but the owner can spend the owner's code tries.
"""

from __future__ import annotations

import secrets

from gateway.keys import db_key
from gateway.security.otp import MAX_ATTEMPTS
from tests.api.helpers import PASSWORD, PHONE, bearer, login, register, sms_code, verify

ATTACKER_PASSWORD = "attacker password 9"


async def _register(client, password: str, **fields) -> tuple[str, str]:
    """(registration_id, code) of one sign-up, the code read from its SMS."""
    response = await register(client, password=password, **fields)
    assert response.status == 201, await response.text()
    registration_id = (await response.json())["registration_id"]
    return registration_id, await sms_code(client.app[db_key], PHONE)


def _wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


async def test_register_answers_an_unguessable_registration_id_per_sign_up(client):
    first, _ = await _register(client, PASSWORD)
    second, _ = await _register(client, PASSWORD)

    assert first != second
    assert len(first) >= 32
    assert not first.isdigit()  # not the database's serial


async def test_a_later_registration_cannot_replace_the_owners_password(client):
    owner_id, owner_code = await _register(client, PASSWORD, name="Ada Obi")
    await _register(client, ATTACKER_PASSWORD, name="Mallory", email="mallory@example.com")

    verified = await verify(client, PHONE, owner_code, owner_id)

    assert verified.status == 200, await verified.text()
    assert (await login(client, password=PASSWORD)).status == 200
    assert (await login(client, password=ATTACKER_PASSWORD)).status == 401
    me = await (await client.get("/api/v1/me", headers=bearer(await verified.json()))).json()
    assert me["name"] == "Ada Obi"
    assert me["email"] is None


async def test_the_attackers_code_cannot_verify_the_owners_registration(client):
    owner_id, owner_code = await _register(client, PASSWORD)
    attacker_id, attacker_code = await _register(client, ATTACKER_PASSWORD)
    while attacker_code == owner_code:  # one in a million: the codes must differ to mean anything
        attacker_id, attacker_code = await _register(client, ATTACKER_PASSWORD)

    crossed = await verify(client, PHONE, attacker_code, owner_id)
    crossed_back = await verify(client, PHONE, owner_code, attacker_id)

    assert crossed.status == crossed_back.status == 422
    assert (await crossed.json())["error"]["code"] == "invalid_code"
    assert (await login(client, password=ATTACKER_PASSWORD)).status == 401
    assert (await verify(client, PHONE, owner_code, owner_id)).status == 200


async def test_a_wrong_or_foreign_registration_id_is_refused_and_costs_the_owner_nothing(client):
    owner_id, owner_code = await _register(client, PASSWORD)

    for _ in range(MAX_ATTEMPTS + 1):
        guessed = await verify(client, PHONE, owner_code, secrets.token_urlsafe(24))
        assert guessed.status == 422
        assert (await guessed.json())["error"]["code"] == "code_expired"
    other_phone = await verify(client, "08129876543", owner_code, owner_id)

    assert other_phone.status == 422
    assert (await other_phone.json())["error"]["code"] == "code_expired"
    assert (await verify(client, PHONE, owner_code, owner_id)).status == 200


async def test_the_attacker_cannot_exhaust_the_owners_tries(client):
    owner_id, owner_code = await _register(client, PASSWORD)
    attacker_id, _ = await _register(client, ATTACKER_PASSWORD)

    for _ in range(MAX_ATTEMPTS):
        await verify(client, PHONE, _wrong(owner_code), attacker_id)
    dead = await verify(client, PHONE, owner_code, attacker_id)

    assert (await dead.json())["error"]["code"] == "code_expired"
    assert (await verify(client, PHONE, owner_code, owner_id)).status == 200
    assert (await login(client, password=PASSWORD)).status == 200


async def test_verifying_one_registration_voids_the_phones_others(client):
    owner_id, owner_code = await _register(client, PASSWORD)
    attacker_id, attacker_code = await _register(client, ATTACKER_PASSWORD)

    assert (await verify(client, PHONE, owner_code, owner_id)).status == 200
    late = await verify(client, PHONE, attacker_code, attacker_id)

    assert late.status == 422
    assert (await late.json())["error"]["code"] == "code_expired"
    assert (await login(client, password=ATTACKER_PASSWORD)).status == 401
    assert (await login(client, password=PASSWORD)).status == 200


async def test_a_used_registration_cannot_be_verified_twice(client):
    owner_id, owner_code = await _register(client, PASSWORD)
    assert (await verify(client, PHONE, owner_code, owner_id)).status == 200

    again = await verify(client, PHONE, owner_code, owner_id)

    assert again.status == 422
    assert (await again.json())["error"]["code"] == "code_expired"


async def test_registrations_per_phone_stay_limited(client):
    for _ in range(3):
        assert (await register(client)).status == 201

    flooded = await register(client, password=ATTACKER_PASSWORD)

    assert flooded.status == 429
    assert (await flooded.json())["error"]["code"] == "rate_limited"


async def test_verify_phone_needs_the_registration_id(client):
    await _register(client, PASSWORD)
    code = await sms_code(client.app[db_key], PHONE)

    response = await client.post("/api/v1/auth/verify-phone", json={"phone": PHONE, "code": code})

    assert response.status == 422
    assert (await response.json())["error"]["code"] == "validation_error"
    assert (await login(client)).status == 401
