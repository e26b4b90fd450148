"""``fake.client(auth=...)`` and ``fake.async_client(auth=...)``: the credential picks the tenant."""

from __future__ import annotations

import pytest

from infobip_profiles import BasicAuth, BearerAuth, IBSSOAuth
from infobip_profiles.testing import FakeProfiles


@pytest.mark.parametrize(
    "auth",
    [BasicAuth("test-key", "any password"), IBSSOAuth("test-key"), BearerAuth("test-key")],
    ids=["basic", "ibsso", "bearer"],
)
def test_fake_client_takes_auth_instead_of_its_key(auth: object) -> None:
    fake = FakeProfiles(api_key="test-key")
    with fake.client(auth=auth) as client:
        client.tags.create("from-auth")
    assert [t["name"] for t in fake.tags()] == ["from-auth"]


async def test_fake_async_client_takes_auth_instead_of_its_key() -> None:
    fake = FakeProfiles(api_key="test-key")
    async with fake.async_client(auth=IBSSOAuth("test-key")) as client:
        await client.tags.create("from-auth")
    assert [t["name"] for t in fake.tags()] == ["from-auth"]


def test_auth_for_another_tenant_reaches_that_tenant() -> None:
    fake = FakeProfiles(api_key="test-key", accept_any_key=True)
    with fake.client(auth=BearerAuth("other-key")) as client:
        client.tags.create("elsewhere")
    assert fake.tags() == ()
    assert [t["name"] for t in fake.tags(api_key="other-key")] == ["elsewhere"]
