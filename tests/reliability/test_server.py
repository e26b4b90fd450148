"""The fake's HTTP server survives bad requests and hostile clients, and keeps serving.

Each abuse is followed by an ordinary request on a fresh connection that must succeed: the server
never dies, never hangs, and a refused request changes nothing.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import httpx
import pytest

from infobip_profiles.testing import FakeProfiles
from tests._support.wire import AUTH, KEY, service_exception

PERSONS = "/people/2/persons"
ADA = {"firstName": "Ada", "contactInformation": {"email": [{"address": "ada@example.com"}]}}

# Hostile requests break the spec on purpose; the answers are still checked against it.
pytestmark = [pytest.mark.http, pytest.mark.nonconforming]


@pytest.fixture
def base_url(fake: FakeProfiles) -> Iterator[str]:
    """The suite's fake, always served over loopback."""
    with fake.serve() as url:
        yield url


@pytest.fixture
def http(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, headers=AUTH, timeout=10) as client:
        yield client


def address(base_url: str) -> tuple[str, int]:
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    return host, int(port)


def raw_exchange(base_url: str, data: bytes, *, half_close: bool = True) -> bytes:
    """Send ``data`` on a new connection, optionally close our side, read what comes back."""
    with socket.create_connection(address(base_url), timeout=10) as sock:
        sock.sendall(data)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def still_serving(base_url: str) -> None:
    """A normal create and get on a fresh connection both succeed."""
    with httpx.Client(base_url=base_url, headers=AUTH, timeout=10) as fresh:
        created = fresh.post(PERSONS, json=ADA)
        assert created.status_code == 200, created.text
        got = fresh.get(PERSONS, params={"type": "ID", "identifier": str(created.json()["id"])})
        assert got.status_code == 200


def test_malformed_json_gets_a_400_envelope_and_stores_nothing(
    fake: FakeProfiles, http: httpx.Client, base_url: str
) -> None:
    response = http.post(
        PERSONS, content=b'{"firstName": "Ada",', headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert service_exception(response)["messageId"] == "BAD_REQUEST"
    assert fake.people() == ()
    still_serving(base_url)


@pytest.mark.parametrize(
    "body", [b"[1, 2, 3]", b'"just a string"', b"null", b"\xff\xfe\x00garbage"]
)
def test_json_of_the_wrong_shape_or_bytes_get_a_400(
    fake: FakeProfiles, http: httpx.Client, body: bytes
) -> None:
    response = http.post(PERSONS, content=body, headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert service_exception(response)["messageId"] == "BAD_REQUEST"
    assert fake.people() == ()


def test_a_wrong_content_type_gets_a_415_envelope_and_stores_nothing(
    fake: FakeProfiles, http: httpx.Client, base_url: str
) -> None:
    response = http.post(
        PERSONS,
        content=b"firstName=Ada",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 415
    assert "requestError" in response.json()
    assert fake.people() == ()
    still_serving(base_url)


def test_a_body_over_the_limit_gets_a_413_and_stores_nothing(
    fake: FakeProfiles, http: httpx.Client, base_url: str
) -> None:
    fake.MAX_BODY_BYTES = 1024
    big = {**ADA, "address": "x" * 5000}

    response = http.post(PERSONS, json=big)

    assert response.status_code == 413
    assert service_exception(response)["text"]
    assert fake.people() == ()
    still_serving(base_url)


def test_a_huge_announced_body_is_refused_without_being_read(
    fake: FakeProfiles, base_url: str
) -> None:
    request = (
        f"POST {PERSONS} HTTP/1.1\r\nHost: x\r\nAuthorization: App {KEY}\r\n"
        "Content-Type: application/json\r\nContent-Length: 999999999\r\n\r\n"
    ).encode()

    answer = raw_exchange(base_url, request, half_close=False)

    assert answer.startswith(b"HTTP/1.1 413")
    still_serving(base_url)


@pytest.mark.parametrize(
    "path",
    ["/people/2/nowhere", "/people/9/persons", "/", "/people/2/persons/batch/extra/%00"],
)
def test_an_unknown_path_gets_the_real_404_envelope(
    http: httpx.Client, base_url: str, path: str
) -> None:
    response = http.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")
    exc = service_exception(response)
    assert exc["messageId"] == "NOT_FOUND"
    assert exc["text"]
    still_serving(base_url)


def test_a_known_path_with_an_unsupported_method_gets_405(http: httpx.Client) -> None:
    response = http.request("TRACE", PERSONS)

    assert response.status_code in (405, 501)


@pytest.mark.parametrize(
    "data",
    [
        b"",  # connect and hang up
        b"GET /people/2/pers",  # hang up in the request line
        b"POST /people/2/persons HTTP/1.1\r\nHost: x\r\nContent-Le",  # ... in the headers
        b'POST /people/2/persons HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"first',
    ],
    ids=["nothing", "request-line", "headers", "body"],
)
def test_a_half_closed_connection_is_dropped_quietly(
    fake: FakeProfiles, base_url: str, data: bytes
) -> None:
    raw_exchange(base_url, data)

    assert fake.people() == ()
    still_serving(base_url)


@pytest.mark.parametrize(
    "data",
    [
        b"THIS IS NOT HTTP\r\n\r\n",
        b"GET /people/2/persons HTTP/1.1\r\n" + b"X-Long: " + b"a" * 70000 + b"\r\n\r\n",
        b"POST /people/2/persons HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"POST /people/2/persons HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n",
        b"POST /people/2/persons HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
    ids=["garbage", "header-too-long", "negative-length", "bad-length", "bad-chunk"],
)
def test_a_malformed_request_gets_a_json_400_and_the_server_keeps_serving(
    fake: FakeProfiles, base_url: str, data: bytes
) -> None:
    answer = raw_exchange(base_url, data)

    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line.split()[1] in (b"400", b"431"), status_line
    assert fake.people() == ()
    still_serving(base_url)


def test_a_chunked_body_is_read_whole(fake: FakeProfiles, base_url: str) -> None:
    body = b'{"firstName": "Chunky", "externalId": "chunky"}'
    request = (
        f"POST {PERSONS} HTTP/1.1\r\nHost: x\r\nAuthorization: App {KEY}\r\n"
        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    request += b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)

    answer = raw_exchange(base_url, request, half_close=False)

    assert answer.startswith(b"HTTP/1.1 200")
    assert [p["firstName"] for p in fake.people()] == ["Chunky"]


def test_many_abusive_connections_in_a_row_leave_the_state_untouched(
    fake: FakeProfiles, base_url: str
) -> None:
    for i in range(30):
        raw_exchange(base_url, b"POST /people/2/persons HTTP/1.1\r\nContent-Length: 50\r\n\r\n{")
        raw_exchange(base_url, b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes([i]) * 8)

    assert fake.people() == ()
    still_serving(base_url)
    assert len(fake.people()) == 1


def test_keep_alive_survives_an_error_response(http: httpx.Client, base_url: str) -> None:
    bad = http.post(PERSONS, content=b"{", headers={"Content-Type": "application/json"})
    good = http.post(PERSONS, json=ADA)

    assert bad.status_code == 400
    assert good.status_code == 200
