"""Differential test of the v3 person encoder over every model and every field it can meet.

``v3_json`` writes a person's v3 body in one pass (the fast path); ``v3_body_reference`` builds
it the general way (the converter's cattrs unstructure hooks, the field checks, the v3 reshape),
and ``dumps`` writes that. For any person, the two must give the same text, or the same error.

The models are found from ``Person`` (itself, its subclasses, and every model its fields hold,
transitively), and each field of each model needs a generator in :data:`FIELDS`: a field added
to a model without one fails :func:`test_every_field_of_every_model_has_a_generator`.
"""

from __future__ import annotations

import copy
import types
import typing
from collections.abc import Callable, Iterator
from datetime import date, datetime, timezone
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infobip_profiles import NOT_GIVEN, Append, ValidationError
from infobip_profiles._converter import dumps, from_wire
from infobip_profiles._validation import MAX_ATTRIBUTE_TEXT, MAX_CONTACTS, PERSON_MAX_LENGTHS
from infobip_profiles.models import (
    ContactInformation,
    EmailContact,
    Gender,
    Origin,
    OttContact,
    Person,
    PersonType,
    PhoneContact,
    PushContact,
    StoredPerson,
)
from infobip_profiles.resources._person_bodies import (
    v3_body_reference,
    v3_json,
    validate_person_for_upsert,
)

# -- the models ----------------------------------------------------------------------------------


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        if not sub.__module__.startswith("infobip_profiles.") or sub.__module__ in (
            "infobip_profiles._decoder",
            "infobip_profiles._typed",
        ):
            # Subclasses other tests define, and the private build classes of the compiled
            # decoders and the typed listings: none is a model the SDK sends.
            continue
        yield sub
        yield from _subclasses(sub)


def _models_in(hint: Any) -> Iterator[type]:
    """The attrs classes a type hint names (through unions, lists and dicts)."""
    if isinstance(hint, type) and attrs.has(hint):
        yield hint
    for arg in typing.get_args(hint):
        yield from _models_in(arg)
    if isinstance(hint, types.UnionType):
        for arg in hint.__args__:
            yield from _models_in(arg)


def reachable_models() -> set[type]:
    """``Person``, its subclasses, and every model their fields can hold."""
    found: set[type] = set()
    todo = [Person, *_subclasses(Person)]
    while todo:
        cls = todo.pop()
        if cls in found:
            continue
        found.add(cls)
        for field in attrs.fields(attrs.resolve_types(cls)):
            todo.extend(_models_in(field.type))
    return found


# -- value generators ----------------------------------------------------------------------------

_SHORT = st.text(max_size=12)
#: Characters a name field refuses, and characters JSON must escape.
_ODD = st.sampled_from(['"', "\\", "<", ";", "\n", "\u0001", "é", "李", "🏔", " ", "a", "="])


def _near(limit: int) -> st.SearchStrategy[str]:
    """Text at, just under and just over ``limit`` characters (one of them non-ASCII)."""
    return st.builds(
        lambda n, c: c * n, st.sampled_from([limit - 1, limit, limit + 1]), st.sampled_from("aé")
    )


def _text(limit: int = 0) -> st.SearchStrategy[Any]:
    """Any text a caller may put in a text field: short, odd characters, near the limit."""
    parts: list[st.SearchStrategy[Any]] = [_SHORT, st.text(_ODD, max_size=6)]
    if limit:
        parts.append(_near(limit))
    return st.one_of(parts)


def _unexpected() -> st.SearchStrategy[Any]:
    """Values of a type a text field does not declare (an untyped caller)."""
    return st.sampled_from([0, 1.5, True, ["a"], {"a": 1}])


