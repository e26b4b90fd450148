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


def test_server_fixture_is_one_server_pointed_at_each_tests_fake(
    pytester: pytest.Pytester,
) -> None:
    result = run(
        pytester,
        """
        import httpx

        seen = {}
        leaked = httpx.Client()  # a keep-alive connection a test leaves open

        def test_first(profiles_server, profiles_fake):
            seen["url"] = profiles_server
            profiles_fake.seed(tags=["first"])
            answer = leaked.get(profiles_server + "/people/2/tags",
                                headers={"Authorization": "App test-key"})
            assert [t["name"] for t in answer.json()] == ["first"]

        def test_second(profiles_server, profiles_fake):
            assert profiles_server == seen["url"]  # the same server, no restart
            answer = leaked.get(profiles_server + "/people/2/tags",
                                headers={"Authorization": "App test-key"})
            assert answer.json() == []  # the second test's fresh fake, not the first's
            assert profiles_fake.calls.last.op_id == "get-list-of-tags"
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


def test_fixture_clients_retry_on_the_fake_clock(pytester: pytest.Pytester) -> None:
    result = run(
        pytester,
        """
        import asyncio
        import time

        import pytest

        @pytest.fixture(autouse=True)
        def no_real_sleep(monkeypatch):
            def refuse(seconds, *args):
                raise AssertionError(f"slept {seconds} s of real time")
            monkeypatch.setattr(time, "sleep", refuse)
            monkeypatch.setattr(asyncio, "sleep", refuse)

        def test_sync_retries(profiles_fake, profiles_client):
            profiles_fake.clock.freeze()
            before = profiles_fake.clock.time()
            profiles_fake.inject(429, op_id="create-a-new-tag", retry_after=20, times=5)
            profiles_client.with_options(max_retries=5).tags.create("vip")
            assert profiles_fake.clock.time() - before == 100
            starts = [c.started_at - before for c in profiles_fake.calls]
            assert starts == [0, 20, 40, 60, 80, 100]

        def test_async_retries(profiles_fake, profiles_async_client):
            profiles_fake.clock.freeze()
            before = profiles_fake.clock.time()
            profiles_fake.inject(429, op_id="create-a-new-tag", retry_after=30, times=3)
            asyncio.run(profiles_async_client.tags.create("vip"))
            assert profiles_fake.clock.time() - before == 90

        @pytest.mark.profiles_fake(rate_limits=True)
        def test_paced(profiles_fake, profiles_client):
            profiles_fake.clock.freeze()
            before = profiles_fake.clock.time()
            for i in range(8):
                profiles_client.tags.create(f"t{i}")
            assert {c.status for c in profiles_fake.calls} == {200}
            assert profiles_fake.clock.time() - before >= 1.4
        """,
    )
    result.assert_outcomes(passed=3)
