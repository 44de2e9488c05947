"""The channel-neutral contract: what a channel hands the coordinator and what it gets back.

A channel adapter (`gateway.channels.*`) turns its wire format into an `Inbound` message and
renders the `Reply`'s `Screen` its own way (USSD `CON`/`END` text, a chat message with
buttons). What differs between channels and matters to the conversation itself (screen budget
and alphabet, how long silence keeps a conversation, the reply budget, how raw input becomes one
input, the wording that tells a user how to start again) is the channel's `ChannelProfile`;
`gateway.conversations.coordinator.build` makes one coordinator per registered profile.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from gateway.flows.model import Screen
from gateway.flows.screens import Profile


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sent a message: an E.164 phone (USSD, SMS) or a chat channel's own user id."""

    phone: str | None = None
    chat_user: str | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message of a conversation, as the channel received it.

    `conversation` is the key the channel keeps a conversation under (AT's session id, a chat
    id). `input` is what the message carried, turned into one input by the profile's decoder;
    None opens a new conversation under a new key (a USSD dial), so nothing is loaded for it.
    A message whose `delivery_id` was the last one answered (a telco or bot-API retry) gets that
    answer again and changes nothing; only a keyed hash of it is kept (it may hold a PIN).
    `shortcut` holds dial-string segments that arrived outside `input`.
    """

    channel: str
    conversation: str
    sender: Sender
    input: str | None
    delivery_id: str
    shortcut: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reply:
    """The screen to show (the channel renders it) and whether the conversation goes on.

    `text`: the screen as the channel's screen profile renders it, when the coordinator has
    rendered it already (to check that it fits), so a text channel need not render it again.
    """

    screen: Screen
    goes_on: bool
    text: str | None = field(default=None, compare=False)  # derived from `screen`


@dataclass(frozen=True, slots=True)
class Decoded:
    """A message's input against what the conversation consumed so far.

    `opening`: the inputs to start a new conversation with (a dial string's segments);
    `input`: the one new input for a conversation under way (None: nothing new, an older or
    repeated message); `consumed`: the cursor to keep for the next message.
    """

    opening: tuple[str, ...]
    input: str | None
    consumed: int


InputDecoder = Callable[[str, int], Decoded]


def one_input(raw: str, consumed: int) -> Decoded:
    """A chat-style channel: each message is one input; an opening message only opens."""
    return Decoded((), raw, consumed + 1)


class Directory(Protocol):
    """Who a chat user is: the E.164 phone their account is linked to, None if not linked."""

    async def phone_of(self, channel: str, chat_user: str) -> str | None: ...


@dataclass(frozen=True, slots=True)
class ChannelProfile:
    """How one channel's conversations behave.

    `screen` (budget, alphabet; the flows word "how to start again" from it); `session_ttl_s`:
    how long silence keeps a conversation (USSD: the telco's 180 s; SMS, Telegram: 10 min);
    `reply_budget_s`: how long a message may take to answer (a verify is cut short past it);
    `decode`: the adapter's input decoder; `reopens`: whether a key outlives an ending (a chat
    id does; a USSD session does not, so a message after its END gets that END again).
    """

    name: str
    screen: Profile
    session_ttl_s: float
    reply_budget_s: float = 2.0
    decode: InputDecoder = one_input
    reopens: bool = True

    @property
    def sorry(self) -> str:
        return f"Sorry, something went wrong. Please {self.screen.again}."

    @property
    def wrong_sender(self) -> str:
        return f"This session belongs to another phone. Please {self.screen.again}."

    @property
    def unlinked(self) -> str:
        return "Please link your phone number to PayLink first."
