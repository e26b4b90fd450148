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

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import sys
import time
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

import attrs

from . import _import_history as _history
from ._bulk_companies import (
    CompanyImportResult,
    CompanyRowFailure,
    OnExisting,
    OnMissing,
    import_companies,
    read_xlsx,
)
from ._converter import parse_datetime
from ._validation import check_person
from .errors import APIConnectionError, APIError, ProfilesError, ValidationError
from .models import (
    ContactInformation,
    Gender,
    Person,
    PersonType,
    UpsertItemResult,
    UpsertResult,
    UpsertStatus,
)
from .refs import IdentifierType, PersonRef
from .resources._batch import may_have_been_applied
from .resources.people import BATCH_LIMIT

if TYPE_CHECKING:
    from ._client import AsyncProfilesClient, ProfilesClient
    from .models import MatchResult

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
#: How many failures an :class:`ImportResult` keeps in memory (the report file has them all).
MAX_FAILURES_KEPT = 1000

#: Mapping targets for the person's own fields: wire name -> model attribute.
PERSON_FIELDS: dict[str, str] = {
    "externalId": "external_id",
    "type": "type",
    "firstName": "first_name",
    "lastName": "last_name",
    "middleName": "middle_name",
    "nickName": "nick_name",
    "gender": "gender",
    "birthDate": "birth_date",
    "preferredLanguage": "preferred_language",
    "profilePicture": "profile_picture",
    "address": "address",
    "city": "city",
    "country": "country",
}
_FIELD_BY_ANY_NAME = {**PERSON_FIELDS, **{a: a for a in PERSON_FIELDS.values()}}
_WIRE_BY_ATTR = {a: w for w, a in PERSON_FIELDS.items()}

#: Custom attribute value types a mapping may name (``attr:Age:integer``), with their aliases.
ATTRIBUTE_TYPES: dict[str, str] = {
    "string": "string",
    "str": "string",
    "integer": "integer",
    "int": "integer",
    "decimal": "decimal",
    "boolean": "boolean",
    "bool": "boolean",
    "date": "date",
    "datetime": "datetime",
    "date_time": "datetime",
}
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
_PHONE_PUNCTUATION = str.maketrans("", "", " -.()/")

Mode = Literal["partial", "full"]
ProgressOption = bool | Callable[["ImportProgress"], None] | None


class MappingError(ProfilesError, ValueError):
    """A column mapping that cannot work: an unknown target, a column the file does not have."""


class ResumeError(ProfilesError):
    """The resume file belongs to another import (another mapping, mode or file header)."""


class _RowError(Exception):
    """One row (or one merged group of rows) cannot be imported; the text goes to the report."""


# -- the mapping ---------------------------------------------------------------------------------


@attrs.frozen
class Target:
    """Where one column's values go.

    ``kind`` is ``"field"`` (``name`` is the :class:`~infobip_profiles.Person` attribute),
    ``"email"``, ``"phone"``, ``"tags"`` or ``"attribute"`` (``name`` is the custom attribute,
    ``data_type`` how to read the text: string, integer, decimal, boolean, date, datetime).
    """

    kind: Literal["field", "email", "phone", "tags", "attribute"]
    name: str = ""
    data_type: str = "string"

    @classmethod
    def parse(cls, text: str) -> Target:
        """Read a target: ``firstName`` (or ``first_name``), ``email``, ``phone``, ``tags``,
        ``attr:Name`` or ``attr:Name:type``.

        Example::

            Target.parse("attr:Renewal:date")  # Target(kind='attribute', name='Renewal', data_type='date')
        """
        spec = text.strip()
        lowered = spec.lower()
        if lowered in ("email", "emails"):
            return cls("email")
        if lowered in ("phone", "phones"):
            return cls("phone")
        if lowered == "tags":
            return cls("tags")
        if lowered.startswith("attr:"):
            rest = spec[5:]
            name, sep, kind = rest.rpartition(":")
            if sep and kind.lower() in ATTRIBUTE_TYPES:
                data_type = ATTRIBUTE_TYPES[kind.lower()]
            else:
                name, data_type = rest, "string"
            if not name.strip():
                raise MappingError(f"mapping target {text!r} names no custom attribute")
            return cls("attribute", name.strip(), data_type)
        if spec in _FIELD_BY_ANY_NAME:
            return cls("field", _FIELD_BY_ANY_NAME[spec])
        known = ", ".join([*PERSON_FIELDS, "email", "phone", "tags", "attr:NAME[:TYPE]"])
        raise MappingError(f"unknown mapping target {text!r}; use one of: {known}")

    def __str__(self) -> str:
        if self.kind == "field":
            return _WIRE_BY_ATTR[self.name]
        if self.kind == "attribute":
            return f"attr:{self.name}:{self.data_type}"
        return self.kind


