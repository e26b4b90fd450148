"""The ``push`` resource: the request each method sends and how it decodes the answer (respx).

Every test runs with the sync and the async client.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date
from typing import Any

import pytest
import respx

from infobip_profiles import (
    BadRequestError,
    CloudType,
    Gender,
    OperatingSystem,
    PersonalizeAttributes,
    PersonalizedUser,
    PersonalizeIdentity,
    PushInstance,
    PushSystemData,
    PushUser,
    ValidationError,
)
from infobip_profiles._converter import from_wire
from tests._support.client import last_request, open_api, router_fixture

BASE = "https://api.push.test"
REG = "8621824C-86B2-41F7-BF6F-20D3B1426005"
APP = "753CBCDC1D587223934106E2A2AEDD44"
PATH = f"{BASE}/people/2/contactInformation/push/{REG}"

INSTANCE = {
    "registrationId": REG,
    "applicationId": APP,
    "isPrimary": False,
    "additionalData": {"plan": "gold"},
    "systemData": {
        "cloudType": "GCM",
        "registrationEnabled": True,
        "notificationsEnabled": True,
        "sdkVersion": "13.1.0",
        "os": "Android",
        "deviceModel": "Pixel 8",
    },
}

Call = Callable[..., Awaitable[Any]]


@pytest.fixture(params=["sync", "async"])
async def push(request: pytest.FixtureRequest) -> AsyncIterator[Call]:
    """``await push("get", ...)`` calls the method on the sync or the async client."""
    async with open_api(request.param, BASE, "push", api_key="k") as api:
        yield api.call


api = router_fixture("api", BASE)


# -- get ------------------------------------------------------------------------------------------


async def test_get_sends_the_app_code_header(api: respx.MockRouter, push: Call) -> None:
    route = api.get(PATH).respond(200, json=INSTANCE)

    await push("get", REG, APP)

    assert last_request(route).headers["AppCode"] == APP


async def test_get_decodes_the_registration(api: respx.MockRouter, push: Call) -> None:
    api.get(PATH).respond(200, json=INSTANCE)

    instance = await push("get", REG, APP)

    assert instance.registration_id == REG
    assert instance.application_id == APP
    assert instance.is_primary is False
    assert instance.additional_data == {"plan": "gold"}
    assert instance.system_data.cloud_type is CloudType.GCM
    assert instance.system_data.os is OperatingSystem.ANDROID
    assert instance.system_data.device_model == "Pixel 8"


async def test_get_keeps_an_unknown_cloud_type_as_text(api: respx.MockRouter, push: Call) -> None:
    api.get(PATH).respond(200, json={**INSTANCE, "systemData": {"cloudType": "NEWCLOUD"}})

    instance = await push("get", REG, APP)

    assert instance.system_data.cloud_type == "NEWCLOUD"


async def test_get_percent_encodes_the_registration_id(api: respx.MockRouter, push: Call) -> None:
    route = api.get(f"{BASE}/people/2/contactInformation/push/a%2Fb").respond(200, json=INSTANCE)

    await push("get", "a/b", APP)

    assert route.called


async def test_unknown_registration_raises_bad_request_with_the_push_code(
    api: respx.MockRouter, push: Call
) -> None:
    api.get(PATH).respond(
        400, json={"errorCode": 48013, "errorMessage": "Push registration not found"}
    )

    with pytest.raises(BadRequestError) as caught:
        await push("get", REG, APP)

    assert caught.value.message_id == "48013"
    assert caught.value.text == "Push registration not found"


@pytest.mark.parametrize(("reg", "app"), [("", APP), (" ", APP), (REG, ""), (REG, "  ")])
async def test_empty_registration_or_app_code_is_refused_before_sending(
    api: respx.MockRouter, push: Call, reg: str, app: str
) -> None:
    route = api.get(url__regex=r".*").respond(200, json=INSTANCE)

    with pytest.raises(ValidationError):
        await push("get", reg, app)

    assert not route.called


# -- update ---------------------------------------------------------------------------------------


async def test_update_sends_only_what_was_set(api: respx.MockRouter, push: Call) -> None:
    route = api.patch(PATH).respond(200, json=INSTANCE)

    await push(
        "update",
        REG,
        APP,
        PushInstance(
            is_primary=True,
            additional_data={"discount": False},
            system_data=PushSystemData(registration_enabled=False),
        ),
    )

    request = last_request(route)
    assert request.headers["AppCode"] == APP
    assert json.loads(request.content) == {
        "isPrimary": True,
        "additionalData": {"discount": False},
        "systemData": {"registrationEnabled": False},
    }


async def test_update_refuses_read_only_fields(api: respx.MockRouter, push: Call) -> None:
    route = api.patch(PATH).respond(200, json=INSTANCE)
    instance = PushInstance(registration_id="other", application_id="other", is_primary=True)

    with pytest.raises(ValidationError, match="application_id, registration_id are read-only"):
        await push("update", REG, APP, instance)

    assert not route.called


async def test_update_never_sends_the_read_only_system_data(
    api: respx.MockRouter, push: Call
) -> None:
    route = api.patch(PATH).respond(200, json=INSTANCE)
    fetched = from_wire({**INSTANCE, "systemData": {"cloudType": "APNS"}}, PushInstance)
    fetched.is_primary = True

    await push("update", REG, APP, fetched)

    sent = json.loads(last_request(route).content)
    assert sent["isPrimary"] is True
    assert "registrationId" not in sent
    assert "cloudType" not in sent.get("systemData", {})


async def test_update_returns_the_registration(api: respx.MockRouter, push: Call) -> None:
    api.patch(PATH).respond(200, json={**INSTANCE, "isPrimary": True})

    instance = await push("update", REG, APP, PushInstance(is_primary=True))

    assert instance.is_primary is True


async def test_update_refuses_something_that_is_not_an_instance(
    api: respx.MockRouter, push: Call
) -> None:
    with pytest.raises(TypeError):
        await push("update", REG, APP, {"isPrimary": True})


# -- personalize ----------------------------------------------------------------------------------

PERSONALIZED = {
    "externalId": "crm-1",
    "firstName": "Ada",
    "birthday": "1990-05-01T00:00:00Z",
    "gender": "FEMALE",
    "customAttributes": {"personalizationCompleted": True},
    "tags": ["Personalized"],
    "contactInformation": {
        "phones": [{"number": "41793026727"}],
        "emails": [{"address": "ada@example.com"}],
    },
}


async def test_personalize_sends_identity_and_attributes(api: respx.MockRouter, push: Call) -> None:
    route = api.post(f"{PATH}/personalize").respond(200, json=PERSONALIZED)
    user = PushUser(
        identity=PersonalizeIdentity(external_id="crm-1", email="ada@example.com"),
        attributes=PersonalizeAttributes(
            first_name="Ada",
            birthday=date(1990, 5, 1),
            gender=Gender.FEMALE,
            custom_attributes={"personalizationCompleted": True},
            tags=["Personalized"],
        ),
    )

    await push("personalize", REG, APP, user)

    request = last_request(route)
    assert request.headers["AppCode"] == APP
    assert json.loads(request.content) == {
        "identity": {"externalId": "crm-1", "email": "ada@example.com"},
        "attributes": {
            "firstName": "Ada",
            "birthday": "1990-05-01T00:00:00Z",
            "gender": "FEMALE",
            "customAttributes": {"personalizationCompleted": True},
            "tags": ["Personalized"],
        },
    }


async def test_personalize_sends_the_four_flags_as_false_by_default(
    api: respx.MockRouter, push: Call
) -> None:
    route = api.post(f"{PATH}/personalize").respond(200, json=PERSONALIZED)

    await push("personalize", REG, APP, PushUser.of(phone_number="41793026727"))

    assert dict(last_request(route).url.params) == {
        "forceDepersonalize": "false",
        "keepAsLead": "false",
        "returnPush": "false",
        "setDeviceAsPrimary": "false",
    }


async def test_personalize_sends_the_flags_that_were_asked_for(
    api: respx.MockRouter, push: Call
) -> None:
    route = api.post(f"{PATH}/personalize").respond(200, json=PERSONALIZED)

    await push(
        "personalize",
        REG,
        APP,
        PushUser.of(email="ada@example.com"),
        force_depersonalize=True,
        keep_as_lead=True,
        return_push=True,
        set_device_as_primary=True,
    )

    assert set(last_request(route).url.params.values()) == {"true"}


async def test_personalize_decodes_the_plural_contact_names(
    api: respx.MockRouter, push: Call
) -> None:
    api.post(f"{PATH}/personalize").respond(200, json=PERSONALIZED)

    user = await push("personalize", REG, APP, PushUser.of(external_id="crm-1"))

    assert isinstance(user, PersonalizedUser)
    assert user.external_id == "crm-1"
    assert user.emails == ["ada@example.com"]
    assert user.phones == ["41793026727"]
    assert user.birthday == date(1990, 5, 1)
    assert user.gender is Gender.FEMALE
    assert user.push == []


async def test_personalize_decodes_the_push_registrations_when_returned(
    api: respx.MockRouter, push: Call
) -> None:
    body = {**PERSONALIZED, "contactInformation": {"push": [INSTANCE]}}
    api.post(f"{PATH}/personalize").respond(200, json=body)

    user = await push("personalize", REG, APP, PushUser.of(external_id="crm-1"), return_push=True)

    assert [p.registration_id for p in user.push] == [REG]


@pytest.mark.parametrize(
    "user",
    [
        PushUser(identity=PersonalizeIdentity()),
        PushUser(identity=PersonalizeIdentity(email="")),
        PushUser.of(attributes=PersonalizeAttributes(first_name="Ada")),
    ],
    ids=["empty", "blank-email", "attributes-only"],
)
async def test_personalize_without_an_identity_is_refused_before_sending(
    api: respx.MockRouter, push: Call, user: PushUser
) -> None:
    route = api.post(f"{PATH}/personalize").respond(200, json=PERSONALIZED)

    with pytest.raises(ValidationError) as caught:
        await push("personalize", REG, APP, user)

    assert caught.value.field == "identity"
    assert not route.called


async def test_personalize_conflict_raises_bad_request(api: respx.MockRouter, push: Call) -> None:
    api.post(f"{PATH}/personalize").respond(
        400, json={"errorCode": 48010, "errorMessage": "Personalization impossible"}
    )

    with pytest.raises(BadRequestError) as caught:
        await push("personalize", REG, APP, PushUser.of(email="ada@example.com"))

    assert caught.value.message_id == "48010"


# -- depersonalize --------------------------------------------------------------------------------


async def test_depersonalize_posts_with_the_app_code_and_returns_none(
    api: respx.MockRouter, push: Call
) -> None:
    route = api.post(f"{PATH}/depersonalize").respond(200)

    result = await push("depersonalize", REG, APP)

    assert result is None
    assert last_request(route).headers["AppCode"] == APP
    assert last_request(route).content == b""


async def test_depersonalize_missing_app_raises_bad_request(
    api: respx.MockRouter, push: Call
) -> None:
    api.post(f"{PATH}/depersonalize").respond(
        400, json={"errorCode": 48012, "errorMessage": "Push application not found"}
    )

    with pytest.raises(BadRequestError) as caught:
        await push("depersonalize", REG, APP)

    assert caught.value.message_id == "48012"
