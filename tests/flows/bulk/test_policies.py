"""Person imports with ``on_existing`` / ``on_missing`` policies and the run history, sync and
async, against the fake in-process and over loopback HTTP, and through the CLI."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infobip_profiles import (
    APIConnectionError,
    AsyncProfilesClient,
    ContactInformation,
    Person,
    ProfilesClient,
    ServerError,
    ValidationError,
)
from infobip_profiles.bulk import (
    ColumnMapping,
    ImportProgress,
    ResumeError,
    aimport_csv,
    aimport_rows,
    import_csv,
    import_rows,
)
from infobip_profiles.cli import main
from infobip_profiles.testing import FakeProfiles
from tests._support.cli import read_csv, serve_for_cli
from tests._support.cli import write_csv as support_write_csv

UPSERT = "upsert-persons-partial"
MATCH = "match-people-ids"
MAPPING = ColumnMapping.parse(["id=externalId", "First=firstName", "Mail=email"])


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    return support_write_csv(path, rows, ["id", "First", "Mail"])


@pytest.fixture
def people_csv(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "people.csv",
        [
            ["crm-1", "New", "ada@example.com"],
            ["crm-2", "Bob", "bob@example.com"],
            ["", "Cy", "CY@example.com"],  # matches a stored person by email, in another case
        ],
    )


@pytest.fixture
def stored(client: ProfilesClient) -> ProfilesClient:
    client.people.create(Person(external_id="crm-1", first_name="Old"))
    client.people.create(
        Person(
            first_name="OldCy", contact_information=ContactInformation.of(emails=["cy@example.com"])
        )
    )
    return client


def names(fake: FakeProfiles) -> dict[str, str]:
    return {p.get("firstName", ""): p.get("externalId", "") for p in fake.people()}


def ops(fake: FakeProfiles) -> list[str]:
    return [call.op_id for call in fake.calls if call.op_id in (UPSERT, MATCH)]


def history(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_default_policies_send_one_upsert_per_window_and_no_lookup(
    fake: FakeProfiles, stored: ProfilesClient, people_csv: Path, tmp_path: Path
) -> None:
    fake.calls.clear()
    report = tmp_path / "r.csv"

    result = import_csv(stored, people_csv, MAPPING, report=report, progress=False)

    assert ops(fake) == [UPSERT]
    assert (result.created, result.updated, result.skipped_existing) == (1, 2, 0)
    assert "skipped" not in result.summary()
    assert result.history == tmp_path / "r.csv.history.jsonl"
    (line,) = history(result.history)
    assert line["kind"] == "persons"
    assert (line["onExisting"], line["onMissing"], line["resumed"]) == ("update", "create", False)
    assert (line["rowsDone"], line["created"], line["updated"]) == (3, 1, 2)
    assert line["outcome"] == "finished"
    assert line["source"] == str(people_csv)


def test_on_existing_skip_leaves_stored_persons_alone(
    fake: FakeProfiles, stored: ProfilesClient, people_csv: Path
) -> None:
    fake.calls.clear()

    result = import_csv(stored, people_csv, MAPPING, on_existing="skip", progress=False)

    assert ops(fake) == [MATCH, UPSERT]
    upsert = next(c for c in fake.calls if c.op_id == UPSERT)
    assert [p.get("externalId") for p in upsert.body["persons"]] == ["crm-2"]
    assert (result.created, result.updated, result.skipped_existing) == (1, 0, 2)
    assert result.summary().endswith(", 2 skipped: already exist")
    assert names(fake) == {"Old": "crm-1", "OldCy": "", "Bob": "crm-2"}


def test_on_missing_skip_creates_nobody(
    fake: FakeProfiles, stored: ProfilesClient, people_csv: Path
) -> None:
    result = import_csv(stored, people_csv, MAPPING, on_missing="skip", progress=False)

    assert (result.created, result.updated, result.skipped_missing) == (0, 2, 1)
    assert "1 skipped: match nobody" in result.summary()
    assert names(fake) == {"New": "crm-1", "Cy": ""}


def test_both_skips_send_no_upsert_when_nothing_is_left(
    fake: FakeProfiles, stored: ProfilesClient, people_csv: Path
) -> None:
    fake.calls.clear()

    result = import_csv(
        stored, people_csv, MAPPING, on_existing="skip", on_missing="skip", progress=False
    )

    assert ops(fake) == [MATCH]
    assert (result.rows, result.skipped_existing, result.skipped_missing) == (3, 2, 1)
    assert len(fake.people()) == 2


async def test_async_import_applies_the_policies(
    fake: FakeProfiles, aclient: AsyncProfilesClient, people_csv: Path, tmp_path: Path
) -> None:
    await aclient.people.create(Person(external_id="crm-1", first_name="Old"))
    history_file = tmp_path / "runs.jsonl"

    result = await aimport_csv(
        aclient,
        people_csv,
        MAPPING,
        on_existing="skip",
        history=history_file,
        progress=False,
    )

    assert (result.created, result.skipped_existing) == (2, 1)
    assert names(fake)["Old"] == "crm-1"
    assert history(history_file)[0]["skippedExisting"] == 1


def test_bad_policies_send_nothing(
    fake: FakeProfiles, client: ProfilesClient, people_csv: Path
) -> None:
    with pytest.raises(ValidationError):
        import_csv(client, people_csv, MAPPING, on_existing="merge", progress=False)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        import_rows(client, [{"externalId": "x"}], on_missing="never", progress=False)  # type: ignore[arg-type]
    assert len(fake.calls) == 0


def test_resume_keeps_counts_and_refuses_other_policies(
    fake: FakeProfiles, client: ProfilesClient, tmp_path: Path
) -> None:
    client.people.create(Person(external_id="crm-0", first_name="Old"))
    rows = [[f"crm-{i}", f"P{i}", f"p{i}@example.com"] for i in range(5)]
    path = write_csv(tmp_path / "in.csv", rows)
    report, state = tmp_path / "r.csv", tmp_path / "state.json"
    options: dict[str, Any] = {"report": report, "resume": state, "batch_size": 2}

    def outage_after_the_first_window(progress: ImportProgress) -> None:
        fake.inject(500, op_id=UPSERT, times=None)

    with pytest.raises(ServerError):
        import_csv(
            client,
            path,
            MAPPING,
            on_existing="skip",
            progress=outage_after_the_first_window,
            **options,
        )
    assert len(read_csv(report)) == 2  # the rows of the failed request, until resumed
    fake.faults.clear()
    with pytest.raises(ResumeError):
        import_csv(client, path, MAPPING, progress=False, **options)

    result = import_csv(client, path, MAPPING, on_existing="skip", progress=False, **options)

    assert (result.rows, result.created, result.skipped_existing) == (5, 4, 1)
    assert names(fake)["Old"] == "crm-0"
    assert read_csv(report) == []
    runs = history(tmp_path / "r.csv.history.jsonl")
    assert [r["outcome"].split(":")[0] for r in runs] == ["stopped", "finished"]
    assert [r["resumed"] for r in runs] == [False, True]
    assert (runs[1]["resumedFrom"], runs[1]["onExisting"]) == (2, "skip")


def test_a_failed_lookup_stops_the_import_and_reports_its_rows(
    fake: FakeProfiles, client: ProfilesClient, people_csv: Path, tmp_path: Path
) -> None:
    fake.inject(500, op_id=MATCH, times=None)
    report = tmp_path / "r.csv"

    with pytest.raises(ServerError):
        import_csv(client, people_csv, MAPPING, on_missing="skip", report=report, progress=False)

    assert len(fake.people()) == 0
    lines = read_csv(report)
    assert [line["row"] for line in lines] == ["1", "2", "3"]
    assert all(line["error"].startswith("not imported:") for line in lines)
    (run,) = history(tmp_path / "r.csv.history.jsonl")
    assert run["outcome"].startswith("stopped: ServerError")


@pytest.fixture
def served(fake: FakeProfiles, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    with serve_for_cli(fake, monkeypatch) as url:
        yield url


@pytest.mark.http
def test_cli_import_persons_with_policies(
    fake: FakeProfiles,
    served: str,
    people_csv: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with fake.client() as seeding:
        seeding.people.create(Person(external_id="crm-1", first_name="Old"))
    args = ["import", str(people_csv), "--base-url", served, "--no-progress"]
    for spec in MAPPING.specs():
        args += ["--map", spec]
    report = tmp_path / "r.csv"

    code = main([*args, "--report", str(report), "--on-existing", "skip"])

    out, err = capsys.readouterr()
    assert code == 0, err
    assert "2 created, 0 updated" in out
    assert "1 skipped: already exist" in out
    assert names(fake)["Old"] == "crm-1"
    (run,) = history(tmp_path / "r.csv.history.jsonl")
    assert (run["onExisting"], run["created"]) == ("skip", 2)


def test_import_rows_with_a_policy_and_a_history_without_report(
    fake: FakeProfiles, stored: ProfilesClient, tmp_path: Path
) -> None:
    rows = [{"externalId": "crm-1", "firstName": "New"}, {"externalId": "crm-9"}]
    runs = tmp_path / "runs.jsonl"

    result = import_rows(stored, rows, on_missing="skip", history=runs, progress=False)

    assert (result.updated, result.skipped_missing, result.history) == (1, 1, runs)
    assert names(fake)["New"] == "crm-1"
    assert "crm-9" not in names(fake).values()
    (run,) = history(runs)
    assert (run["source"], run["skippedMissing"], run["mode"]) == ("rows", 1, "partial")


async def test_async_import_rows_skips_existing_persons(
    fake: FakeProfiles, aclient: AsyncProfilesClient
) -> None:
    await aclient.people.create(Person(external_id="crm-1", first_name="Old"))
    rows = [{"externalId": "crm-1", "firstName": "New"}, {"externalId": "crm-2"}]

    result = await aimport_rows(aclient, rows, on_existing="skip", progress=False)

    assert (result.created, result.skipped_existing, result.history) == (1, 1, None)
    assert names(fake)["Old"] == "crm-1"


@pytest.mark.http
def test_cli_resume_with_on_missing_skip_does_not_warn_about_absent_rows(
    served: str, people_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["import", str(people_csv), "--base-url", served, "--no-progress"]
    for spec in MAPPING.specs():
        args += ["--map", spec]
    args += ["--on-missing", "skip", "--resume", str(tmp_path / "state.json")]
    assert main(args) == 0
    capsys.readouterr()
    state = json.loads((tmp_path / "state.json").read_text())
    state["completed"] = False  # as if the run had stopped after its last window
    (tmp_path / "state.json").write_text(json.dumps(state))

    code = main(args)

    out, err = capsys.readouterr()
    assert code == 0, err
    assert "warning" not in err
    assert "3 skipped: match nobody" in out


def test_a_window_applied_before_the_connection_dropped_is_skipped_on_resume_not_duplicated(
    fake: FakeProfiles, client: ProfilesClient, people_csv: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    fake.inject(drop="after", op_id=UPSERT, times=None)

    with pytest.raises(APIConnectionError):
        import_csv(client, people_csv, MAPPING, on_existing="skip", resume=state, progress=False)
    fake.faults.clear()
    assert len(fake.people()) == 3  # applied, but the answer was lost

    result = import_csv(
        client, people_csv, MAPPING, on_existing="skip", resume=state, progress=False
    )

    assert (result.created, result.skipped_existing) == (0, 3)
    assert len(fake.people()) == 3
