"""Secrets and transport: the API key never leaks, TLS is verified, clear text off loopback warns.

The key is looked for in every place a user or a log collector could see it: reprs, every log
record of every logger at DEBUG (messages and formatted tracebacks), exception text and attributes,
and the fake's request history in every form it can be dumped.
"""

from __future__ import annotations

import json
import logging
import pickle
import socket
import ssl
import subprocess
import threading
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from infobip_profiles import (
    APIConnectionError,
    APIError,
    AsyncProfilesClient,
    AuthenticationError,
    ContactInformation,
    InsecureTransportWarning,
    Person,
    PersonRef,
    ProfilesClient,
)
from infobip_profiles.testing import FakeProfiles

SECRET = "sk-live-7f3a9c-DO-NOT-LEAK"
ADA = Person(
    external_id="ada",
    first_name="Ada",
    contact_information=ContactInformation.of(emails=["ada@example.com"]),
)


@pytest.fixture
def fake() -> FakeProfiles:
    return FakeProfiles(SECRET)


@pytest.fixture
def everything_logged(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every record of every logger (httpx and httpcore included) at DEBUG."""
    caplog.set_level(logging.DEBUG)
    for name in ("infobip_profiles", "infobip_profiles.testing", "httpx", "httpcore"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def log_text(caplog: pytest.LogCaptureFixture) -> str:
    lines = []
    for record in caplog.records:
        lines.append(record.getMessage())
        if record.exc_info:
            lines.append("".join(traceback.format_exception(*record.exc_info)))
    return "\n".join(lines)


def exception_text(error: BaseException) -> str:
    return "\n".join(
        [
            str(error),
            repr(error),
            "".join(traceback.format_exception(type(error), error, error.__traceback__)),
            repr(vars(error)),
        ]
    )


# -- reprs ------------------------------------------------------------------------------------------


def test_the_key_is_in_no_client_repr() -> None:
    client = ProfilesClient(api_key=SECRET)
    aclient = AsyncProfilesClient(api_key=SECRET)

    shown = [repr(client), str(client), repr(aclient), repr(client.with_options(timeout=5))]

    assert all(SECRET not in text for text in shown)
    assert all("redacted" in text for text in shown[:3])


def test_a_client_refuses_to_be_pickled_with_its_key() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(ProfilesClient(api_key=SECRET))


def test_the_key_is_in_no_fake_repr(fake: FakeProfiles) -> None:
    with fake.client(throttle=False) as client:
        client.people.create(ADA)

    assert SECRET not in repr(fake)
    assert SECRET not in repr(fake.calls)
    assert SECRET not in repr(fake.calls.last)


# -- logs ---------------------------------------------------------------------------------------------


def test_the_key_is_in_no_log_line_of_a_successful_session(
    fake: FakeProfiles, everything_logged: pytest.LogCaptureFixture
) -> None:
    with fake.serve() as base_url, ProfilesClient(SECRET, base_url, throttle=False) as client:
        created = client.people.create(ADA)
        client.people.get(PersonRef.id(created.id or 0))
        list(client.people.list(page_size=10))

    assert everything_logged.records, "the session must have logged something to check"
    assert SECRET not in log_text(everything_logged)


def test_the_key_is_in_no_log_line_of_retries_and_failures(
    fake: FakeProfiles, everything_logged: pytest.LogCaptureFixture
) -> None:
    fake.inject(503, op_id="get-a-single-person-or-a-list-of-people")
    fake.inject(429, op_id="create-a-new-person", retry_after=1)
    fake.inject(drop="after", op_id="batch-people-create")
    with fake.client(throttle=False) as client:
        client._sleep = lambda seconds: None
        client.people.create(ADA)
        client.people.get(PersonRef.external_id("ada"))
        with pytest.raises(APIConnectionError):
            client.people.create_many([ADA])
        with pytest.raises(APIError):
            client.people.get(PersonRef.external_id("nobody"))

    text = log_text(everything_logged)
    assert "retrying" in text
    assert SECRET not in text


def test_the_key_is_in_no_log_line_when_it_is_refused(
    everything_logged: pytest.LogCaptureFixture,
) -> None:
    fake = FakeProfiles("the-right-key")
    with fake.client(api_key=SECRET, throttle=False) as client, pytest.raises(AuthenticationError):
        client.people.get(PersonRef.id(1))

    assert SECRET not in log_text(everything_logged)


# -- exceptions ------------------------------------------------------------------------------------


def test_the_key_is_in_no_authentication_error() -> None:
    fake = FakeProfiles("the-right-key")
    with (
        fake.client(api_key=SECRET, throttle=False) as client,
        pytest.raises(AuthenticationError) as raised,
    ):
        client.people.get(PersonRef.id(1))

    assert raised.value.status_code == 401
    assert SECRET not in exception_text(raised.value)


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 500},
        {"status": 400},
        {"drop": "after"},
        {"drop": "before"},
        {"latency": 1.0},
    ],
    ids=["500", "400", "drop-after", "drop-before", "timeout"],
)
def test_the_key_is_in_no_exception_text(fake: FakeProfiles, fault: dict[str, object]) -> None:
    fake.inject(op_id="create-a-new-person", times=None, **fault)  # type: ignore[arg-type]
    with fake.client(throttle=False, max_retries=1, timeout=0.01) as client:
        client._sleep = lambda seconds: None
        with pytest.raises((APIError, APIConnectionError)) as raised:
            client.people.create(ADA)

    assert SECRET not in exception_text(raised.value)


def test_the_key_is_in_no_error_over_http_either(fake: FakeProfiles) -> None:
    with (
        fake.serve() as base_url,
        ProfilesClient(SECRET, base_url, throttle=False) as client,
        pytest.raises(APIError) as raised,
    ):
        client.people.get(PersonRef.external_id("nobody"))

    assert raised.value.status_code == 404
    assert SECRET not in exception_text(raised.value)


# -- the fake's history -------------------------------------------------------------------------------


def test_the_key_is_in_no_dump_of_the_call_history(fake: FakeProfiles) -> None:
    with fake.serve() as base_url:
        with ProfilesClient(SECRET, base_url, throttle=False) as client:
            client.people.create(ADA)
        dumped = httpx.get(
            f"{base_url}/_fake/calls", headers={"Authorization": f"App {SECRET}"}
        ).text

    in_process = json.dumps([call.to_dict() for call in fake.calls])
    assert fake.calls.last.headers["authorization"] == "App [REDACTED]"
    assert SECRET not in in_process
    assert "create-a-new-person" in dumped or "/people/2/persons" in dumped
    assert SECRET not in dumped


def test_the_key_is_in_no_state_dump(fake: FakeProfiles) -> None:
    with fake.client(throttle=False) as client:
        client.people.create(ADA)

    assert SECRET not in json.dumps(fake.state(), default=str)


# -- transport -----------------------------------------------------------------------------------------


def test_plain_http_to_a_remote_host_warns() -> None:
    with pytest.warns(InsecureTransportWarning, match="unencrypted"):
        ProfilesClient(api_key=SECRET, base_url="http://profiles.example.com")


@pytest.mark.parametrize(
    "base_url",
    [
        "https://xyz.api.infobip.com",
        "xyz.api.infobip.com",
        "http://127.0.0.1:8080",
        "http://localhost:8080",
        "http://[::1]:8080",
    ],
)
def test_tls_or_loopback_does_not_warn(base_url: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", InsecureTransportWarning)
        client = ProfilesClient(api_key=SECRET, base_url=base_url)

    assert client.base_url.startswith(("https://", "http://127.", "http://localhost", "http://["))


def test_a_base_url_without_scheme_gets_https() -> None:
    assert ProfilesClient(api_key=SECRET, base_url="xyz.api.infobip.com").base_url == (
        "https://xyz.api.infobip.com"
    )


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    try:
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"openssl cannot make a test certificate here: {exc}")
    return cert, key


@pytest.fixture
def tls_server(self_signed: tuple[Path, Path]) -> Iterator[tuple[str, list[bytes]]]:
    """A TLS listener on loopback with a self-signed certificate; records what it receives."""
    cert, key = self_signed
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.settimeout(2)
                    received.append(tls.recv(65536))
            except (OSError, ssl.SSLError):
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}", received
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def test_tls_certificates_are_verified_by_default(tls_server: tuple[str, list[bytes]]) -> None:
    base_url, received = tls_server
    with (
        ProfilesClient(SECRET, base_url, throttle=False, max_retries=0, timeout=5) as client,
        pytest.raises(APIConnectionError) as raised,
    ):
        client.people.get(PersonRef.id(1))

    assert "certificate" in str(raised.value.__cause__).lower()
    assert not any(SECRET.encode() in chunk for chunk in received), "the key crossed the wire"
    assert SECRET not in exception_text(raised.value)
