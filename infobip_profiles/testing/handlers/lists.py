"""Handlers: lists."""

from __future__ import annotations
