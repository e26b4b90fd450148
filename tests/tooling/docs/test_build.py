"""The documentation site builds with ``mkdocs build --strict`` (broken links, bad references and
docstring problems are errors)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from tests._support import paths

ROOT = paths.ROOT


def _missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ModuleNotFoundError:  # a dotted name whose parent package is absent
        return True


pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        any(
            _missing(name)
            for name in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python")
        ),
        reason="mkdocs, mkdocs-material and mkdocstrings[python] are not installed (the dev extra)",
    ),
]


def test_docs_site_builds_strictly(tmp_path: Path) -> None:
    site = tmp_path / "site"

    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"NO_MKDOCS_2_WARNING": "1", "PATH": "", "HOME": str(tmp_path)},
    )

    assert done.returncode == 0, done.stderr[-4000:]
    assert (site / "index.html").is_file()
    assert (site / "reference" / "bulk" / "index.html").is_file()
