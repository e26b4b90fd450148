"""Companies at the wire level (docs/fake-semantics.md), in-process and over HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests._support.wire import service_exception

COMPANIES = "/people/2/companies"
BATCH = "/people/2/companies/batch"
MEMBERS = "/people/2/companies/persons"


def create(wire: Any, **fields: Any) -> dict[str, Any]:
    response = wire.post(COMPANIES, json=fields)
    assert response.status_code == 200, response.text
    return dict(response.json())


def person(wire: Any, external_id: str) -> dict[str, Any]:
    response = wire.post("/people/2/persons", json={"externalId": external_id})
    assert response.status_code == 200, response.text
    return dict(response.json())


def people(*external_ids: str) -> dict[str, Any]:
    return {"people": [{"query": {"identifier": e, "type": "EXTERNAL_ID"}} for e in external_ids]}


def names(wire: Any) -> list[str]:
    return [c["name"] for c in wire.fake.companies()]


def members(wire: Any, name: str) -> list[int]:
    return next(c["persons"] for c in wire.fake.companies() if c["name"] == name)


# -- create ---------------------------------------------------------------------------------------


def test_create_answers_200_with_the_stored_company(wire) -> None:
    response = wire.post(COMPANIES, json={"name": "Acme", "domains": ["acme.example"]})

    assert response.status_code == 200
    company = response.json()
    assert isinstance(company["id"], int)
    assert company["name"] == "Acme"
    assert company["domains"] == ["acme.example"]
    assert company["origin"] == "API"
    assert company["createdAt"] == company["modifiedAt"]


def test_create_ignores_read_only_fields(wire) -> None:
    company = create(wire, name="Acme", id=999, createdAt="2000-01-01T00:00:00")

    assert company["id"] != 999
    assert company["createdAt"] != "2000-01-01T00:00:00"


@pytest.mark.nonconforming
def test_create_without_name_is_a_400_naming_the_field(wire) -> None:
    response = wire.post(COMPANIES, json={"domains": ["x.example"]})

    assert response.status_code == 400
    assert "name" in service_exception(response)["validationErrors"]
    assert wire.fake.companies() == ()


@pytest.mark.nonconforming
def test_create_with_a_too_long_field_is_a_400(wire) -> None:
    response = wire.post(COMPANIES, json={"name": "Acme", "vatNumber": "x" * 51})

    assert response.status_code == 400
    assert "vatNumber" in service_exception(response)["validationErrors"]


def test_names_are_unique_ignoring_case(wire) -> None:
    create(wire, name="Acme")

    response = wire.post(COMPANIES, json={"name": "ACME"})

    assert response.status_code == 409
    assert "lower(name)" in service_exception(response)["text"]
    assert names(wire) == ["Acme"]


def test_a_domain_belongs_to_one_company(wire) -> None:
    create(wire, name="Acme", domains=["acme.example"])

    response = wire.post(COMPANIES, json={"name": "Other", "domains": ["ACME.example"]})

    assert response.status_code == 409
    assert names(wire) == ["Acme"]


# -- selectors ------------------------------------------------------------------------------------


def test_get_by_each_selector_finds_the_company(wire) -> None:
    acme = create(wire, name="Acme", externalId="acct-9", domains=["acme.example"])

    for params in (
        {"id": str(acme["id"])},
        {"externalId": "acct-9"},
        {"name": "aCmE"},
        {"domain": "ACME.EXAMPLE"},
    ):
        response = wire.get(COMPANIES, params=params)
        assert response.status_code == 200, params
        assert [c["id"] for c in response.json()["companies"]] == [acme["id"]]


def test_get_with_two_selectors_is_a_400(wire) -> None:
    create(wire, name="Acme", externalId="acct-9")

    response = wire.get(COMPANIES, params={"name": "Acme", "externalId": "acct-9"})

    assert response.status_code == 400
    assert service_exception(response)["messageId"] == "BAD_REQUEST"


def test_get_unknown_company_is_a_404(wire) -> None:
    response = wire.get(COMPANIES, params={"name": "Nobody"})

    assert response.status_code == 404
    assert service_exception(response)["messageId"] == "NOT_FOUND"


def test_patch_without_a_selector_is_a_400_that_changes_nothing(wire) -> None:
    create(wire, name="Acme")

    response = wire.patch(COMPANIES, json={"notes": "x"})

    assert response.status_code == 400
    assert "notes" not in wire.fake.companies()[0]


def test_delete_with_two_selectors_is_a_400_that_changes_nothing(wire) -> None:
    acme = create(wire, name="Acme")

    response = wire.delete(COMPANIES, params={"id": str(acme["id"]), "name": "Acme"})

    assert response.status_code == 400
    assert names(wire) == ["Acme"]


# -- list -----------------------------------------------------------------------------------------


def test_list_pages_from_1_with_limit(wire) -> None:
    for name in ("A", "B", "C"):
        create(wire, name=name)

    response = wire.get(COMPANIES, params={"page": "2", "limit": "2", "includeTotalCount": "true"})

    body = response.json()
    assert [c["name"] for c in body["companies"]] == ["C"]
    assert (body["page"], body["limit"], body["totalCount"]) == (2, 2, 3)


@pytest.mark.nonconforming
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"includeTotalCount": ""}, "includeTotalCount"),
        ({"includeTotalCount": "maybe"}, "includeTotalCount"),
        ({"page": "2147483648"}, "page"),
        ({"limit": "x"}, "limit"),
    ],
)
def test_list_with_a_paging_parameter_the_spec_forbids_is_a_400(
    wire, params: dict[str, str], field: str
) -> None:
    response = wire.get(COMPANIES, params=params)

    assert response.status_code == 400
    assert list(service_exception(response)["validationErrors"]) == [field]


@pytest.mark.nonconforming
@pytest.mark.parametrize("value", ["", " 1", "1_0", "\u0661", "1\n"])
def test_an_id_selector_that_is_not_an_integer_is_a_400(wire, value: str) -> None:
    create(wire, name="Acme")

    response = wire.delete(COMPANIES, params={"id": value})

    assert response.status_code == 400
    assert service_exception(response)["validationErrors"] == {"id": ["must be an integer"]}
    assert names(wire) == ["Acme"]


@pytest.mark.parametrize("depth", [65, 3000])
def test_list_filter_nested_too_deeply_is_400_not_a_crash(wire, depth: int) -> None:
    # 65: past the fake's limit; 3000: past what Python's JSON decoder can follow at all.
    nested = '{"#and":[' * depth + "]}" * depth if depth < 100 else "[" * depth + "]" * depth

    response = wire.get(COMPANIES, params={"filter": nested})

    assert response.status_code == 400
    assert service_exception(response)["text"].startswith("Invalid filter")


@pytest.mark.nonconforming
def test_a_lookup_with_a_total_flag_that_is_not_a_boolean_is_400(wire) -> None:
    create(wire, name="Acme")

    response = wire.get(COMPANIES, params={"name": "Acme", "includeTotalCount": "1"})

    assert response.status_code == 400
    assert list(service_exception(response)["validationErrors"]) == ["includeTotalCount"]


def test_list_orders_by_name_ignoring_case(wire) -> None:
    for name in ("beta", "Alpha", "Gamma"):
        create(wire, name=name)

    response = wire.get(COMPANIES, params={"orderBy": "name:desc"})

    assert [c["name"] for c in response.json()["companies"]] == ["Gamma", "beta", "Alpha"]


def test_list_filters(wire) -> None:
    create(wire, name="Acme", industry="Retail")
    create(wire, name="Beta", industry="Finance")

    response = wire.get(COMPANIES, params={"filter": '{"industry":"Retail"}'})

    assert [c["name"] for c in response.json()["companies"]] == ["Acme"]


def test_list_filters_on_domains(wire) -> None:
    create(wire, name="Acme", domains=["acme.example", "acme.test"])
    create(wire, name="Beta", domains=["beta.example"])

    response = wire.get(COMPANIES, params={"filter": '{"#contains":{"domains":"acme.test"}}'})

    assert [c["name"] for c in response.json()["companies"]] == ["Acme"]


def test_list_filter_refuses_not_contain(wire) -> None:
    response = wire.get(COMPANIES, params={"filter": '{"#notContain":{"name":"x"}}'})

    assert response.status_code == 400
    assert "#notContain" in service_exception(response)["text"]


def test_list_refuses_an_unknown_order_field(wire) -> None:
    response = wire.get(COMPANIES, params={"orderBy": "industry:asc"})

    assert response.status_code == 400


# -- update ---------------------------------------------------------------------------------------


def test_patch_keeps_omitted_fields_and_appends_tags_and_domains(wire) -> None:
    create(wire, name="Acme", industry="Retail", tags=["Partner"], domains=["acme.example"])

    response = wire.patch(
        COMPANIES,
        params={"name": "Acme"},
        json={"tags": ["partner", "VIP"], "domains": ["acme.test"], "segment": "SMB"},
    )

    assert response.status_code == 200
    company = response.json()
    assert company["industry"] == "Retail"
    assert company["segment"] == "SMB"
    assert company["tags"] == ["Partner", "VIP"]
    assert company["domains"] == ["acme.example", "acme.test"]


def test_patch_with_replace_tags_replaces_them(wire) -> None:
    create(wire, name="Acme", tags=["Partner"], domains=["acme.example"])

    response = wire.patch(
        COMPANIES, params={"name": "Acme", "replaceTags": "true"}, json={"tags": ["VIP"]}
    )

    assert response.json()["tags"] == ["VIP"]
    assert response.json()["domains"] == ["acme.example"]


def test_patch_with_replace_domains_replaces_them(wire) -> None:
    create(wire, name="Acme", domains=["acme.example"])

    response = wire.patch(
        COMPANIES,
        params={"name": "Acme", "replaceDomains": "true"},
        json={"domains": ["acme.io"]},
    )

    assert response.json()["domains"] == ["acme.io"]


@pytest.mark.nonconforming
def test_patch_null_clears_a_field(wire) -> None:
    create(wire, name="Acme", notes="call back")

    response = wire.patch(COMPANIES, params={"name": "Acme"}, json={"notes": None})

    assert "notes" not in response.json()


def test_patch_renaming_onto_a_taken_name_is_a_409_that_changes_nothing(wire) -> None:
    create(wire, name="Acme")
    create(wire, name="Beta")

    response = wire.patch(COMPANIES, params={"name": "Beta"}, json={"name": "acme", "notes": "x"})

    assert response.status_code == 409
    assert names(wire) == ["Acme", "Beta"]
    assert "notes" not in wire.fake.companies()[1]


def test_patch_bumps_modified_at(wire) -> None:
    acme = create(wire, name="Acme")
    wire.fake.clock.advance(5)

    response = wire.patch(COMPANIES, params={"id": str(acme["id"])}, json={"notes": "x"})

    assert response.json()["modifiedAt"] > acme["modifiedAt"]
    assert response.json()["createdAt"] == acme["createdAt"]


# -- delete ---------------------------------------------------------------------------------------


def test_delete_answers_200_without_body_and_removes_the_company(wire) -> None:
    create(wire, name="Acme")

    response = wire.delete(COMPANIES, params={"name": "acme"})

    assert response.status_code == 200
    assert response.content == b""
    assert wire.get(COMPANIES, params={"name": "Acme"}).status_code == 404


# -- batches --------------------------------------------------------------------------------------


def test_batch_create_reports_every_item_with_ids_and_207_on_a_failure(wire) -> None:
    create(wire, name="Acme")

    response = wire.post(BATCH, json={"companies": [{"name": "Beta"}, {"name": "ACME"}]})

    assert response.status_code == 207
    first, second = response.json()["results"]
    assert (first["index"], first["status"]) == (0, 200)
    assert isinstance(first["id"], int)
    assert (second["index"], second["status"]) == (1, 409)
    assert second["errors"][0]["message"]
    assert names(wire) == ["Acme", "Beta"]


def test_batch_create_answers_200_when_every_item_succeeds(wire) -> None:
    response = wire.post(BATCH, json={"companies": [{"name": "A"}, {"name": "B"}]})

    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == [200, 200]


def test_batch_items_apply_in_order_so_a_repeat_in_one_batch_fails(wire) -> None:
    response = wire.post(BATCH, json={"companies": [{"name": "A"}, {"name": "a"}]})

    assert [r["status"] for r in response.json()["results"]] == [200, 409]


def test_batch_create_of_more_than_1000_is_a_400(wire) -> None:
    response = wire.post(BATCH, json={"companies": [{"name": f"C{i}"} for i in range(1001)]})

    assert response.status_code == 400
    assert wire.fake.companies() == ()


def test_batch_update_lists_only_failures_by_query(wire) -> None:
    create(wire, name="Acme")

    response = wire.patch(
        BATCH,
        json={
            "companies": [
                {"query": {"name": "Acme"}, "update": {"segment": "SMB"}},
                {"query": {"name": "Ghost"}, "update": {"segment": "SMB"}},
            ]
        },
    )

    assert response.status_code == 207
    (failure,) = response.json()["results"]
    assert failure["query"] == {"name": "Ghost"}
    assert failure["status"] == 409
    assert failure["errors"] == [{"message": 'Company with name "Ghost" does not exist'}]
    assert wire.fake.companies()[0]["segment"] == "SMB"


def test_batch_update_answers_200_with_no_results_when_all_succeed(wire) -> None:
    acme = create(wire, name="Acme")

    response = wire.patch(
        BATCH, json={"companies": [{"query": {"id": str(acme["id"])}, "update": {"region": "EU"}}]}
    )

    assert response.status_code == 200
    assert response.json() == {"results": []}


def test_batch_delete_lists_only_failures(wire) -> None:
    create(wire, name="Acme")

    response = wire.delete(
        BATCH,
        json={"companies": [{"query": {"name": "Acme"}}, {"query": {"domain": "ghost.example"}}]},
    )

    assert response.status_code == 207
    assert [r["query"] for r in response.json()["results"]] == [{"domain": "ghost.example"}]
    assert names(wire) == []


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_batch_item_without_a_query_is_a_400_that_changes_nothing(wire, method: str) -> None:
    # The 207 result echoes each failed item's query, which the spec types as an object: an item
    # without one is refused with the whole request.
    create(wire, name="Acme")
    first = {"query": {"name": "Acme"}, "update": {"segment": "SMB"}}

    response = wire.request(method, BATCH, json={"companies": [first, {}]})

    assert response.status_code == 400
    assert service_exception(response)["validationErrors"] == {
        "companies[1].query": ["must not be null"]
    }
    assert [(c["name"], c.get("segment")) for c in wire.fake.companies()] == [("Acme", None)]


@pytest.mark.nonconforming
@pytest.mark.parametrize(
    ("entry", "field"),
    [
        ({"query": "Acme"}, "companies[0].query"),
        ({"query": {"id": 1}}, "companies[0].query.id"),
        ([], "companies[0]"),
    ],
)
def test_batch_delete_with_a_query_the_spec_forbids_is_a_400(wire, entry: Any, field: str) -> None:
    create(wire, name="Acme")

    response = wire.delete(BATCH, json={"companies": [entry]})

    assert response.status_code == 400
    assert list(service_exception(response)["validationErrors"]) == [field]
    assert names(wire) == ["Acme"]


# -- membership -----------------------------------------------------------------------------------


def test_add_persons_makes_them_members(wire) -> None:
    create(wire, name="Acme")
    ada = person(wire, "ada")

    response = wire.patch(MEMBERS, params={"name": "Acme"}, json=people("ada"))

    assert response.status_code == 200
    assert response.content == b""
    assert members(wire, "Acme") == [ada["id"]]


def test_a_person_belongs_to_one_company(wire) -> None:
    create(wire, name="Acme")
    create(wire, name="Beta")
    ada = person(wire, "ada")
    wire.patch(MEMBERS, params={"name": "Acme"}, json=people("ada"))

    wire.patch(MEMBERS, params={"name": "Beta"}, json=people("ada"))

    assert members(wire, "Acme") == []
    assert members(wire, "Beta") == [ada["id"]]


def test_remove_persons_ends_membership(wire) -> None:
    create(wire, name="Acme")
    person(wire, "ada")
    bob = person(wire, "bob")
    wire.patch(MEMBERS, params={"name": "Acme"}, json=people("ada", "bob"))

    response = wire.delete(MEMBERS, params={"name": "Acme"}, json=people("ada"))

    assert response.status_code == 200
    assert members(wire, "Acme") == [bob["id"]]


def test_adding_an_unknown_person_is_a_404_that_changes_nothing(wire) -> None:
    create(wire, name="Acme")
    person(wire, "ada")

    response = wire.patch(MEMBERS, params={"name": "Acme"}, json=people("ada", "ghost"))

    assert response.status_code == 404
    assert members(wire, "Acme") == []


def test_adding_to_an_unknown_company_is_a_404(wire) -> None:
    person(wire, "ada")

    response = wire.patch(MEMBERS, params={"name": "Ghost"}, json=people("ada"))

    assert response.status_code == 404


def test_a_deleted_person_leaves_its_company(wire) -> None:
    create(wire, name="Acme")
    person(wire, "ada")
    wire.patch(MEMBERS, params={"name": "Acme"}, json=people("ada"))

    wire.delete("/people/2/persons", params={"identifier": "ada", "type": "EXTERNAL_ID"})

    assert members(wire, "Acme") == []


def test_deleting_a_company_releases_its_members(wire) -> None:
    create(wire, name="Acme")
    ada = person(wire, "ada")
    wire.patch(MEMBERS, params={"name": "Acme"}, json=people("ada"))
    wire.delete(COMPANIES, params={"name": "Acme"})
    create(wire, name="Acme")

    assert members(wire, "Acme") == []
    assert wire.fake.tenant().companies.company_of(ada["id"]) is None


def test_merged_persons_keep_one_membership_on_the_primary(fake) -> None:
    state = fake.tenant()
    acme = state.companies.create({"name": "Acme"})
    primary = state.persons.create({"externalId": "p"})["id"]
    secondary = state.persons.create({"externalId": "s"})["id"]
    state.companies.add_persons(acme["id"], people("s"))

    state.persons_merged(primary, [secondary])

    assert state.companies.members(acme["id"]) == [primary]


# -- through the SDK ------------------------------------------------------------------------------


def test_sdk_batches_keep_one_outcome_per_input_in_order(client) -> None:
    from infobip_profiles import Company, CompanyRef

    created = client.companies.create_many(
        [Company(name="A"), Company(name="a"), Company(name="B")]
    )
    updated = client.companies.update_many(
        [(CompanyRef.name("Ghost"), Company(notes="x")), (CompanyRef.name("b"), Company(notes="y"))]
    )
    deleted = client.companies.delete_many([CompanyRef.name("A"), CompanyRef.id(999)])

    assert [(r.ok, r.status) for r in created] == [(True, 200), (False, 409), (True, 200)]
    assert [r.id is not None for r in created] == [True, False, True]
    assert [r.ok for r in updated] == [False, True]
    assert [r.ok for r in deleted] == [True, False]
    assert [c.name for c in client.companies.list()] == ["B"]


async def test_sdk_async_membership_and_filtered_list(aclient, fake) -> None:
    from infobip_profiles import Company, CompanyRef, Person, PersonRef

    await aclient.companies.create(Company(name="Acme", industry="Retail"))
    await aclient.companies.create(Company(name="Beta", industry="Finance"))
    ada = await aclient.people.create(Person(external_id="ada"))

    await aclient.companies.add_people(CompanyRef.name("Beta"), [PersonRef.external_id("ada")])
    retail = [c.name async for c in aclient.companies.list(filter={"industry": "Retail"})]

    assert retail == ["Acme"]
    assert fake.tenant().companies.members(
        (await aclient.companies.get(CompanyRef.name("Beta"))).id
    ) == [ada.id]
