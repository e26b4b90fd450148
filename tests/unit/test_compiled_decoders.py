"""The compiled decoders and the msgspec body parser give exactly what the plain paths give.

Every model the client decodes is generated field by field from its attrs fields (a field whose
type has no generator here fails the test), with well-typed values and values of the wrong type,
and decoded twice: by the client's converter (compiled functions in front of cattrs) and by the
plain cattrs converter. The two results must be the same objects: same types all the way down,
same values (decimals digit for digit, datetimes with the same zone), same fields set; or both
must raise the same error. Response bodies are parsed by msgspec with ``json`` behind it: the
parsed value, or the error, must be the one ``json.loads`` gives.
"""

from __future__ import annotations

import enum
import json
import types
import typing
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import infobip_profiles.models as models
from infobip_profiles._converter import (
    Model,
    dumps,
    from_wire,
    loads,
    model,
    plain_from_wire,
    plain_loads,
    wire_name,
)


def _models() -> list[type]:
    """Every public model, and every model reachable through their fields."""
    found: dict[type, None] = {}

    def visit(tp: Any) -> None:
        if isinstance(tp, type) and issubclass(tp, Model) and attrs.has(tp):
            if tp in found:
                return
            found[tp] = None
            attrs.resolve_types(tp)
            for f in attrs.fields(tp):
                visit(f.type)
        for arg in typing.get_args(tp):
            visit(arg)

    for name in models.__all__:
        visit(getattr(models, name))
    return list(found)


MODELS = _models()

_JSON_LEAF = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.decimals(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
)
JSON = st.recursive(
    _JSON_LEAF,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
#: Values of some other type than the field's: they must take the plain path.
OFF = st.one_of(
    st.integers(),
    st.text(max_size=4),
    st.booleans(),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=2),
)

_DATETIME_TEXT = st.one_of(
    st.datetimes().map(
        lambda d: d.strftime("%Y-%m-%dT%H:%M:%S") if d.year >= 1000 else d.isoformat()
    ),
    st.datetimes().map(lambda d: d.isoformat(sep=" ")),
    st.datetimes().map(lambda d: d.isoformat(timespec="milliseconds") + "Z"),
    st.sampled_from(
        [
            "2026-01-02T03:04:05",
            "2026-01-02T03:04:05+0100",
            "2026-01-02T03:04:05.123456789Z",
            " 2026-01-02T03:04:05 ",
            "2026-02-30T03:04:05",
            "2026-01-02t03:04:05",
            "2026-W01-1T03:04:05",
            "2026-01-02T03:04",
            "٢٠٢٦-01-02T03:04:05",
        ]
    ),
    st.text(max_size=20),
)
_DATE_TEXT = st.one_of(
    st.dates().map(date.isoformat),
    st.sampled_from(["2026-01-02T03:04:05", "2026-02-30", "20260102", "2026-1-2"]),
    st.text(max_size=12),
)


def _enum_of(tp: Any) -> Any:
    rest = [a for a in typing.get_args(tp) if a is not type(None)]
    enums = [a for a in rest if isinstance(a, type) and issubclass(a, enum.Enum)]
    return enums[0] if len(enums) == 1 else None


_STRATEGIES: dict[type, st.SearchStrategy[Any]] = {}


def strategy(tp: Any) -> st.SearchStrategy[Any]:
    """Wire values for a field of type ``tp``: mostly right, sometimes of another type."""
    return st.one_of(_typed(tp), _typed(tp), _typed(tp), OFF)


def _typed(tp: Any) -> st.SearchStrategy[Any]:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return JSON
    if tp is str:
        return st.text(max_size=6)
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers()
    if tp is float:
        return st.decimals(allow_nan=False, allow_infinity=False) | st.integers()
    if tp is Decimal:
        return st.decimals(allow_nan=False, allow_infinity=False) | st.integers()
    if tp is datetime:
        return _DATETIME_TEXT
    if tp is date:
        return _DATE_TEXT
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from([m.value for m in tp]) | st.text(max_size=4)
    if isinstance(tp, type) and issubclass(tp, Model) and attrs.has(tp):
        if tp not in _STRATEGIES:
            _STRATEGIES[tp] = st.deferred(lambda: wire_object(tp))
        return _STRATEGIES[tp]
    if origin in (typing.Union, types.UnionType):
        enum_cls = _enum_of(tp)
        parts = [_typed(a) for a in args if a is not type(None) and not (enum_cls and a is str)]
        if type(None) in args:
            parts.append(st.none())
        return st.one_of(parts)
    if origin is list and len(args) == 1:
        return st.lists(strategy(args[0]), max_size=3)
    if origin is dict and len(args) == 2 and args[0] is str:
        return st.dictionaries(st.text(max_size=4), strategy(args[1]), max_size=3)
    raise TypeError(f"no generator for the field type {tp!r}: add one to this test")


