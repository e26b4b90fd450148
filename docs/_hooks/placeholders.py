"""MkDocs hook: pages other contributors own get a placeholder until their file exists.

The placeholder lives only in the build (a generated file); nothing is written to ``docs/``, so a
real page is never overwritten and ``mkdocs build --strict`` passes while it is still missing.
"""

from __future__ import annotations

from typing import Any

from mkdocs.structure.files import File, Files

PLACEHOLDERS = {
    "custom-attributes.md": "Custom attributes",
    "coverage.md": "API coverage",
    "performance.md": "Performance",
    "reliability.md": "Reliability",
}


def on_files(files: Files, config: Any) -> Files:
    """Add a generated page for each owned-elsewhere page that is not in ``docs/`` yet."""
    for path, title in PLACEHOLDERS.items():
        if files.get_file_from_path(path) is None:
            content = f"# {title}\n\nThis page is being written.\n"
            files.append(File.generated(config, path, content=content))
    return files
