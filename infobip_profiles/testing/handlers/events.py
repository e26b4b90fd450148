"""Handlers: events."""

from __future__ import annotations
