"""Types tell the truth: ``check_types.py`` passes ``mypy --strict`` and runs; unsafe code is
rejected by mypy."""

from __future__ import annotations

from pathlib import Path

import pytest

from infobip_profiles import AsyncProfilesClient, Person, ProfilesClient
from infobip_profiles._converter import from_wire
from infobip_profiles.models import RecordedEvent, StoredPerson
from infobip_profiles.testing import FakeProfiles
from tests._support import paths
from tests.tooling.typing import check_types

mypy_api = pytest.importorskip("mypy.api")

HERE = Path(__file__).parent
ROOT = paths.ROOT


#: Code mypy must refuse: each would crash (or send nonsense) at run time. (name, code, error)
REJECTED = [
    (
        "unset_field_may_be_none",
        "from infobip_profiles import Person\nPerson().last_name.upper()\n",
        "union-attr",
    ),
    (
        "id_of_a_write_may_be_none",
        "from infobip_profiles import Person\nx: int = Person().id\n",
        "assignment",
    ),
    ("tag_needs_a_name", "from infobip_profiles import Tag\nTag()\n", "call-arg"),
    (
        # a value this version does not know arrives as the raw string
        "an_enum_field_may_hold_a_new_value",
        "from infobip_profiles import Person\n"
        "def kind(p: Person) -> str:\n"
        "    return p.type.value if p.type is not None else ''\n",
        "attr-defined",
    ),
]


@pytest.mark.slow
def test_mypy_strict_accepts_the_safe_code_and_rejects_the_unsafe(tmp_path: Path) -> None:
    paths = {}
    for name, code, _ in REJECTED:
        paths[name] = tmp_path / f"{name}.py"
        paths[name].write_text(code)
    stdout, stderr, _ = mypy_api.run(
        [
            "--strict",
            "--config-file",
            "",
            "--cache-dir",
            str(ROOT / ".mypy_cache" / "typing-tests"),
            str(HERE / "check_types.py"),
            *map(str, paths.values()),
        ]
    )
    output = stdout + stderr
    errors = [line for line in output.splitlines() if ": error:" in line]

    assert not [e for e in errors if "check_types.py" in e], output
    for name, _, code in REJECTED:
        assert any(f"{name}.py" in e and f"[{code}]" in e for e in errors), (name, output)


def test_the_checked_code_runs_on_unset_fields() -> None:
    assert check_types.check_an_unset_field_reads_as_none() == ["ADA"]
    assert check_types.check_writes_send_exactly_what_was_set() == {
        "first_name",
        "last_name",
        "city",
        "country",
    }
    assert check_types.check_contacts_read_as_plain_strings() == ["ada@example.com"]


def test_the_checked_code_runs_against_the_fake(client: ProfilesClient) -> None:
    names = check_types.check_stored_values_need_no_none_check(client)

    assert names == ["vip", "plan", "VIP", "VIP"]


def test_what_people_methods_return_reads_without_none_checks(client: ProfilesClient) -> None:
    out = check_types.check_what_people_methods_return_needs_no_none_check(client)
    stored_id = int(out[0]) // 2
    assert out[1] == ""
    assert out[2:] == [f"{stored_id}:0"]


def test_an_upsert_outcome_reads_its_id_without_a_none_check(client: ProfilesClient) -> None:
    assert check_types.check_an_upsert_outcome_reads_its_id(client) >= 2


def test_a_stored_person_reads_its_always_present_fields(
    client: ProfilesClient, fake: FakeProfiles
) -> None:
    created = client.people.create(Person(external_id="crm-1", tags=["vip"]))
    assert created.id is not None
    stored = from_wire(fake.person(created.id), StoredPerson)

    assert check_types.check_a_stored_person_reads_without_none_checks(stored) == (
        created.id + 1,
        "VIPNone",
    )


@pytest.mark.parametrize(
    ("wire", "expected"), [("LEAD", "LEAD"), ("PARTNER", "PARTNER"), (None, "unknown")]
)
def test_an_enum_field_with_a_new_value_reads_safely(wire: str | None, expected: str) -> None:
    person = from_wire({"type": wire}, Person)

    assert check_types.check_an_enum_field_reads_safely(person) == expected


async def test_the_checked_async_code_runs_against_the_fake(aclient: AsyncProfilesClient) -> None:
    assert await check_types.check_the_async_client_returns_the_same_types(aclient) == [
        "vip",
        "plan",
    ]


def test_a_recorded_event_reads_its_ids() -> None:
    event = RecordedEvent(event_id="E-1", definition_id="Order")

    assert check_types.check_a_sent_event_id_is_a_string(event) == "e-1Order"


def test_definitions_and_segment_members_read_without_none_checks(
    client: ProfilesClient,
) -> None:
    person = client.people.create(Person(external_id="crm-1", city="London"))
    segment = client.segments.create("Londoners", query={"city": "London"})
    assert segment.id is not None

    out = check_types.check_definitions_and_segment_members_need_no_none_check(client, segment.id)

    assert out == ["purchase", "purchase", str(person.id)]


def test_a_segment_from_the_service_reads_without_none_checks(client: ProfilesClient) -> None:
    person = client.people.create(Person(external_id="crm-1", city="London"))

    out = check_types.check_a_segment_from_the_service_needs_no_none_check(client)

    assert out == ["londoners", "LONDONERS", str(person.id), "0"]


def test_a_company_from_the_service_reads_without_none_checks(client: ProfilesClient) -> None:
    out = check_types.check_a_company_from_the_service_needs_no_none_check(client)

    assert out == ["acme", "ACME:0"]
