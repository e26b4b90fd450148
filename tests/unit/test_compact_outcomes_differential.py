"""The compact outcome store against the plain tuple it stands in for, on any outcomes.

``upsert_many`` and ``merge`` keep plain successes as columns (``CompactOutcomes``) instead of a
tuple of outcome objects. Whatever outcomes go in, in whatever chunks, the store must read exactly
as the tuple would: the same items (same class, every field equal, ``eq=False`` fields included),
the same slices and negative indexes, the same counts, and the same after pickling. Every field of
each outcome class gets a generator below, looked up by the class's attrs fields: a field added to
an outcome class without one fails the first test.
"""

from __future__ import annotations

import pickle
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from infobip_profiles import (
    MergeItemResult,
    MergeResult,
    UpsertedPerson,
    UpsertItemResult,
    UpsertResult,
    UpsertStatus,
)
from infobip_profiles.errors import ProfilesError
from infobip_profiles.resources._outcomes import outcome_store
from tests._support.outcomes import reads_as_tuple, same

CLASSES = (UpsertItemResult, MergeItemResult)
RESULTS = {UpsertItemResult: UpsertResult, MergeItemResult: MergeResult}

_TEXT = st.text(max_size=5)

#: A generator for every field of the outcome classes, by field name.
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "ok": st.booleans(),
    "id": st.one_of(
        st.none(),
        st.integers(-3, 2**64),
        st.sampled_from([0, -1, 2**63 - 1, 2**63, -(2**63)]),
    ),
    "status": st.one_of(
        st.none(), st.sampled_from(list(UpsertStatus)), st.sampled_from(["CREATED", "NEW", ""])
    ),
    "code": st.one_of(st.none(), st.sampled_from(["409100", "400100", ""])),
    "errors": st.lists(_TEXT, max_size=2).map(tuple),
    "details": st.lists(st.tuples(_TEXT, _TEXT), max_size=2).map(tuple),
    "unknown": st.booleans(),
    "error": st.one_of(st.none(), st.just(ProfilesError("the request failed"))),
}


def test_every_field_of_every_outcome_class_has_a_generator() -> None:
    for cls in (*CLASSES, UpsertedPerson):
        missing = {f.name for f in attrs.fields(cls)} - {"index"} - set(FIELDS)
        assert not missing, f"{cls.__name__}: no generator for {sorted(missing)}"


@st.composite
def outcome(draw: st.DrawFn, cls: type, index: int) -> Any:
    # Mostly plain successes (what the store keeps as columns), else anything.
    plain = draw(st.booleans())
    values: dict[str, Any] = {}
    for field in attrs.fields(cls):
        if field.name == "index":
            continue
        if plain and field.name in ("ok", "id", "status"):
            values[field.name] = {
                "ok": True,
                "id": draw(st.integers(1, 10**12)),
                "status": draw(st.sampled_from(list(UpsertStatus))),
            }[field.name]
        elif plain:
            continue  # the default
        elif draw(st.booleans()):
            values[field.name] = draw(FIELDS[field.name])
    if cls is UpsertItemResult and draw(st.integers(0, 9)) == 0:
        values.setdefault("id", 7)
        values.setdefault("status", UpsertStatus.CREATED)
        if values["id"] is not None and values["status"] is not None:
            return UpsertedPerson(index=index, **{"ok": True, **values})
    values.setdefault("ok", False)
    return cls(index=index, **values)


@st.composite
def outcomes(draw: st.DrawFn) -> tuple[type, list[Any], list[int]]:
    cls = draw(st.sampled_from(CLASSES))
    count = draw(st.integers(0, 40))
    items = [draw(outcome(cls, i)) for i in range(count)]
    cuts = sorted(draw(st.lists(st.integers(0, count), max_size=3)))
    return cls, items, cuts


@settings(max_examples=150, deadline=None)
@given(case=outcomes(), data=st.data())
def test_the_store_reads_as_the_tuple_of_the_same_outcomes(
    case: tuple[type, list[Any], list[int]], data: st.DataObject
) -> None:
    cls, items, cuts = case
    plain = tuple(items)
    store = outcome_store(cls)
    for start, stop in zip([0, *cuts], [*cuts, len(items)], strict=True):
        store.extend(items[start:stop])  # in the chunks a bulk call's requests give

    reads_as_tuple(store, plain, data)

    compact, reference = RESULTS[cls](store), RESULTS[cls](plain)
    assert compact == reference
    if isinstance(compact, UpsertResult) and isinstance(reference, UpsertResult):
        assert compact.count() == reference.count()
        for status in (*UpsertStatus, "NEW"):
            assert compact.count(status) == reference.count(status)
    same(compact.failed, reference.failed)
    same(compact.unknown, reference.unknown)
    assert compact.ok == reference.ok
    same(pickle.loads(pickle.dumps(compact)).items, plain)
