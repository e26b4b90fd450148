"""The ``companies`` resource: the request each method sends and how it decodes the answer (respx).

Every test runs with the sync and the async client.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

from infobip_profiles import (
    Company,
    CompanyRef,
    CompanyUpdate,
    ConflictError,
    NotFoundError,
    PersonRef,
    ProfilesError,
    ValidationError,
)
from infobip_profiles.filters import F
from tests._support.client import Api, api_fixture, body_of, query_of, router_fixture

BASE = "https://api.companies.test"
PATH = f"{BASE}/people/2/companies"
ACME = {
    "id": 7,
    "name": "Acme",
    "externalId": "acct-9",
    "domains": ["acme.example"],
    "tags": ["Partner"],
    "industry": "Retail",
    "customAttributes": {"Tier": "gold"},
    "origin": "API",
    "createdAt": "2024-05-01T10:00:00",
    "modifiedAt": "2024-05-02T11:30:00",
    "someFutureField": {"ignored": True},
}


api = api_fixture(BASE, "companies")
router = router_fixture("router", BASE)


# -- get / list ---------------------------------------------------------------------------------


async def test_get_sends_the_one_selector_and_decodes_the_company(api: Api, router: Any) -> None:
    route = router.get(PATH).respond(200, json={"companies": [ACME]})

    company = await api.call("get", CompanyRef.domain("acme.example"))

    assert query_of(route) == [("domain", "acme.example")]
    assert company.id == 7
    assert company.name == "Acme"
    assert company.domains == ["acme.example"]
    assert company.custom_attributes == {"Tier": "gold"}
    assert company.created_at == datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)


async def test_get_with_an_empty_companies_array_is_not_found(api: Api, router: Any) -> None:
    router.get(PATH).respond(200, json={"companies": []})

    with pytest.raises(NotFoundError):
        await api.call("get", CompanyRef.name("Nobody"))


async def test_get_raises_not_found_on_404(api: Api, router: Any) -> None:
    error = {"requestError": {"serviceException": {"messageId": "NOT_FOUND", "text": "nope"}}}
    router.get(PATH).respond(404, json=error)

    with pytest.raises(NotFoundError) as info:
        await api.call("get", CompanyRef.id(99))

    assert info.value.text == "nope"


async def test_list_pages_with_filter_and_order(api: Api, router: Any) -> None:
    second = {**ACME, "id": 8, "name": "Beta"}
    route = router.get(PATH).mock(
        side_effect=[
            httpx.Response(200, json={"companies": [ACME, second], "limit": 2, "page": 1}),
            httpx.Response(200, json={"companies": [], "limit": 2, "page": 2}),
        ]
    )

    companies = await api.collect(
        "list", filter=F("industry") == "Retail", order_by="name:desc", page_size=2
    )

    assert [c.name for c in companies] == ["Acme", "Beta"]
    first = dict(query_of(route, 0))
    assert json.loads(first["filter"]) == {"industry": "Retail"}
    assert first["orderBy"] == "name:desc"
    assert (first["page"], first["limit"]) == ("1", "2")
    assert dict(query_of(route, 1))["page"] == "2"


async def test_list_refuses_an_order_field_companies_lack(api: Api, router: Any) -> None:
    route = router.get(PATH).respond(200, json={"companies": []})

    with pytest.raises(ValidationError):
        await api.collect("list", order_by="firstName")

    assert not route.called


async def test_list_refuses_not_contain_which_the_companies_filter_lacks(
    api: Api, router: Any
) -> None:
    route = router.get(PATH).respond(200, json={"companies": []})

    with pytest.raises(ValidationError, match="#notContain"):
        await api.collect("list", filter='{"#notContain":{"name":"x"}}')

    assert not route.called


# -- create / update / delete -------------------------------------------------------------------


async def test_create_sends_only_the_fields_set(api: Api, router: Any) -> None:
    route = router.post(PATH).respond(200, json=ACME)

    company = await api.call("create", Company(name="Acme", domains=["acme.example"]))

    assert body_of(route) == {"name": "Acme", "domains": ["acme.example"]}
    assert company.id == 7


@pytest.mark.parametrize(
    "company",
    [
        Company(domains=["no-name.example"]),
        Company(name="   "),
        Company(name="x" * 256),
        Company(name="Acme", country="x" * 51),
        Company(name="Acme", notes="x" * 1024),
    ],
    ids=["no-name", "blank-name", "long-name", "long-country", "long-notes"],
)
async def test_create_refuses_what_the_api_would_reject(
    api: Api, router: Any, company: Company
) -> None:
    route = router.post(PATH).respond(200, json=ACME)

    with pytest.raises(ValidationError):
        await api.call("create", company)

    assert not route.called


async def test_create_duplicate_name_raises_conflict(api: Api, router: Any) -> None:
    error = {"requestError": {"serviceException": {"messageId": "BAD_REQUEST", "text": "dup"}}}
    router.post(PATH).respond(409, json=error)

    with pytest.raises(ConflictError):
        await api.call("create", Company(name="Acme"))


async def test_update_patches_by_selector_without_replace_flags_by_default(
    api: Api, router: Any
) -> None:
    route = router.patch(PATH).respond(200, json=ACME)

    await api.call("update", CompanyRef.name("Acme"), Company(tags=["VIP"]))

    assert query_of(route) == [("name", "Acme")]
    assert body_of(route) == {"tags": ["VIP"]}


async def test_update_sends_replace_tags_and_domains(api: Api, router: Any) -> None:
    route = router.patch(PATH).respond(200, json=ACME)

    await api.call(
        "update",
        CompanyRef.id(7),
        Company(tags=["VIP"], domains=["new.example"]),
        replace_tags=True,
        replace_domains=True,
    )

    assert query_of(route) == [("id", "7"), ("replaceTags", "true"), ("replaceDomains", "true")]


@pytest.mark.nonconforming  # the spec types notes as a string; null clears it
async def test_update_sends_an_explicit_none_as_null(api: Api, router: Any) -> None:
    route = router.patch(PATH).respond(200, json=ACME)

    await api.call("update", CompanyRef.id(7), Company(notes=None))

    assert body_of(route) == {"notes": None}


async def test_delete_sends_the_selector(api: Api, router: Any) -> None:
    route = router.delete(PATH).respond(200)

    result = await api.call("delete", CompanyRef.external_id("acct-9"))

    assert result is None
    assert query_of(route) == [("externalId", "acct-9")]


# -- batches ------------------------------------------------------------------------------------


async def test_create_many_reports_successes_with_ids_and_failures_by_index(
    api: Api, router: Any
) -> None:
    results = {
        "results": [
            {"index": 0, "status": 200, "id": 11},
            {"index": 1, "status": 409, "errors": [{"message": "taken"}]},
        ]
    }
    route = router.post(f"{PATH}/batch").respond(207, json=results)

    result = await api.call("create_many", [Company(name="A"), Company(name="Acme")])

    assert body_of(route) == {"companies": [{"name": "A"}, {"name": "Acme"}]}
    assert [(i.index, i.ok, i.status, i.id) for i in result] == [
        (0, True, 200, 11),
        (1, False, 409, None),
    ]
    assert result.failed[0].errors == ("taken",)


async def test_create_many_splits_by_1000_and_keeps_input_indexes(api: Api, router: Any) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        count = len(json.loads(request.content)["companies"])
        return httpx.Response(
            200, json={"results": [{"index": i, "status": 200, "id": i} for i in range(count)]}
        )

    route = router.post(f"{PATH}/batch").mock(side_effect=answer)

    result = await api.call("create_many", (Company(name=f"C{i}") for i in range(1001)))

    assert [len(body_of(route, i)["companies"]) for i in range(2)] == [1000, 1]
    assert len(result) == 1001
    assert result[1000].index == 1000
    assert result.ok


async def test_create_many_validates_every_company_before_sending(api: Api, router: Any) -> None:
    route = router.post(f"{PATH}/batch").respond(200, json={"results": []})

    with pytest.raises(ValidationError):
        await api.call("create_many", [Company(name="A"), Company(notes="no name")])

    assert not route.called


async def test_update_many_ties_failures_to_their_query(api: Api, router: Any) -> None:
    answer = {
        "results": [
            {
                "query": {"name": "Ghost"},
                "status": 409,
                "errors": [{"message": 'Company with name "Ghost" does not exist'}],
            }
        ]
    }
    route = router.patch(f"{PATH}/batch").respond(207, json=answer)

    result = await api.call(
        "update_many",
        [
            CompanyUpdate(CompanyRef.id(7), Company(segment="SMB")),
            (CompanyRef.name("Ghost"), Company(segment="SMB")),
        ],
    )

    assert body_of(route) == {
        "companies": [
            {"query": {"id": "7"}, "update": {"segment": "SMB"}},
            {"query": {"name": "Ghost"}, "update": {"segment": "SMB"}},
        ]
    }
    assert [(i.ok, i.status) for i in result] == [(True, 200), (False, 409)]
    assert result[1].query == CompanyRef.name("Ghost")
    assert "Ghost" in result[1].errors[0]


async def test_delete_many_reports_one_outcome_per_ref(api: Api, router: Any) -> None:
    answer = {"results": [{"query": {"domain": "gone.example"}, "status": 409, "errors": []}]}
    route = router.delete(f"{PATH}/batch").respond(207, json=answer)

    result = await api.call(
        "delete_many", [CompanyRef.domain("gone.example"), CompanyRef.name("Acme")]
    )

    assert body_of(route) == {
        "companies": [{"query": {"domain": "gone.example"}}, {"query": {"name": "Acme"}}]
    }
    assert [i.ok for i in result] == [False, True]


async def test_batch_failure_for_an_unknown_query_is_not_dropped(api: Api, router: Any) -> None:
    answer = {"results": [{"query": {"name": "Other"}, "status": 409, "errors": []}]}
    router.delete(f"{PATH}/batch").respond(207, json=answer)

    with pytest.raises(ProfilesError, match="not in the request") as info:
        await api.call("delete_many", [CompanyRef.name("Acme")])

    assert not isinstance(info.value, ValidationError)


# -- membership ---------------------------------------------------------------------------------


async def test_add_people_sends_identity_queries(api: Api, router: Any) -> None:
    route = router.patch(f"{PATH}/persons").respond(200)

    await api.call(
        "add_people",
        CompanyRef.name("Acme"),
        [PersonRef.email("ada@example.com"), PersonRef.id(5)],
    )

    assert query_of(route) == [("name", "Acme")]
    assert body_of(route) == {
        "people": [
            {"query": {"identifier": "ada@example.com", "type": "EMAIL"}},
            {"query": {"identifier": "5", "type": "ID"}},
        ]
    }


async def test_remove_people_splits_by_1000(api: Api, router: Any) -> None:
    route = router.delete(f"{PATH}/persons").respond(200)

    await api.call("remove_people", CompanyRef.id(7), [PersonRef.id(i) for i in range(1, 1502)])

    assert [len(body_of(route, i)["people"]) for i in range(2)] == [1000, 501]
    assert all(query_of(route, i) == [("id", "7")] for i in range(2))
