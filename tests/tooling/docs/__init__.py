"""The documentation site build and its API reference."""
