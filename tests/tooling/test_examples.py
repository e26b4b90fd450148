"""Every example in ``examples/`` runs as it is, against the embedded fake, as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests._support import paths

EXAMPLES = paths.ROOT / "examples"

#: What each example prints when it worked (beyond exiting 0).
EXPECTED = {
    "crm_sync_csv.py": "next night: 8 rows: 0 created, 0 updated, 5 not modified",
    "chatbot_events.py": "bot: Ada, you have 2 items in your cart",
    "mobile_login_logout.py": "Ada keeps her profile",
    "segment_and_export.py": "segment members: ['Ada', 'Mary']",
    "typed_schemas.py": "refused before sending: property 'Plan'",
    "profile_workflows.py": "export: ['billing', 'refund', 'billing']",
}


def _params() -> list[object]:
    return [
        pytest.param(path, id=path.stem)
        for path in sorted(EXAMPLES.glob("*.py"))
        if not path.name.startswith("_")
    ]


def test_every_example_is_listed_with_its_expected_output() -> None:
    scripts = {p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}

    assert scripts - {"quickstart.py"} == set(EXPECTED)


@pytest.mark.parametrize("path", _params())
def test_example_runs_against_the_embedded_fake(path: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INFOBIP_")}

    done = subprocess.run(
        [sys.executable, str(path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr
    assert EXPECTED.get(path.name, "") in done.stdout
