"""The ``tags`` resource: tag CRUD and tagging people in batches, sync and async."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from typing_extensions import Unpack

from .._converter import from_wire
from .._operations import CLIENT_PAGE_SIZE, batch_limit, page_size
from .._plan import Call, Plan, async_op, json_of, sync_op
from .._types import CallOptions
from ..errors import BadRequestError, NotFoundError, ValidationError
from ..models import MAX_TAG_NAME, Tag
from ..pagination import PageSpec, async_pager, sync_pager
from ..refs import PersonRef
from ._base import AsyncResource, SyncResource
from ._batch import is_strict, send_refs
from ._params import order_by_param

__all__ = ["Tags", "AsyncTags", "BATCH_LIMIT", "check_tag_name"]

#: People per request of ``add_to_people`` / ``remove_from_people`` (the same for both).
BATCH_LIMIT = batch_limit("add-tag-to-people-batch")
MAX_PAGE_SIZE = page_size("get-list-of-tags").maximum
DEFAULT_PAGE_SIZE = CLIENT_PAGE_SIZE
_ORDER_FIELDS = ("name", "createdAt", "modifiedAt")


def check_tag_name(name: str) -> str:
    """A tag name is non-blank text of at most 256 characters; raise :class:`ValidationError`."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("a tag name must not be blank", field="name")
    if len(name) > MAX_TAG_NAME:
        raise ValidationError(
            f"tag name is {len(name)} characters long; the limit is {MAX_TAG_NAME}", field="name"
        )
    return name


def _decode(data: Any) -> Tag:
    return from_wire(data, Tag)


def _tag_people(
    op_id: str,
    name: str,
    refs: Iterable[PersonRef],
    strict: bool | None,
    options: CallOptions,
) -> Plan[None]:
    """Add or remove the tag ``name`` on people, :data:`BATCH_LIMIT` per request."""
    path = {"name": check_tag_name(name)}
    return (
        yield from send_refs(
            refs,
            BATCH_LIMIT,
            is_strict(strict, refs),
            lambda queries: Call(
                op_id, path_params=path, body={"people": queries}, options=options
            ),
        )
    )


class _TagsPlans:
    """The tag operations, written once."""

    def list(
        self,
        *,
        order_by: str | None = None,
        page_size: int | None = None,
        **options: Unpack[CallOptions],
    ) -> PageSpec[Tag]:
        """Every tag, lazily, page by page (``order_by`` over name, createdAt, modifiedAt)."""
        size = DEFAULT_PAGE_SIZE if page_size is None else page_size
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError(f"page_size must be 1 to {MAX_PAGE_SIZE}", field="limit")
        params = [] if order_by is None else [("orderBy", order_by_param(order_by, _ORDER_FIELDS))]
        return PageSpec("get-list-of-tags", _decode, size, None, params=params, options=options)

    def create(self, name: str, **options: Unpack[CallOptions]) -> Plan[Tag]:
        """Create a tag. A name that exists already (compared ignoring case) is a 400."""
        body = {"name": check_tag_name(name)}
        response = yield Call("create-a-new-tag", body=body, options=options)
        return _decode(json_of(response))

    def get(self, name: str, **options: Unpack[CallOptions]) -> Plan[Tag]:
        """Fetch one tag by name; :class:`~infobip_profiles.NotFoundError` when there is none."""
        response = yield Call(
            "get-a-tag", path_params={"name": check_tag_name(name)}, options=options
        )
        return _decode(json_of(response))

    def ensure(self, name: str, **options: Unpack[CallOptions]) -> Plan[Tag]:
        """The tag ``name``: fetched when it exists (any case), created when it does not.

        Safe to run again and from several processes at once (a creator that loses the race reads
        the winner's tag). A taken name answers 400, not 409, so this is the way to "create
        unless it exists".
        """
        path = {"name": check_tag_name(name)}
        try:
            response = yield Call("get-a-tag", path_params=path, options=options)
        except NotFoundError:
            try:
                response = yield Call("create-a-new-tag", body={"name": name}, options=options)
            except BadRequestError as refused:
                # Created by someone else since the read? Then it reads now; else the 400 stands.
                try:
                    response = yield Call("get-a-tag", path_params=path, options=options)
                except NotFoundError:
                    raise refused from None
        return _decode(json_of(response))

    def delete(self, name: str, **options: Unpack[CallOptions]) -> Plan[None]:
        """Delete a tag; it is removed from every person that carried it."""
        yield Call("delete-a-tag", path_params={"name": check_tag_name(name)}, options=options)
        return None

    def add_to_people(
        self,
        name: str,
        refs: Iterable[PersonRef],
        *,
        strict: bool | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan[None]:
        """Tag these people (1000 per request); people who have the tag already are unchanged.

        The tag must exist (:class:`~infobip_profiles.NotFoundError` otherwise). If a request
        after the first fails, a :class:`~infobip_profiles.PartialBatchError` says which items
        were applied (those before its ``offset``).

        ``strict=True``, and the default for a sequence: every ref is checked first (a bad one
        raises :class:`TypeError`, nothing is sent). ``strict=False``, and the default for any
        other iterable: refs are read and checked chunk by chunk, so a generator of a million
        refs holds one chunk at a time; a bad ref in a later chunk stops the call with a
        :class:`~infobip_profiles.PartialBatchError` (the chunks before it were applied).
        """
        return (yield from _tag_people("add-tag-to-people-batch", name, refs, strict, options))

    def remove_from_people(
        self,
        name: str,
        refs: Iterable[PersonRef],
        *,
        strict: bool | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan[None]:
        """Remove the tag from these people (1000 per request); ``strict`` and failures as in
        :meth:`add_to_people`."""
        return (yield from _tag_people("remove-tag-from-people-batch", name, refs, strict, options))


class Tags(SyncResource):
    """Tags (blocking)."""

    list = sync_pager(_TagsPlans.list)
    create = sync_op(_TagsPlans.create)
    get = sync_op(_TagsPlans.get)
    ensure = sync_op(_TagsPlans.ensure)
    delete = sync_op(_TagsPlans.delete)
    add_to_people = sync_op(_TagsPlans.add_to_people)
    remove_from_people = sync_op(_TagsPlans.remove_from_people)


class AsyncTags(AsyncResource):
    """Tags (async): the same methods as :class:`Tags`, awaitable."""

    list = async_pager(_TagsPlans.list)
    create = async_op(_TagsPlans.create)
    get = async_op(_TagsPlans.get)
    ensure = async_op(_TagsPlans.ensure)
    delete = async_op(_TagsPlans.delete)
    add_to_people = async_op(_TagsPlans.add_to_people)
    remove_from_people = async_op(_TagsPlans.remove_from_people)
