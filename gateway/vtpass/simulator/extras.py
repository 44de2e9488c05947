"""Product extras of a delivered purchase: tokens, PINs, vouchers (vtpass.md §2.6, spec §F).

Each disco family writes its token differently upstream; with `disco_variants` on, Jos, Kano
and Eko answer in their own shapes so clients learn to search every known key.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gateway.vtpass.simulator.amounts import json_number
from gateway.vtpass.simulator.products import Kind
from gateway.vtpass.simulator.transactions import Transaction

# The sandbox's example sells 79.9 kWh for ₦2,000.
NAIRA_PER_KWH = Decimal("25.03")
TARIFF = "R2 SINGLE PHASE RESIDENTIAL"
TEST_CUSTOMER = "TESTMETER1"
TEST_ADDRESS = "ABULE EGBA BU ABULE"
_VOUCHER_ALPHABET = string.ascii_uppercase + string.digits

# Ikeja's prepaid answer: fields it fills with "N/A" or zero.
_PREPAID_PADDING: dict[str, Any] = {
    "resetToken": "N/A",
    "configureToken": "N/A",
    "customerName": "N/A",
    "customerAddress": "N/A",
    "meterNumber": "N/A",
    "tariff": TARIFF,
    "taxAmount": 0,
    "debtAmount": 0,
    "kct1": "N/A",
    "kct2": "N/A",
    "fixChargeAmount": 0,
    "penalty": 0,
    "costOfUnit": 0,
    "announcement": "N/A",
    "meterCost": 0,
    "currentCharge": 0,
    "lossOfRevenue": 0,
    "tariffBaseRate": 0,
    "installationFee": 0,
    "reconnectionFee": 0,
    "meterServiceCharge": 0,
    "administrativeCharge": 0,
}


@dataclass(frozen=True, slots=True)
class DeliveredExtras:
    """Top-level extras for the `/pay` and `/requery` bodies, and `purchased_code`."""

    extras: dict[str, Any]
    purchased_code: str


class ExtrasMaker:
    """Makes plausible tokens, PINs and vouchers from an injected random source."""

    def __init__(self, rng: random.Random, *, disco_variants: bool = False) -> None:
        self._rng = rng
        self._disco_variants = disco_variants

    def digits(self, count: int) -> str:
        return "".join(self._rng.choices(string.digits, k=count))

    def for_transaction(self, txn: Transaction) -> DeliveredExtras:
        kind = txn.service.kind
        if kind == Kind.ELECTRICITY:
            if txn.meter_type == "postpaid":
                return self._postpaid(txn)
            return self._prepaid(txn)
        if kind == Kind.WAEC:
            return self._waec(txn.quantity)
        if kind == Kind.WAEC_REGISTRATION:
            return self._waec_registration(txn.quantity)
        if kind == Kind.JAMB:
            pin = f"Pin : {self.digits(16)}"
            return DeliveredExtras({"Pin": pin}, pin)
        if kind == Kind.SHOWMAX:
            vouchers = [self._voucher() for _ in range(txn.quantity)]
            return DeliveredExtras({"Voucher": vouchers}, "||".join(vouchers))
        if kind == Kind.INSURANCE:
            url = f"{txn.origin}/certificates/{txn.transaction_id}.pdf"
            return DeliveredExtras({"certUrl": url}, "")
        return DeliveredExtras({}, "")

    def _prepaid(self, txn: Transaction) -> DeliveredExtras:
        token = self.digits(20)
        units = (txn.amount / NAIRA_PER_KWH).quantize(Decimal("0.1"))
        reference = self.digits(16)
        service_id = txn.service.service_id
        if self._disco_variants and service_id == "jos-electric":
            dashed = "-".join(token[i : i + 4] for i in range(0, 20, 4))
            return DeliveredExtras(
                {"Token": dashed, "Units": json_number(units), "exchangeReference": reference},
                f"Token : {dashed}",
            )
        if self._disco_variants and service_id == "kano-electric":
            extras: dict[str, Any] = {
                "CustomerName": TEST_CUSTOMER,
                "CustomerAddress": TEST_ADDRESS,
                "Token": token,
                "Units": json_number(units),
                "Receipt": self.digits(12),
                "Tariff": TARIFF,
                "DebtAmount": 0,
                "DebtRemaining": 0,
                "FixedAmount": 0,
                "FixedRemaining": 0,
            }
            return DeliveredExtras(extras, f"Token : {token}")
        if self._disco_variants and service_id == "eko-electric":
            bonus = self.digits(20)
            extras = {
                "mainToken": token,
                "mainTokenDescription": "Normal Sale",
                "mainTokenUnits": json_number(units),
                "mainTokenTax": 0,
                "mainsTokenAmount": json_number(txn.amount),  # sic, as Eko spells it
                "bonusToken": bonus,
                "bonusTokenDescription": "FBE Token",
                "bonusTokenUnits": 0,
                "bonusTokenTax": None,
                "bonusTokenAmount": None,
                "tariffIndex": "01",
                "debtDescription": "N/A",
                "exchangeReference": reference,
            }
            return DeliveredExtras(extras, f"Token : {token} Bonus Token : {bonus}")
        code = f"Token : {token}"
        extras = {
            "token": code,
            "tokenAmount": json_number(txn.amount),
            "units": f"{units} kWh",
            "exchangeReference": reference,
            **_PREPAID_PADDING,
        }
        return DeliveredExtras(extras, code)

    def _postpaid(self, txn: Transaction) -> DeliveredExtras:
        extras = {
            "customerName": TEST_CUSTOMER,
            "customerAddress": TEST_ADDRESS,
            "meterNumber": None,
            "utilityName": txn.service.disco or txn.service.name,
            "exchangeReference": self.digits(16),
            "balance": None,
        }
        return DeliveredExtras(extras, "")

    def _waec(self, quantity: int) -> DeliveredExtras:
        cards = [
            {"Serial": f"WRN{self.digits(9)}", "Pin": self.digits(12)} for _ in range(quantity)
        ]
        code = "||".join(f"Serial No:{c['Serial']}, pin: {c['Pin']}" for c in cards)
        return DeliveredExtras({"cards": cards}, code)

    def _waec_registration(self, quantity: int) -> DeliveredExtras:
        tokens = [self.digits(19) for _ in range(quantity)]
        return DeliveredExtras({"tokens": tokens}, "||".join(f"Token: {t}" for t in tokens))

    def _voucher(self) -> str:
        return "SHM" + "".join(self._rng.choices(_VOUCHER_ALPHABET, k=12))
