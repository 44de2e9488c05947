"""The customer-facing reference of a purchase: `PL-` and 8 characters, minted at submit.

Why not the VTPass request id: that one is reissued when a purchase waits past midnight, and
it is long. This reference never changes, and is short enough to read out on a support call:
digits 2-9 and capitals without I, L, O and U (nothing to confuse with 0, 1 or V). Random,
not a count, so it says nothing about how many purchases there are; 30^8 (6.5e11) values, and
the database's UNIQUE refuses the rare repeat (the submit then mints another).
"""

from __future__ import annotations

import re
import secrets

PREFIX = "PL-"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
MAX_LENGTH = len(PREFIX) + LENGTH
_SHAPE = re.compile(rf"{PREFIX}[{ALPHABET}]{{{LENGTH}}}")


def new_reference() -> str:
    """A fresh random reference, e.g. `PL-7KQ2M9XD`."""
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_reference(text: str) -> str | None:
    """`text` as a reference (case and spaces forgiven; `PL` may be left out), or None.

    A customer reads it out or types it: `pl-7kq2 m9xd` and `7KQ2M9XD` both find it.
    """
    compact = "".join(text.split()).upper()
    if not compact.startswith(PREFIX):
        compact = PREFIX + compact.removeprefix("PL")
    return compact if _SHAPE.fullmatch(compact) else None
