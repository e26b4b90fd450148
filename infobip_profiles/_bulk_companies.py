"""Bulk import of companies from a CSV or ``.xlsx`` file or any iterable of dicts.

What an import does, window by window (``batch_size`` input rows at a time, 1000 by default):

1. Each row becomes a company through the column mapping (``COLUMN=TARGET``: a company field,
   ``domains`` / ``tags`` split on ``list_separator``, or ``attr:NAME[:TYPE]``). A row without
   a name or an externalId is a failure of that row alone.
2. Rows of the window naming the same company (same externalId, or same name ignoring case)
   are merged: later non-empty values win, domains and tags are unioned, custom attributes
   combined.
3. The window's companies are looked up (by externalId, then by name) with the companies
   filter, 100 keys a request. A company that exists is updated (PATCH: what the file leaves
   out is kept) with ``on_existing="update"``, or left alone with ``"skip"``; one that does not
   is created with ``on_missing="create"`` (it needs a name), or left out with ``"skip"``.
4. Failures are appended to the ``report`` CSV (``row``, ``error``, ``input``); then the
   ``resume`` file records how many rows are done. Run again with the same ``resume`` file
   after an interruption: the rows done are skipped, the report keeps only their lines, and the
   window in flight is looked up again (companies created before the interruption are found and
   updated, not created twice).
5. Each run appends one JSON line to the history file (``history=``; by default beside the
   report, ``<report>.history.jsonl``): when it ran, on what, with which policies, the counts,
   and how it ended. The history is never rewritten.

Example::

    from infobip_profiles.bulk import import_companies

    result = import_companies(client, "accounts.xlsx", ["Account=name", "Web=domains",
                              "Tier=attr:Tier"], on_existing="update", on_missing="skip",
                              report="accounts-failures.csv", resume="accounts.state")
    print(result.summary())
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import importlib
import json
import os
import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import attrs

from . import _import_history as _history
from ._company_fields import COMPANY_FIELD_ORDER
from ._operations import batch_limit, page_size
from .errors import ProfilesError, ValidationError
from .filters import Field
from .models import Company
from .refs import CompanyRef

if TYPE_CHECKING:
    from ._client import ProfilesClient

__all__ = [
    "COMPANY_TARGETS",
    "CompanyImportResult",
    "CompanyRowFailure",
    "import_companies",
    "read_xlsx",
]

#: The company fields a column can go to (wire names; snake_case works too).
COMPANY_TARGETS = COMPANY_FIELD_ORDER
_LISTS = ("domains", "tags")
_ATTRIBUTE_TYPES = ("string", "integer", "decimal", "boolean", "date", "datetime")
_LOOKUP_CHUNK = 100
#: Most companies one create or update request carries, and the largest page of the listing.
_MAX_BATCH = batch_limit("create-companies")
_MAX_PAGE = page_size("get-a-single-company-by-name-or-a-list-of-companies").maximum

OnExisting = Literal["update", "skip"]
OnMissing = Literal["create", "skip"]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _mapping(
    mapping: Mapping[str, str] | Sequence[str] | None, header: Sequence[str]
) -> dict[str, str]:
    """``{column: target}``; ``None`` maps every column named like a target."""
    if mapping is None:
        return {c: _camel(c) for c in header if _camel(c) in COMPANY_TARGETS}
    pairs: list[tuple[str, str]] = []
    if isinstance(mapping, Mapping):
        pairs = [(str(k), str(v)) for k, v in mapping.items()]
    else:
        for spec in mapping:
            column, sep, target = str(spec).rpartition("=")
            if not sep or not column:
                raise ValidationError(f"mapping {spec!r}: use COLUMN=TARGET", field="mapping")
            pairs.append((column, target))
    out: dict[str, str] = {}
    for column, target in pairs:
        target = target.strip()
        if target.startswith("attr:"):
            parts = target.split(":")
            if (
                len(parts) not in (2, 3)
                or not parts[1]
                or (len(parts) == 3 and parts[2].lower() not in _ATTRIBUTE_TYPES)
            ):
                raise ValidationError(
                    f"mapping {column}={target}: use attr:NAME[:TYPE], TYPE one of "
                    f"{', '.join(_ATTRIBUTE_TYPES)}",
                    field="mapping",
                )
        elif _camel(target) in COMPANY_TARGETS:
            target = _camel(target)
        else:
            raise ValidationError(
                f"mapping {column}={target}: not a company target; use one of "
                f"{', '.join(COMPANY_TARGETS)} or attr:NAME[:TYPE]",
                field="mapping",
            )
        out[column] = target
    missing = [c for c in out if c not in header]
    if header and missing:
        raise ValidationError(
            f"the input has no column {', '.join(map(repr, missing))}", field="mapping"
        )
    if not any(t in ("name", "externalId") for t in out.values()):
        raise ValidationError(
            "map a column to name or externalId: companies are matched on them", field="mapping"
        )
    return out


def _attribute(name: str, kind: str, value: str) -> Any:
    kind = kind.lower()
    try:
        if kind == "integer":
            return int(value)
        if kind == "decimal":
            return Decimal(value)
        if kind == "boolean":
            lowered = value.strip().lower()
            if lowered not in ("true", "false"):
                raise ValueError(value)
            return lowered == "true"
        if kind == "date":
            return datetime.strptime(value.strip(), "%Y-%m-%d").date()
        if kind == "datetime":
            return datetime.fromisoformat(value.strip())
    except (ValueError, InvalidOperation):
        raise ValueError(f"attribute {name}: {value!r} is not a {kind}") from None
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _fields(row: Mapping[str, Any], mapping: Mapping[str, str], sep: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for column, target in mapping.items():
        text = _cell(row.get(column))
        if not text:
            continue
        if target in _LISTS:
            items = [i.strip() for i in text.split(sep) if i.strip()]
            fields[target] = _union(fields.get(target, []), items)
        elif target.startswith("attr:"):
            parts = target.split(":")
            kind = parts[2] if len(parts) == 3 else "string"
            fields.setdefault("customAttributes", {})[parts[1]] = _attribute(parts[1], kind, text)
        else:
            fields[target] = text
    if not fields.get("name") and not fields.get("externalId"):
        raise ValueError("no name or externalId to match the company on")
    return fields


def _union(first: Iterable[str], second: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for item in [*first, *second]:
        seen.setdefault(item.casefold(), item)
    return list(seen.values())


def _merge(parts: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if key in _LISTS:
                merged[key] = _union(merged.get(key, []), value)
            elif key == "customAttributes":
                merged.setdefault(key, {}).update(value)
            else:
                merged[key] = value
    return merged


def _company(fields: Mapping[str, Any]) -> Company:
    snake = {re.sub(r"([A-Z])", r"_\1", k).lower(): v for k, v in fields.items()}
    return Company(**snake)


# -- results -------------------------------------------------------------------------------------


@attrs.frozen
class CompanyRowFailure:
    """A row that was not imported: its 1-based number, why, and what it held."""

    row: int
    error: str
    input: Mapping[str, Any]


@attrs.frozen
class CompanyImportResult:
    """What :func:`import_companies` did, row by row counted."""

    rows: int
    created: int
    updated: int
    skipped: int
    failures: tuple[CompanyRowFailure, ...]
    skipped_by_resume: int = 0
    report: Path | None = None
    history: Path | None = None

    @property
    def failed(self) -> int:
        """How many rows failed."""
        return len(self.failures)

    @property
    def ok(self) -> bool:
        """True when no row failed."""
        return not self.failures

    def summary(self) -> str:
        """One line: ``"12 rows: 3 created, 8 updated, 1 skipped, 0 failed"``."""
        text = (
            f"{self.rows} rows: {self.created} created, {self.updated} updated, "
            f"{self.skipped} skipped, {self.failed} failed"
        )
        if self.skipped_by_resume:
            text += f" ({self.skipped_by_resume} done before resuming)"
        return text


# -- sources -------------------------------------------------------------------------------------


def read_xlsx(path: str | os.PathLike[str], sheet: str | None = None) -> Iterator[dict[str, Any]]:
    """The rows of an ``.xlsx`` sheet (the first, or ``sheet``) as dicts keyed by the header row.

    Needs ``openpyxl``: ``pip install "infobip-profiles[xlsx]"``. Empty rows are skipped; cells
    keep their spreadsheet types (numbers, dates), which the import turns into text.
    """
    try:
        openpyxl: Any = importlib.import_module("openpyxl")
    except ImportError:
        raise ProfilesError(
            'reading .xlsx needs openpyxl: pip install "infobip-profiles[xlsx]"'
        ) from None
    book = openpyxl.load_workbook(os.fspath(path), read_only=True, data_only=True)
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise ValidationError(f"the workbook has no sheet {sheet!r}", field="sheet")
        rows = (book[sheet] if sheet is not None else book.worksheets[0]).iter_rows(
            values_only=True
        )
        header = [_cell(c) for c in next(rows, ())]
        for values in rows:
            if all(v is None or _cell(v) == "" for v in values):
                continue
            yield {h: v for h, v in zip(header, values, strict=False) if h}
    finally:
        book.close()


def _source(
    source: str | os.PathLike[str] | Iterable[Mapping[str, Any]], sheet: str | None
) -> tuple[list[str], Iterator[Mapping[str, Any]], str]:
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if path.suffix.lower() == ".xlsx":
            rows = read_xlsx(path, sheet)
            first = next(rows, None)
            header = list(first) if first is not None else []
            chained: Iterator[Mapping[str, Any]] = (
                iter(()) if first is None else _prepend(first, rows)
            )
            return header, chained, str(path)
        handle = path.open(newline="", encoding="utf-8-sig")
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), _closing(reader, handle), str(path)
    iterator = iter(source)
    head = next(iterator, None)
    if head is None:
        return [], iter(()), "<rows>"
    return list(head), _prepend(head, iterator), "<rows>"


def _prepend(
    first: Mapping[str, Any], rest: Iterator[Mapping[str, Any]]
) -> Iterator[Mapping[str, Any]]:
    yield first
    yield from rest


def _closing(rows: Iterable[Mapping[str, Any]], handle: Any) -> Iterator[Mapping[str, Any]]:
    with handle:
        yield from rows


# -- the run -------------------------------------------------------------------------------------


def _fingerprint(mapping: Mapping[str, str], on_existing: str, on_missing: str, name: str) -> str:
    text = json.dumps([sorted(mapping.items()), on_existing, on_missing, name])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _save(path: Path, data: Mapping[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(data, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def _lookup(client: ProfilesClient, key: str, values: list[str]) -> list[Company]:
    found: list[Company] = []
    for start in range(0, len(values), _LOOKUP_CHUNK):
        chunk = values[start : start + _LOOKUP_CHUNK]
        found.extend(client.companies.list(filter=Field(key).is_in(chunk), page_size=_MAX_PAGE))
    return found


def import_companies(
    client: ProfilesClient,
    source: str | os.PathLike[str] | Iterable[Mapping[str, Any]],
    mapping: Mapping[str, str] | Sequence[str] | None = None,
    *,
    on_existing: OnExisting = "update",
    on_missing: OnMissing = "create",
    report: str | os.PathLike[str] | None = None,
    resume: str | os.PathLike[str] | None = None,
    history: str | os.PathLike[str] | None = None,
    batch_size: int = _MAX_BATCH,
    list_separator: str = ";",
    sheet: str | None = None,
) -> CompanyImportResult:
    """Create or update companies from a ``.csv`` / ``.xlsx`` file or dicts (see the module docs).

    ``mapping`` is ``["COLUMN=TARGET", ...]`` or ``{column: target}`` (``None``: columns named
    like a target). Bad arguments raise :class:`~infobip_profiles.ValidationError` before any
    request; a request that fails stops the import with its error (the history records it; run
    again with the same ``resume`` file to carry on).
    """
    if on_existing not in ("update", "skip"):
        raise ValidationError('on_existing is "update" or "skip"', field="on_existing")
    if on_missing not in ("create", "skip"):
        raise ValidationError('on_missing is "create" or "skip"', field="on_missing")
    if not 1 <= batch_size <= _MAX_BATCH:
        raise ValidationError(f"batch_size is 1 to {_MAX_BATCH}", field="batch_size")
    header, rows, name = _source(source, sheet)
    columns = _mapping(mapping, header)
    fingerprint = _fingerprint(columns, on_existing, on_missing, name)
    report_path = Path(report) if report is not None else None
    resume_path = Path(resume) if resume is not None else None
    history_path = _history.history_path(report_path, history)
    done, report_size = 0, 0
    if resume_path is not None and resume_path.exists():
        state = json.loads(resume_path.read_text(encoding="utf-8"))
        if state.get("fingerprint") != fingerprint:
            raise ValidationError(
                f"{resume_path} belongs to another import (file, mapping or policies differ)",
                field="resume",
            )
        done, report_size = int(state["rows_done"]), int(state.get("report_bytes", 0))
    started = _history.now()
    resumed = bool(done)
    counts = {"created": 0, "updated": 0, "skipped": 0}
    failures: list[CompanyRowFailure] = []
    report_file: Any = None
    writer: Any = None
    if report_path is not None:
        if done and report_path.exists():
            report_file = report_path.open("r+", newline="", encoding="utf-8")
            report_file.truncate(report_size)
            report_file.seek(report_size)
            writer = csv.writer(report_file)
        else:
            report_file = report_path.open("w", newline="", encoding="utf-8")
            writer = csv.writer(report_file)
            writer.writerow(["row", "error", "input"])
            report_file.flush()

    def fail(row: int, error: str, data: Mapping[str, Any]) -> None:
        failures.append(CompanyRowFailure(row, error, dict(data)))
        if writer is not None:
            writer.writerow([row, error, json.dumps({k: _cell(v) for k, v in data.items()})])

    stopped: BaseException | None = None
    rows_total = done
    try:
        window: list[tuple[int, Mapping[str, Any]]] = []
        for number, row in enumerate(rows, start=1):
            if number <= done:
                continue
            rows_total = number
            window.append((number, row))
            if len(window) == batch_size:
                _window(
                    client, window, columns, list_separator, on_existing, on_missing, counts, fail
                )
                done = number
                _checkpoint(report_file, resume_path, fingerprint, done)
                window = []
        if window:
            _window(client, window, columns, list_separator, on_existing, on_missing, counts, fail)
            done = window[-1][0]
            _checkpoint(report_file, resume_path, fingerprint, done)
    except BaseException as exc:
        stopped = exc
        raise
    finally:
        if report_file is not None:
            report_file.close()
        _history.append_run(
            history_path,
            kind="companies",
            started=started,
            source=name,
            on_existing=on_existing,
            on_missing=on_missing,
            resumed=resumed,
            counts={"rowsDone": done, **counts, "failed": len(failures)},
            outcome=_history.outcome_of(stopped),
        )
    return CompanyImportResult(
        rows=rows_total,
        created=counts["created"],
        updated=counts["updated"],
        skipped=counts["skipped"],
        failures=tuple(failures),
        skipped_by_resume=0 if not resume_path else _resumed(rows_total, counts, failures),
        report=report_path,
        history=history_path,
    )


def _resumed(total: int, counts: Mapping[str, int], failures: Sequence[Any]) -> int:
    return max(0, total - sum(counts.values()) - len(failures))


def _checkpoint(report_file: Any, resume: Path | None, fingerprint: str, done: int) -> None:
    size = 0
    if report_file is not None:
        report_file.flush()
        with contextlib.suppress(OSError):
            os.fsync(report_file.fileno())
        size = report_file.tell()
    if resume is not None:
        _save(
            resume,
            {
                "fingerprint": fingerprint,
                "rows_done": done,
                "report_bytes": size,
                "at": time.time(),
            },
        )


def _window(
    client: ProfilesClient,
    window: list[tuple[int, Mapping[str, Any]]],
    columns: Mapping[str, str],
    sep: str,
    on_existing: str,
    on_missing: str,
    counts: dict[str, int],
    fail: Any,
) -> None:
    groups: dict[str, list[tuple[int, Mapping[str, Any], dict[str, Any]]]] = {}
    for number, row in window:
        try:
            fields = _fields(row, columns, sep)
        except ValueError as exc:
            fail(number, str(exc), row)
            continue
        key = (
            f"x:{fields['externalId']}"
            if fields.get("externalId")
            else f"n:{fields['name'].casefold()}"
        )
        groups.setdefault(key, []).append((number, row, fields))
    merged = {key: _merge([f for _, _, f in members]) for key, members in groups.items()}
    external = [m["externalId"] for m in merged.values() if m.get("externalId")]
    # Every spelling the rows used: the filter compares names exactly, the service ignores case.
    names = _union(
        [],
        (
            f["name"]
            for key, members in groups.items()
            if not merged[key].get("externalId")
            for _, _, f in members
            if f.get("name")
        ),
    )
    by_external = {
        c.external_id: c for c in _lookup(client, "externalId", external) if c.external_id
    }
    by_name = {c.name.casefold(): c for c in _lookup(client, "name", names) if c.name}
    creates: list[tuple[str, Company]] = []
    updates: list[tuple[str, CompanyRef, Company]] = []

    def existing_one(key: str, company: Company | None) -> bool:
        """Apply ``on_existing`` to a company found; False when there is none."""
        if company is None or not company.id:
            return False
        if on_existing == "skip":
            counts["skipped"] += len(groups[key])
        else:
            fields = dict(merged[key])
            if (fields.get("name") or "").casefold() == (company.name or "").casefold():
                del fields["name"]  # matched by name: the stored spelling stays
            updates.append((key, CompanyRef.id(company.id), _company(fields)))
        return True

    for key, fields in merged.items():
        found = (
            by_external.get(fields["externalId"])
            if fields.get("externalId")
            else by_name.get(fields["name"].casefold())
        )
        if existing_one(key, found):
            continue
        if on_missing == "skip":
            counts["skipped"] += len(groups[key])
        elif not fields.get("name"):
            for number, row, _ in groups[key]:
                fail(number, "no company matches and there is no name to create one with", row)
        else:
            creates.append((key, _company(fields)))
    created = client.companies.create_many([c for _, c in creates])
    for (key, company), outcome in zip(creates, created, strict=True):
        if not outcome.ok and not outcome.unknown and outcome.status in (400, 409):
            # A name taken in another spelling (names are unique ignoring case): read it by
            # name, which ignores case, and treat it as found.
            with contextlib.suppress(ProfilesError):
                assert company.name is not None
                if existing_one(key, client.companies.get(CompanyRef.name(company.name))):
                    continue
        _settle(groups[key], outcome, "created", counts, fail)
    results = client.companies.update_many([(ref, c) for _, ref, c in updates])
    for (key, _, _), outcome in zip(updates, results, strict=True):
        _settle(groups[key], outcome, "updated", counts, fail)


def _settle(
    members: list[tuple[int, Mapping[str, Any], Any]],
    outcome: Any,
    done: str,
    counts: dict[str, int],
    fail: Any,
) -> None:
    if outcome.ok:
        counts[done] += len(members)
        return
    prefix = "may have been applied: " if outcome.unknown else ""
    reason = "; ".join(outcome.errors) or f"status {outcome.status}"
    for number, row, _ in members:
        fail(number, prefix + reason, row)
