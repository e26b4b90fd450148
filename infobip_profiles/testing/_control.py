"""The fake's control plane over HTTP, under ``/_fake/`` (apart from the API's own paths).

No API authentication is needed, but every endpoint that holds data acts on one tenant only: the
one whose key the request presents in ``X-Fake-Api-Key``, else in ``Authorization`` (read as
the API reads it, any of its four schemes; one the API would refuse is a 401), else the fake's
default key. An unknown key is a 404 unless the fake runs with
``accept_any_key``, which makes it a fresh tenant. Acting on every tenant at once (``reset``,
``calls``, ``faults``) takes ``?allTenants=true`` and the header ``X-Fake-Admin-Token``, and is
refused (403) unless the fake was given an ``admin_token``.

A method a control does not take is a 405 with ``Allow``; HEAD is GET without a body.
Requests that change something (every method but GET and HEAD) must be
``Content-Type: application/json``, so a web page cannot send them (415 otherwise); over HTTP, the
server also refuses control requests whose ``Host`` is not a loopback name (403), so a page that
rebinds its DNS name to 127.0.0.1 cannot reach them. Bodies are JSON objects of at most
:data:`MAX_BODY_DEPTH` levels; an unknown field is a 400 that lists the valid ones; names holding
control characters or lone surrogates are refused. Errors are ``{"error": "<text>"}``.

Every endpoint, its body and its answer are documented in ``docs/testing.md``.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable, Collection
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._calls import UnknownOperationError
from ._context import MAX_BODY_DEPTH, _exact_decimal, _refuse_constant
from ._seed import SeedError, parse_seed_document
from ._wire import FakeRequest, FakeResponse
from .engine.query import nesting_depth

if TYPE_CHECKING:
    from ._fake import FakeProfiles

__all__ = ["MAX_NAME_LENGTH", "handle_control", "check_name"]

#: Longest key, app code, registration id or attribute name a control accepts.
MAX_NAME_LENGTH = 1024

#: The media types a control request that changes something must declare.
_JSON_TYPES = ("application/json",)


class _ControlError(Exception):
    def __init__(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(text)
        self.status = status
        self.text = text
        self.headers = headers or {}


def _ok(body: Any, status: int = 200) -> FakeResponse:
    return FakeResponse(status, body)


def check_name(value: Any, field: str, *, required: bool = True) -> str | None:
    """``value`` when it is a usable name (non-blank text, no control characters, no lone
    surrogates, at most :data:`MAX_NAME_LENGTH` characters); ``ValueError`` saying why not."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{field} must be a non-empty string")
    if len(value) > MAX_NAME_LENGTH:
        raise ValueError(f"{field} is longer than {MAX_NAME_LENGTH} characters")
    for ch in value:
        code = ord(ch)
        if code < 0x20 or 0x7F <= code < 0xA0:
            raise ValueError(f"{field} must not hold control characters (found U+{code:04X})")
        if 0xD800 <= code < 0xE000:
            raise ValueError(f"{field} must not hold a lone surrogate (found U+{code:04X})")
    return value


def _name(body: dict[str, Any], field: str, *, required: bool = True) -> str | None:
    try:
        return check_name(body.get(field), field, required=required)
    except ValueError as exc:
        raise _ControlError(400, str(exc)) from None


def _body(request: FakeRequest, *, exact: bool = False) -> Any:
    """The body as JSON. ``exact``: for bodies that carry data into the engines (seeds,
    simulated profiles), numbers with a fraction keep every digit, as through the API."""
    if not request.body:
        return {}
    try:
        if exact:
            value = json.loads(
                request.body, parse_constant=_refuse_constant, parse_float=_exact_decimal
            )
        else:
            value = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _ControlError(400, "the body is not valid JSON") from None
    if nesting_depth(value, MAX_BODY_DEPTH) > MAX_BODY_DEPTH:
        raise _ControlError(400, f"the body nests deeper than {MAX_BODY_DEPTH} levels")
    return value


def _object(
    request: FakeRequest, fields: Collection[str], *, exact: bool = False
) -> dict[str, Any]:
    """The body as a JSON object whose keys are all among ``fields`` (``exact``: see
    :func:`_body`)."""
    body = _body(request, exact=exact)
    if not isinstance(body, dict):
        raise _ControlError(400, "the body must be a JSON object")
    _no_unknown("field", set(body), fields)
    return body


def _no_unknown(kind: str, given: Collection[str], valid: Collection[str]) -> None:
    unknown = sorted(set(given) - set(valid))
    if unknown:
        raise _ControlError(
            400,
            f"unknown {kind}{'s' if len(unknown) > 1 else ''} {unknown}; valid: {sorted(valid)}",
        )


