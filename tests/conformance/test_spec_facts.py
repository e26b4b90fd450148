"""The spec's limits, page sizes, lengths and enums have one source: the generated operations data.

Three checks: the generated module is what the generator makes of the spec today; the client
and the fake act on the same values (the client's chunks are exactly what the fake accepts, and
one item more is what it refuses); and no module outside ``_operations*.py`` writes one of these
numbers itself.
"""

from __future__ import annotations

import ast
import http
import importlib.util
import json
import re
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from infobip_profiles import (
    AsyncProfilesClient,
    Company,
    Event,
    Person,
    PersonRef,
    ProfilesClient,
)
from infobip_profiles import _operations as ops
from infobip_profiles._company_fields import COMPANY_MAX_LENGTHS
from infobip_profiles._operations_data import (
    SPEC_BATCH_LIMITS,
    SPEC_ENUMS,
    SPEC_LIMITS,
    SPEC_MAX_LENGTHS,
    SPEC_PAGE_SIZES,
)
from infobip_profiles._validation import PERSON_MAX_LENGTHS
from infobip_profiles.refs import CompanyRef
from infobip_profiles.testing import FakeProfiles

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "infobip_profiles"
SPEC = REPO.parent / "shared" / "spec" / "people-openapi.json"
needs_spec = pytest.mark.skipif(
    not SPEC.is_file(),
    reason=f"the API spec is not at {SPEC} (it lives in ../shared/spec beside the repository; "
    "a user's clone does not have it)",
)


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_operations", REPO / "tools" / "gen_operations.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- (a) the generated data is up to date ---------------------------------------------------------


@needs_spec
def test_the_operations_data_is_what_the_generator_makes_of_the_spec() -> None:
    rendered = _generator().render(json.loads(SPEC.read_text()))
    checked_in = (PACKAGE / "_operations_data.py").read_text()
    assert rendered == checked_in, (
        "infobip_profiles/_operations_data.py is stale: run python tools/gen_operations.py"
    )


@needs_spec
def test_a_prose_fact_the_spec_no_longer_states_fails_the_generator() -> None:
    spec = json.loads(SPEC.read_text())
    events = spec["paths"]["/people/3/events"]["post"]
    events["description"] = events["description"].replace("bytes", "octets")
    with pytest.raises(SystemExit, match="event item size"):
        _generator().render(spec)


@needs_spec
def test_two_batch_limits_for_one_operation_fail_the_generator() -> None:
    spec = json.loads(SPEC.read_text())
    merge = spec["paths"]["/people/3/persons/merge"]["post"]
    merge["description"] += " The batch size limit is 500 persons."
    with pytest.raises(SystemExit, match="several batch limits"):
        _generator().render(spec)


def test_the_tables_read_by_both_sides_are_the_generated_ones() -> None:
    assert dict(PERSON_MAX_LENGTHS) == SPEC_MAX_LENGTHS["person"]
    assert dict(COMPANY_MAX_LENGTHS) == SPEC_MAX_LENGTHS["company"]
    assert SPEC_LIMITS["contacts_per_person"] == ops.MAX_CONTACTS
    with pytest.raises(TypeError):
        ops.PERSON_MAX_LENGTHS["firstName"] = 1  # type: ignore[index]


def test_an_operation_without_a_stated_limit_is_a_key_error() -> None:
    with pytest.raises(KeyError, match="no item limit"):
        ops.batch_limit("match-people-ids")
    with pytest.raises(KeyError, match="no page size"):
        ops.page_size("list-event-definitions")
    with pytest.raises(KeyError, match="unknown operationId"):
        ops.batch_limit("no-such-operation")


# -- (b) the client's chunks are what the fake accepts ---------------------------------------------


def _persons(n: int) -> list[Person]:
    return [Person(external_id=f"p{i}") for i in range(n)]


def _refs(n: int) -> list[PersonRef]:
    return [PersonRef.external_id(f"p{i}") for i in range(n)]


