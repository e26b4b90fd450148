"""Handlers: segments v3 (``/people/3/segments``). Every error is in the segments envelope."""

from __future__ import annotations

from .._context import Context
from .._router import handles
from .._wire import FakeResponse
from ..engine.segments import (
    MAX_SIZE,
    PERSON_SORT_FIELDS,
    SORT_FIELDS,
    not_found,
)

DEFAULT_SIZE = 20


def _segment_id(ctx: Context) -> int:
    raw = ctx.path_params["segmentId"]
    # The spec declares no 400 here: an id that is not a positive integer names no segment.
    try:
        value = int(raw)
    except ValueError:
        raise not_found(raw) from None
    if value < 1:
        raise not_found(raw)
    return value


def _int_param(ctx: Context, name: str) -> int | None:
    raw = ctx.param(name)
    try:
        return None if raw is None else int(raw)
    except ValueError:
        return None


def _paging(ctx: Context, fields: tuple[str, ...]) -> tuple[int, int, list[tuple[str, bool]]]:
    """``page``, ``size`` and ``sort`` read the lenient Spring Data way ([I]: the spec declares
    no 400 for these listings): an unreadable or negative page is 0, an unreadable or
    non-positive size the default, a size above 1000 is 1000, and a sort on an unknown
    property or with an unknown direction is ignored."""
    page = _int_param(ctx, "page")
    page = 0 if page is None or page < 0 else page
    size = _int_param(ctx, "size")
    size = DEFAULT_SIZE if size is None or size < 1 else min(size, MAX_SIZE)
    sort: list[tuple[str, bool]] = []
    for item in ctx.request.params("sort"):
        prop, _, direction = item.partition(",")
        direction = direction.strip().lower() or "asc"
        if prop.strip() in fields and direction in ("asc", "desc"):
            sort.append((prop.strip(), direction == "desc"))
    return page, size, sort


@handles("get-segments")
def list_segments(ctx: Context) -> FakeResponse:
    """GET /people/3/segments: one 0-based page ``{results, paging}``."""
    page, size, sort = _paging(ctx, SORT_FIELDS)
    return FakeResponse(200, ctx.state.segments.page(page, size, sort))


@handles("create-segment")
def create_segment(ctx: Context) -> FakeResponse:
    """POST /people/3/segments: 201 with the stored segment."""
    return FakeResponse(201, ctx.state.segments.create(ctx.json()))


@handles("get-segment")
def get_segment(ctx: Context) -> FakeResponse:
    """GET /people/3/segments/{segmentId}."""
    return FakeResponse(200, ctx.state.segments.get(_segment_id(ctx)))


@handles("update-segment")
def update_segment(ctx: Context) -> FakeResponse:
    """PUT /people/3/segments/{segmentId}: replace the whole segment."""
    segment_id = _segment_id(ctx)
    return FakeResponse(200, ctx.state.segments.replace(segment_id, ctx.json()))


@handles("delete-segment")
def delete_segment(ctx: Context) -> FakeResponse:
    """DELETE /people/3/segments/{segmentId}: 204, no body."""
    ctx.state.segments.delete(_segment_id(ctx))
    return FakeResponse(204)


@handles("get-segment-persons")
def segment_persons(ctx: Context) -> FakeResponse:
    """GET /people/3/segments/{segmentId}/persons: the members now, as v3 persons."""
    segment_id = _segment_id(ctx)
    page, size, sort = _paging(ctx, PERSON_SORT_FIELDS)
    return FakeResponse(200, ctx.state.segments.members(segment_id, page, size, sort))
