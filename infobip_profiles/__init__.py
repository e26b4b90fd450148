"""Typed Python SDK for the Infobip Customer Profiles ("People") API."""

from ._version import __version__

__all__ = ["__version__"]
