"""A fake Africa's Talking USSD gateway (channels.md F1), one handset at a time.

`Phone` posts exactly AT's form (`sessionId`, `serviceCode`, `phoneNumber`, `networkCode`,
`text` accumulated with `*`) to the gateway over real HTTP, and checks every reply the way AT
and the handset would: 200, `text/plain`, `CON `/`END ` prefix, at most 160 GSM-7 septets.
It can resend a hop, redial (new session id) and post the end-of-session event.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import httpx

from gateway.gsm7 import ALPHABET, septets

ROUTE = "/ussd/africastalking"
EVENTS = "/ussd/africastalking/events"
CODE = "*347*88#"
NETWORKS = {"0803": "62130", "0805": "62150", "0802": "62120", "0809": "62160"}


def check_reply(response: httpx.Response) -> str:
    """The reply body, after AT's and the handset's checks."""
    assert response.status_code == 200, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("text/plain"), response.headers
    body = response.text
    assert body.startswith(("CON ", "END ")), repr(body)
    assert septets(body) <= 160, (septets(body), body)
    bad = [ch for ch in body if ch not in ALPHABET]
    assert not bad, (bad, body)
    return body


@dataclass
class Phone:
    client: httpx.AsyncClient  # base_url = the gateway
    number: str = "08031234567"
    code: str = CODE
    session_id: str = ""
    inputs: list[str] = field(default_factory=list)
    last: str = ""
    transcript: list[tuple[str, str]] = field(default_factory=list)
    route: str = ROUTE  # the callback path; `/ussd/africastalking/{token}` with a token set

    @property
    def e164(self) -> str:
        return "+234" + self.number[1:]

    @property
    def text(self) -> str:
        return "*".join(self.inputs)

    @property
    def ended(self) -> bool:
        return self.last.startswith("END ")

    def form(self, text: str | None = None) -> dict[str, str]:
        return {
            "sessionId": self.session_id,
            "serviceCode": self.code,
            "phoneNumber": self.e164,
            "networkCode": NETWORKS.get(self.number[:4], "99999"),
            "text": self.text if text is None else text,
        }

    async def post(self, text: str | None = None) -> str:
        response = await self.client.post(self.route, data=self.form(text))
        body = check_reply(response)
        self.transcript.append((self.text if text is None else text, body))
        return body

    async def dial(self, code: str | None = None, first: str = "") -> str:
        """A new session; `first` is what AT puts in the first `text` (dial-string extras)."""
        self.session_id = f"ATUid_{uuid.uuid4().hex}"
        self.code = code or self.code
        self.inputs = first.split("*") if first else []
        self.last = await self.post()
        return self.last

    async def send(self, *inputs: str) -> str:
        for entered in inputs:
            assert not self.ended, f"the session ended: {self.last!r}"
            self.inputs.append(entered)
            self.last = await self.post()
        return self.last

    async def resend(self) -> str:
        """The same hop again, as a telco retry would send it."""
        return await self.post()

    async def hang_up(self, status: str = "Incomplete") -> httpx.Response:
        form = {
            "date": "2026-11-27 11:00:00",
            "sessionId": self.session_id,
            "serviceCode": self.code,
            "networkCode": NETWORKS.get(self.number[:4], "99999"),
            "phoneNumber": self.e164,
            "status": status,
            "cost": "NGN 4.0000",
            "durationInMillis": "21450",
            "hopsCount": str(len(self.inputs) + 1),
            "input": self.text,
            "lastAppResponse": self.last,
            "errorMessage": "",
        }
        response = await self.client.post(self.route + "/events", data=form)
        assert response.status_code == 200
        return response
