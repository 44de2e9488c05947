"""Spec §B: who may call `/api/*`. Anything else gets HTTP 200 `087 INVALID CREDENTIALS`."""

from __future__ import annotations

import base64
from dataclasses import replace

import httpx
import pytest

from gateway.vtpass.simulator import SimAccount, SimulatorConfig
from tests.fixtures.simulator import SIM_ACCOUNT
from tests.simulator.conftest import SimClient

INVALID = {"code": "087", "response_description": "INVALID CREDENTIALS"}
APIKEY_ONLY = SimAccount(
    api_key="apikey-only-0000000000000000000001",
    public_key="PK_apikey_only",
    secret_key="SK_apikey_only",
    basic_user="apikey-only@example.com",
    basic_pass="apikey-only-password",
    auth_type="apikey",
)
BASIC_ONLY = SimAccount(
    api_key="basic-only-00000000000000000000002",
    public_key="PK_basic_only",
    secret_key="SK_basic_only",
    basic_user="basic-only@example.com",
    basic_pass="basic-only-password",
    auth_type="basic",
)


@pytest.fixture
def sim_config(sim_config: SimulatorConfig) -> SimulatorConfig:
    return replace(sim_config, accounts=(SIM_ACCOUNT, APIKEY_ONLY, BASIC_ONLY))


def basic(user: str | None, password: str | None) -> dict[str, str]:
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


async def call(vt: SimClient, method: str, headers: dict[str, str]) -> httpx.Response:
    if method == "GET":
        return await vt.http.get(vt.sim.base_url + "balance", headers=headers)
    return await vt.http.post(
        vt.sim.base_url + "requery", headers=headers, json={"request_id": "202611271100none"}
    )


def accepted(response: httpx.Response) -> bool:
    assert response.status_code == 200
    return bool(response.json() != INVALID)


async def test_get_with_api_key_and_public_key_is_accepted(vt):
    headers = {"api-key": SIM_ACCOUNT.api_key, "public-key": SIM_ACCOUNT.public_key}
    assert accepted(await call(vt, "GET", headers))


async def test_get_with_api_key_and_secret_key_is_accepted(vt):
    headers = {"api-key": SIM_ACCOUNT.api_key, "secret-key": SIM_ACCOUNT.secret_key}
    assert accepted(await call(vt, "GET", headers))


async def test_get_with_api_key_alone_is_rejected(vt):
    assert not accepted(await call(vt, "GET", {"api-key": SIM_ACCOUNT.api_key}))


async def test_post_with_api_key_and_secret_key_is_accepted(vt):
    headers = {"api-key": SIM_ACCOUNT.api_key, "secret-key": SIM_ACCOUNT.secret_key}
    assert accepted(await call(vt, "POST", headers))


async def test_post_with_public_key_instead_of_secret_key_is_rejected(vt):
    headers = {"api-key": SIM_ACCOUNT.api_key, "public-key": SIM_ACCOUNT.public_key}
    assert not accepted(await call(vt, "POST", headers))


async def test_header_names_are_case_insensitive(vt):
    headers = {"API-KEY": SIM_ACCOUNT.api_key, "Secret-Key": SIM_ACCOUNT.secret_key}
    assert accepted(await call(vt, "POST", headers))


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_a_key_of_another_account_is_rejected(vt, method):
    headers = {"api-key": SIM_ACCOUNT.api_key, "secret-key": APIKEY_ONLY.secret_key}
    assert not accepted(await call(vt, method, headers))


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_no_credentials_get_087_with_http_200(vt, method):
    response = await call(vt, method, {})
    assert response.status_code == 200
    assert response.json() == INVALID


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_basic_auth_with_the_login_is_accepted(vt, method):
    headers = basic(SIM_ACCOUNT.basic_user, SIM_ACCOUNT.basic_pass)
    assert accepted(await call(vt, method, headers))


async def test_basic_auth_with_a_wrong_password_is_rejected(vt):
    assert not accepted(await call(vt, "POST", basic(SIM_ACCOUNT.basic_user, "nope")))


async def test_malformed_basic_header_is_rejected(vt):
    assert not accepted(await call(vt, "GET", {"Authorization": "Basic !!not-base64!!"}))


async def test_wrong_basic_falls_back_to_valid_api_keys(vt):
    headers = {
        **basic(SIM_ACCOUNT.basic_user, "nope"),
        "api-key": SIM_ACCOUNT.api_key,
        "secret-key": SIM_ACCOUNT.secret_key,
    }
    assert accepted(await call(vt, "POST", headers))


async def test_apikey_auth_type_refuses_basic(vt):
    assert not accepted(
        await call(vt, "GET", basic(APIKEY_ONLY.basic_user, APIKEY_ONLY.basic_pass))
    )


async def test_apikey_auth_type_accepts_keys(vt):
    headers = {"api-key": APIKEY_ONLY.api_key, "secret-key": APIKEY_ONLY.secret_key}
    assert accepted(await call(vt, "POST", headers))


async def test_basic_auth_type_refuses_api_keys(vt):
    headers = {"api-key": BASIC_ONLY.api_key, "secret-key": BASIC_ONLY.secret_key}
    assert not accepted(await call(vt, "POST", headers))


async def test_basic_auth_type_accepts_basic(vt):
    assert accepted(await call(vt, "POST", basic(BASIC_ONLY.basic_user, BASIC_ONLY.basic_pass)))


@pytest.mark.parametrize(
    "path", ["service-categories", "services?identifier=airtime", "merchant-verify", "pay"]
)
async def test_every_api_route_requires_credentials(vt, path):
    url = vt.sim.base_url + path
    if path in {"merchant-verify", "pay"}:
        response = await vt.http.post(url, json={})
    else:
        response = await vt.http.get(url)
    assert response.json() == INVALID


async def test_unknown_api_path_answers_json_404_once_authenticated(vt):
    response = await vt.http.get(vt.sim.base_url + "no-such-endpoint", headers=vt.get_headers)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
