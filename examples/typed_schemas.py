"""Typed attribute schemas: declare richer properties once, validate before sending, read back typed.

A helpdesk integration keeps properties Customer Profiles has no data type for (a single choice,
a set of channels, a store location, a preferred call time). :mod:`infobip_profiles.schema` maps
each onto a custom attribute type, creates the definitions an account lacks, refuses bad values
before any request, and turns stored values back into Python values.

Run it as it is (against the embedded fake, no account needed)::

    python examples/typed_schemas.py

Against your account: use ``ProfilesClient()`` instead of ``fake.client()``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from infobip_profiles import ContactInformation, Person, PersonRef
from infobip_profiles.schema import (
    Date,
    Location,
    MultipleChoice,
    Number,
    Schema,
    SchemaValidationError,
    SingleChoice,
    Time,
    sync_schema,
)
from infobip_profiles.testing import FakeProfiles

HELPDESK = Schema(
    [
        SingleChoice("Plan", ["free", "pro", "enterprise"]),
        MultipleChoice("Preferred channels", ["email", "sms", "whatsapp"]),
        Number("Lifetime value", minimum=0),
        Number("Open tickets", integer=True, minimum=0),
        Location("Store location"),
        Time("Best time to call"),
        Date("Renewal date"),
    ]
)


def main() -> None:
    fake = FakeProfiles()
    with fake.client() as client:
        report = sync_schema(client, HELPDESK)  # creates only what the account lacks
        print("created attributes:", list(report.created))
        assert report.ok
        assert sync_schema(client, HELPDESK).created == ()  # a second run has nothing to do

        values = {
            "Plan": "pro",
            "Preferred channels": {"whatsapp", "email"},
            "Lifetime value": Decimal("1830.40"),
            "Open tickets": 2,
            "Store location": (45.815, 15.9819),
            "Best time to call": "09:30",
            "Renewal date": date(2027, 1, 31),
        }
        person = client.people.create(
            Person(
                first_name="Ada",
                contact_information=ContactInformation.of(emails=["ada@example.com"]),
                custom_attributes=HELPDESK.encode(values),
            )
        )
        print("stored on the wire:", person.custom_attributes)

        stored = client.people.get(PersonRef.email("ada@example.com"))
        typed = HELPDESK.decode(stored.custom_attributes)
        print("read back typed:  ", typed)
        assert typed["Plan"] == "pro"

        try:
            HELPDESK.encode({"Plan": "platinum"})
        except SchemaValidationError as exc:
            print("refused before sending:", exc)


if __name__ == "__main__":
    main()
