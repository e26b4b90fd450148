"""Error responses and transport failures, as the caller sees them.

Each of the six error envelopes of docs/fake-semantics.md is answered (by respx) to an operation of
its family and must surface as the right :class:`APIError` subclass with ``status_code``,
``message_id``, ``text`` and ``validation_errors``. Sync and async alike.
"""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from infobip_profiles import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    Person,
    PersonRef,
    ProfilesError,
    RateLimitError,
    ServerError,
)
from infobip_profiles._plan import Call
from tests._support.client import client_fixture, resolve, router_fixture

KEY = "test-key"
BASE = "https://acme.api.infobip.com"
PERSONS = f"{BASE}/people/2/persons"
REF = PersonRef.email("ada@example.com")


client = client_fixture(KEY, BASE)
api = router_fixture()


async def send(client: Any, call: Call) -> Any:
    """Drive a one-call plan: the request pipeline of any operation, whatever its resource."""

    def plan() -> Any:
        response = yield call
        return response

    return await resolve(client._run(plan()))


def v2(message_id: str, text: str, errors: dict[str, list[str]] | None = None) -> dict[str, Any]:
    exc: dict[str, Any] = {"messageId": message_id, "text": text}
    if errors is not None:
        exc["validationErrors"] = errors
    return {"requestError": {"serviceException": exc}}


# -- v2: requestError.serviceException, every status --------------------------------------------


@pytest.mark.parametrize(
    ("status", "message_id", "cls"),
    [
        (400, "BAD_REQUEST", BadRequestError),
        (401, "UNAUTHORIZED", AuthenticationError),
        (403, "FORBIDDEN", PermissionDeniedError),
        (404, "NOT_FOUND", NotFoundError),
        (409, "CONFLICT", ConflictError),
        (429, "TOO_MANY_REQUESTS", RateLimitError),
        (500, "GENERAL_ERROR", ServerError),
        (502, "BAD_GATEWAY", ServerError),
    ],
)
async def test_v2_envelope_maps_status_to_the_error_class(
    client: Any, api: Any, status: int, message_id: str, cls: type[APIError]
) -> None:
    api.get(PERSONS).respond(status, json=v2(message_id, "Something happened"))

    with pytest.raises(cls) as info:
        await resolve(client.people.get(REF))

    error = info.value
    assert error.status_code == status
    assert error.message_id == message_id
    assert error.text == "Something happened"
    assert error.validation_errors == {}


async def test_v2_validation_errors_are_kept_per_field(client: Any, api: Any) -> None:
    api.post(PERSONS).respond(
        400,
        json=v2(
            "BAD_REQUEST",
            "Bad request",
            {"firstName": ["forbidden character"], "birthDate": ["bad format", "in future"]},
        ),
    )

    with pytest.raises(BadRequestError) as info:
        await resolve(client.people.create(Person(external_id="x")))

    assert info.value.validation_errors == {
        "firstName": ["forbidden character"],
        "birthDate": ["bad format", "in future"],
    }
    assert "birthDate: bad format; in future" in str(info.value)


async def test_error_message_names_status_code_method_and_path(client: Any, api: Any) -> None:
    api.get(PERSONS).respond(404, json=v2("NOT_FOUND", "Person not found"))

    with pytest.raises(NotFoundError) as info:
        await resolve(client.people.get(REF))

    assert str(info.value) == "404 NOT_FOUND: Person not found (GET /people/2/persons)"


async def test_errors_share_the_root(client: Any, api: Any) -> None:
    api.get(PERSONS).respond(404, json=v2("NOT_FOUND", "Person not found"))

    with pytest.raises(ProfilesError):
        await resolve(client.people.get(REF))


async def test_error_keeps_body_headers_and_response(client: Any, api: Any) -> None:
    envelope = v2("NOT_FOUND", "Person not found")
    api.get(PERSONS).respond(404, json=envelope, headers={"X-Request-Id": "r-9"})

    with pytest.raises(NotFoundError) as info:
        await resolve(client.people.get(REF))

    assert info.value.body == envelope
    assert info.value.headers["x-request-id"] == "r-9"
    assert info.value.response.status_code == 404


async def test_unlisted_4xx_is_a_plain_api_error(client: Any, api: Any) -> None:
    api.get(PERSONS).respond(422, json=v2("UNPROCESSABLE", "No"))

    with pytest.raises(APIError) as info:
        await resolve(client.people.get(REF))

    assert type(info.value) is APIError
    assert info.value.status_code == 422


# -- the other five envelopes -------------------------------------------------------------------


async def test_v3_envelope_code_message_details(client: Any, api: Any) -> None:
    api.patch(f"{BASE}/people/3/persons/upsert").respond(
        400,
        json={
            "code": 400104,
            "message": "Missing persons",
            "details": [{"property": "persons", "message": "must not be empty"}],
        },
    )

    with pytest.raises(BadRequestError) as info:
        await resolve(client.people.upsert_many([Person(external_id="a")]))

    assert (info.value.message_id, info.value.text) == ("400104", "Missing persons")
    assert info.value.validation_errors == {"persons": ["must not be empty"]}


