"""Figures against the peers a user would pick instead of this SDK, and the fake at a million.

Every figure is measured in the same run as its peer, in alternating rounds where both sides can
repeat, and reported as a ratio (``_harness.Figure``). Peers that are not installed (aiohttp,
pydantic: the ``bench`` extra) make their figure ``available: false`` with the reason.

- ``peer_async_burst_warm`` / ``peer_async_burst_cold``: N concurrent ``people.get`` through the
  async client against the served fake (its own process), against raw aiohttp sending the same
  requests with the same concurrency (``json.loads`` of each answer). Warm: both pools opened by a
  first burst; cold: a new client (and a new aiohttp session) per burst. Client CPU in details.
- ``peer_decode_vs_pydantic``: one 1,000-person page (contacts, tags, ten custom attributes of
  mixed types, dates parsed) decoded by the SDK's page plan against pydantic v2 models generated at
  run time from the spec's person schema (``model_validate_json``). The SDK side is the page plan,
  which takes the typed listing path; details give the general path it falls back to (parsing,
  then the compiled decoder per person) against pydantic too, and that path's parse and build.
- ``peer_import_vs_httpx``: a fresh interpreter importing ``infobip_profiles`` against one importing
  ``httpx``; whether a sync import pulled in ``asyncio`` is in details. The package loads its names
  on first use, so ``peer_import_sync_user_vs_httpx`` measures what a sync program really starts
  with (the client and two models imported, a client made) against ``httpx`` plus an
  ``httpx.Client``.
- ``upsert_stream_memory``: peak traced memory of ``upsert_many`` fed a generator of N persons
  against the same with N/10 (a stub transport answers CREATED for every item, so only the client
  is measured).
- ``create_stream_memory``, ``send_many_stream_memory``: the same for ``people.create_many`` (a
  stub answering success by index) and ``events.send_many`` (a stub answering 202).
- ``update_stream_memory``, ``delete_stream_memory``: the same for ``people.update_many`` and
  ``delete_many`` fed refs by id in sequence (a stub answering success, listing no item); details
  give what the result keeps per item, and for refs by id in no order and by email at N/10.
- ``fake_seed_large_vs_empty``, ``fake_seed_memory_per_person``,
  ``fake_filter_first_page_large_vs_small``: ``fake.seed`` into a full fake against an empty one,
  memory per person stored through ``fake.seed``, and the first page of a selective tag filter.
- ``fixture_served_per_test``: wall time per test of the ``profiles_server`` fixture, against the
  in-process ``profiles_client`` fixture, from two pytest runs of 1 and N tests each.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from infobip_profiles import (
    AsyncProfilesClient,
    Event,
    Person,
    PersonRef,
    ProfilesClient,
    StoredPerson,
)
from infobip_profiles._converter import from_wire, loads
from infobip_profiles._typed import page_decoder
from infobip_profiles.filters import tags, to_query_param
from infobip_profiles.testing import FakeProfiles
from infobip_profiles.testing._wire import FakeRequest

from ._data import TAGS, TIERS, new_person
from ._harness import Figure, Scale, compare, figure, unavailable
from ._served import served_fake
from .decoding import bare_models, sdk_page_decoder
from .fake_scale import build_fake, person_body, served_seed

__all__ = ["run"]

KEY = "bench-key"
STORED = 1000
ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT.parent / "shared" / "spec" / "people-openapi.json"


# -- async burst against aiohttp -------------------------------------------------------------------


def _emails(n: int) -> list[str]:
    return [f"person{i % STORED}@example.com" for i in range(n)]


async def _ours(
    base_url: str, emails: list[str], *, warm: bool, transport: str = "httpcore"
) -> tuple[float, float]:
    refs = [PersonRef.email(e) for e in emails]
    http: httpx.AsyncClient | None = None
    if transport == "aiohttp":
        from httpx_aiohttp import HttpxAiohttpClient

        http = HttpxAiohttpClient(timeout=120)
    async with AsyncProfilesClient(
        KEY, base_url, throttle=False, timeout=120, http_client=http
    ) as client:
        if warm:
            await asyncio.gather(*(client.people.get(r) for r in refs))
        wall, cpu = time.perf_counter(), time.process_time()
        people = await asyncio.gather(*(client.people.get(r) for r in refs))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if http is not None:
        await http.aclose()  # a user's client: the SDK leaves it open
    assert len(people) == len(refs)
    return wall, cpu


async def _aiohttp(base_url: str, emails: list[str], *, warm: bool) -> tuple[float, float]:
    import aiohttp

    url = f"{base_url}/people/2/persons"
    headers = {"Authorization": f"App {KEY}", "Accept": "application/json"}

    async def get(session: Any, email: str) -> Any:
        params = {"identifier": email, "type": "EMAIL"}
        async with session.get(url, params=params, headers=headers) as response:
            body = await response.read()
            if response.status != 200:
                raise RuntimeError(f"aiohttp peer got {response.status}")
            return json.loads(body)

    connector = aiohttp.TCPConnector(limit=100)
    async with aiohttp.ClientSession(connector=connector) as session:
        if warm:
            await asyncio.gather(*(get(session, e) for e in emails))
        wall, cpu = time.perf_counter(), time.process_time()
        people = await asyncio.gather(*(get(session, e) for e in emails))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert len(people) == len(emails)
    return wall, cpu


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _async_burst(scale: Scale) -> list[Figure]:
    name = "{n:,} concurrent people.get, async client, loopback, {pool} pool"
    peer = "raw aiohttp, same requests and concurrency, json.loads of each answer"
    ids = ("peer_async_burst_warm", "peer_async_burst_cold")
    if not _has("aiohttp"):
        return [
            unavailable(
                i,
                name.format(n=scale.async_gets, pool=p),
                peer,
                "seconds per burst",
                "aiohttp is not installed (pip install -e '.[bench]')",
            )
            for i, p in zip(ids, ("warm", "cold"), strict=True)
        ]
    emails = _emails(scale.async_gets)
    seed = served_seed(STORED)
    figures = []
    with served_fake(KEY, seed=seed, max_calls=10) as base_url:
        for fig_id, warm in zip(ids, (True, False), strict=True):
            ours: list[tuple[float, float]] = []
            theirs: list[tuple[float, float]] = []
            # Our client over httpx-aiohttp's transport (a user's own http_client), when installed.
            bridged: list[tuple[float, float]] = []
            sides: list[tuple[Callable[..., Any], list[tuple[float, float]], dict[str, Any]]] = [
                (_ours, ours, {}),
                (_aiohttp, theirs, {}),
            ]
            if _has("httpx_aiohttp"):
                sides.append((_ours, bridged, {"transport": "aiohttp"}))
            for i in range(max(3, scale.rounds)):
                for fn, sink, extra in sides[i % len(sides) :] + sides[: i % len(sides)]:
                    gc.collect()
                    sink.append(asyncio.run(fn(base_url, emails, warm=warm, **extra)))
            more = {}
            if bridged:
                more = {
                    "ours_over_httpx_aiohttp_s": round(statistics.median(w for w, _ in bridged), 4),
                    "ours_over_httpx_aiohttp_cpu_s": round(
                        statistics.median(c for _, c in bridged), 4
                    ),
                }
            wall = statistics.median(w for w, _ in ours)
            peer_wall = statistics.median(w for w, _ in theirs)
            figures.append(
                figure(
                    fig_id,
                    name.format(n=len(emails), pool="warm" if warm else "cold"),
                    peer,
                    "seconds per burst",
                    wall,
                    peer_wall,
                    target="<= 1.5",
                    details={
                        "client_cpu_s": round(statistics.median(c for _, c in ours), 4),
                        "peer_cpu_s": round(statistics.median(c for _, c in theirs), 4),
                        "cpu_ratio": round(
                            statistics.median(c for _, c in ours)
                            / statistics.median(c for _, c in theirs),
                            3,
                        ),
                        "rounds": len(ours),
                        **more,
                    },
                )
            )
    return figures


# -- decoding against pydantic ---------------------------------------------------------------------


def rich_person(i: int) -> dict[str, Any]:
    """A stored person with contacts, two tags and ten custom attributes of mixed types."""
    return {
        "id": 1000 + i,
        "externalId": f"crm-{i}",
        "type": "CUSTOMER",
        "firstName": f"First{i}",
        "lastName": f"Last{i}",
        "gender": "FEMALE" if i % 2 else "MALE",
        "birthDate": f"19{50 + i % 50:02d}-0{1 + i % 9}-1{i % 10}",
        "preferredLanguage": "en-GB",
        "city": "Zagreb",
        "country": "Croatia",
        "origin": "API",
        "modifiedFrom": "API",
        "createdAt": "2026-01-02T03:04:05",
        "modifiedAt": "2026-02-03T04:05:06",
        "tags": [TAGS[i % len(TAGS)], TAGS[(i + 1) % len(TAGS)]],
        "customAttributes": {
            "Tier": TIERS[i % len(TIERS)],
            "Score": i % 100,
            "Balance": 1234.5 + i,
            "Active": bool(i % 2),
            "Since": "2020-05-06",
            "LastOrderAt": "2026-03-04T05:06:07",
            "Segment": f"s{i % 7}",
            "Visits": i % 31,
            "Newsletter": i % 3 == 0,
            "Note": f"note {i}",
        },
        "contactInformation": {
            "email": [{"address": f"person{i}@example.com"}, {"address": f"p{i}@work.example"}],
            "phone": [{"number": f"3859{i:08d}"}],
        },
        "computedAttributes": {},
    }


def _pydantic_page_model() -> Any:
    """Pydantic v2 models for a persons page, generated from the spec's person schema.

    Object schemas become models (camelCase aliases), enums become ``Literal`` types, arrays
    lists, free-form objects ``dict[str, Any]``; a string whose description gives the date or
    timestamp format is parsed as ``date`` / ``datetime`` (the SDK parses the same fields).
    """
    from typing import Literal

    import pydantic
    from pydantic.alias_generators import to_snake

    spec = json.loads(SPEC.read_text())
    schemas = spec["components"]["schemas"]
    built: dict[str, Any] = {}

    def ref_name(ref: str) -> str:
        return ref.rsplit("/", 1)[-1]

    def type_of(schema: dict[str, Any]) -> Any:
        if "$ref" in schema:
            return model_or_type(ref_name(schema["$ref"]))
        if "allOf" in schema and len(schema["allOf"]) == 1:
            return type_of(schema["allOf"][0])
        kind = schema.get("type")
        if "enum" in schema:
            return Literal[tuple(schema["enum"])]
        if kind == "array":
            return list[type_of(schema.get("items", {}))]  # type: ignore[misc]
        if kind == "object" and "properties" not in schema:
            return dict[str, Any]
        if kind == "integer":
            return int
        if kind == "number":
            return float
        if kind == "boolean":
            return bool
        if kind == "string":
            text = schema.get("description", "")
            if "yyyy-MM-dd'T'HH:mm:ss" in text:
                return dt.datetime
            if "YYYY-MM-DD" in text:
                return dt.date
            return str
        return Any

    def model_or_type(name: str) -> Any:
        if name in built:
            return built[name]
        schema = schemas[name]
        if schema.get("type") != "object" or "properties" not in schema:
            return type_of(schema)
        fields = {
            to_snake(prop): (
                type_of(sub) | None,
                pydantic.Field(default=None, alias=prop),
            )
            for prop, sub in schema["properties"].items()
        }
        model = pydantic.create_model(name.split(".")[-1], **fields)  # type: ignore[call-overload]
        built[name] = model
        return model

    person_name = next(n for n in schemas if n.endswith(".IamPersonV2"))
    person = model_or_type(person_name)
    page_fields: dict[str, Any] = {
        "persons": (list[person], ...),  # type: ignore[valid-type]
        "limit": (int | None, None),
        "page": (int | None, None),
        "order_by": (str | None, pydantic.Field(default=None, alias="orderBy")),
    }
    return pydantic.create_model("PersonsPage", **page_fields)


def _decode_vs_pydantic(scale: Scale) -> list[Figure]:
    fig_id = "peer_decode_vs_pydantic"
    name = (
        f"a {scale.decode_persons:,}-person page (contacts, tags, 10 custom attributes) into models"
    )
    peer = "pydantic v2 models generated from the spec, model_validate_json"
    try:
        import pydantic  # noqa: F401
    except ImportError:
        return [
            unavailable(
                fig_id,
                name,
                peer,
                "seconds per page",
                "pydantic is not installed (pip install -e '.[bench]')",
            )
        ]
    if not SPEC.exists():
        return [unavailable(fig_id, name, peer, "seconds per page", f"no spec at {SPEC}")]
    page_model = _pydantic_page_model()
    content = json.dumps(
        {
            "persons": [rich_person(i) for i in range(scale.decode_persons)],
            "limit": 1000,
            "page": 1,
            "orderBy": "createdAt:asc",
        }
    ).encode()
    ours = sdk_page_decoder(content)
    assert len(ours().items) == scale.decode_persons
    theirs_page = page_model.model_validate_json(content)
    assert isinstance(theirs_page.persons[0].created_at, dt.datetime)

    def theirs() -> Any:
        return page_model.model_validate_json(content)

    # The page plan takes the typed listing path; the general path (parse, then the compiled
    # decoder per person) is what it falls back to, measured beside pydantic too.
    typed = page_decoder(StoredPerson, "persons", ("id",))
    typed_path = typed is not None and typed(content) is not None

    def general() -> Any:
        return [from_wire(o, StoredPerson) for o in loads(content)["persons"]]

    number = max(1, 20 * 1000 // (scale.decode_persons * 10))
    sdk_time, peer_time = compare(ours, theirs, number=number, rounds=scale.rounds)
    general_time, peer_general = compare(general, theirs, number=number, rounds=scale.rounds)
    # Where the general path's time goes: parsing the body (msgspec, exact decimals) against
    # json.loads doing the same; the rest is building the models.
    parse_time, json_time = compare(
        lambda: loads(content),
        lambda: json.loads(content, parse_float=Decimal),
        number=number,
        rounds=scale.rounds,
    )
    # The least a decoder in Python pays for these models: the same objects made with every
    # attribute stored and nothing read (beside pydantic again, in alternating rounds).
    bare_time, peer_again = compare(
        bare_models(content), theirs, number=number, rounds=scale.rounds
    )
    details = {
        "persons": scale.decode_persons,
        "bytes": len(content),
        "typed_listing_path": typed_path,
        "general_path_seconds": round(general_time, 6),
        "general_path_ratio": round(general_time / peer_general, 3),
        "general_parse_seconds": round(parse_time, 6),
        "general_build_seconds": round(general_time - parse_time, 6),
        "json_loads_seconds": round(json_time, 6),
        "bare_models_seconds": round(bare_time, 6),
        "parse_plus_bare_models_ratio": round((parse_time + bare_time) / peer_again, 3),
    }
    return [
        figure(
            fig_id,
            name,
            peer,
            "seconds per page",
            sdk_time,
            peer_time,
            target="<= 0.5",
            details=details,
        )
    ]


# -- import time -----------------------------------------------------------------------------------


_CPU: dict[str, list[float]] = {}


def _fresh_import(statement: str) -> float:
    """Wall seconds of a fresh interpreter running ``statement`` (its CPU seconds, user and
    system, go to ``_CPU[statement]``: steadier than the wall clock on a loaded machine)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    _CPU.setdefault(statement, []).append(cpu)
    return wall


