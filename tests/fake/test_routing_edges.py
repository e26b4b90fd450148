"""Routing edges (in-process and over HTTP): a trailing slash routes like the path without it;
a method no operation of a path has is a 405 listing the path's methods in ``Allow``; an
unknown path is a 404; never a 5xx."""

from __future__ import annotations

import base64
import re
import string
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infobip_profiles._operations import OPERATIONS
from infobip_profiles.testing._errors import MSG
from tests._support.persons import PERSONS, by, create, error_text
from tests._support.wire import KEY, Wire

ODD_METHODS = ["TRACE", "OPTIONS", "PROPFIND", "HEAD", "CONNECTX", "MKCOL"]


# -- trailing slash --------------------------------------------------------------------------------


def test_create_with_a_trailing_slash(wire: Wire) -> None:
    response = wire.post(PERSONS + "/", json={"externalId": "a"})

    assert response.status_code == 200
    assert [p["externalId"] for p in wire.fake.people()] == ["a"]


def test_update_and_delete_with_a_trailing_slash(wire: Wire) -> None:
    # What Infobip's own integrations send: PUT/DELETE /people/2/persons/?identifier=...
    ada = create(wire, firstName="Ada", externalId="a")

    updated = wire.put(PERSONS + "/", params=by("EXTERNAL_ID", "a"), json={"externalId": "a"})
    assert updated.status_code == 200
    assert "firstName" not in updated.json()
    deleted = wire.delete(PERSONS + "/", params=by("ID", str(ada["id"])))
    assert deleted.status_code == 200
    assert wire.fake.people() == ()


def test_get_with_a_trailing_slash_answers_the_same(wire: Wire) -> None:
    create(wire, firstName="Ada", externalId="a")

    with_slash = wire.get(PERSONS + "/", params=by("EXTERNAL_ID", "a"))
    without = wire.get(PERSONS, params=by("EXTERNAL_ID", "a"))

    assert with_slash.status_code == 200
    assert with_slash.json() == without.json()


def test_trailing_slash_after_a_path_parameter(wire: Wire) -> None:
    assert wire.post("/people/2/tags", json={"name": "vip"}).status_code == 200

    response = wire.get("/people/2/tags/vip/")

    assert response.status_code == 200
    assert response.json()["name"] == "vip"


def test_two_trailing_slashes_are_not_a_route(wire: Wire) -> None:
    assert wire.get(PERSONS + "//").status_code == 404


# -- methods no operation has ----------------------------------------------------------------------


@pytest.mark.parametrize("method", ODD_METHODS)
def test_unknown_method_on_a_known_path_is_405_with_allow(wire: Wire, method: str) -> None:
    response = wire.request(method, PERSONS)

    assert response.status_code == 405
    assert response.headers["allow"] == "DELETE, GET, PATCH, POST, PUT"
    if method != "HEAD":
        assert error_text(response) == MSG.METHOD_NOT_ALLOWED.format(method=method)
    else:
        assert response.content == b""


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/people/2/persons/batch", "DELETE, PATCH, POST"),
        ("/people/2/tags/vip", "DELETE, GET"),
        ("/people/2/tags/vip/", "DELETE, GET"),
        ("/people/3/persons/upsert", "PATCH, PUT"),
    ],
)
def test_allow_lists_the_methods_of_that_path(wire: Wire, path: str, allow: str) -> None:
    response = wire.request("TRACE", path)

    assert response.status_code == 405
    assert response.headers["allow"] == allow


@pytest.mark.parametrize("method", ["TRACE", "PROPFIND", "GET", "POST"])
def test_unknown_path_is_404(wire: Wire, method: str) -> None:
    response = wire.request(method, "/people/2/nothing-here")

    assert response.status_code == 404
    assert error_text(response) == MSG.NOT_FOUND_PATH.format(path="/people/2/nothing-here")


def test_odd_method_changes_nothing_and_is_recorded(wire: Wire) -> None:
    create(wire, externalId="a")

    wire.request("PROPFIND", PERSONS, params=by("EXTERNAL_ID", "a"))

    assert len(wire.fake.people()) == 1
    assert (wire.fake.calls.last.method, wire.fake.calls.last.status) == ("PROPFIND", 405)


# -- no 5xx from anything the new rules read -------------------------------------------------------

_PATHS = sorted({op.path for op in OPERATIONS.values()})
_TOKEN = st.text(alphabet=string.ascii_letters + string.digits + "-._~+/=:", max_size=12)


def _path(template: str, values: list[str]) -> str:
    parts = iter(values)
    return re.sub(r"{\w+}", lambda _: quote(next(parts, "x"), safe=""), template)


@st.composite
def odd_requests(draw: st.DrawFn) -> tuple[str, str, list[tuple[str, str]], str]:
    method = draw(st.sampled_from(["GET", "POST", "PUT", "PATCH", "DELETE", "TRACE", "OPTIONS"]))
    path = _path(draw(st.sampled_from(_PATHS)), draw(st.lists(_TOKEN, max_size=3)))
    if draw(st.booleans()):
        path += "/"
    names = ["phone", "email", "externalId", "pushRegistrationId", "identifier", "type", "sender"]
    query = draw(st.lists(st.tuples(st.sampled_from(names), _TOKEN), max_size=4))
    scheme = draw(st.sampled_from(["App", "app", "Basic", "IBSSO", "Bearer", "bearer", "Foo", ""]))
    credential = draw(st.one_of(st.just(KEY), _TOKEN))
    if scheme.lower() == "basic" and draw(st.booleans()):
        credential = base64.b64encode(f"{credential}:{draw(_TOKEN)}".encode()).decode()
    return method, path, query, f"{scheme} {credential}".strip()


@pytest.mark.nonconforming  # generated requests, valid and invalid
@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(request=odd_requests(), body=st.sampled_from([None, "{}", '{"a": 1.50}', "[1.5]", "x"]))
def test_no_server_error_from_addressing_auth_or_routing(
    wire: Wire, request: tuple[str, str, list[tuple[str, str]], str], body: str | None
) -> None:
    method, path, query, authorization = request
    headers = {"Authorization": authorization, "Content-Type": "application/json"}
    content = body.encode() if body is not None and method != "GET" else None

    response = wire.request(method, path, params=query, headers=headers, content=content)

    assert response.status_code < 500, (method, path, query, response.text)
