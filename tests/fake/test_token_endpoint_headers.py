"""The token endpoint reads the client from a ``Basic`` header or from the form; any other
``Authorization`` the request happens to carry (a shared session's ``App`` key, a stale bearer
token being refreshed) is not a client credential and does not make the request fail
(in-process and over HTTP)."""

from __future__ import annotations

import base64

import pytest

from tests._support.wire import KEY, Wire

TOKEN_PATH = "/auth/1/oauth2/token"
FORM = {"grant_type": "client_credentials", "client_id": KEY, "client_secret": "s3cret"}


@pytest.mark.parametrize("authorization", [f"App {KEY}", "Bearer stale-token", "IBSSO abc"])
def test_form_credentials_beside_a_non_basic_header_get_a_token(
    wire: Wire, authorization: str
) -> None:
    r = wire.post(TOKEN_PATH, data=FORM, headers={"Authorization": authorization})
    assert r.status_code == 200, r.text
    access = r.json()["access_token"]
    got = wire.get("/people/2/tags", headers={"Authorization": f"Bearer {access}"})
    assert got.status_code == 200


def test_a_non_basic_header_alone_is_not_a_client(wire: Wire) -> None:
    r = wire.post(
        TOKEN_PATH,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"App {KEY}"},
    )
    assert r.status_code == 400
    assert r.json()["error"] == "invalid_request"


def test_a_malformed_basic_header_is_still_invalid_client(wire: Wire) -> None:
    r = wire.post(TOKEN_PATH, data=FORM, headers={"Authorization": "Basic !!!"})
    assert r.status_code == 401
    assert r.json()["error"] == "invalid_client"


def test_basic_and_form_together_are_still_400(wire: Wire) -> None:
    basic = "Basic " + base64.b64encode(f"{KEY}:s3cret".encode()).decode()
    r = wire.post(TOKEN_PATH, data=FORM, headers={"Authorization": basic})
    assert r.status_code == 400
