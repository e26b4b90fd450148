"""Answers of the wrong JSON kind on operations not decoded into one model.

Batch writes, match, the v3 list operations and appending to a list attribute hand back what
they decode without a model's required fields to check. A success whose body is empty,
``null``, a string or an array where an object is due is not their answer: it raises
``UnexpectedResponseError`` instead of reporting every item of a write as applied, a match
as empty, or a string's characters as list items. Served with ``httpx.MockTransport``, sync
and async.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from infobip_profiles import (
    Company,
    CompanyRef,
    PartialBatchError,
    Person,
    PersonRef,
    UnexpectedResponseError,
)
from infobip_profiles.models import PushUser
from tests._support.client import resolve
from tests._support.mock_transport import answering, mock_client

REF = PersonRef.id(1)

#: (label, the call, the operation it makes, bodies that are not its answer)
NOT_OBJECT = {"empty": b"", "null": b"null", "array": b"[]", "string": b'"abc"', "number": b"4"}
NOT_ITEMS = {"empty": b"", "null": b"null", "string": b'"abc"', "number": b"4", "strings": b'["a"]'}

CASES: list[tuple[str, Callable[[Any], Any], str, dict[str, bytes]]] = [
    ("people.create_many", lambda c: c.people.create_many([Person(external_id="x")]), "batch-people-create", NOT_OBJECT),
    ("people.update_many", lambda c: c.people.update_many([(REF, Person(first_name="a"))]), "batch-people-update", NOT_OBJECT),
    ("people.delete_many", lambda c: c.people.delete_many([REF]), "batch-people-delete", NOT_OBJECT),
    ("companies.create_many", lambda c: c.companies.create_many([Company(name="x")]), "create-companies", NOT_OBJECT),
    ("companies.delete_many", lambda c: c.companies.delete_many([CompanyRef.id(1)]), "delete-companies", NOT_OBJECT),
    ("push.personalize", lambda c: c.push.personalize("reg-1", "app-1", PushUser.of(email="a@b.co")), "personalize-push-instance", NOT_OBJECT),
    ("people.upsert_many", lambda c: c.people.upsert_many([Person(external_id="x")]), "upsert-persons-partial", NOT_OBJECT),
    ("people.upsert_many-full", lambda c: c.people.upsert_many([Person(external_id="x")], mode="full"), "upsert-persons-full", NOT_OBJECT),
    ("people.merge", lambda c: c.people.merge([Person(external_id="x")]), "merge-persons", {**NOT_OBJECT, "results-a-string": b'{"results": "abc"}'}),
    ("people.match", lambda c: c.people.match([REF]), "match-people-ids", {**NOT_OBJECT, "matches-a-string": b'{"matches": "abc"}'}),
    ("lists.get", lambda c: c.lists.get(REF, "L"), "get-lists", {**NOT_OBJECT, "list-a-string": b'{"L": "abc"}'}),
    ("lists.append", lambda c: c.lists.append(REF, "L", [{"a": 1}]), "append-list-items", NOT_ITEMS),
    ("lists.replace", lambda c: c.lists.replace(REF, "L", [{"a": 1}]), "replace-list", NOT_ITEMS),
    ("lists.update", lambda c: c.lists.update(REF, "L", [{"__id": "i1", "a": 1}]), "update-list", NOT_ITEMS),
    ("lists.get_items", lambda c: c.lists.get_items(REF, "L", "i1"), "get-list-items", NOT_ITEMS),
    ("lists.delete_items", lambda c: c.lists.delete_items(REF, "L", "i1"), "delete-list-items", NOT_ITEMS),
    ("lists.replace_item", lambda c: c.lists.replace_item(REF, "L", "i1", {"a": 1}), "replace-list-item", NOT_ITEMS),
    ("lists.update_item", lambda c: c.lists.update_item(REF, "L", "i1", {"a": 1}), "update-list-item", NOT_ITEMS),
    ("people.append_to_attribute", lambda c: c.people.append_to_attribute(REF, "L", {"a": 1}), "append-item-to-custom-attribute", {**NOT_ITEMS, "object": b'{"a": 1}'}),
]  # fmt: skip

PARAMS = [
    pytest.param(action, op_id, body, id=f"{label}-{name}")
    for label, action, op_id, bodies in CASES
    for name, body in bodies.items()
]


@pytest.mark.parametrize(("action", "op_id", "body"), PARAMS)
async def test_an_answer_of_the_wrong_kind_is_unexpected(
    kind: str, action: Callable[[Any], Any], op_id: str, body: bytes
) -> None:
    client = mock_client(kind, answering(body))
    with pytest.raises(UnexpectedResponseError) as info:
        await resolve(action(client))
    assert info.value.operation_id == op_id
    assert info.value.status_code == 200


async def test_answers_of_the_right_kind_still_decode(kind: str) -> None:
    async def run(body: bytes, action: Callable[[Any], Any]) -> Any:
        value = action(mock_client(kind, answering(body)))
        return await value if inspect.isawaitable(value) else value

    batch = await run(b'{"results": []}', lambda c: c.people.create_many([Person(external_id="x")]))
    assert [item.ok for item in batch.items] == [True]
    assert await run(b'{"matches": []}', lambda c: c.people.match([REF])) == []
    assert await run(b'{"L": [{"a": 1}]}', lambda c: c.lists.get(REF, "L")) == {"L": [{"a": 1}]}
    assert await run(b'[{"a": 1}]', lambda c: c.lists.get_items(REF, "L", "i1")) == [{"a": 1}]
    assert await run(b'{"a": 1}', lambda c: c.lists.get_items(REF, "L", "i1")) == [{"a": 1}]
    assert await run(b"[]", lambda c: c.lists.delete_items(REF, "L", "i1")) == []
    appended = await run(b'[{"a": 1}]', lambda c: c.people.append_to_attribute(REF, "L", {"a": 1}))
    assert appended == [{"a": 1}]


@pytest.mark.parametrize("on_error", ["continue", "raise"])
async def test_a_later_chunk_with_a_broken_answer_keeps_the_earlier_outcomes(
    kind: str, on_error: str
) -> None:
    # Before: the broken answer raised out of the call and the first request's outcomes
    # (1000 persons created) were lost.
    answers = iter([b'{"results": []}', b"null"])

    def respond(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=next(answers), headers={"Content-Type": "application/json"}
        )

    client = mock_client(kind, respond)
    persons = [Person(external_id=f"crm-{i}") for i in range(1001)]
    if on_error == "raise":
        with pytest.raises(PartialBatchError) as info:
            await resolve(client.people.create_many(persons, on_error="raise"))
        result = info.value.result
    else:
        value = client.people.create_many(persons)
        result = await value if inspect.isawaitable(value) else value
    items = list(result.items)
    assert [item.ok for item in items[:1000]] == [True] * 1000
    assert len(items) == 1001
    last = items[1000]
    assert not last.ok
    assert last.unknown  # a success status came back: it may well have been applied
    assert isinstance(last.error, UnexpectedResponseError)
    assert last.error.operation_id == "batch-people-create"
