"""Client configuration: key, base URL, timeouts, retries, injected pools, lifecycle, secrecy.

Every request is answered by respx; nothing leaves the process. Each behaviour is checked on the
sync and the async client alike (the ``kind`` fixture).
"""

from __future__ import annotations

import logging
import pickle
import platform
import ssl
import warnings
from typing import Any

import httpx
import pytest

from infobip_profiles import (
    AsyncProfilesClient,
    ConfigurationError,
    InsecureTransportWarning,
    PersonRef,
    ProfilesClient,
)
from infobip_profiles._version import __version__
from tests._support.client import Sleeps, close_client, resolve, router_fixture

KEY = "sk-test-5ecr3t-0123456789"
BASE = "https://acme.api.infobip.com"
PERSON = {"id": 1, "firstName": "Ada"}
Client = ProfilesClient | AsyncProfilesClient


def make(kind: str, **kwargs: Any) -> Any:
    kwargs.setdefault("throttle", False)
    cls = ProfilesClient if kind == "sync" else AsyncProfilesClient
    return cls(**kwargs)


def http_class(kind: str) -> type[Any]:
    return httpx.Client if kind == "sync" else httpx.AsyncClient


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INFOBIP_API_KEY", raising=False)
    monkeypatch.delenv("INFOBIP_BASE_URL", raising=False)


api = router_fixture()


# -- the API key ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argument", "environment", "sent"),
    [
        pytest.param(KEY, None, KEY, id="argument-sent-as-app-authorization"),
        pytest.param(None, "from-env", "from-env", id="read-from-infobip-api-key"),
        pytest.param(KEY, "from-env", KEY, id="argument-wins-over-the-environment"),
        pytest.param(None, f"  {KEY}\n", KEY, id="whitespace-around-the-key-dropped"),
    ],
)
async def test_the_api_key_is_sent_as_app_authorization(
    kind: str,
    api: Any,
    monkeypatch: pytest.MonkeyPatch,
    argument: str | None,
    environment: str | None,
    sent: str,
) -> None:
    if environment is not None:
        monkeypatch.setenv("INFOBIP_API_KEY", environment)
    route = api.get(f"{BASE}/people/2/persons").respond(200, json=PERSON)
    keys = {} if argument is None else {"api_key": argument}
    client = make(kind, base_url=BASE, **keys)

    await resolve(client.people.get(PersonRef.id(1)))

    assert route.calls.last.request.headers["Authorization"] == f"App {sent}"


@pytest.mark.parametrize("value", [None, "", "  \n"])
def test_missing_api_key_is_a_configuration_error_naming_the_variable(
    kind: str, value: str | None
) -> None:
    with pytest.raises(ConfigurationError, match="INFOBIP_API_KEY"):
        make(kind, api_key=value)


# -- the base URL ----------------------------------------------------------------------------


async def test_default_base_url_is_api_infobip_com(kind: str, api: Any) -> None:
    route = api.get("https://api.infobip.com/people/2/persons").respond(200, json=PERSON)
    client = make(kind, api_key=KEY)

    await resolve(client.people.get(PersonRef.id(1)))

    assert route.called
    assert client.base_url == "https://api.infobip.com"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("acme.api.infobip.com", "https://acme.api.infobip.com"),
        ("https://acme.api.infobip.com", "https://acme.api.infobip.com"),
        ("https://acme.api.infobip.com/", "https://acme.api.infobip.com"),
        ("  acme.api.infobip.com/  ", "https://acme.api.infobip.com"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ],
)
def test_base_url_is_accepted_with_or_without_scheme(kind: str, given: str, expected: str) -> None:
    client = make(kind, api_key=KEY, base_url=given)

    assert client.base_url == expected


async def test_base_url_without_scheme_sends_https(kind: str, api: Any) -> None:
    route = api.get("https://acme.api.infobip.com/people/2/persons").respond(200, json=PERSON)
    client = make(kind, api_key=KEY, base_url="acme.api.infobip.com")

    await resolve(client.people.get(PersonRef.id(1)))

    assert route.calls.last.request.url.scheme == "https"


