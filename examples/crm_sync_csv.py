"""CRM sync: keep Customer Profiles in step with a CSV export from your CRM.

The CRM exports ``examples/data/crm_contacts.csv`` every night; this script maps its columns onto
person fields, contacts, tags and custom attributes and upserts everyone with
:mod:`infobip_profiles.bulk`: duplicate rows are merged, rejected rows land in a report file, and
a resume file lets an interrupted sync carry on without sending a row twice.

Run it as it is (against the embedded fake, no account needed)::

    python examples/crm_sync_csv.py

Against your account: build the client with ``ProfilesClient()`` (``INFOBIP_API_KEY`` and
``INFOBIP_BASE_URL`` from the environment) instead of ``fake.client()``. The CLI does the same:
``infobip-profiles import crm_contacts.csv --map crm_id=externalId ...``.
"""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

from infobip_profiles import NotFoundError, PersonRef, ProfilesClient
from infobip_profiles.bulk import ColumnMapping, ImportResult, import_csv
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


def sync(client: ProfilesClient, workdir: Path) -> ImportResult:
    """One nightly run: upsert the file, keep what the CRM does not send (partial mode)."""
    return import_csv(
        client,
        CSV_FILE,
        MAPPING,
        mode="partial",
        report=workdir / "rejected.csv",
        resume=workdir / "sync.state",
        progress=False,
    )


def main() -> None:
    fake = FakeProfiles()
    with fake.client() as client, tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        ensure_attributes(client)

        result = sync(client, workdir)
        print("first sync: ", result.summary())
        with open(workdir / "rejected.csv", encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                print(f"  rejected row {row['row']} (line {row['line']}): {row['error']}")

        charles = client.people.get(PersonRef.external_id("C-1002"))
        # Two rows named Charles (his email in two spellings): merged into one profile.
        print("Charles:", charles.first_name, charles.emails, sorted(charles.tags or []))
        print(
            "Ada's attributes:",
            client.people.get(PersonRef.email("ada@example.com")).custom_attributes,
        )

        # The next night, a fresh resume file: the same data changes nothing.
        (workdir / "sync.state").unlink()
        again = sync(client, workdir)
        print("second sync:", again.summary())
        assert again.not_modified == result.created + result.updated


if __name__ == "__main__":
    main()
