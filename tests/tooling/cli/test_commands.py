"""The ``infobip-profiles`` command line, run against a served fake (and ``fake-server`` itself)."""

from __future__ import annotations

import csv
import json
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest

from infobip_profiles.cli import main
from infobip_profiles.testing import FakeProfiles
from tests._support.cli import run
from tests._support.cli import write_csv as support_write_csv
from tests._support.served import start_fake_server

ADA = {
    "externalId": "crm-1",
    "firstName": "Ada",
    "lastName": "Lovelace",
    "tags": ["VIP"],
    "contactInformation": {"email": [{"address": "ada@example.com"}]},
}
BOB = {
    "externalId": "crm-2",
    "firstName": "Bob",
    "lastName": "Babbage",
    "contactInformation": {"email": [{"address": "bob@example.com"}]},
}


@pytest.fixture
def fake(fake: FakeProfiles) -> FakeProfiles:
    """The command-line tests' fake, seeded with Ada and Bob."""
    fake.seed(people=[ADA, BOB])
    return fake


# -- help -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [[], ["fake-server"], ["import"], ["people"], ["people", "get"], ["people", "list"]],
    ids=lambda c: " ".join(c) or "top",
)
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])

    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith("usage: infobip-profiles")


def test_people_without_a_subcommand_prints_help_and_fails(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "people")

    assert code == 2
    assert "usage: infobip-profiles people" in err


# -- people get ---------------------------------------------------------------------------------


@pytest.mark.http
def test_people_get_by_email_prints_the_person_as_json(
    base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "people", "get", "--email", "ADA@example.com", "--base-url", base_url
    )

    person = json.loads(out)
    assert code == 0
    assert (person["externalId"], person["firstName"]) == ("crm-1", "Ada")
    assert isinstance(person["id"], int)


@pytest.mark.http
def test_people_get_by_external_id(base_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "people", "get", "--external-id", "crm-2", "--base-url", base_url)

    assert code == 0
    assert json.loads(out)["firstName"] == "Bob"


