"""A fake shared by several tenants is safe to share: each control request acts on its own tenant,
acting on all needs an admin token, browsers cannot reach the controls, and what the fake keeps
is bounded.

Most tests run twice: against the fake in-process and over loopback HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from infobip_profiles.testing import FakeClock, FakeProfiles, UnknownOperationError
from tests._support.wire import KEY, MODES, reach_fixture

ADMIN = "s3cret-admin"


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"App {key}"}


def tenant(key: str) -> dict[str, str]:
    return {"X-Fake-Api-Key": key}


@pytest.fixture
def fake() -> FakeProfiles:
    return FakeProfiles(KEY, accept_any_key=True, admin_token=ADMIN, clock=FakeClock(frozen=True))


#: An httpx client reaching ``fake`` in-process or over loopback HTTP.
http = reach_fixture()


def post(http: httpx.Client, path: str, body: Any = None, **headers: str) -> httpx.Response:
    return http.post(path, json={} if body is None else body, headers=headers)


def tag_names(fake: FakeProfiles, key: str) -> list[str]:
    return [t["name"] for t in fake.tags(key)]


def two_tenants_with_data(http: httpx.Client) -> None:
    for key, name in (("alice", "a-tag"), ("bob", "b-tag")):
        assert http.post("/people/2/tags", json={"name": name}, headers=auth(key)).is_success


# -- scoping -----------------------------------------------------------------------------------


def test_calls_show_only_the_presented_tenants_requests(
    http: httpx.Client, fake: FakeProfiles
) -> None:
    two_tenants_with_data(http)

    anonymous = http.get("/_fake/calls").json()["calls"]
    alice = http.get("/_fake/calls", headers=tenant("alice")).json()["calls"]
    bob = http.get("/_fake/calls", headers=auth("bob")).json()["calls"]

    assert anonymous == []  # no key: the fake's own tenant, which made no calls
    assert [c["body"] for c in alice] == [{"name": "a-tag"}]
    assert [c["body"] for c in bob] == [{"name": "b-tag"}]


def test_reset_without_a_key_leaves_other_tenants_alone(
    http: httpx.Client, fake: FakeProfiles
) -> None:
    two_tenants_with_data(http)
    assert post(http, "/_fake/reset").json() == {"reset": "tenant"}
    assert post(http, "/_fake/reset", **tenant("alice")).status_code == 200

    assert tag_names(fake, "alice") == []
    assert tag_names(fake, "bob") == ["b-tag"]


def test_faults_are_scoped_and_cannot_be_cancelled_by_another_tenant(
    http: httpx.Client, fake: FakeProfiles
) -> None:
    fault = post(http, "/_fake/faults", {"status": 503, "times": None}, **tenant("alice")).json()
    other = post(http, "/_fake/faults", {"status": 503, "times": None}, **tenant("alice")).json()

    bob_sees = http.get("/_fake/faults", headers=tenant("bob")).json()["faults"]
    bob_cancels = http.request(
        "DELETE", f"/_fake/faults/{fault['id']}", json={}, headers=tenant("bob")
    )
    bob_clears = http.request("DELETE", "/_fake/faults", json={}, headers=tenant("bob"))
    bob_call = http.get("/people/2/tags", headers=auth("bob"))
    alice_call = http.get("/people/2/tags", headers=auth("alice"))

    assert bob_sees == []
    assert bob_cancels.status_code == 404
    assert bob_clears.status_code == 200
    assert (bob_call.status_code, alice_call.status_code) == (200, 503)
    assert len(fake.faults) == 2
    # Not a counter another tenant could walk.
    assert fault["id"] != other["id"]
    assert fault["id"] not in ("fault-1", "fault-2")
    assert len(fault["id"]) >= len("fault-") + 16


def test_keyless_fault_only_hits_the_fakes_own_tenant(
    http: httpx.Client, fake: FakeProfiles
) -> None:
    post(http, "/_fake/faults", {"status": 503, "times": None})
    assert http.get("/people/2/tags", headers=auth("bob")).status_code == 200
    assert http.get("/people/2/tags", headers=auth(KEY)).status_code == 503


@pytest.mark.parametrize("token", [None, "wrong"])
def test_all_tenants_needs_the_admin_token(
    http: httpx.Client, fake: FakeProfiles, token: str | None
) -> None:
    two_tenants_with_data(http)
    headers = {} if token is None else {"X-Fake-Admin-Token": token}

    calls = http.get("/_fake/calls", params={"allTenants": "true"}, headers=headers)
    reset = http.post("/_fake/reset?allTenants=true", json={}, headers=headers)

    assert (calls.status_code, reset.status_code) == (403, 403)
    assert "X-Fake-Admin-Token" in reset.json()["error"]
    assert tag_names(fake, "bob") == ["b-tag"]


def test_the_admin_acts_on_every_tenant(http: httpx.Client, fake: FakeProfiles) -> None:
    two_tenants_with_data(http)
    admin = {"X-Fake-Admin-Token": ADMIN}

    calls = http.get("/_fake/calls?allTenants=true", headers=admin).json()["calls"]
    injected = http.post(
        "/_fake/faults?allTenants=true", json={"status": 418, "times": 2}, headers=admin
    )
    hits = [http.get("/people/2/tags", headers=auth(k)).status_code for k in ("alice", "bob")]
    reset = http.post("/_fake/reset?allTenants=true", json={}, headers=admin)

    assert [c["body"] for c in calls] == [{"name": "a-tag"}, {"name": "b-tag"}]
    assert injected.json()["tenant"] is None
    assert hits == [418, 418]
    assert reset.json() == {"reset": "all"}
    assert tag_names(fake, "alice") == tag_names(fake, "bob") == []


def test_without_an_admin_token_all_tenants_is_disabled() -> None:
    fake = FakeProfiles(KEY)
    with httpx.Client(transport=fake.transport(), base_url="http://localhost") as http:
        response = http.post("/_fake/reset?allTenants=true", json={})
    assert response.status_code == 403
    assert "admin_token" in response.json()["error"]


def test_the_admin_token_never_shows() -> None:
    fake = FakeProfiles(KEY, admin_token=ADMIN)
    assert ADMIN not in repr(fake)
    with pytest.raises(ValueError, match="blank"):
        FakeProfiles(KEY, admin_token=" ")


# -- what a browser could send -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "content", "content_type"),
    [
        ("/_fake/reset", b"", None),
        ("/_fake/reset", b"{}", "text/plain"),
        ("/_fake/faults", b'{"status": 503}', "application/x-www-form-urlencoded"),
        ("/_fake/clock/advance", b'{"seconds": 60}', "multipart/form-data; boundary=x"),
    ],
)
def test_control_writes_must_be_json(
    http: httpx.Client, fake: FakeProfiles, path: str, content: bytes, content_type: str | None
) -> None:
    fake.seed(tags=["kept"])
    before = fake.clock.time()
    headers = {"Content-Type": content_type} if content_type else {}

    response = http.post(path, content=content, headers=headers)

    assert response.status_code == 415
    assert "application/json" in response.json()["error"]
    assert tag_names(fake, KEY) == ["kept"]
    assert len(fake.faults) == 0
    assert fake.clock.time() == before


def test_json_with_a_charset_is_accepted(http: httpx.Client, fake: FakeProfiles) -> None:
    response = http.post(
        "/_fake/clock/advance",
        content=b'{"seconds": 5}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert response.status_code == 200


@pytest.mark.http
@pytest.mark.parametrize("host", ["evil.example", "evil.example:80", "127.0.0.1.nip.io", ""])
def test_served_controls_refuse_a_non_loopback_host(fake: FakeProfiles, host: str) -> None:
    with fake.serve() as base_url, httpx.Client(base_url=base_url) as http:
        headers = {"Host": host}
        read = http.get("/_fake/calls", headers=headers)
        write = http.post("/_fake/reset", json={}, headers=headers)
        api = http.get("/people/2/tags", headers={**headers, **auth(KEY)})

    assert (read.status_code, write.status_code) == (403, 403)
    assert "loopback" in read.json()["error"]
    assert api.status_code == 200  # the API itself answers whatever the Host


@pytest.mark.http
@pytest.mark.parametrize("host", ["localhost", "localhost:1234", "127.0.0.1:9", "[::1]:80"])
def test_served_controls_accept_loopback_names(fake: FakeProfiles, host: str) -> None:
    with fake.serve() as base_url, httpx.Client(base_url=base_url) as http:
        assert http.get("/_fake/health", headers={"Host": host}).status_code == 200


# -- bounds --------------------------------------------------------------------------------------


@pytest.mark.parametrize("seconds", [1e300, 1e400, 10**30, -5])
def test_absurd_clock_advances_are_400_and_change_nothing(
    http: httpx.Client, fake: FakeProfiles, seconds: float
) -> None:
    before = fake.clock.time()
    body = json.dumps({"seconds": seconds}).replace("Infinity", "1e400").encode()
    response = http.post(
        "/_fake/clock/advance", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert fake.clock.time() == before
    assert http.get("/people/2/tags", headers=auth(KEY)).status_code == 200


def test_nan_clock_advance_is_400(http: httpx.Client, fake: FakeProfiles) -> None:
    response = http.post(
        "/_fake/clock/advance",
        content=b'{"seconds": NaN}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert http.get("/_fake/clock").json()["time"] == fake.clock.time()


@pytest.mark.parametrize("path", ["/_fake/seed", "/_fake/faults", "/_fake/tenants"])
def test_a_100000_deep_body_is_400(http: httpx.Client, path: str) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    response = http.post(path, content=deep, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_fake/tenants", {"apiKey": "a\x00b"}),
        ("/_fake/tenants", {"apiKey": "a\ud800b"}),
        ("/_fake/tenants", {"apiKey": "line\nbreak"}),
        ("/_fake/push/applications", {"appCode": "app\x1b[31m"}),
        ("/_fake/push/devices", {"appCode": "app", "registrationId": "\udfff"}),
        (
            "/_fake/computed-attributes",
            {"name": "x\x7f", "definitionId": "d", "aggregation": "count"},
        ),
    ],
)
def test_names_with_control_characters_or_lone_surrogates_are_refused(
    http: httpx.Client, fake: FakeProfiles, path: str, body: dict[str, Any]
) -> None:
    # json.dumps escapes a lone surrogate as \udXXX, as a client in another language would.
    response = http.post(
        path, content=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert "must not hold" in response.json()["error"]
    assert not fake.has_tenant("a\x00b")


@pytest.mark.parametrize(
    ("path", "body", "valid"),
    [
        ("/_fake/clock/advance", {"secs": 5}, "seconds"),
        ("/_fake/tenants", {"apiKey": "k", "key": "k"}, "apiKey"),
        ("/_fake/faults", {"status": 503, "op_id": "x"}, "opId"),
        ("/_fake/push/devices", {"appCode": "a", "cloud": "GCM"}, "cloudType"),
        ("/_fake/reset", {"everything": True}, "[]"),
    ],
)
def test_unknown_fields_are_400_listing_the_valid_ones(
    http: httpx.Client, path: str, body: dict[str, Any], valid: str
) -> None:
    response = http.post(path, json=body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert "unknown field" in error
    assert valid in error.split("valid:")[1]


def test_calls_refuse_a_long_glob(http: httpx.Client) -> None:
    response = http.get("/_fake/calls", params={"path": "*" * 513})
    assert response.status_code == 400
    assert http.get("/_fake/calls", params={"path": "/people/2/*"}).status_code == 200


def test_calls_refuse_an_unknown_operation_id(http: httpx.Client, fake: FakeProfiles) -> None:
    typo = http.get("/_fake/calls", params={"opId": "create-a-new-tags"})
    unknown_param = http.get("/_fake/calls", params={"op_id": "create-a-new-tag"})

    assert typo.status_code == 400
    assert "did you mean 'create-a-new-tag'" in typo.json()["error"]
    assert unknown_param.status_code == 400
    assert "opId" in unknown_param.json()["error"]
    with pytest.raises(UnknownOperationError, match="create-a-new-tag"):
        fake.calls.count(op_id="create-a-new-tags")
    with pytest.raises(KeyError):
        fake.calls.filter(op_id="nope")
    assert fake.calls.count(op_id="create-a-new-tag") == 0


def test_the_call_log_keeps_no_body_of_an_unauthenticated_request() -> None:
    strict = FakeProfiles(KEY)
    with httpx.Client(transport=strict.transport(), base_url="http://localhost") as client:
        client.post("/people/2/tags", json={"name": "secret-ish"})
        client.post("/people/2/tags", json={"name": "wrong"}, headers=auth("nobody"))
        client.post("/people/2/tags", json={"name": "ok"}, headers=auth(KEY))

    assert [c.status for c in strict.calls] == [401, 401, 200]
    assert [c.body for c in strict.calls] == [None, None, {"name": "ok"}]
    assert [c.body_size for c in strict.calls] == [0, 0, len(b'{"name":"ok"}')]


@pytest.mark.http
def test_served_call_log_keeps_no_unauthenticated_body() -> None:
    strict = FakeProfiles(KEY)
    with strict.serve() as base_url:
        httpx.post(base_url + "/people/2/tags", json={"name": "x" * 1000})
    assert strict.calls.last.status == 401
    assert strict.calls.last.body is None


def test_the_call_log_bounds_bytes_as_well_as_entries() -> None:
    fake = FakeProfiles(KEY, max_calls=100, max_call_bytes=300)
    with fake.client(throttle=False) as client:
        for i in range(10):
            client.tags.create(f"tag-{i:02d}-" + "x" * 60)
    kept = list(fake.calls)
    assert 0 < len(kept) < 10
    assert fake.calls.size_bytes <= 300
    assert sum(c.body_size for c in kept) == fake.calls.size_bytes
    assert kept[-1].body["name"].startswith("tag-09-")
    fake.calls.clear()
    assert fake.calls.size_bytes == 0


def test_fault_globs_over_http_are_bounded(http: httpx.Client, fake: FakeProfiles) -> None:
    glob = "*a*a*a*a*a*a*a*a*a*a*a*a*b"
    created = post(http, "/_fake/faults", {"status": 503, "path": glob}, **tenant(KEY))
    response = http.get("/people/2/tags/" + "a" * 20_000, headers=auth(KEY))

    assert created.status_code == 201
    assert response.status_code != 503
    assert fake.faults.get(created.json()["id"]) is not None


# -- a caller the fake does not know -------------------------------------------------------------


@pytest.fixture(params=MODES)
def strict_http(request: pytest.FixtureRequest) -> Iterator[httpx.Client]:
    """An httpx client reaching a fake that accepts only its own key."""
    strict = FakeProfiles(KEY)
    if request.param == "http":
        with strict.serve() as base_url, httpx.Client(base_url=base_url) as client:
            yield client
    else:
        with httpx.Client(transport=strict.transport(), base_url="http://localhost") as client:
            yield client


def test_a_401_for_an_unknown_key_says_how_to_be_accepted(
    strict_http: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    unknown = strict_http.get("/people/2/tags", headers=auth("mine"))
    again = strict_http.get("/people/2/tags", headers=auth("mine"))
    missing = strict_http.get("/people/2/tags")

    assert unknown.status_code == 401
    hint = unknown.headers["x-fake-hint"]
    assert "api_key" in hint
    assert "accept_any_key" in hint
    assert "mine" not in hint  # named by fingerprint only
    assert "Authorization" in missing.headers["x-fake-hint"]
    warnings = [r for r in caplog.records if "unknown API key" in r.getMessage()]
    assert len(warnings) == 1  # once per key, not per request
    assert again.headers["x-fake-hint"] == hint
