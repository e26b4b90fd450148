"""The compact store of update and delete outcomes against the plain tuple it stands in for.

``update_many`` and ``delete_many`` (people and companies) name each success by the ref it
addressed. The store keeps such a success as a byte and its ref's identifier (a number, or UTF-8
text) and builds an equal ref when it is read; anything it could not build back exactly is kept
in full. Whatever outcomes go in, in whatever chunks, the store must read exactly as the tuple
would: the same items (same class, every field equal and of the same type, the refs' fields
included), the same slices, repr, counts and pickles. And the refs themselves must not be kept:
a generator's refs are freed once their outcomes are stored.
"""

from __future__ import annotations

import gc
import pickle
import tracemalloc
import weakref
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infobip_profiles import (
    BatchItemResult,
    BatchResult,
    CompanyBatchItemResult,
    CompanyBatchResult,
    CompanyRef,
    IdentifierType,
    PersonRef,
)
from infobip_profiles.errors import ProfilesError
from infobip_profiles.refs import CompanySelector
from infobip_profiles.resources._batch import QueryOutcomes, query_store
from tests._support.outcomes import reads_as_tuple, same

RESULTS = {BatchItemResult: BatchResult, CompanyBatchItemResult: CompanyBatchResult}


class Text(str):
    """A ``str`` subclass: equal to the plain string, but not the same type."""


@attrs.frozen
class MyPersonRef(PersonRef):
    """A ref subclass a user might pass."""


class MyBatchItemResult(BatchItemResult):
    """An outcome subclass (not something the store can build back)."""


def _forged(cls: type, **fields: Any) -> Any:
    """A ref its constructor would refuse (built around it): reading it back must not raise."""
    ref = object.__new__(cls)
    for name, value in fields.items():
        object.__setattr__(ref, name, value)
    return ref


_FORGED_PEOPLE = [
    _forged(PersonRef, identifier="", type=IdentifierType.EMAIL, sender=None),
    _forged(PersonRef, identifier="U1", type=IdentifierType.LINE, sender=None),
    _forged(PersonRef, identifier="U1", type=IdentifierType.LINE, sender=""),
    _forged(PersonRef, identifier="5", type="ID", sender=None),
]
_FORGED_COMPANIES = [
    _forged(CompanyRef, selector=CompanySelector.NAME, value=""),
    _forged(CompanyRef, selector=CompanySelector.ID, value=5),
]

# Identifiers of a ref by id: canonical 64-bit decimals (kept as numbers) and everything that
# only looks like one (kept as text, or in full).
_ID_TEXTS = st.one_of(
    st.integers(-(2**63), 2**63 - 1).map(str),
    st.sampled_from(
        [
            "007",
            "-0",
            "+5",
            " 5",
            "5 ",
            "1_000",
            "٣",
            "9223372036854775808",
            "-9223372036854775809",
            "99999999999999999999999",
            "abc",
            "0",
            "-9223372036854775808",
        ]
    ),
)
_TEXT = st.text(min_size=1, max_size=8)
_ODD_TEXT = st.sampled_from(["\ud800", "é", "😀", "a\x00b", "Ada@Example.COM"])


def _person_refs(counter: list[int]) -> st.SearchStrategy[Any]:
    def next_id(step: int) -> PersonRef:
        counter[0] += step
        return PersonRef.id(counter[0])

    return st.one_of(
        st.integers(1, 3).map(next_id),  # ids in sequence, or nearly
        _ID_TEXTS.map(PersonRef.id),
        _TEXT.map(PersonRef.external_id),
        st.one_of(_TEXT, _ODD_TEXT).map(PersonRef.email),
        _TEXT.map(PersonRef.phone),
        st.tuples(
            st.sampled_from([IdentifierType.LINE, IdentifierType.PUSH]),
            _TEXT,
            st.sampled_from(["app-1", "app-2"]),
        ).map(lambda t: PersonRef.channel(t[0], t[1], sender=t[2])),
        # A sender on a basic type is allowed, and must come back.
        _TEXT.map(lambda s: PersonRef(s, IdentifierType.EMAIL, "s")),
        _TEXT.map(lambda s: PersonRef(Text(s), IdentifierType.EXTERNAL_ID)),
        _ID_TEXTS.map(lambda s: PersonRef(Text(s), IdentifierType.ID)),
        _TEXT.map(lambda s: MyPersonRef(s, IdentifierType.EMAIL)),
        st.just({"identifier": "x", "type": "EMAIL"}),
        st.just(PersonRef("5", IdentifierType.ID, Text("s"))),
        st.sampled_from(_FORGED_PEOPLE),
    )


