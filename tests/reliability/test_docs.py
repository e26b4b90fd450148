"""``docs/reliability.md`` shows the figures the fault matrix produces today.

The page's table is generated (``python -m benchmarks.reliability_figures``); this test reruns the
matrix and fails when the page no longer matches, for example after a change to the retry rule.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests._support import paths

ROOT = paths.ROOT


@pytest.mark.slow
def test_the_reliability_page_shows_the_current_fault_matrix_figures() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.reliability_figures", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
