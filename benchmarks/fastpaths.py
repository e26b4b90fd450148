"""Each fast path against the plain path it stands in for, measured in the same run.

Times are CPU seconds of this process (every side runs on one thread), median of alternating
rounds; each figure's details carry every round's ratio and the gain (1 - the median ratio).

A fast path earns its place only by what it gains here: every figure is the fast path's time
divided by the plain path's on the same input (below 1 is a gain). The
plain path is the one the code keeps as its reference, reached the way its differential test
reaches it:

- ``fastpath_decode_vs_plain``: a 1000-person list's objects into ``Person`` models, the client's
  converter (compiled decoders) against ``plain_from_wire`` (cattrs alone).
- ``fastpath_typed_listing_vs_general``: a 1000-person page's bytes into the page's ``StoredPerson``
  models, the typed listing path (msgspec into typed mirrors, then a copy) against the general
  path it falls back to (``loads``, then the compiled decoder per person).
- ``fastpath_loads_vs_json``: a 1000-person page's bytes parsed by ``loads`` (msgspec, json as
  fallback) against ``json.loads(..., parse_float=Decimal)``.
- ``fastpath_v3_encode_vs_plain``: 1000 persons' v3 upsert bodies, ``v3_json`` against the
  reference encoder (``dumps(v3_body_reference(person))``), collector on as in a bulk call.
- ``fastpath_fake_create_vs_general``: the fake's v3 upsert of 1000 new persons, with its one-pass
  create against the general path alone (parse, match, combine, store).
- ``fastpath_fake_collector_pause``: filling a fake with persons by 1000-person upsert requests
  (``fake.handle``), with the fake's opt-in ``pause_collector`` against without it.
- ``fastpath_fake_filter_index_vs_scan``: a selective filtered list (an equality on ``city``
  matching 1% of the persons, with the total count) using the filter indexes against a scan.
- ``fastpath_fake_timestamp_vs_strict``: 1000 stored v2 timestamps read as the fake's filter
  reads them, the v2 shortcut against the strict parser.
- ``fastpath_compact_outcomes_memory``: memory kept per outcome by the upsert successes of a bulk
  call (appended 1000 at a time) in the compact store against a tuple of the outcome objects
  (bytes, not seconds).
"""

from __future__ import annotations

import copy
import gc
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from infobip_profiles import Person, StoredPerson, UpsertItemResult, UpsertStatus
from infobip_profiles._converter import dumps, from_wire, loads, plain_from_wire
from infobip_profiles._typed import page_decoder
from infobip_profiles.resources._outcomes import outcome_store
from infobip_profiles.resources._person_bodies import v3_body_reference, v3_json
from infobip_profiles.testing import FakeProfiles, FakeRequest
from infobip_profiles.testing.engine.query import _parse_datetime_text, _strict_datetime

from ._data import list_page, new_person
from ._harness import Figure, Scale, figure

__all__ = ["run"]

BATCH = 1000
KEY = "bench-key"


def _alternate(
    fast: Callable[[], object],
    plain: Callable[[], object],
    *,
    rounds: int,
    number: int = 1,
    setup: Callable[[], None] | None = None,
    collector: bool = False,
) -> tuple[float, float, list[float]]:
    """Median CPU seconds per call of ``fast`` and ``plain`` in alternating rounds, and each
    round's ratio. The process's CPU time, not the wall clock: on a loaded machine it moves far
    less, and every side here runs on this one thread. ``setup`` runs untimed before every timed
    side; ``collector`` keeps the garbage collector on while timing (after a ``gc.collect()``), as
    the real workload has it."""
    fast_times: list[float] = []
    plain_times: list[float] = []
    for i in range(rounds + 1):  # round 0 warms both sides up and is not kept
        sides = [(fast, fast_times), (plain, plain_times)]
        if i % 2:
            sides.reverse()
        for fn, sink in sides:
            if setup is not None:
                setup()
            gc.collect()
            enabled = gc.isenabled()
            if not collector:
                gc.disable()
            try:
                started = time.process_time()
                for _ in range(number):
                    fn()
                elapsed = (time.process_time() - started) / number
            finally:
                if enabled:
                    gc.enable()
            if i:
                sink.append(elapsed)
    ratios = [round(f / p, 3) for f, p in zip(fast_times, plain_times, strict=True)]
    return statistics.median(fast_times), statistics.median(plain_times), ratios


def _details(ratios: list[float], **more: Any) -> dict[str, Any]:
    return {"round_ratios": ratios, "gain": round(1 - statistics.median(ratios), 3), **more}


