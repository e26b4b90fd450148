"""Starting ``infobip-profiles fake-server`` as a child process, as a user's test suite would."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any


def start_fake_server(*options: str) -> tuple[subprocess.Popen[str], str]:
    """Start ``fake-server --port 0`` with ``options``; return the process and the base URL it
    printed. The caller stops the process. If it prints no URL, it is killed and the test fails
    with what it wrote to standard error."""
    process = subprocess.Popen(
        [sys.executable, "-m", "infobip_profiles.cli", "fake-server", "--port", "0", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http://"):
        process.kill()
        _, err = process.communicate()
        raise AssertionError(f"fake-server did not start: {err}")
    return process, url


def stop_process(process: subprocess.Popen[Any]) -> None:
    """Ask ``process`` to end, kill it if it has not within ten seconds, and reap it."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