def _nullable(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``values``, or ``None`` (clears the field), or ``NOT_GIVEN`` (leaves it unset)."""
    return st.one_of(st.none(), st.just(NOT_GIVEN), values)


def _person_text(wire: str) -> st.SearchStrategy[Any]:
    limit = PERSON_MAX_LENGTHS.get(wire, 0)
    return _nullable(st.one_of(_text(limit), _text(limit), _unexpected()))


_DATES = st.dates(date(1900, 1, 1), date(2100, 1, 1))
_DATETIMES = st.datetimes(
    datetime(2000, 1, 1), datetime(2100, 1, 1), timezones=st.just(timezone.utc)
)
_ATTRIBUTE_VALUES: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    _text(),
    _near(MAX_ATTRIBUTE_TEXT),
    st.integers(-(2**63), 2**63),
    st.booleans(),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    _DATES,
    _DATETIMES,
    st.lists(st.dictionaries(_SHORT, _SHORT | st.integers(), max_size=2), max_size=2),
    st.builds(Append, st.lists(st.dictionaries(_SHORT, _SHORT, max_size=2), max_size=2)),
)
_ATTRIBUTES = st.dictionaries(_SHORT | st.integers(0, 9), _ATTRIBUTE_VALUES, max_size=4)
_FREE_JSON = st.dictionaries(_SHORT, _SHORT | st.integers(), max_size=2)


def _enum_or_text(enum: Any) -> st.SearchStrategy[Any]:
    return _nullable(
        st.sampled_from(list(enum)) | st.sampled_from([m.value for m in enum]) | _SHORT
    )


#: How to make an instance of a model with nothing set, for a model that needs a value (as the
#: service returns it: ``id`` present but not set by the caller, so not sent).
_BLANK: dict[type, Callable[[], Any]] = {StoredPerson: lambda: from_wire({"id": 7}, StoredPerson)}


def model_of(cls: type) -> st.SearchStrategy[Any]:
    """Instances of ``cls`` with any subset of its fields set, each from :data:`FIELDS`; the
    fields the service fills in (read-only) are set in about one instance in ten."""
    fields = attrs.fields(cls)
    writable = {f.name: FIELDS[cls][f.name] for f in fields if not f.metadata.get("read_only")}
    read_only = {f.name: FIELDS[cls][f.name] for f in fields if f.metadata.get("read_only")}

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        values = draw(st.fixed_dictionaries({}, optional=writable))
        if read_only and draw(st.integers(0, 9)) == 0:
            values.update(draw(st.fixed_dictionaries({}, optional=read_only)))
        if cls not in _BLANK:
            return cls(**values)
        instance = _BLANK[cls]()
        for name, value in values.items():
            setattr(instance, name, value)
        return instance

    return build()


def _contacts(cls: type, limit_field: str) -> st.SearchStrategy[Any]:
    items = st.deferred(lambda: model_of(cls))
    many = st.builds(
        lambda n: [cls(**{limit_field: f"p{i}@x.co"}) for i in range(n)],
        st.sampled_from([MAX_CONTACTS, MAX_CONTACTS + 1]),
    )
    odd = st.sampled_from([("not", "a", "list"), [None], ["a@b.co"]])
    return _nullable(st.lists(items, max_size=3) | many | odd | st.tuples(items))


def _read_only_contacts(cls: type) -> st.SearchStrategy[Any]:
    return _nullable(st.lists(st.deferred(lambda: model_of(cls)), max_size=2))


_PERSON_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "id": _nullable(st.integers(1, 2**40)),
    "external_id": _person_text("externalId"),
    "type": _enum_or_text(PersonType),
    "first_name": _person_text("firstName"),
    "last_name": _person_text("lastName"),
    "middle_name": _person_text("middleName"),
    "nick_name": _person_text("nickName"),
    "gender": _enum_or_text(Gender),
    "birth_date": _nullable(_DATES | st.just("1990-01-02")),
    "preferred_language": _nullable(_text() | _unexpected()),
    "profile_picture": _person_text("profilePicture"),
    "address": _person_text("address"),
    "city": _person_text("city"),
    "country": _person_text("country"),
    "tags": _nullable(st.lists(_text(), max_size=3) | st.lists(_SHORT | st.integers(), max_size=2)),
    "custom_attributes": _nullable(_ATTRIBUTES | st.sampled_from([[("a", 1)], "text"])),
    "contact_information": _nullable(
        st.deferred(lambda: model_of(ContactInformation))
        | st.sampled_from([{"email": []}, {"email": [{"address": "a@b.co"}]}, "a@b.co", ["x"]])
    ),
    "computed_attributes": _nullable(_FREE_JSON),
    "integrations": _nullable(_FREE_JSON),
    "origin": _enum_or_text(Origin),
    "modified_from": _enum_or_text(Origin),
    "created_at": _nullable(_DATETIMES),
    "modified_at": _nullable(_DATETIMES),
}

_OTT_CHANNELS = (
    "facebook",
    "line",
    "telegram",
    "whatsapp",
    "live_chat",
    "viber_bots",
    "instagram",
    "instagram_dm",
    "twitter",
    "apple_business_chat",
    "kakao_sangdam",
    "open_channel",
    "zalo_follower",
    "tiktok_bm",
)

#: A generator for every field of every model the v3 encoder can meet.
FIELDS: dict[type, dict[str, st.SearchStrategy[Any]]] = {
    Person: _PERSON_FIELDS,
    StoredPerson: _PERSON_FIELDS,
    ContactInformation: {
        "email": _contacts(EmailContact, "address"),
        "phone": _contacts(PhoneContact, "number"),
        "push": _read_only_contacts(PushContact),
        "webpush": _read_only_contacts(PushContact),
        **{name: _read_only_contacts(OttContact) for name in _OTT_CHANNELS},
    },
    EmailContact: {"address": _nullable(_text(255) | _unexpected())},
    PhoneContact: {"number": _nullable(_text(50) | _unexpected())},
    PushContact: {
        "application_id": _nullable(_SHORT),
        "registration_id": _nullable(_SHORT),
        "is_primary": _nullable(st.booleans()),
        "additional_data": _nullable(_FREE_JSON),
        "system_data": _nullable(_FREE_JSON),
    },
    OttContact: {
        "application_id": _nullable(_SHORT),
        "user_id": _nullable(_SHORT),
        "system_data": _nullable(_FREE_JSON),
    },
}


# -- the comparison ------------------------------------------------------------------------------


def _outcome(encode: Callable[[Any], str], person: Any) -> tuple[Any, ...]:
    """What ``encode`` makes of ``person``: the text, or the error's kind, text and field."""
    try:
        return ("text", encode(person))
    except ValidationError as error:
        return ("ValidationError", str(error), error.field)
    except TypeError as error:
        return ("TypeError", str(error))


def _reference(person: Any) -> str:
    return dumps(v3_body_reference(person)).decode()


def assert_same_body(person: Any) -> None:
    # Each path gets its own copy: neither may see what the other did to the values.
    fast = _outcome(v3_json, copy.deepcopy(person))
    reference = _outcome(_reference, copy.deepcopy(person))
    assert fast == reference


_PERSONS = st.one_of(model_of(Person), model_of(StoredPerson))


def test_every_field_of_every_model_has_a_generator() -> None:
    models = reachable_models()
    assert set(FIELDS) == models, "a model without generators (or one no longer reachable)"
    for cls in models:
        names = {f.name for f in attrs.fields(cls)}
        assert set(FIELDS[cls]) == names, f"{cls.__name__}: add a generator for each field"


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_PERSONS)
def test_fast_path_and_reference_agree_on_any_person(person: Any) -> None:
    assert_same_body(person)