def _seed_persons(client: ProfilesClient, n: int) -> None:
    client.people.create_many(_persons(n), on_error="raise")


def _seed_companies(client: ProfilesClient, n: int) -> None:
    client.companies.create_many([Company(name=f"c{i}") for i in range(n)], on_error="raise")


def _membership(add: bool) -> Callable[[ProfilesClient, int], Any]:
    def run(client: ProfilesClient, n: int) -> Any:
        _seed_persons(client, n)
        _seed_companies(client, 1)
        people = client.companies.add_people if add else client.companies.remove_people
        return people(CompanyRef.name("c0"), _refs(n))

    return run


def _tagging(add: bool) -> Callable[[ProfilesClient, int], Any]:
    def run(client: ProfilesClient, n: int) -> Any:
        _seed_persons(client, n)
        client.tags.create("vip")
        tags = client.tags.add_to_people if add else client.tags.remove_from_people
        return tags("vip", _refs(n))

    return run


def _send_events(client: ProfilesClient, n: int) -> Any:
    _seed_persons(client, 1)
    client.events.create_definition(definition_id="addToCart", title="Added to cart")
    return client.events.send_many([Event(PersonRef.external_id("p0"), "addToCart")] * n)


#: operationId -> how the client sends ``n`` items to it (seeding what it needs first).
MANY: dict[str, Callable[[ProfilesClient, int], Any]] = {
    "batch-people-create": lambda c, n: c.people.create_many(_persons(n)),
    "batch-people-update": lambda c, n: c.people.update_many(
        [(r, Person(first_name="Ada")) for r in _refs(n)]
    ),
    "batch-people-delete": lambda c, n: c.people.delete_many(_refs(n)),
    "upsert-persons-partial": lambda c, n: c.people.upsert_many(_persons(n)),
    "upsert-persons-full": lambda c, n: c.people.upsert_many(_persons(n), mode="full"),
    "merge-persons": lambda c, n: c.people.merge(_persons(n)),
    "create-companies": lambda c, n: c.companies.create_many(
        [Company(name=f"c{i}") for i in range(n)]
    ),
    "update-companies": lambda c, n: c.companies.update_many(
        [(CompanyRef.name(f"c{i}"), Company(industry="x")) for i in range(n)]
    ),
    "delete-companies": lambda c, n: c.companies.delete_many(
        [CompanyRef.name(f"c{i}") for i in range(n)]
    ),
    "batch-add-persons-to-company": _membership(add=True),
    "batch-remove-persons-from-company": _membership(add=False),
    "add-tag-to-people-batch": _tagging(add=True),
    "remove-tag-from-people-batch": _tagging(add=False),
    "send-custom-events": lambda c, n: _send_events(c, n),
}


def _items_key(body: Any) -> str | None:
    """Where a request body keeps its items (``None``: the body is the array)."""
    if isinstance(body, list):
        return None
    (key,) = (k for k, v in body.items() if isinstance(v, list) and k != "tags")
    return str(key)


def _items(body: Any) -> int:
    """How many items a request body carries."""
    key = _items_key(body)
    return len(body if key is None else body[key])


def test_every_many_item_operation_of_the_spec_is_covered() -> None:
    many = {op for op in ops.OPERATIONS if "list" not in op and _stated(op)}
    assert many == set(MANY)


def _stated(op_id: str) -> bool:
    try:
        ops.batch_limit(op_id)
    except KeyError:
        return False
    return True


