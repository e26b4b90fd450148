"""A phone number's ``+`` sent unencoded in a query (``?phone=+41...``, a common string-built
URL) decodes to a space; the fake reads that leading space as the ``+`` it was, on every way a
query addresses a person by phone (in-process and over HTTP)."""

from __future__ import annotations

from typing import Any

import pytest

from tests._support.persons import PERSONS, create
from tests._support.wire import Wire

pytestmark = pytest.mark.nonconforming


@pytest.fixture
def ada(wire: Wire) -> dict[str, Any]:
    return create(wire, firstName="Ada", phone="+41793026727", externalId="ext-1")


@pytest.mark.parametrize(
    "query", ["phone=+41793026727", "identifier=+41793026727&type=PHONE", "phone=%2B41793026727"]
)
def test_an_unencoded_plus_still_finds_the_person(
    wire: Wire, ada: dict[str, Any], query: str
) -> None:
    response = wire.get(f"{PERSONS}?{query}")
    assert response.status_code == 200, response.text
    assert response.json()["id"] == ada["id"]


def test_an_unencoded_plus_works_on_writes_and_lists(wire: Wire, ada: dict[str, Any]) -> None:
    r = wire.patch(f"{PERSONS}/?phone=+41793026727", json={"lastName": "Lovelace"})
    assert r.status_code == 200, r.text
    assert r.json()["lastName"] == "Lovelace"
    r = wire.get("/people/3/lists?type=PHONE&identifier=+41793026727&listNames=nothing")
    assert r.status_code == 404
    assert r.json()["errorCode"] == 300103  # the person was found; the list was not
    r = wire.delete(f"{PERSONS}?phone=+41793026727")
    assert r.status_code == 200, r.text
    assert wire.get(f"{PERSONS}?externalId=ext-1").status_code == 404


def test_a_space_elsewhere_is_not_a_phone(wire: Wire, ada: dict[str, Any]) -> None:
    assert wire.get(f"{PERSONS}?phone=4179+3026727").status_code != 200
    assert wire.get(f"{PERSONS}?email=+ada%40example.com").status_code != 200
