"""Request handlers: parse the wire request, call an engine, render the wire response.

Importing this package registers every handler with the router.
"""

from . import attributes, companies, events, lists, persons, push, segments, tags

__all__ = ["attributes", "companies", "events", "lists", "persons", "push", "segments", "tags"]
