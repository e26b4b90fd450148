"""Every failure is a ``ProfilesError``: bodies, headers and settings no client should trust.

A success status with a body the client cannot turn into the promised value (not JSON, HTML,
bad UTF-8, JSON nested 100,000 deep, JSON of the wrong shape, an object without the fields the
service always returns) raises ``UnexpectedResponseError``, never ``RecursionError``,
``JSONDecodeError``, a cattrs error, or an empty model as if all were well. An absurd
``Retry-After`` falls back to the normal backoff or is clamped; bad settings and header values
are typed errors before anything is sent. Served with ``httpx.MockTransport``, which hands the
client exactly the bytes and headers given, sync and async.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

import infobip_profiles.errors
from infobip_profiles import (
    AsyncProfilesClient,
    CompanyRef,
    ConfigurationError,
    PersonRef,
    ProfilesClient,
    ProfilesError,
    RateLimitError,
    UnexpectedResponseError,
    ValidationError,
)
from tests._support.client import collect, resolve
from tests._support.mock_transport import answering, mock_client

#: (label, the call, the operation it makes)
SINGLE: list[tuple[str, Callable[[Any], Any], str]] = [
    ("people.get", lambda c: c.people.get(PersonRef.id(1)), "get-a-single-person-or-a-list-of-people"),
    ("companies.get", lambda c: c.companies.get(CompanyRef.id(1)), "get-a-single-company-by-name-or-a-list-of-companies"),
    ("tags.get", lambda c: c.tags.get("vip"), "get-a-tag"),
    ("custom_attributes.get", lambda c: c.custom_attributes.get("Tier"), "get-a-single-custom-attribute"),
    ("events.get_definition", lambda c: c.events.get_definition("d1"), "get-event-definition"),
    ("segments.get", lambda c: c.segments.get(5), "get-segment"),
    ("push.get", lambda c: c.push.get("reg-1", "app-1"), "get-push-device-registration"),
]  # fmt: skip

LISTS: list[tuple[str, Callable[[Any], Any], str]] = [
    ("people.list", lambda c: c.people.list(page_size=10), "get-a-single-person-or-a-list-of-people"),
    ("companies.list", lambda c: c.companies.list(page_size=10), "get-a-single-company-by-name-or-a-list-of-companies"),
    ("tags.list", lambda c: c.tags.list(page_size=10), "get-list-of-tags"),
    ("segments.list", lambda c: c.segments.list(page_size=10), "get-segments"),
    ("events.list_definitions", lambda c: c.events.list_definitions(page_size=10), "list-event-definitions"),
]  # fmt: skip

#: Bodies no operation decoded into a model can accept (with a 200).
BAD_BODIES: dict[str, bytes] = {
    "invalid-json": b'{"id": 1,',
    "html": b"<html><body><h1>502 Bad Gateway</h1></body></html>",
    "bad-utf8": b'{"id": 1, "name": "\xff\xfe\xfd"}',
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "deep-object": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "array": b"[]",
    "string": b'"abc"',
    "null": b"null",
    "number": b"42",
    "empty-object": b"{}",
    "empty": b"",
}

#: Bodies no page of a listing can be.
BAD_PAGES: dict[str, bytes] = {
    "invalid-json": b"[{",
    "html": b"<!doctype html><title>login</title>",
    "deep": b"[" * 100_000 + b"]" * 100_000,
    "string": b'"abc"',
    "number": b"7",
    "items-a-string": (b'{"persons": "abc", "companies": "abc", "results": "abc", "paging": {}}'),
    "items-of-numbers": b'{"persons": [1, 2], "companies": [1, 2], "results": [1, 2]}',
}


@pytest.mark.parametrize("body", list(BAD_BODIES.values()), ids=list(BAD_BODIES))
@pytest.mark.parametrize(("label", "action", "op_id"), SINGLE, ids=[s[0] for s in SINGLE])
async def test_a_bad_body_for_a_model_is_an_unexpected_response(
    kind: str, body: bytes, label: str, action: Callable[[Any], Any], op_id: str
) -> None:
    client = mock_client(kind, answering(body))
    with pytest.raises(UnexpectedResponseError) as info:
        await resolve(action(client))
    error = info.value
    assert isinstance(error, ProfilesError)
    assert error.status_code == 200
    assert error.operation_id == op_id
    assert len(error.excerpt) <= 203
    assert str(error)  # renders without raising


@pytest.mark.parametrize("body", list(BAD_PAGES.values()), ids=list(BAD_PAGES))
@pytest.mark.parametrize(("label", "action", "op_id"), LISTS, ids=[s[0] for s in LISTS])
async def test_a_bad_page_is_an_unexpected_response(
    kind: str, body: bytes, label: str, action: Callable[[Any], Any], op_id: str
) -> None:
    client = mock_client(kind, answering(body))
    with pytest.raises(UnexpectedResponseError) as info:
        await collect(action(client))
    assert info.value.operation_id == op_id


async def test_a_person_answer_without_its_id_is_not_an_empty_person(kind: str) -> None:
    # Before: Person() with every field unset came back as if the person had been found.
    client = mock_client(kind, answering(b'{"firstName": "Ada"}'))
    with pytest.raises(UnexpectedResponseError, match="lacks id"):
        await resolve(client.people.get(PersonRef.id(1)))


async def test_a_wrongly_typed_field_is_an_unexpected_response(kind: str) -> None:
    client = mock_client(kind, answering(b'{"id": 1, "name": "x", "createdAt": {"no": "date"}}'))
    with pytest.raises(UnexpectedResponseError):
        await resolve(client.tags.get("x"))


async def test_a_good_answer_still_decodes(kind: str) -> None:
    client = mock_client(kind, answering(b'{"id": 7, "firstName": "Ada"}'))
    person = await resolve(client.people.get(PersonRef.id(7)))
    assert person.id == 7


# -- Retry-After --------------------------------------------------------------------------------

ABSURD_RETRY_AFTER = [
    "Fri, 31 Dec 99999 23:59:59 GMT",
    "Sat, 01 Jan 10000 00:00:00 GMT",
    "-5",
    "0",
    "NaN",
    "inf",
    "-inf",
    "1e400",
    "soon",
    "",
]


def sleeper(kind: str, sleeps: list[float]) -> Callable[[float], Any]:
    if kind == "sync":
        return sleeps.append

    async def asleep(seconds: float) -> None:
        sleeps.append(seconds)

    return asleep


@pytest.mark.parametrize("value", ABSURD_RETRY_AFTER)
async def test_an_absurd_retry_after_falls_back_to_the_backoff(kind: str, value: str) -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": value}),
            httpx.Response(200, json={"id": 1, "name": "vip"}),
        ]
    )
    sleeps: list[float] = []
    client = mock_client(
        kind, lambda request: next(answers), max_retries=1, sleep=sleeper(kind, sleeps)
    )
    tag = await resolve(client.tags.get("vip"))
    assert tag.name == "vip"
    (waited,) = sleeps
    assert 0 < waited <= 8.0


async def test_a_huge_retry_after_is_clamped_and_the_total_is_bounded(kind: str) -> None:
    sleeps: list[float] = []
    client = mock_client(
        kind,
        lambda request: httpx.Response(429, headers={"Retry-After": "1e9"}),
        max_retries=10,
        sleep=sleeper(kind, sleeps),
    )
    with pytest.raises(RateLimitError) as info:
        await resolve(client.tags.get("vip"))
    # Each wait is clamped to 60 s, and a call waits at most 120 s in all by default.
    assert sleeps == [60.0, 60.0]
    assert info.value.retries_taken == 2


async def test_the_wait_budget_is_configurable(kind: str) -> None:
    sleeps: list[float] = []
    client = mock_client(
        kind,
        lambda request: httpx.Response(429, headers={"Retry-After": "5"}),
        max_retries=10,
        max_retry_wait=12,
        sleep=sleeper(kind, sleeps),
    )
    with pytest.raises(RateLimitError):
        await resolve(client.tags.get("vip"))
    assert sleeps == [5.0, 5.0]


# -- settings and header values -----------------------------------------------------------------


@pytest.mark.parametrize(
    "key", ["clé-secrète-1", "key with-space-1", "tab\tkey-1", "key-\x00-1", "ключ-1"]
)
@pytest.mark.parametrize("cls", [ProfilesClient, AsyncProfilesClient])
def test_a_key_no_header_can_carry_is_a_configuration_error(cls: Any, key: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        cls(api_key=key, base_url="https://acme.example")
    assert key not in str(info.value)
    assert key.strip() not in repr(info.value.args)


async def test_a_non_ascii_app_code_is_a_validation_error_before_sending(kind: str) -> None:
    sent: list[httpx.Request] = []

    def respond(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"registrationId": "r"})

    client = mock_client(kind, respond)
    with pytest.raises(ValidationError) as info:
        await resolve(client.push.get("reg-1", "äpp-cödé"))
    assert "äpp-cödé" not in str(info.value)
    assert sent == []


async def test_a_non_ascii_extra_header_is_a_validation_error(kind: str) -> None:
    client = mock_client(kind, answering(b'{"id": 1, "name": "vip"}'))
    with pytest.raises(ValidationError, match="X-Note"):
        await resolve(client.tags.get("vip", extra_headers={"X-Note": "naïve"}))


def test_unexpected_response_error_is_exported_where_the_others_are() -> None:
    assert infobip_profiles.errors.UnexpectedResponseError is UnexpectedResponseError
    assert issubclass(UnexpectedResponseError, infobip_profiles.errors.APIError)
    assert "UnexpectedResponseError" in infobip_profiles.errors.__all__


@pytest.mark.parametrize("status", [400, 404, 500])
@pytest.mark.parametrize("body", list(BAD_BODIES.values()), ids=list(BAD_BODIES))
async def test_a_bad_error_body_is_still_the_status_error(
    kind: str, status: int, body: bytes
) -> None:
    client = mock_client(kind, lambda r: httpx.Response(status, content=body))
    with pytest.raises(infobip_profiles.errors.APIError) as info:
        await resolve(client.tags.get("vip"))
    assert info.value.status_code == status
    assert not isinstance(info.value, UnexpectedResponseError)
    assert len(info.value.text) <= 203
