"""Bulk import (``infobip_profiles.bulk``) against the fake: mapping, dedupe, report, resume."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from infobip_profiles import APIConnectionError, ServerError
from infobip_profiles.bulk import (
    ColumnMapping,
    ImportProgress,
    MappingError,
    ResumeError,
    Target,
    aimport_csv,
    aimport_rows,
    import_csv,
    import_rows,
)
from infobip_profiles.testing import FakeProfiles
from tests._support.cli import read_csv
from tests._support.cli import write_csv as support_write_csv

UPSERT = "upsert-persons-partial"
MAPPING = ColumnMapping.parse(
    ["id=externalId", "First=firstName", "Mail=email", "Mobile=phone", "Labels=tags"]
)
HEADER = ["id", "First", "Mail", "Mobile", "Labels"]


@pytest.fixture
def fake() -> Iterator[FakeProfiles]:
    fake = FakeProfiles()
    yield fake
    fake.stop()


@pytest.fixture
def client(fake: FakeProfiles) -> Any:
    client = fake.client(max_retries=0)
    yield client
    client.close()


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    return support_write_csv(path, rows, header)


def by_external_id(fake: FakeProfiles) -> dict[str, dict[str, Any]]:
    return {p["externalId"]: p for p in fake.people() if p.get("externalId")}


def upserted_external_ids(fake: FakeProfiles) -> list[str]:
    return [
        p.get("externalId", "")
        for call in fake.calls
        if call.op_id == UPSERT
        for p in call.body["persons"]
    ]


def numbered_rows(count: int, start: int = 0) -> list[list[str]]:
    return [[f"crm-{i}", f"Person{i}", f"p{i}@example.com", "", ""] for i in range(start, count)]


# -- mapping ----------------------------------------------------------------------------------


def test_target_parse_reads_attribute_name_and_type() -> None:
    assert Target.parse("attr:Renewal date:date") == Target("attribute", "Renewal date", "date")


def test_target_parse_accepts_snake_case_field_names() -> None:
    assert Target.parse("first_name") == Target.parse("firstName") == Target("field", "first_name")


def test_mapping_rejects_unknown_target() -> None:
    with pytest.raises(MappingError, match="unknown mapping target 'shoeSize'"):
        ColumnMapping.parse(["Shoe=shoeSize"])


def test_mapping_rejects_two_columns_for_one_field() -> None:
    with pytest.raises(MappingError, match="single-valued"):
        ColumnMapping.parse(["A=firstName", "B=first_name"])


def test_mapping_allows_several_email_columns(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "in.csv", [["crm-1", "a@example.com", "b@example.com"]], ["id", "Work", "Home"]
    )

    mapping = ColumnMapping.parse(["id=externalId", "Work=email", "Home=email"])

    import_csv(client, path, mapping, progress=False)

    stored = by_external_id(fake)["crm-1"]
    assert [e["address"] for e in stored["contactInformation"]["email"]] == [
        "a@example.com",
        "b@example.com",
    ]


def test_missing_column_is_refused_before_any_request(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "in.csv", [["crm-1"]], ["id"])

    with pytest.raises(MappingError, match="'Mail'"):
        import_csv(client, path, ColumnMapping.parse(["id=externalId", "Mail=email"]))

    assert len(fake.calls) == 0


# -- what gets imported --------------------------------------------------------------------------


def test_csv_rows_become_persons_with_mapped_fields(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "in.csv",
        [["crm-1", "Ada", "ada@example.com", "+41 79 302 67 27", "VIP;Beta"]],
    )

    result = import_csv(client, path, MAPPING, progress=False)

    ada = by_external_id(fake)["crm-1"]
    assert result.created == 1
    assert ada["firstName"] == "Ada"
    assert ada["contactInformation"]["phone"] == [{"number": "41793026727"}]
    assert sorted(ada["tags"]) == ["Beta", "VIP"]


def test_typed_custom_attribute_is_sent_as_its_type(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    fake.seed(custom_attributes=[{"name": "Age", "dataType": "INTEGER"}])
    path = write_csv(tmp_path / "in.csv", [["crm-1", "42"]], ["id", "Age"])

    import_csv(
        client, path, ColumnMapping.parse(["id=externalId", "Age=attr:Age:integer"]), progress=False
    )

    assert by_external_id(fake)["crm-1"]["customAttributes"]["Age"] == 42


def test_empty_cells_are_not_sent(client: Any, fake: FakeProfiles, tmp_path: Path) -> None:
    fake.seed(people=[{"externalId": "crm-1", "firstName": "Ada"}])
    path = write_csv(tmp_path / "in.csv", [["crm-1", "", "ada@example.com", "", ""]])

    import_csv(client, path, MAPPING, progress=False)

    assert by_external_id(fake)["crm-1"]["firstName"] == "Ada"


def test_second_import_of_the_same_file_changes_nothing(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "in.csv", numbered_rows(3))
    import_csv(client, path, MAPPING, progress=False)

    again = import_csv(client, path, MAPPING, progress=False)

    assert (again.created, again.not_modified) == (0, 3)


def test_import_rows_without_mapping_reads_keys_as_targets(client: Any, fake: FakeProfiles) -> None:
    rows = [
        {"externalId": "crm-1", "email": "ada@example.com", "firstName": "Ada", "tags": ["VIP"]}
    ]

    result = import_rows(client, rows, progress=False)

    assert result.created == 1
    assert by_external_id(fake)["crm-1"]["tags"] == ["VIP"]


def test_import_rows_without_mapping_takes_keys_first_seen_in_later_rows(
    client: Any, fake: FakeProfiles
) -> None:
    rows = [
        {"externalId": "crm-1", "firstName": "Ada"},
        {"externalId": "crm-2", "firstName": "Grace", "city": "Arlington", "last_name": "Hopper"},
    ]

    result = import_rows(client, rows, progress=False)

    assert (result.created, result.failed) == (2, 0)
    stored = by_external_id(fake)["crm-2"]
    assert (stored["city"], stored["lastName"]) == ("Arlington", "Hopper")
    assert "city" not in by_external_id(fake)["crm-1"]


def test_import_rows_without_mapping_refuses_a_key_naming_no_target(
    client: Any, fake: FakeProfiles
) -> None:
    rows = [
        {"externalId": "crm-1", "firstName": "Ada"},
        {"externalId": "crm-2", "Frist name": "Grace"},
    ]

    result = import_rows(client, rows, progress=False)

    assert (result.created, result.failed) == (1, 1)
    (failure,) = result.failures
    assert failure.row == 2
    assert "'Frist name'" in failure.error
    assert sorted(by_external_id(fake)) == ["crm-1"]


# -- duplicates -------------------------------------------------------------------------------------


def test_rows_sharing_an_email_ignoring_case_are_sent_as_one_person(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "in.csv",
        [
            ["crm-1", "Ada", "ada@example.com", "", "VIP"],
            ["", "Augusta", "ADA@example.com", "41793026727", "Beta"],
        ],
    )

    result = import_csv(client, path, MAPPING, progress=False)

    (sent,) = fake.calls.filter(op_id=UPSERT)
    assert len(sent.body["persons"]) == 1
    assert (result.rows, result.merged, result.created) == (2, 1, 1)


def test_merged_rows_keep_the_later_name_and_every_tag(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "in.csv",
        [
            ["crm-1", "Ada", "ada@example.com", "", "VIP"],
            ["crm-1", "Augusta", "", "41793026727", "Beta"],
        ],
    )

    import_csv(client, path, MAPPING, progress=False)

    ada = by_external_id(fake)["crm-1"]
    assert ada["firstName"] == "Augusta"
    assert sorted(ada["tags"]) == ["Beta", "VIP"]


def test_rows_linked_by_email_with_different_external_ids_both_fail(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "in.csv",
        [["crm-1", "Ada", "ada@example.com", "", ""], ["crm-2", "Bob", "ada@example.com", "", ""]],
    )

    result = import_csv(client, path, MAPPING, report=tmp_path / "failures.csv", progress=False)

    assert [r["row"] for r in read_csv(tmp_path / "failures.csv")] == ["1", "2"]
    assert result.failed == 2
    assert fake.people() == ()


def test_duplicates_in_different_windows_converge_on_one_person(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "in.csv",
        [["crm-1", "Ada", "ada@example.com", "", ""], ["crm-1", "Augusta", "", "", ""]],
    )

    result = import_csv(client, path, MAPPING, batch_size=1, progress=False)

    assert (result.created, result.updated) == (1, 1)
    assert [p["firstName"] for p in fake.people()] == ["Augusta"]


# -- the failure report ------------------------------------------------------------------------------


def test_unconvertible_row_is_reported_and_the_others_imported(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "in.csv",
        [["crm-1", "1815-12-10"], ["crm-2", "10/12/1815"], ["crm-3", ""]],
        ["id", "Born"],
    )
    mapping = ColumnMapping.parse(["id=externalId", "Born=birthDate"])

    result = import_csv(client, path, mapping, report=tmp_path / "failures.csv", progress=False)

    (failure,) = read_csv(tmp_path / "failures.csv")
    assert (failure["row"], failure["line"]) == ("2", "3")
    assert "birthDate: '10/12/1815' is not YYYY-MM-DD" in failure["error"]
    assert json.loads(failure["input"]) == {"id": "crm-2", "Born": "10/12/1815"}
    assert sorted(by_external_id(fake)) == ["crm-1", "crm-3"]
    assert result.failed == 1


def test_row_without_any_identifier_is_reported(client: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [["", "Nobody", "", "", ""]])

    result = import_csv(client, path, MAPPING, report=tmp_path / "failures.csv", progress=False)

    (failure,) = read_csv(tmp_path / "failures.csv")
    assert failure["error"] == "no externalId, email or phone to match the person on"
    assert result.failures[0].row == 1


def test_row_the_api_rejects_is_reported_with_its_error(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    fake.seed(
        people=[
            {
                "externalId": "crm-1",
                "contactInformation": {"email": [{"address": "a@example.com"}]},
            },
            {
                "externalId": "crm-2",
                "contactInformation": {"email": [{"address": "b@example.com"}]},
            },
        ]
    )
    # The second row's externalId and email belong to two different people: the API refuses it.
    path = write_csv(
        tmp_path / "in.csv",
        [["crm-1", "Ada", "", "", ""], ["crm-1", "Clash", "b@example.com", "", ""]],
    )

    result = import_csv(
        client, path, MAPPING, batch_size=1, report=tmp_path / "failures.csv", progress=False
    )

    (failure,) = read_csv(tmp_path / "failures.csv")
    assert failure["row"] == "2"
    assert failure["error"].startswith("409100")
    assert (result.updated, result.failed) == (1, 1)


# -- resume ---------------------------------------------------------------------------------------


def import_with_state(
    client: Any, path: Path, tmp_path: Path, *, batch_size: int = 2, progress: Any = False
) -> Any:
    """``import_csv`` of ``path`` with ``MAPPING``, a resume file and a failure report in
    ``tmp_path`` (``state.json``, ``failures.csv``)."""
    return import_csv(
        client,
        path,
        MAPPING,
        batch_size=batch_size,
        resume=tmp_path / "state.json",
        report=tmp_path / "failures.csv",
        progress=progress,
    )


def interrupted_import(client: Any, fake: FakeProfiles, tmp_path: Path) -> Path:
    path = write_csv(tmp_path / "in.csv", numbered_rows(5))
    seen: list[int] = []

    def on_progress(progress: ImportProgress) -> None:
        seen.append(progress.rows)
        if len(seen) == 1:
            fake.inject(500, op_id=UPSERT, times=None)

    with pytest.raises(ServerError):
        import_with_state(client, path, tmp_path, progress=on_progress)
    fake.faults.clear()
    fake.calls.clear()
    return path


def test_resume_file_records_the_rows_done_before_an_outage(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    interrupted_import(client, fake, tmp_path)

    state = json.loads((tmp_path / "state.json").read_text())

    assert (state["rows_done"], state["completed"]) == (2, False)


def test_resumed_import_sends_only_the_rows_not_done(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    path = interrupted_import(client, fake, tmp_path)

    result = import_csv(
        client, path, MAPPING, batch_size=2, resume=tmp_path / "state.json", progress=False
    )

    assert upserted_external_ids(fake) == ["crm-2", "crm-3", "crm-4"]
    assert (result.rows, result.created, result.resumed_from) == (5, 5, 2)
    assert len(fake.people()) == 5


def test_finished_import_run_again_with_its_resume_file_sends_nothing(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "in.csv", numbered_rows(3))
    import_csv(client, path, MAPPING, resume=tmp_path / "state.json", progress=False)
    fake.calls.clear()

    result = import_csv(client, path, MAPPING, resume=tmp_path / "state.json", progress=False)

    assert len(fake.calls) == 0
    assert result.created == 3


def test_resume_with_another_mapping_is_refused(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    path = interrupted_import(client, fake, tmp_path)
    other = ColumnMapping.parse(["id=externalId", "Mail=email"])

    with pytest.raises(ResumeError, match="another mapping"):
        import_csv(client, path, other, resume=tmp_path / "state.json", progress=False)


def test_resume_drops_report_lines_written_after_the_last_durable_point(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "in.csv", [["", "Nobody", "", "", ""], *numbered_rows(4)])
    fake.inject(500, op_id=UPSERT, times=None)
    with pytest.raises(ServerError):
        import_with_state(client, path, tmp_path)
    fake.faults.clear()
    with open(tmp_path / "failures.csv", "a", encoding="utf-8") as handle:
        handle.write("99,100,half-written by a run that died,{}\n")

    import_with_state(client, path, tmp_path)

    assert [r["row"] for r in read_csv(tmp_path / "failures.csv")] == ["1"]


def test_window_applied_before_the_connection_dropped_is_not_duplicated_on_resume(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "in.csv", numbered_rows(2))
    fake.inject(drop="after", op_id=UPSERT)
    with pytest.raises(APIConnectionError):
        import_csv(client, path, MAPPING, resume=tmp_path / "state.json", progress=False)

    result = import_csv(client, path, MAPPING, resume=tmp_path / "state.json", progress=False)

    assert result.not_modified == 2
    assert len(fake.people()) == 2


# -- progress and async ---------------------------------------------------------------------------


def test_progress_callback_hears_after_every_window(client: Any, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", numbered_rows(5))
    seen: list[ImportProgress] = []

    import_csv(client, path, MAPPING, batch_size=2, progress=seen.append)

    assert [p.rows for p in seen] == [2, 4, 5]
    assert seen[-1].fraction == 1.0


def test_forced_progress_line_goes_to_stderr(
    client: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "in.csv", numbered_rows(3))

    import_csv(client, path, MAPPING, progress=True)

    captured = capsys.readouterr()
    assert "3 rows" in captured.err
    assert captured.out == ""


async def test_async_import_rows_upserts_through_the_async_client(fake: FakeProfiles) -> None:
    rows = [
        {"externalId": "crm-1", "email": "ada@example.com"},
        {"externalId": "crm-2", "email": "bob@example.com"},
    ]

    result = await aimport_rows(fake.async_client(), rows, progress=False)

    assert result.created == 2
    assert sorted(by_external_id(fake)) == ["crm-1", "crm-2"]


def test_window_wider_than_one_request_stops_on_a_failed_request(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "in.csv", numbered_rows(1200))
    real_upsert = client.people.upsert_many

    def upsert_then_outage(persons: Any, **kwargs: Any) -> Any:
        result = real_upsert(persons, **kwargs)
        fake.inject(500, op_id=UPSERT, times=None)  # every request after the first fails
        return result

    client.people.upsert_many = upsert_then_outage
    with pytest.raises(ServerError):
        import_with_state(client, path, tmp_path, batch_size=1500)

    assert not (tmp_path / "state.json").exists()  # no window was done
    report = read_csv(tmp_path / "failures.csv")
    # The rows the failed request carried are reported as possibly applied, not dropped.
    assert [int(r["row"]) for r in report] == list(range(1001, 1201))
    assert all(r["error"].startswith("may have been applied: 500") for r in report)


def test_rows_of_a_failed_request_are_settled_by_the_resumed_run(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "in.csv", [["", "Nobody", "", "", ""], *numbered_rows(5)])
    seen: list[int] = []

    def on_progress(progress: ImportProgress) -> None:
        seen.append(progress.rows)
        if len(seen) == 1:  # after the first window: the next request is applied, then dropped
            fake.inject(drop="after", op_id=UPSERT, times=None)

    with pytest.raises(APIConnectionError):
        import_with_state(client, path, tmp_path, batch_size=3, progress=on_progress)
    report = read_csv(tmp_path / "failures.csv")
    assert [(r["row"], r["error"][:21]) for r in report] == [
        ("1", "no externalId, email "),
        ("4", "may have been applied"),
        ("5", "may have been applied"),
        ("6", "may have been applied"),
    ]
    fake.faults.clear()
    fake.calls.clear()

    result = import_with_state(client, path, tmp_path, batch_size=3)

    assert upserted_external_ids(fake) == ["crm-2", "crm-3", "crm-4"]  # the window again
    assert (result.created, result.not_modified, result.failed) == (2, 3, 1)
    assert [r["row"] for r in read_csv(tmp_path / "failures.csv")] == ["1"]
    assert len(fake.people()) == 5


async def test_async_import_csv_reads_the_file_like_the_sync_one(
    fake: FakeProfiles, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "in.csv", numbered_rows(3))

    result = await aimport_csv(fake.async_client(), path, MAPPING, progress=False)

    assert result.created == 3
    assert sorted(by_external_id(fake)) == ["crm-0", "crm-1", "crm-2"]


def test_row_the_client_would_refuse_fails_alone(
    client: Any, fake: FakeProfiles, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "in.csv",
        [
            ["crm-1", "Ada", "", "", ""],
            ["crm-2", "B" * 256, "", "", ""],
            ["crm-3", "Cy", "", "", ""],
        ],
    )

    result = import_csv(client, path, MAPPING, report=tmp_path / "failures.csv", progress=False)

    (failure,) = read_csv(tmp_path / "failures.csv")
    assert failure["row"] == "2"
    assert "firstName is 256 characters long" in failure["error"]
    assert sorted(by_external_id(fake)) == ["crm-1", "crm-3"]
    assert result.created == 2


def test_no_progress_line_by_default_when_stderr_is_not_a_terminal(
    client: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "in.csv", numbered_rows(3))

    import_csv(client, path, MAPPING)

    assert capsys.readouterr().err == ""


async def test_async_import_reports_the_rows_of_a_dropped_request_and_resumes(
    fake: FakeProfiles, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "in.csv", numbered_rows(4))
    seen: list[int] = []

    def on_progress(progress: ImportProgress) -> None:
        seen.append(progress.rows)
        if len(seen) == 1:
            fake.inject(drop="after", op_id=UPSERT, times=None)

    options: dict[str, Any] = {
        "batch_size": 2,
        "resume": tmp_path / "state.json",
        "report": tmp_path / "failures.csv",
    }
    with pytest.raises(APIConnectionError):
        await aimport_csv(
            fake.async_client(max_retries=0), path, MAPPING, progress=on_progress, **options
        )
    report = read_csv(tmp_path / "failures.csv")
    assert [(r["row"], r["error"][:21]) for r in report] == [
        ("3", "may have been applied"),
        ("4", "may have been applied"),
    ]
    fake.faults.clear()

    result = await aimport_csv(fake.async_client(), path, MAPPING, progress=False, **options)

    assert (result.created, result.not_modified, result.failed) == (2, 2, 0)
    assert read_csv(tmp_path / "failures.csv") == []
