"""The requests a client builds on its own ``httpx`` client, against ``build_request``'s.

A client that made its own ``httpx`` client (no ``http_client`` given) builds each request without
``build_request``: it merges httpx's default headers itself and makes the URL from the base URL
parsed once. Every operation, with awkward path values, queries, bodies, extra headers and
timeouts, must give the request ``build_request`` gives: method, URL, headers in order, body,
extensions and stream type.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from infobip_profiles import AsyncProfilesClient, ProfilesClient
from infobip_profiles._client import NOT_GIVEN, _URLs
from infobip_profiles._operations import OPERATIONS
from infobip_profiles._plan import NO_BODY, Call, JSONBody

KEY = "request-building-key"
VALUES = ["plain", "a b+c", "x/y?z#w", "..", ".", "ünï", "100%", "tab\there", "~_.-"]


def _calls() -> list[Call]:
    calls = []
    for op_id, op in sorted(OPERATIONS.items()):
        for i, value in enumerate(VALUES):
            params = dict.fromkeys(op.path_params, value)
            query = [("identifier", value), ("type", "EMAIL")] if i % 2 else []
            body: Any = NO_BODY
            if op.method in ("POST", "PUT", "PATCH"):
                body = [{"name": value}, JSONBody(b'{"a": 1}'), NO_BODY][i % 3]
            options: dict[str, Any] = {}
            if i % 4 == 1:
                options["extra_headers"] = {"X-Trace": value.encode("ascii", "replace").decode()}
            if i % 4 == 2:
                options["extra_query"] = {"identifier": "other", "extra": value}
            if i % 4 == 3:
                options["timeout"] = httpx.Timeout(3.0, connect=1.0)
            calls.append(Call(op_id, path_params=params, query=query, body=body, options=options))
    return calls


def _reference(client: Any, call: Call) -> httpx.Request:
    """The request as ``build_request`` makes it from the same pieces."""
    request = client._build_request(call)  # only for its body; checked separately
    timeout = call.options.get("timeout", NOT_GIVEN)
    built: httpx.Request = client._http.build_request(
        call.operation.method,
        client._url(call),
        headers=client._headers(call),
        content=request.content or None,
        timeout=client.timeout if timeout is NOT_GIVEN else timeout,
    )
    return built


def _shape(request: httpx.Request) -> Any:
    return (
        request.method,
        str(request.url),
        request.url.raw_path,
        request.headers.raw,
        request.content,
        request.extensions,
        type(request.stream),
    )


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize(
    "base_url", ["https://acme.api.infobip.com", "http://127.0.0.1:8080/prefix/path"]
)
def test_own_requests_equal_build_requests(kind: str, base_url: str) -> None:
    cls = ProfilesClient if kind == "sync" else AsyncProfilesClient
    client = cls(KEY, base_url)
    assert client._shared.owns_http
    calls = _calls()
    for call in calls:
        try:
            ours = client._build_request(call)
        except Exception as error:  # the same refusal both ways
            with pytest.raises(type(error)):
                client._http.build_request(
                    call.operation.method, client._url(call), headers=client._headers(call)
                )
            continue
        assert _shape(ours) == _shape(_reference(client, call)), call
    assert client._urls is not None
    assert client._urls.make("/p", "") is not None  # URLs were made without parsing each
    client._http.close() if kind == "sync" else None


@pytest.mark.parametrize(
    "base",
    ["https://h.example", "https://h.example/a/.", "https://h.example/a b", "http://[::1]:81/~"],
)
def test_urls_made_from_the_parsed_base_equal_httpx_parses(base: str) -> None:
    for path, query in [("/p/%2E%2E/x%2Fy", "q=%20%2B&r="), ("/p", "")]:
        made = _URLs(base).make(path, query)
        full = base + path + ("?" + query if query else "")
        assert made is not None
        assert made._uri_reference == httpx.URL(full)._uri_reference


def test_a_base_url_whose_parse_differs_falls_back_to_parsing_each_url() -> None:
    # A query in the base URL (which the client never makes) would be replaced, not extended.
    assert _URLs("https://h.example/p?x=1").make("/people/2/persons", "") is None


def test_cookies_the_client_keeps_are_sent_as_build_request_sends_them() -> None:
    client = ProfilesClient(KEY, "https://acme.api.infobip.com")
    client._http.cookies.set("session", "abc", domain="acme.api.infobip.com")
    call = Call("get-a-single-person-or-a-list-of-people", query=[("identifier", "x")])

    assert _shape(client._build_request(call)) == _shape(_reference(client, call))
    assert client._build_request(call).headers["cookie"] == "session=abc"
    client.close()
