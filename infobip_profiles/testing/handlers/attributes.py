"""Handlers: attributes."""

from __future__ import annotations
