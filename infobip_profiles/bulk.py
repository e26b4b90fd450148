"""Bulk import of persons from a CSV file or any iterable of dicts, on top of ``people.upsert_many``.

What an import does, window by window (``batch_size`` input rows at a time, 1000 by default):

1. Each row is turned into a person through a :class:`ColumnMapping` (CSV column -> person field,
   email, phone, tags or custom attribute). A row that cannot be converted (a bad date, no
   externalId, email or phone to match on) is a failure of that row alone.
2. Rows of the window that share an externalId, an email (ignoring case) or a phone are
   **merged** into one person before sending: later non-empty values win for single fields,
   emails, phones and tags are unioned, custom attributes are combined (later wins). Two rows
   linked this way but carrying different externalIds are a conflict: both fail.
3. The window's persons go to ``client.people.upsert_many`` (``mode="partial"`` keeps what the
   file does not mention; ``"full"`` clears it). Each row gets its person's outcome.
4. Failures are appended to the report file (``row``, ``line``, ``error``, ``input``), the report
   is flushed to disk, and then the resume file records how many input rows are done.

**Policies.** By default a row matching a stored person updates it (``on_existing="update"``) and
a row matching nobody creates one (``on_missing="create"``): one upsert request per 1000 persons,
nothing else. With ``on_existing="skip"`` or ``on_missing="skip"`` each window's externalIds,
emails and phones are first looked up with ``people.match`` (one more request per 1000 of those
identities, so about one per window): a person holding any of them is "existing", and the persons
the policy skips are not sent; :attr:`ImportResult.skipped_existing` /
:attr:`~ImportResult.skipped_missing` count them. The look-up and the upsert are two requests: a
person created by someone else in between is updated, not skipped. After an interruption, the
window in flight is looked up again, so persons it created before the process died count as
existing (skipped with ``on_existing="skip"``, never created twice).

**History.** Each run appends one JSON line to the history file (``history=``; by default beside
the report, ``<report>.history.jsonl``): when it started and finished, the input, the mode and
policies, whether it resumed an earlier run, the counts so far and how it ended (``"finished"``
or ``"stopped: <error>"``). Lines are only appended, never rewritten.

**Deduplication is per window**, so memory stays bounded by the window however big the file is.
Duplicates further apart than ``batch_size`` rows are sent in separate requests, in file order:
with ``mode="partial"`` the later row then updates the person the earlier one created or
matched, which converges to the same profile; with ``mode="full"`` the later row replaces it.
Sort the file by key, or raise ``batch_size``, if you need full-mode merging across the file.

**Resume.** With ``resume=PATH`` an interrupted import (Ctrl+C, a crash, an API outage) started
again with the same file, mapping and mode skips the rows already done and sends none of them
again; the failure report is truncated to what those rows wrote, so no failure is listed twice.
Only the window in flight when the process died can be sent a second time, and an upsert of the
same data is harmless (the API answers ``NOT_MODIFIED``).

**A request that fails** (after the client's retries) stops the import with its error. Windows
finished before it are counted and durable. The rows that request carried are written to the
report with an error starting ``may have been applied:`` (the connection dropped after sending, a
timeout, a 5xx) or ``not imported:`` (the service refused the request), but they stay after the
resume point: the same call with ``resume=`` sends that window again, which settles them (an
upsert of the same data answers ``NOT_MODIFIED`` if it was applied), and replaces those report
lines with the rows' real outcomes.

Example::

    from infobip_profiles import ProfilesClient
    from infobip_profiles.bulk import ColumnMapping, import_csv

    mapping = ColumnMapping.parse(["id=externalId", "First name=firstName", "E-mail=email",
                                   "Mobile=phone", "Plan=attr:Plan", "Labels=tags"])
    with ProfilesClient() as client:
        result = import_csv(client, "crm.csv", mapping, report="failures.csv",
                            resume="crm.import-state")
    print(result.summary())
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ._bulk.journal import MAX_FAILURES_KEPT as MAX_FAILURES_KEPT
from ._bulk.journal import ResumeError
from ._bulk.mapping import (
    ATTRIBUTE_TYPES,
    PERSON_FIELDS,
    ColumnMapping,
    MappingError,
    Target,
    _resolve_optional,
)
from ._bulk.mapping import _RowError as _RowError
from ._bulk.results import ImportProgress, ImportResult, RowFailure
from ._bulk.results import ProgressOption as ProgressOption
from ._bulk.rows import _convert as _convert
from ._bulk.sources import _csv_source, _rows_input
from ._bulk.steps import Mode as Mode
from ._bulk.steps import _adrive, _drive, _Options, _prepared
from ._bulk_companies import (
    CompanyImportResult,
    CompanyRowFailure,
    OnExisting,
    OnMissing,
    import_companies,
    read_xlsx,
)
from .resources.people import BATCH_LIMIT

if TYPE_CHECKING:
    from ._client import AsyncProfilesClient, ProfilesClient

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "ATTRIBUTE_TYPES",
    "PERSON_FIELDS",
    "Target",
    "ColumnMapping",
    "MappingError",
    "ResumeError",
    "RowFailure",
    "ImportProgress",
    "ImportResult",
    "OnExisting",
    "OnMissing",
    "import_csv",
    "import_rows",
    "aimport_csv",
    "aimport_rows",
    "import_companies",
    "CompanyImportResult",
    "CompanyRowFailure",
    "read_xlsx",
]

#: Input rows per window: deduplicated together, sent together, made durable together (one
#: upsert request's worth).
DEFAULT_BATCH_SIZE = BATCH_LIMIT


def import_rows(
    client: ProfilesClient,
    rows: Iterable[Mapping[str, Any]],
    mapping: ColumnMapping | Mapping[str, str] | None = None,
    *,
    mode: Mode = "partial",
    batch_size: int = DEFAULT_BATCH_SIZE,
    report: str | os.PathLike[str] | None = None,
    resume: str | os.PathLike[str] | None = None,
    progress: ProgressOption = None,
    list_separator: str = ";",
    on_existing: OnExisting = "update",
    on_missing: OnMissing = "create",
    history: str | os.PathLike[str] | None = None,
) -> ImportResult:
    """Import persons from any iterable of dicts (see the module docs for what happens).

    Without a ``mapping``, each key is read as a target itself (``externalId``, ``email``,
    ``firstName``, ``tags``...). Values may be text (parsed as the mapping says) or already typed
    (a :class:`datetime.date`, a list of emails). Resuming needs the iterable to yield the same
    rows in the same order again. ``progress``: ``None`` draws a progress line when stderr is a
    terminal, ``True``/``False`` force it, a callable receives an :class:`ImportProgress`.

    Example::

        rows = [{"externalId": "crm-1", "email": "ada@example.com", "firstName": "Ada"}]
        result = import_rows(client, rows)
        assert result.created == 1
    """
    source, resolved = _rows_input(rows, mapping)
    options = _Options(
        mode, batch_size, report, resume, progress, list_separator, on_existing, on_missing, history
    )
    with _prepared(source, resolved, options) as (run, steps):
        _drive(client, steps, mode)
    return run.result()


def import_csv(
    client: ProfilesClient,
    path: str | os.PathLike[str],
    mapping: ColumnMapping | Mapping[str, str] | None = None,
    *,
    mode: Mode = "partial",
    batch_size: int = DEFAULT_BATCH_SIZE,
    report: str | os.PathLike[str] | None = None,
    resume: str | os.PathLike[str] | None = None,
    progress: ProgressOption = None,
    list_separator: str = ";",
    on_existing: OnExisting = "update",
    on_missing: OnMissing = "create",
    history: str | os.PathLike[str] | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
) -> ImportResult:
    """Import persons from a CSV file with a header row (see the module docs for what happens).

    Without a ``mapping``, columns named like a target (``externalId``, ``email``, ``firstName``...)
    are used and the rest ignored. ``report`` is a CSV file of the failed rows; ``resume`` a
    small JSON file recording the rows done, so the same call after an interruption carries on.

    Example::

        result = import_csv(client, "people.csv", {"Mail": "email", "Id": "externalId"},
                            report="failures.csv", resume="people.import-state")
    """
    source, resolved = _csv_source(path, _resolve_optional(mapping), delimiter, encoding)
    options = _Options(
        mode,
        batch_size,
        report,
        resume,
        progress,
        list_separator,
        on_existing,
        on_missing,
        history,
        source=os.fspath(path),
    )
    with _prepared(source, resolved, options) as (run, steps):
        _drive(client, steps, mode)
    return run.result()


async def aimport_rows(
    client: AsyncProfilesClient,
    rows: Iterable[Mapping[str, Any]],
    mapping: ColumnMapping | Mapping[str, str] | None = None,
    *,
    mode: Mode = "partial",
    batch_size: int = DEFAULT_BATCH_SIZE,
    report: str | os.PathLike[str] | None = None,
    resume: str | os.PathLike[str] | None = None,
    progress: ProgressOption = None,
    list_separator: str = ";",
    on_existing: OnExisting = "update",
    on_missing: OnMissing = "create",
    history: str | os.PathLike[str] | None = None,
) -> ImportResult:
    """:func:`import_rows` for the :class:`~infobip_profiles.AsyncProfilesClient`."""
    source, resolved = _rows_input(rows, mapping)
    options = _Options(
        mode, batch_size, report, resume, progress, list_separator, on_existing, on_missing, history
    )
    with _prepared(source, resolved, options) as (run, steps):
        await _adrive(client, steps, mode)
    return run.result()


async def aimport_csv(
    client: AsyncProfilesClient,
    path: str | os.PathLike[str],
    mapping: ColumnMapping | Mapping[str, str] | None = None,
    *,
    mode: Mode = "partial",
    batch_size: int = DEFAULT_BATCH_SIZE,
    report: str | os.PathLike[str] | None = None,
    resume: str | os.PathLike[str] | None = None,
    progress: ProgressOption = None,
    list_separator: str = ";",
    on_existing: OnExisting = "update",
    on_missing: OnMissing = "create",
    history: str | os.PathLike[str] | None = None,
    delimiter: str = ",",
    encoding: str = "utf-8-sig",
) -> ImportResult:
    """:func:`import_csv` for the :class:`~infobip_profiles.AsyncProfilesClient` (file reads
    stay blocking: they are small and local)."""
    source, resolved = _csv_source(path, _resolve_optional(mapping), delimiter, encoding)
    options = _Options(
        mode,
        batch_size,
        report,
        resume,
        progress,
        list_separator,
        on_existing,
        on_missing,
        history,
        source=os.fspath(path),
    )
    with _prepared(source, resolved, options) as (run, steps):
        await _adrive(client, steps, mode)
    return run.result()
