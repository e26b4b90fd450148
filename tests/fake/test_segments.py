"""The fake's segments (v3) at the wire level, in-process and over loopback HTTP.

docs/fake-semantics.md: create 201, get, replace, delete 204, 0-based ``page``/``size`` with the
``{results, paging}`` envelope, unique names, the segments error envelope on every error, and the
persons in a segment evaluated live.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from infobip_profiles import (
    BadRequestError,
    EventCondition,
    NotFoundError,
    OccurrenceCondition,
    OccurrenceOperation,
    PayloadCondition,
    PayloadOperator,
    TimelineCondition,
    TimeUnit,
)
from infobip_profiles.filters import F

SEGMENTS = "/people/3/segments"
DEFINITIONS = "/peopleevents/2/definitions"
PURCHASE = {
    "definitionId": "purchase",
    "title": "Purchase",
    "fields": [{"name": "sku", "type": "String"}, {"name": "amount", "type": "Decimal"}],
}


def violations(response: httpx.Response) -> list[dict[str, str]]:
    """The segments envelope's violations (fails the test if the body is not that envelope)."""
    body = response.json()
    assert set(body) == {"errorCode", "description", "action", "violations", "resources"}, body
    result: list[dict[str, str]] = body["violations"]
    return result


def person(first: str, email: str, **extra: Any) -> dict[str, Any]:
    return {"firstName": first, "contactInformation": {"email": [{"address": email}]}, **extra}


