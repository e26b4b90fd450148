"""Handlers: segments."""

from __future__ import annotations
