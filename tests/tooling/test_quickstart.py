"""``examples/quickstart.py`` runs as it is (against the embedded fake) and exits 0."""

from __future__ import annotations

import subprocess
import sys

from tests._support import paths

QUICKSTART = paths.ROOT / "examples" / "quickstart.py"


def test_quickstart_runs_and_shows_each_step() -> None:
    result = subprocess.run(
        [sys.executable, str(QUICKSTART)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "", "PYTHONIOENCODING": "utf-8"},
    )

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert (
        lines[0] == "created: #1 Ada Lovelace [CUSTOMER] city=London email=Ada.Lovelace@example.com"
    )
    assert lines[1].startswith("found by email: #1 Ada Lovelace")
    assert "tags=VIP" in lines[2]
    assert lines[3:5] == [
        "VIPs in London:",
        "  - #1 Ada Lovelace [CUSTOMER] city=London tags=VIP email=Ada.Lovelace@example.com",
    ]
    assert lines[-1] == "people in London: 2"
