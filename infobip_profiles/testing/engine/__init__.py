"""The fake's engines: state and semantics, no HTTP. One module per resource family.

Engines know nothing of the wire: no statuses, envelopes or response bodies. They refuse a request
with the domain errors of :mod:`._domain` (``Invalid``, ``NotFound``, ``Conflict``,
``LimitReached``), carrying a family's code as data where the service numbers its errors; the
handler boundary renders them in the operation's envelope. Engines that keep something per person
hear of deletes and merges through the :class:`~._hooks.PersonHooks` protocol. A test keeps the
engine modules free of the wire helpers' imports.
"""
