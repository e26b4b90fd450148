"""The decode figure's floor makes the objects the SDK makes for the same page."""

from __future__ import annotations

import json
from typing import Any

from benchmarks.decoding import bare_models, sdk_page_decoder
from benchmarks.peers import rich_person


def _layout(person: Any) -> tuple[Any, ...]:
    contacts = person.contact_information
    return (
        type(person),
        type(contacts),
        [type(e) for e in contacts.email or ()],
        [type(p) for p in contacts.phone or ()],
    )


def test_the_bare_models_are_the_decoded_page_s_objects_without_their_values() -> None:
    page: dict[str, Any] = {"persons": [rich_person(i) for i in range(4)], "limit": 1000}
    page["persons"][1]["contactInformation"]["email"].append({"address": "third@example.com"})
    page["persons"][2]["contactInformation"] = {"phone": []}
    content = json.dumps(page).encode()

    decoded = sdk_page_decoder(content)().items
    bare = bare_models(content)()

    assert [_layout(p) for p in bare] == [_layout(p) for p in decoded]
    assert [len(p.contact_information.email) for p in bare] == [2, 3, 0, 2]
    assert bare[0].first_name is None
    assert bare[0].fields_set() == frozenset()
