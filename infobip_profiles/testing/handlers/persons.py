"""Handlers: persons."""

from __future__ import annotations
