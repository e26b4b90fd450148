"""The typed listing path gives exactly what the general path gives, or steps aside.

A listing body may be decoded by msgspec straight into typed mirrors of the models
(:func:`infobip_profiles._typed.page_decoder`). Whenever it returns a page, the page must be the
one the general path makes (``json.loads`` with exact decimals, then the model decoders): the
same items in the same order, the same classes all the way down, equal values with the same
``repr``, the same fields set on every nested model, the same counts. Whenever the general path
raises for a body, the typed path must return ``None`` (and the caller decodes the body the
general way, which raises as before). Bodies are written as raw JSON text, so a key may appear
twice, and values are drawn right and wrong: of another type, ``null``, left out, unknown.
"""

from __future__ import annotations

import copy
import enum
import json
import pickle
import typing
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import infobip_profiles._typed as typed_module
from infobip_profiles import NOT_GIVEN
from infobip_profiles._converter import (
    Model,
    dumps,
    from_wire,
    is_writable,
    model,
    plain_from_wire,
    to_wire,
    wire_name,
)
from infobip_profiles._decoder import _enum_or_str, _optional
from infobip_profiles._plan import check_answer, forget_json, typed_page
from infobip_profiles._typed import TypedPage, page_decoder
from infobip_profiles.models import (
    ContactInformation,
    CustomAttribute,
    DataType,
    EmailContact,
    Person,
    PersonType,
    StoredCompany,
    StoredPerson,
)
from infobip_profiles.pagination import PageSpec
from infobip_profiles.resources.companies import _CompaniesPlans
from infobip_profiles.resources.custom_attributes import _CustomAttributesPlans
from infobip_profiles.resources.people import _PeoplePlans
from tests.unit.test_compiled_decoders import JSON, MODELS, OFF, assert_same

#: Every model the typed path mirrors (under any items key).
TYPED = [cls for cls in MODELS if page_decoder(cls, "items") is not None]

_SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def test_the_models_the_listings_decode_are_mirrored() -> None:
    # A listing of StoredPerson holds ContactInformation, which holds the direct models.
    assert {StoredPerson, StoredCompany, CustomAttribute, ContactInformation, Person} <= set(TYPED)
    assert page_decoder(StoredPerson, "persons", ("id",)) is not None
    assert page_decoder(StoredCompany, "companies", ("id",)) is not None
    assert page_decoder(CustomAttribute, "customAttributes") is not None


# -- timestamps --------------------------------------------------------------------------------

_NEAR_MISS_CHARS = "0123456789-:Tt Z+.,xW/\u0663\uff13\u00a0"


def _near_miss(text: str) -> st.SearchStrategy[str]:
    """``text`` with one character replaced (same length), or one added or removed."""
    n = len(text)
    return st.one_of(
        st.tuples(st.integers(0, n - 1), st.sampled_from(_NEAR_MISS_CHARS)).map(
            lambda p: text[: p[0]] + p[1] + text[p[0] + 1 :]
        ),
        st.integers(0, n - 1).map(lambda i: text[:i] + text[i + 1 :]),
        st.tuples(st.integers(0, n), st.sampled_from(_NEAR_MISS_CHARS)).map(
            lambda p: text[: p[0]] + p[1] + text[p[0] :]
        ),
    )


_V2 = st.datetimes(min_value=datetime(1000, 1, 1)).map(lambda d: d.strftime("%Y-%m-%dT%H:%M:%S"))
_FRACTION = st.text("0123456789", min_size=1, max_size=9).map(lambda f: "." + f)
_ZONE = st.sampled_from(["", "Z", "+00:00", "+01:00", "-05:30", "+0200", "-0000", "+14:00", "-12"])

