"""A 401's ``X-Fake-Hint`` header says why the fake refused the caller: no header, a header it
cannot read, or a bearer token that expired on the fake's clock (in-process and over HTTP)."""

from __future__ import annotations

import pytest

from tests._support.wire import KEY, Wire

TOKEN_PATH = "/auth/1/oauth2/token"


def _hint(wire: Wire, authorization: str | None) -> str:
    headers = {"Authorization": authorization} if authorization is not None else {}
    request = wire.http.build_request("GET", "/people/2/tags", headers=headers)
    if authorization is None:
        del request.headers["Authorization"]
    response = wire.http.send(request)
    assert response.status_code == 401
    return response.headers["x-fake-hint"]


def test_no_header_says_none_was_sent(wire: Wire) -> None:
    assert "no credential" in _hint(wire, None)


@pytest.mark.parametrize("authorization", ["Digest abc", "Basic !!!", "App"])
def test_an_unreadable_header_names_the_schemes(wire: Wire, authorization: str) -> None:
    hint = _hint(wire, authorization)
    assert "no credential" not in hint
    for scheme in ("App <key>", "Basic", "IBSSO", "Bearer"):
        assert scheme in hint


def test_an_expired_token_says_it_expired(wire: Wire) -> None:
    wire.fake.clock.freeze()
    answer = wire.post(
        TOKEN_PATH,
        data={"grant_type": "client_credentials", "client_id": KEY, "client_secret": "s"},
        headers={"Authorization": ""},
    ).json()
    wire.fake.clock.advance(answer["expires_in"])
    hint = _hint(wire, f"Bearer {answer['access_token']}")
    assert "expired" in hint
    assert TOKEN_PATH in hint
