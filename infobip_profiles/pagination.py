"""``Pager[T]``: lazy iteration over the API's three paging styles.

* ``page``/``limit`` from 1 (persons, companies, tags, custom attributes), ends on a short page;
* ``page``/``size`` from 0 (segments), ends on a short page or the last of ``totalPages``;
* ``offset``/``limit`` (event definitions), ends on a short page or the API's 404-when-empty.

Whatever the style, a listing also ends once it has read as many items as the body's total count
announced, or when a page repeats the page before it (a server that ignores the page number); a
page with more items than the page size asked for raises
:class:`~infobip_profiles.errors.UnexpectedResponseError`.

Every page request carries the same filter and order as the first.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from typing import Any, Concatenate, Generic, TypeVar

import attrs
from typing_extensions import ParamSpec

from ._operations import Paging, operation
from ._plan import AsyncRunner, Call, Plan, Runner, _Method, json_kind, json_of, typed_page
from ._retry import log
from ._typed import TypedPage
from ._types import CallOptions, check_options
from .errors import NotFoundError, UnexpectedResponseError

__all__ = ["Page", "PageSpec", "Pager", "AsyncPager", "sync_pager", "async_pager"]

T = TypeVar("T")
P = ParamSpec("P")


@attrs.frozen
class Page(Generic[T]):
    """One page: its ``items``, its ``number`` in the API's own numbering, and ``total`` if known."""

    items: list[T]
    number: int
    size: int
    total: int | None = None
    total_pages: int | None = None

    def __iter__(self) -> Iterator[T]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


@attrs.frozen
class PageSpec(Generic[T]):
    """Everything needed to fetch any page of one listing.

    ``items_key`` names the array in the body (``None``: the body is a bare array). ``decode`` turns
    one wire item into a model. ``model``, when given, is the model ``decode`` makes: a page
    may then be decoded by the typed path, which gives the same items (see ``docs/performance.md``).
    """

    op_id: str
    decode: Callable[[Any], T]
    page_size: int
    items_key: str | None
    params: Sequence[tuple[str, str]] = ()
    path_params: Mapping[str, str] = attrs.field(factory=dict)
    options: CallOptions = attrs.field(factory=lambda: CallOptions(), validator=check_options)
    max_pages: int | None = None
    model: type[T] | None = None

    @property
    def style(self) -> Paging:
        """The operation's paging style, from the operations table."""
        return operation(self.op_id).paging

    def first(self) -> int:
        """The position of the first page in the API's numbering."""
        return {Paging.PAGE_LIMIT: 1, Paging.PAGE_SIZE: 0}.get(self.style, 0)

    def call(self, number: int) -> Call:
        """The request for page ``number``."""
        style = self.style
        if style is Paging.PAGE_LIMIT:
            paging = [("page", str(number)), ("limit", str(self.page_size))]
        elif style is Paging.PAGE_SIZE:
            paging = [("page", str(number)), ("size", str(self.page_size))]
        elif style is Paging.OFFSET_LIMIT:
            paging = [("offset", str(number * self.page_size)), ("limit", str(self.page_size))]
        else:
            raise ValueError(f"{self.op_id} does not page")
        listing = None
        if self.model is not None and self.items_key is not None:
            listing = (self.model, self.items_key)
        return Call(
            self.op_id,
            path_params=self.path_params,
            query=[*self.params, *paging],
            options=self.options,
            listing=listing,
        )

    def plan(self, number: int) -> Plan[Page[T]]:
        """Fetch and decode page ``number``."""
        call = self.call(number)
        try:
            response = yield call
        except NotFoundError:
            if self.style is Paging.OFFSET_LIMIT:  # event definitions: 404 means "no more"
                return Page([], number, self.page_size)
            raise
        typed = typed_page(call, response)
        body: Any = typed
        if typed is None:
            body = json_of(response)
            raw = self._items_of(body, response.status_code)
        else:
            raw = typed.items
        if len(raw) > self.page_size:
            raise UnexpectedResponseError(
                response.status_code,
                f"the page holds {len(raw)} items, more than the {self.page_size} asked for",
            )
        items = raw if typed is not None else [self.decode(item) for item in raw]
        return self._page(items, number, body)

    def _page(self, items: list[T], number: int, body: Any) -> Page[T]:
        """The page of ``items``; ``body`` is the decoded body, or the typed page (its counts)."""
        total = total_pages = paging = None
        if isinstance(body, TypedPage):
            total, paging = _count(body.total_count), body.paging
        elif isinstance(body, Mapping):
            total, paging = _count(body.get("totalCount")), body.get("paging")
        if isinstance(paging, Mapping):
            total = _count(paging.get("totalResults", total))
            total_pages = _count(paging.get("totalPages"))
        return Page(items, number, self.page_size, total, total_pages)

    def _items_of(self, body: Any, status: int) -> list[Any]:
        """The page's wire items: an array (``items_key`` of an object, or the body itself)."""
        raw = body
        if self.items_key is not None:
            if body is not None and not isinstance(body, Mapping):
                raise UnexpectedResponseError(
                    status,
                    f"expected a JSON object holding {self.items_key}, got {json_kind(body)}",
                )
            raw = (body or {}).get(self.items_key)
        if raw is None:
            return []
        if not isinstance(raw, list):
            where = self.items_key or "the body"
            raise UnexpectedResponseError(status, f"{where} is {json_kind(raw)}, not an array")
        return raw

    def next_number(self, page: Page[T]) -> int | None:
        """The number of the page after ``page``, or ``None`` when ``page`` was the last."""
        if len(page.items) < self.page_size:
            return None
        if page.total_pages is not None and page.number + 1 >= page.total_pages:
            return None
        nxt = page.number + 1
        if self.max_pages is not None and nxt - self.first() >= self.max_pages:
            return None
        return nxt


