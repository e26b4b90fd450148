"""The v3 upsert pauses the cyclic garbage collector for the bulk write only: the
collector's state is always what it was before the call, whatever the call's outcome."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

UPSERT = "/people/3/persons/upsert"


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_upsert_leaves_the_collector_on(wire: Any) -> None:
    response = wire.patch(UPSERT, json={"persons": [{"externalId": "gc-1"}]})

    assert response.status_code == 207
    assert gc.isenabled()


@pytest.mark.nonconforming
def test_rejected_upsert_leaves_the_collector_on(wire: Any) -> None:
    response = wire.patch(UPSERT, json={"persons": []})

    assert response.status_code == 400
    assert gc.isenabled()


def test_upsert_leaves_a_disabled_collector_off(wire: Any, collector_off: None) -> None:
    response = wire.put(UPSERT, json={"persons": [{"externalId": "gc-2"}]})

    assert response.status_code == 207
    assert not gc.isenabled()
