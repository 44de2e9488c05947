"""Rendering a Screen for a channel profile, and the budget that keeps USSD screens on a handset.

Why: a USSD screen over 160 characters is cut off or kills the session, and one character outside
the GSM-7 alphabet (`₦`, a smart quote) switches the handset to UCS-2 and halves the budget. So
`render` refuses such screens outright (long menus fail in unit tests, not on phones), `paginate`
splits long lists so every page fits, and `clean`/`clip` make outside text (VTPass plan names,
customer names) safe before it is shown.

The USSD budget counts the whole reply including the `CON `/`END ` prefix, in GSM-7 septets
(the extension characters `^{}\\[~]|€` cost two).
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from gateway.flows.model import Screen
from gateway.funding import FUNDING_HINT
from gateway.gsm7 import ALPHABET, BASIC, is_gsm7, septets
from gateway.money import format_gsm, format_rich

MORE_KEY = "98"
BACK_KEY = "0"
HOME_KEY = "00"
MORE_LINE = f"{MORE_KEY} More"
BACK_LINE = f"{BACK_KEY} Back"
HOME_LINE = f"{HOME_KEY} Main menu"

# Every hint is at most HINT_MAX long. List pages keep room for a LIST_HINT_MAX one ("Invalid
# choice.") so where a page breaks never depends on whether a hint is shown.
HINT_MAX = 24
LIST_HINT_MAX = 15


class ScreenError(ValueError):
    """A screen is over the profile's budget or holds a character the channel cannot show."""


@dataclass(frozen=True, slots=True)
class Profile:
    """How a channel shows screens. `max_chars` is in septets when `gsm7` is set.

    `again` is how a user starts over on this channel, worded to follow "Please": flows never
    say "dial" themselves, since on SMS or a chat there is nothing to dial. `commands`: a
    message that starts with a command word (`AIRTIME 500`, `BAL`) opens that command, at any
    step (`gateway.flows.commands`); a USSD handset types menu keys only. `receipt`: where a
    purchase's receipt will come, told in its acknowledgement. `line_scale`: how many times the
    width a flow gives a message line for a USSD screen that line may take here (`width`).
    `fund_hint`: how a short wallet is funded here (the way to the caller's account number),
    unless the deployment words it for every channel (`gateway.funding.shared_hint`).
    """

    name: str
    max_chars: int
    gsm7: bool
    max_options: int  # options per page
    prefix: bool  # USSD `CON `/`END `
    again: str = "dial again"
    commands: bool = False
    receipt: str = "You will get an SMS."
    line_scale: int = 1
    fund_hint: str = FUNDING_HINT

    def money(self, amount: int) -> str:
        """Kobo for this channel: `N1,500` on GSM-7 channels, `₦1,500.00` elsewhere."""
        return format_gsm(amount) if self.gsm7 else format_rich(amount)

    def width(self, ussd: int) -> int:
        """The width of a message line a flow sized for a USSD screen (`ussd`), on this channel.

        A chat's lines wrap and its money is longer (`₦1,000.00`), so there a confirm line
        clipped to USSD's width would lose the amount or a profile number's last digits.
        Buttons keep the USSD widths: a phone shows about that much of one.
        """
        return ussd * self.line_scale


USSD = Profile("ussd", max_chars=160, gsm7=True, max_options=9, prefix=True)
# two concatenated GSM-7 parts (153 septets each): a reply never costs more than two SMS
SMS = Profile(
    "sms",
    max_chars=306,
    gsm7=True,
    max_options=9,
    prefix=False,
    again="text HELP",
    commands=True,
    fund_hint="Text FUND for your account number and fund it by bank transfer.",
)
TELEGRAM = Profile(
    "telegram",
    max_chars=4000,
    gsm7=False,
    max_options=8,
    prefix=False,
    again="send /menu",
    receipt="Your receipt will follow in this chat.",
    line_scale=2,
    fund_hint="Send /fund for your account number and fund it by bank transfer.",
)


def size(text: str, profile: Profile) -> int:
    return septets(text) if profile.gsm7 else len(text)