@pytest.mark.nonconforming  # one item over the limit, on purpose
@pytest.mark.parametrize("op_id", sorted(MANY))
def test_the_client_chunks_at_the_limit_the_fake_enforces(
    op_id: str, fake: FakeProfiles, client: ProfilesClient, wire: Any
) -> None:
    limit = ops.batch_limit(op_id)
    MANY[op_id](client, limit + 1)
    sent = fake.calls.filter(op_id=op_id)
    assert [_items(call.body) for call in sent] == [limit, 1]
    refused = [(c.status, c.response_body) for c in sent if c.status is None or c.status >= 300]
    assert not refused
    # one item more than the client ever sends is refused by the fake, changing nothing
    first = sent[0].body
    key = _items_key(first)
    items = first if key is None else first[key]
    padded = [*items, items[0]]
    before = fake.state()
    answer = wire.request(
        sent[0].method,
        sent[0].path,
        headers={"Content-Type": "application/json"},
        content=json.dumps(padded if key is None else {**first, key: padded}).encode(),
    )
    assert answer.status_code == 400, answer.text
    assert fake.state() == before


#: The async client's calls for a few many-item operations (the plans are shared with the sync
#: client, so these check the async driver keeps the chunking).
AMANY: dict[str, Callable[[AsyncProfilesClient, int], Awaitable[Any]]] = {
    "batch-people-create": lambda c, n: c.people.create_many(_persons(n)),
    "upsert-persons-partial": lambda c, n: c.people.upsert_many(_persons(n)),
    "create-companies": lambda c, n: c.companies.create_many(
        [Company(name=f"c{i}") for i in range(n)]
    ),
    "batch-people-delete": lambda c, n: c.people.delete_many(_refs(n)),
}


@pytest.mark.parametrize("op_id", sorted(AMANY))
async def test_the_async_client_chunks_at_the_same_limit(
    op_id: str, fake: FakeProfiles, aclient: AsyncProfilesClient
) -> None:
    limit = ops.batch_limit(op_id)
    await AMANY[op_id](aclient, limit + 1)
    sent = fake.calls.filter(op_id=op_id)
    assert [_items(call.body) for call in sent] == [limit, 1]
    assert all(call.status is not None and call.status < 300 for call in sent)


@pytest.mark.nonconforming  # one item over the limit, on purpose
def test_a_list_write_carries_what_the_client_allows_and_no_more(
    client: ProfilesClient, wire: Any
) -> None:
    limit = ops.batch_limit("append-list-items")
    client.custom_attributes.create("Orders", "LIST_OF_OBJECTS", object_schema={"sku": "STRING"})
    client.people.create(Person(external_id="ada"))
    ada = PersonRef.external_id("ada")
    items = [{"sku": f"A-{i}"} for i in range(limit + 1)]
    with pytest.raises(ValueError, match=str(limit)):
        client.lists.append(ada, "Orders", items)
    assert client.lists.append(ada, "Orders", items[:limit])[-1]["sku"] == f"A-{limit - 1}"
    query = {"identifier": "ada", "type": "EXTERNAL_ID"}
    refused = wire.post("/people/3/lists/Orders/items", params=query, json=items)
    assert refused.status_code == 400, refused.text
    assert len(client.lists.get(ada, "Orders")["Orders"]) == limit


@pytest.mark.nonconforming  # one over the largest page, on purpose
@pytest.mark.parametrize(
    ("op_id", "param"),
    [
        ("get-a-single-person-or-a-list-of-people", "limit"),
        ("get-a-single-company-by-name-or-a-list-of-companies", "limit"),
        ("get-list-of-tags", "limit"),
        ("get-a-list-of-custom-attributes", "limit"),
        ("get-segments", "size"),
    ],
)
def test_the_largest_page_the_client_allows_is_the_largest_the_fake_serves(
    op_id: str, param: str, fake: FakeProfiles, client: ProfilesClient, wire: Any
) -> None:
    sizes = ops.page_size(op_id)
    path = ops.operation(op_id).path
    for value, ok in ((sizes.maximum, True), (sizes.maximum + 1, False)):
        answer = wire.get(path, params={param: value})
        assert (answer.status_code == 200) is ok, (value, answer.text)
    listing: Callable[[int], Any] = {
        "get-a-single-person-or-a-list-of-people": lambda n: client.people.list(page_size=n),
        "get-a-single-company-by-name-or-a-list-of-companies": lambda n: client.companies.list(
            page_size=n
        ),
        "get-list-of-tags": lambda n: client.tags.list(page_size=n),
        "get-a-list-of-custom-attributes": lambda n: client.custom_attributes.list(page_size=n),
        "get-segments": lambda n: client.segments.list(page_size=n),
    }[op_id]
    list(listing(sizes.maximum))
    assert fake.calls.last.param(param) == str(sizes.maximum)
    with pytest.raises(ValueError, match="page_size"):
        list(listing(sizes.maximum + 1))


