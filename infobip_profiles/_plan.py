"""Calls and plans: how a resource method says what to send, once, for both clients.

A resource method is written once as a *plan*: a generator that yields :class:`Call` objects and
receives each one's ``httpx.Response`` (or, for an error, has the :class:`~infobip_profiles.errors.APIError`
thrown into it), then returns the method's result. The sync client drives plans with blocking I/O,
the async client with ``await``; the request building, decoding and batching logic exist only once.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Concatenate, Generic, Protocol, TypeVar, overload

import attrs
import httpx
from typing_extensions import ParamSpec, Self

from ._converter import loads
from ._types import NO_BODY, NOT_GIVEN, CallOptions, check_options
from .errors import UnexpectedResponseError

if TYPE_CHECKING:
    from ._operations import Operation
    from ._typed import TypedPage

__all__ = [
    "Call",
    "JSONBody",
    "Plan",
    "Runner",
    "AsyncRunner",
    "NO_BODY",
    "sync_op",
    "async_op",
    "json_of",
    "json_kind",
    "check_answer",
    "forget_json",
]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")
M = TypeVar("M")


@attrs.frozen
class JSONBody:
    """A request body already encoded as JSON: sent as it is (the bulk calls build theirs in one
    pass, without a dict per item)."""

    content: bytes = attrs.field(repr=lambda c: f"<{len(c)} bytes>")


@attrs.frozen
class Call:
    """One HTTP request of one operation, before it is sent."""

    op_id: str
    path_params: Mapping[str, str] = attrs.field(factory=dict)
    query: Sequence[tuple[str, str]] = ()
    body: Any = NO_BODY
    headers: Mapping[str, str] = attrs.field(factory=dict)
    options: CallOptions = attrs.field(factory=lambda: CallOptions(), validator=check_options)
    #: A listing's model and the key of its array: the answer may be decoded by the typed path
    #: (:func:`typed_page`), which also stands for the answer's shape check when it succeeds.
    listing: tuple[type[Any], str] | None = None

    @property
    def operation(self) -> Operation:
        """The operation this call belongs to (from the operations table)."""
        return _operation(self.op_id)


def _first_operation(op_id: str) -> Operation:
    """Loads the operations table on the first call: a program's start does not need it."""
    global _operation
    from ._operations import operation

    _operation = operation
    return operation(op_id)


_operation: Callable[[str], Operation] = _first_operation


#: A plan yields calls, receives responses, returns the method's result.
Plan = Generator[Call, httpx.Response, R]


class Runner(Protocol):
    """What drives plans with blocking I/O (the sync client), as resources and pagers see it."""

    def _run(self, plan: Plan[T]) -> T: ...


class AsyncRunner(Protocol):
    """What drives plans with ``await`` (the async client), as resources and pagers see it."""

    def _run(self, plan: Plan[T]) -> Awaitable[T]: ...


_PARSED = "infobip_profiles.json"


def json_of(response: httpx.Response) -> Any:
    """The response body as JSON (exact decimals), or ``None`` when it is empty.

    A body that is not JSON (an HTML page, bad UTF-8, nesting too deep to parse) raises
    :class:`~infobip_profiles.errors.UnexpectedResponseError`. The value is parsed once per
    response (the client's shape check and the plan share it).
    """
    cached = response.extensions.get(_PARSED, NOT_GIVEN)
    if cached is not NOT_GIVEN:
        return cached
    # No local holds the body: a frame on the path of the error below must not keep an echo
    # of a secret that the client redacts from the response afterwards.
    if not response.content:
        return None
    try:
        value = loads(response.content)
    except (ValueError, UnicodeDecodeError, RecursionError) as exc:
        # The cause is not chained: a JSON error keeps the whole document, which may echo a secret.
        reason = "nested too deeply" if isinstance(exc, RecursionError) else type(exc).__name__
        raise UnexpectedResponseError(
            response.status_code, f"the body is not valid JSON ({reason})"
        ) from None
    response.extensions[_PARSED] = value
    return value


def forget_json(response: httpx.Response) -> None:
    """Drop the parsed body :func:`json_of` (or :func:`typed_page`) kept on ``response``."""
    response.extensions.pop(_PARSED, None)
    response.extensions.pop(_TYPED, None)


_TYPED = "infobip_profiles.typed"


