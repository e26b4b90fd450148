"""Numbers that reach the fake through the control plane (``/_fake/seed``,
``/_fake/simulate/form``) keep every digit, as they do through the API (in-process and over
HTTP)."""

from __future__ import annotations

import httpx
import pytest

from infobip_profiles.testing import FakeProfiles
from tests._support.wire import JSON_AUTH, KEY, reach_fixture

EXACT = b"12345678901234567.89"


@pytest.fixture
def fake() -> FakeProfiles:
    fake = FakeProfiles(KEY)
    fake.seed(custom_attributes=[{"name": "amount", "dataType": "DECIMAL"}])
    return fake


http = reach_fixture(JSON_AUTH)


def test_a_seeded_decimal_keeps_every_digit(http: httpx.Client) -> None:
    body = b'{"people": [{"externalId": "d1", "customAttributes": {"amount": ' + EXACT + b"}}]}"
    r = http.post("/_fake/seed", content=body)
    assert r.status_code == 200, r.text
    assert EXACT in r.content
    got = http.get("/people/2/persons", params={"identifier": "d1", "type": "EXTERNAL_ID"})
    assert b'"amount":' + EXACT in got.content


def test_a_form_decimal_keeps_every_digit(http: httpx.Client) -> None:
    body = (
        b'{"fields": {"contactInformation": {"email": [{"address": "f@example.com"}]}, '
        b'"customAttributes": {"amount": 0.10000000000000000001}}}'
    )
    r = http.post("/_fake/simulate/form", content=body)
    assert r.status_code == 201, r.text
    got = http.get("/people/2/persons", params={"identifier": "f@example.com", "type": "EMAIL"})
    assert b'"amount":0.10000000000000000001' in got.content


def test_control_bodies_still_refuse_nan(http: httpx.Client) -> None:
    r = http.post("/_fake/seed", content=b'{"people": [{"customAttributes": {"amount": NaN}}]}')
    assert r.status_code == 400
