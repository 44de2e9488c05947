"""`AtSmsSender`: the outbox's "sms" notifier, through the official `africastalking` SDK.

The SDK is synchronous (`requests`), so every send runs in a bounded thread pool of the
sender's own, never on the event loop, with the SDK's `(connect, read)` timeout. The outbox
lane keeps at most `concurrency` (= the pool's threads) sends in flight, so a send never
queues behind others and its time is bounded by that timeout, far inside the claim's lease.

The SDK hard-codes AT's hosts in `APIService._init_service`, the hook each of its services
overrides to set `_baseUrl`; `_SmsService` overrides it once more to put the same
`/version1/...` paths under `AT_API_BASE_URL` (AT's live or sandbox host, or a fake in tests).

Nothing here logs a message body, a phone number or the API key; errors recorded on the
message name what AT said (its status, or the first words of its error answer).
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from africastalking.Service import AfricasTalkingException
from africastalking.SMS import SMSService

from gateway.settings import Settings
from gateway.sms.alerts import AlertLatch
from gateway.sms.answers import Verdict, http_error, read_answer
from gateway.store.outbox import OutboxMessage
from gateway.worker.notifier import Outcome, SendResult

logger = logging.getLogger(__name__)

DEFAULT_THREADS = 64  # at 50 ms per answer about 400-500 sends/s on 2 cores (bench/sms.py)
DEFAULT_TIMEOUT_S = (3.05, 9.05)  # the SDK's own (connect, read)


class _SmsService(SMSService):  # type: ignore[misc]  # the SDK has no type information
    """The SDK's SMS service with `/version1` under our base URL instead of AT's fixed host."""

    def __init__(self, username: str, api_key: str, base_url: str) -> None:
        self._api_base = base_url.rstrip("/")  # before `super().__init__` calls the hook
        super().__init__(username, api_key)

    def _init_service(self) -> None:
        self._baseUrl = f"{self._api_base}/version1"
        self._contentUrl = self._baseUrl  # premium sends: the same host, as in AT's sandbox


class AtSmsSender:
    """Sends one outbox message per request (each has its own text) and reads AT's verdict."""

    def __init__(
        self,
        username: str,
        api_key: str,
        *,
        base_url: str,
        sender_id: str | None = None,
        threads: int = DEFAULT_THREADS,
        timeout_s: tuple[float, float] = DEFAULT_TIMEOUT_S,
    ) -> None:
        if threads < 1:
            raise ValueError("threads must be at least 1")
        self._service = _SmsService(username, api_key, base_url)
        self._sender_id = sender_id
        self._timeout = timeout_s
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="at-sms")
        self.concurrency = threads
        self.alerts = AlertLatch()

    @classmethod
    def from_settings(cls, settings: Settings) -> AtSmsSender:
        if settings.at_username is None or settings.at_api_key is None:
            raise ValueError("AT_USERNAME and AT_API_KEY are needed to send SMS")
        return cls(
            settings.at_username,
            settings.at_api_key.value,
            base_url=settings.at_api_base,
            sender_id=settings.at_sender_id,
        )

    async def send(self, message: OutboxMessage) -> SendResult:
        loop = asyncio.get_running_loop()
        try:
            answer = await loop.run_in_executor(self._pool, self._post, message.phone, message.body)
        except requests.exceptions.JSONDecodeError:
            verdict = read_answer(None)  # 2xx, but not JSON: taken, unreadable
        except requests.Timeout:
            verdict = Verdict(SendResult.retry("timeout"))
        except requests.RequestException as exc:
            verdict = Verdict(SendResult.retry(f"no answer ({type(exc).__name__})"))
        except ValueError:  # the SDK checks `^\+\d{1,3}\d{3,}$` before any request
            verdict = Verdict(SendResult.rejected("not an E.164 number"))
        except AfricasTalkingException as exc:  # non-2xx; only AT's body, no status
            verdict = http_error(str(exc))
        else:
            verdict = read_answer(answer)
        self._note(verdict)
        return verdict.result

    def close(self) -> None:
        """Stop the pool; sends still running finish on their own (their leases cover them)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _post(self, phone: str, body: str) -> Any:
        return self._service.send(body, [phone], sender_id=self._sender_id, timeout=self._timeout)

    def _note(self, verdict: Verdict) -> None:
        if verdict.result.outcome is Outcome.SENT:
            self.alerts.clear()
        elif verdict.alert is not None:
            self.alerts.raise_alert(verdict.alert)
