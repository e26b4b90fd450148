"""The fake's control plane over HTTP, under ``/_fake/`` (apart from the API's own paths).

No API authentication is needed. Endpoints that act on one tenant pick it from the
``X-Fake-Api-Key`` header, else from the ``Authorization`` header's key (``App <key>``); with
neither, they act on every tenant (reset, faults, calls) or on the fake's default key (seed,
state). An unknown key is a 404 unless the fake runs with ``accept_any_key``, in which case it
becomes a fresh tenant. Bodies are JSON; errors are ``{"error": "<text>"}`` with 400 or 404.

==========================  ===================================================================
``GET /_fake/health``       ``{"status": "ok", "tenants": <n>, "rateLimits": bool}``
``POST /_fake/reset``       empty the tenant (or all): state, its calls, faults, rate windows
``POST /_fake/seed``        body as a seed file (``{"people": [...], "customAttributes": ...}``);
                            answers the created items, as stored, in the same shape
``GET /_fake/state``        the tenant's data: ``{"people": [...], "customAttributes": [...], ...}``
``GET /_fake/calls``        ``{"calls": [...]}``, the tenant's (or all) history, oldest first;
                            query ``opId``, ``method``, ``path`` (exact or glob), ``status``
``DELETE /_fake/calls``     forget the tenant's (or all) history
``POST /_fake/faults``      inject: ``{"status", "retryAfter", "latency", "drop": "before|after",
                            "method", "path" (exact/glob), "pathRegex", "opId", "times" (null:
                            unlimited), "headers", "text", "body"}``; 201 with the fault (its
                            ``id``). Scoped to the tenant when one is named.
``GET /_fake/faults``       ``{"faults": [...]}`` active faults
``DELETE /_fake/faults``    cancel the tenant's (or all) faults
``DELETE /_fake/faults/ID`` cancel one fault
``GET /_fake/clock``        ``{"time": <epoch s>, "now": "<ISO>", "frozen": bool}``
``POST /_fake/clock/advance``   ``{"seconds": 60}``
``POST /_fake/clock/freeze``    optional ``{"at": "2024-01-01T00:00:00Z"}``
``POST /_fake/clock/unfreeze``
``POST /_fake/tenants``     ``{"apiKey": "..."}``: accept a further key (201)
``PUT /_fake/rate-limits``  ``{"enabled": true}``: switch rate-limit enforcement (fake-wide)
``POST /_fake/computed-attributes``  ``{"name", "definitionId", "aggregation", "property"?}``:
                            declare a computed attribute over events (201)
``POST /_fake/push/applications``  ``{"appCode"}``: a known push application (201)
``POST /_fake/push/devices``  ``{"appCode", "cloudType"?, "os"?, "registrationId"?,
                            "additionalData"?}``: register a device as the mobile SDK's first
                            launch does; 201 ``{"registrationId", "personId"}``
==========================  ===================================================================

The clock and the rate-limit switch are shared by every tenant.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ._seed import SeedError, parse_seed_document
from ._wire import FakeRequest, FakeResponse

if TYPE_CHECKING:
    from ._fake import FakeProfiles

__all__ = ["handle_control"]


class _ControlError(Exception):
    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status
        self.text = text


def _ok(body: Any, status: int = 200) -> FakeResponse:
    return FakeResponse(status, body)


def _body(request: FakeRequest) -> Any:
    if not request.body:
        return {}
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        raise _ControlError(400, "the body is not valid JSON") from None


def _object(request: FakeRequest) -> dict[str, Any]:
    body = _body(request)
    if not isinstance(body, dict):
        raise _ControlError(400, "the body must be a JSON object")
    return body


def _named_key(request: FakeRequest) -> str | None:
    key = request.headers.get("x-fake-api-key", "").strip()
    if key:
        return key
    _, _, key = request.headers.get("authorization", "").strip().partition(" ")
    return key.strip() or None


def _tenant(fake: FakeProfiles, request: FakeRequest) -> str | None:
    """The named tenant's key (created under ``accept_any_key``), or ``None`` when none is named."""
    key = _named_key(request)
    if key is None:
        return None
    if not fake.has_tenant(key):
        if not fake.accept_any_key:
            raise _ControlError(404, "unknown tenant; add its key with POST /_fake/tenants")
        fake.add_tenant(key)
    return key


