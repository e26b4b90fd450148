"""``upsert_many`` and ``merge`` keep plain successes as columns and read as a tuple of outcomes.

The store must be indistinguishable from the tuple it replaces (same items, equal item by item,
slicing, negative indexes, pickling), keep anything unusual in full, and cost a few bytes per
success: a million persons' outcomes must not need hundreds of megabytes.
"""

from __future__ import annotations

import pickle
import tracemalloc
from typing import Any

import pytest

from infobip_profiles import (
    ContactInformation,
    MergeItemResult,
    Person,
    UpsertItemResult,
    UpsertResult,
    UpsertStatus,
)
from infobip_profiles.resources._batch import CompactOutcomes
from infobip_profiles.resources._outcomes import outcome_store
from infobip_profiles.testing import FakeProfiles


def _items() -> list[UpsertItemResult]:
    return [
        UpsertItemResult(index=0, ok=True, id=11, status=UpsertStatus.CREATED),
        UpsertItemResult(index=1, ok=False, code="409100", errors=("two people",)),
        UpsertItemResult(index=2, ok=True, id=13, status=UpsertStatus.NOT_MODIFIED),
        UpsertItemResult(index=3, ok=True, id=None, status="SOMETHING_NEW"),
        UpsertItemResult(index=4, ok=True, id=2**70, status=UpsertStatus.UPDATED),
        UpsertItemResult(index=5, ok=False, unknown=True, errors=("may have been applied: x",)),
        UpsertItemResult(index=6, ok=True, id=17, status=UpsertStatus.CREATED),
    ]


def _store(items: list[UpsertItemResult]) -> CompactOutcomes[UpsertItemResult]:
    store = outcome_store(UpsertItemResult)
    store.extend(items[:3])
    store.extend(items[3:])
    return store


def test_the_store_reads_exactly_as_the_tuple_of_outcomes() -> None:
    items = _items()
    store = _store(items)

    assert len(store) == len(items)
    assert list(store) == items
    assert store == tuple(items)
    assert tuple(items) == tuple(store)
    assert store[-1] == items[-1]
    assert store[1:4] == tuple(items[1:4])
    assert store[1] is items[1]  # failures are kept as they came
    assert hash(store) == hash(tuple(items))
    assert repr(store) == repr(tuple(items))
    with pytest.raises(IndexError):
        store[len(items)]


def test_results_over_the_store_count_without_building_every_outcome() -> None:
    items = _items()
    result = UpsertResult(_store(items))
    plain = UpsertResult(tuple(items))

    assert result == plain
    assert (result.created, result.updated, result.not_modified) == (2, 1, 1)
    assert result.count("SOMETHING_NEW") == 1
    assert result.count() == plain.count() == 2
    assert result.failed == plain.failed == [items[1], items[5]]
    assert result.unknown == [items[5]]
    assert not result.ok
    assert pickle.loads(pickle.dumps(result)) == plain


def test_merge_outcomes_are_stored_without_a_status() -> None:
    store = outcome_store(MergeItemResult)
    items = [MergeItemResult(index=i, ok=True, id=100 + i) for i in range(3)]
    store.extend(items)

    assert list(store) == items


def test_a_success_costs_a_few_bytes() -> None:
    count = 50_000
    store = outcome_store(UpsertItemResult)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for start in range(0, count, 1000):
            store.extend(
                UpsertItemResult(index=i, ok=True, id=1_000_000 + i, status=UpsertStatus.CREATED)
                for i in range(start, start + 1000)
            )
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()

    assert len(store) == count
    assert kept / count < 16  # 9 bytes (an int64 and a status byte) and the arrays' slack


def test_upsert_many_from_a_generator_returns_a_compact_result(fake: FakeProfiles) -> None:
    client = fake.client(throttle=False)

    def persons() -> Any:
        for i in range(2500):
            yield Person(
                external_id=f"crm-{i}",
                contact_information=ContactInformation.of(emails=[f"p{i}@example.com"]),
            )

    result = client.people.upsert_many(persons())

    assert isinstance(result.items, CompactOutcomes)
    assert result.created == 2500
    assert [i.index for i in result] == list(range(2500))
    assert {i.id for i in result} == {p["id"] for p in fake.people()}
