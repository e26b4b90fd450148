"""The compact outcome store keeps ids as runs of consecutive values and reads back every one."""

from __future__ import annotations

import random

import pytest

from infobip_profiles.models import BatchItemResult
from infobip_profiles.resources._batch import batch_store


def _outcomes(ids: list[int | None], failed: set[int], offset: int = 0) -> list[BatchItemResult]:
    return [
        BatchItemResult(index=i, ok=False, status=409, errors=("taken",))
        if i in failed
        else BatchItemResult(index=i, ok=True, status=200, id=ident)
        for i, ident in enumerate(ids, offset)
    ]


@pytest.mark.parametrize(
    "ids",
    [
        list(range(100, 3100)),  # assigned in sequence: one run
        [None] * 50 + list(range(7, 57)) + [None] * 3,
        [5, 5, 6, 4, 3, 2**62, 2**62 + 1, -(2**63) + 1, None, 0, 1],
        random.Random(4).sample(range(10**12), 500),
    ],
    ids=["sequence", "none-runs", "odd", "shuffled"],
)
def test_every_id_reads_back_as_given(ids: list[int | None]) -> None:
    failed = {i for i in range(len(ids)) if i % 37 == 5}
    given = _outcomes(ids, failed)
    store = batch_store(BatchItemResult)
    store.extend(given[:13])
    store.extend(given[13:])

    assert list(store) == given
    assert store[-1] == given[-1]
    assert store.not_ok() == [given[i] for i in sorted(failed)]


def test_ids_in_sequence_cost_no_run_per_item() -> None:
    store = batch_store(BatchItemResult)
    for chunk in range(3):
        base = 1000 * chunk
        store.extend(_outcomes(list(range(base + 1, base + 1001)), set(), base))
    assert len(store) == 3000
    assert not store._full
    assert len(store._run_starts) == 1
    assert store[2999].id == 3000
