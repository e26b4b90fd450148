"""Two fakes for differential tests of the v3 upsert's one-pass create path: one as shipped, one
whose create path always declines (every item takes the general path), fed the same requests."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from infobip_profiles.testing import FakeClock, FakeProfiles
from infobip_profiles.testing._wire import FakeRequest

KEY = "k"
UPSERT = "/people/3/persons/upsert"
MOMENT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def path_fake(
    general_only: bool,
    monkeypatch: pytest.MonkeyPatch,
    custom_attributes: list[dict[str, Any]],
) -> FakeProfiles:
    """A fake keyed ``KEY`` on a frozen ``MOMENT`` (both fakes' timestamps agree), seeded with
    ``custom_attributes``, the tag ``VIP``, one person (``seeded-1``, ``seeded@x.com``,
    ``385911111111``) and the computed attribute ``Spent``; with ``general_only`` its one-pass
    create path declines every item."""
    fake = FakeProfiles(KEY, clock=FakeClock(MOMENT, frozen=True))
    fake.seed(
        custom_attributes=custom_attributes,
        tags=["VIP"],
        people=[
            {
                "externalId": "seeded-1",
                "contactInformation": {
                    "email": [{"address": "seeded@x.com"}],
                    "phone": [{"number": "385911111111"}],
                },
            }
        ],
    )
    # A computed attribute: read-only, so an item naming it is refused by both paths alike.
    fake.tenant(KEY).events.create_definition(
        {
            "definitionId": "Bought",
            "title": "Bought",
            "fields": [{"name": "price", "type": "Decimal"}],
        }
    )
    fake.define_computed_attribute("Spent", "Bought", "sum", "price", api_key=KEY)
    if general_only:
        monkeypatch.setattr(fake.tenant(KEY).persons, "_v3_create", lambda item: None)
    return fake


def upsert(fake: FakeProfiles, method: str, persons: list[Any]) -> tuple[int, Any]:
    """The fake's status and body for a v3 upsert of ``persons`` sent with ``method``."""
    response = fake.handle(
        FakeRequest(
            method,
            UPSERT,
            headers={"authorization": f"App {KEY}", "content-type": "application/json"},
            body=json.dumps({"persons": persons}).encode(),
        )
    )
    return response.status, response.body


def spy_create(fake: FakeProfiles, monkeypatch: pytest.MonkeyPatch) -> list[int | None]:
    """Record what the one-pass create path returns for each item (``None``: it declined)."""
    engine = fake.tenant(KEY).persons
    taken: list[int | None] = []
    original: Callable[[dict[str, Any]], int | None] = engine._v3_create

    def spy(item: dict[str, Any]) -> int | None:
        taken.append(original(item))
        return taken[-1]

    monkeypatch.setattr(engine, "_v3_create", spy)
    return taken


def differential_settings(max_examples: int) -> settings:
    """Hypothesis settings for a differential run: no deadline, the two fakes built per example."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


def upsert_batches(
    items: st.SearchStrategy[Any], max_items: int
) -> st.SearchStrategy[list[tuple[str, list[Any]]]]:
    """One to three upserts, each ``PATCH`` or ``PUT`` of one to ``max_items`` items."""
    return st.lists(
        st.tuples(
            st.sampled_from(["PATCH", "PUT"]), st.lists(items, min_size=1, max_size=max_items)
        ),
        min_size=1,
        max_size=3,
    )