def test_a_page_without_a_size_is_the_spec_default(client: ProfilesClient, wire: Any) -> None:
    default = ops.page_size("get-a-single-person-or-a-list-of-people").default
    _seed_persons(client, default + 1)
    answer = wire.get("/people/2/persons")
    assert len(answer.json()["persons"]) == default


def test_the_fake_accepts_the_identity_query_types_the_spec_lists() -> None:
    from infobip_profiles.testing.handlers import persons as handlers

    assert ops.spec_enum("query_types") == handlers.QUERY_TYPES
    assert ops.spec_enum("match_types") == handlers.MATCH_TYPES


# -- (c) nobody else writes these numbers --------------------------------------------------------


_HTTP_STATUSES = frozenset(status.value for status in http.HTTPStatus)


def _fact_numbers() -> frozenset[int]:
    """Every number of the generated data that would stand out in code: 120 and more, HTTP
    statuses aside (smaller ones, such as 50 or 100, and a 200 are too common to tell a copy from
    a coincidence)."""
    numbers = {*SPEC_BATCH_LIMITS.values(), *SPEC_LIMITS.values()}
    numbers |= {n for sizes in SPEC_PAGE_SIZES.values() for n in sizes}
    numbers |= {n for table in SPEC_MAX_LENGTHS.values() for n in table.values()}
    return frozenset(n for n in numbers if n >= 120 and n not in _HTTP_STATUSES)


FACT_VALUES = _fact_numbers()
#: Module-level names that say they hold a limit.
LIMIT_NAME = re.compile(r"(BATCH|LIMIT|MAX|PAGE|SIZE|LENGTH|CHUNK)", re.IGNORECASE)

#: (module, value) -> how many such literals may stay there, and why each is no spec fact.
ALLOWED: dict[tuple[str, int], tuple[int, str]] = {
    ("infobip_profiles/_client.py", 1000): (1, "seconds to milliseconds"),
    ("infobip_profiles/models/_events.py", 1000): (1, "microseconds to milliseconds"),
    ("infobip_profiles/resources/events.py", 1000): (1, "microseconds to milliseconds"),
    ("infobip_profiles/testing/_clock.py", 1000): (1, "seconds to milliseconds"),
    ("infobip_profiles/testing/engine/timestamps.py", 1000): (1, "microseconds to milliseconds"),
    ("infobip_profiles/testing/_errors.py", 1000): (1, "a v3 error code is status * 1000 + n"),
    ("infobip_profiles/_bulk/journal.py", 1000): (1, "failures kept in memory: our bound"),
    ("infobip_profiles/_bulk/rows.py", 256): (1, "size of a memo cache"),
    ("infobip_profiles/_decoder.py", 4096): (1, "size of a memo cache"),
    ("infobip_profiles/cli.py", 256): (1, "the call log's byte bound, 256 MiB"),
    ("infobip_profiles/cli.py", 1000): (
        1,
        "--batch-size default, built before any package module is imported (equals "
        "bulk.DEFAULT_BATCH_SIZE, asserted below)",
    ),
    ("infobip_profiles/resources/_batch.py", 255): (1, "a status-column marker byte"),
    ("infobip_profiles/testing/_server.py", 128): (1, "the listening socket's backlog"),
    ("infobip_profiles/testing/_state.py", 128): (1, "bits of a UUID"),
}
ALLOWED_NAMES = {
    ("infobip_profiles/_bulk/journal.py", "MAX_FAILURES_KEPT"): "our memory bound",
    ("infobip_profiles/_bulk_companies.py", "_LOOKUP_CHUNK"): "keys per lookup filter: ours",
    ("infobip_profiles/testing/_context.py", "MAX_BODY_DEPTH"): "the fake's recursion guard",
    ("infobip_profiles/testing/_control.py", "MAX_NAME_LENGTH"): "control API, not the spec",
    ("infobip_profiles/testing/_control.py", "_MAX_GLOB"): "control API, not the spec",
    ("infobip_profiles/testing/_control.py", "_MAX_COMPUTED_DEFINITIONS"): "control API",
    ("infobip_profiles/testing/_server.py", "_MAX_LINE"): "HTTP server line bound",
    ("infobip_profiles/testing/engine/query.py", "MAX_DEPTH"): "the fake's recursion guard",
    ("infobip_profiles/testing/engine/attributes.py", "_INT64_MAX"): "a Java long's range",
    ("infobip_profiles/testing/handlers/events.py", "_INT32_MAX"): "an int32 parameter's range",
}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if not p.name.startswith("_operations"))


