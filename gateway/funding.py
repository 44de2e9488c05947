"""How a customer funds a wallet, in the words screens show: the hint and its rules.

Why a leaf module: the settings read `PAYLINK_FUNDING_HINT` and the pure flows show it, and
neither may import the other. Today wallets are credited by an operator (`paylink wallet
credit`); when online funding lands, the default changes here and deployments can say their own
way (an agent network, a bank account) without a release.
"""

from __future__ import annotations

from gateway import gsm7

FUNDING_HINT = "Ask a PayLink agent to top up your wallet."
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
