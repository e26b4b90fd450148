"""A fault's numbers are checked when it is injected: a latency or ``Retry-After`` that is not a
finite number of seconds (or absurdly long) is refused with a clear message, never a fault that
turns every matching call into a 500 (Python, in-process HTTP and served HTTP)."""

from __future__ import annotations

import httpx
import pytest

from infobip_profiles.testing import FakeProfiles
from tests._support.wire import JSON_AUTH, reach_fixture

BAD = [b"Infinity", b"-Infinity", b"NaN", b"1e300", b'"x"', b"true", b"[]"]


http = reach_fixture(JSON_AUTH)


@pytest.mark.parametrize("value", BAD)
@pytest.mark.parametrize("field", [b"latency", b"retryAfter"])
def test_a_bad_number_is_400_and_injects_nothing(
    http: httpx.Client, fake: FakeProfiles, field: bytes, value: bytes
) -> None:
    body = b'{"status": 503, "' + field + b'": ' + value + b"}"
    if field == b"latency":
        body = b'{"' + field + b'": ' + value + b"}"
    r = http.post("/_fake/faults", content=body)
    assert r.status_code == 400, r.text
    assert "seconds" in r.json()["error"]
    assert list(fake.faults) == []
    assert http.get("/people/2/tags").status_code == 200


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 1e300, True, "5"])
def test_python_inject_refuses_a_bad_latency(fake: FakeProfiles, value: object) -> None:
    with pytest.raises(ValueError, match="seconds"):
        fake.inject(latency=value)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seconds"):
        fake.inject(503, retry_after=value)  # type: ignore[arg-type]
    assert list(fake.faults) == []


def test_a_fair_latency_and_retry_after_are_accepted(http: httpx.Client) -> None:
    r = http.post("/_fake/faults", json={"status": 503, "retryAfter": 2.5, "latency": 0.01})
    assert r.status_code == 201, r.text
    assert r.json()["retryAfter"] == 2.5


@pytest.mark.parametrize(
    "extra",
    [
        b'"method": 5',
        b'"method": ""',
        b'"times": true',
        b'"times": 1.5',
        b'"times": "2"',
        b'"headers": "x"',
        b'"headers": {"X-A": 5}',
        b'"headers": {"X\\nA": "b"}',
        b'"headers": {"X-A": "b\\r\\nSet-Cookie: s=1"}',
        b'"headers": {"Content-Length": "999"}',
        b'"headers": {"transfer-encoding": "chunked"}',
        b'"text": 5',
        b'"drop": 5',
        b'"body": NaN',
        b'"body": {"a": [Infinity]}',
    ],
)
def test_a_malformed_fault_field_is_400_and_injects_nothing(
    http: httpx.Client, fake: FakeProfiles, extra: bytes
) -> None:
    r = http.post("/_fake/faults", content=b'{"status": 503, ' + extra + b"}")
    assert r.status_code == 400, r.text
    assert r.json()["error"]
    assert list(fake.faults) == []
    assert http.get("/people/2/tags").status_code == 200


def test_python_inject_refuses_a_method_that_is_not_text(fake: FakeProfiles) -> None:
    with pytest.raises(ValueError, match="method"):
        fake.inject(503, method=5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="header"):
        fake.inject(503, headers={"Content-Length": "1"})
    assert list(fake.faults) == []


def test_fair_headers_text_and_body_are_served(http: httpx.Client) -> None:
    r = http.post(
        "/_fake/faults",
        json={"status": 503, "headers": {"X-Trace": "t-1"}, "text": "down", "times": 2},
    )
    assert r.status_code == 201, r.text
    got = http.get("/people/2/tags")
    assert got.status_code == 503
    assert got.headers["x-trace"] == "t-1"
    assert "down" in got.text
    r = http.post("/_fake/faults", json={"status": 418, "body": {"teapot": [1.5, None]}})
    assert r.status_code == 201, r.text