def _named_key(fake: FakeProfiles, request: FakeRequest) -> str | None:
    """The tenant a control request names: ``X-Fake-Api-Key``, else its ``Authorization`` read
    as the API reads it (any of the four schemes; a ``Basic`` user name; the client id of an
    issued bearer token), else ``None``. An ``Authorization`` the API would refuse is a 401,
    never a guess at a tenant."""
    key = request.headers.get("x-fake-api-key", "").strip()
    if key:
        return key
    if not request.headers.get("authorization", "").strip():
        return None
    name = fake._tenant_name(request)
    if name is None:
        raise _ControlError(
            401,
            "the Authorization header holds no credential the fake accepts (App <key>, "
            "Basic <user:password>, IBSSO <token> or an unexpired Bearer <token>); "
            "or name the tenant with X-Fake-Api-Key",
        )
    return name


def _tenant(fake: FakeProfiles, request: FakeRequest) -> str:
    """The key of the tenant the request acts on: the one it names, else the fake's default.

    A named key unknown to the fake is a 404, unless the fake accepts any key (it is then added).
    """
    key = _named_key(fake, request)
    if key is None:
        return fake.api_key
    try:
        check_name(key, "the API key")
    except ValueError as exc:
        raise _ControlError(400, str(exc)) from None
    if not fake.has_tenant(key):
        if not fake.accept_any_key:
            raise _ControlError(404, "unknown tenant; add its key with POST /_fake/tenants")
        fake.add_tenant(key)
    return key


def _scope(fake: FakeProfiles, request: FakeRequest) -> str | None:
    """Like :func:`_tenant`, but ``None`` (every tenant) for an admin's ``?allTenants=true``."""
    flag = request.param("allTenants")
    if flag is None or flag.lower() in ("false", "0"):
        return _tenant(fake, request)
    if flag.lower() not in ("true", "1"):
        raise _ControlError(400, "allTenants must be true or false")
    token = fake._admin_token
    if token is None:
        raise _ControlError(
            403,
            "acting on every tenant is disabled; start the fake with an admin token "
            "(FakeProfiles(admin_token=...) or fake-server --admin-token) to allow it",
        )
    given = request.headers.get("x-fake-admin-token", "")
    if not hmac.compare_digest(given.encode("utf-8", "replace"), token.encode()):
        raise _ControlError(403, "allTenants needs the right X-Fake-Admin-Token header")
    return None