def _is_target_name(text: str) -> bool:
    try:
        Target.parse(text)
    except MappingError:
        return False
    return True


@attrs.frozen
class ColumnMapping:
    """Which input column feeds which person field; columns not listed are ignored.

    Several columns may feed ``email``, ``phone`` or ``tags`` (their values add up); a person
    field or a custom attribute takes one column. A cell may hold several emails, phones or tags
    separated by the import's ``list_separator`` (``;`` by default). Empty cells are not sent.

    Example::

        ColumnMapping.parse(["Id=externalId", "Mail=email", "Plan=attr:Plan", "Age=attr:Age:integer"])
        ColumnMapping.of({"Id": "externalId", "Mail": "email"})
    """

    columns: tuple[tuple[str, Target], ...]

    def __attrs_post_init__(self) -> None:
        if not self.columns:
            raise MappingError("the mapping names no columns")
        seen: dict[tuple[str, str], str] = {}
        for column, target in self.columns:
            if target.kind in ("field", "attribute"):
                key = (
                    target.kind,
                    target.name.lower() if target.kind == "attribute" else target.name,
                )
                if key in seen:
                    raise MappingError(
                        f"columns {seen[key]!r} and {column!r} both map to {target}; "
                        "a single-valued target takes one column"
                    )
                seen[key] = column

    @classmethod
    def parse(cls, specs: Iterable[str]) -> ColumnMapping:
        """From ``"column=target"`` strings (the CLI's ``--map``); the last ``=`` splits them."""
        columns = []
        for spec in specs:
            column, sep, target = spec.rpartition("=")
            if not sep or not column.strip():
                raise MappingError(f"mapping {spec!r} is not COLUMN=TARGET")
            columns.append((column.strip(), Target.parse(target)))
        return cls(tuple(columns))

    @classmethod
    def of(cls, mapping: Mapping[str, str | Target]) -> ColumnMapping:
        """From a ``{column: target}`` dict."""
        return cls(
            tuple(
                (column, target if isinstance(target, Target) else Target.parse(target))
                for column, target in mapping.items()
            )
        )

    @classmethod
    def identity(cls, columns: Iterable[str]) -> ColumnMapping:
        """Map every column named like a target (``externalId``, ``email``, ``first_name``...) to it."""
        picked = tuple((c, Target.parse(c)) for c in columns if _is_target_name(c))
        if not picked:
            raise MappingError(
                "no column is named like a person field (externalId, email, phone, firstName...); "
                "give a mapping"
            )
        return cls(picked)

    def check_columns(self, header: Iterable[str]) -> None:
        """Raise :class:`MappingError` if a mapped column is not in ``header``."""
        present = set(header)
        missing = [c for c, _ in self.columns if c not in present]
        if missing:
            raise MappingError(
                f"column(s) {', '.join(map(repr, missing))} not in the file; it has: "
                f"{', '.join(map(repr, sorted(present)))}"
            )

    def specs(self) -> list[str]:
        """The mapping as ``column=target`` strings (what :meth:`parse` reads)."""
        return [f"{column}={target}" for column, target in self.columns]


# -- rows to persons ------------------------------------------------------------------------------


