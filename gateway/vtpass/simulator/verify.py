"""`POST /api/merchant-verify` (spec §D): sandbox test values in, customer details out.

A wrong number still answers `code "000"`; the failure sits in `content.error` with
`WrongBillersCode: true`, which is the trap every client must learn. Never debits.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from gateway.clock import LAGOS
from gateway.vtpass.simulator.amounts import money_text
from gateway.vtpass.simulator.envelopes import error_body, invalid_arguments
from gateway.vtpass.simulator.extras import TEST_ADDRESS, TEST_CUSTOMER
from gateway.vtpass.simulator.fields import JSONObject, text_field
from gateway.vtpass.simulator.plans import PlanBook
from gateway.vtpass.simulator.products import Kind, Service
from gateway.vtpass.simulator.transactions import (
    JAMB_PROFILE,
    POSTPAID_METER,
    PREPAID_METER,
    SMARTCARD,
    SUCCESS_PHONE,
)

SMILE_EMAIL = "tester@sandbox.com"
SMARTCARD_ERROR = (
    "The Smartcard/Decoder Number you entered may be invalid, Please check and only proceed if "
    "you are sure it's valid."
)
PROFILE_ERROR = (
    "The Profile ID you entered may be invalid, Please check and only proceed if you are sure "
    "it's valid."
)
ACCOUNT_ERROR = "The account ID you entered may be invalid, Please check and try again."
_METERS = {"prepaid": PREPAID_METER, "postpaid": POSTPAID_METER}

# What the sandbox's test decoder is currently on, per TV service.
_TV_CURRENT = {
    "dstv": ("DSTV", "DStv Compact", "dstv79", 7900),
    "gotv": ("GOTV", "GOtv Max", "gotv-max", 3600),
    "startimes": ("STARTIMES", "Basic", "basic", 1300),
}


class Verifier:
    """Answers merchant-verify from the plan book, the commission rates and the clock."""

    def __init__(
        self,
        plans: PlanBook,
        commission_rates: Mapping[str, Decimal],
        *,
        disco_variants: bool = False,
        wrong_code_as_string: bool = False,
    ) -> None:
        self._plans = plans
        self._rates = commission_rates
        self._disco_variants = disco_variants
        self._wrong_as_string = wrong_code_as_string

    def verify(self, body: Mapping[str, Any], now: datetime) -> JSONObject:
        billers_code = text_field(body, "billersCode")
        service_id = text_field(body, "serviceID")
        missing = [
            n for n, v in (("billersCode", billers_code), ("serviceID", service_id)) if not v
        ]
        if billers_code is None or service_id is None:
            return invalid_arguments(missing)
        service = self._plans.service(service_id)
        if service is None:
            return error_body("012")
        kind = service.kind
        verify_type = text_field(body, "type")
        if kind in {Kind.ELECTRICITY, Kind.JAMB} and verify_type is None:
            return invalid_arguments(["type"])
        if kind == Kind.ELECTRICITY:
            return self._meter(service, billers_code, (verify_type or "").lower())
        if kind in {Kind.TV, Kind.STARTIMES}:
            return self._smartcard(service, billers_code, now)
        if kind == Kind.JAMB:
            return self._profile(service, billers_code)
        if service_id == "smile-direct":
            return self.smile(billers_code)
        if service_id == "spectranet":
            return self._spectranet(service, billers_code)
        return invalid_arguments([f"merchant-verify is not available for {service_id}"])

    def smile(self, account: str) -> JSONObject:
        """Smile lookup by email or phone (also `merchant-verify/smile/email`)."""
        if account.lower() != SMILE_EMAIL and account != SUCCESS_PHONE:
            return self._wrong(ACCOUNT_ERROR)
        return {
            "code": "000",
            "content": {
                "Customer_Name": "Tester Sandbox",
                "AccountList": {
                    "Account": [{"AccountId": "1402000567", "FriendlyName": "Tester Sandbox"}],
                    "NumberOfAccounts": 1,
                },
                "WrongBillersCode": self._flag(False),
            },
        }

    def _meter(self, service: Service, meter: str, meter_type: str) -> JSONObject:
        if _METERS.get(meter_type) != meter:
            return self._wrong(
                f"This meter is not correct or is not a valid {service.disco} {meter_type} "
                "meter. Please check and try again"
            )
        content: JSONObject = {
            "Customer_Name": TEST_CUSTOMER,
            "Address": TEST_ADDRESS,
            "Meter_Number": meter,
            "Customer_Arrears": "",
            "Minimum_Amount": "",
            "Min_Purchase_Amount": "",
            "Can_Vend": "yes",
            "Business_Unit": "",
            "Customer_Account_Type": "NMD",
            "Meter_Type": meter_type.upper(),
            "WrongBillersCode": self._flag(False),
            "commission_details": self._commission(service),
        }
        if self._disco_variants and service.service_id == "jos-electric":
            # Jos's sandbox leaves name and address empty and spells the meter key differently.
            content.update({"Customer_Name": "", "Address": "", "MeterNumber": meter})
            del content["Meter_Number"]
        return {"code": "000", "content": content}

    def _smartcard(self, service: Service, card: str, now: datetime) -> JSONObject:
        if card != SMARTCARD:
            return self._wrong(SMARTCARD_ERROR)
        customer_type, bouquet, bouquet_code, renewal = _TV_CURRENT[service.service_id]
        due = (now.astimezone(LAGOS) + timedelta(days=30)).strftime("%Y-%m-%dT00:00:00")
        return {
            "code": "000",
            "content": {
                "Customer_Name": "TEST METER",
                "Status": "ACTIVE",
                "Due_Date": due,
                "Customer_Number": "8061522780",
                "Customer_Type": customer_type,
                "Current_Bouquet": bouquet,
                "Current_Bouquet_Code": bouquet_code,
                "Renewal_Amount": renewal,
                "commission_details": self._commission(service),
            },
        }

    def _profile(self, service: Service, profile: str) -> JSONObject:
        if profile != JAMB_PROFILE:
            return self._wrong(PROFILE_ERROR)
        return {
            "code": "000",
            "content": {
                "Customer_Name": "Capital James",
                "commission_details": self._commission(service),
            },
        }

    def _spectranet(self, service: Service, account: str) -> JSONObject:
        if account != SMARTCARD:
            return self._wrong(ACCOUNT_ERROR)
        return {
            "code": "000",
            "content": {
                "Customer_Name": "TEST SPECTRANET",
                "commission_details": self._commission(service),
            },
        }

    def _commission(self, service: Service) -> JSONObject:
        rate = self._rates.get(service.service_id, Decimal(0))
        return {
            "amount": None,
            "rate": money_text(rate),
            "rate_type": "percent",
            "computation_type": "default",
        }

    def _wrong(self, message: str) -> JSONObject:
        return {"code": "000", "content": {"error": message, "WrongBillersCode": self._flag(True)}}

    def _flag(self, value: bool) -> bool | str:
        if self._wrong_as_string:
            return "true" if value else "false"
        return value
