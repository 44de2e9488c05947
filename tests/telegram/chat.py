"""One Telegram user in a private chat with the bot, as the tests drive it through the fake."""

from __future__ import annotations

from gateway.texts.telegram import ChatMessage
from tests.fixtures.fake_bot_api import FakeBotApi, Message, User, visible_text


def as_shown(body: str) -> str:
    """What a chat shows of an outbox message of channel `telegram` (its chat wording)."""
    return visible_text(ChatMessage.parse(body).html, "HTML")


class Chat:
    """Sends what a user would (text, commands, taps, a shared contact) by webhook, and reads
    what the bot left in the chat."""

    def __init__(self, api: FakeBotApi, user: User) -> None:
        self.api = api
        self.user = user

    @property
    def id(self) -> int:
        return self.user.id  # a private chat's id is its user's

    async def deliver(self, update: dict) -> None:
        status = await self.api.deliver(update)
        assert status == 200, status

    async def say(self, text: str) -> None:
        await self.deliver(self.api.text(self.user, text))

    async def command(self, command: str) -> None:
        await self.deliver(self.api.command(self.user, command))

    async def tap(self, label: str) -> None:
        """Tap the button labelled `label` on the live menu."""
        await self.deliver(self.api.tap(self.user, self.menu, label))

    async def press(self, key: str) -> None:
        """What a USSD caller would key: the live menu's button for `key`, else typed."""
        data = f"k:{key}"
        if any(b.get("callback_data") == data for b in self.menu.buttons):
            await self.deliver(self.api.tap_data(self.user, self.menu, data))
        else:
            await self.say(key)

    async def share_contact(self, phone: str, **options: object) -> None:
        await self.deliver(self.api.contact(self.user, phone, **options))

    async def link(self, phone: str) -> None:
        await self.command("/start")
        await self.share_contact(phone)

    @property
    def menu(self) -> Message:
        """The bot's newest message that has buttons."""
        with_buttons = [m for m in self.api.bot_messages(self.id) if m.buttons]
        assert with_buttons, f"no menu in the chat: {self.transcript}"
        return with_buttons[-1]

    @property
    def screen(self) -> str:
        """What the bot's newest message says."""
        return self.api.last(self.id).visible

    @property
    def buttons(self) -> list[str]:
        return [b["text"] for b in self.menu.buttons]

    @property
    def transcript(self) -> list[str]:
        return [("bot: " if m.from_bot else "user: ") + m.visible for m in self.api.chat(self.id)]
