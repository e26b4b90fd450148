"""Bearer tokens and the state file: a token issued before a save keeps naming its client's
tenant after a load, never a fresh empty tenant, and the file holds no token or client id.

Each test runs against the fake in-process and over loopback HTTP.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from infobip_profiles.testing import FakeClock, FakeProfiles
from tests._support.wire import KEY, MODES, reach

FORM = {"grant_type": "client_credentials", "client_id": "alice-client", "client_secret": "pw-1"}


def _tags(http: httpx.Client, authorization: str) -> httpx.Response:
    return http.get("/people/2/tags", headers={"Authorization": authorization})


@pytest.mark.parametrize("mode", MODES)
def test_a_token_issued_before_a_save_reaches_its_tenant_after_a_load(
    tmp_path: Path, mode: str
) -> None:
    path = tmp_path / "state.bin"
    clock = FakeClock(frozen=True)
    first = FakeProfiles(KEY, accept_any_key=True, clock=clock)
    with reach(first, mode) as http:
        token = http.post("/auth/1/oauth2/token", data=FORM).json()["access_token"]
        bearer = f"Bearer {token}"
        assert (
            http.post(
                "/people/2/tags", json={"name": "vip"}, headers={"Authorization": bearer}
            ).status_code
            == 200
        )
    first.save_state(path)
    saved = path.read_bytes()
    assert token.encode() not in saved
    assert b"alice-client" not in saved
    assert b"pw-1" not in saved

    # The client's tenant is live again (its key was presented): the token reaches it.
    second = FakeProfiles(KEY, accept_any_key=True, clock=FakeClock(frozen=True))
    second.load_state(path)
    with reach(second, mode) as http:
        assert http.get("/people/2/tags", headers={"Authorization": "App alice-client"}).json()
        r = _tags(http, bearer)
        assert r.status_code == 200, r.text
        assert [t["name"] for t in r.json()] == ["vip"]


@pytest.mark.parametrize("mode", MODES)
def test_a_restored_token_of_a_dormant_tenant_is_401_not_a_fresh_tenant(
    tmp_path: Path, mode: str
) -> None:
    path = tmp_path / "state.bin"
    first = FakeProfiles(KEY, accept_any_key=True, clock=FakeClock(frozen=True))
    with reach(first, mode) as http:
        token = http.post("/auth/1/oauth2/token", data=FORM).json()["access_token"]
        http.post(
            "/people/2/tags", json={"name": "vip"}, headers={"Authorization": f"Bearer {token}"}
        )
    first.save_state(path)

    second = FakeProfiles(KEY, accept_any_key=True, clock=FakeClock(frozen=True))
    second.load_state(path)
    with reach(second, mode) as http:
        r = _tags(http, f"Bearer {token}")
        assert r.status_code == 401, r.text
        assert not second.has_tenant(token)
        # A fresh token for the same client brings the saved tenant back.
        fresh = http.post("/auth/1/oauth2/token", data=FORM).json()["access_token"]
        assert [t["name"] for t in _tags(http, f"Bearer {fresh}").json()] == ["vip"]
        # ... and the old one now reaches it too.
        assert [t["name"] for t in _tags(http, f"Bearer {token}").json()] == ["vip"]


@pytest.mark.parametrize("mode", MODES)
def test_a_restored_token_still_expires(tmp_path: Path, mode: str) -> None:
    path = tmp_path / "state.bin"
    clock = FakeClock(frozen=True)
    first = FakeProfiles("alice-client", accept_any_key=True, clock=clock)
    with reach(first, mode) as http:
        answer = http.post("/auth/1/oauth2/token", data=FORM).json()
    first.save_state(path)
    second = FakeProfiles("alice-client", accept_any_key=True, clock=FakeClock(frozen=True))
    second.load_state(path)
    second.clock.advance(answer["expires_in"] + 1)
    with reach(second, mode) as http:
        assert _tags(http, f"Bearer {answer['access_token']}").status_code == 401
    assert not second.has_tenant(answer["access_token"])