def check(text: str, profile: Profile) -> None:
    """Raise `ScreenError` if `text` cannot be sent as is on `profile`."""
    if profile.gsm7 and not is_gsm7(text):
        ch = next(ch for ch in text if ch not in ALPHABET)
        raise ScreenError(f"non-GSM-7 character {ch!r} in screen {text!r}")
    length = size(text, profile)
    if length > profile.max_chars:
        raise ScreenError(f"screen is {length} > {profile.max_chars} characters: {text!r}")


def lines(screen: Screen) -> list[str]:
    """The visible lines of a screen, without the USSD prefix."""
    out = [screen.hint] if screen.hint else []
    if screen.message:
        out.append(screen.message)
    if not screen.ends:
        out.extend(f"{o.key} {o.label}" for o in screen.options)
        if screen.more:
            out.append(MORE_LINE)
        if screen.back:
            out.append(BACK_LINE)
        if screen.home:
            out.append(HOME_LINE)
    return out


def render(screen: Screen, profile: Profile) -> str:
    """The reply text for `profile` (`CON …`/`END …` on USSD). Raises `ScreenError` if unfit."""
    body = "\n".join(lines(screen))
    if profile.prefix:
        body = ("END " if screen.ends else "CON ") + body
    check(body, profile)
    return body


def paginate(
    message: str,
    labels: Sequence[str],
    profile: Profile,
    *,
    back: bool,
    home: bool,
) -> tuple[range, ...]:
    """Split `labels` into pages that each fit `profile` with room for a short hint.

    Page 0 shows `back` as asked; later pages always show "0 Back" (it goes to the previous
    page). Options are numbered 1..k on every page. Raises `ScreenError` if one option cannot fit.
    """
    return _paginate(message, tuple(labels), profile, back, home)


@functools.lru_cache(maxsize=2048)
def _paginate(
    message: str, labels: tuple[str, ...], profile: Profile, back: bool, home: bool
) -> tuple[range, ...]:
    budget = profile.max_chars - (LIST_HINT_MAX + 1) - (4 if profile.prefix else 0)
    key_width = len(str(profile.max_options))  # keys run 1..max_options on every page
    costs = [key_width + 1 + size(label, profile) + 1 for label in labels]
    pages: list[range] = []
    start = 0
    while True:
        nav = size(message, profile)
        if home:
            nav += len(HOME_LINE) + 1
        if back or start > 0:
            nav += len(BACK_LINE) + 1
        count = 0
        used = 0
        remaining = len(labels) - start
        for k in range(1, min(profile.max_options, remaining) + 1):
            used += costs[start + k - 1]
            more = len(MORE_LINE) + 1 if k < remaining else 0
            if nav + used + more <= budget:
                count = k
        if remaining and not count:
            raise ScreenError(f"option {labels[start]!r} does not fit a page under {message!r}")
        pages.append(range(start, start + count))
        start += count
        if start >= len(labels):
            return tuple(pages)


# -- making outside text safe ---------------------------------------------------------------------

_REPLACEMENTS = {
    "₦": "N",
    "‘": "'",
    "’": "'",
    "‚": ",",
    "“": '"',
    "”": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "[": "(",
    "]": ")",
    "{": "(",
    "}": ")",
    "~": "-",
    "|": "/",
    "\\": "/",
    "^": "",
    "€": "EUR",
}


@functools.lru_cache(maxsize=8192)  # catalogue names repeat on every hop
def clean(text: str) -> str:
    """One line of GSM-7 basic characters: accents dropped, `₦` -> `N`, others -> `?`."""
    out: list[str] = []
    for ch in text:
        if ch.isspace():
            out.append(" ")
        elif ch in _REPLACEMENTS:
            out.append(_REPLACEMENTS[ch])
        elif ch in BASIC:
            out.append(ch)
        elif unicodedata.category(ch)[0] in "CM":
            continue  # control and format characters, stray combining marks
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if c in BASIC and not c.isspace()
            )
            out.append(base or "?")
    return " ".join("".join(out).split())


def clip(text: str, width: int) -> str:
    """`text` cut to `width` characters, marking the cut with `..`."""
    if len(text) <= width:
        return text
    if width <= 2:
        return text[:width]
    return text[: width - 2].rstrip() + ".."


def safe(text: str | None, width: int) -> str:
    """Outside text, cleaned and clipped; empty for None."""
    return clip(clean(text or ""), width)
