"""Running the ``infobip-profiles`` command line in-process against a served fake, and CSV inputs."""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

from infobip_profiles.cli import main
from infobip_profiles.testing import FakeProfiles


@contextmanager
def serve_for_cli(fake: FakeProfiles, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Serve ``fake`` over loopback with its key in the environment the CLI reads; yield the URL."""
    monkeypatch.setenv("INFOBIP_API_KEY", fake.api_key)
    monkeypatch.delenv("INFOBIP_BASE_URL", raising=False)
    with fake.serve() as url:
        yield url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the CLI with ``argv``; return its exit code, standard output and standard error."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write_csv(path: Path, rows: Sequence[Sequence[str]], header: Sequence[str]) -> Path:
    """Write ``header`` then ``rows`` to ``path`` as UTF-8 CSV; return ``path``."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV file with a header (an import's failure report), as dicts."""
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))
