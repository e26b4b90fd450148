"""docs/coverage.md: every operation has a client method and a fake handler, and the page is current."""

from __future__ import annotations

import pytest

from infobip_profiles import AsyncProfilesClient, ProfilesClient
from infobip_profiles._operations import OPERATIONS
from tests._support import paths

ROOT = paths.ROOT


gen = paths.load_script("tools/gen_coverage.py")


@pytest.fixture(scope="module")
def methods() -> dict[str, list[str]]:
    """operationId -> client methods, as the page shows them."""
    table: dict[str, list[str]] = gen.client_methods()
    return table


def test_every_non_deprecated_operation_has_a_client_method(methods: dict[str, list[str]]) -> None:
    lacking = sorted(
        op_id for op_id, op in OPERATIONS.items() if not op.deprecated and not methods[op_id]
    )

    assert lacking == [], f"operations no client method sends: {lacking}"


def test_every_non_deprecated_operation_has_a_fake_handler() -> None:
    handlers = gen.fake_handlers()

    lacking = sorted(
        op_id for op_id, op in OPERATIONS.items() if not op.deprecated and handlers[op_id] is None
    )

    assert lacking == [], f"operations the fake does not answer: {lacking}"


def test_deprecated_operations_are_not_exposed(methods: dict[str, list[str]]) -> None:
    exposed = {op_id: methods[op_id] for op_id, op in OPERATIONS.items() if op.deprecated}

    assert all(not m for m in exposed.values()), f"deprecated operations in use: {exposed}"


def test_the_scan_follows_module_constants_to_every_method_of_an_operation(
    methods: dict[str, list[str]],
) -> None:
    # people.get, .list and .count name their operation through a module constant, and
    # upsert_many picks one of two operations at run time: both must be seen.
    assert {"people.get", "people.list", "people.count"} <= set(
        methods["get-a-single-person-or-a-list-of-people"]
    )
    assert "people.upsert_many" in methods["upsert-persons-full"]
    assert "people.upsert_many" in methods["upsert-persons-partial"]


def test_async_client_has_the_same_resources_and_methods_as_the_sync_one() -> None:
    sync_client = ProfilesClient(api_key="k", throttle=False)
    async_client = AsyncProfilesClient(api_key="k", throttle=False)
    for name, cls in gen.resources():
        async_cls = type(getattr(async_client, name))

        assert sorted(gen.public_methods(async_cls)) == sorted(gen.public_methods(cls)), name
    sync_client.close()


def test_the_page_is_up_to_date() -> None:
    page = ROOT / "docs" / "coverage.md"

    assert page.read_text(encoding="utf-8") == gen.render(), (
        "docs/coverage.md is stale: run python tools/gen_coverage.py"
    )