#: What a sync program runs first: the names it uses, and a client (which builds httpx's).
SYNC_USER = (
    "from infobip_profiles import ProfilesClient, Person, PersonRef; ProfilesClient('k').close()"
)
HTTPX_USER = "import httpx; httpx.Client().close()"


def _import_time(scale: Scale) -> list[Figure]:
    # Bytecode first, as pip writes it when installing: with PYTHONDONTWRITEBYTECODE set and no
    # __pycache__ in a checkout, every fresh interpreter would compile the package's sources,
    # while httpx's come compiled from site-packages.
    import compileall

    compileall.compile_dir(str(ROOT / "infobip_profiles"), quiet=1)
    ours: list[float] = []
    theirs: list[float] = []
    user: list[float] = []
    httpx_user: list[float] = []
    for i in range(max(5, scale.rounds * 2)):
        sides = [
            ("import infobip_profiles", ours),
            ("import httpx", theirs),
            (SYNC_USER, user),
            (HTTPX_USER, httpx_user),
        ]
        sides = sides[i % len(sides) :] + sides[: i % len(sides)]
        for statement, sink in sides:
            sink.append(_fresh_import(statement))
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, infobip_profiles; c = infobip_profiles.ProfilesClient('k'); "
            "print(int('asyncio' in sys.modules))",
        ],
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return [
        figure(
            "peer_import_vs_httpx",
            "import infobip_profiles in a fresh interpreter",
            "import httpx in a fresh interpreter",
            "seconds per interpreter",
            statistics.median(ours),
            statistics.median(theirs),
            target="<= 1.3",
            details={
                "sync_client_imports_asyncio": probe.stdout.strip() == "1",
                "rounds": len(ours),
            },
        ),
        figure(
            "peer_import_sync_user_vs_httpx",
            "a sync program's start: ProfilesClient, Person, PersonRef imported, a client made",
            "import httpx and make an httpx.Client, fresh interpreter",
            "seconds per interpreter",
            statistics.median(user),
            statistics.median(httpx_user),
            target="<= 1.3",
            details={
                "rounds": len(user),
                "cpu_s": round(statistics.median(_CPU[SYNC_USER]), 4),
                "peer_cpu_s": round(statistics.median(_CPU[HTTPX_USER]), 4),
                "cpu_ratio": round(
                    statistics.median(_CPU[SYNC_USER]) / statistics.median(_CPU[HTTPX_USER]), 3
                ),
            },
        ),
    ]