TIMESTAMPS = st.one_of(
    _V2,
    st.tuples(_V2, _FRACTION, _ZONE).map("".join),
    _V2.map(lambda t: t.replace("T", "t")),
    _V2.map(lambda t: t.replace("T", " ")),
    st.tuples(_V2, _ZONE).map("".join),
    _V2.flatmap(_near_miss),
    st.sampled_from(
        [
            "2026-W01-1T03:04:05",
            "2026-W01T03:04:05",
            "2026-001T03:04:05",
            "20260102T030405",
            "20260102T03:04:05",
            "2026-01-02T030405",
            "2026-01-02T03",
            "2026-01-02T03:04",
            "2026-01-02",
            "2026-01-02T03:04:05.",
            "2026-01-02T03:04:05,123",
            "2026-01-02T24:00:00",
            "2026-02-29T03:04:05",
            "2024-02-29T03:04:05",
            "0000-01-02T03:04:05",
            "\u0662\u0660\u0662\u0666-01-02T03:04:05",
            "2026-01-02T03:04:0\u0665",
            "\uff12026-01-02T03:04:05",
            " 2026-01-02T03:04:05",
            "2026-01-02T03:04:05 ",
            "2026-01-02T03:04:05\n",
            "2026-01-02T03:04:5Z",
            "2026-01-02T03:04:05+01:00:00",
            "2026-01-02T03:04:05.123456789Z",
            "2026-01-02T03:04:05.1+0530",
            "2026-01-02 03:04:05Z",
            "",
        ]
    ),
)


# -- values and wire objects -------------------------------------------------------------------

_INT64 = st.integers(-(2**63), 2**63 - 1)
_DECIMALS = st.decimals(allow_nan=False, allow_infinity=False)


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, Model) and attrs.has(tp)


_OBJECTS: dict[tuple[type, str], st.SearchStrategy[dict[str, Any]]] = {}

#: How wrong the values drawn may be: ``clean`` ones a mirror takes (the JSON type declared, a
#: known enum value, no ``null`` in a writable field), ``nulls`` (clean, or ``null`` in any field
#: typed optional), or
#: ``any`` (right values, values of other types, ``null``, fields left out).
MODES = ("clean", "nulls", "any")


def values(tp: Any, mode: str, writable: bool = True) -> st.SearchStrategy[Any]:
    """Wire values for a field of type ``tp`` (see :data:`MODES`)."""
    clean = mode != "any"
    inner, optional = _optional(tp)
    enum_cls = _enum_or_str(tp)
    base: st.SearchStrategy[Any]
    if enum_cls is not None:
        known = st.sampled_from([m.value for m in enum_cls])
        base = known if clean else known | st.text(max_size=4)
        optional = True
    elif inner is datetime:
        base = _V2 if clean else TIMESTAMPS
    elif inner is date:
        base = st.dates().map(date.isoformat)
        if not clean:
            base |= st.sampled_from(["2026-01-02T03:04:05", "2026-02-30", "20260102", "2026-W01-1"])
    elif inner is str:
        base = st.text(max_size=6)
    elif inner is bool:
        base = st.booleans()
    elif inner is int:
        base = _INT64 if clean else st.integers() | st.sampled_from([Decimal("1.0"), Decimal("5")])
    elif inner is Any:
        base = JSON
    elif isinstance(inner, type) and issubclass(inner, enum.Enum):
        base = st.sampled_from([m.value for m in inner])
    elif _is_model(inner):
        key = (inner, mode)
        if key not in _OBJECTS:
            _OBJECTS[key] = st.deferred(lambda: wire_item(inner, mode))
        base = _OBJECTS[key]
    else:
        origin, args = typing.get_origin(inner), typing.get_args(inner)
        if origin is list and len(args) == 1:
            base = st.lists(values(args[0], mode), max_size=3)
        elif origin is dict and len(args) == 2 and args[0] is str:
            base = st.dictionaries(st.text(max_size=4), values(args[1], mode), max_size=3)
        elif inner in (float, Decimal):
            base = _DECIMALS | _INT64
        else:
            raise TypeError(f"no generator for {tp!r}: add one to this test")
    if mode == "nulls":  # null where the type allows it, writable or not
        return st.one_of(base, base, base, st.none()) if optional else base
    if mode == "clean":
        return base | st.none() if optional and not writable else base
    return st.one_of(base, base, base, OFF, st.none())


