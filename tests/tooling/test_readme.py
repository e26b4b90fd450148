"""The README's tour runs as written on a fresh account (a fresh fake), and its links work on the
package index (absolute)."""

from __future__ import annotations

import re

import pytest

from infobip_profiles.testing import FakeProfiles
from tests._support import paths

README = paths.ROOT / "README.md"


def tour() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## A short tour", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, "the tour's code block is missing"
    return match.group(1)


def test_the_tour_runs_on_a_fresh_account(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("respx")
    monkeypatch.setenv("INFOBIP_API_KEY", "test-key")
    monkeypatch.setenv("INFOBIP_BASE_URL", "https://xyz.api.infobip.com")
    fake = FakeProfiles("test-key")

    with fake.patch():
        exec(compile(tour(), str(README), "exec"), {"__name__": "readme_tour"})

    printed = capsys.readouterr().out.splitlines()
    assert printed == ["Ada ['ada@example.com']", "2 0 1 0"]  # crm-1 was there, unchanged
    assert fake.calls.count(op_id="send-custom-event") == 1
    assert [s["name"] for s in fake.state()["segments"]] == ["VIP Londoners"]


def test_readme_links_are_absolute() -> None:
    text = README.read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)]+)\)", text)

    assert links
    assert [link for link in links if not link.startswith(("https://", "http://"))] == []
