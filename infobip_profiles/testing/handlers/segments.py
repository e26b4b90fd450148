"""Handlers: segments v3 (``/people/3/segments``). Every error is in the segments envelope."""

from __future__ import annotations

from .._context import Context
from .._errors import MSG
from .._router import handles
from .._wire import FakeResponse
from ..engine.segments import (
    MAX_SIZE,
    PERSON_SORT_FIELDS,
    SORT_FIELDS,
    bad_request,
    not_found,
)

DEFAULT_SIZE = 20


def _violation(prop: str, text: str) -> dict[str, str]:
    return {"property": prop, "violation": text}


def _segment_id(ctx: Context) -> int:
    raw = ctx.path_params["segmentId"]
    try:
        value = int(raw)
    except ValueError:
        raise bad_request([_violation("segmentId", MSG.SEGMENT_INTEGER)]) from None
    if value < 1:  # no segment has such an id
        raise not_found(raw)
    return value


def _paging(ctx: Context, fields: tuple[str, ...]) -> tuple[int, int, list[tuple[str, bool]]]:
    problems = []
    page = size = 0
    raw_page = ctx.param("page")
    try:
        page = 0 if raw_page is None else int(raw_page)
        if page < 0:
            problems.append(_violation("page", MSG.SEGMENT_MIN.format(min=0)))
    except ValueError:
        problems.append(_violation("page", MSG.SEGMENT_INTEGER))
    raw_size = ctx.param("size")
    try:
        size = DEFAULT_SIZE if raw_size is None else int(raw_size)
        if not 1 <= size <= MAX_SIZE:
            problems.append(_violation("size", MSG.SEGMENT_RANGE.format(min=1, max=MAX_SIZE)))
    except ValueError:
        problems.append(_violation("size", MSG.SEGMENT_INTEGER))
    sort: list[tuple[str, bool]] = []
    for item in ctx.request.params("sort"):
        prop, _, direction = item.partition(",")
        direction = direction.strip().lower() or "asc"
        if prop.strip() not in fields or direction not in ("asc", "desc"):
            problems.append(_violation("sort", MSG.SEGMENT_SORT.format(fields=", ".join(fields))))
            continue
        sort.append((prop.strip(), direction == "desc"))
    if problems:
        raise bad_request(problems)
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