def typed_page(call: Call, response: httpx.Response) -> TypedPage | None:
    """The listing ``call`` asked for, decoded by the typed path (:mod:`._typed`), or ``None``
    when the body is not one the typed path reads exactly as the general path does (then
    :func:`json_of` and the model's decoder read it). Decoded once per response."""
    if call.listing is None or not response.content:
        return None
    cached = response.extensions.get(_TYPED, NOT_GIVEN)
    if cached is not NOT_GIVEN:
        return cached  # type: ignore[no-any-return]
    from ._typed import page_decoder

    model, key = call.listing
    decode = page_decoder(model, key, _ANSWER_FIELDS.get(call.op_id, ()))
    page = None if decode is None else decode(response.content)
    response.extensions[_TYPED] = page
    return page


#: Operations whose success answer is decoded into one model, and the fields the service always
#: returns in it (from the spec's response schemas and the service's own answers): an answer
#: without them is not that model, whatever a lenient decode would make of it.
_ANSWER_FIELDS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(
        (
            "get-a-single-person-or-a-list-of-people",
            "create-a-new-person",
            "update-a-person",
            "partial-person-update",
            "set-person-contact-information",
            "delete-person-contact-information",
            "add-person-contact-information",
        ),
        ("id",),
    ),
    "get-a-single-company-by-name-or-a-list-of-companies": ("id",),
    "create-company": ("id",),
    "update-company": ("id",),
    "create-a-new-tag": ("name",),
    "get-a-tag": ("name",),
    "create-a-custom-attribute": ("name",),
    "get-a-single-custom-attribute": ("name",),
    "create-event-definition": ("definitionId",),
    "get-event-definition": ("definitionId",),
    "update-event-definition": ("definitionId",),
    "create-events-export-request": ("requestId",),
    "get-events-export-request-status": ("requestId", "status"),
    "get-events-definitions-for-export": ("definitionIdList",),
    "create-segment": ("id", "name"),
    "get-segment": ("id", "name"),
    "update-segment": ("id", "name"),
    "get-push-device-registration": ("registrationId",),
    "update-push-device-registration": ("registrationId",),
}

#: Operations that may answer with a listing instead (a page, or every match of a selector):
#: then each listed item must carry the fields.
_LISTED_UNDER = {
    "get-a-single-person-or-a-list-of-people": "persons",
    "get-a-single-company-by-name-or-a-list-of-companies": "companies",
}


#: The many-item writes whose answer is an object with a ``results`` array, one per item.
_RESULTS_WRITES = (
    "batch-people-create",
    "batch-people-update",
    "batch-people-delete",
    "create-companies",
    "update-companies",
    "delete-companies",
    "upsert-persons-partial",
    "upsert-persons-full",
    "merge-persons",
)

#: Operations whose success answer is not decoded into one model but must still be JSON of a
#: given kind: a batch write's object of per-item results, match's and personalize's objects,
#: the v3 lists' items (an array, or one item as an object). An empty body, ``null`` or a string there is not
#: that operation's answer (read leniently, it would report every item of a write as applied).
_ANSWER_KINDS: dict[str, tuple[type, ...]] = {
    **dict.fromkeys(
        (
            *_RESULTS_WRITES,
            "match-people-ids",
            "get-lists",
            "personalize-push-instance",
        ),
        (dict,),
    ),
    **dict.fromkeys(
        (
            "replace-list",
            "update-list",
            "get-list-items",
            "append-list-items",
            "delete-list-items",
            "replace-list-item",
            "update-list-item",
        ),
        (list, dict),
    ),
    "append-item-to-custom-attribute": (list,),
}

#: Keys of an answer object that, when present and not ``null``, must hold an array.
_ARRAY_UNDER = {
    **dict.fromkeys(_RESULTS_WRITES, "results"),
    "match-people-ids": "matches",
}


def _check_kind(call: Call, response: httpx.Response) -> None:
    kinds = _ANSWER_KINDS.get(call.op_id)
    if kinds is None:
        return
    body = json_of(response)
    if not isinstance(body, kinds):
        expected = " or ".join(json_kind(k()) for k in kinds)
        raise UnexpectedResponseError(
            response.status_code, f"expected {expected}, got {json_kind(body)}"
        )
    key = _ARRAY_UNDER.get(call.op_id)
    if key is not None and isinstance(body, dict):
        items = body.get(key)
        if items is not None and not isinstance(items, list):
            raise UnexpectedResponseError(
                response.status_code, f"{key} is {json_kind(items)}, not an array"
            )


def json_kind(value: Any) -> str:
    """What JSON ``value`` is, as error messages say it (``null``, ``an object``...)."""
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number"
    )


