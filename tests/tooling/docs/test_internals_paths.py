"""docs/internals.md is the contributor's map of the package: every module it names must exist.

A path from the repository root (``infobip_profiles/_plan.py``, ``tools/gen_operations.py``,
``tests/fake/``) must be there as written; a short module name in a diagram (``_plan.py``,
``engine/tags.py``) must be the end of a path inside the package or the tools. A module that moves
without the page following it fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PAGE = ROOT / "docs" / "internals.md"
ROOTS = ("infobip_profiles/", "tools/", "tests/", "docs/", "benchmarks/")

# A file (``.py``, wildcards allowed) or, from the repository root, a folder ending in ``/``.
_NAME = re.compile(r"(?<![\w./-])((?:[\w*-]+/)*[\w*-]+\.py|(?:[\w-]+/)+)(?![\w/-])")


def _names() -> list[str]:
    text = PAGE.read_text(encoding="utf-8")
    found = dict.fromkeys(m.group(1) for m in _NAME.finditer(text))
    return [name for name in found if name.endswith(".py") or name.startswith(ROOTS)]


def _package_files() -> list[str]:
    files = [*ROOT.glob("infobip_profiles/**/*.py"), *ROOT.glob("tools/*.py")]
    return [p.relative_to(ROOT).as_posix() for p in files if "__pycache__" not in p.parts]


NAMES = _names()
PACKAGE_FILES = _package_files()


def test_the_page_names_the_modules_of_both_pipelines() -> None:
    full = [n for n in NAMES if n.startswith("infobip_profiles/") and n.endswith(".py")]

    assert len(full) >= 20, full
    assert "infobip_profiles/_plan.py" in full
    assert "infobip_profiles/testing/_router.py" in full
    assert "tools/gen_operations.py" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_every_module_the_page_names_exists(name: str) -> None:
    if name.startswith(ROOTS):
        matches = list(ROOT.glob(name.rstrip("/"))) if "*" in name else [ROOT / name]
        assert matches, f"docs/internals.md names {name}, which matches nothing"
        assert all(m.exists() for m in matches), f"docs/internals.md names {name}: not found"
    else:
        pattern = re.compile(r"(^|/)" + re.escape(name).replace(r"\*", r"[^/]*") + "$")
        assert any(pattern.search(f) for f in PACKAGE_FILES), (
            f"docs/internals.md names {name}, which no module of the package or tools/ is"
        )
