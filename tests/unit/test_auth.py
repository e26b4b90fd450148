"""Authentication: every scheme the API declares, OAuth2 client credentials, and secrecy.

The API is answered by respx, and so is a small token endpoint (:class:`TokenService`) that issues
``tok-1``, ``tok-2``... and an API route that accepts only the tokens it has not revoked. Each
behaviour is checked on the sync and the async client alike (the ``kind`` fixture); the concurrency
tests come as twins (16 threads, 200 tasks).
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import copy
import logging
import pickle
import threading
from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from infobip_profiles import (
    APIConnectionError,
    ApiKeyAuth,
    AsyncProfilesClient,
    Auth,
    AuthenticationError,
    BasicAuth,
    BearerAuth,
    ConfigurationError,
    IBSSOAuth,
    OAuth2ClientCredentials,
    Person,
    PersonRef,
    ProfilesClient,
)
from infobip_profiles.testing import FakeProfiles
from tests._support.client import Sleeps, close_client, resolve, router_fixture

BASE = "https://acme.api.infobip.com"
TOKEN_URL = f"{BASE}/auth/1/oauth2/token"
PERSONS = f"{BASE}/people/2/persons"
PERSON = {"id": 1, "firstName": "Ada"}
CLIENT_ID = "ada-lovelace"
# Characters that form-encoding spells differently, to catch an echo of the encoded form too.
SECRET = "s3cret/with+plus=and&amp"
KEY = "sk-live-0123456789abcdef"
UNAUTHORIZED = {
    "requestError": {"serviceException": {"messageId": "UNAUTHORIZED", "text": "Invalid login"}}
}
Client = ProfilesClient | AsyncProfilesClient


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFOBIP_API_KEY", raising=False)
    monkeypatch.delenv("INFOBIP_BASE_URL", raising=False)


api = router_fixture()


def make(kind: str, **kwargs: Any) -> Any:
    kwargs.setdefault("throttle", False)
    kwargs.setdefault("base_url", BASE)
    cls = ProfilesClient if kind == "sync" else AsyncProfilesClient
    return cls(**kwargs)


def oauth(**kwargs: Any) -> OAuth2ClientCredentials:
    return OAuth2ClientCredentials(CLIENT_ID, SECRET, **kwargs)


async def get_person(client: Client) -> Any:
    return await resolve(client.people.get(PersonRef.id(1)))


class Clock:
    """The client's clock seam: a settable time that counts its readings."""

    def __init__(self) -> None:
        self.now = 0.0
        self.readings = 0
        self._lock = threading.Lock()
        self.on_reading: Callable[[int], None] | None = None

    def __call__(self) -> float:
        with self._lock:
            self.readings += 1
            count = self.readings
        if self.on_reading is not None:
            self.on_reading(count)
        return self.now


class TokenService:
    """A token endpoint and a persons route that accepts only the live tokens (respx side effects).

    ``authorizations`` is the ``Authorization`` of each API request as it was sent (the client
    blanks it on the stored request afterwards).
    """

    def __init__(self, router: respx.MockRouter, *, expires_in: Any = 3600) -> None:
        self.expires_in = expires_in
        self.token_requests: list[httpx.Request] = []
        self.token_bodies: list[bytes] = []
        self.live: set[str] = set()
        self.authorizations: list[str] = []
        self.rejected = 0
        self.answers: list[httpx.Response | Exception] = []  # next token answers, instead
        self.api_answers: list[httpx.Response] = []  # next API answers, instead
        self.refuse_all = False
        self.gate: Callable[[], None] | None = None  # blocks a token answer (sync)
        self.agate: Callable[[], Coroutine[Any, Any, None]] | None = None  # (async)
        self._lock = threading.Lock()
        self.token_route = router.post(TOKEN_URL).mock(side_effect=self._token)
        self.get_route = router.get(PERSONS).mock(side_effect=self._api)

    def revoke(self) -> None:
        """Every token issued so far is refused from now on."""
        with self._lock:
            self.live.clear()

    def _token(self, request: httpx.Request) -> Any:
        with self._lock:
            self.token_requests.append(request)
            self.token_bodies.append(request.content)
            planned = self.answers.pop(0) if self.answers else None
        if isinstance(planned, Exception):
            raise planned
        if self.agate is not None:
            return self._after(self.agate, request, planned)
        if self.gate is not None:
            self.gate()
        return planned if planned is not None else self._issue()

    async def _after(
        self,
        gate: Callable[[], Coroutine[Any, Any, None]],
        request: httpx.Request,
        planned: httpx.Response | None,
    ) -> httpx.Response:
        await gate()
        return planned if planned is not None else self._issue()

    def _issue(self) -> httpx.Response:
        with self._lock:
            token = f"tok-{len(self.token_requests)}"
            self.live.add(token)
        body: dict[str, Any] = {"access_token": token}
        if self.expires_in is not None:
            body["expires_in"] = self.expires_in
        return httpx.Response(200, json=body)

    def _api(self, request: httpx.Request) -> httpx.Response:
        value = request.headers.get("authorization", "")
        with self._lock:
            self.authorizations.append(value)
            if self.api_answers:
                return self.api_answers.pop(0)
            scheme, _, token = value.partition(" ")
            if scheme == "Bearer" and token in self.live and not self.refuse_all:
                return httpx.Response(200, json=PERSON)
            self.rejected += 1
        return httpx.Response(401, json=UNAUTHORIZED)