def _health(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    return _ok({"status": "ok", "tenants": len(fake._tenants), "rateLimits": fake.rate_limits})


def _reset(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    _object(request, ())
    key = _scope(fake, request)
    fake.reset(api_key=key)
    return _ok({"reset": "tenant" if key else "all"})


def _seed(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    key = _tenant(fake, request)
    try:
        seeded = fake.seed(api_key=key, **parse_seed_document(_body(request, exact=True)))
    except (SeedError, TypeError) as exc:
        raise _ControlError(400, str(exc)) from None
    except NotImplementedError as exc:
        raise _ControlError(501, str(exc)) from None
    return _ok(seeded.to_dict())


def _state(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    return _ok(fake.state(api_key=_tenant(fake, request)))


_CALLS_PARAMS = ("opId", "method", "path", "status", "allTenants")


def _calls(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    _no_unknown("query parameter", [name for name, _ in request.query], _CALLS_PARAMS)
    key = _scope(fake, request)
    glob = request.param("path")
    if glob is not None and len(glob) > _MAX_GLOB:
        raise _ControlError(400, f"path must be at most {_MAX_GLOB} characters")
    status = request.param("status")
    try:
        wanted_status = int(status) if status is not None else None
    except ValueError:
        raise _ControlError(400, "status must be an integer") from None
    try:
        calls = fake.calls.filter(
            api_key=key,
            op_id=request.param("opId"),
            method=request.param("method"),
            path=request.param("path"),
            status=wanted_status,
        )
    except UnknownOperationError as exc:
        raise _ControlError(400, str(exc)) from None
    return _ok({"calls": [call.to_dict() for call in calls]})


def _clear_calls(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    _object(request, ())
    fake.calls.clear(api_key=_scope(fake, request))
    return _ok({"cleared": True})


_FAULT_FIELDS = (
    "status",
    "retryAfter",
    "latency",
    "drop",
    "method",
    "path",
    "opId",
    "times",
    "headers",
    "text",
    "body",
)

#: Longest glob a fault over HTTP may carry.
_MAX_GLOB = 512


def _inject(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    body = _body(request)
    if isinstance(body, dict) and "pathRegex" in body:
        raise _ControlError(
            400,
            "pathRegex is not accepted over HTTP (a regex can stall a shared server); "
            'give a glob in path instead, such as "/people/2/tags/*"',
        )
    spec = _object(request, _FAULT_FIELDS)
    key = _scope(fake, request)
    path = spec.get("path")
    if path is not None and (not isinstance(path, str) or len(path) > _MAX_GLOB):
        raise _ControlError(400, f"path must be text of at most {_MAX_GLOB} characters")
    try:
        fault = fake.inject(
            spec.get("status"),
            method=spec.get("method"),
            path=path,
            op_id=spec.get("opId"),
            times=spec.get("times", 1),
            retry_after=spec.get("retryAfter"),
            latency=0.0 if spec.get("latency") is None else spec["latency"],
            drop=spec.get("drop"),
            headers=spec.get("headers"),
            text=spec.get("text"),
            body=spec.get("body"),
            api_key=key,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise _ControlError(400, str(exc).strip("'\"")) from None
    return _ok(fault.to_dict(), 201)


def _visible_faults(fake: FakeProfiles, request: FakeRequest) -> list[Any]:
    key = _scope(fake, request)
    if key is None:
        return list(fake.faults)
    return [fault for fault in fake.faults if fault.tenant == fake.faults.tenant_of(key)]


def _list_faults(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    return _ok({"faults": [fault.to_dict() for fault in _visible_faults(fake, request)]})


def _clear_faults(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    _object(request, ())
    fake.faults.clear(api_key=_scope(fake, request))
    return _ok({"cleared": True})


def _cancel_fault(fake: FakeProfiles, request: FakeRequest, fault_id: str) -> FakeResponse:
    fault = next((f for f in _visible_faults(fake, request) if f.id == fault_id), None)
    if fault is None:
        raise _ControlError(404, f"no active fault {fault_id!r} of this tenant")
    fault.cancel()
    return _ok(fault.to_dict())


def _clock_view(fake: FakeProfiles) -> dict[str, Any]:
    return {
        "time": fake.clock.time(),
        "now": fake.clock.now().isoformat(),
        "frozen": fake.clock.frozen,
    }


def _clock(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    return _ok(_clock_view(fake))


def _advance(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    seconds = _object(request, ("seconds",)).get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
        raise _ControlError(400, "seconds must be a non-negative number")
    try:
        fake.clock.advance(seconds)
    except (ValueError, OverflowError) as exc:
        raise _ControlError(400, str(exc)) from None
    return _ok(_clock_view(fake))


def _freeze(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    at = _object(request, ("at",)).get("at")
    moment = None
    if at is not None:
        try:
            moment = datetime.fromisoformat(str(at).replace("Z", "+00:00"))
            fake.clock.freeze(moment)
        except (ValueError, OverflowError, OSError):
            raise _ControlError(
                400,
                f"at must be an ISO 8601 timestamp from 1970 to before the year 9998, not {at!r}",
            ) from None
    else:
        fake.clock.freeze()
    return _ok(_clock_view(fake))


def _unfreeze(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    _object(request, ())
    fake.clock.unfreeze()
    return _ok(_clock_view(fake))


def _add_tenant(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    key = _name(_object(request, ("apiKey",)), "apiKey")
    assert key is not None
    fake.add_tenant(key.strip())
    return _ok({"added": True}, 201)


def _rate_limits(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    if request.method == "PUT":
        enabled = _object(request, ("enabled",)).get("enabled")
        if not isinstance(enabled, bool):
            raise _ControlError(400, "enabled must be true or false")
        fake.rate_limits = enabled
    return _ok({"enabled": fake.rate_limits})


_COMPUTED_FIELDS = ("name", "definitionId", "aggregation", "property", "formula")
#: How many event definitions one computed attribute may take together (a sanity bound).
_MAX_COMPUTED_DEFINITIONS = 100


def _definition_ids(body: dict[str, Any]) -> str | list[str]:
    """``definitionId``: one definition id, or a non-empty list of them (no repeats)."""
    value = body.get("definitionId")
    if not isinstance(value, list):
        definition = _name(body, "definitionId")
        assert definition is not None
        return definition
    if not 1 <= len(value) <= _MAX_COMPUTED_DEFINITIONS:
        raise _ControlError(
            400, f"definitionId as a list holds 1 to {_MAX_COMPUTED_DEFINITIONS} definition ids"
        )
    ids = [_name({"definitionId": item}, "definitionId") for item in value]
    if len(set(ids)) != len(ids):
        raise _ControlError(400, "definitionId names a definition twice")
    return [i for i in ids if i is not None]


def _computed_attribute(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    body = _object(request, _COMPUTED_FIELDS)
    name = _name(body, "name")
    assert name is not None
    tenant = _tenant(fake, request)
    if "formula" in body:
        others = sorted(k for k in ("definitionId", "aggregation", "property") if k in body)
        if others:
            raise _ControlError(400, f"a formula attribute takes no {', '.join(others)}")
        formula = body["formula"]
        if not isinstance(formula, str):
            raise _ControlError(400, "formula must be text with {field} placeholders")
        try:
            fake.define_formula_attribute(name, formula, api_key=tenant)
        except ValueError as exc:
            raise _ControlError(400, str(exc)) from None
        return _ok({"name": name, "formula": formula}, 201)
    definition = _definition_ids(body)
    aggregation = _name(body, "aggregation")
    prop = _name(body, "property", required=False)
    assert aggregation is not None
    try:
        fake.define_computed_attribute(name, definition, aggregation, prop, api_key=tenant)
    except ValueError as exc:
        raise _ControlError(400, str(exc)) from None
    return _ok({k: body.get(k) for k in _COMPUTED_FIELDS if k != "formula"}, 201)


def _push_application(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    app_code = _name(_object(request, ("appCode",)), "appCode")
    assert app_code is not None
    fake.add_push_application(app_code, api_key=_tenant(fake, request))
    return _ok({"appCode": app_code}, 201)


_DEVICE_FIELDS = ("appCode", "cloudType", "os", "registrationId", "additionalData", "systemData")


def _push_device(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    body = _object(request, _DEVICE_FIELDS)
    app_code = _name(body, "appCode")
    cloud_type = _name(body, "cloudType", required=False) or "GCM"
    os_name = _name(body, "os", required=False) or "Android"
    registration_id = _name(body, "registrationId", required=False)
    assert app_code is not None
    extra = body.get("additionalData")
    if extra is not None and not isinstance(extra, dict):
        raise _ControlError(400, "additionalData must be a JSON object")
    system = body.get("systemData")
    if system is not None and not isinstance(system, dict):
        raise _ControlError(400, "systemData must be a JSON object")
    key = _tenant(fake, request)
    try:
        reg_id = fake.register_device(
            app_code=app_code,
            cloud_type=cloud_type,
            os=os_name,
            registration_id=registration_id,
            additional_data=extra,
            system_data=system,
            api_key=key,
        )
    except ValueError as exc:
        raise _ControlError(400, str(exc)) from None
    return _ok({"registrationId": reg_id, "personId": fake.tenant(key).push.owner(reg_id)}, 201)


_Route = Callable[["FakeProfiles", FakeRequest], FakeResponse]

_ROUTES: dict[tuple[str, str], _Route] = {
    ("GET", "health"): _health,
    ("POST", "reset"): _reset,
    ("POST", "seed"): _seed,
    ("GET", "state"): _state,
    ("GET", "calls"): _calls,
    ("DELETE", "calls"): _clear_calls,
    ("POST", "faults"): _inject,
    ("GET", "faults"): _list_faults,
    ("DELETE", "faults"): _clear_faults,
    ("GET", "clock"): _clock,
    ("POST", "clock/advance"): _advance,
    ("POST", "clock/freeze"): _freeze,
    ("POST", "clock/unfreeze"): _unfreeze,
    ("POST", "tenants"): _add_tenant,
    ("GET", "rate-limits"): _rate_limits,
    ("PUT", "rate-limits"): _rate_limits,
    ("POST", "computed-attributes"): _computed_attribute,
    ("POST", "push/applications"): _push_application,
    ("POST", "push/devices"): _push_device,
}

# What other products do, and the fake's own templates (kept in their own module).
from ._control_products import ROUTES as _PRODUCT_ROUTES  # noqa: E402

_ROUTES.update(_PRODUCT_ROUTES)


def handle_control(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    """Answer one ``/_fake/...`` request."""
    name = request.path[len("/_fake/") :].strip("/")
    # HEAD is GET without a body (the adapters drop it).
    method = "GET" if request.method == "HEAD" else request.method
    try:
        # Which control, then whether it takes this method, before anything about the body: an
        # odd method is a 405 with ``Allow`` whatever its content type.
        allowed = sorted({m for m, path in _ROUTES if path == name})
        if name.startswith("faults/") and name != "faults/":
            allowed = ["DELETE"]
        if not allowed:
            raise _ControlError(404, f"no control endpoint {request.path}")
        if method not in allowed:
            if "GET" in allowed:
                allowed = sorted([*allowed, "HEAD"])
            raise _ControlError(
                405,
                f"{request.method} is not supported on {request.path}",
                {"allow": ", ".join(allowed)},
            )
        if method != "GET":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type not in _JSON_TYPES:
                raise _ControlError(
                    415,
                    f"{request.method} {request.path} needs Content-Type: application/json "
                    "(send a JSON body, {} when there is nothing to say)",
                )
        route = _ROUTES.get((method, name))
        if route is not None:
            return route(fake, request)
        return _cancel_fault(fake, request, name[len("faults/") :])
    except _ControlError as err:
        return FakeResponse(err.status, {"error": err.text}, headers=err.headers)
