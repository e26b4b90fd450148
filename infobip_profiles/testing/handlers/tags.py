"""Handlers: tags."""

from __future__ import annotations
