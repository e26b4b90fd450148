"""The control plane under ``/_fake/`` answers odd methods like the API does (405 with ``Allow``,
whatever the content type), serves ``HEAD`` like ``GET``, and reads the tenant from any of the
API's four credential schemes, the way the API itself reads it.

Every test runs twice: against the fake in-process and over loopback HTTP.
"""

from __future__ import annotations

import base64
import contextlib

import httpx
import pytest

from infobip_profiles.testing import FakeClock, FakeProfiles
from tests._support.wire import KEY, MODES, reach_fixture


@pytest.fixture
def fake() -> FakeProfiles:
    return FakeProfiles(KEY, accept_any_key=True, clock=FakeClock(frozen=True))


http = reach_fixture()


@pytest.mark.parametrize("method", ["OPTIONS", "TRACE", "PROPFIND", "PUT", "PATCH"])
def test_a_method_no_control_has_is_405_with_allow(http: httpx.Client, method: str) -> None:
    # No content type: the method is refused before the body is looked at.
    r = http.request(method, "/_fake/calls")
    assert r.status_code == 405, r.text
    assert r.headers["allow"] == "DELETE, GET, HEAD"
    assert "not supported" in r.json()["error"]


def test_405_allow_lists_the_write_methods_of_a_write_control(http: httpx.Client) -> None:
    r = http.request("TRACE", "/_fake/reset/")
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"
    r = http.request("GET", "/_fake/faults/fault-1")
    assert r.status_code == 405
    assert r.headers["allow"] == "DELETE"


def test_an_unknown_control_is_404_whatever_the_method(http: httpx.Client) -> None:
    assert http.request("TRACE", "/_fake/nope").status_code == 404
    assert http.post("/_fake/nope", json={}).status_code == 404


def test_a_write_control_without_json_is_still_415(http: httpx.Client) -> None:
    r = http.post("/_fake/reset", content=b"{}", headers={"content-type": "text/plain"})
    assert r.status_code == 415


def test_head_on_a_read_control_answers_like_get_without_a_body(http: httpx.Client) -> None:
    r = http.head("/_fake/health")
    assert r.status_code == 200
    assert r.content == b""
    assert http.head("/_fake/calls/").status_code == 200


def _basic(user: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:pw".encode()).decode()


def _tag(http: httpx.Client, authorization: str, name: str) -> None:
    r = http.post("/people/2/tags", json={"name": name}, headers={"Authorization": authorization})
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("scheme", ["App", "app", "Basic", "IBSSO", "Bearer"])
def test_a_control_acts_on_the_tenant_of_any_scheme(
    http: httpx.Client, fake: FakeProfiles, scheme: str
) -> None:
    if scheme == "Basic":
        authorization = _basic("alice")
    elif scheme == "Bearer":
        r = http.post(
            "/auth/1/oauth2/token",
            data={"grant_type": "client_credentials", "client_id": "alice", "client_secret": "s"},
        )
        authorization = "Bearer " + r.json()["access_token"]
    else:
        authorization = f"{scheme} alice"
    _tag(http, authorization, "a-tag")
    _tag(http, "App bob", "b-tag")

    calls = http.get("/_fake/calls", headers={"Authorization": authorization}).json()["calls"]
    assert [c["path"] for c in calls if c["method"] == "POST"] == ["/people/2/tags"]

    r = http.post("/_fake/reset", json={}, headers={"Authorization": authorization})
    assert r.status_code == 200, r.text
    assert list(fake.tags("alice")) == []
    assert [t["name"] for t in fake.tags("bob")] == ["b-tag"]


@pytest.mark.parametrize("authorization", ["Digest alice", "App", "Basic !!!", "Bearer", "alice"])
def test_a_control_refuses_a_credential_the_api_would_refuse(
    http: httpx.Client, fake: FakeProfiles, authorization: str
) -> None:
    _tag(http, "App alice", "a-tag")
    r = http.post("/_fake/reset", json={}, headers={"Authorization": authorization})
    assert r.status_code == 401, r.text
    assert "Authorization" in r.json()["error"]
    assert [t["name"] for t in fake.tags("alice")] == ["a-tag"]


def test_a_control_refuses_an_expired_bearer_token(http: httpx.Client, fake: FakeProfiles) -> None:
    r = http.post(
        "/auth/1/oauth2/token",
        data={"grant_type": "client_credentials", "client_id": "alice", "client_secret": "s"},
    )
    authorization = "Bearer " + r.json()["access_token"]
    _tag(http, authorization, "a-tag")
    fake.clock.advance(r.json()["expires_in"] + 1)
    r = http.post("/_fake/reset", json={}, headers={"Authorization": authorization})
    assert r.status_code == 401, r.text
    assert [t["name"] for t in fake.tags("alice")] == ["a-tag"]


@pytest.mark.parametrize("mode", MODES)
def test_an_admin_token_sent_to_the_api_is_not_kept_in_the_call_log(mode: str) -> None:
    admin = FakeProfiles(KEY, admin_token="adm-s3cret")
    with contextlib.ExitStack() as stack:
        if mode == "http":
            client = stack.enter_context(httpx.Client(base_url=stack.enter_context(admin.serve())))
        else:
            client = stack.enter_context(
                httpx.Client(transport=admin.transport(), base_url="http://127.0.0.1")
            )
        client.get(
            "/people/2/tags",
            headers={"Authorization": f"App {KEY}", "X-Fake-Admin-Token": "adm-s3cret"},
        )
        dump = client.get("/_fake/calls").text
    assert "adm-s3cret" not in dump
    assert "adm-s3cret" not in repr(admin.calls.last)
    assert admin.calls.last.headers["x-fake-admin-token"] == "[REDACTED]"
