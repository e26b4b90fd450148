"""hypothesis strategies for the person model: valid persons, and the ways a person can be invalid.

``persons()`` draws :class:`~infobip_profiles.Person` models that the API accepts (every writable
field optional, at least one identity, values inside the documented limits and formats).
``invalid_person_bodies()`` draws wire bodies that break exactly one rule, each paired with the
field the 400 must name (``None`` when the error is about the person as a whole).
"""

from __future__ import annotations

import string
from datetime import date
from typing import Any

from hypothesis import strategies as st

from infobip_profiles import ContactInformation, Gender, Person, PersonType

__all__ = [
    "CUSTOM_ATTRIBUTES",
    "FORBIDDEN_NAME_CHARACTERS",
    "emails",
    "phones",
    "names",
    "persons",
    "person_bodies",
    "invalid_person_bodies",
]

#: Characters the API refuses in first, middle, last and nick names.
FORBIDDEN_NAME_CHARACTERS = '&<>"/\\\n\r:(){}=;#'

#: Custom attributes the tests define before drawing persons that use them.
CUSTOM_ATTRIBUTES = {"Plan": "STRING", "Seats": "INTEGER", "Active": "BOOLEAN"}

_LABEL = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=12)


def names(max_size: int = 50) -> st.SearchStrategy[str]:
    """Names as people write them (any script), without the forbidden characters."""
    return st.text(
        st.characters(
            blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
            blacklist_characters=FORBIDDEN_NAME_CHARACTERS,
        ),
        min_size=1,
        max_size=max_size,
    ).filter(lambda s: s.strip() == s and s != "")


def emails() -> st.SearchStrategy[str]:
    """Lower-case addresses the API accepts (RFC 2822 dot-atoms, a dotted domain)."""
    local = st.text(string.ascii_lowercase + string.digits + "._+-", min_size=1, max_size=20)
    local = local.filter(lambda s: not s.startswith(".") and not s.endswith(".") and ".." not in s)
    return st.builds(
        lambda a, b, c: f"{a}@{b}.{c}", local, _LABEL, st.sampled_from(["com", "hr", "io"])
    )


def phones() -> st.SearchStrategy[str]:
    """E.164 numbers without the plus: a non-zero digit, then 6 to 14 digits."""
    return st.from_regex(r"\A[1-9][0-9]{6,14}\Z")


def _external_ids() -> st.SearchStrategy[str]:
    return st.text(string.ascii_letters + string.digits + "-_.", min_size=1, max_size=64)


def _custom_attributes() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {},
        optional={
            "Plan": st.sampled_from(["free", "team", "enterprise"]),
            "Seats": st.integers(0, 100_000),
            "Active": st.booleans(),
        },
    )


@st.composite
def persons(draw: st.DrawFn) -> Person:
    """A person the API accepts, with a random subset of the writable fields set.

    Identities are made unique per draw by a random suffix, so a test can create many.
    """
    fields: dict[str, Any] = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "first_name": names(255),
                "last_name": names(255),
                "middle_name": names(50),
                "type": st.sampled_from(list(PersonType)),
                "gender": st.sampled_from(list(Gender)),
                "birth_date": st.dates(date(1900, 1, 1), date(2025, 12, 31)),
                "preferred_language": st.sampled_from(["en", "hr", "en-GB", "de-AT", "pt-BR"]),
                "address": names(256),
                "city": names(50),
                "country": names(50),
                "profile_picture": st.builds(lambda s: f"https://cdn.example.com/{s}.png", _LABEL),
                "tags": st.lists(
                    st.sampled_from(["VIP", "newsletter", "beta"]), max_size=3, unique=True
                ),
                "custom_attributes": _custom_attributes(),
            },
        )
    )
    identity = draw(
        st.sets(st.sampled_from(["external_id", "email", "phone"]), min_size=1, max_size=3)
    )
    if "external_id" in identity:
        fields["external_id"] = draw(_external_ids())
    mail = draw(st.lists(emails(), max_size=3, unique=True)) if "email" in identity else []
    tel = draw(st.lists(phones(), max_size=3, unique=True)) if "phone" in identity else []
    if "email" in identity and not mail:
        mail = [draw(emails())]
    if "phone" in identity and not tel:
        tel = [draw(phones())]
    if mail or tel:
        fields["contact_information"] = ContactInformation.of(
            emails=mail or None, phones=tel or None
        )
    return Person(**fields)


def person_bodies() -> st.SearchStrategy[dict[str, Any]]:
    """Valid persons as wire bodies (what ``people.create`` sends)."""
    from infobip_profiles._converter import to_wire

    return persons().map(to_wire)


_VALID_BASE = {"externalId": "base-1", "firstName": "Base"}


def _with(field: str, value: Any) -> dict[str, Any]:
    return {**_VALID_BASE, field: value}


def _bad_names() -> st.SearchStrategy[tuple[dict[str, Any], str | None]]:
    forbidden = st.builds(
        lambda a, c, b: a + c + b,
        st.text(string.ascii_letters, max_size=5),
        st.sampled_from(list(FORBIDDEN_NAME_CHARACTERS)),
        st.text(string.ascii_letters, max_size=5),
    )
    field = st.sampled_from(["firstName", "lastName", "middleName"])
    return st.builds(lambda f, v: (_with(f, v), f), field, forbidden)


def _too_long() -> st.SearchStrategy[tuple[dict[str, Any], str | None]]:
    limits = {
        "firstName": 255,
        "lastName": 255,
        "middleName": 50,
        "city": 50,
        "country": 50,
        "address": 256,
        "externalId": 256,
    }
    return st.sampled_from(sorted(limits)).flatmap(
        lambda f: st.integers(limits[f] + 1, limits[f] + 40).map(lambda n: (_with(f, "x" * n), f))
    )


def _bad_formats() -> st.SearchStrategy[tuple[dict[str, Any], str | None]]:
    return st.one_of(
        st.sampled_from(["male", "OTHER", "", "F"]).map(lambda v: (_with("gender", v), "gender")),
        st.sampled_from(["PERSON", "customer", "VIP"]).map(lambda v: (_with("type", v), "type")),
        st.sampled_from(["1990-13-01", "1990-02-30", "01.02.1990", "yesterday"]).map(
            lambda v: (_with("birthDate", v), "birthDate")
        ),
        st.sampled_from(["english", "EN", "en_GB", "e"]).map(
            lambda v: (_with("preferredLanguage", v), "preferredLanguage")
        ),
        st.sampled_from(["plainaddress", "a@b", "@example.com", "a b@example.com"]).map(
            lambda v: (
                {**_VALID_BASE, "contactInformation": {"email": [{"address": v}]}},
                "contactInformation.email[0].address",
            )
        ),
        st.sampled_from(["0123456", "12", "phone", "+", "1234567890123456789"]).map(
            lambda v: (
                {**_VALID_BASE, "contactInformation": {"phone": [{"number": v}]}},
                "contactInformation.phone[0].number",
            )
        ),
        st.sampled_from([42, True, ["Ada"], {"x": 1}]).map(
            lambda v: (_with("firstName", v), "firstName")
        ),
    )


def _no_identity() -> st.SearchStrategy[tuple[dict[str, Any], str | None]]:
    return st.builds(lambda n: ({"firstName": n}, None), names(30))


def invalid_person_bodies() -> st.SearchStrategy[tuple[dict[str, Any], str | None]]:
    """(body, field) pairs: a person body breaking one rule, and the field the 400 names."""
    return st.one_of(_bad_names(), _too_long(), _bad_formats(), _no_identity())
