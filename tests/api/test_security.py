"""Passwords, PIN rules and one-time codes as units (no HTTP)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from gateway.pin_policy import weak_pin_reason
from gateway.security import otp, passwords
from gateway.security.pin_lockout import LOCK_DURATION, MAX_ATTEMPTS, Lockout, lock_notice


async def test_passwords_hash_with_argon2id_and_verify():
    stored = await passwords.hash_password("correct horse 42")

    assert stored.startswith("$argon2id$")
    assert f"m={passwords.MEMORY_COST_KIB},t={passwords.TIME_COST}" in stored
    assert await passwords.verify_password(stored, "correct horse 42")
    assert not await passwords.verify_password(stored, "correct horse 43")
    assert not await passwords.verify_password(None, "anything")
    assert not await passwords.verify_password("not-a-hash", "anything")
    assert not passwords.needs_rehash(stored)
    assert passwords.needs_rehash("$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g")


@pytest.mark.parametrize(
    ("pin", "phone", "weak"),
    [
        ("0000", "+2348031234567", True),
        ("1111", "+2348031234567", True),
        ("1234", "+2348031234567", True),
        ("9876", "+2348031234567", True),
        ("7890", "+2348031234567", True),
        ("2109", "+2348031234567", True),
        ("5555", "+2348031234567", True),
        ("8642", "+2348035558642", True),  # the phone's last four
        ("123", "+2348031234567", True),
        ("12a4", "+2348031234567", True),
        ("2580", "+2348031234567", False),
        ("1357", "+2348031234567", False),
        ("1122", "+2348031234567", False),
    ],
)
def test_weak_pin_rules(pin, phone, weak):
    assert (weak_pin_reason(pin, phone) is not None) is weak


def test_otp_codes_are_six_digits_and_bound_to_phone_and_purpose():
    key = otp.derive_key("s" * 40)
    code = otp.new_code()

    assert len(code) == 6
    assert code.isdigit()
    mac = otp._mac(key, "+2348031234567", "register", code)
    assert mac != otp._mac(key, "+2348031234568", "register", code)
    assert mac != otp._mac(otp.derive_key("t" * 40), "+2348031234567", "register", code)
    assert code not in mac


def test_the_otp_sms_fits_one_gsm7_message():
    from gateway.gsm7 import septets, to_gsm7

    text = otp.sms_text("123456")
    assert to_gsm7(text) == text
    assert septets(text) <= 160
    assert "123456" in text


@pytest.mark.parametrize("text", ["nul\x00name", "bell\x07", "surrogate\udb52"])
def test_request_text_that_cannot_be_stored_is_refused(text):
    from pydantic import ValidationError

    from gateway.api.schemas import CreditIn

    # the schema's pattern (control characters) or the storage check (lone surrogates)
    with pytest.raises(ValidationError, match=r"should match pattern|control characters|unicode"):
        CreditIn(phone="08031234567", amount=100, reference="ref-1", name=text)


# -- the PIN lockout's rules (gateway/security/pin_lockout.py) -----------------------------------

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def _locked_at(state: Lockout, at: datetime) -> Lockout:
    for _ in range(MAX_ATTEMPTS):
        state = state.after_miss(at)
    return state


def test_waiting_out_each_lock_buys_an_attacker_nine_guesses_a_day_not_144():
    state, guesses, at = Lockout(), 0, T0
    while not state.locked(at) or not state.reset_required:
        if state.locked(at):
            assert state.locked_until is not None
            at = state.locked_until  # wait the lock out
        state = state.after_miss(at)
        guesses += 1

    assert guesses == 3 * MAX_ATTEMPTS
    assert state.locked(at + timedelta(days=365))
    assert state.locked_until is None


def test_a_lock_that_ran_out_gives_a_fresh_set_of_tries():
    state = _locked_at(Lockout(), T0)

    assert state.locked_until == T0 + LOCK_DURATION
    assert state.attempts_left(T0 + LOCK_DURATION) == MAX_ATTEMPTS
    assert state.after_miss(T0 + LOCK_DURATION).failed == 1


def test_lock_notices_fit_one_gsm7_sms_and_give_lagos_time():
    from gateway.gsm7 import septets, to_gsm7

    timed = lock_notice(_locked_at(Lockout(), T0))  # 09:30 UTC is 10:30 in Lagos
    hard = lock_notice(Lockout(failed=3, reset_required=True, last_lock_at=T0))

    assert "locked until 10:30 (Lagos time)" in timed
    assert "reset" in hard
    for notice in (timed, hard):
        assert to_gsm7(notice) == notice
        assert septets(notice) <= 160
