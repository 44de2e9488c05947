"""The pure parts of the Africa's Talking callback guard: routes, token compare, address check."""

import ipaddress

import pytest

from gateway.channels.at_guard import address_allowed, callback_path
from gateway.security.path_tokens import token_matches
from gateway.settings import Secret

AT = (ipaddress.ip_network("196.201.214.0/24"), ipaddress.ip_network("2c0f:f5c0::/32"))


def test_a_token_moves_every_callback_under_its_segment():
    token = Secret("Kq3vX9-pL2mZ8wR4tY6uN1bC5dF7")
    assert callback_path("/ussd/africastalking", "", None) == "/ussd/africastalking"
    assert callback_path("/ussd/africastalking", "/events", token) == (
        "/ussd/africastalking/{at_token}/events"
    )
    assert callback_path("/sms/africastalking", "/inbound", token) == (
        "/sms/africastalking/{at_token}/inbound"
    )
    assert "Kq3v" not in callback_path("/ussd/africastalking", "", token)  # not in the router


def test_only_the_exact_token_matches():
    token = Secret("Kq3vX9-pL2mZ8wR4tY6uN1bC5dF7")
    assert token_matches("Kq3vX9-pL2mZ8wR4tY6uN1bC5dF7", token)
    for wrong in ("Kq3vX9-pL2mZ8wR4tY6uN1bC5dF", "Kq3vX9-pL2mZ8wR4tY6uN1bC5dF77", "", "é"):
        assert not token_matches(wrong, token)


@pytest.mark.parametrize(
    ("address", "allowed"),
    [
        ("196.201.214.7", True),
        ("::ffff:196.201.214.7", True),  # a dual-stack listener's view of an IPv4 peer
        ("2c0f:f5c0::1", True),
        ("196.201.215.7", False),
        ("127.0.0.1", False),
        ("unknown", False),  # no peer address (a Unix socket): not provably inside
        ("196.201.214.7, 10.0.0.1", False),
    ],
)
def test_the_allow_list_admits_only_addresses_inside_it(address, allowed):
    assert address_allowed(address, AT) is allowed


def test_no_allow_list_admits_everyone():
    assert address_allowed("unknown", ())
