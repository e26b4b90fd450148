"""A timeout that cannot work is a ``ConfigurationError`` up front, not a crash or a client
whose every call times out.

Before: ``timeout=float("nan")`` raised ``ValueError`` and ``float("inf")`` ``OverflowError``
from inside the first call; ``0`` or ``-1`` made every call fail with a timeout.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from infobip_profiles import AsyncProfilesClient, ConfigurationError, ProfilesClient
from infobip_profiles.testing import FakeProfiles

BAD: list[Any] = [
    0,
    -1,
    float("nan"),
    float("inf"),
    -float("inf"),
    True,
    "30",
    httpx.Timeout(-1),
    httpx.Timeout(5.0, connect=float("nan")),
    httpx.Timeout(5.0, read=0),
]
GOOD: list[Any] = [
    None,
    0.5,
    30,
    httpx.Timeout(5.0),
    httpx.Timeout(None),
    httpx.Timeout(5.0, pool=None),
]


@pytest.mark.parametrize("cls", [ProfilesClient, AsyncProfilesClient])
@pytest.mark.parametrize("timeout", BAD, ids=repr)
def test_a_nonsense_timeout_is_refused_at_construction(cls: type[Any], timeout: Any) -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        cls(api_key="key-1", base_url="https://acme.example", timeout=timeout)


@pytest.mark.parametrize("timeout", BAD, ids=repr)
def test_a_nonsense_timeout_is_refused_by_with_options(timeout: Any) -> None:
    client = ProfilesClient(api_key="key-1", base_url="https://acme.example")
    with pytest.raises(ConfigurationError, match="timeout"):
        client.with_options(timeout=timeout)


@pytest.mark.parametrize("timeout", BAD, ids=repr)
def test_a_nonsense_per_call_timeout_is_refused_before_sending(timeout: Any) -> None:
    fake = FakeProfiles()
    client = fake.client()
    with pytest.raises(ConfigurationError, match="timeout"):
        client.tags.create("VIP", timeout=timeout)
    assert fake.calls.count(op_id="create-a-new-tag") == 0
    assert client.tags.create("VIP").name == "VIP"  # the client itself still works


@pytest.mark.parametrize("cls", [ProfilesClient, AsyncProfilesClient])
@pytest.mark.parametrize("timeout", GOOD, ids=repr)
def test_sensible_timeouts_are_kept(cls: type[Any], timeout: Any) -> None:
    client = cls(api_key="key-1", base_url="https://acme.example", timeout=timeout)
    assert client.timeout == timeout