@attrs.define
class _Fields:
    """One row's (or one merged group's) values, before they become a :class:`Person`."""

    fields: dict[str, Any] = attrs.field(factory=dict)
    emails: list[str] = attrs.field(factory=list)
    phones: list[str] = attrs.field(factory=list)
    tags: list[str] = attrs.field(factory=list)
    attributes: dict[str, Any] = attrs.field(factory=dict)

    def identities(self) -> list[tuple[str, str]]:
        out = []
        if self.fields.get("external_id"):
            out.append(("externalId", self.fields["external_id"]))
        out += [("email", e.casefold()) for e in self.emails]
        out += [("phone", p) for p in self.phones]
        return out


def _items(value: Any, separator: str) -> list[str]:
    if isinstance(value, str):
        parts = value.split(separator) if separator else [value]
    elif isinstance(value, Iterable):
        parts = [str(v) for v in value if v is not None]
    else:
        parts = [str(value)]
    return [p.strip() for p in parts if p.strip()]


def _read_field(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if name == "gender":
            return Gender(text.upper())
        if name == "type":
            return PersonType(text.upper())
        if name == "birth_date":
            return date.fromisoformat(text)
    except ValueError:
        wire = _WIRE_BY_ATTR[name]
        expected = {"gender": "MALE or FEMALE", "type": "CUSTOMER or LEAD"}.get(name, "YYYY-MM-DD")
        raise _RowError(f"{wire}: {text!r} is not {expected}") from None
    return text


def _read_attribute(name: str, data_type: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        if data_type == "integer":
            return int(text)
        if data_type == "decimal":
            return Decimal(text)
        if data_type == "boolean":
            if text.lower() in _TRUE:
                return True
            if text.lower() in _FALSE:
                return False
            raise ValueError(text)
        if data_type == "date":
            return date.fromisoformat(text)
        if data_type == "datetime":
            return parse_datetime(text)
    except (ValueError, InvalidOperation):
        raise _RowError(f"custom attribute {name!r}: {text!r} is not a valid {data_type}") from None
    return value


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _convert(row: Mapping[str, Any], mapping: ColumnMapping, separator: str) -> _Fields:
    out = _Fields()
    for column, target in mapping.columns:
        value = row.get(column)
        if _empty(value):
            continue
        if target.kind == "field":
            out.fields[target.name] = _read_field(target.name, value)
        elif target.kind == "email":
            out.emails += _items(value, separator)
        elif target.kind == "phone":
            out.phones += [
                p.translate(_PHONE_PUNCTUATION).lstrip("+") for p in _items(value, separator)
            ]
        elif target.kind == "tags":
            out.tags += _items(value, separator)
        else:
            out.attributes[target.name] = _read_attribute(target.name, target.data_type, value)
    if not out.identities():
        raise _RowError("no externalId, email or phone to match the person on")
    return out


def _union(values: Iterable[str], *, fold: bool) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        key = value.casefold() if fold else value
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


def _merge(parts: list[_Fields]) -> _Fields:
    """Fold rows that name the same person into one: later values win, lists are unioned."""
    external_ids = _union(
        (p.fields["external_id"] for p in parts if p.fields.get("external_id")), fold=False
    )
    if len(external_ids) > 1:
        raise _RowError(
            "rows share an email or phone but have different externalIds "
            f"({', '.join(map(repr, external_ids))}); fix the file"
        )
    merged = _Fields()
    for part in parts:
        merged.fields.update(part.fields)
        merged.attributes.update(part.attributes)
    merged.emails = _union((e for p in parts for e in p.emails), fold=True)
    merged.phones = _union((x for p in parts for x in p.phones), fold=False)
    merged.tags = _union((t for p in parts for t in p.tags), fold=True)
    return merged


def _person(values: _Fields) -> Person:
    kwargs: dict[str, Any] = dict(values.fields)
    if values.emails or values.phones:
        kwargs["contact_information"] = ContactInformation.of(
            emails=values.emails or None, phones=values.phones or None
        )
    if values.tags:
        kwargs["tags"] = values.tags
    if values.attributes:
        kwargs["custom_attributes"] = values.attributes
    # The same checks upsert_many makes, on a plain dict (cheaper than converting the model):
    # a person failing them is this row's failure, not an exception for the whole window.
    wire: dict[str, Any] = {_WIRE_BY_ATTR[name]: value for name, value in values.fields.items()}
    wire["contactInformation"] = {
        "email": [{"address": e} for e in values.emails],
        "phone": [{"number": p} for p in values.phones],
    }
    wire["customAttributes"] = values.attributes
    try:
        check_person(wire, v3=True)
    except ValidationError as exc:
        raise _RowError(str(exc)) from None
    return Person(**kwargs)


def _group(rows: list[tuple[int, _Fields]]) -> list[list[int]]:
    """Positions in ``rows`` that share a key, as groups in order of first appearance."""
    parent = list(range(len(rows)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[str, str], int] = {}
    for i, (_, values) in enumerate(rows):
        for key in values.identities():
            if key in owner:
                a, b = find(owner[key]), find(i)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[key] = i
    groups: dict[int, list[int]] = {}
    for i in range(len(rows)):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


# -- results and progress -------------------------------------------------------------------------


@attrs.frozen
class RowFailure:
    """One input row that was not imported: its 1-based ``row`` number (the first row below a
    CSV header is 1), the CSV ``line`` it ended on (``None`` for other inputs), the ``input`` as
    read, and the ``error``."""

    row: int
    input: dict[str, Any]
    error: str
    line: int | None = None


@attrs.frozen
class ImportProgress:
    """Where an import stands, given to a progress callback after every window."""

    rows: int
    failed: int
    elapsed: float
    bytes_read: int | None = None
    bytes_total: int | None = None

    @property
    def fraction(self) -> float | None:
        """How much of the input is read (0..1), when its size is known."""
        if not self.bytes_total or self.bytes_read is None:
            return None
        return min(1.0, self.bytes_read / self.bytes_total)


@attrs.frozen
class ImportResult:
    """What an import did, counted over every run of a resumed import.

    ``rows`` input rows are done (``resumed_from`` of them by earlier runs). Persons ended
    ``created``, ``updated`` or ``not_modified``; ``failed`` rows were not imported (the report
    file lists each, :attr:`failures` keeps the first 1000); ``merged`` rows were folded into an
    earlier row naming the same person. ``skipped_existing`` persons matched a stored profile
    and were left alone (``on_existing="skip"``); ``skipped_missing`` matched nobody and were
    left out (``on_missing="skip"``). ``history`` is the run history file this run appended to.
    """

    rows: int
    created: int
    updated: int
    not_modified: int
    failed: int
    merged: int
    resumed_from: int = 0
    failures: tuple[RowFailure, ...] = ()
    report: Path | None = None
    skipped_existing: int = 0
    skipped_missing: int = 0
    history: Path | None = None

    @property
    def ok(self) -> bool:
        """True when every row was imported."""
        return self.failed == 0

    def summary(self) -> str:
        """One line for humans: ``1200 rows: 800 created, 300 updated, ...``."""
        # rows = created + updated + not modified + skipped + failed + merged: every row is
        # counted once.
        text = (
            f"{self.rows} {'row' if self.rows == 1 else 'rows'}: {self.created} created, "
            f"{self.updated} updated, {self.not_modified} not modified, {self.failed} failed, "
            f"{self.merged} duplicate {'row' if self.merged == 1 else 'rows'} merged"
        )
        if self.skipped_existing:
            text += f", {self.skipped_existing} skipped: already exist"
        if self.skipped_missing:
            text += f", {self.skipped_missing} skipped: match nobody"
        if self.resumed_from:
            text += f" ({self.resumed_from} done by an earlier run)"
        if self.failed and self.report is not None:
            text += f"; failures in {self.report}"
        return text


class _TerminalProgress:
    """A one-line progress display on stderr, redrawn at most a few times a second."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.last = 0.0
        self.drawn = False

    def __call__(self, progress: ImportProgress, *, final: bool = False) -> None:
        now = time.monotonic()
        if not final and now - self.last < 0.2:
            return
        self.last = now
        rate = progress.rows / progress.elapsed if progress.elapsed > 0 else 0.0
        parts = [f"{progress.rows:,} rows", f"{progress.failed:,} failed", f"{rate:,.0f} rows/s"]
        fraction = progress.fraction
        if fraction is not None:
            width = 24
            filled = int(width * fraction)
            parts.insert(0, f"[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%}")
        self.stream.write("\r\x1b[2Kimporting " + " | ".join(parts))
        if final:
            self.stream.write("\n")
        self.stream.flush()
        self.drawn = True


# -- durable state ---------------------------------------------------------------------------------


def _fsync(handle: IO[Any]) -> None:
    handle.flush()
    os.fsync(handle.fileno())


def _write_atomically(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2, sort_keys=True)
        _fsync(handle)
    os.replace(tmp, path)
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        with contextlib.suppress(OSError):
            fd = os.open(path.parent, os.O_DIRECTORY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


_STATE_KIND = "infobip-profiles-import"
_REPORT_HEADER = ["row", "line", "error", "input"]


@attrs.define
class _Totals:
    rows: int = 0
    created: int = 0
    updated: int = 0
    not_modified: int = 0
    failed: int = 0
    merged: int = 0
    skipped_existing: int = 0
    skipped_missing: int = 0


class _Run:
    """The bookkeeping of one import: totals, the report file, the resume file."""

    def __init__(
        self,
        *,
        fingerprint: str,
        report: Path | None,
        resume: Path | None,
        progress: Callable[[ImportProgress], None] | None,
        size: Callable[[], tuple[int | None, int | None]],
        history: Path | None = None,
    ) -> None:
        self.fingerprint = fingerprint
        self.history_path = history
        self.report_path = report
        self.resume_path = resume
        self.progress = progress
        self.size = size
        self.totals = _Totals()
        self.failures: list[RowFailure] = []
        self._pending: list[RowFailure] = []
        self.started = time.monotonic()
        self.report_offset = 0
        self.completed = False
        self._report: IO[str] | None = None
        self._writer: Any = None
        state = self._load_state()
        self.resumed_from = self.totals.rows
        #: This run carries on from a resume file an earlier run wrote.
        self.resumed = state is not None
        self._open_report(fresh=state is None)

    def _load_state(self) -> dict[str, Any] | None:
        if self.resume_path is None or not self.resume_path.exists():
            return None
        try:
            state = json.loads(self.resume_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise ResumeError(f"cannot read the resume file {self.resume_path}: {exc}") from None
        if not isinstance(state, dict) or state.get("kind") != _STATE_KIND:
            raise ResumeError(f"{self.resume_path} is not an import resume file")
        if state.get("fingerprint") != self.fingerprint:
            raise ResumeError(
                f"{self.resume_path} records an import with another mapping, mode or file "
                "header; use a new resume file (or delete this one) to start over"
            )
        totals = state.get("totals") or {}
        self.totals = _Totals(**{k: int(totals.get(k, 0)) for k in attrs.fields_dict(_Totals)})
        self.report_offset = int(state.get("report_offset", 0))
        self.completed = bool(state.get("completed"))
        return state

    def _open_report(self, *, fresh: bool) -> None:
        if self.report_path is None:
            return
        if fresh or not self.report_path.exists():
            self._report = open(self.report_path, "w", encoding="utf-8", newline="")  # noqa: SIM115
            self._writer = csv.writer(self._report)
            self._writer.writerow(_REPORT_HEADER)
            _fsync(self._report)
        else:
            # Drop what a run that died mid-window wrote after its last durable point.
            with open(self.report_path, "r+b") as raw:
                raw.truncate(min(self.report_offset, os.fstat(raw.fileno()).st_size))
            self._report = open(self.report_path, "a", encoding="utf-8", newline="")  # noqa: SIM115
            self._writer = csv.writer(self._report)
        self.report_offset = self._report.tell()

    def fail(self, row: int, data: Mapping[str, Any], error: str, line: int | None) -> None:
        """Count a rejected row; it is reported (in row order) when its window commits."""
        failure = RowFailure(row=row, input=dict(data), error=error, line=line)
        self.totals.failed += 1
        self._pending.append(failure)

    def interrupted(
        self, rows: list[tuple[int, Mapping[str, Any], int | None]], error: str
    ) -> None:
        """A request of the current window failed: write the window's failures so far and the
        rows that request carried (with ``error``) to the report, after the durable point, so a
        resumed run drops them again when it sends the window anew."""
        if self._writer is None or self._report is None:
            return
        lines = [(f.row, f.line, f.error, f.input) for f in self._pending]
        lines += [(number, line, error, dict(data)) for number, data, line in rows]
        for row, line, text, data in sorted(lines, key=lambda item: item[0]):
            shown = json.dumps(data, default=str, ensure_ascii=False)
            self._writer.writerow([row, "" if line is None else line, text, shown])
        _fsync(self._report)

    def commit(self, rows_done: int) -> None:
        """The window is finished: make the report durable, then record the resume point."""
        self.totals.rows = rows_done
        self._pending.sort(key=lambda f: f.row)
        for failure in self._pending:
            if len(self.failures) < MAX_FAILURES_KEPT:
                self.failures.append(failure)
            if self._writer is not None:
                line = "" if failure.line is None else failure.line
                data = json.dumps(failure.input, default=str, ensure_ascii=False)
                self._writer.writerow([failure.row, line, failure.error, data])
        self._pending.clear()
        if self._report is not None:
            _fsync(self._report)
            self.report_offset = self._report.tell()
        self._save()
        if self.progress is not None:
            self.progress(self.snapshot())

    def finish(self) -> None:
        self.completed = True
        self._save()

    def _save(self) -> None:
        if self.resume_path is None:
            return
        _write_atomically(
            self.resume_path,
            {
                "kind": _STATE_KIND,
                "version": 1,
                "fingerprint": self.fingerprint,
                "rows_done": self.totals.rows,
                "report_offset": self.report_offset,
                "totals": attrs.asdict(self.totals),
                "completed": self.completed,
            },
        )

    def snapshot(self) -> ImportProgress:
        read, total = self.size()
        return ImportProgress(
            rows=self.totals.rows,
            failed=self.totals.failed,
            elapsed=time.monotonic() - self.started,
            bytes_read=read,
            bytes_total=total,
        )

    def close(self) -> None:
        if self._report is not None:
            self._report.close()
            self._report = None

    def result(self) -> ImportResult:
        t = self.totals
        return ImportResult(
            rows=t.rows,
            created=t.created,
            updated=t.updated,
            not_modified=t.not_modified,
            failed=t.failed,
            merged=t.merged,
            resumed_from=self.resumed_from,
            failures=tuple(self.failures),
            report=self.report_path,
            skipped_existing=t.skipped_existing,
            skipped_missing=t.skipped_missing,
            history=self.history_path,
        )


# -- the import, written once for the sync and async clients ---------------------------------------

_Row = tuple[int, Mapping[str, Any], int | None]  # (row number, data, CSV line)


def _windows(rows: Iterator[_Row], size: int) -> Iterator[list[_Row]]:
    window: list[_Row] = []
    for row in rows:
        window.append(row)
        if len(window) >= size:
            yield window
            window = []
    if window:
        yield window


def _row_mapping(
    row: Mapping[str, Any], base: ColumnMapping, cache: dict[tuple[Any, ...], ColumnMapping]
) -> ColumnMapping:
    """The mapping of one row given without a mapping: ``base`` (the first row's keys) plus the
    row's own keys, each read as a target. A key that names no target fails the row (it is not
    dropped silently), as do two keys naming the same single-valued target."""
    keys = tuple(row)
    mapping = cache.get(keys)
    if mapping is not None:
        return mapping
    known = {column for column, _ in base.columns}
    unknown = [k for k in keys if not (isinstance(k, str) and _is_target_name(k))]
    if unknown:
        raise _RowError(
            f"key(s) {', '.join(map(repr, unknown))} name no person field, email, phone, tags "
            "or attr:NAME; pass a mapping to rename or leave them out"
        )
    extra = tuple((k, Target.parse(k)) for k in keys if k not in known)
    try:
        mapping = ColumnMapping(base.columns + extra) if extra else base
    except MappingError as exc:
        raise _RowError(str(exc)) from None
    if len(cache) < 256:
        cache[keys] = mapping
    return mapping


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


def _fingerprint(
    mapping: ColumnMapping,
    mode: str,
    header: list[str] | None,
    on_existing: str = "update",
    on_missing: str = "create",
) -> str:
    what: dict[str, Any] = {"mapping": mapping.specs(), "mode": mode, "header": header}
    if (on_existing, on_missing) != ("update", "create"):  # the default keeps older files valid
        what["policies"] = [on_existing, on_missing]
    blob = json.dumps(what)
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _progress_callback(
    option: ProgressOption,
) -> tuple[Callable[[ImportProgress], None] | None, _TerminalProgress | None]:
    if callable(option):
        return option, None
    if option is None:
        option = sys.stderr.isatty()
    if option:
        terminal = _TerminalProgress(sys.stderr)
        return terminal, terminal
    return None, None


class _CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read through it (for the progress bar)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


@attrs.define
class _Source:
    rows: Iterator[_Row]
    header: list[str] | None
    size: Callable[[], tuple[int | None, int | None]]
    close: Callable[[], None]
    #: Rows given without a mapping: each row's own keys are its targets (see :func:`_row_mapping`).
    keys_are_targets: bool = False


def _csv_source(
    path: str | os.PathLike[str], mapping: ColumnMapping | None, delimiter: str, encoding: str
) -> tuple[_Source, ColumnMapping]:
    file_path = Path(path)
    total = file_path.stat().st_size
    counter = _CountingReader(open(file_path, "rb"))  # noqa: SIM115
    text = io.TextIOWrapper(io.BufferedReader(counter), encoding=encoding, newline="")
    try:
        reader = csv.DictReader(text, delimiter=delimiter)
        header = list(reader.fieldnames or [])
        if not header:
            raise MappingError(f"{file_path} has no header row")
        mapping = mapping or ColumnMapping.identity(header)
        mapping.check_columns(header)
    except BaseException:
        text.close()
        raise

    def rows() -> Iterator[_Row]:
        for number, row in enumerate(reader, start=1):
            yield number, row, reader.line_num

    return (
        _Source(rows(), header, lambda: (counter.count, total), text.close),
        mapping,
    )


def _rows_source(rows: Iterable[Mapping[str, Any]]) -> _Source:
    def numbered() -> Iterator[_Row]:
        for number, row in enumerate(rows, start=1):
            yield number, row, None

    return _Source(numbered(), None, lambda: (None, None), lambda: None)


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


def _rows_input(
    rows: Iterable[Mapping[str, Any]], mapping: ColumnMapping | Mapping[str, str] | None
) -> tuple[_Source, ColumnMapping]:
    """The source and mapping of an import from dicts; without a mapping, the first row's keys
    (and each later row adds its own: see :func:`_row_mapping`)."""
    iterator = iter(rows)
    first = next(iterator, None)
    chained: Iterable[Mapping[str, Any]] = [] if first is None else _chain(first, iterator)
    keys_are_targets = mapping is None
    if mapping is None:
        mapping = ColumnMapping.identity(first or {}) if first is not None else None
    resolved = _resolve(mapping)
    source = _rows_source(chained)
    source.keys_are_targets = keys_are_targets
    return source, resolved


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


def _chain(
    first: Mapping[str, Any], rest: Iterator[Mapping[str, Any]]
) -> Iterator[Mapping[str, Any]]:
    yield first
    yield from rest


def _resolve_optional(mapping: ColumnMapping | Mapping[str, str] | None) -> ColumnMapping | None:
    if mapping is None or isinstance(mapping, ColumnMapping):
        return mapping
    return ColumnMapping.of(mapping)


def _resolve(mapping: ColumnMapping | Mapping[str, str] | None) -> ColumnMapping:
    resolved = _resolve_optional(mapping)
    if resolved is None:
        # An empty input: nothing to map, and nothing will be sent.
        return ColumnMapping((("externalId", Target("field", "external_id")),))
    return resolved
