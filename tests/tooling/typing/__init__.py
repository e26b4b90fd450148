"""User code type-checked with ``mypy --strict`` and run against the fake."""
