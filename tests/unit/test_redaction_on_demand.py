"""A client compiles its redaction patterns when it first redacts, not when it is made.

Compiling the patterns (an alternation per character of each secret, for its JSON and percent
escapes) is most of what making a client costs beyond httpx's own client; a program that never
meets an error or a logged echo need not pay it. Redaction itself must be as complete as ever.
"""

from __future__ import annotations

import threading

import pytest

from infobip_profiles import AsyncProfilesClient, ProfilesClient
from infobip_profiles._secrets import _Credential, _Secrets
from infobip_profiles.auth import BasicAuth, OAuth2ClientCredentials

KEY = "Secret/Key+42"


@pytest.mark.parametrize("cls", [ProfilesClient, AsyncProfilesClient])
def test_making_a_client_compiles_nothing_and_redaction_still_blanks_every_echo(
    cls: type,
) -> None:
    client = cls(KEY, "https://acme.api.infobip.com")
    assert client._secrets._ready is False  # nothing compiled yet

    echoes = [KEY, KEY.lower(), "Secret\\/Key+42", "Secret%2FKey%2b42", "Secret\\u002fKey+42"]
    for echo in echoes:
        assert client._redact(f"key={echo}!") == "key=<redacted>!", echo
    assert client._secrets.bytes(f"[{KEY}]".encode()) == b"[<redacted>]"
    assert client._secrets._ready is True


@pytest.mark.parametrize(
    "auth",
    [BasicAuth("user", "pass-word-1"), OAuth2ClientCredentials("client-id", "client-secret-1")],
)
def test_other_schemes_redact_their_secrets_on_demand(auth: object) -> None:
    client = ProfilesClient(auth=auth, base_url="https://acme.api.infobip.com")
    secret = "pass-word-1" if isinstance(auth, BasicAuth) else "client-secret-1"

    assert secret not in client._redact(f"echo {secret} echo")


def test_a_credential_added_after_the_first_redaction_is_redacted_too() -> None:
    secrets = _Secrets(_Credential("first-secret"))
    assert secrets.text("first-secret") == "<redacted>"

    secrets.add(_Credential("second-secret"))

    assert secrets.text("first-secret second-secret") == "<redacted> <redacted>"


def test_redacting_from_many_threads_at_once_blanks_every_echo() -> None:
    secrets = _Secrets(_Credential("threaded-secret"))
    results: list[str] = []

    def redact() -> None:
        results.append(secrets.text("a threaded-secret b"))

    threads = [threading.Thread(target=redact) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results == ["a <redacted> b"] * 16