def sent_authorizations(route: respx.Route) -> list[str]:
    """A route whose requests' Authorization headers are recorded as sent."""
    seen: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization", ""))
        return httpx.Response(200, json=PERSON)

    route.mock(side_effect=record)
    return seen


# -- one header per scheme -----------------------------------------------------------------------


def _basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


SCHEMES = [
    pytest.param(lambda: ApiKeyAuth(KEY), f"App {KEY}", id="api-key"),
    pytest.param(lambda: BasicAuth("ada", "open sesame"), _basic("ada", "open sesame"), id="basic"),
    pytest.param(lambda: IBSSOAuth("2f9b4d31-2d0d"), "IBSSO 2f9b4d31-2d0d", id="ibsso"),
    pytest.param(lambda: BearerAuth("eyJhbGciOi.abc"), "Bearer eyJhbGciOi.abc", id="bearer"),
]


@pytest.mark.parametrize(("factory", "header"), SCHEMES)
async def test_each_scheme_sends_its_authorization_header(
    kind: str, api: Any, factory: Callable[[], Auth], header: str
) -> None:
    seen = sent_authorizations(api.get(PERSONS))
    client = make(kind, auth=factory())

    await get_person(client)
    await get_person(client)

    assert seen == [header, header]


async def test_oauth2_sends_the_token_it_obtained_as_bearer(kind: str, api: Any) -> None:
    service = TokenService(api)
    client = make(kind, auth=oauth())

    person = await get_person(client)

    assert person.first_name == "Ada"
    assert service.authorizations == ["Bearer tok-1"]


async def test_a_non_ascii_password_with_spaces_is_sent_utf8_encoded(kind: str, api: Any) -> None:
    seen = sent_authorizations(api.get(PERSONS))
    client = make(kind, auth=BasicAuth("ada", "pass wörd"))

    await get_person(client)

    assert seen == ["Basic " + base64.b64encode("ada:pass wörd".encode()).decode()]


# -- choosing the credentials ---------------------------------------------------------------------