def wire_item(cls: type, mode: str) -> st.SearchStrategy[dict[str, Any]]:
    """A wire object of ``cls``: any subset of its fields, but for a ``clean`` one every field a
    mirror needs (a field without a default, a writable field with a non-``None`` default), and
    for ``nulls`` the fields without a default."""
    clean = mode != "any"
    attrs.resolve_types(cls)
    # a model msgspec builds itself (an email's address) needs its one field
    direct = typed_module._direct(cls)
    always: dict[str, st.SearchStrategy[Any]] = {}
    maybe: dict[str, st.SearchStrategy[Any]] = {}
    for f in attrs.fields(cls):
        if not f.init:
            continue
        writable = is_writable(f)
        strat = values(f.type, mode, writable)
        needed = f.name == direct or f.default is attrs.NOTHING
        if mode == "clean" and writable and f.default is not None:
            needed = True  # left out, it holds a default that is not None (a stored person's tags)
        (always if clean and needed else maybe)[wire_name(f)] = strat
    unknown = st.dictionaries(
        st.sampled_from(["extra", "someNewField", "_fieldsSet"]), JSON, max_size=1
    )
    return st.tuples(st.fixed_dictionaries(always, optional=maybe), unknown).map(
        lambda pair: {**pair[1], **pair[0]}
    )


def _text(data: st.DataObject, value: Any, dupes: bool, clean: bool = False) -> str:
    """``value`` as JSON text; with ``dupes`` an object may name a key twice (the last wins).
    ``clean``: the earlier value is the same one (a mirror refuses a wrong earlier value)."""
    if isinstance(value, dict):
        parts = []
        for key, item in value.items():
            if dupes and data.draw(st.integers(0, 5)) == 0:
                # an earlier value for the same key, of any kind, anywhere before: the last one
                # is the one read, and the key keeps the place of its first
                earlier = item if clean else data.draw(st.one_of(OFF, st.none(), st.just(item)))
                where = data.draw(st.integers(0, len(parts)))
                parts.insert(where, f"{json.dumps(key)}:{_text(data, earlier, False)}")
            parts.append(f"{json.dumps(key)}:{_text(data, item, dupes, clean)}")
        return "{" + ",".join(parts) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_text(data, v, dupes, clean) for v in value) + "]"
    return dumps(value).decode()


def page_body(data: st.DataObject, cls: type, key: str, mode: str, dupes: bool = True) -> bytes:
    """A listing body of ``cls`` items under ``key``, with counts now and then."""
    clean = mode != "any"
    items = data.draw(st.lists(wire_item(cls, mode), max_size=4))
    body: dict[str, Any] = {key: items}
    extra = st.fixed_dictionaries(
        {},
        optional={
            "totalCount": _INT64 | st.none() | OFF,
            "paging": st.fixed_dictionaries(
                {}, optional={"totalResults": _INT64 | OFF, "totalPages": _INT64 | st.none()}
            )
            | OFF,
        },
    )
    body.update(data.draw(extra))
    return _text(data, body, dupes, clean).encode()


# -- the general path, as the reference --------------------------------------------------------


def general_items(body: bytes, cls: type, key: str, required: tuple[str, ...] = ()) -> Any:
    """The items, total and paging the general path reads from ``body`` (or it raises)."""
    parsed = json.loads(body, parse_float=Decimal)
    if not isinstance(parsed, dict):
        raise ValueError("not an object")
    raw = parsed.get(key)
    if raw is None:
        raw = []
    if not isinstance(raw, list):
        raise ValueError("items not an array")
    items = []
    for item in raw:
        if not isinstance(item, dict) or any(item.get(name) is None for name in required):
            raise ValueError("an item lacks a required field")
        plain = plain_from_wire(item, cls)
        assert_same(from_wire(item, cls), plain)
        items.append(plain)
    return items, parsed.get("totalCount"), parsed.get("paging")


