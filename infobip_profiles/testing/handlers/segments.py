"""Handlers: segments v3 (``/people/3/segments``). Every error is in the segments envelope
(the domain errors raised here and in the engine are rendered so at the handler boundary)."""

from __future__ import annotations

from .._context import Context
from .._errors import MSG
from .._router import handles
from .._wire import FakeResponse
from ..engine.segments import (
    DEFAULT_SIZE,
    MAX_SIZE,
    PERSON_SORT_FIELDS,
    SORT_FIELDS,
    bad_request,
    not_found,
)
from ._params import int_param_value

_INT32_MAX = 2**31 - 1  # paging.page is an int32


def _violation(prop: str, text: str) -> tuple[str, str]:
    return (prop, text)


def _segment_id(ctx: Context) -> int:
    raw = ctx.path_params["segmentId"]
    # The spec declares no 400 here: an id that is not a positive integer names no segment.
    value = int_param_value(raw)
    if value is None or value < 1:
        raise not_found(raw)
    return value


def _paging(ctx: Context, fields: tuple[str, ...]) -> tuple[int, int, list[tuple[str, bool]]]:
    """``page``, ``size`` and ``sort``. What the spec forbids is an E400 (a ``page`` or ``size``
    that is not an integer, a ``size`` outside 1 to 1000); what it allows is read leniently, the
    Spring Data way ([I]): a negative page is page 0, and a sort on an unknown property or with an
    unknown direction is ignored; a page beyond int32 is the last int32."""
    problems: list[tuple[str, str]] = []
    page, size = 0, DEFAULT_SIZE
    raw_page, raw_size = ctx.param("page"), ctx.param("size")
    if raw_page is not None:
        parsed_page = int_param_value(raw_page)
        if parsed_page is None:
            problems.append(_violation("page", MSG.SEGMENT_INTEGER))
        else:
            page = min(max(0, parsed_page), _INT32_MAX)
    if raw_size is not None:
        parsed_size = int_param_value(raw_size)
        if parsed_size is None:
            problems.append(_violation("size", MSG.SEGMENT_INTEGER))
        else:
            size = parsed_size
            if not 1 <= size <= MAX_SIZE:
                problems.append(_violation("size", MSG.SEGMENT_RANGE.format(min=1, max=MAX_SIZE)))
    if problems:
        raise bad_request(problems)
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
