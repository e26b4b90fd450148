"""Handlers: companies."""

from __future__ import annotations
