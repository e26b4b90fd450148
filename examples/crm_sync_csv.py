"""CRM sync: keep Customer Profiles in step with a CSV export from your CRM.

The CRM exports ``examples/data/crm_contacts.csv`` every night; this script maps its columns onto
person fields, contacts, tags and custom attributes and upserts everyone with
:mod:`infobip_profiles.bulk`: duplicate rows are merged, rejected rows land in a report file, and
a resume file lets an interrupted sync carry on without sending a row twice (the first run
below is cut short by an outage that the fake injects, and the second carries on).

Run it as it is (against the embedded fake, no account needed)::

    python examples/crm_sync_csv.py

Against your account: build the client with ``ProfilesClient()`` (``INFOBIP_API_KEY`` and
``INFOBIP_BASE_URL`` from the environment) instead of ``fake.client()``. The CLI does the same:
``infobip-profiles import crm_contacts.csv --map crm_id=externalId ...``.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Callable
from pathlib import Path

from infobip_profiles import NotFoundError, PersonRef, ProfilesClient, ServerError
from infobip_profiles.bulk import ColumnMapping, ImportProgress, ImportResult, import_csv
from infobip_profiles.testing import FakeProfiles

CSV_FILE = Path(__file__).parent / "data" / "crm_contacts.csv"

# CSV column -> where it goes. Custom attributes name their type so the text is converted.
MAPPING = ColumnMapping.parse(
    [
        "crm_id=externalId",
        "first_name=firstName",
        "last_name=lastName",
        "email=email",
        "mobile=phone",
        "labels=tags",
        "plan=attr:Plan",
        "lifetime_value=attr:Lifetime value:decimal",
        "customer_since=attr:Customer since:date",
    ]
)


def ensure_attributes(client: ProfilesClient) -> None:
    """Define the custom attributes the sync writes (once per account; types never change)."""
    for name, data_type in [
        ("Plan", "STRING"),
        ("Lifetime value", "DECIMAL"),
        ("Customer since", "DATE"),
    ]:
        try:
            client.custom_attributes.get(name)
        except NotFoundError:
            client.custom_attributes.create(name, data_type)


def sync(
    client: ProfilesClient,
    workdir: Path,
    *,
    batch_size: int = 1000,
    progress: Callable[[ImportProgress], None] | bool = False,
) -> ImportResult:
    """One nightly run: upsert the file, keep what the CRM does not send (partial mode)."""
    return import_csv(
        client,
        CSV_FILE,
        MAPPING,
        mode="partial",
        batch_size=batch_size,
        report=workdir / "rejected.csv",
        resume=workdir / "sync.state",
        progress=progress,
    )


def main() -> None:
    fake = FakeProfiles()
    with fake.client() as client, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        ensure_attributes(client)

        # Night 1: the API goes down after the first 4 rows (the fake's fault injection plays
        # the outage; retries are off so the demo does not wait for them).
        def outage_after_first_window(progress: ImportProgress) -> None:
            if progress.rows == 4:
                fake.inject(503, op_id="upsert-persons-partial", times=None)

        try:
            sync(
                client.with_options(max_retries=0),
                workdir,
                batch_size=4,
                progress=outage_after_first_window,
            )
        except ServerError as exc:
            done = json.loads((workdir / "sync.state").read_text())["rows_done"]
            print(f"sync stopped by the outage ({exc.status_code}) after {done} rows")
        fake.faults.clear()  # the API is back

        # Run again with the same resume file: it carries on with row 5, sending no row twice.
        result = sync(client, workdir, batch_size=4)
        print("resumed sync:", result.summary())
        with open(workdir / "rejected.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                print(f"  rejected row {row['row']} (line {row['line']}): {row['error']}")

        charles = client.people.get(PersonRef.external_id("C-1002"))
        # Two rows name Charles (his email in two spellings). Four rows apart, they fell in two
        # windows: the second updated the profile the first created (one window merges them).
        print("Charles:", charles.first_name, charles.emails, sorted(charles.tags or []))
        ada = client.people.get(PersonRef.email("ada@example.com"))
        print("Ada's attributes:", ada.custom_attributes)

        # The next night, with a fresh resume file: the same data changes nothing.
        (workdir / "sync.state").unlink()
        again = sync(client, workdir)
        print("next night:", again.summary())
        assert (again.created, again.updated) == (0, 0)


if __name__ == "__main__":
    main()
