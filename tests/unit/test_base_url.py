"""A base URL that is not a URL is a ConfigurationError when the client is made."""

from __future__ import annotations

import pytest

from infobip_profiles import AsyncProfilesClient, ConfigurationError, ProfilesClient
from infobip_profiles._client import normalize_base_url


@pytest.mark.parametrize(
    "value",
    [
        "not a url at all",
        "https://not a url",
        "https://exa mple.com",
        "https://-bad-.example.com",
        "https://example..com",
        "https://example.com:port",
        "https://example.com:99999",
        "ftp://example.com",
        "https://",
    ],
)
@pytest.mark.parametrize("cls", [ProfilesClient, AsyncProfilesClient])
def test_a_base_url_that_is_not_a_url_is_a_configuration_error(value: str, cls: type) -> None:
    with pytest.raises(ConfigurationError, match="not"):
        cls(api_key="k", base_url=value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("xyz.api.infobip.com", "https://xyz.api.infobip.com"),
        ("https://xyz.api.infobip.com/", "https://xyz.api.infobip.com"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("https://my_proxy.internal:443/base", "https://my_proxy.internal:443/base"),
    ],
)
def test_real_base_urls_are_accepted(value: str, expected: str) -> None:
    assert normalize_base_url(value) == expected
