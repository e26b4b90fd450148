"""The fake's push registrations at the wire level, in-process and over loopback HTTP.

docs/fake-semantics.md (push): the ``AppCode`` header and the push error envelope, the
mutable properties, personalize (the login) and depersonalize (the logout).
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from infobip_profiles.testing import FakeProfiles

APP = "app-code-1"
PUSH = "/people/2/contactInformation/push"


def push_error(response: httpx.Response) -> tuple[int, str]:
    """``(errorCode, errorMessage)`` of a push error (fails if the body is another envelope)."""
    body = response.json()
    assert set(body) == {"errorCode", "errorMessage"}, body
    return body["errorCode"], body["errorMessage"]


def owner(fake: FakeProfiles, reg_id: str) -> dict[str, Any]:
    """The stored person holding the registration."""
    pid = fake.tenant().push.owner(reg_id)
    assert pid is not None
    return fake.person(pid)


def person(first: str, email: str, **extra: Any) -> dict[str, Any]:
    return {"firstName": first, "contactInformation": {"email": [{"address": email}]}, **extra}


@pytest.fixture
def reg(fake: FakeProfiles) -> str:
    """A device registered the way the mobile SDK does on first launch."""
    return fake.register_device(app_code=APP, cloud_type="APNS", os="iOS")


def call(wire: Any, method: str, reg_id: str, suffix: str = "", **kwargs: Any) -> httpx.Response:
    headers = {"AppCode": APP, **kwargs.pop("headers", {})}
    response: httpx.Response = wire.request(
        method, f"{PUSH}/{reg_id}{suffix}", headers=headers, **kwargs
    )
    return response


def personalize(wire: Any, reg_id: str, identity: dict[str, Any], **params: Any) -> httpx.Response:
    body = {"identity": identity, **params.pop("extra", {})}
    query = {k: str(v).lower() for k, v in params.items()}
    return call(wire, "POST", reg_id, "/personalize", json=body, params=query)


# -- registration ---------------------------------------------------------------------------------


def test_a_registered_device_has_an_empty_lead_profile(fake: FakeProfiles, reg: str) -> None:
    profile = owner(fake, reg)

    assert profile["type"] == "LEAD"
    assert "externalId" not in profile
    assert profile["contactInformation"]["email"] == []
    assert [p["registrationId"] for p in profile["contactInformation"]["push"]] == [reg]


def test_register_device_refuses_an_unknown_cloud_type(fake: FakeProfiles) -> None:
    with pytest.raises(ValueError, match="cloud_type"):
        fake.register_device(app_code=APP, cloud_type="PIGEON")


# -- get / update ---------------------------------------------------------------------------------


def test_get_returns_the_instance(wire: Any, reg: str) -> None:
    response = call(wire, "GET", reg)

    assert response.status_code == 200
    body = response.json()
    assert (body["registrationId"], body["applicationId"]) == (reg, APP)
    assert body["isPrimary"] is False
    assert body["systemData"]["cloudType"] == "APNS"
    assert body["systemData"]["os"] == "iOS"


@pytest.mark.nonconforming
def test_missing_app_code_is_48001(wire: Any, reg: str) -> None:
    response = wire.get(f"{PUSH}/{reg}")

    assert response.status_code == 400
    assert push_error(response) == (48001, "Application code missing")


def test_unknown_app_code_is_48012(wire: Any, reg: str) -> None:
    response = call(wire, "GET", reg, headers={"AppCode": "nope"})

    assert response.status_code == 400
    assert push_error(response) == (48012, "Push application not found")


def test_unknown_registration_is_48013(wire: Any, reg: str) -> None:
    response = call(wire, "GET", "no-such-registration")

    assert response.status_code == 400
    assert push_error(response) == (48013, "Push registration not found")


def test_a_registration_of_another_app_is_48013(wire: Any, reg: str) -> None:
    wire.fake.add_push_application("other-app")

    response = call(wire, "GET", reg, headers={"AppCode": "other-app"})

    assert push_error(response)[0] == 48013


def test_update_changes_the_mutable_properties(wire: Any, reg: str) -> None:
    response = call(
        wire,
        "PATCH",
        reg,
        json={"isPrimary": True, "systemData": {"registrationEnabled": False}},
    )

    assert response.status_code == 200
    body = response.json()
    assert body["isPrimary"] is True
    assert body["systemData"]["registrationEnabled"] is False
    assert call(wire, "GET", reg).json() == body


def test_update_merges_additional_data(wire: Any, reg: str) -> None:
    call(wire, "PATCH", reg, json={"additionalData": {"plan": "gold", "beta": True}})

    body = call(wire, "PATCH", reg, json={"additionalData": {"beta": False, "lang": "en"}}).json()

    assert body["additionalData"] == {"plan": "gold", "beta": False, "lang": "en"}


def test_update_ignores_read_only_properties(wire: Any, reg: str) -> None:
    body = call(
        wire, "PATCH", reg, json={"systemData": {"os": "Android", "sdkVersion": "0.0.1"}}
    ).json()

    assert body["systemData"]["os"] == "iOS"
    assert body["systemData"]["sdkVersion"] != "0.0.1"


@pytest.mark.nonconforming
def test_update_with_a_wrongly_typed_property_is_400_and_changes_nothing(
    wire: Any, reg: str
) -> None:
    before = call(wire, "GET", reg).json()

    response = call(wire, "PATCH", reg, json={"isPrimary": "yes", "additionalData": {"a": 1}})

    assert response.status_code == 400
    assert push_error(response)[0] == 48000
    assert call(wire, "GET", reg).json() == before


def test_a_primary_device_is_the_persons_only_primary(wire: Any, fake: FakeProfiles) -> None:
    first = fake.register_device(app_code=APP)
    second = fake.register_device(app_code=APP)
    personalize(wire, first, {"externalId": "u1"})
    personalize(wire, second, {"externalId": "u1"})
    call(wire, "PATCH", first, json={"isPrimary": True})

    call(wire, "PATCH", second, json={"isPrimary": True})

    assert call(wire, "GET", first).json()["isPrimary"] is False
    assert call(wire, "GET", second).json()["isPrimary"] is True


# -- personalize ----------------------------------------------------------------------------------


def test_personalize_with_an_existing_customers_email_moves_the_device(
    wire: Any, fake: FakeProfiles, reg: str
) -> None:
    [ada] = fake.seed(people=[person("Ada", "ada@example.com")]).people
    lead_id = owner(fake, reg)["id"]

    response = personalize(wire, reg, {"email": "ADA@example.com"})

    assert response.status_code == 200
    assert owner(fake, reg)["id"] == ada["id"]
    assert lead_id not in [p["id"] for p in fake.people()]


def test_the_lead_merges_into_the_customer(wire: Any, fake: FakeProfiles, reg: str) -> None:
    fake.seed(people=[person("Ada", "ada@example.com")])
    lead = owner(fake, reg)
    fake.tenant().persons.add_tag(lead["id"], "app-user")

    personalize(wire, reg, {"email": "ada@example.com"})

    merged = owner(fake, reg)
    assert merged["firstName"] == "Ada"
    assert merged["type"] == "CUSTOMER"
    assert "app-user" in merged["tags"]


def test_personalize_with_a_new_identity_promotes_the_lead(
    wire: Any, fake: FakeProfiles, reg: str
) -> None:
    lead_id = owner(fake, reg)["id"]

    response = personalize(wire, reg, {"externalId": "crm-7", "phoneNumber": "41793026727"})

    assert response.status_code == 200
    profile = owner(fake, reg)
    assert profile["id"] == lead_id
    assert profile["type"] == "CUSTOMER"
    assert profile["externalId"] == "crm-7"
    assert profile["contactInformation"]["phone"] == [{"number": "41793026727"}]


def test_keep_as_lead_suppresses_the_promotion(wire: Any, fake: FakeProfiles, reg: str) -> None:
    personalize(wire, reg, {"email": "new@example.com"}, keepAsLead=True)

    profile = owner(fake, reg)
    assert profile["type"] == "LEAD"
    assert profile["contactInformation"]["email"] == [{"address": "new@example.com"}]


def test_personalize_writes_the_attributes(wire: Any, fake: FakeProfiles, reg: str) -> None:
    response = personalize(
        wire,
        reg,
        {"externalId": "crm-1"},
        extra={
            "attributes": {
                "firstName": "Ada",
                "lastName": "Lovelace",
                "birthday": "1990-05-01T00:00:00Z",
                "gender": "FEMALE",
                "tags": ["Personalized"],
            }
        },
    )

    body = response.json()
    assert (body["firstName"], body["lastName"]) == ("Ada", "Lovelace")
    assert body["birthday"] == "1990-05-01T00:00:00Z"
    assert body["gender"] == "FEMALE"
    assert body["tags"] == ["Personalized"]
    assert owner(fake, reg)["birthDate"] == "1990-05-01"


def test_the_response_uses_phones_and_emails(wire: Any, reg: str) -> None:
    body = personalize(wire, reg, {"email": "a@example.com", "phoneNumber": "41793026727"}).json()

    assert body["contactInformation"] == {
        "phones": [{"number": "41793026727"}],
        "emails": [{"address": "a@example.com"}],
    }


def test_return_push_adds_the_registrations(wire: Any, reg: str) -> None:
    body = personalize(wire, reg, {"externalId": "crm-1"}, returnPush=True).json()

    assert [p["registrationId"] for p in body["contactInformation"]["push"]] == [reg]


def test_set_device_as_primary_makes_it_the_only_primary(wire: Any, fake: FakeProfiles) -> None:
    phone = fake.register_device(app_code=APP)
    tablet = fake.register_device(app_code=APP)
    personalize(wire, phone, {"externalId": "u1"}, setDeviceAsPrimary=True)

    personalize(wire, tablet, {"externalId": "u1"}, setDeviceAsPrimary=True)

    assert call(wire, "GET", phone).json()["isPrimary"] is False
    assert call(wire, "GET", tablet).json()["isPrimary"] is True


def test_two_devices_with_the_same_phone_end_up_under_one_person(
    wire: Any, fake: FakeProfiles
) -> None:
    first = fake.register_device(app_code=APP)
    second = fake.register_device(app_code=APP)

    personalize(wire, first, {"phoneNumber": "41793026727"})
    personalize(wire, second, {"phoneNumber": "41793026727"})

    assert owner(fake, first)["id"] == owner(fake, second)["id"]


def test_a_device_of_another_identified_person_is_refused(
    wire: Any, fake: FakeProfiles, reg: str
) -> None:
    fake.seed(people=[person("Bob", "bob@example.com")])
    personalize(wire, reg, {"email": "ada@example.com"})
    before = fake.people()

    response = personalize(wire, reg, {"email": "bob@example.com"})

    assert response.status_code == 400
    code, message = push_error(response)
    assert code == 48010
    assert "PERSONALIZATION_IMPOSSIBLE" in message
    assert fake.people() == before


def test_force_depersonalize_moves_the_device_to_the_other_person(
    wire: Any, fake: FakeProfiles, reg: str
) -> None:
    [bob] = fake.seed(people=[person("Bob", "bob@example.com")]).people
    personalize(wire, reg, {"email": "ada@example.com"})
    ada_id = owner(fake, reg)["id"]

    response = personalize(wire, reg, {"email": "bob@example.com"}, forceDepersonalize=True)

    assert response.status_code == 200
    assert owner(fake, reg)["id"] == bob["id"]
    ada = fake.person(ada_id)
    assert ada["contactInformation"]["email"] == [{"address": "ada@example.com"}]
    assert "push" not in ada["contactInformation"]


def test_personalizing_again_as_the_same_person_is_fine(
    wire: Any, fake: FakeProfiles, reg: str
) -> None:
    personalize(wire, reg, {"email": "ada@example.com"})

    response = personalize(
        wire, reg, {"email": "ada@example.com"}, extra={"attributes": {"firstName": "Ada"}}
    )

    assert response.status_code == 200
    assert owner(fake, reg)["firstName"] == "Ada"


def test_an_identity_matching_two_persons_is_ambiguous(
    wire: Any, fake: FakeProfiles, reg: str
) -> None:
    fake.seed(
        people=[person("Ada", "ada@example.com"), {"firstName": "Bob", "externalId": "crm-2"}]
    )
    before = fake.people()

    response = personalize(wire, reg, {"email": "ada@example.com", "externalId": "crm-2"})

    assert response.status_code == 400
    assert "AMBIGUOUS_PERSONALIZE_CANDIDATES" in push_error(response)[1]
    assert fake.people() == before


@pytest.mark.parametrize("identity", [{}, {"externalId": "NULL"}, {"email": ""}])
def test_personalize_needs_an_identity(wire: Any, reg: str, identity: dict[str, Any]) -> None:
    response = personalize(wire, reg, identity)

    assert response.status_code == 400
    assert push_error(response)[0] == 48000


def test_a_rejected_write_changes_nothing(wire: Any, fake: FakeProfiles, reg: str) -> None:
    fake.seed(people=[person("Ada", "ada@example.com")])
    before = fake.people()

    response = personalize(
        wire,
        reg,
        {"email": "ada@example.com"},
        extra={"attributes": {"customAttributes": {"undefinedAttribute": 1}}},
    )

    assert response.status_code == 400
    assert push_error(response)[0] == 48014
    assert fake.people() == before


@pytest.mark.nonconforming
def test_personalize_with_a_malformed_body_is_a_push_error(wire: Any, reg: str) -> None:
    response = call(
        wire,
        "POST",
        reg,
        "/personalize",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 400
    assert push_error(response)[0] == 48000


@pytest.mark.nonconforming
def test_a_body_that_is_not_json_content_is_a_push_error(wire: Any, reg: str) -> None:
    response = call(
        wire, "PATCH", reg, content=b"isPrimary=true", headers={"Content-Type": "text/plain"}
    )

    assert response.status_code == 415
    assert push_error(response)[0] == 48000


# -- depersonalize --------------------------------------------------------------------------------


def test_depersonalize_moves_the_device_to_a_new_empty_lead(
    wire: Any, fake: FakeProfiles, reg: str
) -> None:
    personalize(wire, reg, {"email": "ada@example.com"}, extra={"attributes": {"firstName": "Ada"}})
    ada_id = owner(fake, reg)["id"]

    response = call(wire, "POST", reg, "/depersonalize")

    assert response.status_code == 200
    assert response.content == b""
    lead = owner(fake, reg)
    assert lead["id"] != ada_id
    assert lead["type"] == "LEAD"
    assert lead["contactInformation"]["email"] == []


def test_after_depersonalize_the_person_keeps_everything_else(
    wire: Any, fake: FakeProfiles, reg: str
) -> None:
    personalize(wire, reg, {"email": "ada@example.com"}, extra={"attributes": {"firstName": "Ada"}})
    ada_id = owner(fake, reg)["id"]

    call(wire, "POST", reg, "/depersonalize")

    ada = fake.person(ada_id)
    assert ada["firstName"] == "Ada"
    assert ada["type"] == "CUSTOMER"
    assert ada["contactInformation"]["email"] == [{"address": "ada@example.com"}]
    assert "push" not in ada["contactInformation"]


def test_depersonalizing_an_anonymous_device_keeps_its_profile(
    wire: Any, fake: FakeProfiles, reg: str
) -> None:
    lead_id = owner(fake, reg)["id"]

    response = call(wire, "POST", reg, "/depersonalize")

    assert response.status_code == 200
    assert owner(fake, reg)["id"] == lead_id


def test_depersonalize_unknown_registration_is_48013(wire: Any, reg: str) -> None:
    response = call(wire, "POST", "missing", "/depersonalize")

    assert response.status_code == 400
    assert push_error(response)[0] == 48013


def test_a_deleted_persons_registration_is_gone(fake: FakeProfiles, wire: Any, reg: str) -> None:
    fake.tenant().persons.delete(owner(fake, reg)["id"])

    response = call(wire, "GET", reg)

    assert push_error(response)[0] == 48013


def test_the_leads_events_move_to_the_customer_on_login(
    wire: Any, fake: FakeProfiles, reg: str
) -> None:
    [ada] = fake.seed(people=[person("Ada", "ada@example.com")]).people
    lead_id = owner(fake, reg)["id"]
    definition = {"definitionId": "appOpened", "title": "App opened", "fields": []}
    assert wire.post("/peopleevents/2/definitions", json=definition).status_code == 201
    sent = wire.post(
        f"/peopleevents/2/persons/{lead_id}/definitions/appOpened/events",
        params={"identifierType": "ID"},
        json={},
    )
    assert sent.status_code == 201

    personalize(wire, reg, {"email": "ada@example.com"})

    assert [e["personId"] for e in fake.events()] == [ada["id"]]


# -- the control plane ----------------------------------------------------------------------------


def test_a_device_can_be_registered_over_the_control_plane(wire: Any) -> None:
    response = wire.post(
        "/_fake/push/devices", json={"appCode": "remote-app", "cloudType": "HMS", "os": "Android"}
    )

    assert response.status_code == 201
    reg_id = response.json()["registrationId"]
    instance = call(wire, "GET", reg_id, headers={"AppCode": "remote-app"}).json()
    assert instance["systemData"]["cloudType"] == "HMS"
    assert wire.fake.person(response.json()["personId"])["type"] == "LEAD"


def test_the_control_plane_refuses_a_bad_device(wire: Any) -> None:
    response = wire.post("/_fake/push/devices", json={"appCode": "a", "os": "Symbian"})

    assert response.status_code == 400
    assert "os" in response.json()["error"]


def test_an_application_can_be_added_over_the_control_plane(wire: Any, reg: str) -> None:
    created = wire.post("/_fake/push/applications", json={"appCode": "second-app"})

    response = call(wire, "GET", reg, headers={"AppCode": "second-app"})

    assert created.status_code == 201
    assert push_error(response)[0] == 48013  # the app is known now; the device is not its own


def test_registration_ids_are_deterministic_and_shaped_like_the_sdks() -> None:
    first = FakeProfiles().register_device(app_code=APP)
    again = FakeProfiles().register_device(app_code=APP)

    assert first == again
    assert re.fullmatch(
        r"[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}", first
    )


def test_the_leads_tags_join_the_personalize_tags(wire: Any, fake: FakeProfiles, reg: str) -> None:
    fake.seed(people=[person("Ada", "ada@example.com")])
    fake.tenant().persons.add_tag(owner(fake, reg)["id"], "installed-app")

    personalize(
        wire, reg, {"email": "ada@example.com"}, extra={"attributes": {"tags": ["logged-in"]}}
    )

    assert sorted(owner(fake, reg)["tags"]) == ["installed-app", "logged-in"]
