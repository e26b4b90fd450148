"""Update and delete of many persons or companies, fed a generator, keep their outcomes compact and
read exactly as the outcome objects they stand for.

Each call runs through the client against the fake (sync and async, in-process and over loopback
HTTP). The store the call fills is wrapped so that it also keeps every outcome object it was
given: what the result held in full before successes were stored compactly. The result must read
as those objects, item by item (class, every field, the refs' own fields), with the same repr and
pickle; and only failures may be kept as objects. Refs are by id in sequence, by email in mixed
case, by external id or name, and some match nothing (a failed outcome naming them); a request
lost in the middle marks its items ``unknown`` or stops the call with every outcome so far.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from infobip_profiles import (
    APIConnectionError,
    AsyncProfilesClient,
    Company,
    CompanyRef,
    CompanyUpdate,
    Person,
    PersonRef,
    PersonUpdate,
    ProfilesClient,
)
from infobip_profiles.errors import PartialBatchError
from infobip_profiles.resources import companies as companies_module
from infobip_profiles.resources import people as people_module
from infobip_profiles.resources._batch import QueryOutcomes, query_store
from infobip_profiles.testing import FakeProfiles
from tests._support.client import call_then_close
from tests._support.outcomes import deep

pytestmark = pytest.mark.slow

N = 2100  # three requests: 1000, 1000, 100
SIZE = 1000
MISSING = {5, 1500, 2099}  # refs that match nothing


class Teed(QueryOutcomes[Any]):
    """The compact store, also keeping every outcome object it is given (the reference)."""

    __slots__ = ("seen",)

    def __init__(self, cls: type) -> None:
        plain = query_store(cls)
        super().__init__(plain._build, plain._plain)
        self.seen: list[Any] = []

    def extend(self, outcomes: Iterable[Any]) -> None:
        given = list(outcomes)
        self.seen.extend(given)
        super().extend(given)


@pytest.fixture
def teed(monkeypatch: pytest.MonkeyPatch) -> list[Teed]:
    """Every store the calls make, teed."""
    made: list[Teed] = []

    def store(cls: type) -> Teed:
        made.append(Teed(cls))
        return made[-1]

    monkeypatch.setattr(people_module, "query_store", store)
    monkeypatch.setattr(companies_module, "query_store", store)
    return made


@dataclass(frozen=True)
class QueryCall:
    name: str
    resource: str
    method: str
    op_id: str
    #: The ref of item ``i``, given the ids the fake assigned to the seeded items.
    ref: Callable[[int, list[int]], Any]
    item: Callable[[Any, int], Any]

    def __str__(self) -> str:
        return self.name


def _person_ref(i: int, ids: list[int]) -> PersonRef:
    if i in MISSING:
        return PersonRef.id(10**9 + i) if i % 2 else PersonRef.email(f"nobody{i}@example.com")
    if i % 5 == 3:
        return PersonRef.email(f"S{i}@Example.com")  # the service matches emails ignoring case
    if i % 5 == 4:
        return PersonRef.external_id(f"s-{i}")
    return PersonRef.id(ids[i])


def _company_ref(i: int, ids: list[int]) -> CompanyRef:
    if i in MISSING:
        return CompanyRef.id(10**9 + i) if i % 2 else CompanyRef.domain(f"nowhere{i}.example")
    if i % 5 == 3:
        return CompanyRef.name(f"C-{i}")  # names match ignoring case
    return CompanyRef.id(ids[i])


CALLS = [
    QueryCall(
        "people.update_many",
        "people",
        "update_many",
        "batch-people-update",
        _person_ref,
        lambda ref, i: PersonUpdate(ref, Person(first_name=f"F{i}")),
    ),
    QueryCall(
        "people.delete_many",
        "people",
        "delete_many",
        "batch-people-delete",
        _person_ref,
        lambda ref, i: ref,
    ),
    QueryCall(
        "companies.update_many",
        "companies",
        "update_many",
        "update-companies",
        _company_ref,
        lambda ref, i: CompanyUpdate(ref, Company(industry=f"I{i}")),
    ),
    QueryCall(
        "companies.delete_many",
        "companies",
        "delete_many",
        "delete-companies",
        _company_ref,
        lambda ref, i: ref,
    ),
]


@pytest.fixture(params=CALLS, ids=str)
def call(request: pytest.FixtureRequest) -> QueryCall:
    found: QueryCall = request.param
    return found


def _seed(fake: FakeProfiles, call: QueryCall) -> list[int]:
    if call.resource == "people":
        people = [
            {
                "externalId": f"s-{i}",
                "contactInformation": {"email": [{"address": f"s{i}@example.com"}]},
            }
            for i in range(N)
        ]
        return [p["id"] for p in fake.seed(people=people).people]
    return [c["id"] for c in fake.seed(companies=[{"name": f"c-{i}"} for i in range(N)]).companies]


def _client(fake: FakeProfiles, mode: str, base_url: str, kind: str) -> Any:
    options: dict[str, Any] = {"max_retries": 0, "throttle": False}
    if mode == "inprocess":
        return fake.client(**options) if kind == "sync" else fake.async_client(**options)
    cls = ProfilesClient if kind == "sync" else AsyncProfilesClient
    return cls(api_key=fake.api_key, base_url=base_url, **options)


async def _run(client: Any, call: QueryCall, items: Iterator[Any], **kwargs: Any) -> Any:
    return await call_then_close(client, call.resource, call.method, items, **kwargs)


def _reads_as_the_objects(result: Any, store: Teed) -> None:
    """The result reads as the outcome objects its store was given, and keeps only failures."""
    assert result.items is store
    reference = tuple(store.seen)
    assert [deep(o) for o in result] == [deep(o) for o in reference]
    assert result.items == reference
    assert repr(result.items) == repr(reference)
    assert type(result)(reference) == result
    again = pickle.loads(pickle.dumps(result))
    assert [deep(o) for o in again] == [deep(o) for o in reference]
    assert [deep(o) for o in result.failed] == [deep(o) for o in reference if not o.ok]
    assert all(not o.ok for o in store._full.values())  # no success kept as an object


def _refs(call: QueryCall, ids: list[int], count: int = N) -> list[Any]:
    return [call.ref(i, ids) for i in range(count)]


def _items(call: QueryCall, ids: list[int], arm: Callable[[], None] | None = None) -> Iterator[Any]:
    for i in range(N):
        if i == SIZE and arm is not None:
            arm()  # the first request has been answered; the second is next
        yield call.item(call.ref(i, ids), i)


async def test_outcomes_read_as_the_objects_and_name_every_ref(
    fake: FakeProfiles, mode: str, base_url: str, kind: str, call: QueryCall, teed: list[Teed]
) -> None:
    ids = _seed(fake, call)

    result = await _run(_client(fake, mode, base_url, kind), call, _items(call, ids))

    (store,) = teed
    _reads_as_the_objects(result, store)
    refs = _refs(call, ids)
    assert [o.index for o in result] == list(range(N))
    assert [o.query for o in result] == refs
    assert {o.index for o in result.failed} == MISSING
    assert all(o.status == 409 and o.errors for o in result.failed)
    assert len(store._full) == len(MISSING)
    assert result[0] == type(result[0])(index=0, ok=True, status=200, query=refs[0])
    if call.resource == "people":
        assert result.succeeded[1].query == PersonRef.id(ids[1])
    # Of every five refs, three by id in sequence share one run, the email and the external id
    # (or name) take one each: three runs per five items, a few more around the failures.
    assert len(store._run_starts) <= 3 * N // 5 + 3 * len(MISSING)


@pytest.mark.parametrize("on_error", ["continue", "raise"])
async def test_a_request_lost_in_the_middle_keeps_every_outcome(
    fake: FakeProfiles,
    mode: str,
    base_url: str,
    kind: str,
    call: QueryCall,
    teed: list[Teed],
    on_error: str,
) -> None:
    ids = _seed(fake, call)
    items = _items(call, ids, arm=lambda: fake.inject(drop="after", op_id=call.op_id))
    client = _client(fake, mode, base_url, kind)

    if on_error == "raise":
        with pytest.raises(PartialBatchError) as info:
            await _run(client, call, items, on_error="raise")
        assert (info.value.offset, info.value.count) == (SIZE, SIZE)
        result = info.value.result
        sent = 2 * SIZE
    else:
        result = await _run(client, call, items)
        sent = N

    (store,) = teed
    _reads_as_the_objects(result, store)
    refs = _refs(call, ids, sent)
    assert [o.query for o in result] == refs
    lost = range(SIZE, 2 * SIZE)
    assert [o.index for o in result.unknown] == list(lost)
    for outcome in result[SIZE : 2 * SIZE]:
        assert isinstance(outcome.error, APIConnectionError)
        assert outcome.status == 0
        assert outcome.query == refs[outcome.index]
    failed = {o.index for o in result.failed}
    assert failed == set(lost) | {i for i in MISSING if i < sent and i not in lost}


def _echoing(request: httpx.Request) -> httpx.Response:
    """A service that lists every item of an update: successes with ``isModified`` (alternating),
    the query echoed in upper case, and every seventh item failed."""
    entries = json.loads(request.content)["people"]
    results = []
    for i, entry in enumerate(entries):
        query = {**entry["query"], "identifier": entry["query"]["identifier"].upper()}
        if i % 7 == 6:
            results.append({"query": query, "status": 409, "errors": [{"message": "no"}]})
        else:
            results.append({"query": query, "status": 200, "isModified": i % 2 == 0})
    return httpx.Response(207, json={"results": results})


async def test_listed_successes_keep_is_modified(kind: str, teed: list[Teed]) -> None:
    refs = [PersonRef.email(f"p{i}@example.com") for i in range(N)]
    items = ((ref, Person(first_name="A")) for ref in refs)
    options: dict[str, Any] = {"max_retries": 0, "throttle": False}
    if kind == "sync":
        http = httpx.Client(transport=httpx.MockTransport(_echoing))
        with ProfilesClient("k" * 32, "https://x.invalid", http_client=http, **options) as c:
            result = c.people.update_many(items)
    else:
        ahttp = httpx.AsyncClient(transport=httpx.MockTransport(_echoing))
        async with AsyncProfilesClient(
            "k" * 32, "https://x.invalid", http_client=ahttp, **options
        ) as ac:
            result = await ac.people.update_many(items)

    (store,) = teed
    _reads_as_the_objects(result, store)
    assert [o.query for o in result] == refs
    within = [i % SIZE for i in range(N)]
    assert [o.ok for o in result] == [w % 7 != 6 for w in within]
    assert [o.is_modified for o in result if o.ok] == [w % 2 == 0 for w in within if w % 7 != 6]
    assert len(store._full) == sum(1 for w in within if w % 7 == 6)
