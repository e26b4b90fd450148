"""``infobip-profiles people export|delete|archive|activate`` against a served fake."""

from __future__ import annotations

import json

import pytest

from infobip_profiles import PersonRef
from infobip_profiles._cli_workflows import parse_ref
from infobip_profiles.cli import main
from infobip_profiles.testing import FakeProfiles
from tests._support.cli import run

ADA = {
    "externalId": "crm-1",
    "firstName": "Ada",
    "tags": ["VIP"],
    "contactInformation": {"email": [{"address": "ada@example.com"}]},
}
BOB = {"externalId": "crm-2", "firstName": "Bob"}

pytestmark = pytest.mark.http


@pytest.fixture
def fake(fake: FakeProfiles) -> FakeProfiles:
    """The command-line tests' fake, seeded with Ada and Bob."""
    fake.seed(people=[ADA, BOB])
    return fake


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("id:7", PersonRef.id(7)),
        ("external-id:crm-1", PersonRef.external_id("crm-1")),
        ("EMAIL:ada@example.com", PersonRef.email("ada@example.com")),
        ("ada@example.com", PersonRef.email("ada@example.com")),
        ("phone:41793026727", PersonRef.phone("41793026727")),
    ],
)
def test_refs_are_type_and_value(text: str, ref: PersonRef) -> None:
    assert parse_ref(text) == ref


@pytest.mark.parametrize("text", ["42", "id:", "fax:123", ""])
def test_a_ref_without_a_known_type_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="names no person"):
        parse_ref(text)


def test_export_jsonl_prints_one_object_with_the_segments(
    base_url: str, fake: FakeProfiles, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.tenant().segments.create({"name": "VIPs", "query": {"#contains": {"tags": "VIP"}}})

    code, out, err = run(
        capsys, "people", "export", "email:ada@example.com", "--jsonl", "--base-url", base_url
    )

    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["person"]["externalId"] == "crm-1"
    assert record["tags"] == ["VIP"]
    assert [s["name"] for s in record["segments"]] == ["VIPs"]


def test_export_of_nobody_is_exit_1(base_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "people", "export", "external-id:ghost", "--base-url", base_url)

    assert code == 1
    assert out == ""
    assert "404" in err


def test_delete_needs_yes(
    base_url: str, fake: FakeProfiles, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "people", "delete", "external-id:crm-2", "--base-url", base_url)

    assert code == 2
    assert "--yes" in err
    assert len(fake.people()) == 2

    code, out, err = run(
        capsys, "people", "delete", "external-id:crm-2", "--yes", "--base-url", base_url
    )

    assert code == 0, err
    assert "deleted" in out
    assert [p["firstName"] for p in fake.people()] == ["Ada"]


def test_archive_then_activate(
    base_url: str, fake: FakeProfiles, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys,
        "people",
        "archive",
        "external-id:crm-1",
        "external-id:crm-2",
        "--base-url",
        base_url,
    )
    assert code == 0, err
    assert "archived 2 of 2" in out
    assert [p["customAttributes"]["Archived"] for p in fake.people()] == [True, True]

    code, out, err = run(capsys, "people", "activate", "external-id:crm-2", "--base-url", base_url)
    assert code == 0, err
    assert [p["customAttributes"]["Archived"] for p in fake.people()] == [True, False]


def test_archive_reports_people_it_could_not_change(
    base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys,
        "people",
        "archive",
        "external-id:crm-1",
        "external-id:ghost",
        "--base-url",
        base_url,
    )

    assert code == 3
    assert "archived 1 of 2" in out
    assert "EXTERNAL_ID:ghost" in err


def test_a_bad_ref_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["people", "export", "nobody"])

    assert exit_info.value.code == 2
    assert "names no person" in capsys.readouterr().err