def check_answer(call: Call, response: httpx.Response) -> None:
    """Raise :class:`~infobip_profiles.errors.UnexpectedResponseError` when a success answer
    of an operation decoded into one model is not a JSON object carrying the fields the service
    always returns in it (an empty ``Person()`` must never stand for a broken answer), or when
    an answer is not of the JSON kind its operation always returns."""
    if not response.is_success:
        return
    if call.listing is not None and typed_page(call, response) is not None:
        # The typed mirrors refuse every answer this check refuses (a body that is not an
        # object, an items key missing or not an array, an item without its fields).
        return
    _check_kind(call, response)
    fields = _ANSWER_FIELDS.get(call.op_id)
    if fields is None:
        return
    body = json_of(response)
    if not isinstance(body, dict):
        raise UnexpectedResponseError(
            response.status_code, f"expected a JSON object, got {json_kind(body)}"
        )
    key = _LISTED_UNDER.get(call.op_id)
    if key is not None and key in body:
        items = body[key]
        if items is None:
            return
        if not isinstance(items, list):
            raise UnexpectedResponseError(
                response.status_code, f"{key} is {json_kind(items)}, not an array"
            )
        for index, item in enumerate(items):
            _require(response, item, fields, f"{key}[{index}]")
        return
    _require(response, body, fields, "the answer")


def _require(response: httpx.Response, item: Any, fields: tuple[str, ...], where: str) -> None:
    if not isinstance(item, dict):
        raise UnexpectedResponseError(
            response.status_code, f"{where} is {json_kind(item)}, not an object"
        )
    missing = [name for name in fields if item.get(name) is None]
    if missing:
        raise UnexpectedResponseError(
            response.status_code,
            f"{where} lacks {', '.join(missing)}, which the service always returns",
        )


class _Method(Generic[P, M]):
    """Descriptor base: exposes ``fn`` (a plan or page spec builder taking the resource first) as
    a method of the resource instance, with ``fn``'s parameters and a return type ``M`` that the
    subclass decides by how :meth:`_bind` wraps what ``fn`` returns."""

    #: The attribute this descriptor is bound to in its class.
    _attribute: str | None = None

    def __init__(self, fn: Callable[Concatenate[Any, P], Any]) -> None:
        self.fn = fn
        functools.update_wrapper(self, fn)  # type: ignore[arg-type]

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self._attribute = name

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> Self: ...
    @overload
    def __get__(self, obj: object, owner: type[Any]) -> Callable[P, M]: ...
    def __get__(self, obj: object | None, owner: type[Any]) -> Self | Callable[P, M]:
        if obj is None:
            return self
        bound = self._bind(obj, obj._client)  # type: ignore[attr-defined]
        if self._attribute is not None and hasattr(obj, "__dict__"):
            # Kept on the instance, which this (non-data) descriptor yields to from then on:
            # a hot call like ``client.people.get(...)`` makes no new closure each time.
            obj.__dict__[self._attribute] = bound
        return bound

    def _bind(self, obj: Any, client: Any) -> Callable[P, M]:
        raise NotImplementedError


class _Op(_Method[P, R]):
    """Descriptor that exposes a plan as a blocking method on a sync resource."""

    plan: Callable[Concatenate[Any, P], Plan[R]]

    def __init__(self, plan: Callable[Concatenate[Any, P], Plan[R]]) -> None:
        super().__init__(plan)
        self.plan = plan

    def _bind(self, obj: Any, client: Any) -> Callable[P, R]:
        plan = self.plan

        @functools.wraps(plan)
        def method(*args: P.args, **kwargs: P.kwargs) -> R:
            return client._run(plan(obj, *args, **kwargs))  # type: ignore[no-any-return]

        return method


class _AsyncOp(_Method[P, Awaitable[R]]):
    """Descriptor that exposes a plan as a coroutine method on an async resource."""

    plan: Callable[Concatenate[Any, P], Plan[R]]

    def __init__(self, plan: Callable[Concatenate[Any, P], Plan[R]]) -> None:
        super().__init__(plan)
        self.plan = plan

    def _bind(self, obj: Any, client: Any) -> Callable[P, Awaitable[R]]:
        plan = self.plan

        @functools.wraps(plan)
        async def method(*args: P.args, **kwargs: P.kwargs) -> R:
            return await client._run(plan(obj, *args, **kwargs))  # type: ignore[no-any-return]

        return method


def sync_op(plan: Callable[Concatenate[Any, P], Plan[R]]) -> _Op[P, R]:
    """Expose ``plan`` as a blocking method."""
    return _Op(plan)


def async_op(plan: Callable[Concatenate[Any, P], Plan[R]]) -> _AsyncOp[P, R]:
    """Expose ``plan`` as a coroutine method."""
    return _AsyncOp(plan)