def assert_page_matches(
    cls: type, key: str, body: bytes, required: tuple[str, ...] = ()
) -> TypedPage | None:
    """The typed page of ``body`` is the general path's, or ``None`` where that raises."""
    decode = page_decoder(cls, key, required)
    assert decode is not None
    page = decode(body)
    try:
        expected = general_items(body, cls, key, required)
    except Exception:
        assert page is None, body
        return None
    if page is not None:
        items, total, paging = expected
        assert type(page) is TypedPage
        assert type(page.items) is list
        assert_same(page.items, items, "$items")
        for got in page.items:
            assert type(got) is cls
            _assert_public(got)
        assert_same(page.total_count, total, "$totalCount")
        assert_same(page.paging, paging, "$paging")
        assert [repr(x) for x in page.items] == [repr(x) for x in items]
        assert page.items == items
    return page


def _walk(value: Any) -> typing.Iterator[Any]:
    yield value
    if isinstance(value, Model):
        for f in attrs.fields(type(value)):
            yield from _walk(getattr(value, f.name))
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from _walk(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)


def _assert_public(obj: Any) -> None:
    """No private class (a build class, a mirror, a msgspec struct) escapes the typed path."""
    import msgspec

    for value in _walk(obj):
        kind = type(value)
        assert not isinstance(value, msgspec.Struct), kind
        assert "Typed" not in kind.__name__, kind
        assert "Mirror" not in kind.__name__, kind
        if isinstance(value, Model) and kind.__module__ != __name__:
            assert kind.__module__.startswith("infobip_profiles.models"), kind
            assert kind.__name__ in dir(__import__("infobip_profiles.models").models), kind


# -- differentials -----------------------------------------------------------------------------


@pytest.mark.parametrize("cls", TYPED, ids=lambda c: c.__name__)
@_SETTINGS
@given(data=st.data())
def test_a_page_of_any_items_is_the_general_path_page_or_none(
    cls: type, data: st.DataObject
) -> None:
    body = page_body(data, cls, "items", data.draw(st.sampled_from(MODES)))
    assert_page_matches(cls, "items", body)


@pytest.mark.parametrize("cls", TYPED, ids=lambda c: c.__name__)
@_SETTINGS
@given(data=st.data())
def test_a_clean_page_is_taken_by_the_typed_path(cls: type, data: st.DataObject) -> None:
    # Well-typed bodies (keys maybe repeated, unknown keys) must not fall back: a typed path that
    # always stepped aside would pass every other test here.
    body = page_body(data, cls, "items", "clean")
    page = assert_page_matches(cls, "items", body)
    assert page is not None, body


@_SETTINGS
@given(data=st.data(), stamp=TIMESTAMPS, field=st.sampled_from(["createdAt", "modifiedAt"]))
def test_a_timestamp_is_read_as_parse_datetime_reads_it(
    data: st.DataObject, stamp: str, field: str
) -> None:
    item = data.draw(wire_item(StoredPerson, "clean"))
    item[field] = stamp
    body = json.dumps({"persons": [item]}, default=str).encode()
    body = _text(data, json.loads(body, parse_float=Decimal), dupes=False).encode()
    page = assert_page_matches(StoredPerson, "persons", body, ("id",))
    try:
        general_items(body, StoredPerson, "persons", ("id",))
    except Exception:
        assert page is None
    else:
        # every form parse_datetime reads, the typed path reads too
        assert page is not None, stamp
        got = getattr(page.items[0], "created_at" if field == "createdAt" else "modified_at")
        assert got.tzinfo is not None


def test_the_v2_form_gives_utc() -> None:
    body = b'{"persons": [{"id": 1, "tags": [], "customAttributes": {}, "createdAt": "2026-01-02T03:04:05"}]}'
    page = assert_page_matches(StoredPerson, "persons", body, ("id",))
    assert page is not None
    assert page.items[0].created_at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert page.items[0].created_at.tzinfo is timezone.utc


