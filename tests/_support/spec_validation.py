"""Validate requests and responses against the real API spec (``../shared/spec/people-openapi.json``).

The spec is the one artefact here nobody on the team wrote, so the suite checks itself against it:
``tests/conftest.py`` wraps ``FakeProfiles.handle`` (every request reaching the fake, every answer
it gives) and respx routers (every request a client test sends) with :class:`SpecValidator`.

The spec lives beside the repository, not in it; when it is absent (a user's clone) everything
here reports :data:`SKIP_REASON` and the tests depending on it skip.

How a request is checked: its operation is found with the fake's own router; path and query
parameters are parsed the way the spec styles them (``form``/``explode``: repeated keys make an
array) and validated against their schemas; required parameters and headers must be present,
unknown query parameters are reported (a misspelt parameter is silently ignored by the real
service); the ``Authorization`` header must use one of the declared security schemes; the body
must have a declared content type, parse as JSON, and validate against the request schema.

How a response is checked: its status must be declared for the operation (exactly, or by a
``4XX``/``5XX`` range), its content type must be one the spec lists for that status, and its body
must validate against that status's schema. A status that declares no content must come without
a body.

``$ref`` s are resolved once, when the spec is loaded (the spec has no recursive schemas); the
compiled validators are cached per operation, status and content type. OpenAPI's ``readOnly`` /
``writeOnly`` apply: a read-only property is neither required nor checked in a request (the
service ignores it there), a write-only property likewise in a response.

The spec contradicts itself and the service in a few places; :data:`ALLOW_LIST` names each
place, the exact discrepancy and why we follow ``docs/fake-semantics.md`` there. Keep it short.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from infobip_profiles._operations import OPERATIONS, ErrorFamily
from infobip_profiles.testing._router import resolve
from tests._support import paths

__all__ = [
    "ALLOW_LIST",
    "SKIP_REASON",
    "SPEC_PATH",
    "Allowance",
    "SpecValidator",
    "Violation",
    "assert_request_conforms",
    "declared_body",
    "envelope_problems",
    "format_violations",
    "load_spec",
    "normalized_document",
    "spec_available",
    "validator",
]

REPO_ROOT = paths.ROOT
#: Where the spec lives: ``../shared/spec/`` relative to the repository root. Never copied in.
SPEC_PATH = REPO_ROOT.parent / "shared" / "spec" / "people-openapi.json"
SKIP_REASON = (
    f"the API spec is not at {SPEC_PATH} (it lives in ../shared/spec beside the repository; "
    "a user's clone does not have it)"
)

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")
_JSON_TYPE = re.compile(r"^(application/(.+\+)?json|text/json|application/\*\+json)$")
_AUTH_SCHEMES = {"App", "Basic", "IBSSO", "Bearer"}
#: Query parameters that make the persons GET answer one person instead of a page.
_ONE_PERSON = frozenset({"identifier", "phone", "email", "externalId", "pushRegistrationId"})


# -- the allow-list ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Allowance:
    """One known discrepancy between the spec and what we do, and why we do it.

    A violation is forgiven when every given field matches: ``ops`` (operationIds; empty = any),
    ``direction`` (``"request"`` or ``"response"``), ``status`` (the response status; ``None`` =
    any) and the regexes ``location`` and ``message`` (searched in the violation's fields).
    """

    ops: tuple[str, ...]
    direction: str
    location: str
    message: str
    discrepancy: str
    why: str
    status: tuple[int, ...] | None = None

    def forgives(self, v: Violation) -> bool:
        """Whether this entry covers violation ``v``."""
        return (
            (not self.ops or v.op_id in self.ops)
            and v.direction == self.direction
            and (self.status is None or v.status in self.status)
            and re.search(self.location, v.location) is not None
            and re.search(self.message, v.message) is not None
        )


_V3_OPS = ("upsert-persons-full", "upsert-persons-partial", "merge-persons")

ALLOW_LIST: tuple[Allowance, ...] = (
    Allowance(
        ops=_V3_OPS,
        direction="response",
        location=r"^body(\.errors\[\d+\])?\.code$",
        message=r"is not of type 'string'|is not one of",
        discrepancy="ErrorCodeV3 declares `code` a string enum, the spec's own examples send "
        'numbers (`"code": 400100`).',
        why="docs/fake-semantics.md (v3 upsert): send numbers, as the service does.",
    ),
    Allowance(
        ops=("update-company", "update-companies"),
        direction="request",
        location=r"^body(\.companies\[\d+\]\.update)?$",
        message=r"^'name' is a required property$",
        discrepancy="the PATCH bodies reuse IamCompanyV2, whose `name` is required; the spec's "
        "own update examples omit it.",
        why="docs/fake-semantics.md: PATCH merges, so an update carries only the fields to change.",
    ),
    Allowance(
        ops=(
            "partial-person-update",
            "batch-people-update",
            "update-company",
            "update-companies",
            "update-list",
            "update-list-item",
        ),
        direction="request",
        location=r"^body\.",
        message=r"^None is not of type",
        discrepancy="PATCH bodies may hold an explicit `null`, which the property schemas (plain "
        "`string` etc.) do not allow.",
        why="docs/fake-semantics.md: in a PATCH an explicit null clears the field (and "
        "deletes a list item's field); companies PATCH merges the same way (section 2). The "
        "client sends null for a field set to None.",
    ),
    Allowance(
        ops=("personalize-push-instance",),
        direction="request",
        location=r"^body\.attributes\.birthday$",
        message=r"is not a 'date-time'$",
        discrepancy="`attributes.birthday` is declared `format: date-time`, but a birthday is a "
        "calendar date.",
        why="docs/fake-semantics.md lists birthday among the person's attributes, and persons "
        "carry birth dates as YYYY-MM-DD (section 1); the client sends the date.",
    ),
    Allowance(
        ops=("send-custom-events", "send-custom-event", "personalize-push-instance"),
        direction="response",
        location=r"^status$",
        message=r"^status 429 is not declared",
        status=(429,),
        discrepancy="these operations publish a rate limit (x-throttling-info) but declare no "
        "429 response.",
        why="docs/fake-semantics.md: over the limit the service answers 429 TOO_MANY_REQUESTS "
        "in the v2 envelope, like every other throttled operation.",
    ),
    Allowance(
        ops=(),
        direction="response",
        location=r"^status$",
        message=r"^status (405|413|415) is not declared",
        status=(405, 413, 415),
        discrepancy="the spec declares no response for a wrong method, an oversized body or an "
        "unsupported content type where an operation lists no 4XX range.",
        why="docs/fake-semantics.md: errors use the family's envelope; the fake answers these "
        "transport-level rejections like the service's gateway does.",
    ),
)

#: Corrections (and readings) applied while loading the spec, each with the discrepancy and why.
NORMALIZATIONS: tuple[tuple[str, str, str], ...] = (
    (
        'every map declared `additionalProperties: {"type": "object"}` (customAttributes, '
        "computedAttributes, systemData, additionalData, serviceData, event properties, segment "
        "query, batch result query, error payload)",
        "read as a map of any JSON values: the spec's own examples hold strings, numbers, "
        'booleans and lists there (`"Company": "Acme"`), which the declared schema forbids.',
        "docs/fake-semantics.md: custom attribute values are STRING, INTEGER, DECIMAL, "
        "BOOLEAN, DATE, DATE_TIME or LIST_OF_OBJECTS; event properties follow their definition.",
    ),
    (
        "event definition `category` and `subcategory`",
        "declared `type: null` together with an `allOf` of a string enum, which nothing "
        'satisfies; the examples hold `"external"`.',
        "read as null or the enum (a nullable enum mangled in conversion); docs/fake-semantics.md: "
        'created definitions are `category: "external"`.',
    ),
    (
        "match-people-ids 404",
        "declared `*/*` without a schema (an untyped 404), while nothing matched is a 200 "
        "with an empty list.",
        "docs/fake-semantics.md (match): the fake answers 200 with `matches: []`; should a 404 "
        "come, any body passes the schema check and the fuzzer holds it to the v2 envelope.",
    ),
    (
        "the 4XX/5XX ranges of the v2 operations",
        "their media types hold the schema `$ref` directly instead of under `schema`.",
        "the intent is plain (the v2 ApiException envelope, docs/fake-semantics.md): read as the "
        "schema.",
    ),
)

# Responses whose declared schema is wrong for a documented case; the replacement is used instead.
# Key: (operationId, status, predicate on the request's query) -> (schema factory, discrepancy, why)


def _persons_page(spec: SpecValidator) -> dict[str, Any]:
    person = spec.component_schema("IamPersonV2")
    return {
        "type": "object",
        "required": ["persons"],
        "properties": {
            "persons": {"type": "array", "items": person},
            "limit": {"type": "integer"},
            "page": {"type": "integer"},
            "orderBy": {"type": ["string", "null"]},
            "totalCount": {"type": "integer"},
        },
    }


@dataclass(frozen=True)
class SchemaOverride:
    """A response schema the spec gets wrong for one documented case (see :data:`OVERRIDES`)."""

    op_id: str
    status: int
    applies: Callable[[Sequence[tuple[str, str]]], bool]
    schema: Callable[[SpecValidator], dict[str, Any]]
    discrepancy: str
    why: str


def _v3_batch(results: str) -> Callable[[SpecValidator], dict[str, Any]]:
    def build(spec: SpecValidator) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "errors": {"type": "array", "items": spec.component_schema("ErrorResponseV3")},
                "results": {"type": "array", "items": spec.component_schema(results)},
            },
        }

    return build


def _always(query: Sequence[tuple[str, str]]) -> bool:
    return True


OVERRIDES: tuple[SchemaOverride, ...] = (
    *(
        SchemaOverride(
            op_id=op_id,
            status=207,
            applies=_always,
            schema=_v3_batch(
                "MergeSuccessResult" if op_id == "merge-persons" else "UpsertSuccessResult"
            ),
            discrepancy="the 207 schema declares `errors` and `results` as single objects; every "
            "example (and the service) sends arrays of them.",
            why='docs/fake-semantics.md (upsert, merge): `{"errors": [...], "results": [...]}`, '
            "one entry per item.",
        )
        for op_id in _V3_OPS
    ),
    SchemaOverride(
        op_id="get-a-single-person-or-a-list-of-people",
        status=200,
        # The legacy single-person parameters (phone=, email=...) address one person too.
        applies=lambda query: not any(k in _ONE_PERSON for k, _ in query),
        schema=_persons_page,
        discrepancy="the 200 schema is a single IamPersonV2 even for the list form (no "
        "`identifier`), which returns a page of persons.",
        why="docs/fake-semantics.md: the list body is {persons, limit, page, orderBy, "
        "totalCount} (totalCount only on request), mirroring CompaniesResponse.",
    ),
)


# -- violations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """One way a request or response departs from the spec."""

    direction: str  # "request" | "response"
    op_id: str
    location: str  # "status", "header.AppCode", "query.limit", "body.persons[0].id", ...
    message: str
    status: int | None = None
    method: str = ""
    path: str = ""

    def __str__(self) -> str:
        status = f" -> {self.status}" if self.status is not None else ""
        return (
            f"{self.direction} of {self.op_id} ({self.method} {self.path}{status}) "
            f"at {self.location}: {self.message}"
        )


def format_violations(violations: Iterable[Violation]) -> str:
    """A readable report of ``violations`` for a failing test."""
    lines = [f"  - {v}" for v in violations]
    return (
        f"the API spec ({SPEC_PATH.name}) is violated:\n"
        + "\n".join(lines)
        + "\nIf the test sends a deliberately invalid request, mark it "
        "@pytest.mark.nonconforming (responses are still checked). If the spec itself is wrong "
        "here, add an entry to ALLOW_LIST in tests/_support/spec_validation.py saying why."
    )


# -- formats -----------------------------------------------------------------------------------

_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return False
    dt.date.fromisoformat(value)
    return True


@_FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    # RFC 3339: a full date, 'T', a time, and a zone (Z or an offset).
    if not isinstance(value, str):
        return True
    match = re.fullmatch(
        r"(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2}(?:\.\d+)?)([Zz]|[+-]\d{2}:\d{2})", value
    )
    if not match:
        return False
    dt.datetime.fromisoformat(f"{match.group(1)}T{match.group(2)}")
    return True


@_FORMATS.checks("int32")
def _is_int32(value: object) -> bool:
    return not isinstance(value, int) or -(2**31) <= value < 2**31


@_FORMATS.checks("int64")
def _is_int64(value: object) -> bool:
    return not isinstance(value, int) or -(2**63) <= value < 2**63


# -- the spec, loaded once -----------------------------------------------------------------------


@dataclass
class _Param:
    name: str
    location: str  # query | path | header
    required: bool
    schema: dict[str, Any]
    kind: str  # the scalar type used to parse the text: string/integer/number/boolean/array
    item_kind: str = "string"


@dataclass
class _OpSpec:
    op_id: str
    method: str
    path: str
    deprecated: bool
    params: list[_Param]
    body_required: bool
    body: dict[str, dict[str, Any] | None] | None  # content type -> schema; None: no requestBody
    responses: dict[str, dict[str, dict[str, Any] | None]]  # status key -> content type -> schema
    security: bool
    validators: dict[tuple[str, ...], Draft202012Validator] = field(default_factory=dict)


def _path_to_str(path: Iterable[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _kind(schema: Mapping[str, Any]) -> str:
    """The JSON type a parameter's text is parsed as (looking through allOf wrappers)."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "string")
    if isinstance(kind, str):
        return kind
    for sub in schema.get("allOf") or []:
        found = _kind(sub)
        if found != "string" or "enum" in sub:
            return found
    if "enum" in schema:
        return "string"
    return "string"


def _parse_scalar(text: str, kind: str) -> Any:
    """``text`` as the JSON value a ``kind`` parameter holds; the text itself when it does not parse."""
    if kind == "integer" and re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    if kind == "number":
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    return text


class SpecValidator:
    """The spec, loaded once: request and response checks per operation.

    Use :func:`validator` to get the shared instance.
    """

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document
        self._components = document.get("components", {})
        self._lock = threading.Lock()
        self.operations: dict[str, _OpSpec] = {}
        for path, item in document.get("paths", {}).items():
            shared = item.get("parameters", [])
            for method, op in item.items():
                if method not in HTTP_METHODS:
                    continue
                self.operations[op["operationId"]] = self._operation(path, method, op, shared)

    # -- loading ---------------------------------------------------------------------------------

    def _ref(self, ref: str) -> Any:
        if not ref.startswith("#/"):
            raise ValueError(f"external $ref not supported: {ref}")
        node: Any = self.document
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def inline(self, node: Any) -> Any:
        """``node`` with every ``$ref`` replaced by (a copy of) what it points to.

        Maps declared ``additionalProperties: {"type": "object"}`` get ``{}`` instead (see
        :data:`NORMALIZATIONS`).
        """
        if isinstance(node, list):
            return [self.inline(x) for x in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            target = self.inline(self._ref(node["$ref"]))
            siblings = {k: self.inline(v) for k, v in node.items() if k != "$ref"}
            if not siblings:
                return target
            return {**siblings, "allOf": [target, *siblings.pop("allOf", [])]}
        out = {k: self.inline(v) for k, v in node.items()}
        return _normalized(out, any_value={})

    def component_schema(self, suffix: str) -> dict[str, Any]:
        """The inlined component schema whose name ends with ``.suffix`` (or is ``suffix``)."""
        for name, schema in self._components.get("schemas", {}).items():
            if name == suffix or name.endswith("." + suffix):
                inlined: dict[str, Any] = self.inline(schema)
                return inlined
        raise KeyError(suffix)

    def _content(self, content: Mapping[str, Any] | None) -> dict[str, dict[str, Any] | None]:
        out: dict[str, dict[str, Any] | None] = {}
        for ctype, media in (content or {}).items():
            media = media or {}
            if "schema" in media:
                out[ctype] = self.inline(media["schema"])
            elif "$ref" in media:
                # The 4XX/5XX ranges reference the schema straight from the media type object
                # (not valid OpenAPI, which wants it under "schema"); the intent is plain.
                out[ctype] = self.inline(media)
            else:
                out[ctype] = None  # declared, untyped (e.g. match-people-ids 404 */*)
        return out

    def _operation(
        self, path: str, method: str, op: Mapping[str, Any], shared: list[Any]
    ) -> _OpSpec:
        params: dict[tuple[str, str], _Param] = {}
        for raw in [*shared, *op.get("parameters", [])]:
            p = self.inline(raw)
            schema = p.get("schema") or {}
            kind = _kind(schema)
            item_kind = _kind(schema.get("items") or {}) if kind == "array" else "string"
            params[(p["name"], p["in"])] = _Param(
                name=p["name"],
                location=p["in"],
                required=bool(p.get("required")) or p["in"] == "path",
                schema=schema,
                kind=kind,
                item_kind=item_kind,
            )
        body = None
        body_required = False
        if "requestBody" in op:
            rb = self.inline(op["requestBody"])
            body = self._content(rb.get("content"))
            body_required = bool(rb.get("required"))
        responses = {}
        for status, resp in op.get("responses", {}).items():
            resp = self.inline(resp)
            responses[str(status).upper()] = self._content(resp.get("content"))
        return _OpSpec(
            op_id=op["operationId"],
            method=method.upper(),
            path=path,
            deprecated=bool(op.get("deprecated")),
            params=list(params.values()),
            body_required=body_required,
            body=body,
            responses=responses,
            security=bool(op.get("security", self.document.get("security"))),
        )

    def _validator(
        self, op: _OpSpec, key: tuple[str, ...], schema: Mapping[str, Any], direction: str
    ) -> Draft202012Validator:
        with self._lock:
            cached = op.validators.get(key)
            if cached is None:
                cached = Draft202012Validator(
                    _for_direction(schema, direction), format_checker=_FORMATS
                )
                op.validators[key] = cached
            return cached

    # -- checks ----------------------------------------------------------------------------------

    def check_request(
        self,
        method: str,
        path: str,
        query: Sequence[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> list[Violation]:
        """Every way this request departs from the spec (``[]``: it conforms, or is no API call)."""
        route = resolve(method.upper(), path)
        if route is None:
            return []
        operation, path_params = route
        op = self.operations[operation.op_id]
        headers = {k.lower(): v for k, v in headers.items()}
        out: list[Violation] = []

        def bad(location: str, message: str) -> None:
            out.append(Violation("request", op.op_id, location, message, None, method, path))

        known = set()
        for param in op.params:
            if param.location == "path":
                texts = [path_params[param.name]] if param.name in path_params else []
            elif param.location == "query":
                known.add(param.name)
                texts = [v for k, v in query if k == param.name]
            elif param.location == "header":
                texts = [headers[param.name.lower()]] if param.name.lower() in headers else []
            else:
                continue
            where = f"{param.location}.{param.name}"
            if not texts:
                if param.required:
                    bad(where, f"required {param.location} parameter {param.name!r} is missing")
                continue
            if param.kind == "array":
                value: Any = [_parse_scalar(t, param.item_kind) for t in texts]
            else:
                if len(texts) > 1:
                    bad(where, f"given {len(texts)} times; the spec declares one value")
                value = _parse_scalar(texts[0], param.kind)
            key = ("param", param.location, param.name)
            for err in self._validator(op, key, param.schema, "request").iter_errors(value):
                bad(where + _path_to_str(err.absolute_path), err.message)
        for name in dict(query):
            if name not in known:
                bad(
                    f"query.{name}",
                    f"unknown query parameter {name!r} (declared: {sorted(known) or 'none'})",
                )
        self._check_request_body(op, headers, body, bad)
        return out

    def _check_request_body(
        self,
        op: _OpSpec,
        headers: Mapping[str, str],
        body: bytes,
        bad: Callable[[str, str], None],
    ) -> None:
        if not body:
            if op.body_required:
                bad("body", "the operation requires a request body; none was sent")
            return
        if op.body is None:
            bad("body", f"a body was sent ({len(body)} bytes) but the operation declares none")
            return
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        declared = _match_content_type(ctype, op.body)
        if declared is None:
            bad("header.Content-Type", f"{ctype or 'none'!r} is not one of {sorted(op.body)}")
            return
        schema = op.body[declared]
        if schema is None:
            return
        try:
            value = json.loads(body)
        except ValueError as exc:
            bad("body", f"not valid JSON ({exc})")
            return
        key = ("request", declared)
        for err in _errors(self._validator(op, key, schema, "request"), value):
            bad("body" + _path_to_str(err.absolute_path), _short(err))

    def check_response(
        self,
        op_id: str,
        status: int,
        headers: Mapping[str, str],
        body: bytes,
        *,
        query: Sequence[tuple[str, str]] = (),
        request_headers: Mapping[str, str] | None = None,
        request_conforms: bool | None = None,
        method: str = "",
        path: str = "",
    ) -> list[Violation]:
        """Every way this response of ``op_id`` departs from the spec.

        ``query``, ``request_headers`` and ``request_conforms`` describe the request answered,
        where known: some checks depend on it (the persons list form, credentials, a 400 the
        spec forgot to declare for an invalid request).
        """
        op = self.operations[op_id]
        out: list[Violation] = []

        def bad(location: str, message: str) -> None:
            out.append(Violation("response", op_id, location, message, status, method, path))

        if request_headers is not None and op.security and status != 401:
            # Credentials are not a schema matter: a request without any the spec declares
            # must be refused with 401 (the spec declares it for every operation).
            auth = {k.lower(): v for k, v in request_headers.items()}.get("authorization", "")
            # HTTP auth scheme names are case-insensitive (``app``, ``BEARER``).
            scheme = auth.strip().partition(" ")[0].lower()
            if scheme not in {s.lower() for s in _AUTH_SCHEMES}:
                bad(
                    "status",
                    "a request without credentials of a declared scheme (App, Basic, "
                    f"IBSSO, Bearer) was answered {status}, not 401",
                )

        key = _status_key(status, op.responses)
        if key is None:
            if status == 400 and request_conforms is False:
                # An invalid request is refused with 400 even where the spec lists no 400 (the
                # segment reads, event definition reads): hold the body to the family's envelope.
                for message in envelope_problems(op_id, status, body):
                    bad("body", message)
                return out
            bad("status", f"status {status} is not declared (declared: {sorted(op.responses)})")
            return out
        content = op.responses[key]
        if not content:
            if body:
                bad("body", f"status {key} declares no body, got {len(body)} bytes: {body[:120]!r}")
            return out
        headers = {k.lower(): v for k, v in headers.items()}
        ctype = headers.get("content-type", "").split(";")[0].strip().lower()
        if not body:
            bad("body", f"status {key} declares a body ({', '.join(content)}); none was sent")
            return out
        declared = _match_content_type(ctype, content)
        if declared is None:
            bad("header.Content-Type", f"{ctype or 'none'!r} is not one of {sorted(content)}")
            return out
        schema = content[declared]
        override = next(
            (o for o in OVERRIDES if o.op_id == op_id and o.status == status and o.applies(query)),
            None,
        )
        if override is not None:
            schema = override.schema(self)
            vkey: tuple[str, ...] = ("override", str(OVERRIDES.index(override)))
        else:
            vkey = ("response", key, declared)
        if schema is None:
            return out
        if not _JSON_TYPE.match(declared) and declared not in ("*/*", "text/plain"):
            return out
        try:
            value = json.loads(body)
        except ValueError as exc:
            if declared == "text/plain":
                value = body.decode("utf-8", "replace")
            else:
                bad("body", f"not valid JSON ({exc}): {body[:120]!r}")
                return out
        for err in _errors(self._validator(op, vkey, schema, "response"), value):
            bad("body" + _path_to_str(err.absolute_path), _short(err))
        return out


def envelope_problems(op_id: str, status: int, body: bytes) -> list[str]:
    """How an error ``body`` departs from the envelope of ``op_id``'s family.

    ``[]`` when it is right. Outside segments, 401/403/429 and 5xx use the v2 envelope.
    """
    family = OPERATIONS[op_id].errors
    try:
        value = json.loads(body) if body else None
    except ValueError:
        return [f"error body is not JSON: {body[:120]!r}"]

    def has(obj: Any, *keys: str) -> bool:
        return isinstance(obj, dict) and all(k in obj for k in keys)

    if family is ErrorFamily.SEGMENTS:
        ok = has(value, "errorCode", "description") and value["errorCode"] == f"E{status}"
        return [] if ok else [f"not the segments envelope {{errorCode: E{status}, ...}}: {value!r}"]
    generic = status in (401, 403, 429) or status >= 500
    if generic or family is ErrorFamily.V2:
        request_error = value.get("requestError") if isinstance(value, dict) else None
        exc = request_error.get("serviceException") if isinstance(request_error, dict) else None
        ok = has(exc, "messageId", "text")
        return [] if ok else [f"not the v2 envelope requestError.serviceException: {value!r}"]
    if family is ErrorFamily.EVENT_DEFINITIONS:
        return [] if value is None else [f"event definition errors have no body, got {value!r}"]
    keys = {
        ErrorFamily.V3: ("code", "message"),
        ErrorFamily.LISTS: ("errorCode", "message"),
        ErrorFamily.PUSH: ("errorCode", "errorMessage"),
        ErrorFamily.EVENTS_BATCH: ("status", "title", "errors"),
    }[family]
    return [] if has(value, *keys) else [f"not the {family.value} envelope: {value!r}"]


def declared_body(op_id: str, status: int) -> str:
    """What the spec says of the body of ``op_id``'s ``status`` answer.

    ``"undeclared"`` (no such status), ``"none"`` (declared without content), ``"untyped"``
    (content without a schema, such as ``*/*``) or ``"typed"``.
    """
    responses = validator().operations[op_id].responses
    key = _status_key(status, responses)
    if key is None:
        return "undeclared"
    content = responses[key]
    if not content:
        return "none"
    return "typed" if any(schema is not None for schema in content.values()) else "untyped"


def _errors(v: Draft202012Validator, value: Any) -> list[ValidationError]:
    return sorted(v.iter_errors(value), key=lambda e: [str(p) for p in e.absolute_path])


def _short(err: ValidationError) -> str:
    message = err.message
    return message if len(message) <= 300 else message[:297] + "..."


def _status_key(status: int, responses: Mapping[str, Any]) -> str | None:
    for key in (str(status), f"{str(status)[0]}XX", "DEFAULT"):
        if key in responses:
            return key
    return None


def _match_content_type(ctype: str, declared: Mapping[str, Any]) -> str | None:
    if ctype in declared:
        return ctype
    for candidate in declared:
        if candidate == "*/*":
            return candidate
        pattern = "^" + re.escape(candidate).replace(r"\*", "[^/]+") + "$"
        if ctype and re.match(pattern, ctype):
            return candidate
    return None


def _for_direction(schema: Any, direction: str) -> Any:
    """``schema`` with OpenAPI's readOnly/writeOnly applied to ``required`` for one direction."""
    hidden = "readOnly" if direction == "request" else "writeOnly"
    if isinstance(schema, list):
        return [_for_direction(s, direction) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: _for_direction(v, direction) for k, v in schema.items()}
    props = out.get("properties")
    if isinstance(props, dict):
        hidden_names = {n for n, p in props.items() if isinstance(p, dict) and _flag(p, hidden)}
        # Read-only fields in a request are ignored by the service (docs/fake-semantics.md), so
        # whatever they hold is no violation; likewise write-only fields in a response.
        out["properties"] = {n: ({} if n in hidden_names else p) for n, p in props.items()}
        if isinstance(out.get("required"), list):
            out["required"] = [n for n in out["required"] if n not in hidden_names]
    return out


def _flag(schema: Mapping[str, Any], name: str) -> bool:
    if schema.get(name) is True:
        return True
    return any(isinstance(s, dict) and _flag(s, name) for s in schema.get("allOf") or [])


# -- shared instance and helpers -------------------------------------------------------------------


def spec_available() -> bool:
    """Whether the spec is where the tests expect it."""
    return SPEC_PATH.is_file()


@functools.lru_cache(maxsize=1)
def load_spec() -> dict[str, Any]:
    """The spec document (parsed once)."""
    with SPEC_PATH.open(encoding="utf-8") as fh:
        document: dict[str, Any] = json.load(fh)
    return document


#: The keys a map's value schema may have and still mean "any value" (see :data:`NORMALIZATIONS`).
_LOOSE_MAP_KEYS = frozenset({"type", "example", "readOnly", "description"})


def _normalized(out: dict[str, Any], any_value: Any) -> dict[str, Any]:
    """One schema node (its children already done) with :data:`NORMALIZATIONS` applied.

    A map whose values are declared only ``{"type": "object"}`` takes any value (``any_value``:
    ``{}`` or ``True``, the two spellings of the schema that accepts anything), and
    ``type: null`` beside ``allOf`` becomes ``anyOf`` null or the ``allOf``.
    """
    extra = out.get("additionalProperties")
    if (
        isinstance(extra, dict)
        and extra.get("type") == "object"
        and not set(extra) - _LOOSE_MAP_KEYS
    ):
        out["additionalProperties"] = any_value
    if out.get("type") == "null" and "allOf" in out:
        out["anyOf"] = [{"type": "null"}, {"allOf": out.pop("allOf")}]
        out.pop("type")
    return out


def normalized_document() -> dict[str, Any]:
    """The spec with :data:`NORMALIZATIONS` applied, ``$ref`` s kept (for tools such as Prism)."""

    def fix(node: Any) -> Any:
        if isinstance(node, list):
            return [fix(x) for x in node]
        if not isinstance(node, dict):
            return node
        out = {k: fix(v) for k, v in node.items()}
        return _normalized(out, any_value=True)

    document: dict[str, Any] = fix(load_spec())
    for item in document.get("paths", {}).values():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            for resp in op.get("responses", {}).values():
                for media in (resp.get("content") or {}).values():
                    if isinstance(media, dict) and "$ref" in media and "schema" not in media:
                        media["schema"] = {"$ref": media.pop("$ref")}
    return document


@functools.lru_cache(maxsize=1)
def validator() -> SpecValidator:
    """The shared :class:`SpecValidator` (spec loaded and refs resolved once per process)."""
    spec = SpecValidator(load_spec())
    missing = set(OPERATIONS) ^ set(spec.operations)
    if missing:  # the operations table was generated from another spec version
        raise RuntimeError(f"operations table and spec disagree on {sorted(missing)}")
    return spec


def unforgiven(violations: Iterable[Violation]) -> list[Violation]:
    """``violations`` minus those :data:`ALLOW_LIST` forgives."""
    return [v for v in violations if not any(a.forgives(v) for a in ALLOW_LIST)]


def request_parts(request: httpx.Request) -> tuple[str, str, list[tuple[str, str]], dict[str, str]]:
    """(method, path, query pairs, lower-case headers) of an httpx request, as the fake sees them."""
    parts = urlsplit(str(request.url))
    query = parse_qsl(parts.query, keep_blank_values=True)
    headers = {k.lower(): v for k, v in request.headers.items()}
    return request.method, parts.path or "/", query, headers


def check_httpx_request(request: httpx.Request) -> list[Violation]:
    """Unforgiven violations of one httpx request (``[]`` when not an API call)."""
    method, path, query, headers = request_parts(request)
    body = request.content if hasattr(request, "_content") else request.read()
    return unforgiven(validator().check_request(method, path, query, headers, body))


def assert_request_conforms(request: httpx.Request) -> None:
    """Fail (``AssertionError``) unless ``request`` is a call the spec allows.

    For respx-based client tests, e.g. inside a side effect::

        route = respx_mock.post(url).mock(side_effect=lambda r: (assert_request_conforms(r),
                                                                  httpx.Response(200, json={}))[1])
    """
    violations = check_httpx_request(request)
    assert not violations, format_violations(violations)
