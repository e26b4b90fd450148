"""Handlers: push registrations (``/people/2/contactInformation/push/{pushRegId}``).

Every call needs the ``AppCode`` header; errors are the push envelope (see the engine).
"""

from __future__ import annotations

from typing import Any

from .._context import Context
from .._errors import FakeError
from .._router import handles
from .._wire import FakeResponse
from ..engine.push import invalid


def _body(ctx: Context) -> Any:
    try:
        return ctx.json()
    except FakeError:
        raise invalid("body", "is not valid JSON") from None


def _app_code(ctx: Context) -> str | None:
    return ctx.request.headers.get("appcode")


def _flag(ctx: Context, name: str) -> bool:
    raw = ctx.param(name)
    if raw is None or raw == "":
        return False
    value = raw.strip().lower()
    if value not in ("true", "false"):
        raise invalid(name, "must be true or false")
    return value == "true"


@handles("get-push-device-registration")
def get_registration(ctx: Context) -> FakeResponse:
    """GET: the registration."""
    reg_id = ctx.path_params["pushRegId"]
    return FakeResponse(200, ctx.state.push.get(_app_code(ctx), reg_id))


@handles("update-push-device-registration")
def update_registration(ctx: Context) -> FakeResponse:
    """PATCH: the mutable properties; answers the registration."""
    reg_id = ctx.path_params["pushRegId"]
    app_code = _app_code(ctx)
    ctx.state.push.get(app_code, reg_id)  # header and registration errors before body errors
    return FakeResponse(200, ctx.state.push.update(app_code, reg_id, _body(ctx)))


@handles("personalize-push-instance")
def personalize(ctx: Context) -> FakeResponse:
    """POST .../personalize: the login flow."""
    reg_id = ctx.path_params["pushRegId"]
    app_code = _app_code(ctx)
    ctx.state.push.get(app_code, reg_id)
    flags = {
        "force_depersonalize": _flag(ctx, "forceDepersonalize"),
        "keep_as_lead": _flag(ctx, "keepAsLead"),
        "return_push": _flag(ctx, "returnPush"),
        "set_device_as_primary": _flag(ctx, "setDeviceAsPrimary"),
    }
    body = ctx.state.push.personalize(app_code, reg_id, _body(ctx), **flags)
    return FakeResponse(200, body)


@handles("depersonalize-push-instance")
def depersonalize(ctx: Context) -> FakeResponse:
    """POST .../depersonalize: the logout; 200 with no body."""
    ctx.state.push.depersonalize(_app_code(ctx), ctx.path_params["pushRegId"])
    return FakeResponse(200)
