"""How the answers of the people batch calls become one outcome per item, in input order.

The v2 batch calls report failures by index (create) or by the query they addressed (update,
delete); the v3 upsert and merge calls report results and errors by index. Each mapper here
gives every input item exactly one outcome; an item the answer does not mention is reported
as the answer implies (a v2 success, or a v3 failure with no outcome reported).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import attrs
import httpx

from .._plan import json_of
from ..errors import APIError, BadRequestError, ConflictError, ProfilesError, ValidationError
from ..models import BatchItemResult, MergeItemResult, UpsertItemResult, UpsertStatus
from ..refs import IdentifierType, PersonRef
from ._batch import CompactOutcomes, by_index, in_order, may_have_been_applied, results_of, text_of

__all__ = [
    "V3Item",
    "batch_by_index",
    "batch_by_query",
    "item_error",
    "outcome_store",
    "ref_key",
    "refused_outcome",
    "v3_chunk_failed",
    "v3_chunk_outcomes",
    "v3_outcomes",
]

#: The outcome type of a v3 call: an upsert's or a merge's.
V3Item = TypeVar("V3Item", UpsertItemResult, MergeItemResult)


def ref_key(data: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """``(type, identifier, sender)`` of an identity on the wire, an email in lower case: how
    an echoed query or a match is paired with the identity sent."""
    kind = str(data.get("type", ""))
    ident = str(data.get("identifier", ""))
    if kind == IdentifierType.EMAIL.value:
        ident = ident.lower()
    return kind, ident, data.get("sender")


def _messages(errors: Any) -> tuple[str, ...]:
    out = []
    for err in errors or []:
        out.append(str(err.get("message") if isinstance(err, Mapping) else err))
    return tuple(out)


def batch_by_index(body: Any, offset: int, count: int) -> list[BatchItemResult]:
    """Outcomes of a batch create: the API lists failures (and sometimes successes) by index."""

    def outcome(i: int, status: int, res: Mapping[str, Any]) -> BatchItemResult:
        return BatchItemResult(
            index=offset + i,
            ok=200 <= status < 300,
            status=status,
            errors=_messages(res.get("errors")),
            id=res.get("id"),
        )

    return by_index(
        body, count, outcome, lambda i: BatchItemResult(index=offset + i, ok=True, status=200)
    )


def batch_by_query(body: Any, offset: int, refs: Sequence[PersonRef]) -> list[BatchItemResult]:
    """Outcomes of a batch update/delete: failures are named by their query, not their index."""
    positions: dict[tuple[str, str, str | None], list[int]] = {}
    loose: dict[tuple[str, str], list[int]] = {}
    for i, ref in enumerate(refs):
        key = ref_key(ref.to_wire())
        positions.setdefault(key, []).append(i)
        loose.setdefault((key[0], key[1].lower()), []).append(i)
    outcomes: dict[int, BatchItemResult] = {}
    unplaced = []
    for res in results_of(body):
        query = res.get("query") or {}
        status = int(res.get("status", 409))
        candidates: list[int] = []
        if isinstance(query, Mapping):
            key = ref_key(query)
            exact = [j for j in positions.get(key, []) if j not in outcomes]
            # The echo may differ in case or leave the sender out: fall back to a looser match.
            near = [j for j in loose.get((key[0], key[1].lower()), []) if j not in outcomes]
            candidates = exact or near
        if candidates:
            i = candidates[0]
            outcomes[i] = BatchItemResult(
                index=offset + i,
                ok=200 <= status < 300,
                status=status,
                errors=_messages(res.get("errors")),
                query=refs[i],
                is_modified=res.get("isModified"),
            )
        else:
            unplaced.append(res)
    return in_order(
        outcomes,
        unplaced,
        len(refs),
        lambda i: BatchItemResult(index=offset + i, ok=True, status=200, query=refs[i]),
    )


_UPSERT_STATUSES: dict[Any, UpsertStatus] = {s.value: s for s in UpsertStatus}


def v3_outcomes(response: httpx.Response, offset: int, count: int, upsert: bool) -> list[Any]:
    """The outcomes of a v3 upsert or merge request of ``count`` items (input items ``offset`` on)."""
    body = json_of(response)
    results: dict[int, Any] = {}
    for res in (body or {}).get("results") or []:
        index = int(res.get("index", -1))
        if not 0 <= index < count:
            continue
        if upsert:
            raw = res.get("status")
            # The enum's own value map first (what UpsertStatus(raw) looks up first).
            status: UpsertStatus | str | None = (
                _UPSERT_STATUSES.get(raw) if type(raw) is str else None
            )
            if status is None:
                try:
                    status = UpsertStatus(raw)
                except ValueError:
                    status = raw
            results[index] = UpsertItemResult(
                index=offset + index, ok=True, id=res.get("id"), status=status
            )
        else:
            results[index] = MergeItemResult(index=offset + index, ok=True, id=res.get("id"))
    for err in (body or {}).get("errors") or []:
        index = int(err.get("index", -1))
        details = tuple(
            (str(d.get("property", "")), str(d.get("message", "")))
            for d in err.get("details") or []
        )
        item_cls = UpsertItemResult if upsert else MergeItemResult
        outcome = item_cls(
            index=offset + index,
            ok=False,
            code=None if err.get("code") is None else str(err.get("code")),
            errors=(str(err.get("message", "")),),
            details=details,
        )
        if 0 <= index < count:
            results[index] = outcome
        else:  # a whole-chunk error: every item of the chunk failed with it
            for i in range(count):
                results.setdefault(i, attrs.evolve(outcome, index=offset + i))
    missing = [i for i in range(count) if i not in results]
    if missing:
        item_cls = UpsertItemResult if upsert else MergeItemResult
        for i in missing:
            results[i] = item_cls(
                index=offset + i, ok=False, errors=("the API reported no outcome for this item",)
            )
    return [results[i] for i in range(count)]


def v3_chunk_outcomes(
    response: httpx.Response,
    offset: int,
    sent: Sequence[int],
    refused: Mapping[int, Any],
    upsert: bool,
) -> list[Any]:
    """The outcomes of one chunk of an upsert or merge: ``sent`` are the chunk positions of the
    items the request carried (in order), ``refused`` the outcomes of the items the client's
    checks kept back."""
    answered = v3_outcomes(response, 0, len(sent), upsert)
    if not refused:  # every item was sent: positions are the request's own indexes
        return [attrs.evolve(o, index=offset + o.index) for o in answered] if offset else answered
    out: dict[int, Any] = dict(refused)
    for outcome in answered:
        position = sent[outcome.index]
        out[position] = attrs.evolve(outcome, index=offset + position)
    return [out[i] for i in range(len(sent) + len(refused))]


def v3_chunk_failed(
    cls: type[V3Item], error: ProfilesError, offset: int, positions: Sequence[int]
) -> list[V3Item]:
    """The outcomes of the items at ``positions`` of a chunk whose request failed with ``error``."""
    unknown = may_have_been_applied(error)
    code = error.message_id if isinstance(error, APIError) else None
    details = tuple(
        (prop, message)
        for prop, messages in (
            error.validation_errors if isinstance(error, APIError) else {}
        ).items()
        for message in messages
    )
    return [
        cls(
            index=offset + i,
            ok=False,
            code=code,
            errors=(text_of(error),),
            details=details,
            unknown=unknown,
            error=error,
        )
        for i in positions
    ]


def refused_outcome(cls: type[V3Item], index: int, error: Exception) -> V3Item:
    """The outcome of an item the client's checks kept back (it was not sent)."""
    field = getattr(error, "field", None) or ""
    placed = error.at(index) if isinstance(error, ValidationError) else error
    return cls(
        index=index,
        ok=False,
        errors=("not sent: refused by the client's checks",),
        details=((field, str(error)),),
        error=placed if isinstance(placed, ProfilesError) else None,
    )


