"""Merchant accounts at run time: wallet balance, product whitelist, callback URL, and auth.

Authentication follows vtpass.md spec §B: Basic first (auth_type all|basic), else the api-key
headers (auth_type all|apikey) with `public-key` or `secret-key` on GET and `secret-key` on POST.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from gateway.vtpass.simulator.config import SimAccount

_READ_METHODS = frozenset({"GET", "HEAD"})


@dataclass(slots=True)
class AccountState:
    """One account's mutable side; `reset()` puts it back to its configuration."""

    config: SimAccount
    index: int
    balance: Decimal
    whitelist: frozenset[str] | None
    callback_url: str | None

    @classmethod
    def fresh(cls, config: SimAccount, index: int) -> AccountState:
        return cls(
            config=config,
            index=index,
            balance=config.wallet_balance,
            whitelist=config.whitelisted_products,
            callback_url=config.callback_url,
        )

    def reset(self) -> None:
        self.balance = self.config.wallet_balance
        self.whitelist = self.config.whitelisted_products
        self.callback_url = self.config.callback_url

    def allows(self, service_id: str) -> bool:
        return self.whitelist is None or service_id in self.whitelist


class Accounts:
    """The configured accounts, looked up in O(1) by api-key or Basic user."""

    def __init__(self, configs: tuple[SimAccount, ...]) -> None:
        self._all = tuple(AccountState.fresh(c, i) for i, c in enumerate(configs))
        self._by_api_key = {a.config.api_key: a for a in self._all}
        self._by_basic_user = {
            a.config.basic_user: a for a in reversed(self._all) if a.config.basic_user is not None
        }

    def __iter__(self) -> Iterator[AccountState]:
        return iter(self._all)

    @property
    def default(self) -> AccountState:
        return self._all[0]

    def get(self, api_key: str) -> AccountState | None:
        return self._by_api_key.get(api_key)

    def reset(self) -> None:
        for account in self._all:
            account.reset()

    def authenticate(self, method: str, headers: Mapping[str, str]) -> AccountState | None:
        """The account these request headers prove, or None (→ `087`).

        `headers` must be case-insensitive (aiohttp's `CIMultiDictProxy` is).
        """
        basic = self._basic(headers.get("Authorization"))
        if basic is not None:
            return basic
        api_key = headers.get("api-key")
        account = self._by_api_key.get(api_key) if api_key else None
        if account is None or account.config.auth_type not in {"all", "apikey"}:
            return None
        secret = headers.get("secret-key")
        if secret is not None and _same(secret, account.config.secret_key):
            return account
        if method.upper() in _READ_METHODS:
            public = headers.get("public-key")
            if public is not None and _same(public, account.config.public_key):
                return account
        return None

    def _basic(self, authorization: str | None) -> AccountState | None:
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        account = self._by_basic_user.get(user)
        if (
            not sep
            or account is None
            or account.config.basic_pass is None
            or account.config.auth_type not in {"all", "basic"}
        ):
            return None
        return account if _same(password, account.config.basic_pass) else None


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())
