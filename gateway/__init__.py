"""PayLink: a bill-payment gateway for Nigeria (USSD, SMS, Telegram and REST) on VTPass."""

__version__ = "0.1.0"
