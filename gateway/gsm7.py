"""The GSM-7 alphabet: what a USSD screen or an SMS can carry without switching to UCS-2.

Why one module: one character outside the alphabet (`₦`, a smart quote) makes a handset send
UCS-2 and halves a 160-character budget, and the extension characters `^{}\\[~]|€` cost two
septets each. Screens, receipts and settings all size or check text against the same table.
Pure and a leaf: the flows may import it.
"""

from __future__ import annotations

import re
import unicodedata

BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
EXTENSION = frozenset("^{}\\[~]|€")  # each costs two septets (an escape, then the character)
ALPHABET = BASIC | EXTENSION

_EXTENSION = re.compile("[" + re.escape("".join(sorted(EXTENSION))) + "]")


def septets(text: str) -> int:
    """Length in GSM-7 septets (extension characters count two)."""
    # one regex pass in C: every USSD hop sizes several lines, and a Python loop over the
    # characters (or a `count` per extension character) cost more than the rest of the check
    return len(text) + len(_EXTENSION.findall(text))


def is_gsm7(text: str) -> bool:
    """Whether every character of `text` is in the alphabet (basic or extension)."""
    return ALPHABET.issuperset(text)


def to_gsm7(text: str) -> str:
    """`text` with every character a GSM-7 handset shows as sent: `₦` -> `N`, accents dropped.

    A character with no GSM-7 spelling becomes `?`, so the result always passes `is_gsm7`.
    """
    text = text.replace("₦", "N")
    out = []
    for char in text:
        if char in ALPHABET:
            out.append(char)
            continue
        base = unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode()
        out.append(base if base and all(c in BASIC for c in base) else "?")
    return "".join(out)
