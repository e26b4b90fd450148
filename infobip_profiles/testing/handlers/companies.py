"""Handlers: companies (``/people/2/companies``...).

Each handler parses the request, calls :class:`~infobip_profiles.testing.engine.companies.CompaniesEngine`
and renders the wire response; the engine owns every rule.
"""

from __future__ import annotations

from typing import Any

from .._context import Context
from .._errors import MSG, v2_error
from .._router import handles
from .._wire import NO_BODY, FakeResponse
from ..engine.companies import COMPANY_ORDER_FIELDS, SELECTORS
from ._params import (
    check_identity_queries,
    include_total,
    int_param_value,
    page_params,
    parse_order_by,
)

__all__: list[str] = []


def _selectors(ctx: Context) -> dict[str, str]:
    raw_id = ctx.param("id")
    if raw_id is not None and int_param_value(raw_id) is None:  # int64 in the spec
        raise v2_error(400, MSG.BAD_REQUEST, validation_errors={"id": [MSG.FIELD_INTEGER]})
    return {name: value for name in SELECTORS if (value := ctx.param(name)) not in (None, "")}


def _check_queries(body: Any) -> None:
    """400 unless every item of a batch update or delete has a ``query`` object whose selectors
    are strings (``CompanyIdentityQuery``); see :func:`check_identity_queries`."""
    items = body.get("companies") if isinstance(body, dict) else None
    if isinstance(items, list):  # else the engine answers the missing or malformed array
        check_identity_queries(items, "companies", _selector_problems)


def _selector_problems(query: dict[str, Any], where: str) -> dict[str, list[str]]:
    return {
        f"{where}.{name}": [MSG.FIELD_STRING]
        for name in SELECTORS
        if name in query and not isinstance(query[name], str)
    }


def _flag(ctx: Context, name: str) -> bool:
    raw = ctx.param(name)
    if raw is None or raw == "":
        return False
    if raw.lower() not in ("true", "false"):
        raise v2_error(400, MSG.BAD_REQUEST, validation_errors={name: [MSG.FIELD_BOOLEAN]})
    return raw.lower() == "true"


def _batch_response(results: list[dict[str, Any]]) -> FakeResponse:
    failed = any(not 200 <= int(r.get("status", 200)) < 300 for r in results)
    return FakeResponse(207 if failed else 200, {"results": results})


@handles("get-a-single-company-by-name-or-a-list-of-companies")
def get_companies(ctx: Context) -> FakeResponse:
    """With a selector: ``{"companies": [company]}`` (404 when none matches). Without: a page
    ``{companies, limit, page, orderBy?, totalCount?}``."""
    engine = ctx.state.companies
    selectors = _selectors(ctx)
    # One operation binds every parameter, so the list's are checked for a lookup too.
    page, limit = page_params(ctx)
    order_by = parse_order_by(ctx.param("orderBy"), COMPANY_ORDER_FIELDS)
    with_total = include_total(ctx)
    if selectors:
        company = engine.get(engine.select(selectors))
        return FakeResponse(200, {"companies": [company], "limit": 1, "page": 1})
    items, total = engine.page(
        filter_json=ctx.param("filter"), order_by=order_by, page=page, limit=limit
    )
    body: dict[str, Any] = {"companies": items, "limit": limit, "page": page}
    if order_by:
        body["orderBy"] = order_by
    if with_total:
        body["totalCount"] = total
    return FakeResponse(200, body)


@handles("create-company")
def create_company(ctx: Context) -> FakeResponse:
    """POST: 200 with the stored company; a name taken ignoring case is a 409."""
    return FakeResponse(200, ctx.state.companies.create(ctx.json()))


@handles("update-company")
def update_company(ctx: Context) -> FakeResponse:
    """PATCH by exactly one selector, with ``replaceTags`` / ``replaceDomains``."""
    engine = ctx.state.companies
    cid = engine.select(_selectors(ctx))
    replace_tags = _flag(ctx, "replaceTags")
    replace_domains = _flag(ctx, "replaceDomains")
    company = engine.update(
        cid, ctx.json(), replace_tags=replace_tags, replace_domains=replace_domains
    )
    return FakeResponse(200, company)


@handles("delete-company")
def delete_company(ctx: Context) -> FakeResponse:
    """DELETE by exactly one selector: 200, no body."""
    engine = ctx.state.companies
    engine.delete(engine.select(_selectors(ctx)))
    return FakeResponse(200, NO_BODY)


@handles("create-companies")
def create_companies(ctx: Context) -> FakeResponse:
    """Batch create: every item's outcome (successes with their ids); 207 if any failed."""
    return _batch_response(ctx.state.companies.batch_create(ctx.json()))


@handles("update-companies")
def update_companies(ctx: Context) -> FakeResponse:
    """Batch PATCH: the failures only, by query; 207 if any."""
    body = ctx.json()
    _check_queries(body)
    return _batch_response(ctx.state.companies.batch_update(body))


@handles("delete-companies")
def delete_companies(ctx: Context) -> FakeResponse:
    """Batch delete: the failures only, by query; 207 if any."""
    body = ctx.json()
    _check_queries(body)
    return _batch_response(ctx.state.companies.batch_delete(body))


@handles("batch-add-persons-to-company")
def add_persons(ctx: Context) -> FakeResponse:
    """PATCH ``/companies/persons?<selector>``: 200, no body."""
    engine = ctx.state.companies
    engine.add_persons(engine.select(_selectors(ctx)), ctx.json())
    return FakeResponse(200, NO_BODY)


@handles("batch-remove-persons-from-company")
def remove_persons(ctx: Context) -> FakeResponse:
    """DELETE ``/companies/persons?<selector>``: 200, no body."""
    engine = ctx.state.companies
    engine.remove_persons(engine.select(_selectors(ctx)), ctx.json())
    return FakeResponse(200, NO_BODY)