@pytest.mark.parametrize(
    ("path", "status", "answer", "call", "error", "expected"),
    [
        pytest.param(
            "/people/3/lists",
            404,
            {"errorCode": 300103, "message": "List attribute not found"},
            Call("get-lists", query=[("listNames", "Orders"), ("type", "ID"), ("identifier", "1")]),
            NotFoundError,
            ("300103", "List attribute not found"),
            id="lists-error-code-and-message",
        ),
        pytest.param(
            "/people/2/contactInformation/push/reg-1",
            400,
            {"errorCode": 48013, "errorMessage": "Unknown registration"},
            Call(
                "get-push-device-registration",
                path_params={"pushRegId": "reg-1"},
                headers={"AppCode": "a"},
            ),
            BadRequestError,
            ("48013", "Unknown registration"),
            id="push-error-code-and-error-message",
        ),
    ],
)
async def test_envelope_with_an_error_code(
    client: Any,
    api: Any,
    path: str,
    status: int,
    answer: dict[str, Any],
    call: Call,
    error: type[APIError],
    expected: tuple[str, str],
) -> None:
    api.get(f"{BASE}{path}").respond(status, json=answer)

    with pytest.raises(error) as info:
        await send(client, call)

    assert (info.value.message_id, info.value.text) == expected


async def test_events_batch_problem_details(client: Any, api: Any) -> None:
    api.post(f"{BASE}/people/3/events").respond(
        400,
        json={
            "status": 400,
            "title": "Bad Request",
            "type": "about:blank",
            "traceId": "t-1",
            "errors": [
                {
                    "index": 3,
                    "code": 400504,
                    "message": "Invalid item",
                    "details": [{"property": "occurredTime", "message": "too old"}],
                },
                {"index": -1, "code": 400503, "message": "Too many items"},
            ],
        },
    )
    call = Call("send-custom-events", body=[])

    with pytest.raises(BadRequestError) as info:
        await send(client, call)

    error = info.value
    assert error.message_id == "400504"
    assert error.text == "Bad Request: [3]: Invalid item; request: Too many items"
    assert error.validation_errors == {
        "occurredTime": ["too old"],
        "request": ["Too many items"],
    }


async def test_segments_envelope_error_code_description_violations(client: Any, api: Any) -> None:
    api.get(f"{BASE}/people/3/segments/77").respond(
        404,
        json={
            "errorCode": "E404",
            "description": "Segment not found",
            "action": "Check the id",
            "violations": [{"property": "segmentId", "violation": "unknown"}],
            "resources": [],
        },
    )
    call = Call("get-segment", path_params={"segmentId": "77"})

    with pytest.raises(NotFoundError) as info:
        await send(client, call)

    error = info.value
    assert (error.message_id, error.text) == ("E404", "Segment not found")
    assert error.validation_errors == {"segmentId": ["unknown"]}


async def test_event_definitions_error_without_a_body(client: Any, api: Any) -> None:
    api.get(f"{BASE}/peopleevents/2/definitions/nope").respond(404)
    call = Call("get-event-definition", path_params={"definitionId": "nope"})

    with pytest.raises(NotFoundError) as info:
        await send(client, call)

    assert info.value.status_code == 404
    assert info.value.message_id is None
    assert info.value.text == "(empty body)"


# -- bodies that are no envelope -------------------------------------------------------------


async def test_html_from_a_proxy_gives_status_and_a_short_snippet(client: Any, api: Any) -> None:
    page = "<html><head><title>502 Bad Gateway</title></head><body>" + "x" * 5000 + "</body></html>"
    api.get(PERSONS).respond(502, text=page, headers={"Content-Type": "text/html"})

    with pytest.raises(ServerError) as info:
        await resolve(client.people.get(REF))

    error = info.value
    assert error.status_code == 502
    assert error.message_id is None
    assert error.text.startswith("<html><head><title>502 Bad Gateway</title>")
    assert len(error.text) <= 210


async def test_empty_error_body_says_so(client: Any, api: Any) -> None:
    api.get(PERSONS).respond(503)

    with pytest.raises(ServerError) as info:
        await resolve(client.people.get(REF))

    assert info.value.text == "(empty body)"
    assert "503" in str(info.value)


@pytest.mark.parametrize(
    "content",
    [b"not json at all", b'{"unexpected": "shape"}', b"[1, 2, 3]", b"\xff\xfe\x00garbage"],
)
async def test_garbage_error_body_still_gives_an_api_error(
    client: Any, api: Any, content: bytes
) -> None:
    api.get(PERSONS).respond(400, content=content)

    with pytest.raises(BadRequestError) as info:
        await resolve(client.people.get(REF))

    assert info.value.status_code == 400
    assert info.value.message_id is None
    assert info.value.text


