"""The person import, written once for the sync and async clients: the steps (a generator
yielding each window's requests and accounting for every row) and the two drivers that send
them.

Part of :mod:`infobip_profiles.bulk`.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Generator, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from .. import _import_history as _history
from ..errors import APIConnectionError, APIError, ValidationError
from ..models import Person, UpsertItemResult, UpsertResult, UpsertStatus
from ..refs import IdentifierType, PersonRef
from ..resources._batch import may_have_been_applied
from ..resources.people import BATCH_LIMIT
from .journal import _fingerprint, _Run
from .mapping import ColumnMapping, _RowError
from .results import ProgressOption, _progress_callback
from .rows import _convert, _Fields, _group, _merge, _person, _row_mapping
from .sources import _Row, _Source

if TYPE_CHECKING:
    from .._client import AsyncProfilesClient, ProfilesClient
    from ..models import MatchResult

__all__ = ["Mode"]

Mode = Literal["partial", "full"]


def _windows(rows: Iterator[_Row], size: int) -> Iterator[list[_Row]]:
    window: list[_Row] = []
    for row in rows:
        window.append(row)
        if len(window) >= size:
            yield window
            window = []
    if window:
        yield window


def _steps(
    rows: Iterator[_Row],
    mapping: ColumnMapping,
    run: _Run,
    batch_size: int,
    separator: str,
    *,
    keys_are_targets: bool = False,
    on_existing: str = "update",
    on_missing: str = "create",
) -> Generator[_Step, _Answer, None]:
    """Yield each window's persons to upsert; receive the result; account for every row.

    With a ``"skip"`` policy, first yield a :class:`_Lookup` of the window's identities and
    receive the ones a stored person holds, then leave out the persons the policy skips."""
    mappings: dict[tuple[Any, ...], ColumnMapping] = {}
    for window in _windows(rows, batch_size):
        converted: list[tuple[int, _Fields]] = []
        for position, (number, data, line) in enumerate(window):
            try:
                used = _row_mapping(data, mapping, mappings) if keys_are_targets else mapping
                converted.append((position, _convert(data, used, separator)))
            except _RowError as exc:
                run.fail(number, data, str(exc), line)
        persons: list[Person] = []
        members: list[list[int]] = []
        identities: list[list[tuple[str, str]]] = []
        for group in _group(converted):
            positions = [converted[i][0] for i in group]
            try:
                values = _merge([converted[i][1] for i in group])
                persons.append(_person(values))
            except _RowError as exc:
                for p in positions:
                    number, data, line = window[p]
                    run.fail(number, data, str(exc), line)
                continue
            members.append(positions)
            identities.append([(_MATCH_TYPE[kind], value) for kind, value in values.identities()])
            run.totals.merged += len(positions) - 1
        if persons and (on_existing == "skip" or on_missing == "skip"):
            wanted = sorted({key for keys in identities for key in keys})
            try:
                found = yield _Lookup(
                    [PersonRef(value, IdentifierType(kind)) for kind, value in wanted]
                )
            except (APIError, APIConnectionError) as failure:
                run.interrupted(
                    [window[p] for group in members for p in group], f"not imported: {failure}"
                )
                raise
            assert isinstance(found, frozenset)
            kept: list[int] = []
            for index, keys in enumerate(identities):
                if any(key in found for key in keys):
                    if on_existing == "skip":
                        run.totals.skipped_existing += 1
                        continue
                elif on_missing == "skip":
                    run.totals.skipped_missing += 1
                    continue
                kept.append(index)
            persons = [persons[i] for i in kept]
            members = [members[i] for i in kept]
        outcomes: list[UpsertItemResult] = []
        # One upsert_many call per request-sized chunk: a failed request then raises (stopping
        # the import before the window commits) instead of coming back as failed items.
        for start in range(0, len(persons), BATCH_LIMIT):
            try:
                result = yield persons[start : start + BATCH_LIMIT]
                assert isinstance(result, UpsertResult)
            except (APIError, APIConnectionError) as failure:
                what = "may have been applied" if may_have_been_applied(failure) else "not imported"
                carried = [
                    window[p] for group in members[start : start + BATCH_LIMIT] for p in group
                ]
                run.interrupted(carried, f"{what}: {failure}")
                raise
            outcomes.extend(result)
        if persons:
            for outcome, positions in zip(outcomes, members, strict=True):
                if outcome.ok:
                    if outcome.status == UpsertStatus.CREATED:
                        run.totals.created += 1
                    elif outcome.status == UpsertStatus.UPDATED:
                        run.totals.updated += 1
                    else:
                        run.totals.not_modified += 1
                    continue
                error = "; ".join(
                    [
                        *outcome.errors,
                        *(f"{_relative(prop)}: {msg}" for prop, msg in outcome.details),
                    ]
                )
                if outcome.code:
                    error = f"{outcome.code}: {error}"
                for p in positions:
                    number, data, line = window[p]
                    run.fail(number, data, error or "rejected", line)
        run.commit(window[-1][0])


#: The identities of :meth:`_Fields.identities`, as the match endpoint types them.
_MATCH_TYPE = {"externalId": "EXTERNAL_ID", "email": "EMAIL", "phone": "PHONE"}


@attrs.frozen
class _Lookup:
    """A step of an import with a ``"skip"`` policy: which of these identities does a stored
    person hold? The driver answers with :func:`_found` of ``people.match``."""

    refs: list[PersonRef]


_Step = list[Person] | _Lookup

_Answer = UpsertResult | frozenset[tuple[str, str]]

#: Identities per match request of a :class:`_Lookup` (the spec states no limit for the match
#: call; it is chunked like the batch calls).
_MATCH_CHUNK = BATCH_LIMIT


def _found(matches: Iterable[MatchResult]) -> frozenset[tuple[str, str]]:
    return frozenset((m.ref.type.value, m.ref.identifier) for m in matches)


def _relative(prop: str) -> str:
    """``persons[3].contactInformation[0]`` -> ``contactInformation[0]``: the index is the
    request's, which means nothing to whoever reads the report."""
    return re.sub(r"^persons\[\d+\]\.?", "", prop) or prop


