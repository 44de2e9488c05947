"""An SMS as PayLink queues it: GSM-7 text plus its kind, and what it costs in parts.

Why a kind on every message: a customer may text STOP to silence notices, but never the record
of money moved (receipts), a code they asked for, or news that their account's security changed;
whoever queues a message can ask `kind.stoppable`. Why sizing here: one character outside GSM-7
makes the whole SMS UCS-2 (70 characters a part), and every part is billed, so each template is
built to a part budget and `Sms` refuses text a handset would not send as GSM-7.
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from gateway.gsm7 import EXTENSION, is_gsm7, septets, to_gsm7

SMS_LIMIT = 160  # septets in a single SMS
SEGMENT = 153  # septets per part of a concatenated SMS (7 go to the joining header)
MAX_PARTS = 2  # no template is longer than two parts (306 septets)
PREFIX = "PayLink: "
_CLIP = ".."  # marks a cut name; GSM-7 has no ellipsis


class Kind(StrEnum):
    """Why a message is sent, which decides whether STOP may suppress it."""

    RECEIPT = "receipt"  # money moved: a purchase settled, a wallet credited
    CODE = "code"  # a one-time code the customer asked for
    SECURITY = "security"  # the owner must hear it: PIN locked or reset, e-mail changed
    NOTICE = "notice"  # for information only (a purchase still being confirmed)

    @property
    def stoppable(self) -> bool:
        """Whether a customer who texted STOP should not get it (only plain notices)."""
        return self is Kind.NOTICE


@dataclass(frozen=True, slots=True)
class Sms:
    """One SMS body (GSM-7, checked) and its kind."""

    body: str
    kind: Kind

    def __post_init__(self) -> None:
        if not is_gsm7(self.body):
            raise ValueError("an SMS body must be GSM-7 (no `₦`, smart quotes or emoji)")

    @property
    def parts(self) -> int:
        return parts(self.body)


def parts(text: str) -> int:
    """SMS parts `text` is sent in: one up to 160 septets, then 153 per part."""
    length = septets(text)
    return 1 if length <= SMS_LIMIT else math.ceil(length / SEGMENT)


def one_line(text: str) -> str:
    """Outside text (a product label, a name) as one GSM-7 line: spaces collapsed, `₦` -> `N`,
    accents dropped (`ADÉBÁYỌ̀` -> `ADÉBAYO`; a stray combining mark is dropped, not `?`)."""
    composed = unicodedata.normalize("NFC", " ".join(text.split()))
    return to_gsm7("".join(char for char in composed if not unicodedata.combining(char)))


def clip(text: str, width: int) -> str:
    """`text` cut to `width` septets (`{`, `€` and the like count two), the cut marked `..`."""
    if septets(text) <= width:
        return text
    room = width - len(_CLIP) if width > len(_CLIP) else width
    kept: list[str] = []
    used = 0
    for char in text:
        used += 2 if char in EXTENSION else 1
        if used > room:
            break
        kept.append(char)
    cut = "".join(kept)
    return cut.rstrip() + _CLIP if width > len(_CLIP) else cut


# what registries put where they have no name (any case)
NO_NAME = frozenset({"", "n/a", "na", "null", "none", "nil", "-"})


def short_name(name: str | None, width: int = 20) -> str | None:
    """A provider's customer name in at most `width` septets, or None for `N/A` and the like.

    Whole words while they fit, then initials ("CHUKWUEMEKA I. O."), so the name stays
    recognisable however long the registry's is; a first word longer than `width` is clipped.
    """
    words = one_line(name or "").split()
    if " ".join(words).lower() in NO_NAME:
        return None
    out = clip(words[0], width)
    initials = False
    for word in words[1:]:
        initials = initials or septets(f"{out} {word}") > width
        letter = next((char for char in word if char.isalnum()), None)
        if initials and letter is None:
            continue  # a stray "-" or "&" has no initial
        part = f"{letter}." if initials else word
        if septets(f"{out} {part}") > width:
            break
        out = f"{out} {part}"
    return out.rstrip(" &-,/")
