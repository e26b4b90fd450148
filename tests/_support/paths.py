"""Where things are: the repository root, whatever folder a test module sits in, and the
repository's scripts (``tools/``, the docs' hooks) imported as modules."""

from __future__ import annotations

import functools
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

#: The repository's root directory (holds ``pyproject.toml``, ``docs/``, ``examples/``...).
ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def load_script(relative: str) -> ModuleType:
    """The script at ``relative`` (from :data:`ROOT`, e.g. ``"tools/gen_coverage.py"``) imported
    as a module named by its file name, once per test session."""
    path = ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(path.stem, module)
    spec.loader.exec_module(module)
    return module