async def test_without_auth_or_key_the_environment_key_is_sent(
    kind: str, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFOBIP_API_KEY", "from-env")
    seen = sent_authorizations(api.get(PERSONS))
    client = make(kind)

    await get_person(client)

    assert seen == ["App from-env"]
    assert client.auth is None


async def test_auth_wins_over_the_environment_key(
    kind: str, api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFOBIP_API_KEY", "from-env")
    seen = sent_authorizations(api.get(PERSONS))
    client = make(kind, auth=IBSSOAuth("session-1"))

    await get_person(client)

    assert seen == ["IBSSO session-1"]


def test_api_key_and_auth_together_are_a_configuration_error(kind: str) -> None:
    with pytest.raises(ConfigurationError, match="not both") as info:
        make(kind, api_key=KEY, auth=BearerAuth("tok"))

    assert KEY not in str(info.value)


def test_no_credentials_at_all_is_a_configuration_error(kind: str) -> None:
    with pytest.raises(ConfigurationError, match="INFOBIP_API_KEY"):
        make(kind)


@pytest.mark.parametrize(
    "auth",
    [f"App {KEY}", httpx.BasicAuth("ada", "pw"), ("ada", "pw")],
    ids=["string", "httpx-auth", "tuple"],
)
def test_auth_of_another_type_is_a_configuration_error(kind: str, auth: Any) -> None:
    with pytest.raises(ConfigurationError, match="auth must be") as info:
        make(kind, auth=auth)

    assert KEY not in str(info.value)
    assert "pw" not in str(info.value)


async def test_with_options_copies_keep_the_auth(kind: str, api: Any) -> None:
    seen = sent_authorizations(api.get(PERSONS))
    client = make(kind, auth=IBSSOAuth("session-1"))

    copy_ = client.with_options(timeout=5.0, max_retries=1)
    await get_person(copy_)

    assert seen == ["IBSSO session-1"]
    assert copy_.auth is client.auth


async def test_with_options_copies_share_the_oauth2_token(kind: str, api: Any) -> None:
    service = TokenService(api)
    client = make(kind, auth=oauth())

    await get_person(client)
    await get_person(client.with_options(timeout=5.0))

    assert len(service.token_requests) == 1
    assert service.authorizations == ["Bearer tok-1", "Bearer tok-1"]


# -- malformed secrets ------------------------------------------------------------------------------

HEADER_SECRETS: list[tuple[str, Callable[[str], Auth]]] = [
    ("key", ApiKeyAuth),
    ("ibsso", IBSSOAuth),
    ("bearer", BearerAuth),
]
PASSWORDS: list[tuple[str, Callable[[str], Auth]]] = [
    ("basic-password", lambda value: BasicAuth("ada", value)),
    ("client-secret", lambda value: OAuth2ClientCredentials(CLIENT_ID, value)),
]


@pytest.mark.parametrize(("name", "factory"), HEADER_SECRETS, ids=[n for n, _ in HEADER_SECRETS])
@pytest.mark.parametrize(
    "value",
    [
        "with space-123",
        "tab\tinside-123",
        "trailing-newline-123\n",
        "caf\u00e9-secret-123",
        "nul\x00x",
    ],
)
def test_a_header_secret_with_whitespace_control_or_non_ascii_is_refused_unechoed(
    name: str, factory: Callable[[str], Auth], value: str
) -> None:
    with pytest.raises(ConfigurationError, match="not shown") as info:
        factory(value)

    assert value not in str(info.value)
    assert value.strip()[:6] not in str(info.value)


@pytest.mark.parametrize(("name", "factory"), PASSWORDS, ids=[n for n, _ in PASSWORDS])
@pytest.mark.parametrize(
    "value", ["line\nbreak-123", "nul\x00-123", " leading-123", "trailing-123\n"]
)
def test_a_password_with_control_characters_or_edge_whitespace_is_refused_unechoed(
    name: str, factory: Callable[[str], Auth], value: str
) -> None:
    with pytest.raises(ConfigurationError, match="not shown") as info:
        factory(value)

    assert value.strip() not in str(info.value)


@pytest.mark.parametrize(
    "factory",
    [
        lambda: ApiKeyAuth(""),
        lambda: BearerAuth(None),  # type: ignore[arg-type]
        lambda: IBSSOAuth(b"bytes-token"),  # type: ignore[arg-type]
        lambda: BasicAuth("", "pw-123"),
        lambda: BasicAuth("ada:x", "pw-123"),
        lambda: OAuth2ClientCredentials("", SECRET),
        lambda: OAuth2ClientCredentials(CLIENT_ID, ""),
    ],
)
def test_empty_wrong_type_or_ambiguous_credentials_are_refused(factory: Callable[[], Any]) -> None:
    with pytest.raises(ConfigurationError):
        factory()


@pytest.mark.parametrize("margin", [-1, float("nan"), float("inf"), True, "60"])
def test_a_bad_refresh_margin_is_refused(margin: Any) -> None:
    with pytest.raises(ConfigurationError, match="refresh_margin"):
        oauth(refresh_margin=margin)


@pytest.mark.parametrize(
    "url",
    [
        "http://login.example.com/token",
        "ftp://example.com/token",
        "token",
        "",
        "https://user:pw-secret@login.example.com/token",
    ],
)
def test_a_token_url_that_is_not_https_or_a_path_is_refused(url: str) -> None:
    with pytest.raises(ConfigurationError, match="token_url") as info:
        oauth(token_url=url)

    assert "pw-secret" not in str(info.value)


# -- secrets stay secret ----------------------------------------------------------------------------

AUTHS: list[tuple[Callable[[], Auth], list[str]]] = [
    (lambda: ApiKeyAuth(KEY), [KEY]),
    (
        lambda: BasicAuth("ada", "open-sesame-42"),
        ["open-sesame-42", _basic("ada", "open-sesame-42")[6:]],
    ),
    (lambda: IBSSOAuth("ibsso-token-42"), ["ibsso-token-42"]),
    (lambda: BearerAuth("bearer-token-42"), ["bearer-token-42"]),
    (lambda: OAuth2ClientCredentials(CLIENT_ID, SECRET), [SECRET]),
]
AUTH_IDS = ["api-key", "basic", "ibsso", "bearer", "oauth2"]


@pytest.mark.parametrize(("factory", "secrets"), AUTHS, ids=AUTH_IDS)
def test_repr_and_str_of_the_credentials_hide_every_secret(
    factory: Callable[[], Auth], secrets: list[str]
) -> None:
    auth = factory()

    for text in (repr(auth), str(auth)):
        assert "<redacted>" in text
        assert all(secret not in text for secret in secrets)


@pytest.mark.parametrize(("factory", "secrets"), AUTHS, ids=AUTH_IDS)
def test_client_repr_shows_the_scheme_but_no_secret(
    kind: str, factory: Callable[[], Auth], secrets: list[str]
) -> None:
    auth = factory()
    client = make(kind, auth=auth)

    assert type(auth).__name__ in repr(client)
    assert all(secret not in repr(client) for secret in secrets)


@pytest.mark.parametrize(("factory", "secrets"), AUTHS, ids=AUTH_IDS)
def test_credentials_cannot_be_pickled(factory: Callable[[], Auth], secrets: list[str]) -> None:
    auth = factory()

    with pytest.raises(TypeError, match="secret") as info:
        pickle.dumps(auth)

    assert all(secret not in str(info.value) for secret in secrets)


def test_a_client_holding_credentials_cannot_be_pickled(kind: str) -> None:
    client = make(kind, auth=oauth())

    with pytest.raises(TypeError, match="secret") as info:
        pickle.dumps(client)

    assert SECRET not in str(info.value)


@pytest.mark.parametrize(("factory", "secrets"), AUTHS, ids=AUTH_IDS)
def test_copies_of_credentials_are_the_same_object(
    factory: Callable[[], Auth], secrets: list[str]
) -> None:
    auth = factory()

    assert copy.copy(auth) is auth
    assert copy.deepcopy({"auth": auth})["auth"] is auth


@pytest.mark.parametrize(("factory", "secrets"), AUTHS[1:4], ids=AUTH_IDS[1:4])
async def test_an_error_body_echoing_a_secret_is_redacted_everywhere(
    kind: str, api: Any, factory: Callable[[], Auth], secrets: list[str]
) -> None:
    echo = " / ".join(secrets)
    api.get(PERSONS).respond(
        401,
        json={"requestError": {"serviceException": {"messageId": "UNAUTHORIZED", "text": echo}}},
    )
    client = make(kind, auth=factory())

    with pytest.raises(AuthenticationError) as info:
        await get_person(client)

    error = info.value
    shown = [
        str(error),
        repr(error),
        error.text,
        repr(error.body),
        pickle.dumps(error).decode("latin-1"),
    ]
    for text in shown:
        assert all(secret not in text for secret in secrets), text
    assert "<redacted>" in error.text


async def test_an_api_error_echoing_the_oauth2_token_is_redacted(kind: str, api: Any) -> None:
    service = TokenService(api)
    client = make(kind, auth=oauth())
    await get_person(client)
    service.api_answers.append(
        httpx.Response(
            403,
            json={
                "requestError": {
                    "serviceException": {"messageId": "FORBIDDEN", "text": "tok-1 lacks a scope"}
                }
            },
        )
    )

    with pytest.raises(Exception) as info:
        await get_person(client)

    assert len(service.token_requests) == 1
    assert "tok-1" not in str(info.value)
    assert "tok-1" not in pickle.dumps(info.value).decode("latin-1")


async def test_logs_never_show_the_client_secret_or_the_token(
    kind: str, api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    service = TokenService(api)
    service.answers.append(httpx.ConnectError(f"refused while sending {SECRET}"))
    client = make(kind, auth=oauth(), max_retries=2)
    client._sleep = Sleeps().for_kind(kind)
    caplog.set_level(logging.DEBUG)

    await get_person(client)
    service.revoke()
    await get_person(client)

    assert service.authorizations == ["Bearer tok-2", "Bearer tok-2", "Bearer tok-3"]
    assert caplog.records
    for record in caplog.records:
        message = record.getMessage()
        assert SECRET not in message
        assert all(f"tok-{n}" not in message for n in (2, 3)), message


# -- OAuth2: the token request ----------------------------------------------------------------------


async def test_the_token_request_is_a_form_encoded_client_credentials_grant(
    kind: str, api: Any
) -> None:
    service = TokenService(api)
    client = make(kind, auth=oauth())

    await get_person(client)

    request = service.token_requests[0]
    assert request.method == "POST"
    assert str(request.url) == TOKEN_URL
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert "authorization" not in request.headers
    assert parse_qs(service.token_bodies[0].decode(), strict_parsing=True) == {
        "grant_type": ["client_credentials"],
        "client_id": [CLIENT_ID],
        "client_secret": [SECRET],
    }


async def test_the_token_is_kept_for_later_calls(kind: str, api: Any) -> None:
    service = TokenService(api)
    client = make(kind, auth=oauth())

    for _ in range(3):
        await get_person(client)

    assert len(service.token_requests) == 1
    assert service.authorizations == ["Bearer tok-1"] * 3


async def test_the_token_request_goes_through_an_injected_http_client(kind: str) -> None:
    seen: list[tuple[str, str]] = []

    def transport(request: httpx.Request) -> httpx.Response:
        seen.append((request.url.path, request.headers.get("x-proxy-tag", "")))
        if request.url.path == "/auth/1/oauth2/token":
            return httpx.Response(200, json={"access_token": "via-pool", "expires_in": 60})
        assert request.headers["authorization"] == "Bearer via-pool"
        return httpx.Response(200, json=PERSON)

    options: dict[str, Any] = {
        "transport": httpx.MockTransport(transport),
        "headers": {"X-Proxy-Tag": "mine"},
    }
    http = httpx.Client(**options) if kind == "sync" else httpx.AsyncClient(**options)
    client = make(kind, auth=oauth(), http_client=http)

    await get_person(client)

    assert seen == [("/auth/1/oauth2/token", "mine"), ("/people/2/persons", "mine")]
    await resolve(http.close() if isinstance(http, httpx.Client) else http.aclose())


@pytest.mark.parametrize(
    ("token_url", "expected"),
    [
        ("https://login.example.com/oauth2/token", "https://login.example.com/oauth2/token"),
        ("/custom/token", f"{BASE}/custom/token"),
        ("http://127.0.0.1:8123/token", "http://127.0.0.1:8123/token"),
    ],
)
async def test_a_token_url_may_be_absolute_or_a_path_on_the_base_url(
    kind: str, api: Any, token_url: str, expected: str
) -> None:
    token = api.post(expected).respond(200, json={"access_token": "other-1", "expires_in": 60})
    seen = sent_authorizations(api.get(PERSONS))
    client = make(kind, auth=oauth(token_url=token_url))

    await get_person(client)

    assert token.call_count == 1
    assert seen == ["Bearer other-1"]


# -- OAuth2: renewal before expiry -------------------------------------------------------------------


async def test_the_token_is_renewed_refresh_margin_before_it_expires(kind: str, api: Any) -> None:
    service = TokenService(api, expires_in=3600)
    clock = Clock()
    client = make(kind, auth=oauth(refresh_margin=60))
    client._clock = clock

    await get_person(client)  # obtained at 0: renewed from 3540 on
    clock.now = 3539.9
    await get_person(client)
    assert len(service.token_requests) == 1

    clock.now = 3540.0
    await get_person(client)

    assert len(service.token_requests) == 2
    assert service.authorizations == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


async def test_a_short_lived_token_is_renewed_at_half_its_life_at_the_earliest(
    kind: str, api: Any
) -> None:
    service = TokenService(api, expires_in=100)
    clock = Clock()
    client = make(kind, auth=oauth(refresh_margin=300))
    client._clock = clock

    await get_person(client)
    clock.now = 49.0
    await get_person(client)
    clock.now = 50.0
    await get_person(client)

    assert service.authorizations == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


async def test_a_token_without_expires_in_is_kept_until_a_401(kind: str, api: Any) -> None:
    service = TokenService(api, expires_in=None)
    clock = Clock()
    client = make(kind, auth=oauth())
    client._clock = clock

    await get_person(client)
    clock.now = 10.0**9
    await get_person(client)
    assert len(service.token_requests) == 1

    service.revoke()
    await get_person(client)

    assert service.authorizations == [
        "Bearer tok-1",
        "Bearer tok-1",
        "Bearer tok-1",
        "Bearer tok-2",
    ]


# -- OAuth2: a 401 renews once and replays once -------------------------------------------------------


async def test_a_401_renews_the_token_and_replays_the_call_once(kind: str, api: Any) -> None:
    service = TokenService(api)
    client = make(kind, auth=oauth(), max_retries=0)
    await get_person(client)
    service.revoke()  # e.g. revoked on the server before it expired

    person = await get_person(client)

    assert person.first_name == "Ada"
    assert len(service.token_requests) == 2
    assert service.authorizations == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


async def test_a_second_401_is_raised_without_a_third_attempt(kind: str, api: Any) -> None:
    service = TokenService(api)
    service.refuse_all = True
    client = make(kind, auth=oauth())

    with pytest.raises(AuthenticationError) as info:
        await get_person(client)

    assert info.value.status_code == 401
    assert len(service.token_requests) == 2
    assert service.authorizations == ["Bearer tok-1", "Bearer tok-2"]


async def test_a_write_refused_with_401_is_replayed_once(kind: str, api: Any) -> None:
    TokenService(api)
    seen: list[str] = []

    def create(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        if len(seen) == 1:
            return httpx.Response(401, json=UNAUTHORIZED)
        return httpx.Response(200, json={**PERSON, "type": "CUSTOMER"})

    api.post(PERSONS).mock(side_effect=create)
    client = make(kind, auth=oauth(), max_retries=0)

    created = await resolve(client.people.create(Person(first_name="Ada", external_id="crm-ada")))

    assert created.id == 1
    assert seen == ["Bearer tok-1", "Bearer tok-2"]


@pytest.mark.parametrize(("factory", "secrets"), AUTHS[:4], ids=AUTH_IDS[:4])
async def test_fixed_credentials_are_not_replayed_after_a_401(
    kind: str, api: Any, factory: Callable[[], Auth], secrets: list[str]
) -> None:
    route = api.get(PERSONS).respond(401, json=UNAUTHORIZED)
    client = make(kind, auth=factory())

    with pytest.raises(AuthenticationError):
        await get_person(client)

    assert route.call_count == 1


# -- OAuth2: a failed token request ------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 500])
async def test_a_refused_token_request_is_an_authentication_error_without_the_secret(
    kind: str, api: Any, status: int
) -> None:
    service = TokenService(api)
    service.answers.append(
        httpx.Response(
            status,
            json={"error": "invalid_client", "error_description": f"bad secret {SECRET}"},
        )
    )
    client = make(kind, auth=oauth(), max_retries=0)

    with pytest.raises(AuthenticationError) as info:
        await get_person(client)

    error = info.value
    assert error.status_code == status
    assert error.path == "/auth/1/oauth2/token"
    assert "OAuth2 token request was refused" in str(error)
    assert error.response is None
    for text in (str(error), repr(error), repr(error.body), pickle.dumps(error).decode("latin-1")):
        assert SECRET not in text
    assert len(service.token_requests) == 1
    assert service.authorizations == []


async def test_a_token_endpoint_failing_with_5xx_is_retried_for_a_replay_safe_call(
    kind: str, api: Any
) -> None:
    service = TokenService(api)
    service.answers.append(httpx.Response(503, text="busy"))
    client = make(kind, auth=oauth(), max_retries=1)
    client._sleep = Sleeps().for_kind(kind)

    person = await get_person(client)

    assert person.first_name == "Ada"
    assert len(service.token_requests) == 2
    assert service.authorizations == ["Bearer tok-2"]


@pytest.mark.parametrize(
    "answer",
    [
        b"<html>not json</html>",
        b"[]",
        b'{"expires_in": 3600}',
        b'{"access_token": "has space-tok-9", "expires_in": 3600}',
        b'{"access_token": 12345, "expires_in": 3600}',
        b'{"access_token": "tok-9", "expires_in": -5}',
        b'{"access_token": "tok-9", "expires_in": "3600"}',
        b'{"access_token": "tok-9", "expires_in": true}',
        b'{"access_token": "tok-9", "expires_in": 3600, "token_type": "mac"}',
    ],
)
async def test_an_unusable_token_answer_is_a_configuration_error(
    kind: str, api: Any, answer: bytes
) -> None:
    service = TokenService(api)
    service.answers.append(
        httpx.Response(200, content=answer, headers={"Content-Type": "application/json"})
    )
    client = make(kind, auth=oauth())

    with pytest.raises(ConfigurationError, match="token answer") as info:
        await get_person(client)

    assert "tok-9" not in str(info.value)
    assert service.authorizations == []


async def test_a_token_request_that_cannot_connect_fails_before_the_call_was_sent(
    kind: str, api: Any
) -> None:
    service = TokenService(api)
    service.answers.append(httpx.ConnectError(f"connection refused {SECRET}"))
    client = make(kind, auth=oauth(), max_retries=0)

    with pytest.raises(APIConnectionError) as info:
        await get_person(client)

    assert info.value.request_sent is False
    assert "token request" in str(info.value)
    assert SECRET not in str(info.value)
    assert service.authorizations == []


async def test_a_token_request_that_timed_out_is_retried_like_an_unsent_call(
    kind: str, api: Any
) -> None:
    service = TokenService(api)
    service.answers.append(httpx.ReadTimeout("slow token endpoint"))
    seen: list[str] = []

    def create(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["authorization"])
        return httpx.Response(200, json={**PERSON, "type": "CUSTOMER"})

    api.post(PERSONS).mock(side_effect=create)
    client = make(kind, auth=oauth(), max_retries=1)
    client._sleep = Sleeps().for_kind(kind)

    # a create is not replay-safe: it is retried only because it was never sent
    created = await resolve(client.people.create(Person(first_name="Ada", external_id="crm-ada")))

    assert created.id == 1
    assert len(service.token_requests) == 2
    assert seen == ["Bearer tok-2"]


def _shown(value: Any) -> list[str]:
    """What a debugger shows of ``value``: its repr, and the repr of each attribute."""
    names = list(getattr(value, "__dict__", None) or {})
    for klass in type(value).__mro__:
        slots = getattr(klass, "__slots__", ())
        names.extend([slots] if isinstance(slots, str) else slots)
    shown = []
    for target in (value, *(getattr(value, n, None) for n in names)):
        try:
            shown.append(repr(target))
        except Exception:
            continue
    return shown


def frames_showing(error: BaseException, secret: str) -> list[str]:
    """``function:local`` of each frame on the raising path whose local shows ``secret`` (the
    frames of this test module, which hold what the test planted, left out)."""
    found = []
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == __file__:
            tb = tb.tb_next
            continue
        for name, value in tb.tb_frame.f_locals.items():
            if any(secret in text for text in _shown(value)):
                found.append(f"{code.co_name}:{name}")
        tb = tb.tb_next
    return found


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(httpx.Response(401, text=f"no client with secret {SECRET}"), id="refused"),
        pytest.param(httpx.ConnectError(f"refused while sending {SECRET}"), id="unreachable"),
        pytest.param(httpx.Response(200, json={"access_token": 5, "x": SECRET}), id="unusable"),
    ],
)
async def test_no_frame_on_the_raising_path_shows_the_client_secret(
    kind: str, api: Any, answer: Any
) -> None:
    service = TokenService(api)
    service.answers.append(answer)
    client = make(kind, auth=oauth(), max_retries=0)

    with pytest.raises((AuthenticationError, APIConnectionError, ConfigurationError)) as info:
        await get_person(client)

    assert frames_showing(info.value, SECRET) == []
    assert SECRET not in str(info.value)


async def test_no_frame_shows_the_tokens_when_the_renewal_after_a_401_fails(
    kind: str, api: Any
) -> None:
    service = TokenService(api)
    client = make(kind, auth=oauth(), max_retries=0)
    await get_person(client)
    service.revoke()
    service.answers.append(httpx.Response(401, json={"error": "invalid_client"}))

    with pytest.raises(AuthenticationError) as info:
        await get_person(client)

    assert info.value.path == "/auth/1/oauth2/token"
    assert frames_showing(info.value, "tok-1") == []
    assert frames_showing(info.value, SECRET) == []


# -- OAuth2 under concurrency: one token request per renewal ------------------------------------------


def _wait_for(condition: threading.Condition, ready: Callable[[], bool]) -> None:
    with condition:
        condition.wait_for(ready, timeout=10.0)


def test_sixteen_threads_share_one_token_request(api: Any) -> None:
    service = TokenService(api)
    clock = Clock()
    arrived = threading.Condition()

    def on_reading(count: int) -> None:
        with arrived:
            arrived.notify_all()

    clock.on_reading = on_reading
    # The token answer waits until every thread has come for a token (each reads the clock).
    service.gate = lambda: _wait_for(arrived, lambda: clock.readings >= 16)
    client = make("sync", auth=oauth())
    client._clock = clock

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        people = list(pool.map(lambda _: client.people.get(PersonRef.id(1)), range(16)))

    assert all(p.first_name == "Ada" for p in people)
    assert len(service.token_requests) == 1
    assert service.authorizations == ["Bearer tok-1"] * 16


def test_sixteen_threads_meeting_401_renew_once(api: Any) -> None:
    service = TokenService(api)
    client = make("sync", auth=oauth(), max_retries=0)
    client.people.get(PersonRef.id(1))
    service.revoke()
    refused = threading.Condition()
    original = service._api

    def api_then_notify(request: httpx.Request) -> httpx.Response:
        response = original(request)
        with refused:
            refused.notify_all()
        return response

    service.get_route.mock(side_effect=api_then_notify)
    # The renewal answers once every thread has met its 401 with the revoked token.
    service.gate = lambda: _wait_for(refused, lambda: service.rejected >= 16)

    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        people = list(pool.map(lambda _: client.people.get(PersonRef.id(1)), range(16)))

    assert all(p.first_name == "Ada" for p in people)
    assert len(service.token_requests) == 2
    assert service.authorizations.count("Bearer tok-1") == 17
    assert service.authorizations.count("Bearer tok-2") == 16


async def test_two_hundred_tasks_share_one_token_request(api: Any) -> None:
    service = TokenService(api)
    clock = Clock()
    everyone = asyncio.Event()
    clock.on_reading = lambda count: everyone.set() if count >= 200 else None

    async def gate() -> None:
        await asyncio.wait_for(everyone.wait(), timeout=10.0)

    service.agate = gate
    client = make("async", auth=oauth())
    client._clock = clock

    people = await asyncio.gather(*(client.people.get(PersonRef.id(1)) for _ in range(200)))

    assert all(p.first_name == "Ada" for p in people)
    assert len(service.token_requests) == 1
    assert service.authorizations == ["Bearer tok-1"] * 200


async def test_two_hundred_tasks_meeting_401_renew_once(api: Any) -> None:
    service = TokenService(api)
    client = make("async", auth=oauth(), max_retries=0)
    await client.people.get(PersonRef.id(1))
    service.revoke()

    async def gate() -> None:
        while service.rejected < 200:  # noqa: ASYNC110 (every task meets its 401 first)
            await asyncio.sleep(0)

    service.agate = gate

    people = await asyncio.gather(*(client.people.get(PersonRef.id(1)) for _ in range(200)))

    assert all(p.first_name == "Ada" for p in people)
    assert len(service.token_requests) == 2
    assert service.authorizations.count("Bearer tok-1") == 201
    assert service.authorizations.count("Bearer tok-2") == 200


def test_one_credentials_object_serves_clients_on_different_event_loops(api: Any) -> None:
    service = TokenService(api)
    auth = oauth()

    async def one_call() -> None:
        async with make("async", auth=auth) as client:
            await asyncio.gather(*(client.people.get(PersonRef.id(1)) for _ in range(5)))

    asyncio.run(one_call())
    service.revoke()
    asyncio.run(one_call())

    assert len(service.token_requests) == 2


# -- end to end against the fake (in-process and over loopback HTTP) ------------------------------


def fake_client(kind: str, fake: FakeProfiles, mode: str, base_url: str, auth: Auth) -> Any:
    """A ``kind`` client on ``fake`` reading the fake's clock, with ``auth`` and no API key."""
    if mode == "inprocess":
        factory = fake.client if kind == "sync" else fake.async_client
        return factory(api_key=None, auth=auth, throttle=False, max_retries=0)
    client = make(kind, auth=auth, base_url=base_url, max_retries=0)
    client._clock = fake.clock.time
    return client


def token_calls(fake: FakeProfiles) -> list[Any]:
    return [call for call in fake.calls if call.path == "/auth/1/oauth2/token"]


async def test_against_the_fake_oauth2_obtains_renews_and_recovers_from_expiry(
    kind: str, fake: FakeProfiles, mode: str, base_url: str
) -> None:
    fake.clock.freeze()
    auth = OAuth2ClientCredentials(fake.api_key, SECRET)  # the fake's tenant is the client id
    client = fake_client(kind, fake, mode, base_url, auth)
    ada = await resolve(client.people.create(Person(first_name="Ada", external_id="crm-ada")))

    fake.clock.advance(fake.oauth_tokens.lifetime - 30)  # inside the renewal margin
    again = await resolve(client.people.get(PersonRef.id(ada.id)))
    assert again.first_name == "Ada"
    assert [c.status for c in token_calls(fake)] == [200, 200]

    # A token that expired while this client's clock stood still: refused, renewed, replayed.
    client._clock = lambda: 0.0
    fake.clock.advance(fake.oauth_tokens.lifetime)
    same = await resolve(client.people.get(PersonRef.id(ada.id)))

    assert same.id == ada.id
    assert [c.status for c in token_calls(fake)] == [200, 200, 200]
    gets = [c.status for c in fake.calls if c.op_id == "get-a-single-person-or-a-list-of-people"]
    assert gets == [200, 401, 200]
    assert all(SECRET not in repr(call) for call in fake.calls)
    await close_client(client)


@pytest.mark.parametrize(
    "auth",
    [
        pytest.param(lambda key: BasicAuth(key, "any password"), id="basic"),
        pytest.param(IBSSOAuth, id="ibsso"),
        pytest.param(BearerAuth, id="bearer"),
    ],
)
async def test_against_the_fake_every_scheme_reaches_the_same_tenant(
    kind: str, fake: FakeProfiles, mode: str, base_url: str, auth: Callable[[str], Auth]
) -> None:
    with fake.client() as by_key:  # App <key>
        created = by_key.people.create(Person(first_name="Grace", external_id="crm-grace"))
    client = fake_client(kind, fake, mode, base_url, auth(fake.api_key))

    found = await resolve(client.people.get(PersonRef.id(created.id)))

    assert found.first_name == "Grace"
    await close_client(client)
