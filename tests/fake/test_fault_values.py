"""A fault's numbers are checked when it is injected: a latency or ``Retry-After`` that is not a
finite number of seconds (or absurdly long) is refused with a clear message, never a fault that
turns every matching call into a 500 (Python, in-process HTTP and served HTTP)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from infobip_profiles.testing import FakeProfiles

KEY = "test-key"
MODES = [
    pytest.param("inprocess", id="inprocess"),
    pytest.param("http", id="http", marks=pytest.mark.http),
]
JSON = {"content-type": "application/json", "Authorization": f"App {KEY}"}
BAD = [b"Infinity", b"-Infinity", b"NaN", b"1e300", b'"x"', b"true", b"[]"]


@pytest.fixture
def fake() -> FakeProfiles:
    return FakeProfiles(KEY)


@pytest.fixture(params=MODES)
def http(request: pytest.FixtureRequest, fake: FakeProfiles) -> Iterator[httpx.Client]:
    if request.param == "http":
        with fake.serve() as base_url, httpx.Client(base_url=base_url, headers=JSON) as client:
            yield client
    else:
        with httpx.Client(
            transport=fake.transport(), base_url="http://127.0.0.1", headers=JSON
        ) as client:
            yield client


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
