"""A reference that cannot address anything is a ``ValidationError`` (the SDK's typed bad-input
error, still a ``ValueError``), naming the part that is wrong, before any request is made."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from infobip_profiles import CompanyRef, IdentifierType, PersonRef, ProfilesError, ValidationError

BAD: list[tuple[str, Callable[[], Any], str]] = [
    ("empty-email", lambda: PersonRef.email(""), "identifier"),
    ("empty-external-id", lambda: PersonRef.external_id(""), "identifier"),
    ("empty-id", lambda: PersonRef.id(""), "identifier"),
    ("unknown-type", lambda: PersonRef("x", "NOT_A_TYPE"), "type"),  # type: ignore[arg-type]
    ("channel-without-sender", lambda: PersonRef.channel(IdentifierType.LINE, "U1"), "sender"),
    ("empty-company-name", lambda: CompanyRef.name(""), "value"),
    ("empty-company-id", lambda: CompanyRef.id(""), "value"),
]


@pytest.mark.parametrize(("label", "build", "field"), BAD, ids=[b[0] for b in BAD])
def test_a_ref_that_addresses_nothing_is_a_validation_error(
    label: str, build: Callable[[], Any], field: str
) -> None:
    with pytest.raises(ValidationError) as info:
        build()
    assert isinstance(info.value, ProfilesError)
    assert isinstance(info.value, ValueError)  # code catching ValueError keeps working
    assert info.value.field == field


def test_a_good_ref_still_builds() -> None:
    assert PersonRef.email("ada@example.com").identifier == "ada@example.com"
    assert CompanyRef.name("Acme").value == "Acme"