async def test_redirect_is_not_followed_and_is_an_error(client: Any, api: Any) -> None:
    api.get(PERSONS).respond(301, headers={"Location": "https://elsewhere.example/"})

    with pytest.raises(APIError) as info:
        await resolve(client.people.get(REF))

    assert info.value.status_code == 301


# -- rate limits ---------------------------------------------------------------------------------


async def test_rate_limit_error_reads_retry_after_seconds(client: Any, api: Any) -> None:
    api.get(PERSONS).respond(
        429, json=v2("TOO_MANY_REQUESTS", "Too many"), headers={"Retry-After": "7"}
    )

    with pytest.raises(RateLimitError) as info:
        await resolve(client.people.get(REF))

    assert info.value.retry_after == 7.0


async def test_rate_limit_error_reads_retry_after_http_date(client: Any, api: Any) -> None:
    when = datetime.now(timezone.utc) + timedelta(seconds=120)
    api.get(PERSONS).respond(429, headers={"Retry-After": format_datetime(when, usegmt=True)})

    with pytest.raises(RateLimitError) as info:
        await resolve(client.people.get(REF))

    assert info.value.retry_after is not None
    assert 100 < info.value.retry_after <= 121


@pytest.mark.parametrize("header", [None, "soon", ""])
async def test_rate_limit_error_without_usable_retry_after(
    client: Any, api: Any, header: str | None
) -> None:
    headers = {} if header is None else {"Retry-After": header}
    api.get(PERSONS).respond(429, headers=headers)

    with pytest.raises(RateLimitError) as info:
        await resolve(client.people.get(REF))

    assert info.value.retry_after is None


# -- transport failures --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raised", "cls", "sent"),
    [
        (httpx.ConnectError("refused"), APIConnectionError, False),
        (httpx.ConnectTimeout("slow connect"), APITimeoutError, False),
        (httpx.PoolTimeout("pool full"), APITimeoutError, False),
        (httpx.ReadTimeout("slow read"), APITimeoutError, True),
        (httpx.WriteTimeout("slow write"), APITimeoutError, True),
        (httpx.ReadError("reset"), APIConnectionError, True),
        (httpx.RemoteProtocolError("server hung up"), APIConnectionError, True),
    ],
)
async def test_transport_failures_become_connection_errors(
    client: Any, api: Any, raised: Exception, cls: type[APIConnectionError], sent: bool
) -> None:
    api.get(PERSONS).mock(side_effect=raised)

    with pytest.raises(cls) as info:
        await resolve(client.people.get(REF))

    assert type(info.value) is cls
    assert info.value.request_sent is sent
    assert isinstance(info.value.__cause__, httpx.TransportError)


async def test_timeout_is_a_connection_error_too(client: Any, api: Any) -> None:
    api.get(PERSONS).mock(side_effect=httpx.ReadTimeout("slow"))

    with pytest.raises(APIConnectionError):
        await resolve(client.people.get(REF))


async def test_a_rejected_write_is_not_reported_as_success(client: Any, api: Any) -> None:
    api.post(PERSONS).respond(409, json=v2("CONFLICT", "Destination(email) a@b.co already exists."))

    with pytest.raises(ConflictError) as info:
        await resolve(client.people.create(Person(external_id="x")))

    assert info.value.text == "Destination(email) a@b.co already exists."


# -- errors travel -------------------------------------------------------------------------------


async def test_api_errors_survive_pickling(client: Any, api: Any) -> None:
    api.get(PERSONS).respond(
        400, json=v2("BAD_REQUEST", "Bad request", {"firstName": ["forbidden character"]})
    )
    with pytest.raises(BadRequestError) as info:
        await resolve(client.people.get(REF))

    copy = pickle.loads(pickle.dumps(info.value))

    assert type(copy) is BadRequestError
    assert str(copy) == str(info.value)
    assert (copy.status_code, copy.message_id, copy.text, copy.validation_errors) == (
        400,
        "BAD_REQUEST",
        "Bad request",
        {"firstName": ["forbidden character"]},
    )


async def test_connection_errors_survive_pickling(client: Any, api: Any) -> None:
    api.get(PERSONS).mock(side_effect=httpx.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError) as info:
        await resolve(client.with_options(max_retries=0).people.get(REF))

    copy = pickle.loads(pickle.dumps(info.value))

    assert type(copy) is APITimeoutError
    assert copy.request_sent is True
    assert str(copy) == str(info.value)


def test_a_validation_error_placed_at_an_item_keeps_its_class_and_attributes() -> None:
    from infobip_profiles.schema import SchemaValidationError

    error = SchemaValidationError("tier", "one of gold, silver", "bronze")

    placed = error.at(7)

    assert type(placed) is SchemaValidationError
    assert (placed.index, placed.property, placed.rule, placed.field) == (
        7,
        "tier",
        "one of gold, silver",
        "customAttributes.tier",
    )
    assert str(placed) == f"item 7: {error}"
    assert error.index is None  # the original is left as it was