def _health(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    return _ok({"status": "ok", "tenants": len(fake._tenants), "rateLimits": fake.rate_limits})


def _reset(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    key = _tenant(fake, request)
    fake.reset(api_key=key)
    return _ok({"reset": "tenant" if key else "all"})


def _seed(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    key = _tenant(fake, request)
    try:
        seeded = fake.seed(api_key=key, **parse_seed_document(_body(request)))
    except (SeedError, TypeError) as exc:
        raise _ControlError(400, str(exc)) from None
    except NotImplementedError as exc:
        raise _ControlError(501, str(exc)) from None
    return _ok(seeded.to_dict())


def _state(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    return _ok(fake.state(api_key=_tenant(fake, request)))


def _calls(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    key = _tenant(fake, request)
    status = request.param("status")
    try:
        wanted_status = int(status) if status is not None else None
    except ValueError:
        raise _ControlError(400, "status must be an integer") from None
    calls = fake.calls.filter(
        api_key=key,
        op_id=request.param("opId"),
        method=request.param("method"),
        path=request.param("path"),
        status=wanted_status,
    )
    return _ok({"calls": [call.to_dict() for call in calls]})


def _clear_calls(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    fake.calls.clear(api_key=_tenant(fake, request))
    return _ok({"cleared": True})


_FAULT_FIELDS = {
    "status",
    "retryAfter",
    "latency",
    "drop",
    "method",
    "path",
    "pathRegex",
    "opId",
    "times",
    "headers",
    "text",
    "body",
}


def _inject(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    key = _tenant(fake, request)
    spec = _object(request)
    unknown = sorted(set(spec) - _FAULT_FIELDS)
    if unknown:
        raise _ControlError(400, f"unknown fault fields {unknown}")
    if "path" in spec and "pathRegex" in spec:
        raise _ControlError(400, "give path or pathRegex, not both")
    path: str | re.Pattern[str] | None = spec.get("path")
    if spec.get("pathRegex") is not None:
        try:
            path = re.compile(spec["pathRegex"])
        except (re.error, TypeError) as exc:
            raise _ControlError(400, f"bad pathRegex: {exc}") from None
    try:
        fault = fake.inject(
            spec.get("status"),
            method=spec.get("method"),
            path=path,
            op_id=spec.get("opId"),
            times=spec.get("times", 1),
            retry_after=spec.get("retryAfter"),
            latency=spec.get("latency") or 0.0,
            drop=spec.get("drop"),
            headers=spec.get("headers"),
            text=spec.get("text"),
            body=spec.get("body"),
            api_key=key,
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise _ControlError(400, str(exc).strip("'\"")) from None
    return _ok(fault.to_dict(), 201)


def _list_faults(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    return _ok({"faults": [fault.to_dict() for fault in fake.faults]})


def _clear_faults(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    fake.faults.clear(api_key=_tenant(fake, request))
    return _ok({"cleared": True})


def _cancel_fault(fake: FakeProfiles, request: FakeRequest, fault_id: str) -> FakeResponse:
    fault = fake.faults.get(fault_id)
    if fault is None:
        raise _ControlError(404, f"no active fault {fault_id!r}")
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
    seconds = _object(request).get("seconds")
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise _ControlError(400, "seconds must be a non-negative number")
    fake.clock.advance(float(seconds))
    return _ok(_clock_view(fake))


def _freeze(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    at = _object(request).get("at")
    moment = None
    if at is not None:
        try:
            moment = datetime.fromisoformat(str(at).replace("Z", "+00:00"))
        except ValueError:
            raise _ControlError(400, f"at must be an ISO 8601 timestamp, not {at!r}") from None
    fake.clock.freeze(moment)
    return _ok(_clock_view(fake))


def _unfreeze(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    fake.clock.unfreeze()
    return _ok(_clock_view(fake))


def _add_tenant(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    key = _object(request).get("apiKey")
    if not isinstance(key, str) or not key.strip():
        raise _ControlError(400, "apiKey must be a non-empty string")
    fake.add_tenant(key.strip())
    return _ok({"added": True}, 201)


def _rate_limits(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    if request.method == "PUT":
        enabled = _object(request).get("enabled")
        if not isinstance(enabled, bool):
            raise _ControlError(400, "enabled must be true or false")
        fake.rate_limits = enabled
    return _ok({"enabled": fake.rate_limits})


def _computed_attribute(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    body = _object(request)
    try:
        fake.define_computed_attribute(
            str(body.get("name") or ""),
            str(body.get("definitionId") or ""),
            str(body.get("aggregation") or ""),
            body.get("property"),
            api_key=_tenant(fake, request),
        )
    except ValueError as exc:
        raise _ControlError(400, str(exc)) from None
    return _ok({k: body.get(k) for k in ("name", "definitionId", "aggregation", "property")}, 201)


def _push_application(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    app_code = _object(request).get("appCode")
    if not isinstance(app_code, str) or not app_code:
        raise _ControlError(400, "appCode must be a non-empty string")
    fake.add_push_application(app_code, api_key=_tenant(fake, request))
    return _ok({"appCode": app_code}, 201)


def _push_device(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    body = _object(request)
    app_code = body.get("appCode")
    if not isinstance(app_code, str) or not app_code:
        raise _ControlError(400, "appCode must be a non-empty string")
    extra = body.get("additionalData")
    if extra is not None and not isinstance(extra, dict):
        raise _ControlError(400, "additionalData must be a JSON object")
    key = _tenant(fake, request)
    try:
        reg_id = fake.register_device(
            app_code=app_code,
            cloud_type=str(body.get("cloudType") or "GCM"),
            os=str(body.get("os") or "Android"),
            registration_id=body.get("registrationId") or None,
            additional_data=extra,
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


def handle_control(fake: FakeProfiles, request: FakeRequest) -> FakeResponse:
    """Answer one ``/_fake/...`` request."""
    name = request.path[len("/_fake/") :].strip("/")
    try:
        route = _ROUTES.get((request.method, name))
        if route is not None:
            return route(fake, request)
        if request.method == "DELETE" and name.startswith("faults/"):
            return _cancel_fault(fake, request, name[len("faults/") :])
        if any(path == name for _, path in _ROUTES):
            raise _ControlError(405, f"{request.method} is not supported on {request.path}")
        raise _ControlError(404, f"no control endpoint {request.path}")
    except _ControlError as err:
        return FakeResponse(err.status, {"error": err.text})
