"""The plugin's async fixture works in a user's test suite under anyio's pytest plugin (which
comes with httpx's own dependency, anyio) and under pytest-asyncio."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

USER_TESTS = """
import pytest
from infobip_profiles import Person, PersonRef

@pytest.mark.anyio
async def test_async_client_fixture(profiles_async_client, profiles_fake):
    await profiles_async_client.people.create(Person(external_id="crm-1", first_name="Ada"))
    person = await profiles_async_client.people.get(PersonRef.external_id("crm-1"))
    assert person.first_name == "Ada"
    assert len(profiles_fake.people()) == 1
"""


def run_user_suite(tmp_path: Path, *plugin_args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_user.py").write_text(USER_TESTS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            *plugin_args,
            "test_user.py",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("anyio") is None, reason="anyio is not installed")
def test_the_async_fixture_runs_under_anyio(tmp_path: Path) -> None:
    result = run_user_suite(tmp_path, "-p", "no:asyncio", "-p", "anyio")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