@pytest.mark.http
def test_people_get_by_id(
    fake: FakeProfiles, base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bob_id = next(p["id"] for p in fake.people() if p["externalId"] == "crm-2")

    code, out, _ = run(capsys, "people", "get", "--id", str(bob_id), "--base-url", base_url)

    assert code == 0
    assert json.loads(out)["id"] == bob_id


@pytest.mark.http
def test_people_get_unknown_person_fails_with_the_api_error(
    base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "people", "get", "--phone", "41790000000", "--base-url", base_url)

    assert code == 1
    assert out == ""
    assert err.startswith("error: HTTP 404 NOT_FOUND")


def test_people_get_needs_exactly_one_identifier(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["people", "get", "--email", "a@example.com", "--phone", "41790000000"])

    assert exit_info.value.code == 2


def test_missing_api_key_is_a_usage_error_naming_the_variable(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("INFOBIP_API_KEY", raising=False)

    code, _, err = run(capsys, "people", "get", "--email", "a@example.com")

    assert code == 2
    assert "INFOBIP_API_KEY" in err


@pytest.mark.http
def test_base_url_comes_from_the_environment_when_not_given(
    base_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("INFOBIP_BASE_URL", base_url)

    code, out, _ = run(capsys, "people", "get", "--external-id", "crm-1")

    assert code == 0
    assert json.loads(out)["firstName"] == "Ada"


# -- people list ---------------------------------------------------------------------------------


@pytest.mark.http
def test_people_list_prints_a_json_array_of_everyone(
    base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "people", "list", "--base-url", base_url)

    assert code == 0
    assert sorted(p["firstName"] for p in json.loads(out)) == ["Ada", "Bob"]


@pytest.mark.http
def test_people_list_applies_the_filter(base_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "people", "list", "--filter", '{"lastName": "Babbage"}', "--base-url", base_url
    )

    assert code == 0
    assert [p["firstName"] for p in json.loads(out)] == ["Bob"]


@pytest.mark.http
def test_people_list_orders_and_limits(base_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "people",
        "list",
        "--order-by",
        "firstName:desc",
        "--limit",
        "1",
        "--base-url",
        base_url,
    )

    assert code == 0
    assert [p["firstName"] for p in json.loads(out)] == ["Bob"]


@pytest.mark.http
def test_people_list_jsonl_prints_one_object_per_line(
    base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "people", "list", "--jsonl", "--order-by", "firstName", "--base-url", base_url
    )

    assert code == 0
    assert [json.loads(line)["firstName"] for line in out.splitlines()] == ["Ada", "Bob"]


@pytest.mark.http
def test_people_list_refuses_a_filter_that_is_not_json(
    base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "people", "list", "--filter", "{lastName", "--base-url", base_url)

    assert code == 2
    assert out == ""
    assert "not valid JSON" in err


@pytest.mark.http
def test_people_list_refuses_an_unknown_order_field(
    base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "people", "list", "--order-by", "shoeSize", "--base-url", base_url)

    assert code == 2
    assert "order_by" in err


# -- import ---------------------------------------------------------------------------------------


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    return support_write_csv(path, rows, ["Id", "Name", "Mail"])


MAP = ["--map", "Id=externalId", "--map", "Name=firstName", "--map", "Mail=email"]


@pytest.mark.http
def test_import_upserts_the_file_and_prints_a_summary(
    fake: FakeProfiles, base_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "in.csv", [["crm-1", "Augusta", ""], ["crm-3", "Cy", "cy@x.io"]])

    code, out, _ = run(capsys, "import", str(path), *MAP, "--base-url", base_url)

    assert code == 0
    assert out.startswith("2 rows: 1 created, 1 updated")
    assert sorted(p["firstName"] for p in fake.people()) == ["Augusta", "Bob", "Cy"]


@pytest.mark.http
def test_import_with_rejected_rows_exits_3_and_writes_the_report(
    base_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "in.csv", [["crm-3", "Cy", "cy@x.io"], ["", "Nobody", ""]])
    report = tmp_path / "failures.csv"

    code, out, _ = run(
        capsys, "import", str(path), *MAP, "--report", str(report), "--base-url", base_url
    )

    assert code == 3
    assert "1 failed" in out
    with open(report, encoding="utf-8", newline="") as handle:
        assert [row["row"] for row in csv.DictReader(handle)] == ["2"]


@pytest.mark.http
def test_import_with_an_unknown_target_is_a_usage_error(
    base_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "in.csv", [["crm-3", "Cy", "cy@x.io"]])

    code, _, err = run(capsys, "import", str(path), "--map", "Id=shoeSize", "--base-url", base_url)

    assert code == 2
    assert "unknown mapping target 'shoeSize'" in err


@pytest.mark.http
def test_import_of_a_missing_file_is_a_usage_error(
    base_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "import", str(tmp_path / "nope.csv"), *MAP, "--base-url", base_url)

    assert code == 2
    assert "nope.csv" in err


@pytest.mark.http
def test_import_stopped_by_an_outage_exits_1_and_resumes_where_it_stopped(
    fake: FakeProfiles, base_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "in.csv", [[f"crm-{i}", f"P{i}", ""] for i in range(10, 14)])
    state = tmp_path / "state.json"
    args = ["import", str(path), *MAP, "--batch-size", "2", "--resume", str(state)]
    args += ["--max-retries", "0", "--base-url", base_url]
    fake.inject(500, op_id="upsert-persons-partial", times=None)
    first_code, _, first_err = run(capsys, *args)
    fake.faults.clear()

    code, out, _ = run(capsys, *args)

    assert (first_code, code) == (1, 0)
    assert "run the same command again to carry on" in first_err
    assert out.startswith("4 rows: 4 created")


# -- fake-server --------------------------------------------------------------------------------


@pytest.mark.http
def test_fake_server_serves_until_sigterm(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"people": [ADA]}))
    process, url = start_fake_server("--seed", str(seed))
    try:
        response = httpx.get(
            f"{url}/people/2/persons",
            params={"identifier": "crm-1", "type": "EXTERNAL_ID"},
            headers={"Authorization": "App test-key"},
        )
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert url.startswith("http://127.0.0.1:")
    assert response.json()["firstName"] == "Ada"
    assert code == 0


def test_fake_server_refuses_a_remote_address_without_allow_remote(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(capsys, "fake-server", "--host", "0.0.0.0", "--port", "0")

    assert code == 2
    assert "--allow-remote" in err


@pytest.mark.http
def test_person_json_keeps_read_only_fields_and_drops_empty_ones(
    base_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _, out, _ = run(capsys, "people", "get", "--external-id", "crm-1", "--base-url", base_url)

    person: dict[str, Any] = json.loads(out)
    assert "createdAt" in person
    assert "middleName" not in person


def test_interrupted_import_exits_130_and_says_how_to_carry_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setenv("INFOBIP_API_KEY", "test-key")
    monkeypatch.setattr("infobip_profiles.bulk.import_csv", interrupted)
    path = write_csv(tmp_path / "in.csv", [["crm-3", "Cy", "cy@x.io"]])

    code, _, err = run(capsys, "import", str(path), *MAP, "--resume", str(tmp_path / "s.json"))

    assert code == 130
    assert f"carry on from {tmp_path / 's.json'}" in err
