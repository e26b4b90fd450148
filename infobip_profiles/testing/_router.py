"""The route table: (method, path) to operation to handler.

Routes come from the operations table, so the fake answers exactly the paths the spec declares.
Handler modules register themselves with :func:`handles`; :func:`resolve` finds the operation and
its path parameters for a request.

:func:`handles` is also the handler boundary: what a handler (or an engine it calls) raises as a
domain error (:mod:`~infobip_profiles.testing.engine._domain`) leaves it rendered in the
operation's error envelope (:func:`~infobip_profiles.testing._errors.render`), the family read
once from the operations table. Engines never choose an envelope.

A trailing slash is routed like the path without it (``PUT /people/2/persons/?...`` is the
update): Infobip's own integrations send such paths, and the service answers them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from .._operations import OPERATIONS, Operation
from ._errors import render
from .engine._domain import DomainError

if TYPE_CHECKING:
    from ._context import Context
    from ._wire import FakeResponse

__all__ = ["Handler", "HANDLERS", "handles", "resolve", "methods_for_path", "route_path"]

Handler = Callable[["Context"], "FakeResponse"]

HANDLERS: dict[str, Handler] = {}

# Static paths first so that ``/people/2/persons/batch`` never matches a ``{placeholder}``.
_ROUTES: list[Operation] = sorted(OPERATIONS.values(), key=lambda op: op.path.count("{"))


def handles(*op_ids: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of ``op_ids``; each registration renders
    a domain error the function raises in that operation's envelope."""

    def register(fn: Handler) -> Handler:
        for op_id in op_ids:
            if op_id not in OPERATIONS:
                raise KeyError(f"unknown operationId {op_id!r}")
            HANDLERS[op_id] = _rendering(fn, OPERATIONS[op_id])
        return fn

    return register


def _rendering(fn: Handler, op: Operation) -> Handler:
    @functools.wraps(fn)
    def handler(ctx: Context) -> FakeResponse:
        try:
            return fn(ctx)
        except DomainError as err:
            raise render(err, op) from err

    return handler


def route_path(path: str) -> str:
    """``path`` as routed: one trailing slash dropped (``/people/2/persons/`` is
    ``/people/2/persons``); the root stays ``/``."""
    if len(path) > 1 and path.endswith("/"):
        return path[:-1]
    return path


def resolve(method: str, path: str) -> tuple[Operation, dict[str, str]] | None:
    """The operation serving ``method path`` and its decoded path parameters, or ``None``.

    ``method`` is matched exactly (HTTP methods are case-sensitive); a trailing slash on
    ``path`` is ignored.
    """
    from urllib.parse import unquote

    path = route_path(path)
    for op in _ROUTES:
        if op.method != method:
            continue
        match = op.path_regex.match(path)
        if match:
            return op, {k: unquote(v) for k, v in match.groupdict().items()}
    return None


def methods_for_path(path: str) -> list[str]:
    """The methods the spec declares for ``path`` (for telling 404 from 405, and for the
    ``Allow`` header of a 405); a trailing slash is ignored."""
    path = route_path(path)
    return sorted({op.method for op in _ROUTES if op.path_regex.match(path)})
