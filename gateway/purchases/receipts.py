"""A settled purchase's receipt, and the pending-for-long notice, as outbox messages.

The wording is `gateway.texts` (`receipts`: GSM-7 SMS sized to parts; `telegram`: a chat's
`₦1,500.00` and HTML); this module reads what a receipt says off a stored purchase (`facts_of`)
and addresses the messages: to the buyer's phone (else the purchase's), on the channel the
purchase came from, tied to the purchase. A Telegram purchase's receipt goes back to Telegram
as one chat message that carries its SMS wording too (`texts.telegram.ChatMessage`), for the
channel to send by SMS if the chat cannot take it: both are decided here, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.domain.purchase_status import PurchaseStatus
from gateway.phones import to_local
from gateway.purchases.failure_reasons import customer_reason
from gateway.store import outbox
from gateway.store.purchases import PurchaseRecord
from gateway.texts import receipts as wording
from gateway.texts import telegram as chat_wording
from gateway.texts.facts import ReceiptFacts
from gateway.vtpass.reading import first_text

TELEGRAM = "telegram"  # the purchase channel and the outbox channel alike

# what a customer reference is called, by category (a phone number needs no word)
_REF_WORDS = {
    "electricity-bill": "meter",
    "tv-subscription": "card",
    "education": "profile",
}
# where a delivered VTPass answer names the account holder (electricity: vtpass.md §2.6)
_NAME_KEYS = ("customerName", "CustomerName", "customer_name", "Customer_Name")


def recipient_of(purchase: PurchaseRecord) -> str:
    """`08031234567`, `meter 1111111111111`, `card 1212121212`, `account 1402000567`."""
    phone = to_local(purchase.phone)  # one stored before today's rules comes back as stored
    ref = purchase.customer_ref
    if not ref or ref == phone:
        return phone
    return f"{_REF_WORDS.get(purchase.category, 'account')} {ref}"


def customer_name_in(answer: Mapping[str, Any]) -> str | None:
    """The account holder's name in a delivered VTPass answer, if it gives one (not `N/A`)."""
    content = answer.get("content")
    inner = content if isinstance(content, Mapping) else {}
    return first_text(answer, *_NAME_KEYS) or first_text(inner, *_NAME_KEYS)


def facts_of(purchase: PurchaseRecord, customer_name: str | None = None) -> ReceiptFacts:
    """The receipt facts of a purchase as stored (plus the name the provider gave, if any)."""
    failed = purchase.status in (PurchaseStatus.FAILED, PurchaseStatus.REVERSED)
    return ReceiptFacts(
        reference=purchase.reference,
        product=purchase.product,
        face=purchase.face_amount,
        total=purchase.total,
        status=purchase.status,
        recipient=recipient_of(purchase),
        customer_name=customer_name,
        token=purchase.token,
        units=purchase.units,
        pins=purchase.pins,
        fee=purchase.fee,
        discount=purchase.discount,
        quantity=purchase.quantity,
        reason=customer_reason(purchase.vtpass_code) if failed else None,
    )


def _message(
    purchase: PurchaseRecord, buyer: str | None, body: str, channel: str = "sms"
) -> outbox.NewMessage:
    return outbox.NewMessage(
        phone=buyer or purchase.phone,
        body=body,
        channel=channel,
        user_id=purchase.user_id,
        purchase_id=purchase.id,
    )


def _in_chat(purchase: PurchaseRecord) -> bool:
    return purchase.channel == TELEGRAM


def receipt_messages(
    purchase: PurchaseRecord, buyer: str | None, *, customer_name: str | None = None
) -> list[outbox.NewMessage]:
    """The receipt of a settled purchase, to its buyer (else its phone): one message, or more
    SMS when its result-checker cards do not fit two parts (a chat takes them in one)."""
    facts = facts_of(purchase, customer_name)
    if _in_chat(purchase):
        return [_message(purchase, buyer, chat_wording.receipt(facts).body, TELEGRAM)]
    return [_message(purchase, buyer, sms.body) for sms in wording.receipt(facts)]


def pending_notice_message(purchase: PurchaseRecord, buyer: str | None) -> outbox.NewMessage:
    """The one "still confirming, do not pay again" notice of a purchase pending for long."""
    facts = facts_of(purchase)
    if _in_chat(purchase):
        return _message(purchase, buyer, chat_wording.pending_notice(facts).body, TELEGRAM)
    return _message(purchase, buyer, wording.pending_notice(facts).body)
