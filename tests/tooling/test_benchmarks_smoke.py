"""CI smoke check of the benchmarks: ``python -m benchmarks --quick`` runs and prints well-formed JSON.

Only the shape of the output is checked, never a timing: CI machines are too noisy for that, and
the figures live in ``docs/performance.md``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from tests._support import paths

ROOT = paths.ROOT
FIGURE_KEYS = {
    "id",
    "figure",
    "baseline",
    "unit",
    "value",
    "baseline_value",
    "ratio",
    "target",
    "met",
    "available",
    "reason",
    "details",
}
EXPECTED_IDS = {
    "client_overhead",
    "decode_vs_json",
    "decode_vs_generated",
    "bulk_upsert_vs_create",
    "bulk_paced_vs_minimum",
    "fake_get_large_vs_small",
    "fake_memory_per_person",
    "fake_filtered_list",
    "async_concurrent_vs_sequential",
    "async_concurrent_vs_sequential_with_latency",
    "peer_async_burst_warm",
    "peer_async_burst_cold",
    "peer_decode_vs_pydantic",
    "peer_import_vs_httpx",
    "peer_import_sync_user_vs_httpx",
    "upsert_stream_memory",
    "create_stream_memory",
    "send_many_stream_memory",
    "update_stream_memory",
    "delete_stream_memory",
    "fake_seed_large_vs_empty",
    "fake_filter_first_page_large_vs_small",
    "fake_seed_memory_per_person",
    "fixture_served_per_test",
    "fastpath_decode_vs_plain",
    "fastpath_typed_listing_vs_general",
    "fastpath_loads_vs_json",
    "fastpath_v3_encode_vs_plain",
    "fastpath_fake_create_vs_general",
    "fastpath_fake_collector_pause",
    "fastpath_fake_filter_index_vs_scan",
    "fastpath_fake_timestamp_vs_strict",
    "fastpath_compact_outcomes_memory",
}

pytestmark = pytest.mark.slow


def _run_module(*args: str) -> Any:
    """``python -m <args>`` from the project's root; its standard output parsed as JSON."""
    done = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    parsed: dict[str, Any] = _run_module("benchmarks", "--quick", "--quiet")
    return parsed


def test_the_quick_run_reports_every_figure_once(document: dict[str, Any]) -> None:
    ids = [f["id"] for f in document["figures"]]

    assert sorted(ids) == sorted(EXPECTED_IDS)
    assert document["quick"] is True


def test_every_figure_has_the_documented_fields(document: dict[str, Any]) -> None:
    for fig in document["figures"]:
        assert set(fig) == FIGURE_KEYS, fig["id"]
        assert isinstance(fig["details"], dict)


def test_an_available_figure_is_a_ratio_of_two_positive_measurements(
    document: dict[str, Any],
) -> None:
    for fig in document["figures"]:
        if not fig["available"]:
            continue
        assert fig["value"] >= 0, fig["id"]
        assert fig["baseline_value"] > 0, fig["id"]
        assert fig["ratio"] == pytest.approx(fig["value"] / fig["baseline_value"], rel=1e-3)
        assert fig["met"] in (True, False, None)


def test_only_the_generated_client_comparison_is_skipped_in_quick_mode(
    document: dict[str, Any],
) -> None:
    missing = {f["id"]: f["reason"] for f in document["figures"] if not f["available"]}
    # The pydantic peer is generated from the API spec, which lives beside the repository
    # (../shared/spec): a user's clone without it reports that figure unavailable, saying why.
    expected = {"decode_vs_generated"}
    if not (ROOT.parent / "shared" / "spec" / "people-openapi.json").exists():
        expected.add("peer_decode_vs_pydantic")
        assert "no spec" in missing.get("peer_decode_vs_pydantic", "")

    assert set(missing) == expected
    assert "quick" in missing["decode_vs_generated"]


def test_the_run_says_what_produced_it(document: dict[str, Any]) -> None:
    assert document["package"] == "infobip-profiles"
    assert document["python"].count(".") == 2
    assert document["seconds"] >= 0


def test_the_bulk_breakdown_accounts_for_its_requests() -> None:
    """``python -m benchmarks.bulk_breakdown``: one small run, its parts consistent (no timing)."""
    run = _run_module("benchmarks.bulk_breakdown", "--persons", "2500", "--runs", "1")

    assert run["persons"] == 2500
    assert run["requests"] == 3  # 1000 + 1000 + 500
    parts = (
        run["before_first_request_s"]
        + run["round_trips_s"]
        + run["between_requests_s"]
        + run["after_last_response_s"]
    )
    assert parts <= run["seconds"] + 0.01  # rounding of four parts
    assert 0 < run["fake_handling_s"] <= run["round_trips_s"] + 0.01
    assert len(run["client_collections_per_generation"]) == 3
