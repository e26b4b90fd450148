"""Every error body the fake answers with: the envelopes of the API's error families.

Two ways in. The handler layer raises :class:`FakeError` for refusals of the wire itself
(malformed JSON, an unknown path or method, a body too large, a missing credential). Engines
raise the domain errors of :mod:`~infobip_profiles.testing.engine._domain`, and :func:`render`
turns one into the envelope of the operation being served, once, at the handler boundary
(:func:`~infobip_profiles.testing._router.handles`). Nothing else in the fake builds an error
body. The texts live in :mod:`~infobip_profiles.testing._messages` (re-exported here as ``MSG``).
"""

from __future__ import annotations

import uuid
from typing import Any

from .._operations import ErrorFamily, Operation
from ._messages import MSG
from ._wire import NO_BODY, FakeResponse
from .engine._domain import DomainError, Invalid, NotFound

__all__ = [
    "FakeError",
    "v2_error",
    "error_for_family",
    "malformed_json",
    "render",
    "refusal",
    "MSG",
]

V2_MESSAGE_IDS = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "BAD_REQUEST",
    409: "BAD_REQUEST",
    413: "BAD_REQUEST",
    415: "BAD_REQUEST",
    429: "TOO_MANY_REQUESTS",
    500: "GENERAL_ERROR",
    502: "GENERAL_ERROR",
    503: "GENERAL_ERROR",
    504: "GENERAL_ERROR",
}


class FakeError(Exception):
    """Raised anywhere in the fake to answer with ``response``; the request changes nothing."""

    def __init__(self, response: FakeResponse) -> None:
        super().__init__(f"{response.status}: {response.body!r}")
        self.response = response

    @property
    def status(self) -> int:
        """The HTTP status the fake answers with."""
        return self.response.status