def _literals(tree: ast.AST) -> list[int]:
    """The spec numbers a module writes: as integer literals, or as all-digit strings (a query
    value such as ``("limit", "1000")``)."""
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant):
            continue
        value = node.value
        number = int(value) if isinstance(value, str) and value.isdigit() else value
        if type(number) is int and number in FACT_VALUES:
            found.append(number)
    return found


def test_no_module_outside_the_operations_data_writes_a_spec_number() -> None:
    found: dict[tuple[str, int], int] = {}
    for path in _modules():
        rel = path.relative_to(REPO).as_posix()
        for value in _literals(ast.parse(path.read_text())):
            found[(rel, value)] = found.get((rel, value), 0) + 1
    extra = {key: count for key, count in found.items() if count > ALLOWED.get(key, (0, ""))[0]}
    assert not extra, f"spec numbers written outside _operations_data: {extra}"


def test_no_module_level_limit_is_a_bare_number() -> None:
    found = []
    for path in _modules():
        rel = path.relative_to(REPO).as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, (ast.Assign, ast.AnnAssign)):
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            if not (isinstance(value, ast.Constant) and type(value.value) is int):
                continue
            for target in targets:
                name = target.id if isinstance(target, ast.Name) else ""
                constant = name.lstrip("_").isupper()
                if constant and LIMIT_NAME.search(name) and (rel, name) not in ALLOWED_NAMES:
                    found.append(f"{rel}:{node.lineno} {name} = {value.value}")
    assert not found, found


def test_the_spec_enums_are_not_copied() -> None:
    """No tuple, list or set of four or more strings holds the members of a spec enum."""
    enums = {frozenset(values) for values in SPEC_ENUMS.values() if len(values) >= 4}
    copies = []
    for path in _modules():
        rel = path.relative_to(REPO).as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, (ast.Tuple, ast.List, ast.Set)) or len(node.elts) < 4:
                continue
            values = [e.value for e in node.elts if isinstance(e, ast.Constant)]
            if len(values) == len(node.elts) and frozenset(values) in enums:
                copies.append(f"{rel}:{node.lineno}")
    assert not copies, copies


def test_the_cli_batch_size_default_is_the_bulk_one() -> None:
    import argparse

    from infobip_profiles import cli
    from infobip_profiles.bulk import DEFAULT_BATCH_SIZE

    parser = argparse.ArgumentParser()
    cli._add_import(parser.add_subparsers())
    (command,) = (a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert command.choices["import"].get_default("batch_size") == DEFAULT_BATCH_SIZE
    assert ops.batch_limit("upsert-persons-partial") == DEFAULT_BATCH_SIZE


def test_the_scan_finds_a_copied_number_in_either_spelling() -> None:
    copied = ast.parse('BATCH = 1000\nquery = [("limit", "1000")]\n"""1000 in a docstring"""\n')
    assert _literals(copied) == [1000, 1000]