# -- upsert_many fed a generator: client memory ----------------------------------------------------


def _stub_upsert(request: httpx.Request) -> httpx.Response:
    count = len(json.loads(request.content)["persons"])
    results = [{"index": i, "id": i + 1, "status": "CREATED"} for i in range(count)]
    return httpx.Response(207, json={"results": results, "errors": []})


def _upsert_peak(n: int) -> float:
    def persons() -> Iterator[Person]:
        for i in range(n):
            yield new_person(i)

    http = httpx.Client(transport=httpx.MockTransport(_stub_upsert))
    with ProfilesClient(KEY, "http://127.0.0.1:9", throttle=False, http_client=http) as client:
        gc.collect()
        tracemalloc.start()
        try:
            result = client.people.upsert_many(persons())
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert result.created == n
    return float(peak)


def _upsert_stream(scale: Scale) -> list[Figure]:
    large = scale.stream_persons
    small = max(1, large // 10)
    small_peak = _upsert_peak(small)
    large_peak = _upsert_peak(large)
    return [
        figure(
            "upsert_stream_memory",
            f"peak client memory, upsert_many fed a generator of {large:,} persons",
            f"the same with {small:,} persons",
            "bytes (tracemalloc peak)",
            large_peak,
            small_peak,
            target="<= 1.5",
            details={"large_bytes_per_person": round(large_peak / large, 1)},
        )
    ]


def _stub_create(request: httpx.Request) -> httpx.Response:
    count = len(json.loads(request.content)["people"])
    results = [{"index": i, "status": 200, "id": i + 1} for i in range(count)]
    return httpx.Response(200, json={"results": results})


def _stub_events(request: httpx.Request) -> httpx.Response:
    return httpx.Response(202)


def _create_result(client: ProfilesClient, n: int) -> int:
    result = client.people.create_many(new_person(i) for i in range(n))
    return 0 if result.failed else len(result)


def _send_many_result(client: ProfilesClient, n: int) -> int:
    now = dt.datetime.now(dt.timezone.utc)
    events = (
        Event(
            PersonRef.external_id(f"bulk-{i}"),
            "order_placed",
            {"amount": i, "sku": f"sku-{i % 97}"},
            occurred_at=now,
        )
        for i in range(n)
    )
    result = client.events.send_many(events)
    return result.accepted if result.ok else 0


def _stream_peak(
    n: int,
    stub: Callable[[httpx.Request], httpx.Response],
    call: Callable[[ProfilesClient, int], int],
) -> float:
    http = httpx.Client(transport=httpx.MockTransport(stub))
    with ProfilesClient(KEY, "http://127.0.0.1:9", throttle=False, http_client=http) as client:
        gc.collect()
        tracemalloc.start()
        try:
            done = call(client, n)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert done == n, (done, n)
    return float(peak)


def _many_streams(scale: Scale) -> list[Figure]:
    large = scale.stream_persons
    small = max(1, large // 10)
    figures = []
    for ident, what, stub, call in (
        ("create_stream_memory", "people.create_many", _stub_create, _create_result),
        ("send_many_stream_memory", "events.send_many", _stub_events, _send_many_result),
    ):
        small_peak = _stream_peak(small, stub, call)
        large_peak = _stream_peak(large, stub, call)
        figures.append(
            figure(
                ident,
                f"peak client memory, {what} fed a generator of {large:,} items",
                f"the same with {small:,} items",
                "bytes (tracemalloc peak)",
                large_peak,
                small_peak,
                target="<= 1.5",
                details={"large_bytes_per_item": round(large_peak / large, 1)},
            )
        )
    return figures


# -- update_many / delete_many fed a generator: outcomes naming their refs -------------------------


def _stub_query(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"results": []})  # the service lists failures only


def _query_refs(n: int, how: str) -> Iterator[PersonRef]:
    """``n`` refs: by id in sequence, by id in no order (a multiplicative scramble), by email."""
    for i in range(n):
        if how == "id":
            yield PersonRef.id(1000 + i)
        elif how == "shuffled":
            yield PersonRef.id((i * 2654435761) % 2**40 + 1)
        else:
            yield PersonRef.email(f"user{i:07}@example.com")


def _query_memory(n: int, op: str, how: str) -> tuple[float, float]:
    """Peak traced memory of ``people.<op>`` fed a generator of ``n`` refs, and what its result
    keeps (the memory freed when the result is dropped)."""
    http = httpx.Client(transport=httpx.MockTransport(_stub_query))
    change = Person(first_name="Ada")
    with ProfilesClient(KEY, "http://127.0.0.1:9", throttle=False, http_client=http) as client:
        refs = _query_refs(n, how)
        if op == "update_many":
            items: Iterator[Any] = ((ref, change) for ref in refs)
        else:
            items = refs
        gc.collect()
        tracemalloc.start()
        try:
            result = getattr(client.people, op)(items)
            peak = tracemalloc.get_traced_memory()[1]
            gc.collect()
            held = tracemalloc.get_traced_memory()[0]
            assert len(result) == n, op
            assert result.ok, op
            del result
            gc.collect()
            kept = held - tracemalloc.get_traced_memory()[0]
        finally:
            tracemalloc.stop()
    return float(peak), float(kept)


def _query_streams(scale: Scale) -> list[Figure]:
    large = scale.stream_persons
    small = max(1, large // 10)
    figures = []
    for ident, op in (
        ("update_stream_memory", "update_many"),
        ("delete_stream_memory", "delete_many"),
    ):
        small_peak, _ = _query_memory(small, op, "id")
        large_peak, large_kept = _query_memory(large, op, "id")
        _, shuffled_kept = _query_memory(small, op, "shuffled")
        _, email_kept = _query_memory(small, op, "email")
        figures.append(
            figure(
                ident,
                f"peak client memory, people.{op} fed a generator of {large:,} refs by id",
                f"the same with {small:,} refs",
                "bytes (tracemalloc peak)",
                large_peak,
                small_peak,
                target="<= 1.5",
                details={
                    "large_bytes_per_item": round(large_peak / large, 1),
                    "kept_bytes_per_item_ids_in_sequence": round(large_kept / large, 1),
                    "kept_bytes_per_item_ids_in_no_order": round(shuffled_kept / small, 1),
                    "kept_bytes_per_item_emails": round(email_kept / small, 1),
                },
            )
        )
    return figures


# -- the fake at a million -------------------------------------------------------------------------


def _seed_batch(start: int, n: int) -> list[dict[str, Any]]:
    return [person_body(start + i) for i in range(n)]


def _fake_million(scale: Scale) -> list[Figure]:
    figures = []
    small_n, large_n = scale.scale_small, scale.scale_large
    large = build_fake(large_n)
    empty = FakeProfiles(KEY, max_calls=16)
    empty.seed(custom_attributes=[{"name": "Tier", "dataType": "STRING"}], tags=list(TAGS))
    batch = 2000 if not scale.quick else 50
    offsets = iter(range(10 * large_n, 10**9, batch))

    def seed_into(fake: FakeProfiles) -> Callable[[], object]:
        return lambda: fake.seed(people=_seed_batch(next(offsets), batch))

    large_time, empty_time = compare(seed_into(large), seed_into(empty), number=1, rounds=3)
    figures.append(
        figure(
            "fake_seed_large_vs_empty",
            f"fake.seed of {batch:,} persons into a fake holding {large_n:,}",
            "the same seed into an empty fake",
            "seconds per seed",
            large_time,
            empty_time,
            target="<= 2",
        )
    )

    # Filter: the first page (10 persons) of a selective tag filter, large against small.
    small = build_fake(small_n)
    expression = tags.contains(TAGS[0])
    request = FakeRequest(
        method="GET",
        path="/people/2/persons",
        query=[("filter", to_query_param(expression)), ("limit", "10")],
        headers={"authorization": f"App {KEY}"},
        body=b"",
    )

    def first_page(fake: FakeProfiles) -> Callable[[], object]:
        def call() -> object:
            response = fake.handle(request)
            assert response.status == 200, response.status
            return response

        return call

    large_page, small_page = compare(
        first_page(large), first_page(small), number=3 if not scale.quick else 2, rounds=3
    )
    figures.append(
        figure(
            "fake_filter_first_page_large_vs_small",
            f"first page of a tag filter with {large_n:,} persons stored",
            f"the same with {small_n:,} persons stored",
            "seconds per page",
            large_page,
            small_page,
            target="<= 3",
        )
    )
    del large, small, empty
    gc.collect()

    # Memory per person stored through fake.seed (the public way), in batches.
    n = scale.scale_memory // 10 if not scale.quick else scale.scale_memory
    fake = FakeProfiles(KEY, max_calls=16)
    fake.seed(custom_attributes=[{"name": "Tier", "dataType": "STRING"}], tags=list(TAGS))
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for start in range(0, n, 10_000):
            fake.seed(people=_seed_batch(start, min(10_000, n - start)))
        gc.collect()
        per_person = (tracemalloc.get_traced_memory()[0] - before) / n
    finally:
        tracemalloc.stop()
    wire = sum(len(json.dumps(person_body(i), separators=(",", ":"))) for i in range(100)) / 100
    figures.append(
        figure(
            "fake_seed_memory_per_person",
            f"memory per person stored through fake.seed ({n:,} persons, tracemalloc)",
            "the person's compact JSON as sent",
            "bytes per person",
            per_person,
            wire,
            target="value <= 1536 bytes",
            met=per_person <= 1536,
        )
    )
    return figures


# -- the served fixture ----------------------------------------------------------------------------

_FIXTURE_TEST = """
import httpx
import pytest

HTTP = httpx.Client()  # one client: a new one per test would build an SSL context each time


@pytest.mark.parametrize("i", range({n}))
def test_served(profiles_server, i):
    assert HTTP.get(profiles_server + "/people/2/tags",
                    headers={{"Authorization": "App test-key"}}).status_code == 200


@pytest.mark.parametrize("i", range({n}))
def test_in_process(profiles_client, i):
    assert profiles_client.tags.list().to_list() == []
"""


# Times each test's whole protocol (fixture setup, the call, teardown) from inside pytest, so the
# interpreter's start and the collection are not part of the figure.
_TIMING_PLUGIN = """
import json, os, time
import pytest

TIMES = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    started = time.perf_counter()
    yield
    TIMES.setdefault(item.originalname, []).append(time.perf_counter() - started)


def pytest_sessionfinish(session):
    with open(os.environ["FIXTURE_TIMES"], "w") as out:
        json.dump(TIMES, out)
"""


def _per_test_seconds(folder: Path) -> dict[str, float]:
    """Median seconds per test of each test function in ``folder`` (its first test left out:
    the session's one-time setup, imports and the shared server's start, lands there)."""
    times = folder / "times.json"
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", "."],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "FIXTURE_TIMES": str(times)},
    )
    if done.returncode != 0:
        raise RuntimeError(done.stdout[-1500:] + done.stderr[-1500:])
    measured = json.loads(times.read_text())
    return {name: statistics.median(values[1:]) for name, values in measured.items()}


def _fixture_per_test(scale: Scale) -> list[Figure]:
    n = 200 if not scale.quick else 10
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "conftest.py").write_text(_TIMING_PLUGIN)
        (folder / "test_fixtures.py").write_text(_FIXTURE_TEST.format(n=n + 1))
        per_test = _per_test_seconds(folder)
    served, local = per_test["test_served"], per_test["test_in_process"]
    return [
        figure(
            "fixture_served_per_test",
            "wall time per test of the profiles_server fixture (setup, call, teardown; median)",
            "the in-process profiles_client fixture",
            "seconds per test",
            served,
            local,
            target="value <= 0.005 s",
            met=served <= 0.005,
        )
    ]


def run(scale: Scale) -> list[Figure]:
    """Every peer figure; one that fails is reported unavailable and the rest still run."""
    figures: list[Figure] = []
    parts: list[tuple[str, Callable[[Scale], list[Figure]]]] = [
        ("peer_async_burst", _async_burst),
        ("peer_decode_vs_pydantic", _decode_vs_pydantic),
        ("peer_import_vs_httpx", _import_time),
        ("upsert_stream_memory", _upsert_stream),
        ("many_stream_memory", _many_streams),
        ("query_stream_memory", _query_streams),
        ("fake_million", _fake_million),
        ("fixture_served_per_test", _fixture_per_test),
    ]
    for name, part in parts:
        try:
            figures.extend(part(scale))
        except Exception as exc:
            figures.append(unavailable(name, name, "-", "-", f"the benchmark failed: {exc!r}"))
    return figures
