"""A `Screen` as a Telegram message: HTML text and an inline keyboard; a button back to input.

Why HTML with everything escaped: screens carry text from outside (customer names and plan
names from VTPass); with a parse mode, one stray `<` or `&` in a name makes Telegram refuse the
whole message, and without escaping a name could format the message. So every piece of screen
text goes through `escape` and only this module writes tags.

Why buttons carry only the option's key (`k:3`): `callback_data` is at most 64 bytes and the
client sends it back verbatim, so it must never hold an amount or a PIN; a key is what a user
of any channel types, so the flows see the same input either way. Keys are one or two digits
(flows number options; `98`, `0`, `00` navigate), checked here so nothing else can slip in.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from gateway.flows.model import Option, Screen
from gateway.flows.screens import BACK_KEY, HOME_KEY, MORE_KEY
from gateway.texts.telegram import escape

PARSE_MODE = "HTML"
MAX_TEXT = 4096  # Telegram's limit on a message's text, after the parse mode
MAX_CALLBACK_DATA = 64  # bytes
PREFIX = "k:"
_KEY = re.compile(r"[0-9]{1,2}")
_DATA = re.compile(rf"{PREFIX}([0-9]{{1,2}})")
PAIR_WIDTH = 14  # options share a row two by two when every label is this short
PIN_NOTE = "Your PIN message is deleted from this chat as soon as it is read."
MENU_LABEL = "Menu"


Rows = tuple[tuple[tuple[str, str], ...], ...]  # (label, callback_data) per button, row by row


@dataclass(frozen=True, slots=True)
class Rendered:
    """The message to send or edit to: HTML `text` and its buttons, row by row (none: empty)."""

    text: str
    rows: Rows = ()

    @property
    def keyboard(self) -> InlineKeyboardMarkup | None:
        """The buttons as PTB's object (None: none)."""
        if not self.rows:
            return None
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(label, callback_data=data) for label, data in row]
                for row in self.rows
            ]
        )

    @property
    def markup(self) -> dict[str, Any] | None:
        """The buttons as the Bot API's `reply_markup` (None: none), built directly: PTB's
        `to_dict` of a keyboard costs more than the rest of a reply (bench/RESULTS.md)."""
        if not self.rows:
            return None
        return {
            "inline_keyboard": [
                [{"text": label, "callback_data": data} for label, data in row] for row in self.rows
            ]
        }


def callback_data(key: str) -> str:
    """The data of the button for option `key`. Raises ValueError for anything but a key."""
    if not _KEY.fullmatch(key):
        raise ValueError("an option key is one or two digits")
    return PREFIX + key


def key_of(data: str | None) -> str | None:
    """The option key a button's data names; None for data this bot never made."""
    match = _DATA.fullmatch(data or "")
    return None if match is None else match.group(1)


def render(screen: Screen) -> Rendered:
    """The message for `screen`. Options become buttons ("More", "Back" and "Menu" too); an
    ending gets a "Menu" button to start again."""
    buttons = [o for o in screen.options if _KEY.fullmatch(o.key)] if not screen.ends else []
    typed = [o for o in screen.options if o not in buttons] if not screen.ends else []
    parts = []
    if screen.hint:
        parts.append(f"<b>{escape(screen.hint)}</b>")
    if screen.message:
        parts.append(escape(screen.message))
    parts.extend(f"{escape(o.key)} {escape(o.label)}" for o in typed)
    if screen.secret:
        parts.append(f"<i>{escape(PIN_NOTE)}</i>")
    text = "\n".join(parts) or "PayLink"  # Telegram refuses an empty message
    return Rendered(text, _keyboard(screen, buttons))


def _keyboard(screen: Screen, options: Sequence[Option]) -> Rows:
    if screen.ends:
        return ((_button(MENU_LABEL, HOME_KEY),),)
    buttons = [_button(o.label, o.key) for o in options]
    # two a row when every label is short (a list half in pairs reads badly), else one
    width = 2 if all(len(o.label) <= PAIR_WIDTH for o in options) else 1
    rows = [tuple(buttons[i : i + width]) for i in range(0, len(buttons), width)]
    nav = []
    if screen.more:
        nav.append(_button("More", MORE_KEY))
    if screen.back:
        nav.append(_button("Back", BACK_KEY))
    if screen.home:
        nav.append(_button(MENU_LABEL, HOME_KEY))
    if nav:
        rows.append(tuple(nav))
    return tuple(rows)


def _button(label: str, key: str) -> tuple[str, str]:
    # button labels are plain text (no parse mode), so they are not escaped
    return label, callback_data(key)