_PERSON = {"id": 1, "tags": [], "customAttributes": {}}


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"null",
        b"[]",
        b'"x"',
        b"{}",
        b'{"persons": "x"}',
        b'{"persons": {}}',
        b'{"persons": [1]}',
        b'{"persons": [null]}',
        b'{"persons": [{"firstName": "x"}]}',
        b'{"persons": [{"id": null, "tags": [], "customAttributes": {}}]}',
        b'{"persons": [{"id": 1, "middleName": null, "tags": [], "customAttributes": {}}]}',
        b'{"persons": [{"id": 1}]}',
        b'{"persons": [{"id": 1, "tags": null, "customAttributes": {}}]}',
        b'{"persons": [{"id": "5", "tags": [], "customAttributes": {}}]}',
        b'{"persons": [{"id": 1.0, "tags": [], "customAttributes": {}}]}',
        b'{"persons": [{"id": true, "tags": [], "customAttributes": {}}]}',
        b'{"persons": [{"id": 1, "type": "ROBOT", "tags": [], "customAttributes": {}}]}',
        b'{"persons": [{"id": 1, "birthDate": "2026-01-02T00:00:00", "tags": [], "customAttributes": {}}]}',
        b'{"persons": [{"id": 1, "createdAt": "soon", "tags": [], "customAttributes": {}}]}',
        b'{"persons": [{"id": 1, "tags": [1], "customAttributes": {}}]}',
        b'{"persons": [{"id": 1, "tags": [], "customAttributes": {}, "contactInformation": {"email": [{}]}}]}',
        b'{"persons": [{"id": 1, "tags": [], "customAttributes": {}, "contactInformation": {"email": [{"address": null}]}}]}',
        b'{"persons": [{"id": 1, "tags": [], "customAttributes": {}, "contactInformation": {"email": null}}]}',
        b'{"persons": [{"id": 1, "tags": [], "customAttributes": {}}], "persons": 5}',
        b'{"persons": [{"id": 1, "id": null, "tags": [], "customAttributes": {}}]}',
        b'{"persons": [{"id": null, "id": 1, "tags": [], "customAttributes": {}}]}',
        b'{"persons": [{"id": 1, "tags": [], "customAttributes": {"a": NaN}}]}',
        b'\xef\xbb\xbf{"persons": []}',
        b'{"persons": [{"id": 1, "firstName": "\\ud800", "tags": [], "customAttributes": {}}]}',
        b'{"persons": [{"id": 1, "tags": [], "customAttributes": {}}]} x',
        b'{"persons": [{"id": 99999999999999999999999, "tags": [], "customAttributes": {}}]}',
    ],
)
def test_a_hostile_body_is_left_to_the_general_path(body: bytes) -> None:
    assert_page_matches(StoredPerson, "persons", body, ("id",))
    spec = _PeoplePlans().list(page_size=10)
    assert _run_page(spec, body) == _run_page(attrs.evolve(spec, model=None), body)


def test_the_required_fields_are_refused_missing_or_null() -> None:
    decode = page_decoder(StoredPerson, "persons", ("id",))
    assert decode is not None
    assert decode(b'{"persons": [{"id": 1, "tags": [], "customAttributes": {}}]}') is not None
    assert decode(b'{"persons": [{"tags": [], "customAttributes": {}}]}') is None
    assert decode(b'{"persons": [{"id": null, "tags": [], "customAttributes": {}}]}') is None
    # a field the mirror may go without cannot be required: no typed decoder then
    assert page_decoder(StoredPerson, "persons", ("firstName",)) is None
    assert page_decoder(StoredPerson, "persons", ("noSuchField",)) is None
    assert page_decoder(StoredPerson, "persons", ("externalId",)) is None


@pytest.mark.parametrize("cls", [EmailContact], ids=lambda c: c.__name__)
def test_a_listing_of_direct_models_has_no_typed_decoder(cls: type) -> None:
    assert page_decoder(cls, "items") is None


# -- models the API does not have yet ----------------------------------------------------------


class _Shade(enum.Enum):
    """A strict enum (no unknown value kept)."""

    DARK = "DARK"
    LIGHT = "LIGHT"


@model
class _Kinds(Model):
    """Field kinds none of the API's listed models has yet: writable timestamps, a plain default
    that is not None, a strict enum, a map of lenient enums, read-only free-form values and
    plain defaults."""

    when: datetime | None = None
    count: int = 0
    shade: _Shade | None = None
    kinds: dict[str, DataType | str] | None = None
    stamp: str = attrs.field(default="fixed", metadata={"read_only": True})
    seen: datetime | None = attrs.field(default=None, metadata={"read_only": True})
    meta: Any = attrs.field(default=None, metadata={"read_only": True})


