"""The three contactInformation calls (PUT replaces, PATCH adds, DELETE removes)."""

from __future__ import annotations

from tests._support.persons import CONTACTS, by, create, emails, fetch, phones
from tests._support.wire import Wire


def contacts(email: list[str] | None = None, phone: list[str] | None = None) -> dict:
    body: dict = {}
    if email is not None:
        body["email"] = [{"address": e} for e in email]
    if phone is not None:
        body["phone"] = [{"number": p} for p in phone]
    return {"contactInformation": body}


def test_put_replaces_all_emails_and_phones(wire: Wire) -> None:
    create(wire, externalId="a", email="old@example.com", phone="41793026727")

    response = wire.put(
        CONTACTS, params=by("EXTERNAL_ID", "a"), json=contacts(email=["new@example.com"])
    )

    assert response.status_code == 200
    assert emails(response.json()) == ["new@example.com"]
    assert phones(response.json()) == []


def test_patch_adds_contacts(wire: Wire) -> None:
    create(wire, externalId="a", email="old@example.com")

    response = wire.patch(
        CONTACTS, params=by("EXTERNAL_ID", "a"), json=contacts(phone=["41793026727"])
    )

    assert response.status_code == 200
    assert emails(response.json()) == ["old@example.com"]
    assert phones(response.json()) == ["41793026727"]


def test_patch_added_email_finds_the_person(wire: Wire) -> None:
    create(wire, externalId="a")
    wire.patch(CONTACTS, params=by("EXTERNAL_ID", "a"), json=contacts(email=["n@example.com"]))

    assert fetch(wire, "EMAIL", "N@example.com").json()["externalId"] == "a"


def test_delete_removes_the_listed_contacts(wire: Wire) -> None:
    create(wire, externalId="a", email=["one@example.com", "two@example.com"])

    response = wire.delete(
        CONTACTS, params=by("EXTERNAL_ID", "a"), json=contacts(email=["ONE@example.com"])
    )

    assert response.status_code == 200
    assert emails(response.json()) == ["two@example.com"]
    assert fetch(wire, "EMAIL", "one@example.com").status_code == 404


def test_delete_of_an_absent_contact_is_a_no_op(wire: Wire) -> None:
    create(wire, externalId="a", email="one@example.com")

    response = wire.delete(
        CONTACTS, params=by("EXTERNAL_ID", "a"), json=contacts(email=["absent@example.com"])
    )

    assert response.status_code == 200
    assert emails(response.json()) == ["one@example.com"]


def test_adding_another_persons_phone_is_409_and_changes_nothing(wire: Wire) -> None:
    create(wire, externalId="a")
    create(wire, externalId="b", phone="41793026727")

    response = wire.patch(
        CONTACTS, params=by("EXTERNAL_ID", "a"), json=contacts(phone=["41793026727"])
    )

    assert response.status_code == 409
    assert "Destination(phone) 41793026727 already exists." in response.text
    assert phones(fetch(wire, "EXTERNAL_ID", "a").json()) == []


def test_unknown_person_is_404(wire: Wire) -> None:
    response = wire.patch(
        CONTACTS, params=by("EXTERNAL_ID", "nobody"), json=contacts(email=["x@example.com"])
    )

    assert response.status_code == 404


def test_invalid_email_is_400(wire: Wire) -> None:
    create(wire, externalId="a")

    response = wire.patch(
        CONTACTS, params=by("EXTERNAL_ID", "a"), json=contacts(email=["not-an-email"])
    )

    assert response.status_code == 400