def _field_paths() -> list[tuple[type, str]]:
    return sorted(
        ((cls, f.name) for cls in reachable_models() for f in attrs.fields(cls)),
        key=lambda p: (p[0].__name__, p[1]),
    )


@st.composite
def _person_setting(draw: st.DrawFn, cls: type, name: str) -> Any:
    """A person in which field ``name`` of a ``cls`` instance is set (to any of its values)."""
    value = draw(FIELDS[cls][name])
    if cls in (Person, StoredPerson):
        base = draw(model_of(cls))
        setattr(base, name, value)
        return base
    holder = draw(model_of(cls))
    setattr(holder, name, value)
    if cls is ContactInformation:
        return Person(external_id="x", contact_information=holder)
    if cls in (EmailContact, PhoneContact):
        key = "email" if cls is EmailContact else "phone"
        return Person(contact_information=ContactInformation(**{key: [holder]}))
    key = "push" if cls is PushContact else "whatsapp"
    return Person(contact_information=ContactInformation(**{key: [holder]}))


@pytest.mark.parametrize(
    ("cls", "name"), _field_paths(), ids=[f"{c.__name__}.{n}" for c, n in _field_paths()]
)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_fast_path_and_reference_agree_on_each_field(cls: type, name: str, data: Any) -> None:
    assert_same_body(data.draw(_person_setting(cls, name)))


# -- what the differential test found ------------------------------------------------------------


def test_a_bare_address_in_a_contact_list_is_a_type_error() -> None:
    # It used to escape as an AttributeError from the reshape to v3 contacts.
    person = Person(external_id="x", contact_information=ContactInformation(email=["a@b.co"]))
    with pytest.raises(TypeError, match=r"contact_information\.email\[0\]: expected EmailContact"):
        v3_json(person)
    phones = Person(contact_information=ContactInformation(phone=[PhoneContact("1"), None]))
    with pytest.raises(TypeError, match=r"contact_information\.phone\[1\]: expected PhoneContact"):
        v3_json(phones)
    assert validate_person_for_upsert(person) == [
        "contact_information.email[0]: expected EmailContact, got str"
    ]


def test_text_in_place_of_contacts_is_refused_not_sent() -> None:
    # The fast path used to write it as it was: "contactInformation":"a@b.co".
    person = Person(external_id="x", contact_information="a@b.co")
    with pytest.raises(TypeError, match="contact_information: expected ContactInformation"):
        v3_json(person)