@attrs.frozen
class _Options:
    """The settings every import function takes, passed on as one value."""

    mode: str
    batch_size: int
    report: str | os.PathLike[str] | None
    resume: str | os.PathLike[str] | None
    progress: ProgressOption
    list_separator: str
    on_existing: str = "update"
    on_missing: str = "create"
    history: str | os.PathLike[str] | None = None
    #: What the history names as the input: the CSV path, or ``"rows"``.
    source: str = "rows"


def _check_options(options: _Options) -> None:
    if options.mode not in ("partial", "full"):
        raise ValidationError("mode must be 'partial' or 'full'", field="mode")
    if options.batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if options.on_existing not in ("update", "skip"):
        raise ValidationError('on_existing is "update" or "skip"', field="on_existing")
    if options.on_missing not in ("create", "skip"):
        raise ValidationError('on_missing is "create" or "skip"', field="on_missing")


@contextlib.contextmanager
def _prepared(
    source: _Source, mapping: ColumnMapping, options: _Options
) -> Iterator[tuple[_Run, Generator[_Step, _Answer, None] | None]]:
    mode, batch_size, report, resume = (
        options.mode,
        options.batch_size,
        options.report,
        options.resume,
    )
    try:
        _check_options(options)
    except BaseException:
        source.close()  # a bad argument leaves no file open
        raise
    callback, terminal = _progress_callback(options.progress)
    report_path = Path(report) if report is not None else None
    try:
        run = _Run(
            fingerprint=_fingerprint(
                mapping, mode, source.header, options.on_existing, options.on_missing
            ),
            report=report_path,
            resume=Path(resume) if resume is not None else None,
            progress=callback,
            size=source.size,
            history=_history.history_path(report_path, options.history),
        )
    except BaseException:
        source.close()
        raise
    started = _history.now()
    stopped: BaseException | None = None
    try:
        if run.completed:
            yield run, None
            return
        skip = run.totals.rows
        remaining = (r for r in source.rows if r[0] > skip)
        steps = _steps(
            remaining,
            mapping,
            run,
            batch_size,
            options.list_separator,
            keys_are_targets=source.keys_are_targets,
            on_existing=options.on_existing,
            on_missing=options.on_missing,
        )
        try:
            yield run, steps
        finally:
            steps.close()
        run.finish()
    except BaseException as exc:
        stopped = exc
        raise
    finally:
        run.close()
        source.close()
        t = run.totals
        _history.append_run(
            run.history_path,
            kind="persons",
            started=started,
            source=options.source,
            on_existing=options.on_existing,
            on_missing=options.on_missing,
            resumed=run.resumed,
            counts={
                "rowsDone": t.rows,
                "resumedFrom": run.resumed_from,
                "created": t.created,
                "updated": t.updated,
                "notModified": t.not_modified,
                "skippedExisting": t.skipped_existing,
                "skippedMissing": t.skipped_missing,
                "merged": t.merged,
                "failed": t.failed,
            },
            outcome=_history.outcome_of(stopped),
            extra={"mode": mode},
        )
        if terminal is not None and terminal.drawn:
            terminal(run.snapshot(), final=True)


def _drive(
    client: ProfilesClient, steps: Generator[_Step, _Answer, None] | None, mode: Mode
) -> None:
    if steps is None:
        return
    try:
        step = next(steps)
        while True:
            answer: _Answer
            try:
                if isinstance(step, _Lookup):
                    matches: list[MatchResult] = []
                    for start in range(0, len(step.refs), _MATCH_CHUNK):
                        chunk = step.refs[start : start + _MATCH_CHUNK]
                        matches.extend(client.people.match(chunk))
                    answer = _found(matches)
                else:
                    answer = client.people.upsert_many(step, mode=mode)
            except (APIError, APIConnectionError) as error:
                step = steps.throw(error)  # the steps record the rows, then re-raise
                continue
            step = steps.send(answer)
    except StopIteration:
        return


async def _adrive(
    client: AsyncProfilesClient,
    steps: Generator[_Step, _Answer, None] | None,
    mode: Mode,
) -> None:
    if steps is None:
        return
    try:
        step = next(steps)
        while True:
            answer: _Answer
            try:
                if isinstance(step, _Lookup):
                    matches: list[MatchResult] = []
                    for start in range(0, len(step.refs), _MATCH_CHUNK):
                        chunk = step.refs[start : start + _MATCH_CHUNK]
                        matches.extend(await client.people.match(chunk))
                    answer = _found(matches)
                else:
                    answer = await client.people.upsert_many(step, mode=mode)
            except (APIError, APIConnectionError) as error:
                step = steps.throw(error)  # the steps record the rows, then re-raise
                continue
            step = steps.send(answer)
    except StopIteration:
        return
