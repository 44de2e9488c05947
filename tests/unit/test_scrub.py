"""`scrub`: no credential VTPass echoes back reaches the audit trail, at any depth or spelling."""

import pytest

from gateway.scrub import scrub


def test_credentials_are_removed_at_any_depth_and_in_any_spelling():
    body = {
        "code": "000",
        "headers": {"api-key": "a", "Secret_Key": "b", "PUBLIC-KEY": "c", "Authorization": "d"},
        "content": [{"password": "e", "token": "26362054405982757802"}],
        "echo": ({"apikey": "f", "basic_pass": "g", "token_secret": "h", "SecretKey": "i"},),
    }

    assert scrub(body) == {
        "code": "000",
        "headers": {},
        "content": [{"token": "26362054405982757802"}],  # an electricity token is the product
        "echo": [{}],
    }


@pytest.mark.parametrize("value", [None, 1, "api-key", ["api-key"], {"request_id": "x"}])
def test_values_without_credential_keys_are_kept_as_they_are(value):
    assert scrub(value) == value


def test_the_original_is_left_untouched():
    body = {"api_key": "a", "nested": {"password": "b"}}
    scrub(body)
    assert body == {"api_key": "a", "nested": {"password": "b"}}