@model
class _Free(Model):
    """Free-form writable values: ``null`` there is a value set, which msgspec's ``Any`` cannot
    refuse."""

    payload: Any = None
    extra: Any | None = None
    count: int = 0


@model
class _Holder(Model):
    """A model holding those, and emails (built by msgspec directly)."""

    name: str | None = None
    one: _Kinds | None = None
    many: list[_Kinds] | None = None
    emails: list[EmailContact] | None = None


SYNTHETIC = [_Kinds, _Holder, _Free]


def test_the_other_field_kinds_are_mirrored() -> None:
    assert page_decoder(_Kinds, "items") is not None
    assert page_decoder(_Holder, "items") is not None


@pytest.mark.parametrize("cls", SYNTHETIC, ids=lambda c: c.__name__)
@_SETTINGS
@given(data=st.data())
def test_a_model_of_other_field_kinds_is_decoded_as_the_general_path_or_not_at_all(
    cls: type, data: st.DataObject
) -> None:
    body = page_body(data, cls, "items", data.draw(st.sampled_from(MODES)))
    if page_decoder(cls, "items") is not None:
        assert_page_matches(cls, "items", body)


@pytest.mark.parametrize(
    "body",
    [
        b'{"items": [{"payload": null, "count": 1}]}',
        b'{"items": [{"extra": null, "count": 1}]}',
        b'{"items": [{"payload": 1, "extra": [null], "count": 1}]}',
        b'{"items": [{"count": null}]}',
        b'{"items": [{"when": null, "count": 1}]}',
        b'{"items": [{"shade": "DIM", "count": 1}]}',
        b'{"items": [{"kinds": {"a": "NEW"}, "count": 1}]}',
        b'{"items": [{"stamp": null, "count": 1}]}',
        b'{"items": [{"payload": {"a": null}, "count": 2}]}',
    ],
)
def test_a_null_in_a_free_form_writable_field_is_not_read_as_left_out(body: bytes) -> None:
    for cls in (_Free, _Kinds):
        decode = page_decoder(cls, "items")
        if decode is not None:
            assert_page_matches(cls, "items", body)
    nested = body.replace(b'"items": [', b'"items": [{"one": ', 1).replace(b"]}", b"}]}")
    assert_page_matches(_Holder, "items", nested)


# -- through the listing's plan ----------------------------------------------------------------


def _describe(exc: BaseException) -> Any:
    return (type(exc), str(exc))


def _run_page(spec: PageSpec[Any], body: bytes) -> Any:
    """Check the answer and decode the first page as the client does: the page's items (as
    reprs and fields set), total and total pages, or the error."""
    plan = spec.plan(spec.first())
    call = next(plan)
    response = httpx.Response(
        200,
        content=body,
        headers={"content-type": "application/json"},
        request=httpx.Request("GET", "https://x.example/people/2/persons"),
    )
    try:
        check_answer(call, response)
        plan.send(response)
    except StopIteration as stop:
        page = stop.value
        return (
            [(type(x), repr(x), x.fields_set()) for x in page.items],
            page.items,
            page.total,
            page.total_pages,
            page.number,
        )
    except Exception as exc:
        return _describe(exc)
    raise AssertionError("the plan asked for a second request")


_SPECS = {
    "persons": (lambda: _PeoplePlans().list(page_size=4), StoredPerson),
    "companies": (lambda: _CompaniesPlans().list(page_size=4), StoredCompany),
    "customAttributes": (lambda: _CustomAttributesPlans().list(page_size=4), CustomAttribute),
}


