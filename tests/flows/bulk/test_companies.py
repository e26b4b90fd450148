"""``bulk.import_companies`` and ``infobip-profiles import --companies``: mapping, merge,
policies for existing and missing companies, report, resume, history and .xlsx input."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infobip_profiles import Company, ProfilesClient, ValidationError
from infobip_profiles.bulk import import_companies, read_xlsx
from infobip_profiles.cli import main
from infobip_profiles.testing import FakeProfiles
from tests._support.cli import read_csv, serve_for_cli

MAPPING = ["Account=name", "Id=externalId", "Web=domains", "Industry=industry", "Tier=attr:Tier"]
HEADER = ["Account", "Id", "Web", "Industry", "Tier"]


@pytest.fixture
def accounts(tmp_path: Path) -> Path:
    path = tmp_path / "accounts.csv"
    write(
        path,
        [
            ["Acme", "", "acme.example", "Retail", "gold"],
            ["Globex", "gx-1", "globex.example;g.example", "Energy", "silver"],
            ["acme", "", "acme2.example", "", ""],  # the same company as row 1
            ["", "", "", "Nothing", ""],  # nothing to match on
        ],
    )
    return path


def write(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)


@pytest.fixture
def seeded(fake: FakeProfiles) -> FakeProfiles:
    fake.seed(custom_attributes=[{"name": "Tier", "dataType": "STRING"}])
    return fake


def companies(client: ProfilesClient) -> dict[str, Company]:
    return {c.name or "": c for c in client.companies.list()}


def test_rows_are_merged_created_and_updated(
    seeded: FakeProfiles, client: ProfilesClient, accounts: Path, tmp_path: Path
) -> None:
    client.companies.create(Company(name="ACME", industry="Old"))
    report = tmp_path / "failures.csv"

    result = import_companies(client, accounts, MAPPING, report=report)

    assert result.summary() == "4 rows: 1 created, 2 updated, 0 skipped, 1 failed"
    stored = companies(client)
    assert set(stored) == {"ACME", "Globex"}  # matched ignoring case; the stored name stays
    assert stored["ACME"].industry == "Retail"
    assert stored["ACME"].domains == ["acme.example", "acme2.example"]
    assert stored["Globex"].external_id == "gx-1"
    assert stored["Globex"].custom_attributes == {"Tier": "silver"}
    lines = read_csv(report)
    assert [(r["row"], r["error"]) for r in lines] == [
        ("4", "no name or externalId to match the company on")
    ]


@pytest.mark.parametrize(
    ("on_existing", "on_missing", "summary", "names"),
    [
        ("skip", "create", "4 rows: 1 created, 0 updated, 2 skipped, 1 failed", {"Acme", "Globex"}),
        ("update", "skip", "4 rows: 0 created, 2 updated, 1 skipped, 1 failed", {"Acme"}),
        ("skip", "skip", "4 rows: 0 created, 0 updated, 3 skipped, 1 failed", {"Acme"}),
    ],
)
def test_policies_for_existing_and_missing_companies(
    seeded: FakeProfiles,
    client: ProfilesClient,
    accounts: Path,
    on_existing: Any,
    on_missing: Any,
    summary: str,
    names: set[str],
) -> None:
    client.companies.create(Company(name="Acme", industry="Old"))

    result = import_companies(
        client, accounts, MAPPING, on_existing=on_existing, on_missing=on_missing
    )

    assert result.summary() == summary
    stored = companies(client)
    assert set(stored) == names
    assert stored["Acme"].industry == ("Old" if on_existing == "skip" else "Retail")


def test_resume_skips_rows_done_and_history_grows(
    seeded: FakeProfiles, client: ProfilesClient, tmp_path: Path
) -> None:
    source = tmp_path / "big.csv"
    write(source, [[f"Co {i}", "", "", "", ""] for i in range(5)] + [["", "", "", "", ""]])
    report, state = tmp_path / "report.csv", tmp_path / "state.json"
    real_create = client.companies.create_many
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConnectionError("network down")
        return real_create(*args, **kwargs)

    client.companies.create_many = flaky  # type: ignore[method-assign]
    with pytest.raises(ConnectionError):
        import_companies(client, source, MAPPING, report=report, resume=state, batch_size=2)
    assert json.loads(state.read_text())["rows_done"] == 2

    result = import_companies(client, source, MAPPING, report=report, resume=state, batch_size=2)

    assert result.created == 3
    assert len(companies(client)) == 5
    history = [json.loads(line) for line in (tmp_path / "report.csv.history.jsonl").open()]
    assert [h["outcome"].split(":")[0] for h in history] == ["stopped", "finished"]
    assert history[1]["rowsDone"] == 6
    assert [h["resumed"] for h in history] == [False, True]
    # The row without a key is reported once, not once per run.
    assert len(read_csv(report)) == 1


def test_a_resume_file_of_another_import_is_refused(
    seeded: FakeProfiles, client: ProfilesClient, accounts: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    import_companies(client, accounts, MAPPING, resume=state)

    with pytest.raises(ValidationError, match="another import"):
        import_companies(client, accounts, MAPPING, resume=state, on_missing="skip")


@pytest.mark.parametrize(
    ("mapping", "kwargs", "match"),
    [
        (["Account=nme"], {}, "not a company target"),
        (["Industry=industry"], {}, "name or externalId"),
        (["Nope=name"], {}, "no column"),
        (["Tier=attr:Tier:colour", "Account=name"], {}, "attr:NAME"),
        (MAPPING, {"on_existing": "merge"}, "on_existing"),
        (MAPPING, {"on_missing": "maybe"}, "on_missing"),
    ],
)
def test_bad_arguments_send_nothing(
    seeded: FakeProfiles,
    client: ProfilesClient,
    accounts: Path,
    mapping: list[str],
    kwargs: dict[str, Any],
    match: str,
) -> None:
    seeded.calls.clear()

    with pytest.raises(ValidationError, match=match):
        import_companies(client, accounts, mapping, **kwargs)

    assert len(seeded.calls) == 0


def test_xlsx_rows_import_like_csv(
    seeded: FakeProfiles, client: ProfilesClient, tmp_path: Path
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Accounts"
    sheet.append(HEADER)
    sheet.append(["Initech", "in-1", "initech.example", "Software", "bronze"])
    sheet.append([None, None, None, None, None])
    sheet.append(["Hooli", 42, None, None, None])  # a number cell becomes text
    path = tmp_path / "accounts.xlsx"
    book.save(path)

    assert [r["Account"] for r in read_xlsx(path, "Accounts")] == ["Initech", "Hooli"]
    result = import_companies(client, path, MAPPING)

    assert result.summary() == "2 rows: 2 created, 0 updated, 0 skipped, 0 failed"
    assert companies(client)["Hooli"].external_id == "42"
    with pytest.raises(ValidationError, match="no sheet"):
        list(read_xlsx(path, "Missing"))


@pytest.fixture
def served(seeded: FakeProfiles, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with serve_for_cli(seeded, monkeypatch) as url:
        yield url


@pytest.mark.http
def test_cli_import_companies(
    served: str, accounts: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["import", str(accounts), "--companies", "--base-url", served]
    for spec in MAPPING:
        args += ["--map", spec]
    report = tmp_path / "r.csv"

    code = main([*args, "--report", str(report), "--on-missing", "create"])

    out, err = capsys.readouterr()
    assert code == 3, err
    assert "4 rows: 3 created, 0 updated, 0 skipped, 1 failed" in out  # rows, merged
    assert (tmp_path / "r.csv.history.jsonl").read_text().count("\n") == 1

    code = main([*args, "--on-existing", "skip"])

    out, err = capsys.readouterr()
    assert "0 created, 0 updated, 3 skipped" in out