def item_error(outcome: Any, response: httpx.Response) -> APIError:
    """The exception for the one item of a single-person upsert that the service refused."""
    code = outcome.code
    status = 409 if code is not None and str(code).startswith("409") else 400
    errors: dict[str, list[str]] = {}
    for prop, message in outcome.details:
        errors.setdefault(prop, []).append(message)
    cls = ConflictError if status == 409 else BadRequestError
    error = cls(
        status,
        code,
        "; ".join(outcome.errors) or "the service refused the person",
        errors,
        body=json_of(response),
        method=response.request.method,
        path=response.request.url.path,
    )
    error.response = response
    return error


def _plain_v3(outcome: UpsertItemResult | MergeItemResult) -> bool:
    """A success with nothing to it but its index, id and status (a subclass is kept whole)."""
    return (
        type(outcome) in (UpsertItemResult, MergeItemResult)
        and outcome.ok
        and outcome.code is None
        and not outcome.errors
        and not outcome.details
        and not outcome.unknown
        and outcome.error is None
    )


def outcome_store(cls: type[Any]) -> CompactOutcomes[Any]:
    """How an upsert's or a merge's plain successes are stored compactly and built back."""
    if cls is UpsertItemResult:
        return CompactOutcomes(
            lambda i, ident, status: UpsertItemResult(index=i, ok=True, id=ident, status=status),
            lambda o: o.status,
            _plain_v3,
        )
    return CompactOutcomes(
        lambda i, ident, _: MergeItemResult(index=i, ok=True, id=ident),
        lambda o: None,
        _plain_v3,
    )
