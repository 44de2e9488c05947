"""Account SMS: one-time codes, security notices, wallet credits.

Codes say who sends them and never to share them; security notices say what changed and what
to do if it was not the owner; none ever carries a PIN or password. Each fits one SMS.
"""

from __future__ import annotations

from datetime import datetime

from gateway.clock import LAGOS
from gateway.money import format_gsm
from gateway.pin_policy import RESET_HINT
from gateway.texts.sms import PREFIX, Kind, Sms

_NEVER_SHARE = "Never share it: PayLink staff will never ask for it."
_NOT_YOU = "Not you? Change your password now and contact PayLink support."


def one_time_code(code: str, minutes: int) -> Sms:
    """A one-time code proving the phone (sign-up, PIN reset)."""
    return Sms(f"PayLink code: {code}. It expires in {minutes} minutes. {_NEVER_SHARE}", Kind.CODE)


def email_change_code(code: str, minutes: int) -> Sms:
    """The code that confirms a new e-mail address: says what it confirms."""
    return Sms(
        f"PayLink code: {code} to confirm your new e-mail address. It expires in {minutes} "
        f"minutes. {_NEVER_SHARE}",
        Kind.CODE,
    )


def pin_locked(locked_until: datetime | None, misses: int) -> Sms:
    """A PIN lock was set: until when (Lagos time), or until a reset when `locked_until` is None."""
    if locked_until is None:
        body = f"{PREFIX}too many wrong PINs. Your PIN is locked until you reset it. {RESET_HINT}"
    else:
        until = locked_until.astimezone(LAGOS)
        body = (
            f"{PREFIX}{misses} wrong PINs. Purchases are locked until {until:%H:%M} "
            "(Lagos time). Not you? Reset your PIN in the PayLink web app."
        )
    return Sms(body, Kind.SECURITY)


def pin_reset() -> Sms:
    """The transaction PIN was reset (by password or SMS code)."""
    return Sms(f"{PREFIX}your transaction PIN was reset. {_NOT_YOU}", Kind.SECURITY)


def email_changed() -> Sms:
    """The account's e-mail address was changed."""
    return Sms(f"{PREFIX}the e-mail address on your account was changed. {_NOT_YOU}", Kind.SECURITY)


def wallet_credited(amount: int, balance: int) -> Sms:
    """Money was added to the wallet (kobo): how much, and what the wallet now holds."""
    return Sms(
        f"{PREFIX}{format_gsm(amount)} was added to your wallet. New balance: "
        f"{format_gsm(balance)}.",
        Kind.RECEIPT,
    )


def wallet_funded(amount: int, balance: int) -> Sms:
    """A payment through Paystack reached the wallet (kobo): what arrived, what it now holds."""
    return Sms(
        f"{PREFIX}wallet funded {format_gsm(amount)}. New balance: {format_gsm(balance)}.",
        Kind.RECEIPT,
    )