def _company_refs(counter: list[int]) -> st.SearchStrategy[Any]:
    def next_id(step: int) -> CompanyRef:
        counter[0] += step
        return CompanyRef.id(counter[0])

    return st.one_of(
        st.integers(1, 3).map(next_id),
        _ID_TEXTS.map(CompanyRef.id),
        _TEXT.map(CompanyRef.name),
        st.one_of(_TEXT, _ODD_TEXT).map(CompanyRef.domain),
        _TEXT.map(CompanyRef.external_id),
        _TEXT.map(lambda s: CompanyRef("name", s)),  # type: ignore[arg-type]
        _TEXT.map(lambda s: CompanyRef(CompanySelector.NAME, Text(s))),
        st.just(PersonRef.email("a@example.com")),
        st.sampled_from(_FORGED_COMPANIES),
    )


_ERROR = ProfilesError("the request failed")


@st.composite
def outcome(draw: st.DrawFn, cls: type, index: int, refs: st.SearchStrategy[Any]) -> Any:
    query = draw(st.one_of(st.none(), refs) if draw(st.integers(0, 9)) == 0 else refs)
    values: dict[str, Any] = {"index": index, "ok": True, "status": 200, "query": query}
    if cls is BatchItemResult:
        values["is_modified"] = draw(st.sampled_from([None, None, True, False, 1]))
    if draw(st.integers(0, 3)) == 0:  # anything else: a failure, an unknown, a stray field
        values["status"] = draw(st.sampled_from([200, 204, 404, 409, 0, 200.0, True]))
        values["ok"] = draw(st.sampled_from([True, False, 1]))
        values["errors"] = draw(st.sampled_from([(), ("not found",), []]))
        values["unknown"] = draw(st.booleans())
        values["error"] = draw(st.sampled_from([None, _ERROR]))
        values["id"] = draw(st.sampled_from([None, 7]))
    elif draw(st.integers(0, 2)) == 0:
        values["status"] = draw(st.sampled_from([201, 204]))
    made = cls
    if cls is BatchItemResult and draw(st.integers(0, 19)) == 0:
        made = MyBatchItemResult
    return made(**values)


@st.composite
def outcomes(draw: st.DrawFn) -> tuple[type, list[Any], list[int]]:
    cls = draw(st.sampled_from([BatchItemResult, CompanyBatchItemResult]))
    counter = [draw(st.sampled_from([0, 2**63 - 5, -(2**63), 10**12]))]
    refs = (_person_refs if cls is BatchItemResult else _company_refs)(counter)
    count = draw(st.integers(0, 40))
    items = [draw(outcome(cls, i, refs)) for i in range(count)]
    cuts = sorted(draw(st.lists(st.integers(0, count), max_size=3)))
    return cls, items, cuts


def _filled(cls: type, items: list[Any], cuts: list[int]) -> QueryOutcomes[Any]:
    store = query_store(cls)
    for start, stop in zip([0, *cuts], [*cuts, len(items)], strict=True):
        store.extend(items[start:stop])  # in the chunks a many-item call's requests give
    return store


@settings(max_examples=300, deadline=None)
@given(case=outcomes(), data=st.data())
def test_the_store_reads_as_the_tuple_of_the_same_outcomes(
    case: tuple[type, list[Any], list[int]], data: st.DataObject
) -> None:
    cls, items, cuts = case
    plain = tuple(items)
    store = _filled(cls, items, cuts)

    reads_as_tuple(store, plain, data)

    for status in (200, 201, 204, 404, 409, 0):
        assert store.count_status(status) == sum(1 for o in plain if o.ok and o.status == status)
    same(store.not_ok(), [o for o in plain if not o.ok])

    same(pickle.loads(pickle.dumps(store)), plain)
    compact, reference = RESULTS[cls](store), RESULTS[cls](plain)
    assert compact == reference
    assert repr(compact) == repr(reference)
    again = pickle.loads(pickle.dumps(compact))
    assert again == reference
    same(again.items, plain)
    same(compact.succeeded, reference.succeeded)
    same(compact.failed, reference.failed)
    same(compact.unknown, reference.unknown)


