"""The pytest plugin, run the way a downstream project would: in a pytester sandbox, no conftest."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def sandbox_ini(pytester: pytest.Pytester) -> None:
    # Keeps pytest-asyncio (a dev dependency here) from warning about its unset loop scope.
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")


def run(pytester: pytest.Pytester, source: str, *args: str) -> pytest.RunResult:
    pytester.makepyfile(test_downstream=source)
    return pytester.runpytest("-p", "no:cacheprovider", *args)


def test_fixtures_are_available_without_a_conftest(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        from infobip_profiles.testing import FakeProfiles

        def test_fake(profiles_fake):
            assert isinstance(profiles_fake, FakeProfiles)
            assert profiles_fake.api_key == "test-key"
        """,
    )
    result.assert_outcomes(passed=1)


def test_each_test_gets_a_fresh_fake(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        seen = []

        def test_first(profiles_fake):
            profiles_fake.seed(custom_attributes=[{"name": "tier", "dataType": "STRING"}])
            profiles_fake.inject(503, times=None)
            seen.append(profiles_fake)

        def test_second(profiles_fake):
            assert profiles_fake is not seen[0]
            assert profiles_fake.custom_attributes() == ()
            assert len(profiles_fake.faults) == 0
        """,
    )
    result.assert_outcomes(passed=2)


def test_marker_configures_the_fake(pytester: pytest.Pytester) -> None:
    pytester.makefile(
        ".json", seed=json.dumps({"customAttributes": [{"name": "tier", "dataType": "STRING"}]})
    )
    result = run(
        pytester,
        """
        import pytest

        pytestmark = pytest.mark.profiles_fake(api_key="module-key")

        def test_module_level(profiles_fake):
            assert profiles_fake.api_key == "module-key"
            assert profiles_fake.rate_limits is False

        @pytest.mark.profiles_fake(rate_limits=True, seed="seed.json")
        def test_closest_marker_wins(profiles_fake):
            assert profiles_fake.api_key == "test-key"
            assert profiles_fake.rate_limits is True
            assert [a["name"] for a in profiles_fake.custom_attributes()] == ["tier"]

        @pytest.mark.profiles_fake(seed={"customAttributes": [{"name": "x", "dataType": "DATE"}]})
        def test_inline_seed(profiles_fake):
            assert [a["dataType"] for a in profiles_fake.custom_attributes()] == ["DATE"]
        """,
        "--strict-markers",
    )
    result.assert_outcomes(passed=3)


def test_server_and_patch_fixtures(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import httpx

        def test_server(profiles_server, profiles_fake):
            assert profiles_server.startswith("http://127.0.0.1:")
            assert httpx.get(profiles_server + "/_fake/health").json()["status"] == "ok"
            httpx.get(profiles_server + "/people/2/tags", headers={"Authorization": "App test-key"})
            assert profiles_fake.calls.last.op_id == "get-list-of-tags"

        def test_patch(profiles_patch):
            httpx.get("https://api.infobip.com/people/2/tags")
            assert profiles_patch.calls.last.status == 401
        """,
    )
    result.assert_outcomes(passed=2)


def test_client_fixtures(pytester: pytest.Pytester) -> None:
    pytest.importorskip("infobip_profiles._client")
    result = run(
        pytester,
        """
        from infobip_profiles._client import AsyncProfilesClient, ProfilesClient

        def test_sync(profiles_client):
            assert isinstance(profiles_client, ProfilesClient)
            assert "test-key" not in repr(profiles_client)

        def test_async(profiles_async_client):
            assert isinstance(profiles_async_client, AsyncProfilesClient)
        """,
    )
    result.assert_outcomes(passed=2)


def test_marker_is_documented(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--markers")
    result.stdout.fnmatch_lines(["*profiles_fake(**options)*"])
