"""The Telegram bot's handlers: a private chat's updates through the conversation coordinator.

PTB parses updates and routes them here (the same handlers for the webhook and for long
polling); the flows run in the coordinator like every channel's, and each `Reply` comes back as
one message with buttons (`telegram_render`). Per chat:

- one message carries the live buttons (its id is the `ChatState.menu`): a tap edits it in
  place, a typed answer gets a new one and the old one loses its buttons, and a tap on any other
  message is answered "out of date" and does nothing. Every tap is answered (the client shows a
  spinner until then), whatever happens to it: in the webhook's answer when the update came by
  webhook (`telegram_reply`, which also carries an old menu's buttons off), else by a request;
- when the live message asks for a PIN, the next text is deleted from the chat as soon as it is
  read; it reaches the coordinator only as input (never logged, never stored);
- messages of one chat are handled one at a time in a process (a lock per chat); across
  processes the coordinator's compare-and-set settles races.

Only private chats are served: a group is no place for a PIN or a wallet.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import replace
from typing import Any

from telegram import (
    BotCommand,
    CallbackQuery,
    ForceReply,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from gateway.channels import telegram_linking as linking
from gateway.channels.telegram_client import GatewayBot
from gateway.channels.telegram_render import PARSE_MODE, key_of, render
from gateway.channels.telegram_reply import answer_in_reply, strip_in_reply
from gateway.channels.telegram_state import ChatState, TelegramState
from gateway.conversations.contract import Inbound, Reply, Sender
from gateway.conversations.coordinator import Coordinator
from gateway.conversations.failures import masked_traceback
from gateway.flows.screens import HOME_KEY
from gateway.logs import mask_msisdn
from gateway.texts.telegram import escape

logger = logging.getLogger(__name__)

NAME = linking.CHANNEL
COMMANDS = (
    ("start", "Link your phone number and open the menu"),
    ("menu", "Main menu"),
    ("balance", "Your wallet balance"),
    ("history", "Your last purchases"),
    ("fund", "Your account number for bank transfers"),
    ("cancel", "Stop what you are doing"),
    ("help", "What this bot does"),
    ("unlink", "Unlink your phone number from this chat"),
)
HELP = (
    "PayLink buys airtime, data, electricity, TV and exam PINs from your PayLink wallet. Tap"
    " the buttons, and type an amount, a number or your PIN when asked.\n"
    + "\n".join(f"/{name} {about.lower()}" for name, about in COMMANDS)
)
STALE = "This menu is out of date. Send /menu for a new one."
UNKNOWN_BUTTON = "This button no longer works. Send /menu."
PRIVATE_ONLY = "PayLink works in a private chat with the bot only."
TEXT_ONLY = "Please tap a button, or type your answer."
UNKNOWN_COMMAND = "Sorry, I do not know that command. Send /help for the list."
CANCELLED = "Cancelled."
MAIN_MENU_LABEL = "Main menu"  # the "continue where you stopped?" screen's way home
# the menu labels a command walks through from the main menu
WALLET_PATHS = {
    "balance": ("Wallet", "Balance"),
    "history": ("Wallet", "Last purchases"),
    "fund": ("Wallet", "Fund wallet"),
}

Context = ContextTypes.DEFAULT_TYPE
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | ForceReply


def bot_commands() -> list[BotCommand]:
    return [BotCommand(name, about) for name, about in COMMANDS]


class TelegramChat:
    """The handlers and what they share: the coordinator, the chat states, the links."""

    def __init__(
        self, coordinator: Coordinator, state: TelegramState, links: linking.Links
    ) -> None:
        self._coordinator = coordinator
        self._state = state
        self._links = links
        self._locks: weakref.WeakValueDictionary[int, asyncio.Lock] = weakref.WeakValueDictionary()

    def handlers(self) -> list[BaseHandler[Update, Context, None]]:
        private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
        wallet = tuple(WALLET_PATHS)
        # a tap first: PTB tries handlers in order, and no message handler takes a tap (each
        # asks for a message) nor the tap's handler a message, so the order between them is free
        return [
            CallbackQueryHandler(self.on_tap),
            CommandHandler("start", self.on_start, filters=private),
            CommandHandler(("menu", "cancel"), self.on_menu, filters=private),
            CommandHandler(wallet, self.on_wallet, filters=private),
            CommandHandler("help", self.on_help, filters=private),
            CommandHandler("unlink", self.on_unlink, filters=private),
            MessageHandler(private & filters.CONTACT, self.on_contact),
            MessageHandler(private & filters.TEXT & ~filters.COMMAND, self.on_text),
            MessageHandler(private & filters.COMMAND, self.on_unknown_command),
            MessageHandler(private, self.on_other),
            MessageHandler(filters.UpdateType.MESSAGE & ~private, self.on_group),
        ]

    # -- what users send ---------------------------------------------------------------------

    async def on_text(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None or message.from_user is None or message.text is None:
            return
        async with self._lock(message.chat_id):
            state, phone = await self._chat_of(message.chat_id, message.from_user.id)
            if state.secret:  # a PIN: out of the chat before anything else happens
                await self._delete(message)
            reply = await self._ask(state, message, message.text, phone=phone)
            await self._show(context, message.chat_id, state, reply)

    async def on_tap(self, update: Update, context: Context) -> None:
        query = update.callback_query
        if query is None:
            return
        chat = update.effective_chat
        key = key_of(query.data)
        if chat is None or chat.type != chat.PRIVATE:
            await _answer(query, PRIVATE_ONLY)
            return
        if query.message is None or key is None:
            await _answer(query, UNKNOWN_BUTTON)
            return
        menu = query.message.message_id
        async with self._lock(chat.id):
            state, phone = await self._chat_of(chat.id, query.from_user.id)
            if state.menu != menu:
                await _answer(query, STALE)
                return
            inbound = self._inbound(state, query.from_user.id, key, query.id, phone)

            async def run() -> None:
                reply = await self._coordinator.handle(inbound)
                await self._show(context, chat.id, state, reply, edit=menu)

            if answer_in_reply(query.id, None):  # the webhook's answer carries it
                await run()
                return
            # answered at once (the spinner stops) while the tap is worked out
            await asyncio.gather(_answer(query), run())

    async def on_start(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None or message.from_user is None:
            return
        if await self._links.phone_of(message.from_user.id) is None:
            await _send(context, message.chat_id, linking.PROMPT, linking.contact_keyboard())
            return
        await self._home(update, context, hint=None)

    async def on_menu(self, update: Update, context: Context) -> None:
        command = _command(update.message)
        await self._home(update, context, hint=CANCELLED if command == "cancel" else None)

    async def on_wallet(self, update: Update, context: Context) -> None:
        message = update.message
        path = WALLET_PATHS.get(_command(message) or "")
        if message is None or message.from_user is None or path is None:
            return
        async with self._lock(message.chat_id):
            state, phone = await self._chat_of(message.chat_id, message.from_user.id)
            reply = await self._walk(state, message, path, phone)
            await self._show(context, message.chat_id, state, reply)

    async def on_help(self, update: Update, context: Context) -> None:
        if update.message is not None:
            await _send(context, update.message.chat_id, HELP)

    async def on_unknown_command(self, update: Update, context: Context) -> None:
        if update.message is not None:
            await _send(context, update.message.chat_id, UNKNOWN_COMMAND)

    async def on_other(self, update: Update, context: Context) -> None:
        if update.message is not None:  # a sticker, a photo, a voice note
            await _send(context, update.message.chat_id, TEXT_ONLY)

    async def on_group(self, update: Update, _context: Context) -> None:
        chat = update.effective_chat
        logger.info("telegram: ignored a message from a %s chat", chat.type if chat else "?")

    async def on_contact(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None or message.from_user is None or message.contact is None:
            return
        phone = linking.own_phone(message.contact, message.from_user.id)
        if isinstance(phone, linking.Refused):
            logger.info("telegram: refused a contact from user %d", message.from_user.id)
            await _send(context, message.chat_id, phone.reason, linking.contact_keyboard())
            return
        created = await self._links.link(message.from_user.id, message.chat_id, phone)
        logger.info(
            "telegram: user %d linked to %s%s",
            message.from_user.id,
            mask_msisdn(phone),
            " (new PayLink user)" if created else "",
        )
        async with self._lock(message.chat_id):
            before = await self._state.chat(message.chat_id)
            state = _new_epoch(before)  # a conversation never outlives its link
            await _send(context, message.chat_id, linking.linked_text(phone), ReplyKeyboardRemove())
            reply = await self._ask(state, message, "")  # opens: the menu, or set a PIN first
            await self._show(context, message.chat_id, state, reply)

    async def on_unlink(self, update: Update, context: Context) -> None:
        message = update.message
        if message is None or message.from_user is None:
            return
        had = await self._links.unlink(message.from_user.id)
        async with self._lock(message.chat_id):
            state = await self._chat(message.chat_id)
            await self._strip(context, message.chat_id, state.menu)
            await self._state.save_chat(
                message.chat_id, _new_epoch(state).showing(None, secret=False)
            )
        logger.info("telegram: user %d unlinked%s", message.from_user.id, "" if had else " (none)")
        await _send(context, message.chat_id, linking.UNLINKED if had else linking.NOT_LINKED)

    # -- the conversation --------------------------------------------------------------------

    async def _home(self, update: Update, context: Context, hint: str | None) -> None:
        message = update.message
        if message is None or message.from_user is None:
            return
        async with self._lock(message.chat_id):
            state, phone = await self._chat_of(message.chat_id, message.from_user.id)
            reply = await self._ask(state, message, HOME_KEY, phone=phone)
            if hint and not reply.screen.ends:
                reply = replace(reply, screen=replace(reply.screen, hint=hint))
            await self._show(context, message.chat_id, state, reply)

    async def _walk(
        self, state: ChatState, message: Message, path: tuple[str, ...], phone: str | None
    ) -> Reply:
        """To the main menu, then through the options labelled `path`, as taps would; stops
        where a label is missing (a PIN to set first, a menu without that entry)."""
        reply = await self._ask(state, message, HOME_KEY, phone=phone)
        for step, label in enumerate(path, start=1):
            keys = {o.label: o.key for o in reply.screen.options}
            if label not in keys and MAIN_MENU_LABEL in keys:  # offered to continue: go home
                reply = await self._ask(
                    state, message, keys[MAIN_MENU_LABEL], f"h{step}", phone=phone
                )
                keys = {o.label: o.key for o in reply.screen.options}
            if reply.screen.ends or label not in keys:
                break
            reply = await self._ask(state, message, keys[label], str(step), phone=phone)
        return reply

    async def _ask(
        self,
        state: ChatState,
        message: Message,
        text: str,
        step: str = "",
        *,
        phone: str | None = None,
    ) -> Reply:
        assert message.from_user is not None  # noqa: S101 - checked by every handler
        delivery = f"{message.message_id}:{step}" if step else str(message.message_id)
        return await self._coordinator.handle(
            self._inbound(state, message.from_user.id, text, delivery, phone)
        )

    def _inbound(
        self, state: ChatState, user_id: int, text: str, delivery: str, phone: str | None = None
    ) -> Inbound:
        """`phone`: the user's linked phone if already known (read with the chat's state);
        else the coordinator asks its directory."""
        return Inbound(
            channel=NAME,
            conversation=f"{user_id}.{state.epoch}",  # a private chat's id is its user's id
            sender=Sender(phone=phone, chat_user=str(user_id)),
            input=text,
            delivery_id=delivery,
        )

    async def _show(
        self,
        context: Context,
        chat_id: int,
        state: ChatState,
        reply: Reply,
        *,
        edit: int | None = None,
    ) -> None:
        """Show `reply`: edit message `edit` in place, or send a new message (the old live one
        loses its buttons). An unlinked user is asked to share their number instead."""
        if reply.screen.message == self._coordinator.profile.unlinked:
            await self._strip(context, chat_id, state.menu)
            await self._state.save_chat(chat_id, state.showing(None, secret=False))
            await _send(context, chat_id, linking.PROMPT, linking.contact_keyboard())
            return
        rendered = render(reply.screen)
        shown: int | None = None
        if edit is not None:
            shown = await _edit(context, chat_id, edit, rendered.text, rendered.markup)
        if shown is None:
            shown = await _bot(context).send_text(
                chat_id, rendered.text, parse_mode=PARSE_MODE, reply_markup=rendered.markup
            )
            if state.menu != shown:
                await self._strip(context, chat_id, state.menu)
        showing = state.showing(shown, secret=reply.screen.secret)
        if showing != state:  # unchanged (an edit in place): reading it renewed its TTL
            await self._state.save_chat(chat_id, showing)

    async def _chat(self, chat_id: int) -> ChatState:
        return await self._state.chat(chat_id) or _new_epoch(None)

    async def _chat_of(self, chat_id: int, user_id: int) -> tuple[ChatState, str | None]:
        """The chat's state and, read in the same round trip, its user's cached link."""
        state, phone = await self._state.chat_and_phone(chat_id, user_id)
        return state or _new_epoch(None), phone

    async def _strip(self, context: Context, chat_id: int, menu: int | None) -> None:
        """Take the buttons off an old live message (best effort: it may be gone)."""
        if menu is None or strip_in_reply(chat_id, menu):
            return
        try:
            await context.bot.edit_message_reply_markup(chat_id, menu, reply_markup=None)
        except TelegramError as exc:
            logger.debug(
                "telegram: old menu %d in chat %d kept its buttons: %s", menu, chat_id, exc
            )

    async def _delete(self, message: Message) -> None:
        try:
            await message.delete()
        except TelegramError as exc:  # too old, or already deleted by the user
            logger.warning(
                "telegram: could not delete a PIN message in chat %d: %s", message.chat_id, exc
            )

    def _lock(self, chat_id: int) -> asyncio.Lock:
        lock = self._locks.get(chat_id)
        if lock is None:
            lock = self._locks[chat_id] = asyncio.Lock()
        return lock


def _new_epoch(state: ChatState | None) -> ChatState:
    fresh = ChatState.fresh()
    return fresh if state is None else replace(fresh, menu=state.menu)


def _command(message: Message | None) -> str | None:
    """`balance` for `/balance` or `/balance@paylink_bot`."""
    if message is None or not message.text or not message.text.startswith("/"):
        return None
    return message.text[1:].split()[0].split("@")[0].lower()


async def _answer(query: CallbackQuery, text: str | None = None) -> None:
    if answer_in_reply(query.id, text):
        return
    try:
        await query.answer(text)
    except TelegramError as exc:  # too old (Telegram's 15 s), or answered already
        logger.warning("telegram: a callback query could not be answered: %s", exc)


async def _send(context: Context, chat_id: int, text: str, markup: Markup | None = None) -> None:
    await _bot(context).send_text(chat_id, escape(text), parse_mode=PARSE_MODE, reply_markup=markup)


async def _edit(
    context: Context,
    chat_id: int,
    message_id: int,
    text: str,
    keyboard: dict[str, Any] | None,
) -> int | None:
    """Edit in place; the message id, or None when it cannot be edited (send a new one)."""
    try:
        await _bot(context).edit_text(
            chat_id, message_id, text, parse_mode=PARSE_MODE, reply_markup=keyboard
        )
    except BadRequest as exc:
        if "not modified" in exc.message.lower():  # the same screen again (a repeated tap)
            return message_id
        logger.info("telegram: menu %d in chat %d not edited (%s)", message_id, chat_id, exc)
        return None
    return message_id


def _bot(context: Context) -> GatewayBot:
    bot = context.bot
    if not isinstance(bot, GatewayBot):  # `telegram_bot.build_application` makes it
        raise TypeError(f"the Application's bot is a {type(bot).__name__}, not a GatewayBot")
    return bot


def log_failure(exc: BaseException) -> None:
    """PTB's error handler: the traceback, phones masked; never the update (it may hold a PIN)."""
    logger.error("telegram update failed\n%s", masked_traceback(exc))