def _versus(
    id: str,
    what: str,
    baseline: str,
    unit: str,
    fast: Callable[[], object],
    plain: Callable[[], object],
    *,
    rounds: int,
    number: int = 1,
    setup: Callable[[], None] | None = None,
    collector: bool = False,
    per: int = 1,
    disagree: str | None = None,
    **more: Any,
) -> Figure:
    """``fast`` against ``plain`` timed by :func:`_alternate`, as a figure that aims for a 15%
    gain; each side's time divided by ``per``, ``more`` added to the details. With ``disagree``,
    the two sides' results are compared first and a difference raises that message."""
    if disagree is not None and fast() != plain():
        raise RuntimeError(disagree)
    fast_s, plain_s, ratios = _alternate(
        fast, plain, rounds=rounds, number=number, setup=setup, collector=collector
    )
    return figure(
        id,
        what,
        baseline,
        unit,
        fast_s / per,
        plain_s / per,
        target="<= 0.85",
        details=_details(ratios, **more),
    )


def _decode(scale: Scale) -> Figure:
    n = scale.decode_persons
    objects = loads(json.dumps(list_page(n)).encode())["persons"]
    fast = [from_wire(o, Person) for o in objects]
    plain = [plain_from_wire(o, Person) for o in objects]
    if [repr(p) for p in fast] != [repr(p) for p in plain]:
        raise RuntimeError("the compiled decoders and cattrs decoded the page differently")
    return _versus(
        "fastpath_decode_vs_plain",
        f"{n} persons' objects into models, compiled decoders",
        "the same through cattrs alone (plain_from_wire)",
        "seconds per page",
        lambda: [from_wire(o, Person) for o in objects],
        lambda: [plain_from_wire(o, Person) for o in objects],
        rounds=scale.rounds,
        number=max(1, 10_000 // n),
    )


def _typed_listing(scale: Scale) -> Figure:
    n = scale.decode_persons
    content = json.dumps(list_page(n)).encode()
    typed = page_decoder(StoredPerson, "persons", ("id",))
    if typed is None:
        raise RuntimeError("the typed listing path does not cover StoredPerson")

    def fast() -> list[StoredPerson]:
        page = typed(content)
        if page is None:
            raise RuntimeError("the typed listing path refused the benchmark page")
        return page.items

    def general() -> list[StoredPerson]:
        return [from_wire(o, StoredPerson) for o in loads(content)["persons"]]

    if [(repr(p), p.fields_set()) for p in fast()] != [
        (repr(p), p.fields_set()) for p in general()
    ]:
        raise RuntimeError(
            "the typed listing path and the general path decoded the page differently"
        )
    return _versus(
        "fastpath_typed_listing_vs_general",
        f"a {n}-person page's bytes into models, typed listing path",
        "the general path: loads, then the compiled decoder per person",
        "seconds per page",
        fast,
        general,
        rounds=scale.rounds,
        number=max(1, 10_000 // n),
    )


def _loads(scale: Scale) -> Figure:
    n = scale.decode_persons
    page = list_page(n)
    for i, person in enumerate(page["persons"]):
        person["customAttributes"]["Balance"] = i + 0.25  # non-integral numbers: exact decimals
    content = json.dumps(page).encode()
    return _versus(
        "fastpath_loads_vs_json",
        f"a {n}-person page's bytes parsed by loads (msgspec)",
        "json.loads(parse_float=Decimal) on the same bytes",
        "seconds per page",
        lambda: loads(content),
        lambda: json.loads(content, parse_float=Decimal),
        rounds=scale.rounds,
        number=max(1, 20_000 // n),
        disagree="msgspec and json parsed the page differently",
    )


def _encode(scale: Scale) -> Figure:
    persons = [new_person(i, tag=True) for i in range(BATCH)]
    for i, person in enumerate(persons):
        person.custom_attributes = {"Tier": "gold", "Score": i, "Balance": Decimal("1.5")}
        person.city = "Zagreb"

    def reference(p: Person) -> str:
        return dumps(v3_body_reference(p)).decode()

    return _versus(
        "fastpath_v3_encode_vs_plain",
        f"{BATCH} persons' v3 upsert bodies, one-pass encoder",
        "the reference encoder: dumps(v3_body_reference(person))",
        "seconds per 1000 persons",
        lambda: [v3_json(p) for p in persons],
        lambda: [reference(p) for p in persons],
        rounds=scale.rounds,
        number=5 if scale.quick else 20,
        collector=True,
        disagree="the v3 encoder and its reference path wrote different bodies",
    )


def _v3_items(start: int, count: int) -> list[dict[str, Any]]:
    items = []
    for i in range(start, start + count):
        person = new_person(i)
        person.city = f"City{i % 100}"
        items.append(json.loads(v3_json(person)))
    return items


def _fake_create(scale: Scale) -> Figure:
    items = _v3_items(0, BATCH)
    fakes = 2 if scale.quick else 5  # batches per timed side, each into a new fake
    ready: dict[str, list[tuple[Any, list[dict[str, Any]]]]] = {}

    def setup() -> None:
        for side in ("fast", "plain"):
            ready[side] = []
            for _ in range(fakes):
                engine = FakeProfiles().tenant().persons
                if side == "plain":
                    engine._v3_create = lambda item: None  # the general path alone
                ready[side].append((engine, copy.deepcopy(items)))

    def side(name: str) -> Callable[[], object]:
        def upsert() -> object:
            for engine, batch in ready[name]:
                result = engine.upsert(batch, full=False)
                if result["errors"] or len(result["results"]) != BATCH:
                    raise RuntimeError(f"the {name} path did not create every person")
            return None

        return upsert

    return _versus(
        "fastpath_fake_create_vs_general",
        f"the fake's v3 upsert of {BATCH} new persons, one-pass create",
        "the same upsert through the general path alone",
        "seconds per batch",
        side("fast"),
        side("plain"),
        rounds=max(3, scale.rounds),
        setup=setup,
        collector=True,
        per=fakes,
    )


def _upsert_request(batch: list[dict[str, Any]]) -> FakeRequest:
    return FakeRequest(
        "PATCH",
        "/people/3/persons/upsert",
        headers={"authorization": f"App {KEY}", "content-type": "application/json"},
        body=json.dumps({"persons": batch}).encode(),
    )


def _collector_pause(scale: Scale) -> tuple[Figure, Any]:
    count = scale.scale_filter
    requests = [_upsert_request(_v3_items(start, BATCH)) for start in range(0, count, BATCH)]
    kept: list[Any] = []

    def side(paused: bool) -> Callable[[], object]:
        def fill() -> object:
            kept.clear()  # the other side's fake goes before this one is built
            fake = FakeProfiles(api_key=KEY, pause_collector=paused)
            for request in requests:
                response = fake.handle(request)
                if response.status != 207 or response.body["errors"]:
                    raise RuntimeError(f"the upsert answered {response.status}")
            kept.append(fake)
            return fake

        return fill

    measured = _versus(
        "fastpath_fake_collector_pause",
        f"the fake storing {count:,} persons by {BATCH}-person upserts, collector paused",
        "the same with the collector running (the default)",
        "seconds",
        side(True),
        side(False),
        rounds=3,
        collector=True,
        persons=count,
    )
    return measured, kept[0].tenant().persons


def _filter_index(scale: Scale, engine: Any) -> Figure:
    count = len(engine._persons)
    filter_json = json.dumps({"city": "City7"})
    scan = copy.copy(engine)
    scan._candidates = lambda decoded: None  # every person examined

    def page(which: Any) -> Callable[[], object]:
        def list_page() -> object:
            return which.page(filter_json=filter_json, limit=100, with_total=True)

        return list_page

    return _versus(
        "fastpath_fake_filter_index_vs_scan",
        f"a filtered list (city equality, 1% of {count:,} persons, with total), indexes",
        "the same list scanning every person",
        "seconds per list",
        page(engine),
        page(scan),
        rounds=scale.rounds,
        number=3 if scale.quick else 10,
        persons=count,
        disagree="the indexed and the scanning list answered differently",
    )


def _timestamps(scale: Scale) -> Figure:
    texts = [
        f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:07" for i in range(BATCH)
    ]
    return _versus(
        "fastpath_fake_timestamp_vs_strict",
        f"{BATCH} stored v2 timestamps read by the fake's filter, v2 shortcut",
        "the strict parser (pattern, then fromisoformat)",
        "seconds per 1000 timestamps",
        lambda: [_parse_datetime_text(t) for t in texts],
        lambda: [_strict_datetime(t) for t in texts],
        rounds=scale.rounds,
        number=5 if scale.quick else 50,
        disagree="the timestamp shortcut and the strict parser read differently",
    )


def _outcomes_memory(scale: Scale) -> Figure:
    count = scale.bulk_persons

    def outcomes(start: int) -> list[UpsertItemResult]:
        return [
            UpsertItemResult(index=i, ok=True, id=1_000_000 + i, status=UpsertStatus.CREATED)
            for i in range(start, start + BATCH)
        ]

    def kept(compact: bool) -> float:
        gc.collect()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            if compact:
                store: Any = outcome_store(UpsertItemResult)
                for start in range(0, count, BATCH):
                    store.extend(outcomes(start))
            else:
                parts: list[UpsertItemResult] = []
                for start in range(0, count, BATCH):
                    parts.extend(outcomes(start))
                store = tuple(parts)
                del parts
            used = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert len(store) == count
        return used / count

    compact, plain = kept(True), kept(False)
    return figure(
        "fastpath_compact_outcomes_memory",
        f"{count:,} upsert successes kept in the compact store",
        "a tuple of the outcome objects",
        "bytes per outcome",
        compact,
        plain,
        target="<= 0.85",
        details={"gain": round(1 - compact / plain, 3)},
    )


def run(scale: Scale) -> list[Figure]:
    """Every fast path against its plain path (see the module's doc)."""
    pause, engine = _collector_pause(scale)
    return [
        _decode(scale),
        _typed_listing(scale),
        _loads(scale),
        _encode(scale),
        _fake_create(scale),
        pause,
        _filter_index(scale, engine),
        _timestamps(scale),
        _outcomes_memory(scale),
    ]
