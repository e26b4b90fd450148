"""Batch outcome mapping shared by the people and company batch calls.

A batch response lists per-item results (by index, or named by the query they addressed); every
input item gets exactly one outcome, in input order, and an item the response does not mention
succeeded. The item types differ per family, so callers pass how to build an outcome.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, Literal, TypeVar

import attrs

from .._plan import Call, JSONBody, Plan, json_of
from ..errors import (
    APIConnectionError,
    APIError,
    PartialBatchError,
    ProfilesError,
    UnexpectedResponseError,
    ValidationError,
)
from ..refs import CompanyRef, CompanySelector, IdentifierType, PersonRef
from ._base import chunked

__all__ = [
    "results_of",
    "by_index",
    "in_order",
    "Outcomes",
    "OnError",
    "check_on_error",
    "may_have_been_applied",
    "chunk_failed",
    "status_of",
    "text_of",
    "RequestFailures",
    "send_all",
    "requests_hint",
    "CompactOutcomes",
    "QueryOutcomes",
    "query_store",
    "encode_all",
    "json_array_body",
    "stream_many",
    "send_refs",
    "person_query",
    "NotSent",
    "batch_store",
    "is_strict",
    "refused_item",
]

#: What a many-item call does when one of its requests fails after an earlier one was sent:
#: ``"continue"`` marks that request's items and sends the rest; ``"raise"`` stops with a
#: :class:`~infobip_profiles.PartialBatchError` carrying every outcome so far.
OnError = Literal["continue", "raise"]

T = TypeVar("T")
R = TypeVar("R")

#: Builds an item's outcome from its position in the chunk, its status and its result entry.
Outcome = Callable[[int, int, Mapping[str, Any]], T]


def results_of(body: Any) -> list[Any]:
    """The ``results`` entries of a batch response body (none when it is empty)."""
    return list((body or {}).get("results") or [])


def by_index(body: Any, count: int, outcome: Outcome[T], default: Callable[[int], T]) -> list[T]:
    """Outcomes of a chunk of ``count`` items whose results name items by ``index``.

    A result whose index is outside the chunk is ignored; an item without a result gets
    ``default(i)`` (the API may list failures only).
    """
    outcomes: dict[int, T] = {}
    for res in results_of(body):
        index = int(res.get("index", -1))
        if not 0 <= index < count:
            continue
        outcomes[index] = outcome(index, int(res.get("status", 200)), res)
    return in_order(outcomes, [], count, default)


def in_order(
    outcomes: Mapping[int, T], unplaced: list[Any], count: int, default: Callable[[int], T]
) -> list[T]:
    """One outcome per item of the chunk, in order; ``default(i)`` for an item not mentioned.

    ``unplaced`` are results that could not be tied to an input item: they are never dropped
    silently but reported as a :class:`~infobip_profiles.ProfilesError` (not a ValidationError:
    the request was sent and may have been applied in part).
    """
    if unplaced:
        raise ProfilesError(
            f"the API reported {len(unplaced)} batch failure(s) for queries not in the request: "
            f"{unplaced!r}"
        )
    return [outcomes.get(i) or default(i) for i in range(count)]


_NO_ID = -(2**63)  # the id column's "None"
_FAILED = 255  # the status column's "kept in full"


class CompactOutcomes(Sequence[T]):
    """One outcome per item, in input order, with successes stored as columns.

    A plain success (``ok``, an ``id`` and a ``status``, nothing else) costs one byte (its
    status, naming an entry of a small table) plus its share of an id run: ids are kept as runs
    of consecutive values (``12``, ``13``, ``14``... is one run of 12 bytes), so a batch whose ids
    the service assigned in sequence costs about a byte per item and ids in no order at most 13.
    Any other outcome (a failure, an ``unknown`` item, an id that is not a 64-bit integer) is kept
    in full. An outcome object is built when you read it (``result[i]``, iteration); equal items
    compare equal, so the result reads exactly as a tuple of outcome objects would. A million
    upserted persons take 1 to 13 MB here instead of about 200 MB of objects.

    ``make(index, id, status)`` builds a success; ``plain(outcome)`` says whether an outcome is
    exactly what ``make`` would build from its index, id and ``status_of(outcome)`` (``None`` for
    outcomes without a status, as merge's).
    """

    __slots__ = (
        "_codes",
        "_full",
        "_make",
        "_plain",
        "_run_ids",
        "_run_starts",
        "_status_of",
        "_statuses",
    )

    def __init__(
        self,
        make: Callable[[int, int | None, Any], T],
        status_of: Callable[[T], Any],
        plain: Callable[[T], bool],
    ) -> None:
        self._run_starts = array("I")  # the position where each id run starts
        self._run_ids = array("q")  # its first id (_NO_ID: a run of positions without one)
        self._codes = bytearray()
        self._full: dict[int, T] = {}
        self._statuses: list[Any] = []
        self._make = make
        self._status_of = status_of
        self._plain = plain

    def _code(self, status: Any) -> int:
        for code, known in enumerate(self._statuses):
            if known is status or (type(known) is type(status) and known == status):
                return code
        if len(self._statuses) >= _FAILED:
            return _FAILED
        self._statuses.append(status)
        return len(self._statuses) - 1

    def extend(self, outcomes: Iterable[T]) -> None:
        """Append outcomes, in order (each ``index`` must be the next position)."""
        codes, full, plain, status_of = self._codes, self._full, self._plain, self._status_of
        starts, run_ids = self._run_starts, self._run_ids
        last: Any = _FAILED
        last_code = _FAILED
        if run_ids:
            run_start, run_id = starts[-1], run_ids[-1]
        else:
            run_start, run_id = 0, None
        for outcome in outcomes:
            position = len(codes)
            ident: Any = getattr(outcome, "id", None)
            code = _FAILED
            if (
                (ident is None or (type(ident) is int and _NO_ID < ident < 2**63))
                and getattr(outcome, "index", None) == position
                and plain(outcome)
            ):
                status = status_of(outcome)
                if status is last:
                    code = last_code
                else:
                    code = last_code = self._code(status)
                    last = status
            if code == _FAILED:
                full[position] = outcome
                ident = _NO_ID
            elif ident is None:
                ident = _NO_ID
            if run_id is None or not (
                ident == run_id + (position - run_start) if run_id != _NO_ID else ident == _NO_ID
            ):
                starts.append(position)
                run_ids.append(ident)
                run_start, run_id = position, ident
            codes.append(code)

    def _at(self, position: int) -> T:
        code = self._codes[position]
        if code == _FAILED:
            return self._full[position]
        run = bisect_right(self._run_starts, position) - 1
        first = self._run_ids[run]
        ident = None if first == _NO_ID else first + (position - self._run_starts[run])
        return self._make(position, ident, self._statuses[code])

    def __len__(self) -> int:
        return len(self._codes)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return tuple(self._at(i) for i in range(*index.indices(len(self))))
        position = index.__index__()
        if position < 0:
            position += len(self)
        if not 0 <= position < len(self):
            raise IndexError("outcome index out of range")
        return self._at(position)

    def __iter__(self) -> Iterator[T]:
        return (self._at(i) for i in range(len(self._codes)))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (CompactOutcomes, tuple, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __reduce__(self) -> Any:
        return (tuple, (tuple(self),))

    def count_status(self, status: Any) -> int:
        """How many outcomes are ``ok`` with ``status``, without building them."""
        total = sum(
            1
            for o in self._full.values()
            if getattr(o, "ok", False) and self._status_of(o) == status
        )
        for code, known in enumerate(self._statuses):
            if known == status:
                total += self._codes.count(code)
        return total

    def not_ok(self) -> list[T]:
        """The outcomes that are not ``ok``, in order, without building the others."""
        return [o for o in self.kept() if not getattr(o, "ok", False)]

    def kept(self) -> list[T]:
        """The outcomes kept in full, in order: every one that is not ``ok``, ``unknown`` or
        otherwise unusual (a stored success is always ``ok`` and never ``unknown``)."""
        return [o for _, o in sorted(self._full.items())]


_INT64 = range(-(2**63), 2**63)


def _int64(text: str) -> int | None:
    """The 64-bit integer ``text`` is the canonical decimal of (``"42"``, ``"-7"``; not ``"007"``,
    ``"+1"``, ``" 1"``, ``"1_0"``), else ``None``."""
    if not 0 < len(text) <= 20:
        return None
    try:
        number = int(text)
    except ValueError:
        return None
    if number not in _INT64 or str(number) != text:
        return None
    return number


#: What a query column stores of a ref: its class, the kind of identifier (an
#: :class:`~infobip_profiles.refs.IdentifierType` or a company selector), the sender, and whether
#: the identifier is kept as a number.
_Kind = tuple[type, Any, "str | None", bool]


def _split_ref(ref: Any) -> tuple[_Kind, int | str] | None:
    """``(kind, value)`` of a :class:`PersonRef` or :class:`CompanyRef` that :func:`_join_ref`
    builds back equal (same class, same field values and types), or ``None`` for anything else
    (a subclass, a field of an unexpected type, a ref its constructor would refuse): such an
    outcome is kept in full."""
    cls = type(ref)
    if cls is PersonRef:
        text, kind, sender = ref.identifier, ref.type, ref.sender
        if type(kind) is not IdentifierType or (
            (sender is not None and type(sender) is not str) or (not sender and kind.needs_sender)
        ):
            return None
        numeric = kind is IdentifierType.ID
    elif cls is CompanyRef:
        text, kind, sender = ref.value, ref.selector, None
        if type(kind) is not CompanySelector:
            return None
        numeric = kind is CompanySelector.ID
    else:
        return None
    if type(text) is not str or not text:
        return None
    if numeric:
        number = _int64(text)
        if number is not None:
            return (cls, kind, sender, True), number
    return (cls, kind, sender, False), text


def _join_ref(kind: _Kind, text: str) -> Any:
    """The ref of ``kind`` whose identifier is ``text`` (what :func:`_split_ref` took apart)."""
    cls, what, sender, _ = kind
    if cls is PersonRef:
        return PersonRef(text, what, sender)
    return CompanyRef(what, text)


class QueryOutcomes(CompactOutcomes[T]):
    """One outcome per item, in input order, for calls whose successes name the ref they
    addressed (batch update and delete of people and companies).

    A plain success (``ok``, a ``status``, the ``query`` ref, maybe ``is_modified``, nothing
    else) is stored as a code naming an entry of a small table of ``(status, is_modified, kind
    of ref)``, plus its ref's identifier: an id that is the canonical decimal of a 64-bit
    integer is kept as a number, any other identifier as UTF-8 text in one shared buffer (its
    length in bytes plus 4). Outcomes are kept as runs: consecutive positions with the same code
    and ids in sequence (or texts, which always follow each other) are one run of 13 bytes, so
    refs by ids in sequence cost next to nothing and ids in no order 13 bytes each. The refs
    themselves are not kept: an equal ref is built when the outcome is read. Anything else (a
    failure, a ref subclass, an identifier that is not a plain ``str``, more than 254 kinds of
    success) is kept in full.

    ``make(index, status, is_modified, query)`` builds a success; ``plain(outcome)`` says
    whether an outcome is exactly what ``make`` would build from its fields.
    """

    # Here _run_starts, _codes and _run_ids hold one entry per run: where it starts, its code,
    # and the value of its first position (an id, or the number of a text; 0 when none).
    __slots__ = ("_build", "_count", "_ends", "_keys", "_text")

    def __init__(
        self,
        make: Callable[[int, int, bool | None, Any], T],
        plain: Callable[[T], bool],
    ) -> None:
        super().__init__(_no_make, _status_field, plain)
        self._build = make
        self._count = 0
        self._keys: dict[tuple[Any, ...], int] = {}
        self._text = bytearray()  # the text identifiers, one after the other
        self._ends = array("I")  # where each ends in _text

    def _key_code(self, key: tuple[Any, ...]) -> int:
        code = self._keys.get(key)
        if code is None:
            if len(self._statuses) >= _FAILED:
                return _FAILED
            code = self._keys[key] = len(self._statuses)
            self._statuses.append(key)
        return code

    def extend(self, outcomes: Iterable[T]) -> None:
        """Append outcomes, in order (each ``index`` must be the next position)."""
        full, plain = self._full, self._plain
        starts, codes, values = self._run_starts, self._codes, self._run_ids
        text, ends = self._text, self._ends
        position = self._count
        if codes:
            run_start, run_code, run_value = starts[-1], codes[-1], values[-1]
        else:
            run_start, run_code, run_value = 0, -1, 0
        for outcome in outcomes:
            code = _FAILED
            value: int | None = None  # None: the code says there is no value
            if getattr(outcome, "index", None) == position and plain(outcome):
                query: Any = getattr(outcome, "query", None)
                split = None if query is None else _split_ref(query)
                if query is None or split is not None:
                    status: Any = getattr(outcome, "status", None)
                    modified: Any = getattr(outcome, "is_modified", None)
                    kind = None if split is None else split[0]
                    # Exact types only: the table must not fold 1 into True, or 200.0 into 200.
                    if type(status) is int and (
                        modified is None or modified is True or modified is False
                    ):
                        code = self._key_code((status, modified, kind))
                    if code != _FAILED and split is not None:
                        ident = split[1]
                        if type(ident) is int:
                            value = ident
                        else:
                            try:
                                text += ident.encode("utf-8")  # type: ignore[union-attr]
                            except UnicodeEncodeError:  # a lone surrogate: keep it in full
                                code = _FAILED
                            else:
                                if len(text) >= 2**32 and ends.typecode == "I":
                                    ends = self._ends = array("q", ends)  # over 4 GB of text
                                value = len(ends)
                                ends.append(len(text))
            if code == _FAILED:
                full[position] = outcome
            if code != run_code or (
                value is not None and value != run_value + (position - run_start)
            ):
                run_start, run_code, run_value = position, code, 0 if value is None else value
                starts.append(run_start)
                codes.append(run_code)
                values.append(run_value)
            position += 1
        self._count = position

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[T]:
        # Run by run: no search per item.
        starts, codes, values, count = self._run_starts, self._codes, self._run_ids, self._count
        build, full, query = self._build, self._full, self._query
        for run in range(len(starts)):
            start = starts[run]
            stop = starts[run + 1] if run + 1 < len(starts) else count
            code = codes[run]
            if code == _FAILED:
                yield from (full[position] for position in range(start, stop))
                continue
            status, modified, kind = self._statuses[code]
            first = values[run] - start
            for position in range(start, stop):
                ref = None if kind is None else query(kind, first + position)
                yield build(position, status, modified, ref)

    def _at(self, position: int) -> T:
        run = bisect_right(self._run_starts, position) - 1
        code = self._codes[run]
        if code == _FAILED:
            return self._full[position]
        status, modified, kind = self._statuses[code]
        value = self._run_ids[run] + (position - self._run_starts[run])
        query = None if kind is None else self._query(kind, value)
        return self._build(position, status, modified, query)

    def _query(self, kind: _Kind, value: int) -> Any:
        """The ref of ``kind`` whose identifier is ``value`` (an id, or the number of a text)."""
        if kind[3]:
            return _join_ref(kind, str(value))
        ends = self._ends
        start = ends[value - 1] if value else 0
        return _join_ref(kind, self._text[start : ends[value]].decode("utf-8"))

    def count_status(self, status: Any) -> int:
        """How many outcomes are ``ok`` with ``status``, without building them."""
        total = sum(
            1
            for o in self._full.values()
            if getattr(o, "ok", False) and getattr(o, "status", None) == status
        )
        matching = {code for code, key in enumerate(self._statuses) if key[0] == status}
        if matching:
            starts = self._run_starts
            ends = [*starts[1:], self._count]
            for run, code in enumerate(self._codes):
                if code in matching:
                    total += ends[run] - starts[run]
        return total


def _status_field(outcome: Any) -> Any:
    return outcome.status


def _no_make(index: int, ident: int | None, status: Any) -> Any:
    raise AssertionError("QueryOutcomes builds its outcomes itself")


class Outcomes(Generic[T]):
    """The outcomes of a call made of several requests, gathered in order, decoded off the caller's
    thread.

    While request ``k + 1`` is on the wire (the calling thread waits on the socket and holds no
    interpreter lock), a helper thread turns the answer to request ``k`` into outcome objects, so
    decoding costs no time of its own (``docs/performance.md``). Requests still go one at a time,
    in order. A call of one request decodes on the calling thread, and an outcome that must be
    decided at once (a failed first request raises) is added with :meth:`now`.
    """

    def __init__(self, requests: int, store: CompactOutcomes[T] | None = None) -> None:
        self._parts: list[Future[list[T]] | list[T]] = []
        self._store = store
        self._pool = (
            ThreadPoolExecutor(1, thread_name_prefix="infobip-profiles-decode")
            if requests > 1
            else None
        )

    def now(self, items: list[T]) -> None:
        """Add outcomes decided already."""
        self._parts.append(items)
        self._drain(wait=False)

    def later(self, decode: Callable[..., list[T]], *args: Any) -> None:
        """Add the outcomes ``decode(*args)`` will give, computed on the helper thread."""
        if self._pool is None:
            self._parts.append(decode(*args))
        else:
            self._parts.append(self._pool.submit(decode, *args))
        self._drain(wait=False)

    def _drain(self, *, wait: bool) -> None:
        """With a store: move the finished parts at the front into it, in order, so at most the
        chunks still being decoded exist as outcome objects."""
        if self._store is None:
            return
        parts = self._parts
        done = 0
        for part in parts:
            if isinstance(part, Future):
                if not wait and not part.done():
                    break
                self._store.extend(part.result())
            else:
                self._store.extend(part)
            done += 1
        del parts[:done]

    def collect(self) -> Sequence[T]:
        """Every outcome, in the order added (waits for the helper; re-raises what it raised):
        a list, or the store given."""
        if self._store is not None:
            self._drain(wait=True)
            return self._store
        out: list[T] = []
        for part in self._parts:
            out.extend(part.result() if isinstance(part, Future) else part)
        return out

    def __enter__(self) -> Outcomes[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        # Also when the caller stops early (an error, a plan closed): no thread is left behind.
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def check_on_error(on_error: str) -> None:
    """Refuse an ``on_error`` that is neither ``"continue"`` nor ``"raise"``."""
    if on_error not in ("continue", "raise"):
        raise ValidationError("on_error must be 'continue' or 'raise'", field="on_error")


def may_have_been_applied(error: ProfilesError) -> bool:
    """Whether a request that failed with ``error`` may still have been applied by the service.

    A connection lost (or a timeout) after the request went out, a 5xx, and a success whose
    answer could not be read (an :class:`~infobip_profiles.UnexpectedResponseError`) leave it
    open; an error before sending, and any 4xx (the service refused it), do not.
    """
    if isinstance(error, APIConnectionError):
        return error.request_sent
    if isinstance(error, UnexpectedResponseError):
        return True
    if isinstance(error, APIError):
        return error.status_code >= 500
    return False


def chunk_failed(
    make: Callable[..., T],
    error: ProfilesError,
    offset: int,
    count: int,
    refs: Sequence[Any] | None = None,
) -> list[T]:
    """Outcomes (built by ``make``, an item result class) of a chunk of ``count`` items at
    ``offset`` whose whole request failed with ``error``: not ok, ``unknown`` when it may have
    been applied (see :class:`RequestFailures`), each with the ref it addressed when ``refs``."""
    unknown = may_have_been_applied(error)
    status, text = status_of(error), text_of(error)
    return [
        make(
            index=offset + i,
            ok=False,
            status=status,
            errors=(text,),
            query=refs[i] if refs is not None else None,
            unknown=unknown,
            error=error,
        )
        for i in range(count)
    ]


def status_of(error: ProfilesError) -> int:
    """The HTTP status of a failed request, or 0 when no answer came back."""
    return error.status_code if isinstance(error, APIError) else 0


def text_of(error: ProfilesError) -> str:
    """The message an item of a failed request carries."""
    text = error.text if isinstance(error, APIError) else str(error)
    if may_have_been_applied(error):
        return f"may have been applied: {text}"
    return text


def requests_hint(items: Iterable[Any], size: int) -> int:
    """How many requests ``items`` take at ``size`` per request; 2 (several) when unsized."""
    try:
        count = len(items)  # type: ignore[arg-type]
    except TypeError:
        return 2
    return -(-count // size)


class RequestFailures:
    """The rule every many-item call follows when one of its requests fails.

    * The call's first request failing raises its error unchanged: no outcome is known yet, and
      the error says whether the request may have reached the service.
    * A later request failing no longer raises by default (``on_error="continue"``): its items
      come back not ok, ``unknown=True`` when the request may have been applied (see
      :func:`may_have_been_applied`), and the remaining requests are still sent.
    * With ``on_error="raise"``, the call stops there with a
      :class:`~infobip_profiles.PartialBatchError` whose ``result`` holds every outcome so far.
    """

    def __init__(self, on_error: str) -> None:
        check_on_error(on_error)
        self.on_error = on_error
        self.sent = False

    def failed(self, error: ProfilesError) -> None:
        """Called for a failed request, before its items are marked: raises if it was the first."""
        first, self.sent = not self.sent, True
        if first:
            raise error

    def succeeded(self) -> None:
        """Called for a request that was answered."""
        self.sent = True

    def after(
        self, error: ProfilesError, offset: int, count: int, result: Callable[[], Any]
    ) -> None:
        """Called once the failed request's items are marked: raises with ``on_error="raise"``."""
        if self.on_error == "raise":
            what = "may have been applied" if may_have_been_applied(error) else "failed"
            raise PartialBatchError(
                f"the request carrying items {offset} to {offset + count - 1} {what}: {error}",
                result=result(),
                error=error,
                offset=offset,
                count=count,
            ) from error


class NotSent(Exception):
    """Raised by the calls given to :func:`send_all` for a chunk the client's checks refused:
    ``error`` is placed at item ``index``; the chunk of ``count`` items at ``offset`` is not sent."""

    def __init__(self, error: Exception, index: int, offset: int, count: int) -> None:
        super().__init__(str(error))
        self.error, self.index, self.offset, self.count = error, index, offset, count


def person_query(ref: Any) -> dict[str, Any]:
    """``{"query": <the ref on the wire>}`` of a :class:`~infobip_profiles.PersonRef`."""
    if not isinstance(ref, PersonRef):
        raise TypeError(f"expected a PersonRef, got {type(ref).__name__}")
    return {"query": ref.to_wire()}


def send_refs(
    refs: Iterable[Any], size: int, strict: bool, build: Callable[[list[Any]], Call]
) -> Plan[None]:
    """Send people ``refs``, ``size`` per request (``build`` makes the request of a chunk's
    wire queries), with :func:`send_all`'s failure rule.

    ``strict``: every ref is checked first (a bad one raises :class:`TypeError`, nothing is
    sent). Otherwise refs are read and checked chunk by chunk: a bad ref in the first chunk
    raises the same way; in a later chunk the call stops with a
    :class:`~infobip_profiles.PartialBatchError` (the chunks before it were applied, its own
    was not sent).
    """
    source: Iterable[Any] = encode_all(refs, person_query) if strict else refs

    def calls() -> Iterator[tuple[int, int, Call]]:
        for offset, chunk in chunked(source, size):
            if not strict:
                entries = []
                for i, ref in enumerate(chunk):
                    try:
                        entries.append(person_query(ref))
                    except TypeError as error:
                        placed = TypeError(f"item {offset + i}: {error}")
                        raise NotSent(placed, offset + i, offset, len(chunk)) from None
                chunk = entries
            yield offset, len(chunk), build(chunk)

    return (yield from send_all(calls()))


def send_all(calls: Iterable[tuple[int, int, Call]]) -> Plan[None]:
    """Send ``(offset, count, call)`` requests in order, for a many-item call with no per-item
    outcome (tagging people, company membership).

    The first request failing raises its error unchanged. A later one failing raises a
    :class:`~infobip_profiles.PartialBatchError` (``result`` is ``None``): the items before its
    ``offset`` were applied, and its own ``count`` items failed or may have been applied (said in
    the message), so the caller is never left to guess how far the call got.
    """
    sent = False
    pending = iter(calls)
    while True:
        try:
            offset, count, call = next(pending)
        except StopIteration:
            break
        except NotSent as refusal:
            if not sent:
                raise refusal.error from None
            placed = refusal.error
            error = (
                placed
                if isinstance(placed, ValidationError)
                else ValidationError(str(placed), index=refusal.index)
            )
            raise PartialBatchError(
                f"items 0 to {refusal.offset - 1} were applied; the request carrying items "
                f"{refusal.offset} to {refusal.offset + refusal.count - 1} was not sent: "
                f"{placed}",
                result=None,
                error=error,
                offset=refusal.offset,
                count=refusal.count,
            ) from placed
        try:
            yield call
        except (APIError, APIConnectionError) as error:
            if not sent:
                raise
            what = "may have been applied" if may_have_been_applied(error) else "failed"
            raise PartialBatchError(
                f"items 0 to {offset - 1} were applied; the request carrying items {offset} "
                f"to {offset + count - 1} {what}: {error}",
                result=None,
                error=error,
                offset=offset,
                count=count,
            ) from error
        sent = True
    return None


def encode_all(items: Iterable[T], encode: Callable[[T], R]) -> list[R]:
    """``encode`` each item, in order; a :class:`ValidationError` or :class:`TypeError` names the
    position of the item that raised it (among 100,000 persons, "firstName" alone finds nothing)."""
    out: list[R] = []
    append = out.append
    try:
        for item in items:
            append(encode(item))
    except ValidationError as error:
        raise error.at(len(out)) from None
    except TypeError as error:
        raise TypeError(f"item {len(out)}: {error}") from None
    return out


def json_array_body(key: str, texts: Sequence[str]) -> JSONBody:
    """``{"<key>": [...]}`` from items already encoded as JSON text."""
    return JSONBody(('{"' + key + '":[' + ",".join(texts) + "]}").encode())


#: Turns one input item into its JSON text and the ref its outcome names (``None`` when the
#: answer names outcomes by index); raises ValidationError or TypeError for a bad item.
Prepare = Callable[[Any], "tuple[str, Any]"]
#: Builds the outcomes of one answered request: ``(body, offset, refs, count)`` gives ``count``
#: outcomes indexed from ``offset`` (``refs`` are the sent items' refs, or ``None``).
Decode = Callable[[Any, int, "Sequence[Any] | None", int], "list[T]"]


def is_strict(strict: bool | None, items: Iterable[Any]) -> bool:
    """``strict`` as given, or, when ``None``: check every item first when ``items`` is a
    sequence already in memory, read chunk by chunk otherwise."""
    if strict is None:
        return isinstance(items, Sequence)
    return bool(strict)


def placed_refusal(error: ValidationError | TypeError, index: int) -> Exception:
    """The exception a pre-send refusal of item ``index`` raises, naming that item."""
    if isinstance(error, ValidationError):
        return error.at(index)
    return TypeError(f"item {index}: {error}")


def refused_item(make: Callable[..., T], index: int, error: Exception, ref: Any = None) -> T:
    """The outcome of an item the client's checks kept back (not sent): not ok, status 0."""
    placed: Exception = error.at(index) if isinstance(error, ValidationError) else error
    return make(
        index=index,
        ok=False,
        status=0,
        errors=(f"not sent: refused by the client's checks: {error}",),
        query=ref,
        error=placed if isinstance(placed, ProfilesError) else None,
    )


def _prepare_chunk(
    chunk: Sequence[Any], offset: int, prepare: Prepare, make: Callable[..., Any]
) -> tuple[list[str], list[Any], list[int], dict[int, Any], Exception | None]:
    """Check and encode one chunk just before its request: texts, refs and chunk positions of
    the items to send, outcomes of the refused ones, and the first refusal (placed)."""
    texts: list[str] = []
    refs: list[Any] = []
    positions: list[int] = []
    refused: dict[int, Any] = {}
    first: Exception | None = None
    for i, item in enumerate(chunk):
        try:
            text, ref = prepare(item)
        except (ValidationError, TypeError) as error:
            refused[i] = refused_item(make, offset + i, error)
            first = first or placed_refusal(error, offset + i)
            continue
        texts.append(text)
        refs.append(ref)
        positions.append(i)
    return texts, refs, positions, refused, first


def _placed(
    answered: list[Any], offset: int, positions: Sequence[int], refused: Mapping[int, Any]
) -> list[Any]:
    """The chunk's outcomes in order: answered ones (indexed within the request) moved to their
    input positions among the refused ones."""
    out: dict[int, Any] = dict(refused)
    for outcome in answered:
        position = positions[outcome.index]
        out[position] = attrs.evolve(outcome, index=offset + position)
    return [out[i] for i in range(len(positions) + len(refused))]


def _answered(
    decode: Decode[T],
    body: Any,
    offset: int,
    refs: Sequence[Any] | None,
    positions: Sequence[int],
    refused: Mapping[int, Any],
) -> list[T]:
    if not refused:
        return decode(body, offset, refs, len(positions))
    return _placed(decode(body, 0, refs, len(positions)), offset, positions, refused)


def stream_many(
    op_id: str,
    items: Iterable[Any],
    *,
    key: str,
    size: int,
    prepare: Prepare,
    decode: Decode[T],
    make: Callable[..., T],
    named: bool,
    strict: bool,
    failures: RequestFailures,
    options: Any,
    store: CompactOutcomes[T],
    wrap: Callable[[Sequence[T]], R],
) -> Generator[Call, Any, R]:
    """Send ``items`` as ``{"<key>": [...]}`` requests of ``op_id``, ``size`` per request, read
    chunk by chunk: each chunk is checked and encoded (``prepare``) just before its request, so
    memory holds about one chunk's input and encoding plus the result (``store``).

    ``strict``: every item is checked and encoded first, the first bad one raises and nothing is
    sent (the whole encoding is held). Otherwise a bad item is not sent and gets a failed
    outcome of its own; the first refusal is raised only when no request was sent at all.
    ``named``: the outcomes name the ref each item addressed (update, delete).
    A request failing follows ``failures`` (see :class:`RequestFailures`).
    """
    hint = requests_hint(items, size)
    source: Iterable[Any] = encode_all(items, prepare) if strict else _placed_reads(items)
    sent = False
    first_refusal: Exception | None = None
    with Outcomes[T](hint, store) as outcomes:
        for offset, chunk in chunked(source, size):
            if strict:
                texts = [text for text, _ in chunk]
                refs: list[Any] = [ref for _, ref in chunk]
                positions: Sequence[int] = range(len(chunk))
                refused: dict[int, Any] = {}
            else:
                texts, refs, positions, refused, first = _prepare_chunk(
                    chunk, offset, prepare, make
                )
                first_refusal = first_refusal or first
            del chunk
            count = len(positions) + len(refused)
            if not texts:
                outcomes.now([refused[i] for i in range(count)])
                continue
            sent = True
            body = json_array_body(key, texts)
            del texts
            try:
                response = yield Call(op_id, body=body, options=options)
            except (APIError, APIConnectionError) as error:
                failures.failed(error)
                lost = chunk_failed(make, error, 0, len(positions), refs if named else None)
                placed = _placed(lost, offset, positions, refused)
                outcomes.now(placed)
                failures.after(error, offset, count, lambda: wrap(outcomes.collect()))
                continue
            failures.succeeded()
            outcomes.later(
                _answered,
                decode,
                json_of(response),
                offset,
                refs if named else None,
                positions,
                refused,
            )
        if not sent and first_refusal is not None:
            raise first_refusal
        return wrap(outcomes.collect())


def _placed_reads(items: Iterable[T]) -> Iterator[T]:
    """``items`` one by one; a ``ValidationError`` or ``TypeError`` raised by reading them (a
    generator building a bad ref) is placed at the position of the item being read, as
    :func:`encode_all` places it for a sequence."""
    read = 0
    try:
        for item in items:
            yield item
            read += 1
    except ValidationError as error:
        raise error.at(read) from None
    except TypeError as error:
        raise TypeError(f"item {read}: {error}") from None


def _plain_batch(outcome: Any) -> bool:
    """A v2 batch success with nothing to it but its index, id and status."""
    return bool(
        outcome.ok
        and not outcome.errors
        and outcome.query is None
        and getattr(outcome, "is_modified", None) is None
        and not outcome.unknown
        and outcome.error is None
    )


def batch_store(cls: Callable[..., T]) -> CompactOutcomes[T]:
    """A compact store of v2 batch outcomes (``BatchItemResult``, ``CompanyBatchItemResult``):
    a success with only an index, an id and a status costs a status byte and its share of an
    id run (at most 13 bytes)."""
    return CompactOutcomes(
        lambda i, ident, status: cls(index=i, ok=True, status=status, id=ident),
        lambda o: o.status,
        _plain_batch,
    )


def query_store(cls: Callable[..., T]) -> QueryOutcomes[T]:
    """A compact store of batch update and delete outcomes (``BatchItemResult``,
    ``CompanyBatchItemResult``): a success naming the ref it addressed costs a byte plus its
    ref's identifier (see :class:`QueryOutcomes`)."""
    modifies = "is_modified" in attrs.fields_dict(cls)  # type: ignore[arg-type]

    def make(index: int, status: int, modified: bool | None, query: Any) -> T:
        if modifies:
            return cls(index=index, ok=True, status=status, query=query, is_modified=modified)
        return cls(index=index, ok=True, status=status, query=query)

    def plain(outcome: Any) -> bool:
        """Exactly what ``make`` builds from its fields: the class itself, every field but
        ``status``, ``query`` and ``is_modified`` at its default (the store checks those)."""
        return bool(
            type(outcome) is cls
            and type(outcome.index) is int
            and outcome.ok is True
            and type(outcome.errors) is tuple
            and not outcome.errors
            and outcome.id is None
            and outcome.unknown is False
            and outcome.error is None
        )

    return QueryOutcomes(make, plain)
