"""``FakeProfiles(pause_collector=...)`` and ``fake-server --pause-collector``: the process's
cyclic garbage collector is paused during a v3 upsert only when the fake was asked to, and is
always left as it was found."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from infobip_profiles.cli import main
from infobip_profiles.testing import FakeProfiles

UPSERT = "/people/3/persons/upsert"


@pytest.fixture(params=[False, True], ids=["default", "pause_collector"])
def fake(request: pytest.FixtureRequest) -> FakeProfiles:
    """The fake the ``wire`` fixture reaches: without and with the flag."""
    return FakeProfiles("test-key", pause_collector=request.param)


@pytest.fixture
def collector_during_upsert(fake: FakeProfiles, monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether the collector was on, recorded each time the persons engine runs an upsert."""
    seen: list[bool] = []
    persons = fake.tenant().persons
    upsert = persons.upsert

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return upsert(*args, **kwargs)

    monkeypatch.setattr(persons, "upsert", spy)
    return seen


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def test_the_flag_is_off_unless_asked() -> None:
    assert FakeProfiles().pause_collector is False


@pytest.mark.http
def test_upsert_pauses_the_collector_only_with_the_flag(
    wire: Any, fake: FakeProfiles, collector_during_upsert: list[bool]
) -> None:
    response = wire.patch(
        UPSERT, json={"persons": [{"externalId": "gc-1"}, {"externalId": "gc-2"}]}
    )

    assert response.status_code == 207
    assert [r["status"] for r in response.json()["results"]] == ["CREATED", "CREATED"]
    assert collector_during_upsert == [not fake.pause_collector]
    assert gc.isenabled()


@pytest.mark.http
def test_a_failing_upsert_leaves_the_collector_on(
    wire: Any, fake: FakeProfiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("engine failure")

    monkeypatch.setattr(fake.tenant().persons, "upsert", broken)

    response = wire.put(UPSERT, json={"persons": [{"externalId": "gc-3"}]})

    assert response.status_code == 500
    assert gc.isenabled()


@pytest.mark.http
@pytest.mark.nonconforming
def test_a_rejected_upsert_leaves_the_collector_on(wire: Any) -> None:
    response = wire.patch(UPSERT, json={"persons": []})

    assert response.status_code == 400
    assert gc.isenabled()


@pytest.mark.http
def test_a_collector_the_test_turned_off_stays_off(
    wire: Any, collector_off: None, collector_during_upsert: list[bool]
) -> None:
    response = wire.put(UPSERT, json={"persons": [{"externalId": "gc-4"}]})

    assert response.status_code == 207
    assert collector_during_upsert == [False]
    assert not gc.isenabled()


class _Stop(Exception):
    """Raised by the stand-in fake, so the server never starts."""


@pytest.mark.parametrize(("flags", "expected"), [([], False), (["--pause-collector"], True)])
def test_fake_server_passes_the_flag_to_the_fake(
    monkeypatch: pytest.MonkeyPatch, flags: list[str], expected: bool
) -> None:
    given: dict[str, Any] = {}

    def stand_in(*args: Any, **kwargs: Any) -> Any:
        given.update(kwargs)
        raise _Stop

    monkeypatch.setattr("infobip_profiles.testing.FakeProfiles", stand_in)

    with pytest.raises(_Stop):
        main(["fake-server", "--port", "0", *flags])

    assert given["pause_collector"] is expected