def _successes(refs: list[Any], cls: type = BatchItemResult, offset: int = 0) -> list[Any]:
    return [cls(index=i, ok=True, status=200, query=ref) for i, ref in enumerate(refs, offset)]


@pytest.mark.parametrize(
    ("cls", "make"),
    [
        (BatchItemResult, lambda i: PersonRef.id(1000 + i)),
        (BatchItemResult, lambda i: PersonRef.email(f"user{i}@example.com")),
        (BatchItemResult, lambda i: PersonRef.channel("LINE", f"U{i}", sender="app")),
        (CompanyBatchItemResult, lambda i: CompanyRef.id(7 * i)),
        (CompanyBatchItemResult, lambda i: CompanyRef.domain(f"c{i}.example")),
    ],
    ids=["person-id", "email", "channel", "company-id", "domain"],
)
def test_the_refs_of_stored_successes_are_not_kept(cls: type, make: Any) -> None:
    refs = [make(i) for i in range(2000)]
    watched = [weakref.ref(r) for r in refs]
    expected = _successes([make(i) for i in range(2000)], cls)  # equal refs, other objects
    store = query_store(cls)
    for start in range(0, 2000, 1000):
        store.extend(_successes(refs[start : start + 1000], cls, start))
    del refs
    gc.collect()

    assert not store._full
    assert all(w() is None for w in watched)  # freed: the store holds no ref
    assert list(store) == expected  # ...and builds equal ones back


def test_a_failure_keeps_its_ref_in_full() -> None:
    ref = PersonRef.email("gone@example.com")
    watched = weakref.ref(ref)
    store = query_store(BatchItemResult)
    store.extend([BatchItemResult(index=0, ok=False, status=404, errors=("nope",), query=ref)])
    del ref
    gc.collect()
    assert watched() is not None
    assert store[0].query is watched()


def _retained(cls: type, refs: list[Any]) -> float:
    """Bytes per outcome the store keeps, fed its outcomes a chunk at a time."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        store = query_store(cls)
        for start in range(0, len(refs), 1000):
            store.extend(_successes(refs[start : start + 1000], cls, start))
        gc.collect()
        size = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(store) == len(refs)
    return size / len(refs)


def test_refs_by_id_in_sequence_cost_next_to_nothing() -> None:
    refs = [PersonRef.id(5000 + i) for i in range(20_000)]
    assert _retained(BatchItemResult, refs) < 0.5  # one run, whatever the count
    store = query_store(BatchItemResult)
    store.extend(_successes(refs))
    assert len(store._run_starts) == 1


def test_refs_by_email_cost_their_text_and_a_few_bytes() -> None:
    refs = [PersonRef.email(f"user{i:06}@example.com") for i in range(20_000)]
    text = len(refs[0].identifier)
    # The identifier as UTF-8 and its end (4 bytes), and the buffers' growth room; an outcome
    # object is ~250 bytes.
    assert _retained(BatchItemResult, refs) < text + 10


def test_refs_by_id_in_no_order_cost_a_run_each() -> None:
    refs = [PersonRef.id((i * 7919) % 20_011) for i in range(20_000)]
    assert _retained(BatchItemResult, refs) < 15  # start, code and id: 13 bytes


def test_more_kinds_than_the_table_holds_are_kept_in_full() -> None:
    refs = [PersonRef.channel("LINE", f"U{i}", sender=f"app-{i}") for i in range(400)]
    given = _successes(refs)
    store = query_store(BatchItemResult)
    store.extend(given)
    assert list(store) == given
    assert repr(store) == repr(tuple(given))
    assert 0 < len(store._full) < 400


@pytest.mark.parametrize("cls", [BatchItemResult, CompanyBatchItemResult])
def test_failed_unknown_and_ok_do_not_build_the_successes(cls: type) -> None:
    ref = PersonRef.id if cls is BatchItemResult else CompanyRef.id
    given = _successes([ref(i + 1) for i in range(3000)], cls)
    given[7] = cls(index=7, ok=False, status=404, errors=("gone",), query=ref(8))
    given[9] = cls(index=9, ok=False, status=0, query=ref(10), unknown=True, error=_ERROR)
    store = query_store(cls)
    store.extend(given)

    def refuse(*args: Any) -> Any:
        raise AssertionError("a success was built")

    store._build = refuse
    result = RESULTS[cls](store)
    assert result.failed == [given[7], given[9]]
    assert result.unknown == [given[9]]
    assert not result.ok
    assert store.kept() == [given[7], given[9]]
