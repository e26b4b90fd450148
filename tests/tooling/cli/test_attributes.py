"""``infobip-profiles attributes create|list`` against a served fake, and what ``import`` says
when the file's custom attributes are not defined."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from infobip_profiles.cli import main
from infobip_profiles.testing import FakeProfiles
from tests._support.cli import run

pytestmark = pytest.mark.http


@pytest.mark.parametrize(
    "command", [["attributes"], ["attributes", "create"], ["attributes", "list"]]
)
def test_attribute_commands_have_help(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])

    assert info.value.code == 0
    assert "attribute" in capsys.readouterr().out


def test_create_defines_the_attribute_and_prints_it(
    fake: FakeProfiles, base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "attributes", "create", "Plan", "--type", "string", "--base-url", base_url
    )

    assert code == 0
    assert json.loads(out)["name"] == "Plan"
    assert json.loads(out)["dataType"] == "STRING"
    assert [a["name"] for a in fake.state()["customAttributes"]] == ["Plan"]


def test_create_is_safe_to_run_again(
    fake: FakeProfiles, base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "attributes", "create", "Plan", "--type", "STRING", "--base-url", base_url)

    code, out, _ = run(
        capsys, "attributes", "create", "plan", "--type", "STRING", "--base-url", base_url
    )

    assert code == 0
    assert json.loads(out)["name"] == "Plan"


def test_create_with_another_type_than_the_existing_one_fails(
    base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "attributes", "create", "Plan", "--type", "STRING", "--base-url", base_url)

    code, _, err = run(
        capsys, "attributes", "create", "Plan", "--type", "INTEGER", "--base-url", base_url
    )

    assert code == 2
    assert "exists with type STRING, not INTEGER" in err


def test_create_a_list_of_objects_with_its_fields(
    base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "attributes", "create", "Orders", "--type", "LIST_OF_OBJECTS",
        "--field", "sku=STRING", "--field", "total=decimal", "--base-url", base_url,
    )  # fmt: skip

    assert code == 0
    assert json.loads(out)["objectSchema"] == {"sku": "STRING", "total": "DECIMAL"}


@pytest.mark.parametrize("field", ["sku", "sku=SHOE", "=STRING"])
def test_create_refuses_a_malformed_field(
    base_url: str, capsys: pytest.CaptureFixture[str], field: str
) -> None:
    code, _, err = run(
        capsys, "attributes", "create", "Orders", "--type", "LIST_OF_OBJECTS",
        "--field", field, "--base-url", base_url,
    )  # fmt: skip

    assert code == 2
    assert "NAME=TYPE" in err


def test_create_refuses_an_unknown_type(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["attributes", "create", "Plan", "--type", "SHOE"])

    assert info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize("jsonl", [False, True])
def test_list_prints_every_definition(
    fake: FakeProfiles, base_url: str, capsys: pytest.CaptureFixture[str], jsonl: bool
) -> None:
    fake.seed(
        custom_attributes=[
            {"name": "Plan", "dataType": "STRING"},
            {"name": "Score", "dataType": "DECIMAL"},
        ]
    )

    code, out, _ = run(
        capsys, "attributes", "list", *(["--jsonl"] if jsonl else []), "--base-url", base_url
    )

    assert code == 0
    items = [json.loads(line) for line in out.splitlines()] if jsonl else json.loads(out)
    assert sorted((a["name"], a["dataType"]) for a in items) == [
        ("Plan", "STRING"),
        ("Score", "DECIMAL"),
    ]


def test_import_with_an_undefined_attribute_says_how_to_define_it(
    base_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "in.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["Id", "Plan"], ["crm-1", "gold"]])

    code, out, err = run(
        capsys, "import", str(path), "--map", "Id=externalId", "--map", "Plan=attr:Plan",
        "--base-url", base_url,
    )  # fmt: skip

    assert code != 0
    assert "infobip-profiles attributes create Plan --type" in out + err


def test_import_with_its_attributes_defined_goes_ahead(
    fake: FakeProfiles, base_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "in.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["Id", "Plan"], ["crm-1", "gold"]])
    run(capsys, "attributes", "create", "Plan", "--type", "STRING", "--base-url", base_url)

    code, out, _ = run(
        capsys, "import", str(path), "--map", "Id=externalId", "--map", "Plan=attr:Plan",
        "--base-url", base_url,
    )  # fmt: skip

    assert code == 0, out
    assert [p["customAttributes"] for p in fake.people()] == [{"Plan": "gold"}]


def test_an_import_without_resume_that_fails_says_how_to_carry_on(
    fake: FakeProfiles, base_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "in.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([["Id"], ["crm-1"]])
    fake.inject(401, path="/people/3/persons/upsert", times=None)

    code, _, err = run(
        capsys, "import", str(path), "--map", "Id=externalId", "--base-url", base_url,
        "--max-retries", "0",
    )  # fmt: skip

    assert code == 1
    assert "pass --resume FILE to carry on" in err


def test_import_counts_add_up_and_read_well(
    base_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "in.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(
            [["externalId", "firstName"], ["crm-1", "Ada"], ["crm-1", "Augusta"], ["", "Nobody"]]
        )

    code, out, _ = run(capsys, "import", str(path), "--base-url", base_url)

    assert code == 3
    assert out.startswith(
        "3 rows: 1 created, 0 updated, 0 not modified, 1 failed, 1 duplicate row merged"
    )
