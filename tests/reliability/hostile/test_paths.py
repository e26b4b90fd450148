"""Requests go where they are meant to: a hostile path parameter never reaches another operation.

Every operation with a path parameter is called, through the client's own request building and
httpx, against a loopback server that records the request target exactly as it came off the
wire. Each value must arrive as one percent-encoded segment in the operation's own path template
(a value that is exactly ``.`` or ``..`` as ``%2E`` / ``%2E%2E``, never a dot segment that URL
handling would remove), or be refused with ``ValidationError`` before anything is sent.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import unquote

import pytest

from infobip_profiles import (
    AsyncProfilesClient,
    ProfilesClient,
    ValidationError,
)
from infobip_profiles._operations import OPERATIONS, Operation
from infobip_profiles._plan import Call, Plan
from infobip_profiles.models import Tag
from tests._support.hostile_server import HostileServer, Seen, hostile, send_json

pytestmark = pytest.mark.http

#: An answer every operation accepts (it carries each field some operation requires).
EVERYTHING = json.dumps(
    {
        "id": 1,
        "name": "x",
        "definitionId": "x",
        "registrationId": "x",
        "applicationId": "x",
        "requestId": "x",
        "status": "x",
        "definitionIdList": [],
    }
).encode()

HOSTILE = {
    "dot": ".",
    "dotdot": "..",
    "slash": "/",
    "encoded-slash": "%2F",
    "question": "?",
    "hash": "#",
    "crlf": "a\r\nX-Injected: 1",
    "nul": "a\x00b",
    "unicode": "ünïcødé-名前",
    "long": "x" * 5000,
    "dots-inside": "a/../b",
}

WITH_PARAMS = [op for op in OPERATIONS.values() if op.path_params]


def _answer(seen: Seen, conn: socket.socket) -> None:
    # Appending to a list attribute answers with the whole list: an array, never an object.
    appended = seen.target.partition("?")[0].endswith("/append")
    send_json(conn, 200, b"[]" if appended else EVERYTHING)


@pytest.fixture(scope="module")
def server() -> Iterator[HostileServer]:
    with hostile(_answer) as running:
        yield running


def _plan(op: Operation, params: dict[str, str]) -> Plan[int]:
    response = yield Call(op.op_id, path_params=params)
    return response.status_code


def _template(op: Operation) -> re.Pattern[str]:
    pattern = re.escape(op.path)
    for name in op.path_params:
        pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>[^/?#]+)")
    return re.compile("^" + pattern + "$")


@contextlib.asynccontextmanager
async def _caller(kind: str, url: str, op: Operation) -> AsyncIterator[Any]:
    """``await call(params)``: the status, or the ``ValidationError`` raised (one client)."""
    options: dict[str, Any] = {"throttle": False, "max_retries": 0}
    if kind == "sync":
        with ProfilesClient(api_key="k-1", base_url=url, **options) as client:

            async def call(params: dict[str, str]) -> Any:
                try:
                    return client._run(_plan(op, params))
                except ValidationError as error:
                    return error

            yield call
        return
    async with AsyncProfilesClient(api_key="k-1", base_url=url, **options) as aclient:

        async def acall(params: dict[str, str]) -> Any:
            try:
                return await aclient._run(_plan(op, params))
            except ValidationError as error:
                return error

        yield acall


async def _call(kind: str, url: str, op: Operation, params: dict[str, str]) -> Any:
    async with _caller(kind, url, op) as call:
        return await call(params)


def test_the_table_has_operations_with_path_parameters() -> None:
    # Guards the parametrization below from silently shrinking to nothing.
    assert len(WITH_PARAMS) >= 30


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("op", WITH_PARAMS, ids=[op.op_id for op in WITH_PARAMS])
async def test_each_value_is_one_segment_of_the_operations_own_path(
    server: HostileServer, kind: str, op: Operation
) -> None:
    async with _caller(kind, server.url, op) as call:
        for name in op.path_params:
            for label, value in HOSTILE.items():
                params = dict.fromkeys(op.path_params, "ok")
                params[name] = value
                before = len(server.seen)
                outcome = await call(params)
                _check(server, op, name, label, value, before, outcome)


def _check(
    server: HostileServer,
    op: Operation,
    name: str,
    label: str,
    value: str,
    before: int,
    outcome: Any,
) -> None:
    if isinstance(outcome, ValidationError):
        assert len(server.seen) == before, f"{label}: refused, yet a request went out"
        return
    assert outcome == 200
    (seen,) = server.seen[before:]
    assert seen.method == op.method
    match = _template(op).match(seen.path)
    assert match is not None, f"{label}: {seen.path[:200]!r} is not {op.path}"
    assert unquote(match.group(name)) == value, label
    assert match.group(name) not in (".", ".."), label
    for other in op.path_params:
        if other != name:
            assert match.group(other) == "ok", label


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_an_empty_value_is_refused_before_sending(server: HostileServer, kind: str) -> None:
    op = OPERATIONS["get-a-tag"]
    before = len(server.seen)
    outcome = await _call(kind, server.url, op, {"name": ""})
    assert isinstance(outcome, ValidationError)
    assert outcome.field == "name"
    assert len(server.seen) == before


@pytest.mark.parametrize("kind", ["sync", "async"])
@pytest.mark.parametrize("name", [".", ".."])
async def test_a_dot_tag_name_reaches_its_own_operation(
    server: HostileServer, kind: str, name: str
) -> None:
    # Through the resource methods: before, "." was dropped as a dot segment, so GET
    # /people/2/tags/. became GET /people/2/tags (the list of tags).
    before = len(server.seen)
    if kind == "sync":
        with ProfilesClient(api_key="k-1", base_url=server.url, throttle=False) as client:
            tag = client.tags.get(name)
    else:
        async with AsyncProfilesClient(
            api_key="k-1", base_url=server.url, throttle=False
        ) as aclient:
            tag = await aclient.tags.get(name)
    assert isinstance(tag, Tag)
    (seen,) = server.seen[before:]
    assert seen.path == "/people/2/tags/" + "%2E" * len(name)


@pytest.mark.parametrize("kind", ["sync", "async"])
async def test_the_definition_named_dot_is_not_the_list_of_definitions(
    server: HostileServer, kind: str
) -> None:
    before = len(server.seen)
    if kind == "sync":
        with ProfilesClient(api_key="k-1", base_url=server.url, throttle=False) as client:
            client.events.get_definition(".")
    else:
        async with AsyncProfilesClient(
            api_key="k-1", base_url=server.url, throttle=False
        ) as aclient:
            await aclient.events.get_definition(".")
    (seen,) = server.seen[before:]
    assert seen.path == "/peopleevents/2/definitions/%2E"
