"""Figure 1, client overhead: ``people.get`` against raw httpx plus ``json.loads``.

Both sides go through the same in-process httpx transport, which answers every request with the
same canned person, so what is measured is everything the SDK adds on top of httpx: building the
request (URL, auth, headers), the retry and pacing wrappers, error mapping, and decoding into a
:class:`~infobip_profiles.Person`.
"""

from __future__ import annotations

import json

import httpx

from infobip_profiles import PersonRef, ProfilesClient

from ._data import wire_person
from ._harness import Figure, Scale, compare, figure

__all__ = ["CannedTransport", "run"]

BASE_URL = "https://bench.api.infobip.com"
KEY = "bench-key"


class CannedTransport(httpx.BaseTransport):
    """Answers every request with one fixed JSON body (no parsing of the request at all)."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._headers = [("content-type", "application/json")]

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """The canned 200 response."""
        return httpx.Response(200, headers=self._headers, content=self._body, request=request)


def run(scale: Scale) -> list[Figure]:
    """Measure the SDK's ``people.get`` and the raw httpx baseline, in alternating rounds."""
    transport = CannedTransport(json.dumps(wire_person(1)).encode())
    ref = PersonRef.id(1001)
    with (
        httpx.Client(transport=transport) as sdk_http,
        httpx.Client(transport=transport) as raw_http,
    ):
        # Pacing is a deliberate wait for the rate limit, not overhead: off here.
        client = ProfilesClient(
            api_key=KEY, base_url=BASE_URL, http_client=sdk_http, throttle=False
        )
        headers = {"Authorization": f"App {KEY}", "Accept": "application/json"}
        url = BASE_URL + "/people/2/persons"
        params = {"identifier": "1001", "type": "ID"}

        def sdk() -> object:
            return client.people.get(ref)

        def raw() -> object:
            response = raw_http.get(url, params=params, headers=headers)
            response.raise_for_status()
            return json.loads(response.content)

        sdk_time, raw_time = compare(sdk, raw, number=scale.overhead_calls, rounds=scale.rounds)
    return [
        figure(
            "client_overhead",
            "people.get over an in-process transport (canned person)",
            "raw httpx GET + json.loads, same transport",
            "seconds per call",
            sdk_time,
            raw_time,
            target="<= 1.3",
            details={"calls_per_round": scale.overhead_calls, "rounds": scale.rounds},
        )
    ]
