"""The fault matrix: every kind of operation against every fault the fake can inject.

For a read (``people.get``), an idempotent write (``people.replace``), a create
(``people.create``), a batch (``people.create_many``) and an upsert (``people.upsert_many``), each
fault is injected once and the test asserts what the user gets (the result after a replay, or the
right exception when the retry rule forbids one), how many times the request reached the server
(``fake.calls``), and that the stored persons are exactly the expected ones: nothing lost,
nothing duplicated. Waits are recorded instead of slept, so the matrix runs in well under a second.

Set ``INFOBIP_RELIABILITY_FIGURES=path.json`` to collect the figures ``docs/reliability.md`` shows
(``python benchmarks/reliability_figures.py`` does that and rewrites the page's table).
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import pytest

from infobip_profiles import (
    APIConnectionError,
    APITimeoutError,
    ContactInformation,
    Person,
    PersonRef,
    ProfilesClient,
    ServerError,
)
from infobip_profiles.testing import FakeProfiles
from tests._support.client import Sleeps

KEY = "rel-fault-key"
ADA = {
    "externalId": "ada",
    "firstName": "Ada",
    "contactInformation": {"email": [{"address": "ada@example.com"}]},
}
FIGURES_ENV = "INFOBIP_RELIABILITY_FIGURES"


def newcomer(n: int) -> Person:
    return Person(
        external_id=f"new-{n}",
        first_name=f"New{n}",
        contact_information=ContactInformation.of(emails=[f"new{n}@example.com"]),
    )


@attrs.frozen
class Operation:
    """One kind of operation: how to call it and what the state must hold once it has run."""

    name: str
    op_id: str
    replay_safe: bool
    call: Callable[[Any], Any]
    after: tuple[str, ...]  # external ids stored once the operation took effect
    check: Callable[[Any], None] = lambda result: None


def _check_read(result: Any) -> None:
    assert result.first_name == "Ada"


def _check_replace(result: Any) -> None:
    assert result.last_name == "Lovelace"


def _check_created(result: Any) -> None:
    assert result.external_id == "new-1"
    assert result.id is not None


def _check_batch(result: Any) -> None:
    assert [item.ok for item in result.items] == [True, True]


ADA_REF = PersonRef.external_id("ada")
REPLACEMENT = Person(
    external_id="ada",
    first_name="Ada",
    last_name="Lovelace",
    contact_information=ContactInformation.of(emails=["ada@example.com"]),
)

OPERATIONS = {
    "read": Operation(
        "read (people.get)",
        "get-a-single-person-or-a-list-of-people",
        True,
        lambda people: people.get(ADA_REF),
        ("ada",),
        _check_read,
    ),
    "idempotent_write": Operation(
        "idempotent write (people.replace)",
        "update-a-person",
        True,
        lambda people: people.replace(ADA_REF, REPLACEMENT),
        ("ada",),
        _check_replace,
    ),
    "create": Operation(
        "create (people.create)",
        "create-a-new-person",
        False,
        lambda people: people.create(newcomer(1)),
        ("ada", "new-1"),
        _check_created,
    ),
    "batch": Operation(
        "batch (people.create_many)",
        "batch-people-create",
        False,
        lambda people: people.create_many([newcomer(1), newcomer(2)]),
        ("ada", "new-1", "new-2"),
        _check_batch,
    ),
    "upsert": Operation(
        "upsert (people.upsert_many)",
        "upsert-persons-partial",
        True,
        lambda people: people.upsert_many([newcomer(1), newcomer(2)]),
        ("ada", "new-1", "new-2"),
        _check_batch,
    ),
}


@attrs.frozen
class Fault:
    """One injectable fault and what the retry rule makes of it."""

    name: str
    inject: dict[str, Any]
    always_retried: bool  # retried even for operations that are not replay-safe
    processed: bool  # the server acted on the faulted request
    error: type[Exception] | None  # what a non-replay-safe operation raises
    timeout: float | None = None  # per-call timeout (the latency fault outlasts it)


FAULTS = {
    "429": Fault("429 + Retry-After", {"status": 429, "retry_after": 2}, True, False, None),
    "500": Fault("500", {"status": 500}, False, False, ServerError),
    "503": Fault("503", {"status": 503}, False, False, ServerError),
    "timeout": Fault(
        "latency beyond the timeout", {"latency": 5.0}, False, True, APITimeoutError, 0.01
    ),
    # Not replayed (and so an error) only over a real socket, where "before" cannot be told apart.
    "drop_before": Fault(
        "drop before processing", {"drop": "before"}, True, False, APIConnectionError
    ),
    "drop_after": Fault(
        "drop after processing", {"drop": "after"}, False, True, APIConnectionError
    ),
}


# -- figures for docs/reliability.md ------------------------------------------------------------

_FIGURES: list[dict[str, Any]] = []


@pytest.fixture(scope="module", autouse=True)
def write_figures() -> Iterator[None]:
    """Write what the matrix measured where ``$INFOBIP_RELIABILITY_FIGURES`` says, if set."""
    yield
    target = os.environ.get(FIGURES_ENV)
    if target and _FIGURES:
        with open(target, "w") as out:
            json.dump(_FIGURES, out, indent=2)


def external_ids(fake: FakeProfiles) -> list[str]:
    return [p.get("externalId", "") for p in fake.people()]


def record(
    mode: str, kind: str, op: Operation, fault: Fault, fake: FakeProfiles, outcome: str
) -> None:
    stored = Counter(external_ids(fake))
    expected = op.after if fault.processed or outcome == "replayed" else ("ada",)
    _FIGURES.append(
        {
            "mode": mode,
            "client": kind,
            "operation": op.name,
            "fault": fault.name,
            "outcome": outcome,
            "faults_injected": sum(1 for c in fake.calls if c.fault),
            "requests": fake.calls.count(op_id=op.op_id),
            "lost": sum(1 for e in expected if stored[e] == 0),
            "duplicates": sum(n - 1 for n in stored.values() if n > 1),
        }
    )


# -- the matrix ---------------------------------------------------------------------------------


@pytest.fixture
def fake() -> FakeProfiles:
    fake = FakeProfiles(KEY)
    fake.seed(people=[ADA])
    return fake


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture(params=["inprocess", pytest.param("http", marks=pytest.mark.http)])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def client(fake: FakeProfiles, mode: str, sleeps: Sleeps) -> Iterator[ProfilesClient]:
    if mode == "http":
        with fake.serve() as base_url, ProfilesClient(KEY, base_url, throttle=False) as c:
            c._sleep = sleeps.sync
            yield c
    else:
        with fake.client(throttle=False) as c:
            c._sleep = sleeps.sync
            yield c


def expectation(op: Operation, fault: Fault, mode: str) -> tuple[bool, bool]:
    """(replayed, processed) for ``op`` under ``fault`` reached in ``mode``.

    Over a real socket a connection closed before the answer looks the same whether or not the
    server acted (``RemoteProtocolError`` either way), so a drop "before" counts as "may have
    been processed": operations that are not replay-safe are not replayed, and fail.
    """
    always = fault.always_retried and not (mode == "http" and fault.inject.get("drop"))
    replayed = always or op.replay_safe
    return replayed, fault.processed


def _matrix() -> list[Any]:
    cases = []
    for op_key in OPERATIONS:
        for fault_key in FAULTS:
            marks = [pytest.mark.slow] if fault_key == "timeout" else []
            cases.append(pytest.param(op_key, fault_key, id=f"{op_key}-{fault_key}", marks=marks))
    return cases


def _expected_requests(replayed: bool) -> int:
    return 2 if replayed else 1


def _wait_for_calls(fake: FakeProfiles, op_id: str, n: int) -> None:
    # Over HTTP a request that outlasted the client's timeout is still being processed by a
    # server thread: wait until the server has answered (or dropped) it.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if sum(1 for c in fake.calls.filter(op_id=op_id)) >= n:
            return
        time.sleep(0.02)


@pytest.mark.parametrize(("op_key", "fault_key"), _matrix())
def test_fault_matrix(
    op_key: str,
    fault_key: str,
    mode: str,
    fake: FakeProfiles,
    client: ProfilesClient,
    sleeps: Sleeps,
) -> None:
    op, fault = OPERATIONS[op_key], FAULTS[fault_key]
    replayed, processed = expectation(op, fault, mode)
    inject = dict(fault.inject)
    if fault_key == "timeout" and mode == "http":
        inject["latency"] = 1.0  # the server really sleeps it; the client gives up after 0.3s
    fake.inject(op_id=op.op_id, **inject)
    timeout = fault.timeout and (0.3 if mode == "http" else fault.timeout)
    people = client.with_options(timeout=timeout or 10.0).people

    if replayed:
        result = op.call(people)
        op.check(result)
        outcome = "replayed"
    else:
        assert fault.error is not None
        with pytest.raises(fault.error):
            op.call(people)
        outcome = f"raised {fault.error.__name__}"

    _wait_for_calls(fake, op.op_id, _expected_requests(replayed))
    record(mode, "sync", op, fault, fake, outcome)
    assert fake.calls.count(op_id=op.op_id) == _expected_requests(replayed)
    stored = Counter(external_ids(fake))
    expected = op.after if (replayed or processed) else ("ada",)
    assert stored == Counter(expected), "a record was lost or duplicated"
    if fault_key == "429":
        assert sleeps == [2.0], "the client waits what Retry-After says"


def test_a_replaced_person_is_exactly_the_replacement_after_a_dropped_answer(
    fake: FakeProfiles, client: ProfilesClient
) -> None:
    fake.inject(op_id="update-a-person", drop="after")

    client.people.replace(ADA_REF, REPLACEMENT)

    (ada,) = fake.people()
    assert (ada["firstName"], ada["lastName"]) == ("Ada", "Lovelace")


def test_an_upsert_replayed_after_a_dropped_answer_reports_every_person(
    fake: FakeProfiles, client: ProfilesClient
) -> None:
    fake.inject(op_id="upsert-persons-partial", drop="after")

    result = client.people.upsert_many([newcomer(1), newcomer(2)])

    assert [item.index for item in result.items] == [0, 1]
    assert sorted(external_ids(fake)) == ["ada", "new-1", "new-2"]


def test_the_retry_gives_up_after_max_retries_with_the_last_error(
    fake: FakeProfiles, client: ProfilesClient, sleeps: Sleeps
) -> None:
    fake.inject(503, op_id="update-a-person", times=None)

    with pytest.raises(ServerError) as raised:
        client.with_options(max_retries=2).people.replace(ADA_REF, REPLACEMENT)

    assert raised.value.status_code == 503
    assert fake.calls.count(op_id="update-a-person") == 3
    assert len(sleeps) == 2
    assert fake.people()[0].get("lastName") is None


def test_persistent_429s_end_in_a_rate_limit_error_with_retry_after(
    fake: FakeProfiles, client: ProfilesClient
) -> None:
    from infobip_profiles import RateLimitError

    fake.inject(429, op_id="create-a-new-person", retry_after=3, times=None)

    with pytest.raises(RateLimitError) as raised:
        client.with_options(max_retries=1).people.create(newcomer(1))

    assert raised.value.retry_after == 3
    assert fake.calls.count(op_id="create-a-new-person") == 2
    assert external_ids(fake) == ["ada"]


# -- the async client: the same rule --------------------------------------------------------------


@pytest.mark.parametrize("op_key", list(OPERATIONS))
@pytest.mark.parametrize("fault_key", list(FAULTS))
async def test_async_fault_matrix(
    op_key: str, fault_key: str, fake: FakeProfiles, sleeps: Sleeps
) -> None:
    op, fault = OPERATIONS[op_key], FAULTS[fault_key]
    replayed, processed = expectation(op, fault, "inprocess")
    fake.inject(op_id=op.op_id, **fault.inject)

    async with fake.async_client(throttle=False, timeout=fault.timeout or 10.0) as aclient:
        aclient._sleep = sleeps.asynchronous
        people: Any = aclient.people
        if replayed:
            op.check(await op.call(people))
            outcome = "replayed"
        else:
            assert fault.error is not None
            with pytest.raises(fault.error):
                await op.call(people)
            outcome = f"raised {fault.error.__name__}"

    record("inprocess", "async", op, fault, fake, outcome)
    assert fake.calls.count(op_id=op.op_id) == _expected_requests(replayed)
    expected = op.after if (replayed or processed) else ("ada",)
    assert Counter(external_ids(fake)) == Counter(expected)
    if fault_key == "429":
        assert sleeps == [2.0]
