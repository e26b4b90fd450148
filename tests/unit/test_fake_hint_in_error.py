"""A 401 from the package's fake says, in the client's error text, how to be accepted."""

from __future__ import annotations

import pytest

from infobip_profiles import AuthenticationError, ProfilesClient
from infobip_profiles.testing import FakeProfiles


def test_a_key_the_fake_does_not_know_says_how_to_configure_it() -> None:
    fake = FakeProfiles(api_key="test-key")
    with fake.client(api_key="someone-else") as client, pytest.raises(AuthenticationError) as info:
        client.tags.list().to_list()
    text = str(info.value)
    assert "fake:" in text
    assert "accept_any_key" in text
    assert "someone-else" not in text  # the hint names a fingerprint, never the key


async def test_the_async_client_shows_it_too() -> None:
    fake = FakeProfiles(api_key="test-key")
    async with fake.async_client(api_key="someone-else") as client:
        with pytest.raises(AuthenticationError, match="api_key="):
            await client.tags.create("VIP")


def test_a_real_service_401_has_no_fake_line() -> None:
    import httpx

    def answer(request: httpx.Request) -> httpx.Response:
        body = {"requestError": {"serviceException": {"messageId": "UNAUTHORIZED", "text": "x"}}}
        return httpx.Response(401, json=body)

    http = httpx.Client(transport=httpx.MockTransport(answer))
    with (
        ProfilesClient("k", "https://api.infobip.com", http_client=http) as client,
        pytest.raises(AuthenticationError) as info,
    ):
        client.tags.create("VIP")
    assert "fake:" not in str(info.value)
