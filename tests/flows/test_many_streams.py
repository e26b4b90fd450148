"""Many-item calls read a generator chunk by chunk and keep their outcomes compact.

Every many-item call is fed a generator that counts how far it was read; a transport in front of
the fake (in-process, or served over loopback HTTP) notes that count as each request leaves. The
generator must not have been read past the chunk after the one being sent. Outcomes come back
one per item, in input order; plain successes live in the compact store. A bad item in a later
chunk fails alone when the input is streamed and stops everything before the first request when
checked first (``strict=True``, or a list by default). A failed request in the middle is marked
``unknown`` (``on_error="continue"``) or stops the call with every outcome so far (``"raise"``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from infobip_profiles import (
    APIConnectionError,
    AsyncProfilesClient,
    Company,
    CompanyRef,
    CompanyUpdate,
    ContactInformation,
    Event,
    Person,
    PersonRef,
    PersonUpdate,
    ProfilesClient,
    ValidationError,
)
from infobip_profiles._operations import operation
from infobip_profiles.errors import PartialBatchError
from infobip_profiles.resources._batch import CompactOutcomes
from infobip_profiles.testing import FakeProfiles
from tests._support.client import call_then_close

pytestmark = pytest.mark.slow


class Source:
    """A generator of ``n`` items that counts how many were read."""

    def __init__(self, make: Callable[[int], Any], n: int) -> None:
        self.make, self.n, self.read = make, n, 0

    def __iter__(self) -> Iterator[Any]:
        for i in range(self.n):
            self.read += 1
            yield self.make(i)


class _Seen:
    """What the transports saw: the count of items read when each request of ``op_id`` left."""

    def __init__(self, op_id: str, source: Source | None = None) -> None:
        op = operation(op_id)
        self.method, self.path, self.source = op.method, op.path, source
        self.read_at: list[int] = []
        self.arm: Callable[[], None] | None = None

    def mine(self, request: httpx.Request) -> bool:
        pattern = re.sub(r"\\\{[^/]*\\\}", "[^/]+", re.escape(self.path))
        return request.method == self.method and re.fullmatch(pattern, request.url.path) is not None

    def sending(self, request: httpx.Request) -> None:
        if self.mine(request):
            self.read_at.append(self.source.read if self.source else -1)

    def answered(self, request: httpx.Request) -> None:
        if self.mine(request) and len(self.read_at) == 1 and self.arm:
            arm, self.arm = self.arm, None
            arm()


class _Sync(httpx.BaseTransport):
    def __init__(self, inner: httpx.BaseTransport, seen: _Seen) -> None:
        self.inner, self.seen = inner, seen

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.sending(request)
        response = self.inner.handle_request(request)
        response.read()
        self.seen.answered(request)
        return response


class _Async(httpx.AsyncBaseTransport):
    def __init__(self, inner: httpx.AsyncBaseTransport, seen: _Seen) -> None:
        self.inner, self.seen = inner, seen

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.sending(request)
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.seen.answered(request)
        return response


def _person(i: int) -> Person:
    return Person(
        external_id=f"s-{i}",
        contact_information=ContactInformation.of(emails=[f"s{i}@example.com"]),
    )


_OLD = datetime(2001, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class ManyCall:
    """One many-item call: how to make its items, a bad one, and what its requests are."""

    name: str
    resource: str
    method: str
    op_id: str
    size: int
    item: Callable[[int], Any]
    bad: Callable[[int], Any]
    refusal: type[Exception]
    per_item: bool = True  # one outcome per item (else one per batch: events)

    def __str__(self) -> str:
        return self.name


CALLS = [
    ManyCall(
        "people.create_many",
        "people",
        "create_many",
        "batch-people-create",
        1000,
        _person,
        lambda i: Person(first_name=f"nobody-{i}"),
        ValidationError,
    ),
    ManyCall(
        "people.update_many",
        "people",
        "update_many",
        "batch-people-update",
        1000,
        lambda i: PersonUpdate(PersonRef.external_id(f"s-{i}"), Person(first_name=f"F{i}")),
        lambda i: (f"s-{i}", Person(first_name="x")),
        TypeError,
    ),
    ManyCall(
        "people.delete_many",
        "people",
        "delete_many",
        "batch-people-delete",
        1000,
        lambda i: PersonRef.external_id(f"s-{i}"),
        lambda i: f"s-{i}",
        TypeError,
    ),
    ManyCall(
        "companies.create_many",
        "companies",
        "create_many",
        "create-companies",
        1000,
        lambda i: Company(name=f"c-{i}"),
        lambda i: Company(industry="no name"),
        ValidationError,
    ),
    ManyCall(
        "companies.update_many",
        "companies",
        "update_many",
        "update-companies",
        1000,
        lambda i: CompanyUpdate(CompanyRef.name(f"c-{i}"), Company(industry=f"I{i}")),
        lambda i: CompanyUpdate(CompanyRef.name(f"c-{i}"), Company(name="  ")),
        ValidationError,
    ),
    ManyCall(
        "companies.delete_many",
        "companies",
        "delete_many",
        "delete-companies",
        1000,
        lambda i: CompanyRef.name(f"c-{i}"),
        lambda i: PersonRef.external_id(f"c-{i}"),
        TypeError,
    ),
    ManyCall(
        "events.send_many",
        "events",
        "send_many",
        "send-custom-events",
        5000,
        lambda i: Event(PersonRef.external_id(f"s-{i}"), "purchase"),
        lambda i: Event(PersonRef.external_id(f"s-{i}"), "purchase", occurred_at=_OLD),
        ValidationError,
        per_item=False,
    ),
]


def _prepare(fake: FakeProfiles, call: ManyCall, n: int) -> None:
    setup = fake.client(max_retries=0, throttle=False)
    if call.resource == "events":
        setup.events.create_definition("purchase", title="Purchase")
    if call.resource == "people" and call.method in ("update_many", "delete_many"):
        fake.seed(people=[{"externalId": f"s-{i}"} for i in range(n)])
    if call.resource == "companies" and call.method in ("update_many", "delete_many"):
        fake.seed(companies=[{"name": f"c-{i}"} for i in range(n)])


@pytest.fixture(params=CALLS, ids=str)
def many(request: pytest.FixtureRequest) -> ManyCall:
    call: ManyCall = request.param
    return call


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _client(fake: FakeProfiles, mode: str, base_url: str, kind: str, seen: _Seen) -> Any:
    options: dict[str, Any] = {
        "api_key": fake.api_key,
        "base_url": base_url,
        "max_retries": 0,
        "throttle": False,
    }
    if kind == "sync":
        inner: Any = fake.transport() if mode == "inprocess" else httpx.HTTPTransport()
        return ProfilesClient(http_client=httpx.Client(transport=_Sync(inner, seen)), **options)
    ainner: Any = fake.async_transport() if mode == "inprocess" else httpx.AsyncHTTPTransport()
    http = httpx.AsyncClient(transport=_Async(ainner, seen))
    return AsyncProfilesClient(http_client=http, **options)


async def _call(client: Any, call: ManyCall, items: Any, **kwargs: Any) -> Any:
    return await call_then_close(client, call.resource, call.method, items, **kwargs)


def _indexes(call: ManyCall, result: Any) -> list[int]:
    if call.per_item:
        return [o.index for o in result]
    return [i for batch in result for i in batch.indexes]


async def test_a_generator_is_read_one_chunk_ahead_at_most(
    fake: FakeProfiles, mode: str, base_url: str, kind: str, many: ManyCall
) -> None:
    n = 2 * many.size + many.size // 2
    _prepare(fake, many, n)
    source = Source(many.item, n)
    seen = _Seen(many.op_id, source)

    result = await _call(_client(fake, mode, base_url, kind, seen), many, iter(source))

    assert len(seen.read_at) == 3
    for k, read in enumerate(seen.read_at):
        assert read <= (k + 2) * many.size, (k, read)
    assert seen.read_at[0] < n  # the first request left before the input was read whole
    assert _indexes(many, result) == list(range(n))
    if many.per_item:
        assert len(result) == n
        assert isinstance(result.items, CompactOutcomes)
    else:
        assert result.ok
        assert result.accepted == n


async def test_plain_successes_are_stored_as_columns(
    fake: FakeProfiles, mode: str, base_url: str, kind: str
) -> None:
    n = 2500
    seen = _Seen("batch-people-create")
    client = _client(fake, mode, base_url, kind, seen)
    call = CALLS[0]

    result = await _call(client, call, (_person(i) for i in range(n)))

    store = result.items
    assert isinstance(store, CompactOutcomes)
    assert store.not_ok() == []
    assert not store._full  # no success kept as an object
    assert len(store._codes) == n
    assert len(store._run_starts) <= 3  # ids in sequence: a run per request at most
    assert result[1234].ok
    assert result[1234].index == 1234
    assert result[1234].status == 200


async def test_a_bad_item_in_a_later_chunk_fails_alone_when_streamed(
    fake: FakeProfiles, mode: str, base_url: str, kind: str, many: ManyCall
) -> None:
    n = 2 * many.size + many.size // 2
    bad = many.size + 7
    _prepare(fake, many, n)
    seen = _Seen(many.op_id)
    items = (many.bad(i) if i == bad else many.item(i) for i in range(n))

    result = await _call(_client(fake, mode, base_url, kind, seen), many, items)

    assert _indexes(many, result) == list(range(n))
    if many.per_item:
        refused = result[bad]
        assert not refused.ok
        assert not refused.unknown
        assert refused.status == 0
        assert refused.errors[0].startswith("not sent")
        assert [o.index for o in result.failed] == [bad]
        assert len(seen.read_at) == 3
    else:
        (refused,) = result.failed
        assert (refused.offset, refused.count, refused.unknown) == (bad, 1, False)
        assert isinstance(refused.error, ValidationError)
        assert result.accepted == n - 1


@pytest.mark.parametrize("how", ["strict", "list"])
async def test_a_bad_item_in_a_later_chunk_sends_nothing_when_checked_first(
    fake: FakeProfiles, mode: str, base_url: str, kind: str, many: ManyCall, how: str
) -> None:
    n = 2 * many.size + many.size // 2
    bad = many.size + 7
    _prepare(fake, many, n)
    seen = _Seen(many.op_id)
    client = _client(fake, mode, base_url, kind, seen)
    items = [many.bad(i) if i == bad else many.item(i) for i in range(n)]

    given, options = (iter(items), {"strict": True}) if how == "strict" else (items, {})

    with pytest.raises(many.refusal) as info:
        await _call(client, many, given, **options)

    assert str(bad) in str(info.value)
    assert seen.read_at == []


@pytest.mark.parametrize("on_error", ["continue", "raise"])
async def test_a_request_lost_in_the_middle_is_unknown_and_nothing_else_is_lost(
    fake: FakeProfiles, mode: str, base_url: str, kind: str, many: ManyCall, on_error: str
) -> None:
    n = 2 * many.size + many.size // 2
    _prepare(fake, many, n)
    seen = _Seen(many.op_id)
    seen.arm = lambda: fake.inject(drop="after", op_id=many.op_id)
    client = _client(fake, mode, base_url, kind, seen)
    items = (many.item(i) for i in range(n))

    if on_error == "raise":
        with pytest.raises(PartialBatchError) as info:
            await _call(client, many, items, on_error="raise")
        error = info.value
        assert (error.offset, error.count) == (many.size, many.size)
        assert isinstance(error.error, APIConnectionError)
        result = error.result
        assert len(seen.read_at) == 2
        sent = 2 * many.size
    else:
        result = await _call(client, many, items)
        assert len(seen.read_at) == 3
        sent = n

    assert _indexes(many, result) == list(range(sent))
    if many.per_item:
        assert [o.index for o in result.unknown] == list(range(many.size, 2 * many.size))
        assert all(o.ok for o in result[: many.size])
        assert all(o.ok for o in result[2 * many.size :])
    else:
        assert [(b.offset, b.ok, b.unknown) for b in result][:2] == [
            (0, True, False),
            (many.size, False, True),
        ]


def test_a_stale_event_is_refused_by_the_client() -> None:
    # The bad event of the event rows is bad for the client's own checks, not the service's.
    with pytest.raises(ValidationError):
        ProfilesClient("k", "https://x.invalid", throttle=False).events.send_many(
            [Event(PersonRef.external_id("a"), "purchase", occurred_at=_OLD)]
        )
    assert datetime.now(timezone.utc) - _OLD > timedelta(days=365)


# -- calls with no per-item outcome: tagging people, company membership --------------------------


@dataclass(frozen=True)
class RefsCall:
    """A call that applies one thing to many people and returns nothing."""

    name: str
    resource: str
    method: str
    op_id: str
    target: Any

    def __str__(self) -> str:
        return self.name


REF_CALLS = [
    RefsCall("tags.add_to_people", "tags", "add_to_people", "add-tag-to-people-batch", "vip"),
    RefsCall(
        "tags.remove_from_people",
        "tags",
        "remove_from_people",
        "remove-tag-from-people-batch",
        "vip",
    ),
    RefsCall(
        "companies.add_people",
        "companies",
        "add_people",
        "batch-add-persons-to-company",
        CompanyRef.name("acme"),
    ),
    RefsCall(
        "companies.remove_people",
        "companies",
        "remove_people",
        "batch-remove-persons-from-company",
        CompanyRef.name("acme"),
    ),
]
REFS = 2500


@pytest.fixture(params=REF_CALLS, ids=str)
def refs_call(request: pytest.FixtureRequest, fake: FakeProfiles) -> RefsCall:
    call: RefsCall = request.param
    fake.seed(
        tags=["vip"],
        companies=[{"name": "acme"}],
        people=[{"externalId": f"s-{i}"} for i in range(REFS)],
    )
    return call


async def _apply(client: Any, call: RefsCall, refs: Any, **kwargs: Any) -> Any:
    method = getattr(getattr(client, call.resource), call.method)
    try:
        result = method(call.target, refs, **kwargs)
        return await result if isinstance(client, AsyncProfilesClient) else result
    finally:
        if isinstance(client, AsyncProfilesClient):
            await client.aclose()
        else:
            client.close()


def _ref(i: int) -> PersonRef:
    return PersonRef.external_id(f"s-{i}")


async def test_refs_from_a_generator_are_read_one_chunk_ahead_at_most(
    fake: FakeProfiles, mode: str, base_url: str, kind: str, refs_call: RefsCall
) -> None:
    source = Source(_ref, REFS)
    seen = _Seen(refs_call.op_id, source)

    assert await _apply(_client(fake, mode, base_url, kind, seen), refs_call, iter(source)) is None

    assert len(seen.read_at) == 3
    for k, read in enumerate(seen.read_at):
        assert read <= (k + 2) * 1000, (k, read)
    assert seen.read_at[0] < REFS


async def test_a_bad_ref_in_a_later_chunk_stops_there_when_streamed(
    fake: FakeProfiles, mode: str, base_url: str, kind: str, refs_call: RefsCall
) -> None:
    bad = 1007
    seen = _Seen(refs_call.op_id)
    refs = (f"s-{i}" if i == bad else _ref(i) for i in range(REFS))

    with pytest.raises(PartialBatchError) as info:
        await _apply(_client(fake, mode, base_url, kind, seen), refs_call, refs)

    error = info.value
    assert (error.offset, error.count) == (1000, 1000)
    assert isinstance(error.error, ValidationError)
    assert f"item {bad}" in str(error)
    assert "not sent" in str(error)
    assert len(seen.read_at) == 1  # the chunk with the bad ref was not sent


@pytest.mark.parametrize("how", ["strict", "list"])
async def test_a_bad_ref_in_a_later_chunk_sends_nothing_when_checked_first(
    fake: FakeProfiles, mode: str, base_url: str, kind: str, refs_call: RefsCall, how: str
) -> None:
    bad = 1007
    seen = _Seen(refs_call.op_id)
    refs = [f"s-{i}" if i == bad else _ref(i) for i in range(REFS)]
    given, options = (iter(refs), {"strict": True}) if how == "strict" else (refs, {})

    with pytest.raises(TypeError, match=f"item {bad}"):
        await _apply(_client(fake, mode, base_url, kind, seen), refs_call, given, **options)

    assert seen.read_at == []


async def test_a_ref_request_lost_in_the_middle_says_what_was_applied(
    fake: FakeProfiles, mode: str, base_url: str, kind: str, refs_call: RefsCall
) -> None:
    seen = _Seen(refs_call.op_id)
    seen.arm = lambda: fake.inject(drop="after", op_id=refs_call.op_id)

    with pytest.raises(PartialBatchError) as info:
        await _apply(
            _client(fake, mode, base_url, kind, seen),
            refs_call,
            (_ref(i) for i in range(REFS)),
        )

    error = info.value
    assert (error.offset, error.count) == (1000, 1000)
    assert isinstance(error.error, APIConnectionError)
    assert "may have been applied" in str(error)
    assert len(seen.read_at) == 2


# -- list writes: one request of at most 128 items -----------------------------------------------


@pytest.mark.parametrize("method", ["replace", "append"])
async def test_a_list_write_reads_a_generator_no_further_than_one_request(
    fake: FakeProfiles, mode: str, base_url: str, kind: str, method: str
) -> None:
    fake.seed(people=[{"externalId": "s-0"}])
    source = Source(lambda i: {"n": i}, 1_000_000)
    seen = _Seen("replace-list" if method == "replace" else "append-list-items", source)
    client = _client(fake, mode, base_url, kind, seen)

    with pytest.raises(ValidationError, match="1 to 128 items"):
        await _call_list(client, method, iter(source))

    assert source.read == 129
    assert seen.read_at == []


async def _call_list(client: Any, method: str, items: Any) -> Any:
    call = getattr(client.lists, method)
    try:
        result = call(PersonRef.external_id("s-0"), "Orders", items)
        return await result if isinstance(client, AsyncProfilesClient) else result
    finally:
        if isinstance(client, AsyncProfilesClient):
            await client.aclose()
        else:
            client.close()


@pytest.mark.parametrize("method", ["archive", "activate"])
async def test_archive_reads_a_generator_one_chunk_ahead_at_most(
    fake: FakeProfiles, mode: str, base_url: str, kind: str, method: str
) -> None:
    n = 2500
    fake.seed(people=[{"externalId": f"s-{i}"} for i in range(n)])
    source = Source(lambda i: PersonRef.external_id(f"s-{i}"), n)
    seen = _Seen("batch-people-update", source)
    many = ManyCall("people." + method, "people", method, "", 1000, _person, _person, TypeError)

    result = await _call(_client(fake, mode, base_url, kind, seen), many, iter(source))

    assert len(seen.read_at) == 3
    for k, read in enumerate(seen.read_at):
        assert read <= (k + 2) * 1000, (k, read)
    assert [o.index for o in result] == list(range(n))
    assert result.ok