def test_base_url_is_read_from_infobip_base_url(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFOBIP_BASE_URL", "xyz.api.infobip.com")

    client = make(kind, api_key=KEY)

    assert client.base_url == "https://xyz.api.infobip.com"


def test_base_url_argument_wins_over_the_environment(
    kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFOBIP_BASE_URL", "xyz.api.infobip.com")

    client = make(kind, api_key=KEY, base_url=BASE)

    assert client.base_url == BASE


@pytest.mark.parametrize(
    "bad",
    ["ftp://acme.example.com", "https://", "   ", "https://acme.example.com/?x=1", "acme#top"],
)
def test_malformed_base_url_is_a_configuration_error(kind: str, bad: str) -> None:
    with pytest.raises(ConfigurationError):
        make(kind, api_key=KEY, base_url=bad)


def test_plain_http_to_a_remote_host_warns(kind: str) -> None:
    with pytest.warns(InsecureTransportWarning, match="unencrypted"):
        make(kind, api_key=KEY, base_url="http://acme.api.infobip.com")


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:9000", "http://localhost:9000", "http://[::1]:9"]
)
def test_plain_http_to_loopback_does_not_warn(kind: str, url: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client = make(kind, api_key=KEY, base_url=url)

    assert client.base_url == url


def test_insecure_transport_warning_points_at_the_callers_line(kind: str) -> None:
    with pytest.warns(InsecureTransportWarning) as record:
        make(kind, api_key=KEY, base_url="http://acme.api.infobip.com")

    assert record[0].filename == __file__


def test_tls_verification_is_on_by_default(kind: str) -> None:
    client = make(kind, api_key=KEY)

    transport = client._http._transport
    # The async client's own pool runs over aiohttp (infobip_profiles._aiohttp) when installed.
    context = getattr(transport, "ssl_context", None) or transport._pool._ssl_context
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True


# -- timeout and max_retries -----------------------------------------------------------------


async def test_float_timeout_applies_to_every_request(kind: str, api: Any) -> None:
    route = api.get(f"{BASE}/people/2/persons").respond(200, json=PERSON)
    client = make(kind, api_key=KEY, base_url=BASE, timeout=4.5)

    await resolve(client.people.get(PersonRef.id(1)))

    sent = route.calls.last.request.extensions["timeout"]
    assert sent == {"connect": 4.5, "read": 4.5, "write": 4.5, "pool": 4.5}


async def test_httpx_timeout_object_is_used_as_given(kind: str, api: Any) -> None:
    route = api.get(f"{BASE}/people/2/persons").respond(200, json=PERSON)
    client = make(kind, api_key=KEY, base_url=BASE, timeout=httpx.Timeout(10.0, connect=2.0))

    await resolve(client.people.get(PersonRef.id(1)))

    sent = route.calls.last.request.extensions["timeout"]
    assert sent == {"connect": 2.0, "read": 10.0, "write": 10.0, "pool": 10.0}


async def test_default_timeout_is_thirty_seconds(kind: str, api: Any) -> None:
    route = api.get(f"{BASE}/people/2/persons").respond(200, json=PERSON)
    client = make(kind, api_key=KEY, base_url=BASE)

    await resolve(client.people.get(PersonRef.id(1)))

    assert route.calls.last.request.extensions["timeout"]["read"] == 30.0


async def test_timeout_none_means_no_timeout(kind: str, api: Any) -> None:
    route = api.get(f"{BASE}/people/2/persons").respond(200, json=PERSON)
    client = make(kind, api_key=KEY, base_url=BASE, timeout=None)

    await resolve(client.people.get(PersonRef.id(1)))

    assert set(route.calls.last.request.extensions["timeout"].values()) == {None}


async def test_an_injected_clients_own_timeout_is_kept(kind: str, api: Any) -> None:
    route = api.get(f"{BASE}/people/2/persons").respond(200, json=PERSON)
    http = http_class(kind)(timeout=120.0)
    client = make(kind, api_key=KEY, base_url=BASE, http_client=http)

    await resolve(client.people.get(PersonRef.id(1)))

    assert route.calls.last.request.extensions["timeout"]["read"] == 120.0


async def test_an_injected_client_with_httpx_defaults_gets_thirty_seconds(
    kind: str, api: Any
) -> None:
    route = api.get(f"{BASE}/people/2/persons").respond(200, json=PERSON)
    client = make(kind, api_key=KEY, base_url=BASE, http_client=http_class(kind)())

    await resolve(client.people.get(PersonRef.id(1)))

    assert route.calls.last.request.extensions["timeout"]["read"] == 30.0


async def test_an_explicit_timeout_wins_over_the_injected_clients(kind: str, api: Any) -> None:
    route = api.get(f"{BASE}/people/2/persons").respond(200, json=PERSON)
    http = http_class(kind)(timeout=120.0)
    client = make(kind, api_key=KEY, base_url=BASE, http_client=http, timeout=3.0)

    await resolve(client.people.get(PersonRef.id(1)))

    assert route.calls.last.request.extensions["timeout"]["read"] == 3.0


def test_negative_max_retries_is_a_configuration_error(kind: str) -> None:
    with pytest.raises(ConfigurationError, match="max_retries"):
        make(kind, api_key=KEY, max_retries=-1)


async def test_max_retries_zero_sends_exactly_once(kind: str, api: Any) -> None:
    route = api.get(f"{BASE}/people/2/persons").respond(503)
    client = make(kind, api_key=KEY, base_url=BASE, max_retries=0)

    with pytest.raises(Exception, match="503"):
        await resolve(client.people.get(PersonRef.id(1)))

    assert route.call_count == 1


# -- injected http clients, with_options, lifecycle ------------------------------------------


async def test_injected_http_client_carries_the_requests(kind: str, api: Any) -> None:
    seen: list[httpx.Request] = []

    def hook(request: httpx.Request) -> None:
        seen.append(request)

    async def ahook(request: httpx.Request) -> None:
        seen.append(request)

    api.get(f"{BASE}/people/2/persons").respond(200, json=PERSON)
    hooks = {"request": [hook if kind == "sync" else ahook]}
    http = http_class(kind)(event_hooks=hooks)
    client = make(kind, api_key=KEY, base_url=BASE, http_client=http)

    await resolve(client.people.get(PersonRef.id(1)))

    assert [r.url.path for r in seen] == ["/people/2/persons"]


def test_http_client_of_the_wrong_kind_is_a_configuration_error(kind: str) -> None:
    wrong = httpx.AsyncClient() if kind == "sync" else httpx.Client()

    with pytest.raises(ConfigurationError, match="http_client"):
        make(kind, api_key=KEY, http_client=wrong)


async def test_closing_the_client_leaves_an_injected_http_client_open(kind: str) -> None:
    http = http_class(kind)()
    client = make(kind, api_key=KEY, http_client=http)

    await close_client(client)

    assert not http.is_closed
    await resolve(http.aclose() if kind == "async" else http.close())


async def test_closing_the_client_closes_its_own_pool(kind: str) -> None:
    client = make(kind, api_key=KEY)

    await close_client(client)

    assert client._http.is_closed


def test_sync_context_manager_closes_the_pool() -> None:
    with ProfilesClient(api_key=KEY) as client:
        assert not client._http.is_closed

    assert client._http.is_closed


async def test_async_context_manager_closes_the_pool() -> None:
    async with AsyncProfilesClient(api_key=KEY) as client:
        assert not client._http.is_closed

    assert client._http.is_closed


def test_with_options_shares_the_connection_pool(kind: str) -> None:
    client = make(kind, api_key=KEY)

    copy = client.with_options(timeout=5.0, max_retries=0)

    assert copy._http is client._http
    assert (copy.timeout, copy.max_retries) == (5.0, 0)
    assert (client.timeout, client.max_retries) == (30.0, 3)


async def test_with_options_keeps_key_and_base_url(kind: str, api: Any) -> None:
    route = api.get(f"{BASE}/people/2/persons").respond(200, json=PERSON)
    client = make(kind, api_key=KEY, base_url=BASE)

    await resolve(client.with_options(timeout=2.0).people.get(PersonRef.id(1)))

    request = route.calls.last.request
    assert request.headers["Authorization"] == f"App {KEY}"
    assert request.extensions["timeout"]["read"] == 2.0


def test_with_options_on_plain_http_does_not_warn_again(kind: str) -> None:
    with pytest.warns(InsecureTransportWarning):
        client = make(kind, api_key=KEY, base_url="http://acme.api.infobip.com")

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        copy = client.with_options(max_retries=1)

    assert copy.base_url == "http://acme.api.infobip.com"


async def test_a_base_url_with_a_path_prefix_keeps_it(kind: str, api: Any) -> None:
    route = api.get("https://proxy.example.com/infobip/people/2/persons").respond(200, json=PERSON)
    client = make(kind, api_key=KEY, base_url="https://proxy.example.com/infobip/")

    await resolve(client.people.get(PersonRef.id(1)))

    assert route.called


def test_sync_and_async_clients_offer_the_same_surface() -> None:
    def public(cls: type) -> set[str]:
        return {n for n in dir(cls) if not n.startswith("_")}

    sync_only = public(ProfilesClient) - public(AsyncProfilesClient)
    async_only = public(AsyncProfilesClient) - public(ProfilesClient)

    assert (sync_only, async_only) == ({"close"}, {"aclose"})


# -- headers -----------------------------------------------------------------------------------


async def test_user_agent_names_package_python_and_httpx(kind: str, api: Any) -> None:
    route = api.get(f"{BASE}/people/2/persons").respond(200, json=PERSON)
    client = make(kind, api_key=KEY, base_url=BASE)

    await resolve(client.people.get(PersonRef.id(1)))

    agent = route.calls.last.request.headers["User-Agent"]
    assert agent == (
        f"infobip-profiles/{__version__} python/{platform.python_version()} "
        f"httpx/{httpx.__version__}"
    )


async def test_requests_accept_json(kind: str, api: Any) -> None:
    route = api.get(f"{BASE}/people/2/persons").respond(200, json=PERSON)
    client = make(kind, api_key=KEY, base_url=BASE)

    await resolve(client.people.get(PersonRef.id(1)))

    assert route.calls.last.request.headers["Accept"] == "application/json"


# -- the key stays secret ------------------------------------------------------------------------


def test_repr_and_str_hide_the_key(kind: str) -> None:
    client = make(kind, api_key=KEY)

    assert KEY not in repr(client)
    assert KEY not in str(client)
    assert "redacted" in repr(client)


def test_client_cannot_be_pickled(kind: str) -> None:
    client = make(kind, api_key=KEY)

    with pytest.raises(TypeError, match="secret") as info:
        pickle.dumps(client)

    assert KEY not in str(info.value)


async def test_logs_never_contain_the_key(
    kind: str, api: Any, caplog: pytest.LogCaptureFixture
) -> None:
    api.get(f"{BASE}/people/2/persons").mock(
        side_effect=[httpx.Response(503), httpx.Response(200, json=PERSON)]
    )
    client = make(kind, api_key=KEY, base_url=BASE)
    client._sleep = Sleeps().for_kind(kind)
    caplog.set_level(logging.DEBUG)

    await resolve(client.people.get(PersonRef.id(1)))

    assert caplog.records, "expected request and retry log lines"
    assert all(KEY not in r.getMessage() for r in caplog.records)


async def test_an_error_body_echoing_the_key_is_redacted(kind: str, api: Any) -> None:
    api.get(f"{BASE}/people/2/persons").respond(401, text=f"<html>bad key App {KEY}</html>")
    client = make(kind, api_key=KEY, base_url=BASE)

    with pytest.raises(Exception) as info:
        await resolve(client.people.get(PersonRef.id(1)))

    error: Any = info.value
    assert KEY not in str(error)
    assert KEY not in error.text
    assert KEY not in repr(error)


async def test_transport_error_text_hides_the_key(kind: str, api: Any) -> None:
    api.get(f"{BASE}/people/2/persons").mock(side_effect=httpx.ConnectError(f"boom {KEY}"))
    client = make(kind, api_key=KEY, base_url=BASE, max_retries=0)

    with pytest.raises(Exception) as info:
        await resolve(client.people.get(PersonRef.id(1)))

    assert KEY not in str(info.value)
