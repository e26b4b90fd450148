"""The key stays secret, even from a server that echoes it back in disguise.

After any error the key is in no local variable of any frame on the raising path (nor one
attribute deep), not in the request kept on the error or on a raw response (its Authorization
header is redacted), not in anything the error holds (message, message id, validation errors,
decoded body, headers) even when the server echoed it JSON-escaped, and not in a pickle of the
error. Sync and async.
"""

from __future__ import annotations

import contextlib
import pickle
import socket
from types import TracebackType
from typing import Any

import httpx
import pytest

from infobip_profiles import (
    APIConnectionError,
    APIError,
    AsyncProfilesClient,
    ConfigurationError,
    ProfilesClient,
    ProfilesError,
    UnexpectedResponseError,
)
from tests._support.client import resolve
from tests._support.mock_transport import Respond, mock_client

SECRET = "sk-live-hostile-7f3a9c"
#: The key as a JSON escape of its first letter: the raw bytes never show it.
ESCAPED = "\\u0073" + SECRET[1:]
ECHO = (
    '{"requestError": {"serviceException": {"messageId": "' + ESCAPED + '", '
    '"text": "bad key ' + ESCAPED + '", '
    '"validationErrors": {"' + ESCAPED + '": ["was ' + ESCAPED + '"]}}}}'
).encode()

HTML_ECHO = b'<html>"' + ESCAPED.encode() + b'" ' + SECRET.encode() + b"</html>"


def make(kind: str, respond: Respond, **options: Any) -> Any:
    return mock_client(kind, respond, api_key=SECRET, **options)


def _reprs(value: Any) -> list[str]:
    """``repr`` of ``value`` and of each of its attributes (one level deep)."""
    out = []
    with contextlib.suppress(Exception):  # a repr that fails shows nothing
        out.append(repr(value))
    names: list[str] = list(getattr(value, "__dict__", {}) or {})
    for klass in type(value).__mro__:
        names.extend(getattr(klass, "__slots__", ()) or ())
    for name in names:
        try:
            out.append(repr(getattr(value, name)))
        except Exception:
            continue
    return out


def leaks_in_frames(tb: TracebackType | None) -> list[str]:
    found = []
    while tb is not None:
        frame = tb.tb_frame
        for name, value in frame.f_locals.items():
            if any(SECRET in text for text in _reprs(value)):
                found.append(f"{frame.f_code.co_name}:{name}")
        tb = tb.tb_next
    return found


def assert_no_leak(error: BaseException) -> None:
    assert leaks_in_frames(error.__traceback__) == []
    assert SECRET not in str(error)
    assert SECRET not in repr(error)
    assert SECRET.encode() not in pickle.dumps(error)
    if isinstance(error, APIError):
        held = repr(
            (
                error.text,
                error.message_id,
                error.validation_errors,
                error.body,
                error.headers,
                error.args,
            )
        )
        assert SECRET not in held
        if error.response is not None:
            request = error.response.request
            assert SECRET not in request.headers.get("authorization", "")
            assert request.headers["authorization"] == "App <redacted>"
            assert SECRET.encode() not in error.response.content


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 429, 500, 503])
async def test_an_error_answer_echoing_the_key_leaks_it_nowhere(kind: str, status: int) -> None:
    def respond(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == "App " + SECRET  # it was really sent
        return httpx.Response(
            status,
            content=ECHO,
            headers={"Content-Type": "application/json", "X-Echo": "App " + SECRET},
        )

    client = make(kind, respond)
    with pytest.raises(APIError) as info:
        await resolve(client.tags.get("vip"))
    assert info.value.status_code == status
    assert "<redacted>" in info.value.text
    assert_no_leak(info.value)


async def test_a_raw_echo_in_a_non_json_body_is_redacted(kind: str) -> None:
    client = make(
        kind, lambda r: httpx.Response(502, content=b"<html>key " + SECRET.encode() + b"</html>")
    )
    with pytest.raises(APIError) as info:
        await resolve(client.tags.get("vip"))
    assert_no_leak(info.value)


async def test_an_unexpected_answer_echoing_the_key_leaks_it_nowhere(kind: str) -> None:
    client = make(kind, lambda r: httpx.Response(200, content=HTML_ECHO))
    with pytest.raises(UnexpectedResponseError) as info:
        await resolve(client.tags.get("vip"))
    assert SECRET not in info.value.excerpt
    assert_no_leak(info.value)


async def test_a_connection_error_leaks_nothing(kind: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed when the block ends: nothing listens there
    options: dict[str, Any] = {"max_retries": 0, "throttle": False}
    url = f"http://127.0.0.1:{port}"
    client: Any = (
        ProfilesClient(SECRET, url, **options)
        if kind == "sync"
        else AsyncProfilesClient(SECRET, url, **options)
    )
    with pytest.raises(APIConnectionError) as info:
        await resolve(client.tags.get("vip"))
    assert_no_leak(info.value)


async def test_a_raw_response_keeps_a_redacted_request(kind: str) -> None:
    client = make(kind, lambda r: httpx.Response(200, json={"id": 1, "name": "vip"}))
    raw = await resolve(client.tags.with_raw_response.get("vip"))
    assert raw.parse().name == "vip"
    assert raw.http_response.request.headers["authorization"] == "App <redacted>"


async def test_a_replayed_request_still_carries_the_key(kind: str) -> None:
    seen: list[str] = []

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        if len(seen) == 1:
            return httpx.Response(503)
        return httpx.Response(200, json={"id": 1, "name": "vip"})

    async def asleep(seconds: float) -> None:
        return None

    sleep: Any = (lambda seconds: None) if kind == "sync" else asleep
    client = make(kind, respond, max_retries=1, sleep=sleep)
    assert (await resolve(client.tags.get("vip"))).name == "vip"
    assert seen == ["App " + SECRET, "App " + SECRET]


@pytest.mark.parametrize("cls", [ProfilesClient, AsyncProfilesClient])
def test_the_client_holds_the_key_in_no_plain_attribute(cls: Any) -> None:
    client = cls(SECRET, "https://acme.example")
    assert not any(SECRET in text for text in _reprs(client))
    with pytest.raises(TypeError):
        pickle.dumps(client)


@pytest.mark.parametrize("bad", [SECRET + " x", "ключ-" + SECRET])
def test_a_refused_key_is_not_echoed(bad: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        ProfilesClient(bad, "https://acme.example")
    assert isinstance(info.value, ProfilesError)
    assert SECRET not in str(info.value)
    assert SECRET.encode() not in pickle.dumps(info.value)


#: A 200 that parses, has the wrong shape, and echoes the key: the frames that decoded it hold it.
SHAPED_ECHO = ('{"persons": "' + SECRET + '", "note": "' + ESCAPED + '"}').encode()


async def test_a_wrongly_shaped_answer_echoing_the_key_leaks_it_nowhere(kind: str) -> None:
    client = make(kind, lambda r: httpx.Response(200, content=SHAPED_ECHO))
    pager = client.people.list(page_size=10)
    with pytest.raises(UnexpectedResponseError) as info:
        await resolve(pager.to_list())
    assert info.value.operation_id == "get-a-single-person-or-a-list-of-people"
    assert_no_leak(info.value)
