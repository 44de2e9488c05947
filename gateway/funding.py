"""How a customer funds a wallet, in the words screens show: the hints and their rules.

Why a leaf module: the settings read `PAYLINK_FUNDING_HINT` and the pure flows show it, and
neither may import the other. With Paystack funding on (the default, also on the embedded
default) a short wallet is pointed at the caller's own account number, in each channel's words
(`gateway.flows.screens.Profile.fund_hint`); a deployment can say its own way (an agent
network, a bank account) on every channel without a release.
"""

from __future__ import annotations

from gateway import gsm7

# the default hint, in USSD's words: the wallet menu's "Fund wallet" shows the account number
FUNDING_HINT = "Fund it by bank transfer: 6 Wallet, 6 Fund wallet."
# where no online funding runs, wallets are credited by an operator (`paylink wallet credit`)
AGENT_HINT = "Ask a PayLink agent to top up your wallet."
FUNDING_HINT_MAX = 80  # it follows the balance on a 160-character USSD screen


def parse_funding_hint(raw: str) -> str:
    """The hint as one line, or ValueError if a USSD screen could not show it."""
    hint = " ".join(raw.split())
    if not hint:
        raise ValueError("empty")
    if len(hint) > FUNDING_HINT_MAX:
        raise ValueError(f"at most {FUNDING_HINT_MAX} characters")
    # plain ASCII in GSM-7 basic: no `₦`, no accents, no two-septet `^{}\[]~|`, no backtick
    if not (hint.isascii() and gsm7.BASIC.issuperset(hint)):
        raise ValueError("letters, digits and plain punctuation only (one USSD line)")
    return hint


def shared_hint(configured: str | None, *, online: bool) -> str | None:
    """The one hint every channel shows, or None for each channel's own words.

    `configured` is `PAYLINK_FUNDING_HINT` (None when unset): a deployment's own words win
    everywhere; left unset, it becomes each channel's way to the account number when bank
    transfers fund wallets (`online`), else the agent hint.
    """
    if configured is not None:
        return configured
    return None if online else AGENT_HINT
