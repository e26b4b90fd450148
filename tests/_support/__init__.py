"""Helpers shared by several test modules (importable because ``tests/`` is on ``sys.path``)."""
