"""Where a person import reads its rows: a CSV file (counting the bytes read, for the progress
bar) or any iterable of dicts.

Part of :mod:`infobip_profiles.bulk`.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import attrs

from .mapping import ColumnMapping, MappingError, _resolve

__all__: list[str] = []

_Row = tuple[int, Mapping[str, Any], int | None]  # (row number, data, CSV line)


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


def _chain(
    first: Mapping[str, Any], rest: Iterator[Mapping[str, Any]]
) -> Iterator[Mapping[str, Any]]:
    yield first
    yield from rest