def wire_object(cls: type) -> st.SearchStrategy[dict[str, Any]]:
    """A wire object of ``cls``: any subset of its fields (a required one left out now and
    then), plus keys the model does not know."""
    fields = {wire_name(f): strategy(f.type) for f in attrs.fields(cls) if f.init}  # type: ignore[arg-type]
    unknown = st.dictionaries(st.sampled_from(["extra", "someNewField"]), JSON, max_size=1)
    return st.tuples(st.fixed_dictionaries({}, optional=fields), unknown).map(
        lambda pair: {**pair[1], **pair[0]}
    )


def _every_field_has_a_generator() -> None:
    for cls in MODELS:
        for f in attrs.fields(cls):
            strategy(f.type)


def assert_same(fast: Any, plain: Any, where: str = "$") -> None:
    """Same types all the way down, same values, same fields set."""
    assert type(fast) is type(plain), f"{where}: {type(fast)} != {type(plain)}"
    if isinstance(plain, Model):
        assert fast.fields_set() == plain.fields_set(), where
        for f in attrs.fields(type(plain)):
            assert_same(getattr(fast, f.name), getattr(plain, f.name), f"{where}.{f.name}")
    elif isinstance(plain, (list, tuple)):
        assert len(fast) == len(plain), where
        for i, (a, b) in enumerate(zip(fast, plain, strict=True)):
            assert_same(a, b, f"{where}[{i}]")
    elif isinstance(plain, dict):
        assert list(fast) == list(plain), where
        for key in plain:
            assert type(key) is str
            assert_same(fast[key], plain[key], f"{where}.{key}")
    else:
        # repr tells 1.50 from 1.5 and a datetime's zone object, which == does not
        assert repr(fast) == repr(plain), where
        if isinstance(plain, datetime):
            assert fast.tzinfo == plain.tzinfo, where
            assert (fast.tzinfo is timezone.utc) == (plain.tzinfo is timezone.utc), where


