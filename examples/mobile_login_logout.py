"""Mobile app: log a push-enabled device in to a customer's profile, and out again.

On first launch the mobile SDK registers the device for push: Customer Profiles gives it an
anonymous LEAD profile. When the user logs in, the app's backend **personalizes** the registration
with the user's identity: the device joins the customer's profile (the anonymous one is merged
in), so pushes can be personalized ("Ada, your order shipped"). On logout it **depersonalizes**:
the device moves to a fresh anonymous profile and the customer keeps everything else.

Run it as it is (against the embedded fake, no account needed)::

    python examples/mobile_login_logout.py

Against your account: use ``ProfilesClient()`` instead of ``fake.client()``; the registration id
comes from the mobile SDK (``fake.register_device`` stands in for the SDK's first launch).
"""

from __future__ import annotations

from infobip_profiles import (
    ContactInformation,
    IdentifierType,
    NotFoundError,
    Person,
    PersonRef,
    ProfilesClient,
)
from infobip_profiles.models import PersonalizeAttributes, PushUser
from infobip_profiles.testing import FakeProfiles

APP_CODE = "shop-app-code"


def device_owner(client: ProfilesClient, registration_id: str) -> Person:
    """The profile a push registration currently belongs to."""
    return client.people.get(
        PersonRef.channel(IdentifierType.PUSH, registration_id, sender=APP_CODE)
    )


def log_in(client: ProfilesClient, registration_id: str, email: str, first_name: str) -> None:
    """The app's login hook: tie the device to the user; keep it as their primary device."""
    user = client.push.personalize(
        registration_id,
        APP_CODE,
        PushUser.of(email=email, attributes=PersonalizeAttributes(first_name=first_name)),
        set_device_as_primary=True,
    )
    contacts = user.contact_information
    emails = [e.address for e in contacts.emails or []] if contacts else []
    print(f"logged in: the device now belongs to {user.first_name} {emails}")


def log_out(client: ProfilesClient, registration_id: str) -> None:
    """The app's logout hook: the device goes back to an anonymous profile."""
    client.push.depersonalize(registration_id, APP_CODE)
    print("logged out: device is anonymous again")


def main() -> None:
    fake = FakeProfiles()
    with fake.client() as client:
        # Ada is already a customer (from the web shop).
        client.people.create(
            Person(
                first_name="Ada",
                external_id="shop-42",
                contact_information=ContactInformation.of(emails=["ada@example.com"]),
            )
        )
        # First launch of the app on a new phone: the SDK registers it (anonymous LEAD profile).
        registration_id = fake.register_device(app_code=APP_CODE, cloud_type="GCM", os="Android")
        anonymous = device_owner(client, registration_id)
        print(
            "first launch: device belongs to an anonymous",
            anonymous.type.value if anonymous.type else None,
        )

        log_in(client, registration_id, "ada@example.com", "Ada")
        owner = device_owner(client, registration_id)
        assert owner.external_id == "shop-42"  # Ada's existing profile, not a new one
        try:
            client.people.get(PersonRef.id(anonymous.id or 0))
        except NotFoundError:
            print("the anonymous profile was merged into Ada's")

        log_out(client, registration_id)
        after = device_owner(client, registration_id)
        assert after.id != owner.id
        ada = client.people.get(PersonRef.external_id("shop-42"))
        print("Ada keeps her profile:", ada.first_name, ada.emails)


if __name__ == "__main__":
    main()