def _count(value: Any) -> int | None:
    """A count the body gave, if it is a whole number of at least 0."""
    return value if type(value) is int and value >= 0 else None


class _Walk:
    """What a pager remembers between pages, so that a server ignoring the page number (the
    same page again) or counting wrong cannot keep it asking forever."""

    def __init__(self) -> None:
        self.seen = 0
        self.previous: list[Any] | None = None

    def repeated(self, page: Page[Any]) -> bool:
        """``page`` holds exactly the items of the page before it: the listing ends there."""
        again = bool(page.items) and page.items == self.previous
        if again:
            log.warning("page %d repeats the page before it: the listing ends here", page.number)
        self.previous = page.items
        return again

    def complete(self, page: Page[Any]) -> bool:
        """Every item the body's total count announced has been read."""
        self.seen += len(page.items)
        return page.total is not None and self.seen >= page.total


class Pager(Generic[T]):
    """A lazy listing. Iterate it for every item across pages (one request per page, on demand).

    Example::

        for person in client.people.list(filter=F("city") == "London", page_size=500):
            ...
        first = client.people.list().first_page()
    """

    def __init__(self, client: Runner, spec: PageSpec[T]) -> None:
        self._client = client
        self.spec = spec

    def first_page(self) -> Page[T]:
        """Fetch only the first page."""
        return self._client._run(self.spec.plan(self.spec.first()))

    def pages(self) -> Iterator[Page[T]]:
        """Yield the pages one by one, fetching each when it is needed."""
        number: int | None = self.spec.first()
        walk = _Walk()
        while number is not None:
            page = self._client._run(self.spec.plan(number))
            if walk.repeated(page):
                return
            if page.items:
                yield page
            number = None if walk.complete(page) else self.spec.next_number(page)

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items

    def to_list(self) -> list[T]:
        """Every item of every page, as a list."""
        return list(self)


class AsyncPager(Generic[T]):
    """The async twin of :class:`Pager`: ``async for person in client.people.list(): ...``."""

    def __init__(self, client: AsyncRunner, spec: PageSpec[T]) -> None:
        self._client = client
        self.spec = spec

    async def first_page(self) -> Page[T]:
        """Fetch only the first page."""
        return await self._client._run(self.spec.plan(self.spec.first()))

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Yield the pages one by one, fetching each when it is needed."""
        number: int | None = self.spec.first()
        walk = _Walk()
        while number is not None:
            page = await self._client._run(self.spec.plan(number))
            if walk.repeated(page):
                return
            if page.items:
                yield page
            number = None if walk.complete(page) else self.spec.next_number(page)

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item

    async def to_list(self) -> list[T]:
        """Every item of every page, as a list."""
        return [item async for item in self]


class _PagerOp(_Method[P, Pager[T]]):
    """Descriptor: a method that returns a lazy :class:`Pager` (no request until iterated)."""

    spec: Callable[Concatenate[Any, P], PageSpec[T]]

    def __init__(self, spec: Callable[Concatenate[Any, P], PageSpec[T]]) -> None:
        super().__init__(spec)
        self.spec = spec

    def _bind(self, obj: Any, client: Any) -> Callable[P, Pager[T]]:
        spec = self.spec

        @functools.wraps(spec)
        def method(*args: P.args, **kwargs: P.kwargs) -> Pager[T]:
            return Pager(client, spec(obj, *args, **kwargs))

        return method


class _AsyncPagerOp(_Method[P, AsyncPager[T]]):
    """Descriptor: a method that returns a lazy :class:`AsyncPager`."""

    spec: Callable[Concatenate[Any, P], PageSpec[T]]

    def __init__(self, spec: Callable[Concatenate[Any, P], PageSpec[T]]) -> None:
        super().__init__(spec)
        self.spec = spec

    def _bind(self, obj: Any, client: Any) -> Callable[P, AsyncPager[T]]:
        spec = self.spec

        @functools.wraps(spec)
        def method(*args: P.args, **kwargs: P.kwargs) -> AsyncPager[T]:
            return AsyncPager(client, spec(obj, *args, **kwargs))

        return method


def sync_pager(spec: Callable[Concatenate[Any, P], PageSpec[T]]) -> _PagerOp[P, T]:
    """Expose a page spec builder as a method returning a :class:`Pager`."""
    return _PagerOp(spec)


def async_pager(spec: Callable[Concatenate[Any, P], PageSpec[T]]) -> _AsyncPagerOp[P, T]:
    """Expose a page spec builder as a method returning an :class:`AsyncPager`."""
    return _AsyncPagerOp(spec)
