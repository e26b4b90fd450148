"""The spec's four security schemes, and the OAuth 2.0 token endpoint (in-process and over HTTP).

``App <key>``, ``Basic base64(user:password)``, ``IBSSO <token>`` and ``Bearer <token>`` are
all accepted, scheme names ignoring case; every credential names a tenant (``Basic``: the user
name; the password is not checked). A bearer token from ``POST /auth/1/oauth2/token`` names the
tenant of its client id until it expires on the fake's clock.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from infobip_profiles.testing import FakeProfiles
from infobip_profiles.testing._auth import TOKEN_LIFETIME, TOKEN_PATH
from infobip_profiles.testing._errors import MSG
from tests._support.persons import PERSONS, create
from tests._support.wire import KEY, Wire

FORM = {"grant_type": "client_credentials", "client_id": KEY, "client_secret": "s3cret"}


def basic(user: str, password: str = "pw") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def get(wire: Wire, authorization: str | None) -> httpx.Response:
    """GET the persons list with exactly this Authorization header (``None``: no header)."""
    request = wire.http.build_request("GET", PERSONS)
    request.headers.pop("authorization", None)
    if authorization is not None:
        request.headers["authorization"] = authorization
    return wire.http.send(request)


def token(wire: Wire, **form: str) -> httpx.Response:
    return wire.post(TOKEN_PATH, data={**FORM, **form}, headers={"Authorization": ""})


def assert_unauthorized(response: httpx.Response) -> None:
    assert response.status_code == 401
    assert response.json() == {
        "requestError": {
            "serviceException": {"messageId": "UNAUTHORIZED", "text": MSG.UNAUTHORIZED}
        }
    }


@pytest.fixture
def lenient(mode: str) -> Iterator[Wire]:
    """A wire to a fake with ``accept_any_key``."""
    fake = FakeProfiles(KEY, accept_any_key=True)
    if mode == "http":
        with fake.serve() as url, httpx.Client(base_url=url, timeout=10.0) as http:
            yield Wire(fake, http, mode)
    else:
        with httpx.Client(
            base_url="https://fake.api.infobip.com", transport=fake.transport(), timeout=10.0
        ) as http:
            yield Wire(fake, http, mode)


# -- the four schemes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [f"App {KEY}", basic(KEY), f"IBSSO {KEY}", f"Bearer {KEY}"],
    ids=["App", "Basic", "IBSSO", "Bearer"],
)
def test_every_scheme_reaches_the_same_tenant(wire: Wire, authorization: str) -> None:
    ada = create(wire, firstName="Ada", email="ada@example.com")

    response = get(wire, authorization)

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["persons"]] == [ada["id"]]


@pytest.mark.nonconforming  # scheme spellings other than the spec's
@pytest.mark.parametrize(
    "authorization",
    [
        f"app {KEY}",
        f"APP {KEY}",
        basic(KEY).replace("Basic", "basic"),
        f"ibsso {KEY}",
        f"bearer {KEY}",
        f"BEARER  {KEY}",
    ],
)
def test_scheme_names_ignore_case(wire: Wire, authorization: str) -> None:
    assert get(wire, authorization).status_code == 200


@pytest.mark.parametrize("password", ["pw", "", "anything:with:colons"])
def test_basic_password_is_not_checked(wire: Wire, password: str) -> None:
    assert get(wire, basic(KEY, password)).status_code == 200


@pytest.mark.parametrize(
    "scheme", ["App {}", "Basic", "IBSSO {}", "Bearer {}"], ids=["App", "Basic", "IBSSO", "Bearer"]
)
def test_each_credential_is_its_own_tenant(wire: Wire, scheme: str) -> None:
    create(wire, firstName="Ada", email="ada@example.com")
    wire.fake.add_tenant("worker-2")
    authorization = basic("worker-2") if scheme == "Basic" else scheme.format("worker-2")

    response = get(wire, authorization)

    assert response.status_code == 200
    assert response.json()["persons"] == []


@pytest.mark.parametrize(
    "authorization",
    ["App nobody", basic("nobody"), "IBSSO nobody", "Bearer nobody"],
    ids=["App", "Basic", "IBSSO", "Bearer"],
)
def test_unknown_credentials_are_a_401(wire: Wire, authorization: str) -> None:
    assert_unauthorized(get(wire, authorization))


@pytest.mark.parametrize(
    "authorization",
    ["App fresh", basic("fresh"), "IBSSO fresh", "Bearer fresh"],
    ids=["App", "Basic", "IBSSO", "Bearer"],
)
def test_accept_any_key_makes_a_tenant_of_any_scheme(lenient: Wire, authorization: str) -> None:
    response = get(lenient, authorization)

    assert response.status_code == 200
    assert lenient.fake.has_tenant("fresh")


@pytest.mark.nonconforming  # malformed credentials, on purpose
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "App",
        "Basic",
        "Bearer",
        "IBSSO",
        "Token test-key",
        "Digest test-key",
        KEY,
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(KEY.encode()).decode(),  # no colon
        "Basic " + base64.b64encode(b":pw").decode(),  # empty user name
        "Basic " + base64.b64encode(b"\xff\xfe:pw").decode(),  # not UTF-8
        "Basic dGVzdC1rZXk6cHc",  # padding missing
    ],
)
def test_malformed_or_unknown_schemes_are_a_401(lenient: Wire, authorization: str | None) -> None:
    # Even a fake that accepts any key refuses what is not a credential at all.
    assert_unauthorized(get(lenient, authorization))


def test_401_uses_the_family_envelope(wire: Wire) -> None:
    request = wire.http.build_request("GET", "/people/3/segments")
    request.headers["authorization"] = "Token nope"
    response = wire.http.send(request)

    assert response.status_code == 401
    assert response.json()["errorCode"] == "E401"


def test_basic_password_never_reaches_the_call_log(wire: Wire) -> None:
    get(wire, basic(KEY, "hunter2"))

    call = wire.fake.calls.last
    assert "hunter2" not in repr(call.to_dict())
    assert call.headers["authorization"] == "Basic [REDACTED]"


# -- the token endpoint ----------------------------------------------------------------------------


def test_token_endpoint_issues_a_bearer_token(wire: Wire) -> None:
    response = token(wire)

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "token_type"}
    assert body["expires_in"] == TOKEN_LIFETIME == 7200
    assert body["token_type"] == "Bearer"
    assert isinstance(body["access_token"], str)
    assert len(body["access_token"]) >= 32
    assert response.headers["cache-control"] == "no-store"


def test_issued_token_reaches_the_client_ids_tenant(wire: Wire) -> None:
    ada = create(wire, firstName="Ada", email="ada@example.com")
    access = token(wire).json()["access_token"]

    response = get(wire, f"Bearer {access}")

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["persons"]] == [ada["id"]]


def test_tokens_differ_and_each_works(wire: Wire) -> None:
    first, second = (token(wire).json()["access_token"] for _ in range(2))

    assert first != second
    assert get(wire, f"Bearer {first}").status_code == 200
    assert get(wire, f"Bearer {second}").status_code == 200


def test_token_expires_on_the_fake_clock(wire: Wire) -> None:
    wire.fake.clock.freeze()
    access = token(wire).json()["access_token"]

    wire.fake.clock.advance(TOKEN_LIFETIME - 1)
    assert get(wire, f"Bearer {access}").status_code == 200
    wire.fake.clock.advance(1)
    assert_unauthorized(get(wire, f"Bearer {access}"))


def test_a_shorter_lifetime_is_announced_and_kept(wire: Wire) -> None:
    wire.fake.clock.freeze()
    wire.fake.oauth_tokens.lifetime = 60

    answer = token(wire).json()

    assert answer["expires_in"] == 60
    wire.fake.clock.advance(60)
    assert_unauthorized(get(wire, f"Bearer {answer['access_token']}"))


def test_expired_token_stays_refused_under_accept_any_key(lenient: Wire) -> None:
    lenient.fake.clock.freeze()
    access = token(lenient).json()["access_token"]
    lenient.fake.clock.advance(TOKEN_LIFETIME)

    assert_unauthorized(get(lenient, f"Bearer {access}"))
    assert not lenient.fake.has_tenant(access)


def test_client_may_authenticate_with_a_basic_header(wire: Wire) -> None:
    response = wire.post(
        TOKEN_PATH,
        data={"grant_type": "client_credentials"},
        headers={"Authorization": basic(KEY, "s3cret")},
    )

    assert response.status_code == 200
    assert get(wire, f"Bearer {response.json()['access_token']}").status_code == 200


def test_unknown_client_is_invalid_client(wire: Wire) -> None:
    response = token(wire, client_id="nobody")

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_accept_any_key_issues_tokens_to_new_clients(lenient: Wire) -> None:
    response = token(lenient, client_id="worker-9")

    assert response.status_code == 200
    assert lenient.fake.has_tenant("worker-9")
    assert get(lenient, f"Bearer {response.json()['access_token']}").status_code == 200


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({"grant_type": "password"}, "unsupported_grant_type"),
        ({"grant_type": ""}, "invalid_request"),
        ({"client_id": ""}, "invalid_request"),
        ({"client_secret": ""}, "invalid_request"),
    ],
)
def test_bad_token_requests_are_400(wire: Wire, form: dict[str, str], error: str) -> None:
    response = token(wire, **form)

    assert response.status_code == 400
    assert response.json()["error"] == error
    assert response.json()["error_description"]


def test_token_request_must_be_a_form(wire: Wire) -> None:
    response = wire.post(TOKEN_PATH, json=FORM)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_client_credentials_given_twice_are_400(wire: Wire) -> None:
    response = wire.post(TOKEN_PATH, data=FORM, headers={"Authorization": basic(KEY, "s3cret")})

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"


def test_repeated_form_field_is_400(wire: Wire) -> None:
    content = "grant_type=client_credentials&client_id=a&client_id=b&client_secret=s"
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Authorization": ""}

    response = wire.post(TOKEN_PATH, content=content, headers=headers)

    assert response.status_code == 400


def test_token_endpoint_answers_only_post(wire: Wire) -> None:
    response = wire.get(TOKEN_PATH)

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_token_endpoint_accepts_a_trailing_slash(wire: Wire) -> None:
    response = wire.post(TOKEN_PATH + "/", data=FORM, headers={"Authorization": ""})

    assert response.status_code == 200


def test_two_trailing_slashes_are_not_the_token_endpoint(wire: Wire) -> None:
    response = wire.post(TOKEN_PATH + "//", data=FORM, headers={"Authorization": ""})

    assert response.status_code == 404


def test_secret_and_token_never_reach_the_call_log(wire: Wire) -> None:
    access = token(wire).json()["access_token"]

    call = wire.fake.calls.last
    logged: Any = repr(call.to_dict()) + repr(call.body) + repr(call.content)
    assert "s3cret" not in logged
    assert access not in logged
    assert call.response_body["access_token"] == "[REDACTED]"