def create(wire: Any, **body: Any) -> dict[str, Any]:
    response = wire.post(SEGMENTS, json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


# -- create ---------------------------------------------------------------------------------------


def test_create_answers_201_with_the_stored_segment(wire: Any) -> None:
    response = wire.post(
        SEGMENTS,
        json={"name": "VIP", "description": "Very important", "query": {"firstName": "Ada"}},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["id"] == 1
    assert (body["name"], body["description"]) == ("VIP", "Very important")
    assert body["query"] == {"firstName": "Ada"}
    assert body["events"] == []
    assert body["createdAt"] == body["modifiedAt"]
    assert body["createdAt"].endswith("Z")


def test_create_keeps_event_clauses(wire: Any) -> None:
    assert wire.post(DEFINITIONS, json=PURCHASE).status_code == 201
    clause = {
        "definitionId": "purchase",
        "timelineCondition": {"occurred": "ALL", "operator": "AFTER", "start": 7, "units": "DAYS"},
        "occurrenceCondition": {"operation": "GREATER_THAN", "times": 1},
        "payloadConditions": [{"attribute": "amount", "operator": "GTE", "value": "10"}],
    }

    body = create(wire, name="Buyers", events=[clause])

    assert body["events"] == [clause]


def test_an_unknown_event_definition_is_e400(wire: Any) -> None:
    clause = {
        "definitionId": "neverDefined",
        "timelineCondition": {"occurred": "ALL", "operator": "EMPTY"},
    }

    response = wire.post(SEGMENTS, json={"name": "Ghosts", "events": [clause]})

    assert response.status_code == 400
    assert violations(response) == [
        {
            "property": "events[0].definitionId",
            "violation": "event definition neverDefined does not exist",
        }
    ]


@pytest.mark.nonconforming
def test_create_without_a_name_is_e400(wire: Any) -> None:
    response = wire.post(SEGMENTS, json={"description": "nameless"})

    assert response.status_code == 400
    assert response.json()["errorCode"] == "E400"
    assert violations(response) == [{"property": "name", "violation": "must not be null"}]


def test_duplicate_name_is_e400_and_stores_nothing(wire: Any) -> None:
    create(wire, name="VIP")

    response = wire.post(SEGMENTS, json={"name": "vip"})

    assert response.status_code == 400
    assert violations(response)[0]["property"] == "name"
    assert wire.get(SEGMENTS).json()["paging"]["totalResults"] == 1


def test_an_invalid_query_is_e400_naming_the_query(wire: Any) -> None:
    response = wire.post(SEGMENTS, json={"name": "Bad", "query": {"#gt": {"noSuchAttr": 1}}})

    assert response.status_code == 400
    assert [v["property"] for v in violations(response)] == ["query"]


@pytest.mark.nonconforming
@pytest.mark.parametrize(
    ("clause", "prop"),
    [
        ({"timelineCondition": {"occurred": "ALL", "operator": "EMPTY"}}, "events[0].definitionId"),
        ({"definitionId": "x"}, "events[0].timelineCondition"),
        (
            {
                "definitionId": "x",
                "timelineCondition": {"occurred": "SOMETIMES", "operator": "EMPTY"},
            },
            "events[0].timelineCondition.occurred",
        ),
        (
            {"definitionId": "x", "timelineCondition": {"occurred": "ALL", "operator": "AFTER"}},
            "events[0].timelineCondition.start",
        ),
        (
            {
                "definitionId": "x",
                "timelineCondition": {"occurred": "ALL", "operator": "AFTER", "start": 3},
            },
            "events[0].timelineCondition.units",
        ),
        (
            {
                "definitionId": "x",
                "timelineCondition": {"occurred": "ALL", "operator": "EMPTY"},
                "occurrenceCondition": {"operation": "ABOUT", "times": 1},
            },
            "events[0].occurrenceCondition.operation",
        ),
        (
            {
                "definitionId": "x",
                "timelineCondition": {"occurred": "ALL", "operator": "EMPTY"},
                "payloadConditions": [{"attribute": "a", "operator": "EQ", "value": 5}],
            },
            "events[0].payloadConditions[0].value",
        ),
    ],
    ids=["no-definition", "no-timeline", "bad-occurred", "no-start", "no-units", "bad-op", "value"],
)
def test_an_invalid_event_clause_is_e400_naming_the_property(
    wire: Any, clause: dict[str, Any], prop: str
) -> None:
    response = wire.post(SEGMENTS, json={"name": "Bad", "events": [clause]})

    assert response.status_code == 400
    assert prop in [v["property"] for v in violations(response)]


@pytest.mark.nonconforming
@pytest.mark.parametrize("key", ["description", "query", "events"])
def test_explicit_null_is_e400(wire: Any, key: str) -> None:
    response = wire.post(SEGMENTS, json={"name": "Nulls", key: None})

    assert response.status_code == 400
    assert violations(response) == [{"property": key, "violation": "must not be null"}]


@pytest.mark.nonconforming
def test_a_body_that_is_not_json_is_e400(wire: Any) -> None:
    response = wire.post(SEGMENTS, content=b"{nope", headers={"Content-Type": "application/json"})

    assert response.status_code == 400
    assert response.json()["errorCode"] == "E400"


# -- get / replace / delete -----------------------------------------------------------------------


def test_get_returns_the_segment(wire: Any) -> None:
    created = create(wire, name="VIP", query={"firstName": "Ada"})

    response = wire.get(f"{SEGMENTS}/{created['id']}")

    assert response.status_code == 200
    assert response.json() == created


def test_get_unknown_is_e404(wire: Any) -> None:
    response = wire.get(f"{SEGMENTS}/99")

    assert response.status_code == 404
    assert response.json()["errorCode"] == "E404"
    violations(response)


@pytest.mark.nonconforming
@pytest.mark.parametrize(
    "segment_id", ["abc", "1_0", "\u0661"]
)  # 1_0 and Arabic 1: int() reads them
def test_a_non_numeric_id_is_e404(wire: Any, segment_id: str) -> None:
    create(wire, name="VIP")

    response = wire.get(f"{SEGMENTS}/{segment_id}")

    assert response.status_code == 404
    assert response.json()["errorCode"] == "E404"


def test_replace_clears_what_the_body_leaves_out(wire: Any) -> None:
    created = create(wire, name="VIP", description="old", query={"firstName": "Ada"})
    wire.fake.clock.advance(5)

    response = wire.put(f"{SEGMENTS}/{created['id']}", json={"name": "VVIP"})

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "VVIP"
    assert "description" not in body
    assert body["query"] == {}
    assert body["createdAt"] == created["createdAt"]
    assert body["modifiedAt"] > created["modifiedAt"]


def test_replace_may_keep_its_own_name(wire: Any) -> None:
    created = create(wire, name="VIP")

    response = wire.put(f"{SEGMENTS}/{created['id']}", json={"name": "VIP", "description": "x"})

    assert response.status_code == 200


def test_replace_with_another_segments_name_is_e400_and_changes_nothing(wire: Any) -> None:
    create(wire, name="VIP")
    other = create(wire, name="Regulars")

    response = wire.put(f"{SEGMENTS}/{other['id']}", json={"name": "VIP"})

    assert response.status_code == 400
    assert wire.get(f"{SEGMENTS}/{other['id']}").json()["name"] == "Regulars"


def test_replace_unknown_is_e404(wire: Any) -> None:
    response = wire.put(f"{SEGMENTS}/5", json={"name": "x"})

    assert response.status_code == 404
    assert response.json()["errorCode"] == "E404"


def test_delete_answers_204_and_the_segment_is_gone(wire: Any) -> None:
    created = create(wire, name="VIP")

    response = wire.delete(f"{SEGMENTS}/{created['id']}")

    assert response.status_code == 204
    assert response.content == b""
    assert wire.get(f"{SEGMENTS}/{created['id']}").status_code == 404


def test_delete_unknown_is_e404(wire: Any) -> None:
    response = wire.delete(f"{SEGMENTS}/3")

    assert response.status_code == 404
    assert response.json()["errorCode"] == "E404"


# -- list -----------------------------------------------------------------------------------------


def test_list_is_0_based_with_the_paging_envelope(wire: Any) -> None:
    for name in ("a", "b", "c"):
        create(wire, name=name)

    response = wire.get(SEGMENTS, params={"page": 1, "size": 2})

    assert response.status_code == 200
    body = response.json()
    assert [s["name"] for s in body["results"]] == ["c"]
    assert body["paging"] == {"page": 1, "size": 2, "totalPages": 2, "totalResults": 3}


def test_list_defaults_to_page_0_of_20(wire: Any) -> None:
    body = wire.get(SEGMENTS).json()

    assert body == {
        "results": [],
        "paging": {"page": 0, "size": 20, "totalPages": 0, "totalResults": 0},
    }


def test_list_sorts_by_each_sort_parameter(wire: Any) -> None:
    for name in ("b", "c", "a"):
        create(wire, name=name)

    body = wire.get(SEGMENTS, params={"sort": "name,desc"}).json()

    assert [s["name"] for s in body["results"]] == ["c", "b", "a"]


@pytest.mark.nonconforming
@pytest.mark.parametrize(
    ("params", "prop"),
    [
        ({"size": 0}, "size"),
        ({"size": 1001}, "size"),
        ({"size": "x"}, "size"),
        ({"page": "x"}, "page"),
        ({"page": "1_0"}, "page"),  # Python's int() would take these; the spec's integer does not
        ({"size": " 5"}, "size"),
    ],
)
def test_list_with_paging_the_spec_forbids_is_e400(
    wire: Any, params: dict[str, Any], prop: str
) -> None:
    response = wire.get(SEGMENTS, params=params)

    assert response.status_code == 400
    assert [v["property"] for v in violations(response)] == [prop]


def test_a_negative_page_reads_as_page_0(wire: Any) -> None:
    create(wire, name="a")

    body = wire.get(SEGMENTS, params={"page": -1}).json()

    assert body["paging"]["page"] == 0
    assert [s["name"] for s in body["results"]] == ["a"]


def test_a_page_of_40_digits_is_still_read_leniently(wire: Any) -> None:
    # The spec types page as an unbounded integer: a very negative one is page 0, no 400.
    create(wire, name="a")

    body = wire.get(SEGMENTS, params={"page": "-" + "9" * 40}).json()

    assert body["paging"]["page"] == 0
    assert [s["name"] for s in body["results"]] == ["a"]


@pytest.mark.parametrize("sort", ["color,asc", "name,up"])
def test_list_ignores_an_unusable_sort(wire: Any, sort: str) -> None:
    for name in ("b", "a"):
        create(wire, name=name)

    body = wire.get(SEGMENTS, params={"sort": sort}).json()

    assert [s["name"] for s in body["results"]] == ["b", "a"]


def test_errors_outside_validation_also_use_the_segments_envelope(wire: Any) -> None:
    wire.fake.inject(503, op_id="get-segments")

    response = wire.get(SEGMENTS)

    assert response.status_code == 503
    assert response.json()["errorCode"] == "E503"


# -- persons in a segment -------------------------------------------------------------------------


def test_persons_are_those_matching_the_query_in_the_v3_shape(wire: Any) -> None:
    wire.fake.seed(
        people=[
            person("Ada", "ada@example.com", tags=["VIP"]),
            person("Bob", "bob@example.com"),
        ]
    )
    segment = create(wire, name="VIP", query={"#contains": {"tags": "VIP"}})

    response = wire.get(f"{SEGMENTS}/{segment['id']}/persons")

    assert response.status_code == 200
    body = response.json()
    assert [p["firstName"] for p in body["results"]] == ["Ada"]
    assert {"type": "EMAIL", "identifier": "ada@example.com"}.items() <= body["results"][0][
        "contactInformation"
    ][0].items()
    assert body["paging"] == {"page": 0, "size": 20, "totalPages": 1, "totalResults": 1}


def test_persons_are_evaluated_live(wire: Any) -> None:
    segment = create(wire, name="Adas", query={"firstName": "Ada"})
    before = wire.get(f"{SEGMENTS}/{segment['id']}/persons").json()["results"]

    wire.fake.seed(people=[person("Ada", "ada@example.com")])
    after = wire.get(f"{SEGMENTS}/{segment['id']}/persons").json()["results"]

    assert before == []
    assert [p["firstName"] for p in after] == ["Ada"]


def test_a_segment_without_query_holds_everyone(wire: Any) -> None:
    wire.fake.seed(people=[person("Ada", "ada@example.com"), person("Bob", "bob@example.com")])
    segment = create(wire, name="All")

    body = wire.get(f"{SEGMENTS}/{segment['id']}/persons").json()

    assert body["paging"]["totalResults"] == 2


def test_persons_page_from_zero(wire: Any) -> None:
    wire.fake.seed(people=[person(n, f"{n.lower()}@example.com") for n in ("Ada", "Bob", "Cy")])
    segment = create(wire, name="All")

    body = wire.get(
        f"{SEGMENTS}/{segment['id']}/persons",
        params={"page": 1, "size": 2, "sort": "firstName,asc"},
    ).json()

    assert [p["firstName"] for p in body["results"]] == ["Cy"]
    assert body["paging"]["totalPages"] == 2


def test_persons_of_an_unknown_segment_is_e404(wire: Any) -> None:
    response = wire.get(f"{SEGMENTS}/42/persons")

    assert response.status_code == 404
    assert response.json()["errorCode"] == "E404"


# -- persons in a segment: event clauses ------------------------------------------------------------

NOW = datetime(2026, 3, 10, 12, 0, 0, tzinfo=timezone.utc)


@pytest.fixture
def shop(wire: Any) -> Any:
    """Ada bought twice (1 and 5 days ago), Bob once (20 days ago), Cy never."""
    wire.fake.clock.freeze(NOW)
    wire.fake.seed(
        people=[
            person("Ada", "ada@example.com"),
            person("Bob", "bob@example.com"),
            person("Cy", "cy@example.com"),
        ]
    )
    assert wire.post(DEFINITIONS, json=PURCHASE).status_code == 201

    def bought(email: str, days_ago: int, sku: str, amount: float) -> dict[str, Any]:
        moment = NOW - timedelta(days=days_ago)
        return {
            "definitionId": "purchase",
            "occurredTime": moment.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "identifier": {"id": email, "type": "EMAIL"},
            "properties": {"sku": sku, "amount": amount},
        }

    batch = [
        bought("ada@example.com", 1, "shoe-red", 120.0),
        bought("ada@example.com", 5, "hat-blue", 30.0),
        bought("bob@example.com", 20, "shoe-blue", 80.0),
    ]
    assert wire.post("/people/3/events", json=batch).status_code == 202
    return wire


def members(wire: Any, *clauses: dict[str, Any], query: dict[str, Any] | None = None) -> list[str]:
    body: dict[str, Any] = {"name": f"segment-{len(wire.get(SEGMENTS).json()['results'])}"}
    body["events"] = list(clauses)
    if query is not None:
        body["query"] = query
    segment = create(wire, **body)
    results = wire.get(f"{SEGMENTS}/{segment['id']}/persons").json()["results"]
    return [p["firstName"] for p in results]


def clause(**timeline: Any) -> dict[str, Any]:
    extra = {
        k: timeline.pop(k) for k in ("occurrenceCondition", "payloadConditions") if k in timeline
    }
    return {
        "definitionId": "purchase",
        "timelineCondition": {"occurred": "ALL", "operator": "EMPTY", **timeline},
        **extra,
    }


def test_an_event_clause_keeps_those_who_had_the_event(shop: Any) -> None:
    assert members(shop, clause()) == ["Ada", "Bob"]


def test_not_keeps_those_who_never_had_it(shop: Any) -> None:
    assert members(shop, clause(occurred="NOT")) == ["Cy"]


def test_after_is_the_last_n_units(shop: Any) -> None:
    assert members(shop, clause(operator="AFTER", start=7, units="DAYS")) == ["Ada"]


def test_before_is_longer_ago_than_n_units(shop: Any) -> None:
    assert members(shop, clause(operator="BEFORE", start=10, units="DAYS")) == ["Bob"]


def test_between_is_a_relative_window(shop: Any) -> None:
    assert members(shop, clause(operator="BETWEEN", start=6, end=2, units="DAYS")) == ["Ada"]


def test_absolute_windows_take_unix_seconds(shop: Any) -> None:
    since = int((NOW - timedelta(days=10)).timestamp())

    assert members(shop, clause(operator="AFTER_ABS", start=since)) == ["Ada"]


def test_first_asks_that_the_first_occurrence_is_in_the_window(shop: Any) -> None:
    # Ada's first purchase was 5 days ago, so it is not within the last 2 days.
    assert members(shop, clause(occurred="FIRST", operator="AFTER", start=2, units="DAYS")) == []


def test_last_asks_that_the_last_occurrence_is_in_the_window(shop: Any) -> None:
    assert members(shop, clause(occurred="LAST", operator="AFTER", start=2, units="DAYS")) == [
        "Ada"
    ]


def test_occurrence_condition_counts_the_events(shop: Any) -> None:
    twice = clause(occurrenceCondition={"operation": "GREATER_OR_EQUAL", "times": 2})

    assert members(shop, twice) == ["Ada"]


def test_payload_conditions_compare_numbers_as_numbers(shop: Any) -> None:
    big = clause(payloadConditions=[{"attribute": "amount", "operator": "GT", "value": "100"}])

    assert members(shop, big) == ["Ada"]


def test_payload_conditions_compare_text(shop: Any) -> None:
    shoes = clause(payloadConditions=[{"attribute": "sku", "operator": "SW", "value": "shoe"}])
    blue = clause(payloadConditions=[{"attribute": "sku", "operator": "EW", "value": "blue"}])

    assert (members(shop, shoes), members(shop, blue)) == (["Ada", "Bob"], ["Ada", "Bob"])


def test_query_and_event_clauses_must_both_hold(shop: Any) -> None:
    assert members(shop, clause(), query={"firstName": "Bob"}) == ["Bob"]


def test_membership_follows_new_events(shop: Any) -> None:
    segment = create(
        shop, name="Recent buyers", events=[clause(operator="AFTER", start=1, units="HOURS")]
    )
    path = f"{SEGMENTS}/{segment['id']}/persons"
    before = shop.get(path).json()["results"]

    batch = [
        {
            "definitionId": "purchase",
            "occurredTime": NOW.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "identifier": {"id": "cy@example.com", "type": "EMAIL"},
            "properties": {"sku": "sock", "amount": 5.0},
        }
    ]
    shop.post("/people/3/events", json=batch)
    after = shop.get(path).json()["results"]

    assert before == []
    assert [p["firstName"] for p in after] == ["Cy"]


# -- through the SDK client -----------------------------------------------------------------------


def test_the_client_round_trips_a_segment_with_event_clauses(shop: Any, client: Any) -> None:
    created = client.segments.create(
        "Big spenders",
        description="Bought something over 100 this week",
        query=F("firstName") == "Ada",
        events=[
            EventCondition(
                definition_id="purchase",
                timeline_condition=TimelineCondition.within_last(7, TimeUnit.DAYS),
                occurrence_condition=OccurrenceCondition(
                    operation=OccurrenceOperation.GREATER_OR_EQUAL, times=1
                ),
                payload_conditions=[PayloadCondition("amount", PayloadOperator.GT, "100")],
            )
        ],
    )

    fetched = client.segments.get(created.id)

    assert fetched.name == "Big spenders"
    assert fetched.query == {"firstName": "Ada"}
    assert fetched.events[0].timeline_condition.units is TimeUnit.DAYS
    assert [p.first_name for p in client.segments.people(created.id)] == ["Ada"]


def test_the_client_pages_through_segments_and_members(shop: Any, client: Any) -> None:
    for name in ("a", "b", "c"):
        client.segments.create(name)

    names = [s.name for s in client.segments.list(page_size=2, sort="name,desc")]
    people = client.segments.people(1, page_size=2, sort="firstName,desc").to_list()

    assert names == ["c", "b", "a"]
    assert [p.first_name for p in people] == ["Cy", "Bob", "Ada"]
    assert people[0].emails == ["cy@example.com"]


def test_the_client_replaces_and_deletes(shop: Any, client: Any) -> None:
    segment = client.segments.create("Old", description="to be cleared")

    replaced = client.segments.update(segment.id, "New")
    client.segments.delete(segment.id)

    assert (replaced.name, replaced.description) == ("New", None)
    with pytest.raises(NotFoundError):
        client.segments.get(segment.id)


def test_the_client_sees_a_duplicate_name_as_bad_request(client: Any) -> None:
    client.segments.create("VIP")

    with pytest.raises(BadRequestError) as caught:
        client.segments.create("VIP")

    assert caught.value.message_id == "E400"
    assert "name" in caught.value.validation_errors


async def test_the_async_client_lists_members(shop: Any, aclient: Any) -> None:
    segment = await aclient.segments.create("Everyone")

    people = await aclient.segments.people(segment.id).to_list()

    assert len(people) == 3
