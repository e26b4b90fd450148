"""What a sync program loads at start: the client and the models it names, not the tables a
first call needs (the operations table loads with the first request)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

import infobip_profiles
from infobip_profiles import PersonRef, ProfilesClient

ROOT = Path(infobip_profiles.__file__).parent.parent


def _modules_after(code: str) -> set[str]:
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_a_sync_program_starts_without_the_operations_table() -> None:
    loaded = _modules_after(
        "from infobip_profiles import ProfilesClient, Person, PersonRef\n"
        "ProfilesClient('k', 'https://acme.api.infobip.com').close()\n"
    )

    assert "infobip_profiles._client" in loaded
    assert "infobip_profiles._operations" not in loaded
    assert "infobip_profiles._operations_data" not in loaded
    assert not {"asyncio", "aiohttp", "tenacity"} & loaded


def test_the_first_call_finds_its_operation() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": 5, "firstName": "Ada", "type": "CUSTOMER"})

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with ProfilesClient("k", "https://acme.api.infobip.com", http_client=http) as client:
        person = client.people.get(PersonRef.id(5))

    assert person.first_name == "Ada"
    assert "infobip_profiles._operations" in sys.modules
