"""Fixtures of the command-line tests: the CLI reaches a fake served over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infobip_profiles.testing import FakeProfiles
from tests._support.cli import serve_for_cli


@pytest.fixture
def fake() -> Iterator[FakeProfiles]:
    """A fresh fake with its default key, stopped after the test (a test module may override
    it to seed the fake)."""
    fake = FakeProfiles()
    yield fake
    fake.stop()


@pytest.fixture
def base_url(fake: FakeProfiles, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """``fake`` served over loopback with its key in the environment the CLI reads; its URL."""
    with serve_for_cli(fake, monkeypatch) as url:
        yield url