@pytest.mark.parametrize("key", list(_SPECS))
@_SETTINGS
@given(data=st.data())
def test_a_listing_plan_gives_the_same_page_with_or_without_the_typed_path(
    key: str, data: st.DataObject
) -> None:
    make, cls = _SPECS[key]
    spec = make()
    assert spec.model is cls
    body = page_body(data, cls, key, data.draw(st.sampled_from(MODES)))
    if data.draw(st.integers(0, 9)) == 0:
        body = data.draw(st.sampled_from([b"{}", b"[]", b"null", b'{"x": 1}', b"", b"{"]))
    typed = _run_page(spec, body)
    general = _run_page(attrs.evolve(spec, model=None), body)
    if isinstance(general, tuple) and len(general) == 5:
        assert isinstance(typed, tuple), (typed, general)
        assert len(typed) == 5, (typed, general)
        assert_same(typed[1], general[1])
    assert typed == general


def test_the_plan_takes_the_typed_page_and_decodes_the_body_once() -> None:
    spec = _PeoplePlans().list(page_size=4)
    plan = spec.plan(spec.first())
    call = next(plan)
    assert call.listing == (StoredPerson, "persons")
    body = b'{"persons": [{"id": 1, "firstName": "Ada", "tags": [], "customAttributes": {}}], "totalCount": 7}'
    response = httpx.Response(200, content=body, request=httpx.Request("GET", "https://x.example"))
    check_answer(call, response)
    page = typed_page(call, response)
    assert page is not None
    assert typed_page(call, response) is page  # kept on the response
    with pytest.raises(StopIteration) as stop:
        plan.send(response)
    got = stop.value.value
    assert got.items == page.items
    assert got.items[0] is page.items[0]
    assert got.total == 7
    # the general parse was never needed
    assert "infobip_profiles.json" not in response.extensions


# -- the objects it makes ----------------------------------------------------------------------


@_SETTINGS
@given(data=st.data())
def test_two_pages_of_one_body_share_no_container(data: st.DataObject) -> None:
    body = page_body(data, StoredPerson, "persons", "clean")
    decode = page_decoder(StoredPerson, "persons", ("id",))
    assert decode is not None
    first, second = decode(body), decode(body)
    assert first is not None
    assert second is not None
    mutable = (list, dict, Model)
    ids_first = {id(v) for v in _walk(first.items) if isinstance(v, mutable)}
    ids_second = {id(v) for v in _walk(second.items) if isinstance(v, mutable)}
    assert not ids_first & ids_second
    for person in first.items:
        person.tags.append("changed")
        person.custom_attributes["changed"] = 1
    assert all("changed" not in p.tags for p in second.items)
    assert all("changed" not in p.custom_attributes for p in second.items)


_OPERATIONS = st.sampled_from(
    [
        "assign",
        "assign_none",
        "unset",
        "pickle",
        "copy",
        "deepcopy",
        "replace",
        "evolve",
        "evolve_none",
        "evolve_nothing",
        "nested_assign",
    ]
)
_FIELDS = st.sampled_from(["first_name", "city", "middle_name", "tags", "external_id", "type"])


def _apply(person: Any, operation: str, name: str, value: Any) -> Any:
    """Do ``operation`` to ``person``; what it gives (the person itself when it changes it)."""
    if operation == "assign":
        setattr(person, name, value)
    elif operation == "assign_none":
        setattr(person, name, None)
    elif operation == "unset":
        setattr(person, name, NOT_GIVEN)
    elif operation == "pickle":
        return pickle.loads(pickle.dumps(person))
    elif operation == "copy":
        return copy.copy(person)
    elif operation == "deepcopy":
        return copy.deepcopy(person)
    elif operation == "replace":
        return person.replace(**{name: value})
    elif operation == "evolve":
        return attrs.evolve(person, **{name: value})
    elif operation == "evolve_none":
        return attrs.evolve(person, **{name: None})
    elif operation == "evolve_nothing":
        return attrs.evolve(person)
    elif operation == "nested_assign" and person.contact_information is not None:
        person.contact_information.email = [EmailContact(address="new@example.com")]
    return person


def _outcome(fn: Any, *args: Any) -> Any:
    try:
        return "value", fn(*args)
    except Exception as exc:
        return "error", _describe(exc)