def v2_body(
    status: int,
    text: str,
    *,
    message_id: str | None = None,
    validation_errors: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The ``requestError.serviceException`` envelope."""
    exc: dict[str, Any] = {
        "messageId": message_id or V2_MESSAGE_IDS.get(status, "BAD_REQUEST"),
        "text": text,
    }
    if validation_errors:
        exc["validationErrors"] = validation_errors
    return {"requestError": {"serviceException": exc}}


def v2_error(
    status: int,
    text: str,
    *,
    message_id: str | None = None,
    validation_errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> FakeError:
    """A v2-family error (persons, companies, tags, custom attributes, export; 401/403/429/500)."""
    body = v2_body(status, text, message_id=message_id, validation_errors=validation_errors)
    return FakeError(FakeResponse(status, body, dict(headers or {})))


def v3_error(
    status: int, code: int, message: str, details: list[dict[str, str]] | None = None
) -> FakeError:
    """The v3 upsert/merge whole-request error ``{code, message, details}``."""
    body: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        body["details"] = details
    return FakeError(FakeResponse(status, body))


def lists_error(status: int, code: int, message: str) -> FakeError:
    """The lists family's ``{errorCode, message}``."""
    return FakeError(FakeResponse(status, {"errorCode": code, "message": message}))


def push_error(code: int, message: str, status: int = 400) -> FakeError:
    """The push family's ``{errorCode, errorMessage}`` (always 400 in the spec)."""
    return FakeError(FakeResponse(status, {"errorCode": code, "errorMessage": message}))


def problem_details(
    errors: list[dict[str, Any]], *, title: str = "Bad Request", status: int = 400
) -> FakeError:
    """The events batch's ProblemDetails body."""
    body = {
        "status": status,
        "title": title,
        "type": "about:blank",
        "traceId": uuid.uuid4().hex,
        "errors": errors,
    }
    return FakeError(FakeResponse(status, body))


def segments_error(
    status: int,
    description: str,
    *,
    action: str = "Check the request and try again.",
    violations: list[dict[str, str]] | None = None,
    resources: list[dict[str, str]] | None = None,
) -> FakeError:
    """The segments family's ``{errorCode: "E400", description, action, violations, resources}``."""
    body = {
        "errorCode": f"E{status}",
        "description": description,
        "action": action,
        "violations": violations or [],
        "resources": resources or [],
    }
    return FakeError(FakeResponse(status, body))


def no_body_error(status: int) -> FakeError:
    """Event definitions answer errors with a status and no body."""
    return FakeError(FakeResponse(status, NO_BODY))


def error_for_family(
    family: ErrorFamily, status: int, text: str, *, headers: dict[str, str] | None = None
) -> FakeError:
    """A generic error (auth, rate limit, injected fault, server error) in a family's envelope.

    Outside segments, 401/403/429/500 use the v2 envelope whatever the family (as the service does);
    the other families' own envelopes are for their 4xx validation errors.
    """
    if family is ErrorFamily.SEGMENTS:
        err = segments_error(status, text)
        err.response.headers.update(headers or {})
        return err
    if family is ErrorFamily.EVENT_DEFINITIONS and status not in (401, 403, 429):
        err = no_body_error(status)
        err.response.headers.update(headers or {})
        return err
    if family is ErrorFamily.PUSH and status < 500 and status not in (401, 403, 429):
        # A malformed request (bad JSON, wrong content type): the push envelope, code 48000 [I].
        err = push_error(48000, text, status)
        err.response.headers.update(headers or {})
        return err
    return v2_error(status, text, headers=headers)


#: Operations of another family whose 400 the spec declares without a body: sending one event is
#: a v2 operation (its 404 is the v2 envelope) but answers every 400 with a status alone.
BODYLESS_400 = frozenset({"send-custom-event"})


def malformed_json(op: Operation, text: str = MSG.MALFORMED_JSON) -> FakeError:
    """The error each family answers a body that is not JSON with (``text`` says why)."""
    if op.op_id in BODYLESS_400:
        return no_body_error(400)
    if op.errors is ErrorFamily.V3:
        return v3_error(400, 400103, text)
    if op.errors is ErrorFamily.LISTS:
        return lists_error(400, 400101, text)
    if op.errors is ErrorFamily.EVENTS_BATCH:
        return problem_details([{"index": -1, "code": 400500, "message": text, "details": []}])
    return error_for_family(op.errors, 400, text)


# -- domain errors to the wire ---------------------------------------------------------------------

#: "No such person" in the families that number their errors (the events batch's is a string).
_PERSON_NOT_FOUND_CODES: dict[ErrorFamily, int | str] = {
    ErrorFamily.V3: 404100,
    ErrorFamily.LISTS: 300101,
    ErrorFamily.PUSH: 48013,
    ErrorFamily.EVENTS_BATCH: "400505",
}

#: The code a numbering family gives a refusal that brings none ([I]: the family's generic one).
_FALLBACK_CODES: dict[ErrorFamily, int] = {
    ErrorFamily.LISTS: 400101,
    ErrorFamily.PUSH: 48000,
    ErrorFamily.EVENTS_BATCH: 400500,
}

_BATCH_VALIDATION_TITLE = "One or more validation errors occurred."


def render(err: DomainError, op: Operation) -> FakeError:
    """``err`` in the error envelope of ``op`` (its family in the operations table).

    The envelope takes what it has room for: the v2 envelope the text and the per-field reasons,
    the lists and push envelopes the code and the text, the segments envelope the reasons as
    violations, the events batch the per-item details; event definitions answer a status alone.
    """
    return refusal(err, op.errors, bodyless_400=op.op_id in BODYLESS_400)


def refusal(
    err: DomainError, family: ErrorFamily = ErrorFamily.V2, *, bodyless_400: bool = False
) -> FakeError:
    """``err`` in ``family``'s envelope (see :func:`render`); ``bodyless_400``: a 400 has no
    body. For callers outside a request (seeding, simulations) that report a refusal as text."""
    status = err.status
    if family is ErrorFamily.EVENT_DEFINITIONS or (status == 400 and bodyless_400):
        return no_body_error(status)
    code = err.code
    if code is None and isinstance(err, NotFound) and err.what == "person":
        code = _PERSON_NOT_FOUND_CODES.get(family)
    if family is ErrorFamily.V3:
        v3_details = [{"property": f, "message": r} for f, r in err.violations] or None
        return v3_error(
            status, int(code or status * 1000 + 100), err.message or MSG.V3_VALIDATION, v3_details
        )
    if code is None:
        code = _FALLBACK_CODES.get(family)
    text = err.message or (MSG.NOT_FOUND if isinstance(err, NotFound) else MSG.BAD_REQUEST)
    if family is ErrorFamily.LISTS:
        return lists_error(status, int(code or 0), text)
    if family is ErrorFamily.PUSH:
        return push_error(int(code or 0), text)
    if family is ErrorFamily.EVENTS_BATCH:
        batch_status = status if status >= 429 else 400
        if err.details is not None:
            errors = [dict(item) for item in err.details]
            return problem_details(errors, title=_BATCH_VALIDATION_TITLE, status=batch_status)
        item: dict[str, Any] = {"index": -1, "code": code, "message": text, "details": []}
        return problem_details([item], status=batch_status)
    if family is ErrorFamily.SEGMENTS:
        return _segments(err)
    return v2_error(status, text, validation_errors=err.fields or None)


def _segments(err: DomainError) -> FakeError:
    violations = [{"property": f, "violation": r} for f, r in err.violations]
    if isinstance(err, Invalid):
        return segments_error(
            err.status,
            err.message or MSG.SEGMENT_BAD_REQUEST,
            action=MSG.SEGMENT_BAD_REQUEST_ACTION,
            violations=violations,
        )
    if isinstance(err, NotFound) and err.what == "segment":
        return segments_error(
            err.status, err.message or MSG.NOT_FOUND, action=MSG.SEGMENT_NOT_FOUND_ACTION
        )
    return segments_error(err.status, err.message or MSG.BAD_REQUEST, violations=violations)
