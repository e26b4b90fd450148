"""Tags at the wire level (docs/fake-semantics.md)."""

from __future__ import annotations

import pytest

from tests._support.persons import PERSONS, by, create, fetch
from tests._support.wire import Wire

TAGS = "/people/2/tags"


def make(wire: Wire, name: str) -> dict:
    response = wire.post(TAGS, json={"name": name})
    assert response.status_code == 200, response.text
    tag: dict = response.json()
    return tag


def test_create_answers_200_with_the_tag(wire: Wire) -> None:
    wire.fake.clock.freeze()

    tag = make(wire, "VIP")

    assert tag["name"] == "VIP"
    assert isinstance(tag["id"], int)
    assert tag["createdAt"] == tag["modifiedAt"] == wire.fake.clock.v2_timestamp()


def test_duplicate_ignoring_case_is_400_and_changes_nothing(wire: Wire) -> None:
    make(wire, "VIP")

    response = wire.post(TAGS, json={"name": "vip"})

    assert response.status_code == 400
    assert response.json()["requestError"]["serviceException"]["text"] == (
        "Tag with name vip already exists"
    )
    assert [t["name"] for t in wire.fake.tags()] == ["VIP"]


@pytest.mark.nonconforming
@pytest.mark.parametrize("body", [{}, {"name": ""}, {"name": "x" * 257}])
def test_invalid_names_are_400(wire: Wire, body: dict) -> None:
    response = wire.post(TAGS, json=body)

    assert response.status_code == 400
    assert "name" in response.json()["requestError"]["serviceException"]["validationErrors"]


def test_get_by_name_ignores_case(wire: Wire) -> None:
    created = make(wire, "VIP")

    response = wire.get(f"{TAGS}/vip")

    assert response.status_code == 200
    assert response.json() == created


def test_get_unknown_is_404(wire: Wire) -> None:
    response = wire.get(f"{TAGS}/nope")

    assert response.status_code == 404
    assert response.json()["requestError"]["serviceException"]["messageId"] == "NOT_FOUND"


def test_list_is_a_bare_array(wire: Wire) -> None:
    make(wire, "b")
    make(wire, "a")

    response = wire.get(TAGS)

    assert response.status_code == 200
    assert [t["name"] for t in response.json()] == ["b", "a"]


def test_list_orders_and_pages(wire: Wire) -> None:
    for name in ["c", "a", "b"]:
        make(wire, name)

    response = wire.get(TAGS, params={"orderBy": "name:asc", "limit": "2", "page": "2"})

    assert [t["name"] for t in response.json()] == ["c"]


def test_list_order_desc(wire: Wire) -> None:
    for name in ["c", "a", "b"]:
        make(wire, name)

    response = wire.get(TAGS, params={"orderBy": "name:desc"})

    assert [t["name"] for t in response.json()] == ["c", "b", "a"]


@pytest.mark.nonconforming
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "2147483648"}, "page"),  # past int32, as the spec types it
        ({"limit": ""}, "limit"),
        ({"includeTotalCount": "x"}, "includeTotalCount"),
    ],
)
def test_list_with_a_paging_parameter_the_spec_forbids_is_a_400(
    wire: Wire, params: dict[str, str], field: str
) -> None:
    response = wire.get(TAGS, params=params)

    assert response.status_code == 400
    exc = response.json()["requestError"]["serviceException"]
    assert list(exc["validationErrors"]) == [field]


def test_delete_answers_200_with_a_string(wire: Wire) -> None:
    make(wire, "VIP")

    response = wire.delete(f"{TAGS}/VIP")

    assert response.status_code == 200
    assert isinstance(response.json(), str)
    assert wire.get(f"{TAGS}/VIP").status_code == 404


def test_delete_strips_the_tag_from_every_person(wire: Wire) -> None:
    create(wire, externalId="a", tags=["VIP", "beta"])
    create(wire, externalId="b", tags=["vip"])

    wire.delete(f"{TAGS}/vip")

    assert fetch(wire, "EXTERNAL_ID", "a").json()["tags"] == ["beta"]
    assert fetch(wire, "EXTERNAL_ID", "b").json()["tags"] == []


def test_delete_unknown_is_404(wire: Wire) -> None:
    assert wire.delete(f"{TAGS}/nope").status_code == 404


def test_add_to_people_tags_each_matched_person(wire: Wire) -> None:
    make(wire, "VIP")
    create(wire, externalId="a")
    create(wire, email="b@x.com")
    people = [
        {"query": {"type": "EXTERNAL_ID", "identifier": "a"}},
        {"query": {"type": "EMAIL", "identifier": "B@x.com"}},
    ]

    response = wire.patch(f"{TAGS}/vip/persons", json={"people": people})

    assert response.status_code == 200
    assert fetch(wire, "EXTERNAL_ID", "a").json()["tags"] == ["VIP"]
    assert fetch(wire, "EMAIL", "b@x.com").json()["tags"] == ["VIP"]


def test_re_adding_is_a_no_op(wire: Wire) -> None:
    make(wire, "VIP")
    create(wire, externalId="a", tags=["VIP"])
    people = [{"query": {"type": "EXTERNAL_ID", "identifier": "a"}}]

    wire.patch(f"{TAGS}/VIP/persons", json={"people": people})

    assert fetch(wire, "EXTERNAL_ID", "a").json()["tags"] == ["VIP"]


def test_remove_from_people(wire: Wire) -> None:
    create(wire, externalId="a", tags=["VIP", "beta"])
    people = [{"query": {"type": "EXTERNAL_ID", "identifier": "a"}}]

    response = wire.delete(f"{TAGS}/VIP/persons", json={"people": people})

    assert response.status_code == 200
    assert fetch(wire, "EXTERNAL_ID", "a").json()["tags"] == ["beta"]
    assert [t["name"] for t in wire.fake.tags()] == ["VIP", "beta"], "the tag itself stays"


def test_add_unknown_tag_to_people_is_404(wire: Wire) -> None:
    create(wire, externalId="a")
    people = [{"query": {"type": "EXTERNAL_ID", "identifier": "a"}}]

    response = wire.patch(f"{TAGS}/nope/persons", json={"people": people})

    assert response.status_code == 404
    assert fetch(wire, "EXTERNAL_ID", "a").json()["tags"] == []


@pytest.mark.nonconforming
def test_more_than_1000_people_is_400(wire: Wire) -> None:
    make(wire, "VIP")
    people = [{"query": {"type": "EXTERNAL_ID", "identifier": str(i)}} for i in range(1001)]

    assert wire.patch(f"{TAGS}/VIP/persons", json={"people": people}).status_code == 400


def test_person_patch_with_a_new_tag_creates_it(wire: Wire) -> None:
    create(wire, externalId="a")

    wire.patch(PERSONS, params=by("EXTERNAL_ID", "a"), json={"tags": ["fresh"]})

    assert wire.get(f"{TAGS}/fresh").status_code == 200
