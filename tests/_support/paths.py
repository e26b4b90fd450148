"""Where things are: the repository root, whatever folder a test module sits in."""

from __future__ import annotations

from pathlib import Path

#: The repository's root directory (holds ``pyproject.toml``, ``docs/``, ``examples/``...).
ROOT = Path(__file__).resolve().parents[2]