@_SETTINGS
@given(
    data=st.data(),
    operations=st.lists(st.tuples(_OPERATIONS, _FIELDS), min_size=1, max_size=3),
    peek=st.booleans(),
)
def test_fields_set_of_a_typed_person_behaves_as_the_general_ones(
    data: st.DataObject, operations: list[tuple[str, str]], peek: bool
) -> None:
    item = data.draw(wire_item(StoredPerson, "clean"))
    body = _text(data, {"persons": [item]}, dupes=False).encode()
    page = page_decoder(StoredPerson, "persons", ("id",))(body)  # type: ignore[misc]
    assert page is not None
    typed, general = (
        page.items[0],
        from_wire(json.loads(body, parse_float=Decimal)["persons"][0], StoredPerson),
    )
    if peek:  # whether fields_set() was read before the changes must not matter
        assert typed.fields_set() == general.fields_set()
    for operation, name in operations:
        value = "Zagreb" if name != "tags" else ["x"]
        if name == "type":
            value = PersonType.LEAD
        kind_t, typed = _outcome(_apply, typed, operation, name, value)
        kind_g, general = _outcome(_apply, general, operation, name, value)
        assert kind_t == kind_g
        if kind_t == "error":
            assert typed == general
            return
        assert_same(typed, general)
        assert repr(typed) == repr(general)
        if isinstance(general, Model):
            assert_same(_outcome(to_wire, typed), _outcome(to_wire, general))


def test_a_typed_person_reports_the_fields_its_body_held() -> None:
    body = (
        b'{"persons": [{"id": 3, "firstName": "Ada", "tags": ["a"], "customAttributes": {"n": 1.50},'
        b' "createdAt": "2026-01-02T03:04:05", "origin": "API",'
        b' "contactInformation": {"email": [{"address": "a@example.com"}], "push": []}}]}'
    )
    page = assert_page_matches(StoredPerson, "persons", body, ("id",))
    assert page is not None
    person = page.items[0]
    assert type(person) is StoredPerson
    assert person.fields_set() == {"first_name", "tags", "custom_attributes", "contact_information"}
    assert str(person.custom_attributes["n"]) == "1.50"
    assert person.contact_information is not None
    assert type(person.contact_information) is ContactInformation
    assert person.contact_information.fields_set() == {"email"}
    email = person.contact_information.email
    assert email is not None
    assert type(email[0]) is EmailContact
    assert email[0].fields_set() == {"address"}
    person.city = "Zagreb"
    assert person.fields_set() == {
        "first_name",
        "tags",
        "custom_attributes",
        "contact_information",
        "city",
    }
    person.first_name = NOT_GIVEN
    assert "first_name" not in person.fields_set()
    assert person.first_name is None
    assert to_wire(person)["city"] == "Zagreb"
    assert "id" not in to_wire(person)


def test_a_model_made_by_its_constructor_still_reports_what_was_passed() -> None:
    # The lazy reading is for objects that never recorded their fields: a constructed object
    # records them, a default value is not a value set.
    person = StoredPerson(id=1)
    assert person.fields_set() == {"id"}
    assert Person().fields_set() == frozenset()
    assert Person(first_name=None).fields_set() == {"first_name"}


def test_forgetting_the_parsed_body_forgets_the_typed_page() -> None:
    spec = _PeoplePlans().list(page_size=4)
    call = next(spec.plan(spec.first()))
    body = b'{"persons": [{"id": 1, "tags": [], "customAttributes": {}}]}'
    response = httpx.Response(200, content=body, request=httpx.Request("GET", "https://x.example"))
    page = typed_page(call, response)
    assert page is not None
    forget_json(response)
    again = typed_page(call, response)
    assert again is not None
    assert again is not page
    assert again.items == page.items


def test_typed_decoders_are_made_once_and_survive_a_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    decode = page_decoder(StoredCompany, "companies", ("id",))
    assert decode is page_decoder(StoredCompany, "companies", ("id",))
    monkeypatch.setattr(typed_module, "_decoders", {})
    again = page_decoder(StoredCompany, "companies", ("id",))
    assert again is not None
    assert again is not decode
    body = b'{"companies": [{"id": 1, "name": "Acme"}]}'
    assert_page_matches(StoredCompany, "companies", body, ("id",))