def _outcome(decode: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "value", decode(*args)
    except Exception as exc:
        return "error", _describe(exc)


def _describe(exc: BaseException) -> Any:
    inner = getattr(exc, "exceptions", None)
    return (type(exc), str(exc), [_describe(e) for e in inner or ()])


def test_every_field_of_every_decoded_model_has_a_generator() -> None:
    _every_field_has_a_generator()
    # the models the resources decode are among them
    assert {models.StoredPerson, models.StoredCompany, models.Tag, models.PushInstance} <= set(
        MODELS
    )
    assert len(MODELS) >= 25


@pytest.mark.parametrize("cls", MODELS, ids=lambda c: c.__name__)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_compiled_and_plain_decoders_give_the_same_objects(cls: type, data: st.DataObject) -> None:
    wire = data.draw(wire_object(cls))
    # Through JSON, as a response body is: the compiled path sees what the parser makes.
    wire = loads(dumps(wire))

    fast_kind, fast = _outcome(from_wire, wire, cls)
    plain_kind, plain = _outcome(plain_from_wire, wire, cls)

    assert fast_kind == plain_kind, (fast, plain)
    if fast_kind == "error":
        assert fast == plain
    else:
        assert type(fast) is cls
        assert_same(fast, plain)


def test_a_well_formed_person_is_built_by_the_compiled_function_not_the_fallback() -> None:
    wire = {
        "id": 7,
        "firstName": "Ada",
        "type": "LEAD",
        "gender": "SOMETHING_NEW",
        "birthDate": "1990-01-02",
        "createdAt": "2026-01-02T03:04:05",
        "tags": ["VIP"],
        "customAttributes": {"Balance": Decimal("19.90"), "Since": "2020-05-06"},
        "contactInformation": {"email": [{"address": "ada@example.com"}], "push": []},
        "unknownField": 1,
    }
    from infobip_profiles._decoder import _COMPILED

    from_wire(wire, models.StoredPerson)  # compiles
    built = _COMPILED[models.StoredPerson](wire)

    assert_same(built, plain_from_wire(wire, models.StoredPerson))
    assert type(built) is models.StoredPerson
    assert built.custom_attributes["Balance"] == Decimal("19.90")
    assert str(built.custom_attributes["Balance"]) == "19.90"
    assert built.fields_set() == {
        "first_name",
        "type",
        "gender",
        "birth_date",
        "tags",
        "custom_attributes",
        "contact_information",
    }
    assert built.contact_information is not None
    assert built.contact_information.fields_set() == {"email"}
    # an assignment after decoding is tracked as on any model
    built.city = "Zagreb"
    assert "city" in built.fields_set()


def test_a_decoded_object_does_not_share_containers_with_the_parsed_body() -> None:
    wire = {"id": 1, "tags": ["a"], "customAttributes": {"x": 1}}

    person = from_wire(wire, models.StoredPerson)
    person.tags.append("b")
    person.custom_attributes["y"] = 2

    assert wire == {"id": 1, "tags": ["a"], "customAttributes": {"x": 1}}


def test_a_key_that_is_not_a_string_is_made_one_as_cattrs_does() -> None:
    wire = {"id": 1, "customAttributes": {1: "one"}, "tags": ("a", 5)}

    assert_same(from_wire(wire, models.StoredPerson), plain_from_wire(wire, models.StoredPerson))


# -- the body parser --------------------------------------------------------------------------


def _same_parse(content: bytes) -> None:
    fast_kind, fast = _outcome(loads, content)
    plain_kind, plain = _outcome(plain_loads, content)
    assert fast_kind == plain_kind, (content, fast, plain)
    if fast_kind == "error":
        assert fast[0] is plain[0]
    else:
        assert_same(fast, plain)


@settings(max_examples=300, deadline=None)
@given(JSON)
def test_a_body_parses_as_json_loads_parses_it(value: Any) -> None:
    _same_parse(dumps(value))


@settings(max_examples=200, deadline=None)
@given(
    JSON,
    st.sampled_from([b"", b" ", b"\xef\xbb\xbf", b"\n\t"]),
    st.sampled_from([b"", b" ", b"x", b"]"]),
)
def test_a_body_with_odd_bytes_around_it_parses_or_fails_as_json_loads(
    value: Any, head: bytes, tail: bytes
) -> None:
    _same_parse(head + dumps(value) + tail)


@pytest.mark.parametrize(
    "content",
    [
        b"NaN",
        b"[Infinity, -Infinity]",
        b'"\\ud800"',
        b'"\xed\xa0\x80"',
        b"1" * 5000,
        b"1" * 4300,
        b"-0",
        b"-0.0",
        b"1E400",
        b"1.000000000000000000000000001",
        b'{"a": 1, "a": 2}',
        '{"a": "é"}'.encode("utf-16"),
        b"\xff",
        b'"\x01"',
        b"[" * 100 + b"]" * 100,
        b"[" * 100000 + b"]" * 100000,
        b"",
    ],
)
def test_edge_bodies_parse_or_fail_as_json_loads(content: bytes) -> None:
    _same_parse(content)


def test_a_decimal_keeps_its_digits_through_the_parser() -> None:
    assert str(loads(b'{"a": 19.90, "b": 1e-7, "c": 123456789.123456789123}')["a"]) == "19.90"
    parsed = loads(b"[19.90, 1e-7, 123456789.123456789123]")
    assert [str(v) for v in parsed] == ["19.90", "1E-7", "123456789.123456789123"]
    assert all(type(v) is Decimal for v in parsed)


def test_the_plain_json_module_gives_the_same_for_a_big_page() -> None:
    page = {
        "persons": [
            {"id": i, "customAttributes": {"Balance": Decimal(f"{i}.50"), "n": i}}
            for i in range(50)
        ]
    }
    content = dumps(page)
    assert_same(loads(content), json.loads(content, parse_float=Decimal))


@model
class _Node(Model):
    """A model that holds itself (none of the API's do yet)."""

    name: str | None = None
    child: _Node | None = None
    children: list[_Node] | None = None


@settings(max_examples=60, deadline=None)
@given(
    st.recursive(
        st.fixed_dictionaries({}, optional={"name": st.text(max_size=3) | st.integers()}),
        lambda inner: st.fixed_dictionaries(
            {},
            optional={
                "name": st.text(max_size=3),
                "child": inner,
                "children": st.lists(inner, max_size=2),
            },
        ),
        max_leaves=6,
    )
)
def test_a_model_that_holds_itself_decodes_as_cattrs_decodes_it(wire: dict[str, Any]) -> None:
    assert_same(from_wire(wire, _Node), plain_from_wire(wire, _Node))


def test_without_msgspec_bodies_are_parsed_by_json(monkeypatch: pytest.MonkeyPatch) -> None:
    import infobip_profiles._converter as converter_module

    monkeypatch.setattr(converter_module, "_fast_loads", None)

    parsed = loads(b'{"a": [19.90, 1]}')
    assert str(parsed["a"][0]) == "19.90"
    assert parsed == {"a": [Decimal("19.90"), 1]}
