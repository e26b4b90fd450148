"""Check the fake against a live Customer Profiles account: ``infobip-profiles verify``.

:func:`run_verification` runs one scripted scenario (about 100 requests, every resource: people
with their batches, upserts, merges, contacts and lists; companies; tags; custom attributes;
event definitions, events and exports; push; segments) against a live account **and** a fresh
in-process :class:`~infobip_profiles.testing.FakeProfiles`, sending the same raw HTTP requests to
both with the same ``Authorization`` header, and reports every place where the two answers
differ: the status, the error envelope, the shape of the body and its values.

Volatile values are normalised before comparing, on each side separately:

* ids (values of ``id``, ``personId``, ``requestId``, ``traceId``, ``__id`` ... and every UUID)
  become stable placeholders: ``<ada>`` for the ids the scenario names, ``<id#1>``, ``<id#2>``
  ... for the others, in order of appearance;
* timestamps become a marker of their format (``<timestamp yyyy-MM-ddTHH:mm:ss.SSSZ>``), so a
  different format is still a difference while a different instant is not;
* error texts (``text``, ``message``, ``errorMessage`` ... inside error bodies) become
  ``<text>``: the wording is reported as a note, not a difference, since it is not part of the
  contract (``strict_text=True`` counts it).

Only data the run creates is touched: every external id, email, tag, attribute, list,
definition and segment name carries a unique run prefix (``ipv-<random8>-``; definition ids,
which must be alphanumeric, ``ipv<random8>``). Before writing anything the run lists tags,
custom attributes, persons, companies, definitions and segments and refuses an account where the
prefix already exists. Everything created is deleted at the end in reverse creation order, also
when a step fails or the run is interrupted (SIGINT/SIGTERM), and whatever could not be deleted
is recorded in the report (event definitions cannot be deleted through the API at all).

Example::

    from infobip_profiles.verify import run_verification

    report = run_verification("https://xyz.api.infobip.com", api_key, report_path="report.json")
    print(report.summary())
    assert report.ok

From the command line (the key is read from ``INFOBIP_API_KEY``)::

    $ infobip-profiles verify --base-url https://xyz.api.infobip.com --report report.json
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import secrets
import signal
import threading
import time
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import quote

import httpx

from ._client import _Credential
from ._version import __version__

__all__ = [
    "CleanupRecord",
    "Difference",
    "StepOutcome",
    "VerifyInterrupted",
    "VerifyReport",
    "VerifySetupError",
    "run_verification",
    "scenario_steps",
]

# -- results -------------------------------------------------------------------------------------


@dataclass
class Difference:
    """One way the fake's answer to a step differs from the live service's.

    ``kind`` is ``"status"``, ``"envelope"`` (a different error body family), ``"shape"`` (a key
    present on one side only, a different JSON type or list length), ``"value"`` (equal shapes,
    different values after normalisation), ``"body"`` (JSON on one side, text or nothing on the
    other) or ``"text"`` (only the wording of an error text: a note unless ``strict_text``).
    ``path`` is a JSONPath-like location in the body (``$`` for the status and envelope).
    """

    kind: str
    path: str
    live: Any
    fake: Any

    def describe(self) -> str:
        """One line: ``value at $.persons[0].type: live 'LEAD', fake 'CUSTOMER'``."""
        return f"{self.kind} at {self.path}: live {_short(self.live)}, fake {_short(self.fake)}"


@dataclass
class StepOutcome:
    """One step of the scenario: what was sent, what each side answered, how they differ."""

    name: str
    op_id: str
    method: str
    path: str
    live_status: int | None
    fake_status: int | None
    differences: list[Difference] = field(default_factory=list)
    notes: list[Difference] = field(default_factory=list)
    live_body: Any = None
    fake_body: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """No difference (notes do not count)."""
        return not self.differences and self.error is None


@dataclass
class CleanupRecord:
    """What cleanup did about one thing the run created on the live account."""

    what: str
    method: str
    path: str
    status: int | None
    deleted: bool
    reason: str | None = None


@dataclass
class VerifyReport:
    """The result of :func:`run_verification`; :meth:`to_dict` is what ``--report`` writes."""

    base_url: str
    prefix: str
    started_at: str
    finished_at: str | None = None
    steps: list[StepOutcome] = field(default_factory=list)
    cleanup: list[CleanupRecord] = field(default_factory=list)
    aborted: str | None = None
    interrupted: bool = False
    setup_notes: list[str] = field(default_factory=list)

    @property
    def differences(self) -> list[tuple[StepOutcome, Difference]]:
        """Every difference, with its step, in scenario order."""
        return [(step, diff) for step in self.steps for diff in step.differences]

    @property
    def leftovers(self) -> list[CleanupRecord]:
        """What the run created on the live account and could not delete."""
        return [record for record in self.cleanup if not record.deleted]

    @property
    def ok(self) -> bool:
        """The whole scenario ran and the fake answered every step as the live service did."""
        return self.aborted is None and not self.interrupted and all(step.ok for step in self.steps)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-able data."""
        return {
            "tool": f"infobip-profiles {__version__} verify",
            "baseUrl": self.base_url,
            "prefix": self.prefix,
            "startedAt": self.started_at,
            "finishedAt": self.finished_at,
            "ok": self.ok,
            "aborted": self.aborted,
            "interrupted": self.interrupted,
            "setupNotes": self.setup_notes,
            "stepCount": len(self.steps),
            "differenceCount": len(self.differences),
            "steps": [
                {
                    "name": s.name,
                    "operationId": s.op_id,
                    "request": f"{s.method} {s.path}",
                    "liveStatus": s.live_status,
                    "fakeStatus": s.fake_status,
                    "ok": s.ok,
                    "error": s.error,
                    "differences": [_diff_dict(d) for d in s.differences],
                    "notes": [_diff_dict(d) for d in s.notes],
                    "liveBody": s.live_body,
                    "fakeBody": s.fake_body,
                }
                for s in self.steps
            ],
            "cleanup": [
                {
                    "what": c.what,
                    "request": f"{c.method} {c.path}",
                    "status": c.status,
                    "deleted": c.deleted,
                    "reason": c.reason,
                }
                for c in self.cleanup
            ],
        }

    def write(self, path: str | Path) -> None:
        """Write :meth:`to_dict` as indented JSON to ``path``."""
        Path(path).write_text(
            json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )

    def summary(self) -> str:
        """A readable summary: one line per step, each difference below its step, cleanup."""
        lines = [f"verify {self.base_url} (prefix {self.prefix})"]
        lines.extend(f"  note: {note}" for note in self.setup_notes)
        for step in self.steps:
            mark = "ok  " if step.ok else "DIFF"
            lines.append(
                f"  {mark} {step.name:<36} {step.method} {step.path.split('?')[0]}"
                f"  live {step.live_status} / fake {step.fake_status}"
            )
            if step.error:
                lines.append(f"         error: {step.error}")
            lines.extend(f"         {d.describe()}" for d in step.differences)
            if step.notes:
                lines.append(f"         ({len(step.notes)} text note(s), see the report)")
        diffs = len(self.differences)
        failed = sum(not s.ok for s in self.steps)
        lines.append(
            f"{len(self.steps)} steps, {failed} with differences, {diffs} difference(s) in all"
        )
        if self.aborted:
            lines.append(f"aborted: {self.aborted}")
        if self.interrupted:
            lines.append("interrupted: the scenario did not finish")
        deleted = sum(c.deleted for c in self.cleanup)
        lines.append(f"cleanup: {deleted} deleted, {len(self.leftovers)} left on the account")
        lines.extend(f"  left: {c.what} ({c.method} {c.path}: {c.reason})" for c in self.leftovers)
        return "\n".join(lines)


class VerifySetupError(Exception):
    """The run could not start: bad key, unreachable service, or the prefix already in use.

    Nothing was written to the account when this is raised.
    """


class VerifyInterrupted(BaseException):
    """SIGTERM arrived during a run (SIGINT raises ``KeyboardInterrupt`` as usual).

    A ``BaseException`` like ``KeyboardInterrupt``, so that no ``except Exception`` swallows it.
    """


def _diff_dict(d: Difference) -> dict[str, Any]:
    return {"kind": d.kind, "path": d.path, "live": d.live, "fake": d.fake}


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


# -- the scenario --------------------------------------------------------------------------------

_NO_JSON: Any = object()


@dataclass(frozen=True)
class Request:
    """One HTTP request of the scenario (path relative to the base URL)."""

    method: str
    path: str
    params: Sequence[tuple[str, str]] = ()
    json: Any = _NO_JSON
    headers: Mapping[str, str] = field(default_factory=dict)

    def display(self) -> str:
        """The path with its query string, as shown in the report."""
        if not self.params:
            return self.path
        return self.path + "?" + "&".join(f"{k}={v}" for k, v in self.params)


@dataclass(frozen=True)
class Names:
    """The run's names: everything the scenario creates carries :attr:`prefix`."""

    prefix: str
    compact: str
    phone_base: str

    @classmethod
    def generate(cls, prefix: str | None = None) -> Names:
        """Fresh names for one run (``prefix`` forces the run prefix, e.g. in tests)."""
        token = secrets.token_hex(4)
        if prefix is None:
            prefix = f"ipv-{token}-"
        compact = re.sub(r"[^A-Za-z0-9]", "", prefix) or f"ipv{token}"
        digits = "".join(str(int(c, 16) % 10) for c in secrets.token_hex(4))
        return cls(prefix=prefix, compact=compact, phone_base="3859" + digits)

    def ext(self, who: str) -> str:
        """An external id."""
        return f"{self.prefix}{who}"

    def email(self, who: str) -> str:
        """An email address."""
        return f"{self.prefix}{who}@example.com"

    def phone(self, n: int) -> str:
        """A phone number (E.164 digits) unique to the run."""
        return f"{self.phone_base}{n:02d}"

    @property
    def tag(self) -> str:
        """The first tag."""
        return self.prefix + "vip"

    @property
    def tag2(self) -> str:
        """The tag created by a person update."""
        return self.prefix + "new"

    @property
    def plan(self) -> str:
        """A STRING custom attribute."""
        return self.prefix + "plan"

    @property
    def score(self) -> str:
        """An INTEGER custom attribute."""
        return self.prefix + "score"

    @property
    def orders(self) -> str:
        """A LIST_OF_OBJECTS custom attribute (the list)."""
        return self.prefix + "orders"

    @property
    def company(self) -> str:
        """The first company."""
        return self.prefix + "Acme"

    @property
    def company2(self) -> str:
        """The company created by the batch."""
        return self.prefix + "Globex"

    @property
    def definition(self) -> str:
        """The event definition (alphanumeric, as definition ids must be)."""
        return self.compact + "Cart"

    @property
    def segment(self) -> str:
        """The segment."""
        return self.prefix + "buyers"

    @property
    def app_code(self) -> str:
        """A push application code no account has."""
        return self.prefix + "app"


Vars = dict[str, Any]


@dataclass(frozen=True)
class Cleanup:
    """How to delete one thing the scenario created (sent to the live account only)."""

    key: str
    what: str
    request: Request


@dataclass(frozen=True)
class Step:
    """One request of the scenario, sent to both sides.

    ``request`` builds the request from the names and the side's captured values (ids differ
    between the sides); ``capture`` names values from the answer for later steps (and for the
    normalisation: a captured id becomes ``<name>``); ``project`` keeps only the run's own items
    of a listing (the live account has other data); ``cleanup_before`` registers deletions before
    the request is sent (the write may happen even if the answer is lost), ``cleanup_after``
    from the answer; ``forgets`` drops registered deletions this step performed itself.
    """

    name: str
    op_id: str
    request: Callable[[Names, Vars], Request]
    capture: Callable[[Any], Mapping[str, Any]] | None = None
    project: Callable[[Names, Any], Any] | None = None
    cleanup_before: Callable[[Names, Vars], list[Cleanup]] | None = None
    cleanup_after: Callable[[Names, Vars], list[Cleanup]] | None = None
    forgets: Callable[[Names, Vars], list[str]] | None = None
    id_kind: str | None = None

    @property
    def kind(self) -> str:
        """What the ``id`` values of this step's answers are ids of (placeholders are per kind:
        the fake numbers tags, persons and companies from 1 each, the live service does not)."""
        return self.id_kind or _KINDS.get(self.name.split(".")[0], "other")


_KINDS = {
    "people": "person",
    "tags": "tag",
    "attributes": "attribute",
    "companies": "company",
    "segments": "segment",
    "lists": "item",
    "events": "event",
    "push": "push",
}

P2 = "/people/2/persons"
P3 = "/people/3/persons"
TAGS = "/people/2/tags"
ATTRS = "/people/2/customAttributes"
COMPANIES = "/people/2/companies"
LISTS = "/people/3/lists"
DEFS = "/peopleevents/2/definitions"
EXPORT = "/peopleevents/1/export"
SEGMENTS = "/people/3/segments"
PUSH = "/people/2/contactInformation/push"


def _q(value: str) -> str:
    return quote(value, safe="")


def _by_ext(n: Names, who: str) -> list[tuple[str, str]]:
    return [("identifier", n.ext(who)), ("type", "EXTERNAL_ID")]


def _person_cleanup(*whos: str, email: bool = False) -> Callable[[Names, Vars], list[Cleanup]]:
    def build(n: Names, v: Vars) -> list[Cleanup]:
        out = []
        for who in whos:
            params = [("identifier", n.email(who)), ("type", "EMAIL")] if email else _by_ext(n, who)
            out.append(
                Cleanup(f"person:{who}", f"person {params[0][1]}", Request("DELETE", P2, params))
            )
        return out

    return build


def _named_cleanup(
    kind: str, label: str, request: Callable[[str], Request]
) -> Callable[[str], Callable[[Names, Vars], list[Cleanup]]]:
    """A cleanup builder for one named thing (a tag, an attribute, a company) of the run."""

    def for_attr(attr: str) -> Callable[[Names, Vars], list[Cleanup]]:
        def build(n: Names, v: Vars) -> list[Cleanup]:
            name = getattr(n, attr)
            return [Cleanup(f"{kind}:{name}", f"{label} {name}", request(name))]

        return build

    return for_attr


_tag_cleanup = _named_cleanup("tag", "tag", lambda name: Request("DELETE", f"{TAGS}/{_q(name)}"))
_attr_cleanup = _named_cleanup(
    "attribute", "custom attribute", lambda name: Request("DELETE", f"{ATTRS}/{_q(name)}")
)
_company_cleanup = _named_cleanup(
    "company", "company", lambda name: Request("DELETE", COMPANIES, [("name", name)])
)


def _forget(*keys: str) -> Callable[[Names, Vars], list[str]]:
    def build(n: Names, v: Vars) -> list[str]:
        return [k.format(n=n) for k in keys]

    return build


def _keep_prefixed(key: str | None, field_name: str) -> Callable[[Names, Any], Any]:
    """A projection keeping the run's own items of a listing (``key``: where the array is)."""

    def project(n: Names, body: Any) -> Any:
        items = body.get(key) if key is not None and isinstance(body, dict) else body
        if not isinstance(items, list):
            return body
        mine = [item for item in items if isinstance(item, dict) and _is_mine(n, item, field_name)]
        if key is None:
            return mine
        out = dict(body)
        out[key] = mine
        for volatile in ("totalCount", "paging"):
            if volatile in out and isinstance(out[volatile], dict):
                out[volatile] = dict.fromkeys(out[volatile], "<count>")
            elif volatile in out:
                out[volatile] = "<count>"
        return out

    return project


def _is_mine(n: Names, item: dict[str, Any], field_name: str) -> bool:
    value = str(item.get(field_name, ""))
    return value.lower().startswith(n.prefix.lower()) or value.startswith(n.compact)


def _only_prefixed_strings(n: Names, body: Any) -> Any:
    """Keep the run's own ids in a list of strings, or in each such list of an object."""
    if isinstance(body, dict):
        return {k: _only_prefixed_strings(n, v) for k, v in body.items()}
    if not isinstance(body, list):
        return body
    return [x for x in body if not isinstance(x, str) or x.startswith(n.compact)]


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _first(body: Any, *path: Any) -> Any:
    for key in path:
        try:
            body = body[key]
        except (KeyError, IndexError, TypeError):
            return None
    return body


def _capture(**paths: tuple[Any, ...]) -> Callable[[Any], Mapping[str, Any]]:
    def capture(body: Any) -> Mapping[str, Any]:
        found = {name: _first(body, *path) for name, path in paths.items()}
        return {k: v for k, v in found.items() if v is not None}

    return capture


def _ada(n: Names) -> dict[str, Any]:
    return {
        "externalId": n.ext("ada"),
        "firstName": "Ada",
        "lastName": "Lovelace",
        "gender": "FEMALE",
        "birthDate": "1815-12-10",
        "city": "London",
        "tags": [n.tag],
        "customAttributes": {n.plan: "pro", n.score: 42},
        "contactInformation": {
            "email": [{"address": n.email("ada")}],
            "phone": [{"number": n.phone(1)}],
        },
    }


def _definition(n: Names, *, more: bool = False) -> dict[str, Any]:
    fields = [{"name": "productId", "type": "String"}, {"name": "price", "type": "Decimal"}]
    if more:
        fields.append({"name": "quantity", "type": "Numeric"})
    return {"title": "Added to cart", "description": "verify run", "fields": fields}


def scenario_steps() -> list[Step]:
    """The scenario, in order (each step one request to each side)."""
    lst = [("type", "EXTERNAL_ID")]

    def ada_list(n: Names) -> list[tuple[str, str]]:
        return [*lst, ("identifier", n.ext("ada"))]

    now = datetime.now(timezone.utc)
    steps = [
        # -- tags ---------------------------------------------------------------------------------
        Step(
            "tags.create",
            "create-a-new-tag",
            lambda n, v: Request("POST", TAGS, json={"name": n.tag}),
            cleanup_before=_tag_cleanup("tag"),
        ),
        Step(
            "tags.create_duplicate_case",
            "create-a-new-tag",
            lambda n, v: Request("POST", TAGS, json={"name": n.tag.upper()}),
        ),
        Step("tags.get", "get-a-tag", lambda n, v: Request("GET", f"{TAGS}/{_q(n.tag)}")),
        Step(
            "tags.get_missing",
            "get-a-tag",
            lambda n, v: Request("GET", f"{TAGS}/{_q(n.prefix + 'nope')}"),
        ),
        Step(
            "tags.list",
            "get-list-of-tags",
            lambda n, v: Request("GET", TAGS, [("limit", "1000"), ("orderBy", "name:asc")]),
            project=_keep_prefixed(None, "name"),
        ),
        # -- custom attributes --------------------------------------------------------------------
        Step(
            "tags.method_not_allowed",
            "get-list-of-tags",
            lambda n, v: Request("PUT", TAGS, json={"name": n.tag}),
        ),
        Step(
            "attributes.create_string",
            "create-a-custom-attribute",
            lambda n, v: Request("POST", ATTRS, json={"name": n.plan, "dataType": "STRING"}),
            cleanup_before=_attr_cleanup("plan"),
        ),
        Step(
            "attributes.create_integer",
            "create-a-custom-attribute",
            lambda n, v: Request("POST", ATTRS, json={"name": n.score, "dataType": "INTEGER"}),
            cleanup_before=_attr_cleanup("score"),
        ),
        Step(
            "attributes.create_list",
            "create-a-custom-attribute",
            lambda n, v: Request(
                "POST",
                ATTRS,
                json={
                    "name": n.orders,
                    "dataType": "LIST_OF_OBJECTS",
                    "objectSchema": {"sku": "STRING", "qty": "INTEGER"},
                },
            ),
            cleanup_before=_attr_cleanup("orders"),
        ),
        Step(
            "attributes.create_duplicate_case",
            "create-a-custom-attribute",
            lambda n, v: Request(
                "POST", ATTRS, json={"name": n.plan.upper(), "dataType": "STRING"}
            ),
        ),
        Step(
            "attributes.get",
            "get-a-single-custom-attribute",
            lambda n, v: Request("GET", f"{ATTRS}/{_q(n.plan)}"),
        ),
        Step(
            "attributes.list",
            "get-a-list-of-custom-attributes",
            lambda n, v: Request("GET", ATTRS, [("limit", "1000")]),
            project=_keep_prefixed("customAttributes", "name"),
        ),
        # -- people: single ---------------------------------------------------------------------
        Step(
            "people.create",
            "create-a-new-person",
            lambda n, v: Request("POST", P2, json=_ada(n)),
            capture=_capture(ada=("id",)),
            cleanup_before=_person_cleanup("ada"),
        ),
        Step(
            "people.create_invalid_email",
            "create-a-new-person",
            lambda n, v: Request(
                "POST",
                P2,
                json={
                    "externalId": n.ext("bad"),
                    "contactInformation": {"email": [{"address": "not-an-email"}]},
                },
            ),
            cleanup_before=_person_cleanup("bad"),
        ),
        Step(
            "people.create_email_taken",
            "create-a-new-person",
            lambda n, v: Request(
                "POST",
                P2,
                json={
                    "externalId": n.ext("ada2"),
                    "contactInformation": {"email": [{"address": n.email("ada").upper()}]},
                },
            ),
            cleanup_before=_person_cleanup("ada2"),
        ),
        Step(
            "people.create_forbidden_character",
            "create-a-new-person",
            lambda n, v: Request(
                "POST", P2, json={"externalId": n.ext("angle"), "firstName": "<Ada>"}
            ),
            cleanup_before=_person_cleanup("angle"),
        ),
        Step(
            "people.create_without_identity",
            "create-a-new-person",
            lambda n, v: Request("POST", P2, json={"firstName": "Nobody"}),
            # Should the service accept it, the person has no identifier to delete it by: its id.
            capture=_capture(nobody=("id",)),
            cleanup_after=lambda n, v: (
                [
                    Cleanup(
                        f"person:id:{v['nobody']}",
                        f"person {v['nobody']} (created without an identifier)",
                        Request("DELETE", P2, [("identifier", str(v["nobody"])), ("type", "ID")]),
                    )
                ]
                if v.get("nobody") is not None
                else []
            ),
        ),
        Step(
            "people.create_too_many_emails",
            "create-a-new-person",
            lambda n, v: Request(
                "POST",
                P2,
                json={
                    "externalId": n.ext("many"),
                    "contactInformation": {
                        "email": [{"address": n.email(f"many{i}")} for i in range(101)]
                    },
                },
            ),
            cleanup_before=_person_cleanup("many"),
        ),
        Step(
            "people.get_by_email_any_case",
            "get-a-single-person-or-a-list-of-people",
            lambda n, v: Request(
                "GET", P2, [("identifier", n.email("ada").upper()), ("type", "EMAIL")]
            ),
        ),
        Step(
            "people.get_by_id",
            "get-a-single-person-or-a-list-of-people",
            lambda n, v: Request("GET", P2, [("identifier", str(v.get("ada"))), ("type", "ID")]),
        ),
        Step(
            "people.get_missing",
            "get-a-single-person-or-a-list-of-people",
            lambda n, v: Request("GET", P2, _by_ext(n, "ghost")),
        ),
        Step(
            "people.update_by_legacy_email",
            "partial-person-update",
            lambda n, v: Request("PATCH", P2, [("email", n.email("ada"))], json={"city": "Paris"}),
        ),
        Step(
            "people.get_trailing_slash",
            "get-a-single-person-or-a-list-of-people",
            lambda n, v: Request("GET", P2 + "/", _by_ext(n, "ada")),
        ),
        Step(
            "people.get_channel_without_sender",
            "get-a-single-person-or-a-list-of-people",
            lambda n, v: Request("GET", P2, [("identifier", n.ext("ada")), ("type", "LINE")]),
        ),
        Step(
            "people.update_patch",
            "partial-person-update",
            lambda n, v: Request(
                "PATCH", P2, _by_ext(n, "ada"), json={"middleName": "King", "tags": [n.tag2]}
            ),
            cleanup_before=_tag_cleanup("tag2"),
        ),
        Step(
            "people.update_unknown_attribute",
            "partial-person-update",
            lambda n, v: Request(
                "PATCH",
                P2,
                _by_ext(n, "ada"),
                json={"customAttributes": {n.prefix + "undefined": "x"}},
            ),
        ),
        Step(
            "people.update_wrong_type",
            "partial-person-update",
            lambda n, v: Request(
                "PATCH", P2, _by_ext(n, "ada"), json={"customAttributes": {n.score: "many"}}
            ),
        ),
        Step(
            "people.replace_put",
            "update-a-person",
            lambda n, v: Request(
                "PUT",
                P2,
                _by_ext(n, "ada"),
                json={
                    "externalId": n.ext("ada"),
                    "firstName": "Ada",
                    "lastName": "Lovelace",
                    "customAttributes": {n.plan: "pro"},
                    "contactInformation": {"email": [{"address": n.email("ada")}]},
                },
            ),
        ),
        Step(
            "people.add_contacts",
            "add-person-contact-information",
            lambda n, v: Request(
                "PATCH",
                f"{P2}/contactInformation",
                _by_ext(n, "ada"),
                json={"contactInformation": {"email": [{"address": n.email("ada.work")}]}},
            ),
        ),
        Step(
            "people.remove_contacts",
            "delete-person-contact-information",
            lambda n, v: Request(
                "DELETE",
                f"{P2}/contactInformation",
                _by_ext(n, "ada"),
                json={"contactInformation": {"email": [{"address": n.email("ada.work")}]}},
            ),
        ),
        Step(
            "people.set_contacts",
            "set-person-contact-information",
            lambda n, v: Request(
                "PUT",
                f"{P2}/contactInformation",
                _by_ext(n, "ada"),
                json={
                    "contactInformation": {
                        "email": [{"address": n.email("ada")}],
                        "phone": [{"number": n.phone(1)}],
                    }
                },
            ),
        ),
        # -- people: batches, match, upsert, merge ------------------------------------------------
        Step(
            "people.batch_create",
            "batch-people-create",
            lambda n, v: Request(
                "POST",
                f"{P2}/batch",
                json={
                    "people": [
                        {
                            "externalId": n.ext("bob"),
                            "firstName": "Bob",
                            "contactInformation": {"email": [{"address": n.email("bob")}]},
                        },
                        {
                            "externalId": n.ext("carol"),
                            "firstName": "Carol",
                            "type": "LEAD",
                            "contactInformation": {"phone": [{"number": n.phone(2)}]},
                        },
                        {
                            "externalId": n.ext("dup"),
                            "contactInformation": {"email": [{"address": n.email("ada")}]},
                        },
                    ]
                },
            ),
            cleanup_before=_person_cleanup("bob", "carol", "dup"),
        ),
        Step(
            "people.list_filtered",
            "get-a-single-person-or-a-list-of-people",
            lambda n, v: Request(
                "GET",
                P2,
                [
                    ("filter", json.dumps({"#startsWith": {"externalId": n.prefix}})),
                    ("orderBy", "firstName:asc"),
                    ("limit", "100"),
                    ("includeTotalCount", "true"),
                ],
            ),
        ),
        Step(
            "people.list_second_page",
            "get-a-single-person-or-a-list-of-people",
            lambda n, v: Request(
                "GET",
                P2,
                [
                    ("filter", json.dumps({"#startsWith": {"externalId": n.prefix}})),
                    ("orderBy", "firstName:desc"),
                    ("limit", "1"),
                    ("page", "2"),
                ],
            ),
        ),
        Step(
            "people.list_limit_too_large",
            "get-a-single-person-or-a-list-of-people",
            lambda n, v: Request("GET", P2, [("limit", "1001")]),
        ),
        Step(
            "people.batch_update",
            "batch-people-update",
            lambda n, v: Request(
                "PATCH",
                f"{P2}/batch",
                json={
                    "people": [
                        {
                            "query": {"identifier": n.ext("bob"), "type": "EXTERNAL_ID"},
                            "update": {"lastName": "Builder"},
                        },
                        {
                            "query": {"identifier": n.ext("ghost"), "type": "EXTERNAL_ID"},
                            "update": {"lastName": "Nobody"},
                        },
                    ]
                },
            ),
        ),
        Step(
            "people.match",
            "match-people-ids",
            lambda n, v: Request(
                "POST",
                f"{P2}/match",
                json={
                    "identities": [
                        {"type": "EMAIL", "identifier": n.email("bob")},
                        {"type": "EXTERNAL_ID", "identifier": n.ext("carol")},
                        {"type": "EXTERNAL_ID", "identifier": n.ext("ghost")},
                    ]
                },
            ),
        ),
        Step(
            "people.append_to_attribute",
            "append-item-to-custom-attribute",
            lambda n, v: Request(
                "POST",
                f"{ATTRS}/{_q(n.orders)}/append",
                _by_ext(n, "ada"),
                json={"sku": "A1", "qty": 1},
            ),
        ),
        Step(
            "people.upsert_partial",
            "upsert-persons-partial",
            lambda n, v: Request(
                "PATCH",
                f"{P3}/upsert",
                json={
                    "persons": [
                        {
                            "externalId": n.ext("dan"),
                            "firstName": "Dan",
                            "contactInformation": [{"type": "EMAIL", "identifier": n.email("dan")}],
                        },
                        {"externalId": n.ext("bob"), "lastName": "Builder"},
                        {
                            "externalId": n.ext("bad2"),
                            "contactInformation": [{"type": "EMAIL", "identifier": "nope"}],
                        },
                    ]
                },
            ),
            cleanup_before=_person_cleanup("dan", "bad2"),
        ),
        Step(
            "people.upsert_partial_again",
            "upsert-persons-partial",
            lambda n, v: Request(
                "PATCH",
                f"{P3}/upsert",
                json={"persons": [{"externalId": n.ext("dan"), "firstName": "Dan"}]},
            ),
        ),
        Step(
            "people.upsert_full",
            "upsert-persons-full",
            lambda n, v: Request(
                "PUT",
                f"{P3}/upsert",
                json={"persons": [{"externalId": n.ext("dan"), "firstName": "Daniel"}]},
            ),
        ),
        Step(
            "people.upsert_ambiguous",
            "upsert-persons-partial",
            lambda n, v: Request(
                "PATCH",
                f"{P3}/upsert",
                json={
                    "persons": [
                        {
                            "externalId": n.ext("ada"),
                            "contactInformation": [{"type": "EMAIL", "identifier": n.email("bob")}],
                        }
                    ]
                },
            ),
        ),
        Step(
            "people.upsert_without_persons",
            "upsert-persons-partial",
            lambda n, v: Request("PATCH", f"{P3}/upsert", json={}),
        ),
        Step(
            "people.merge",
            "merge-persons",
            lambda n, v: Request(
                "POST",
                f"{P3}/merge",
                json={
                    "persons": [
                        {
                            "externalId": n.ext("carol"),
                            "contactInformation": [{"type": "EMAIL", "identifier": n.email("bob")}],
                        }
                    ]
                },
            ),
        ),
        Step(
            "people.get_after_merge",
            "get-a-single-person-or-a-list-of-people",
            lambda n, v: Request("GET", P2, [("identifier", n.email("bob")), ("type", "EMAIL")]),
        ),
        # -- lists --------------------------------------------------------------------------------
        Step(
            "lists.get",
            "get-lists",
            lambda n, v: Request("GET", LISTS, [*ada_list(n), ("listNames", n.orders)]),
        ),
        Step(
            "lists.append",
            "append-list-items",
            lambda n, v: Request(
                "POST",
                f"{LISTS}/{_q(n.orders)}/items",
                ada_list(n),
                json=[{"sku": "B2", "qty": 2}],
            ),
            capture=lambda body: {"item": _first(body, -1, "__id")} if body else {},
        ),
        Step(
            "lists.update_item",
            "update-list-item",
            lambda n, v: Request(
                "PATCH",
                f"{LISTS}/{_q(n.orders)}/items/{v.get('item')}",
                ada_list(n),
                json={"qty": 3},
            ),
        ),
        Step(
            "lists.replace_item",
            "replace-list-item",
            lambda n, v: Request(
                "PUT",
                f"{LISTS}/{_q(n.orders)}/items/{v.get('item')}",
                ada_list(n),
                json={"sku": "B3", "qty": 4},
            ),
        ),
        Step(
            "lists.update",
            "update-list",
            lambda n, v: Request(
                "PATCH",
                f"{LISTS}/{_q(n.orders)}",
                ada_list(n),
                json=[{"__id": v.get("item"), "qty": 5}],
            ),
        ),
        Step(
            "lists.get_items",
            "get-list-items",
            lambda n, v: Request(
                "GET",
                f"{LISTS}/{_q(n.orders)}/items",
                [*ada_list(n), ("itemIds", str(v.get("item")))],
            ),
        ),
        Step(
            "lists.delete_items",
            "delete-list-items",
            lambda n, v: Request(
                "DELETE",
                f"{LISTS}/{_q(n.orders)}/items",
                [*ada_list(n), ("itemIds", str(v.get("item")))],
            ),
        ),
        Step(
            "lists.sender_with_email",
            "get-lists",
            lambda n, v: Request(
                "GET",
                LISTS,
                [
                    ("type", "EMAIL"),
                    ("identifier", n.email("ada")),
                    ("sender", "someone"),
                    ("listNames", n.orders),
                ],
            ),
        ),
        Step(
            "lists.replace",
            "replace-list",
            lambda n, v: Request(
                "PUT", f"{LISTS}/{_q(n.orders)}", ada_list(n), json=[{"sku": "C1", "qty": 1}]
            ),
        ),
        Step(
            "lists.delete",
            "delete-lists",
            lambda n, v: Request("DELETE", LISTS, [*ada_list(n), ("listNames", n.orders)]),
        ),
        # -- companies ----------------------------------------------------------------------------
        Step(
            "companies.create",
            "create-company",
            lambda n, v: Request(
                "POST",
                COMPANIES,
                json={
                    "name": n.company,
                    "domains": [n.prefix + "acme.example"],
                    "industry": "Software",
                },
            ),
            cleanup_before=_company_cleanup("company"),
        ),
        Step(
            "companies.create_duplicate_case",
            "create-company",
            lambda n, v: Request("POST", COMPANIES, json={"name": n.company.lower()}),
        ),
        Step(
            "companies.get",
            "get-a-single-company-by-name-or-a-list-of-companies",
            lambda n, v: Request("GET", COMPANIES, [("name", n.company)]),
        ),
        Step(
            "companies.get_by_domain",
            "get-a-single-company-by-name-or-a-list-of-companies",
            lambda n, v: Request("GET", COMPANIES, [("domain", n.prefix + "acme.example")]),
        ),
        Step(
            "companies.update",
            "update-company",
            lambda n, v: Request(
                "PATCH",
                COMPANIES,
                [("name", n.company)],
                json={"region": "EMEA", "tags": [n.tag]},
            ),
        ),
        Step(
            "companies.add_people",
            "batch-add-persons-to-company",
            lambda n, v: Request(
                "PATCH",
                f"{COMPANIES}/persons",
                [("name", n.company)],
                json={"people": [{"query": {"identifier": n.ext("ada"), "type": "EXTERNAL_ID"}}]},
            ),
        ),
        Step(
            "companies.remove_people",
            "batch-remove-persons-from-company",
            lambda n, v: Request(
                "DELETE",
                f"{COMPANIES}/persons",
                [("name", n.company)],
                json={"people": [{"query": {"identifier": n.ext("ada"), "type": "EXTERNAL_ID"}}]},
            ),
        ),
        Step(
            "companies.batch_create",
            "create-companies",
            lambda n, v: Request(
                "POST",
                f"{COMPANIES}/batch",
                json={"companies": [{"name": n.company2}, {"name": n.company.upper()}]},
            ),
            cleanup_before=_company_cleanup("company2"),
        ),
        Step(
            "companies.batch_update",
            "update-companies",
            lambda n, v: Request(
                "PATCH",
                f"{COMPANIES}/batch",
                json={
                    "companies": [
                        {"query": {"name": n.company2}, "update": {"segment": "SMB"}},
                        {"query": {"name": n.prefix + "Initech"}, "update": {"segment": "SMB"}},
                    ]
                },
            ),
        ),
        Step(
            "companies.list_filtered",
            "get-a-single-company-by-name-or-a-list-of-companies",
            lambda n, v: Request(
                "GET",
                COMPANIES,
                [
                    ("filter", json.dumps({"#startsWith": {"name": n.prefix}})),
                    ("orderBy", "name:asc"),
                ],
            ),
        ),
        Step(
            "companies.batch_delete",
            "delete-companies",
            lambda n, v: Request(
                "DELETE",
                f"{COMPANIES}/batch",
                json={
                    "companies": [
                        {"query": {"name": n.company2}},
                        {"query": {"name": n.prefix + "Initech"}},
                    ]
                },
            ),
            forgets=_forget("company:{n.company2}"),
        ),
        # -- tags on people -----------------------------------------------------------------------
        Step(
            "tags.add_to_people",
            "add-tag-to-people-batch",
            lambda n, v: Request(
                "PATCH",
                f"{TAGS}/{_q(n.tag)}/persons",
                json={"people": [{"query": {"identifier": n.email("bob"), "type": "EMAIL"}}]},
            ),
        ),
        Step(
            "tags.remove_from_people",
            "remove-tag-from-people-batch",
            lambda n, v: Request(
                "DELETE",
                f"{TAGS}/{_q(n.tag)}/persons",
                json={"people": [{"query": {"identifier": n.email("bob"), "type": "EMAIL"}}]},
            ),
        ),
        Step(
            "tags.add_unknown_tag",
            "add-tag-to-people-batch",
            lambda n, v: Request(
                "PATCH",
                f"{TAGS}/{_q(n.prefix + 'nope')}/persons",
                json={"people": [{"query": {"identifier": n.email("bob"), "type": "EMAIL"}}]},
            ),
        ),
        # -- events -------------------------------------------------------------------------------
        Step(
            "events.create_definition",
            "create-event-definition",
            lambda n, v: Request(
                "POST", DEFS, json={"definitionId": n.definition, **_definition(n)}
            ),
            cleanup_before=lambda n, v: [
                Cleanup(
                    f"definition:{n.definition}",
                    f"event definition {n.definition}",
                    Request("DELETE", f"{DEFS}/{n.definition}"),
                )
            ],
        ),
        Step(
            "events.create_definition_again",
            "create-event-definition",
            lambda n, v: Request(
                "POST", DEFS, json={"definitionId": n.definition, **_definition(n)}
            ),
        ),
        Step(
            "events.get_definition",
            "get-event-definition",
            lambda n, v: Request("GET", f"{DEFS}/{n.definition}"),
        ),
        Step(
            "events.get_definition_missing",
            "get-event-definition",
            lambda n, v: Request("GET", f"{DEFS}/{n.compact}Nope"),
        ),
        Step(
            "events.update_definition",
            "update-event-definition",
            lambda n, v: Request("POST", f"{DEFS}/{n.definition}", json=_definition(n, more=True)),
        ),
        Step(
            "events.update_definition_removing_field",
            "update-event-definition",
            lambda n, v: Request(
                "POST",
                f"{DEFS}/{n.definition}",
                json={"title": "Added to cart", "fields": [{"name": "price", "type": "Decimal"}]},
            ),
        ),
        Step(
            "events.list_definitions",
            "list-event-definitions",
            lambda n, v: Request("GET", DEFS, [("searchText", n.compact), ("limit", "100")]),
        ),
        Step(
            "events.list_definitions_none",
            "list-event-definitions",
            lambda n, v: Request("GET", DEFS, [("searchText", n.compact + "Nope")]),
        ),
        Step(
            "events.send",
            "send-custom-event",
            lambda n, v: Request(
                "POST",
                f"/peopleevents/2/persons/{v.get('ada')}/definitions/{n.definition}/events",
                [("identifierType", "ID")],
                json={
                    "eventId": n.prefix + "e1",
                    "properties": {"productId": "A1", "price": 9.5, "quantity": 1},
                },
            ),
        ),
        Step(
            "events.send_same_event_id",
            "send-custom-event",
            lambda n, v: Request(
                "POST",
                f"/peopleevents/2/persons/{v.get('ada')}/definitions/{n.definition}/events",
                [("identifierType", "ID")],
                json={
                    "eventId": n.prefix + "e1",
                    "properties": {"productId": "A1", "price": 9.5, "quantity": 1},
                },
            ),
        ),
        Step(
            "events.send_wrong_property_type",
            "send-custom-event",
            lambda n, v: Request(
                "POST",
                f"/peopleevents/2/persons/{v.get('ada')}/definitions/{n.definition}/events",
                [("identifierType", "ID")],
                json={"properties": {"price": "cheap"}},
            ),
        ),
        Step(
            "events.send_unknown_person",
            "send-custom-event",
            lambda n, v: Request(
                "POST",
                f"/peopleevents/2/persons/{_q(n.email('nobody'))}/definitions/{n.definition}/events",
                [("identifierType", "EMAIL")],
                json={"properties": {"productId": "A1"}},
            ),
        ),
        Step(
            "events.send_creating_person",
            "send-custom-event",
            lambda n, v: Request(
                "POST",
                f"/peopleevents/2/persons/{_q(n.email('eve'))}/definitions/{n.definition}/events",
                [("identifierType", "EMAIL"), ("createPerson", "true")],
                json={"properties": {"productId": "A2"}},
            ),
            cleanup_before=_person_cleanup("eve", email=True),
        ),
        Step(
            "events.send_batch",
            "send-custom-events",
            lambda n, v: Request(
                "POST",
                "/people/3/events",
                json=[
                    {
                        "definitionId": n.definition,
                        "occurredTime": _iso(now - timedelta(hours=1)),
                        "identifier": {"id": n.email("ada"), "type": "EMAIL"},
                        "properties": {"productId": "A3", "price": 1.25},
                    },
                    {
                        "definitionId": n.definition,
                        "occurredTime": _iso(now - timedelta(hours=2)),
                        "identifier": {"id": n.email("fay"), "type": "EMAIL"},
                    },
                ],
            ),
            cleanup_before=_person_cleanup("fay", email=True),
        ),
        Step(
            "events.send_batch_too_old",
            "send-custom-events",
            lambda n, v: Request(
                "POST",
                "/people/3/events",
                json=[
                    {
                        "definitionId": n.definition,
                        "occurredTime": _iso(now - timedelta(days=40)),
                        "identifier": {"id": n.email("ada"), "type": "EMAIL"},
                    }
                ],
            ),
        ),
        Step(
            "events.send_batch_empty",
            "send-custom-events",
            lambda n, v: Request("POST", "/people/3/events", json=[]),
        ),
        Step(
            "events.export",
            "create-events-export-request",
            lambda n, v: Request(
                "POST",
                EXPORT,
                json={
                    "roleArn": f"arn:aws:iam::000000000000:role/{n.prefix}none",
                    "bucket": n.prefix + "bucket",
                    "region": "eu-central-1",
                    "startTime": _iso(now - timedelta(hours=3)),
                    "endTime": _iso(now - timedelta(hours=2)),
                    "definitionIdList": [n.definition],
                },
            ),
            capture=_capture(export=("requestId",)),
            cleanup_after=lambda n, v: (
                [
                    Cleanup(
                        f"export:{v.get('export')}",
                        "events export request",
                        Request("DELETE", f"{EXPORT}/{v.get('export')}"),
                    )
                ]
                if v.get("export")
                else []
            ),
        ),
        Step(
            "events.export_status",
            "get-events-export-request-status",
            lambda n, v: Request("GET", f"{EXPORT}/status/{v.get('export')}"),
        ),
        Step(
            "events.export_cancel",
            "cancel-events-export-request",
            lambda n, v: Request("DELETE", f"{EXPORT}/{v.get('export')}"),
            forgets=lambda n, v: [f"export:{v.get('export')}"],
        ),
        Step(
            "events.export_definitions",
            "get-events-definitions-for-export",
            lambda n, v: Request("GET", f"{EXPORT}/definitions"),
            project=_only_prefixed_strings,
        ),
        # -- push (no real device: every call is an error to compare) ---------------------------
        Step(
            "push.get_without_app_code",
            "get-push-device-registration",
            lambda n, v: Request("GET", f"{PUSH}/{_reg_id(n)}"),
        ),
        Step(
            "push.get_unknown_app",
            "get-push-device-registration",
            lambda n, v: Request("GET", f"{PUSH}/{_reg_id(n)}", headers={"AppCode": n.app_code}),
        ),
        Step(
            "push.update_unknown_app",
            "update-push-device-registration",
            lambda n, v: Request(
                "PATCH",
                f"{PUSH}/{_reg_id(n)}",
                json={"isPrimary": True},
                headers={"AppCode": n.app_code},
            ),
        ),
        Step(
            "push.personalize_unknown_app",
            "personalize-push-instance",
            lambda n, v: Request(
                "POST",
                f"{PUSH}/{_reg_id(n)}/personalize",
                json={"identity": {"externalId": n.ext("ada")}},
                headers={"AppCode": n.app_code},
            ),
        ),
        Step(
            "push.depersonalize_unknown_app",
            "depersonalize-push-instance",
            lambda n, v: Request(
                "POST", f"{PUSH}/{_reg_id(n)}/depersonalize", headers={"AppCode": n.app_code}
            ),
        ),
        # -- segments -----------------------------------------------------------------------------
        Step(
            "segments.create",
            "create-segment",
            lambda n, v: Request(
                "POST",
                SEGMENTS,
                json={
                    "name": n.segment,
                    "description": "verify run",
                    "query": {"#startsWith": {"externalId": n.prefix}},
                },
            ),
            capture=_capture(segment=("id",)),
            cleanup_after=lambda n, v: (
                [
                    Cleanup(
                        f"segment:{v.get('segment')}",
                        f"segment {n.segment}",
                        Request("DELETE", f"{SEGMENTS}/{v.get('segment')}"),
                    )
                ]
                if v.get("segment") is not None
                else []
            ),
        ),
        Step(
            "segments.create_duplicate",
            "create-segment",
            lambda n, v: Request("POST", SEGMENTS, json={"name": n.segment}),
        ),
        Step(
            "segments.create_unknown_definition",
            "create-segment",
            lambda n, v: Request(
                "POST",
                SEGMENTS,
                json={
                    "name": n.prefix + "ghosts",
                    "events": [
                        {
                            "definitionId": n.compact + "Nope",
                            "timelineCondition": {"occurred": "ALL", "operator": "EMPTY"},
                        }
                    ],
                },
            ),
        ),
        Step(
            "segments.get",
            "get-segment",
            lambda n, v: Request("GET", f"{SEGMENTS}/{v.get('segment')}"),
        ),
        Step(
            "segments.update",
            "update-segment",
            lambda n, v: Request(
                "PUT",
                f"{SEGMENTS}/{v.get('segment')}",
                json={
                    "name": n.segment,
                    "description": "verify run, updated",
                    "query": {"#startsWith": {"externalId": n.ext("ada")}},
                },
            ),
        ),
        Step(
            "segments.list",
            "get-segments",
            lambda n, v: Request("GET", SEGMENTS, [("size", "1000")]),
            project=_keep_prefixed("results", "name"),
        ),
        Step(
            "segments.persons",
            "get-segment-persons",
            lambda n, v: Request("GET", f"{SEGMENTS}/{v.get('segment')}/persons"),
            id_kind="person",
        ),
        Step(
            "segments.get_missing",
            "get-segment",
            lambda n, v: Request("GET", f"{SEGMENTS}/2147483600"),
        ),
        Step(
            "segments.delete",
            "delete-segment",
            lambda n, v: Request("DELETE", f"{SEGMENTS}/{v.get('segment')}"),
            forgets=lambda n, v: [f"segment:{v.get('segment')}"],
        ),
        # -- deletes ------------------------------------------------------------------------------
        Step(
            "tags.delete",
            "delete-a-tag",
            lambda n, v: Request("DELETE", f"{TAGS}/{_q(n.tag2)}"),
            forgets=_forget("tag:{n.tag2}"),
        ),
        Step(
            "people.get_after_tag_delete",
            "get-a-single-person-or-a-list-of-people",
            lambda n, v: Request("GET", P2, _by_ext(n, "ada")),
        ),
        Step(
            "people.delete",
            "delete-a-person",
            lambda n, v: Request("DELETE", P2, _by_ext(n, "dan")),
            forgets=_forget("person:dan"),
        ),
        Step(
            "people.batch_delete",
            "batch-people-delete",
            lambda n, v: Request(
                "DELETE",
                f"{P2}/batch",
                json={
                    "people": [
                        {"query": {"identifier": n.ext("carol"), "type": "EXTERNAL_ID"}},
                        {"query": {"identifier": n.ext("ghost"), "type": "EXTERNAL_ID"}},
                    ]
                },
            ),
        ),
        Step(
            "people.set_score",
            "partial-person-update",
            lambda n, v: Request(
                "PATCH", P2, _by_ext(n, "ada"), json={"customAttributes": {n.score: 7}}
            ),
        ),
        Step(
            "attributes.delete",
            "delete-a-custom-attribute",
            lambda n, v: Request("DELETE", f"{ATTRS}/{_q(n.score)}"),
            forgets=_forget("attribute:{n.score}"),
        ),
        Step(
            "attributes.get_deleted",
            "get-a-single-custom-attribute",
            lambda n, v: Request("GET", f"{ATTRS}/{_q(n.score)}"),
        ),
        Step(
            "people.get_after_attribute_delete",
            "get-a-single-person-or-a-list-of-people",
            lambda n, v: Request("GET", P2, _by_ext(n, "ada")),
        ),
        Step(
            "companies.delete",
            "delete-company",
            lambda n, v: Request("DELETE", COMPANIES, [("name", n.company)]),
            forgets=_forget("company:{n.company}"),
        ),
    ]
    return steps


def _reg_id(n: Names) -> str:
    # Shaped like a push registration id (a UUID), unique to the run; no account has it.
    digits = n.phone_base.ljust(12, "0")[:12]
    return f"00000000-0000-4000-8000-{digits}"


# -- normalisation and comparison ------------------------------------------------------------------

_ID_KEYS = frozenset(
    {
        "id",
        "personId",
        "requestId",
        "traceId",
        "__id",
        "registrationId",
        "pushRegistrationId",
        "segmentId",
        "itemId",
    }
)
_TEXT_KEYS = frozenset(
    {"text", "message", "errorMessage", "description", "action", "title", "violation", "detail"}
)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?P<sep>[T ])\d{2}:\d{2}(?P<sec>:\d{2})?(?P<frac>\.\d+)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2}|[+-]\d{4})?$"
)
#: Lists whose order carries no meaning: compared sorted.
_UNORDERED = frozenset({"tags", "domains", "email", "phone", "emails", "phones", "matches"})


def _timestamp_marker(value: str) -> str | None:
    match = _TIMESTAMP.match(value)
    if match is None:
        return None
    fmt = "yyyy-MM-dd" + match["sep"] + "HH:mm"
    if match["sec"]:
        fmt += ":ss"
    if match["frac"]:
        fmt += ".SSS"
    zone = match["zone"]
    if zone == "Z":
        fmt += "Z"
    elif zone:
        fmt += "+hh:mm" if ":" in zone else "+hhmm"
    return f"<timestamp {fmt}>"


#: Keys whose ids are always of one kind, whatever the step.
_KEY_KINDS = {
    "personId": "person",
    "__id": "item",
    "itemId": "item",
    "requestId": "export",
    "traceId": "trace",
    "segmentId": "segment",
    "registrationId": "push",
    "pushRegistrationId": "push",
}


class _Normaliser:
    """Turns one side's bodies into comparable ones (see the module docstring).

    Ids are mapped per kind (person, tag, company ...): ``(kind, value)`` to a placeholder, so a
    tag and a person that happen to share the number 1 on the fake stay apart, as they are on
    the live service.
    """

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}

    def name(self, kind: str, value: Any, name: str) -> None:
        """Make ``value`` (an id of ``kind``) show as ``<name>`` (a captured id)."""
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            self.ids.setdefault((kind, str(value)), f"<{name}>")

    def _id(self, kind: str, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            return value
        key = (kind, str(value))
        if key not in self.ids:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            self.ids[key] = f"<{kind}#{self._counts[kind]}>"
        return self.ids[key]

    def normalise(self, body: Any, *, kind: str, error: bool) -> tuple[Any, dict[str, str]]:
        """The normalised body, and the masked error texts by path."""
        texts: dict[str, str] = {}
        return self._walk(body, "$", error, None, kind, texts), texts

    def _walk(
        self, node: Any, path: str, error: bool, key: str | None, kind: str, texts: dict[str, str]
    ) -> Any:
        if isinstance(node, dict):
            return {
                k: self._walk(
                    v,
                    f"{path}.{k}",
                    error or k in ("errors", "validationErrors", "violations"),
                    k,
                    kind,
                    texts,
                )
                for k, v in node.items()
            }
        if isinstance(node, list):
            items = [
                self._walk(v, f"{path}[{i}]", error, key, kind, texts) for i, v in enumerate(node)
            ]
            if key in _UNORDERED:
                items.sort(key=lambda x: json.dumps(x, sort_keys=True, default=str))
            return items
        if key in _ID_KEYS:
            return self._id(_KEY_KINDS.get(key, kind), node)
        if isinstance(node, str):
            if error and (key in _TEXT_KEYS or ".validationErrors." in path):
                texts[path] = node
                return "<text>"
            if key == "identifier" and ("person", node) in self.ids:
                return self.ids[("person", node)]
            if _UUID.match(node):
                return self._id("uuid", node)
            marker = _timestamp_marker(node)
            if marker is not None:
                return marker
        return node


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _compare(live: Any, fake: Any, path: str, out: list[Difference]) -> None:
    lt, ft = _json_type(live), _json_type(fake)
    if lt != ft:
        out.append(Difference("shape", path, lt, ft))
    elif lt == "object":
        for k in live:
            if k not in fake:
                out.append(Difference("shape", f"{path}.{k}", "present", "missing"))
        for k in fake:
            if k not in live:
                out.append(Difference("shape", f"{path}.{k}", "missing", "present"))
        for k in live:
            if k in fake:
                _compare(live[k], fake[k], f"{path}.{k}", out)
    elif lt == "array":
        if len(live) != len(fake):
            out.append(Difference("shape", f"{path}.length", len(live), len(fake)))
        for i, (a, b) in enumerate(zip(live, fake, strict=False)):
            _compare(a, b, f"{path}[{i}]", out)
    elif live != fake:
        out.append(Difference("value", path, live, fake))


def _envelope(body: Any) -> str:
    """Which error body family ``body`` is (for a ``status >= 400`` answer)."""
    if body is None:
        return "no body"
    if not isinstance(body, (dict, list)):
        return "text"
    if isinstance(body, dict):
        if "requestError" in body:
            return "requestError.serviceException"
        if "errorCode" in body and "errorMessage" in body:
            return "errorCode/errorMessage"
        if isinstance(body.get("errorCode"), str) and "description" in body:
            return "errorCode/description/violations"
        if "errorCode" in body:
            return "errorCode/message"
        if "code" in body and "message" in body:
            return "code/message/details"
        if "status" in body and "title" in body:
            return "problem details"
    return "other JSON"


@dataclass
class _Answer:
    status: int | None
    body: Any
    is_json: bool
    error: str | None = None


def _decode(response: httpx.Response) -> _Answer:
    if not response.content:
        return _Answer(response.status_code, None, False)
    try:
        return _Answer(response.status_code, response.json(), True)
    except ValueError:
        return _Answer(response.status_code, response.text, False)


# -- running -----------------------------------------------------------------------------------------


class _Side:
    def __init__(self, name: str, http: httpx.Client, pace: float) -> None:
        self.name = name
        self.http = http
        self.pace = pace
        self.vars: Vars = {}
        self.normaliser = _Normaliser()
        self._last = 0.0

    def send(self, req: Request, *, retries: int = 3) -> _Answer:
        attempt = 0
        while True:
            if self.pace:
                wait = self._last + self.pace - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
            self._last = time.monotonic()
            kwargs: dict[str, Any] = {"params": list(req.params), "headers": dict(req.headers)}
            if req.json is not _NO_JSON:
                kwargs["content"] = json.dumps(req.json).encode()
                kwargs["headers"]["Content-Type"] = "application/json"
            try:
                response = self.http.request(req.method, req.path, **kwargs)
            except httpx.HTTPError as exc:
                return _Answer(None, None, False, f"{type(exc).__name__}: {exc}")
            # A 429 was not processed: sending it again cannot apply a write twice.
            if response.status_code == 429 and attempt < retries:
                attempt += 1
                time.sleep(min(_retry_after(response), 30.0))
                continue
            return _decode(response)


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(float(response.headers.get("retry-after", "1")), 0.2)
    except ValueError:
        return 1.0


def _compare_step(
    step: Step,
    names: Names,
    live: _Side,
    fake: _Side,
    la: _Answer,
    fa: _Answer,
    outcome: StepOutcome,
) -> None:
    if la.error or fa.error:
        outcome.error = "; ".join(
            f"{side}: {a.error}" for side, a in (("live", la), ("fake", fa)) if a.error
        )
        return
    diffs: list[Difference] = []
    if la.status != fa.status:
        diffs.append(Difference("status", "$", la.status, fa.status))
    error = (la.status or 0) >= 400 or (fa.status or 0) >= 400
    lb, fb = la.body, fa.body
    if step.project is not None and not error:
        lb, fb = step.project(names, lb), step.project(names, fb)
    ln, ltexts = live.normaliser.normalise(lb, kind=step.kind, error=(la.status or 0) >= 400)
    fn, ftexts = fake.normaliser.normalise(fb, kind=step.kind, error=(fa.status or 0) >= 400)
    outcome.live_body, outcome.fake_body = ln, fn
    if error:
        le, fe = _envelope(lb), _envelope(fb)
        if le != fe:
            diffs.append(Difference("envelope", "$", le, fe))
    if la.is_json != fa.is_json or (lb is None) != (fb is None):
        kinds = [("JSON" if a.is_json else "text" if a.body else "no body") for a in (la, fa)]
        diffs.append(Difference("body", "$", kinds[0], kinds[1]))
    elif la.is_json and not any(d.kind == "envelope" for d in diffs):
        _compare(ln, fn, "$", diffs)
    notes = [
        Difference("text", path, ltexts.get(path), ftexts.get(path))
        for path in sorted(set(ltexts) | set(ftexts))
        if ltexts.get(path) != ftexts.get(path)
    ]
    if not la.is_json and not fa.is_json and lb != fb and lb and fb:
        notes.append(Difference("text", "$", lb, fb))
    outcome.differences.extend(diffs)
    outcome.notes.extend(notes)


@contextlib.contextmanager
def _signals(enabled: bool) -> Iterator[Callable[[bool], None]]:
    """SIGINT raises KeyboardInterrupt and SIGTERM :class:`VerifyInterrupted`, until cleanup
    starts (then both are noted and ignored, so cleanup finishes). Main thread only."""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield lambda cleaning: None
        return
    state = {"cleaning": False}

    def on_signal(signum: int, frame: FrameType | None) -> None:
        if state["cleaning"]:
            return
        if signum == signal.SIGINT:
            raise KeyboardInterrupt
        raise VerifyInterrupted(f"signal {signum}")

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}

    def set_cleaning(cleaning: bool) -> None:
        state["cleaning"] = cleaning

    try:
        yield set_cleaning
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _check_prefix(live: _Side, names: Names, notes: list[str]) -> None:
    """Raise :class:`VerifySetupError` if anything on the account already uses the prefix; a
    listing that cannot be read (a feature the account lacks) is noted in ``notes``: the random
    prefix still makes a clash unlikely there."""
    p = names.prefix.lower()
    found: list[str] = []

    def get(path: str, params: Sequence[tuple[str, str]] = ()) -> _Answer:
        answer = live.send(Request("GET", path, params))
        if answer.error:
            raise VerifySetupError(f"cannot reach {path}: {answer.error}")
        if answer.status == 401:
            raise VerifySetupError(f"the API key was refused (HTTP 401 on GET {path})")
        empty_definitions = answer.status == 404 and path == DEFS  # an empty page is a 404
        if answer.status != 200 and not empty_definitions:
            notes.append(
                f"prefix check: GET {path} answered HTTP {answer.status}, so it was not "
                "checked there before writing"
            )
        return answer

    tags = get(TAGS, [("limit", "1000")])
    if tags.status == 200 and isinstance(tags.body, list):
        found += [
            f"tag {t['name']}"
            for t in tags.body
            if isinstance(t, dict) and str(t.get("name", "")).lower().startswith(p)
        ]
    attrs = get(ATTRS, [("limit", "1000")])
    if attrs.status == 200 and isinstance(attrs.body, dict):
        found += [
            f"custom attribute {a['name']}"
            for a in attrs.body.get("customAttributes") or []
            if isinstance(a, dict) and str(a.get("name", "")).lower().startswith(p)
        ]
    people = get(
        P2, [("filter", json.dumps({"#startsWith": {"externalId": names.prefix}})), ("limit", "10")]
    )
    if people.status == 200 and isinstance(people.body, dict):
        found += [
            f"person {x['externalId']}"
            for x in people.body.get("persons") or []
            if isinstance(x, dict) and str(x.get("externalId") or "").startswith(names.prefix)
        ]
    companies = get(
        COMPANIES,
        [("filter", json.dumps({"#startsWith": {"name": names.prefix}})), ("limit", "10")],
    )
    if companies.status == 200 and isinstance(companies.body, dict):
        found += [
            f"company {c['name']}"
            for c in companies.body.get("companies") or []
            if isinstance(c, dict) and str(c.get("name", "")).lower().startswith(p)
        ]
    defs = get(DEFS, [("searchText", names.compact), ("limit", "100")])
    if defs.status == 200 and isinstance(defs.body, list):
        found += [
            f"event definition {d['definitionId']}"
            for d in defs.body
            if isinstance(d, dict) and str(d.get("definitionId", "")).startswith(names.compact)
        ]
    segments = get(SEGMENTS, [("size", "1000")])
    if segments.status == 200 and isinstance(segments.body, dict):
        found += [
            f"segment {s['name']}"
            for s in segments.body.get("results") or []
            if isinstance(s, dict) and str(s.get("name", "")).lower().startswith(p)
        ]
    if found:
        shown = ", ".join(found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
        raise VerifySetupError(
            f"the account already has data with the prefix {names.prefix!r} ({shown}); "
            "refusing to run (nothing was written)"
        )


def _run_cleanup(
    live: _Side, registry: dict[str, Cleanup], report: VerifyReport, names: Names
) -> None:
    entries = list(registry.values())
    for entry in reversed(entries):
        if entry.key.startswith("definition:"):
            report.cleanup.append(
                CleanupRecord(
                    entry.what,
                    entry.request.method,
                    entry.request.path,
                    None,
                    False,
                    "the API has no operation deleting an event definition",
                )
            )
            continue
        answer = live.send(entry.request)
        if answer.error:
            deleted, reason = False, answer.error
        elif answer.status is not None and answer.status < 300:
            deleted, reason = True, None
        elif answer.status == 404:
            deleted, reason = True, "already gone (404)"
        else:
            deleted, reason = False, f"HTTP {answer.status}: {_short(answer.body, 200)}"
        report.cleanup.append(
            CleanupRecord(
                entry.what,
                entry.request.method,
                entry.request.display(),
                answer.status,
                deleted,
                reason,
            )
        )
    if entries:
        _sweep_people(live, names, report)


def _sweep_people(live: _Side, names: Names, report: VerifyReport) -> None:
    """Delete any person still carrying the prefix in its external id (a safety net)."""
    params = [
        ("filter", json.dumps({"#startsWith": {"externalId": names.prefix}})),
        ("limit", "100"),
    ]
    answer = live.send(Request("GET", P2, params))
    if answer.status != 200 or not isinstance(answer.body, dict):
        return
    for person in answer.body.get("persons") or []:
        external_id = str(person.get("externalId") or "") if isinstance(person, dict) else ""
        if not external_id.startswith(names.prefix):
            continue
        req = Request("DELETE", P2, [("identifier", external_id), ("type", "EXTERNAL_ID")])
        gone = live.send(req)
        ok = gone.status is not None and (gone.status < 300 or gone.status == 404)
        report.cleanup.append(
            CleanupRecord(
                f"person {external_id} (found by prefix)",
                req.method,
                req.display(),
                gone.status,
                ok,
                None if ok else gone.error or f"HTTP {gone.status}",
            )
        )


def run_verification(
    base_url: str,
    api_key: str,
    *,
    report_path: str | Path | None = None,
    prefix: str | None = None,
    pace: float = 0.35,
    timeout: float = 30.0,
    strict_text: bool = False,
    on_step: Callable[[str], None] | None = None,
    handle_signals: bool = True,
    auth_scheme: str = "App",
) -> VerifyReport:
    """Run the scenario against ``base_url`` and a fresh fake side by side; report differences.

    Args:
        base_url: the live service (``https://xyz.api.infobip.com``), or any server speaking the
            API (a served fake, a spec mock).
        api_key: the credential, sent as ``Authorization: <auth_scheme> <api_key>`` to both sides
            (the fake takes it as a fresh tenant). Never written to the report.
        report_path: where to write the JSON report (also written when a step raises or the
            run is interrupted); ``None`` writes nothing.
        prefix: the run prefix (default ``ipv-<random8>-``); the run refuses an account where it
            is already in use.
        pace: minimum seconds between two requests to the live side (the published limits are
            5 per second for most operations); a 429 is retried after its ``Retry-After``.
        timeout: seconds per request.
        strict_text: count differences in error wording as differences (default: notes).
        on_step: called with each step's name before it runs (progress; raising from it stops
            the run, which still cleans up).
        auth_scheme: ``App`` (an API key, the default), ``IBSSO`` (a session token), ``Bearer``
            (an OAuth 2.0 access token) or ``Basic`` (``api_key`` is ``user:password``, sent
            base64-encoded).
        handle_signals: turn SIGTERM into an interruption (and keep SIGINT and SIGTERM from
            stopping the cleanup); only in the main thread.

    Returns the :class:`VerifyReport`. Raises :class:`VerifySetupError` (nothing written) when
    the key is refused, the service is unreachable or the prefix is in use. When a step raises
    or the run is interrupted, cleanup runs, the report is written with ``aborted`` or
    ``interrupted`` set, and the exception propagates.
    """
    from .testing import FakeProfiles

    if not api_key:
        raise VerifySetupError("no API key given")
    # From here on the credential lives only inside an httpx.Auth that writes the header as each
    # request goes out: no local variable of a frame an exception passes through holds it.
    auth = _HeaderAuth(_Credential(_authorization(auth_scheme, api_key)))
    del api_key
    names = Names.generate(prefix)
    headers = {"Accept": "application/json", "User-Agent": f"infobip-profiles-verify/{__version__}"}
    url = base_url if "://" in base_url else f"https://{base_url}"
    report = VerifyReport(
        base_url=url, prefix=names.prefix, started_at=datetime.now(timezone.utc).isoformat()
    )
    # Any credential is a fresh tenant: the same header reaches both sides, whatever the scheme.
    fake = FakeProfiles("verify-local", accept_any_key=True)
    live_http = httpx.Client(base_url=url, headers=headers, timeout=timeout, auth=auth)
    fake_http = httpx.Client(
        base_url="https://fake.api.infobip.com",
        headers=headers,
        timeout=timeout,
        transport=fake.transport(),
        auth=auth,
    )
    live = _Side("live", live_http, pace)
    local = _Side("fake", fake_http, 0.0)
    registry: dict[str, Cleanup] = {}
    try:
        with _signals(handle_signals) as set_cleaning:
            _check_prefix(live, names, report.setup_notes)
            try:
                for step in scenario_steps():
                    if on_step is not None:
                        on_step(step.name)
                    _run_step(step, names, live, local, registry, report, strict_text)
            except BaseException as exc:
                if isinstance(exc, (KeyboardInterrupt, VerifyInterrupted)):
                    report.interrupted = True
                else:
                    report.aborted = f"{type(exc).__name__}: {exc}"
                raise
            finally:
                set_cleaning(True)
                _run_cleanup(live, registry, report, names)
                report.finished_at = datetime.now(timezone.utc).isoformat()
                if report_path is not None:
                    report.write(report_path)
    finally:
        live_http.close()
        fake_http.close()
    return report


#: What each captured value is an id of.
_CAPTURE_KINDS = {
    "ada": "person",
    "nobody": "person",
    "item": "item",
    "export": "export",
    "segment": "segment",
}


class _HeaderAuth(httpx.Auth):
    """Writes the ``Authorization`` header into each request as httpx sends it."""

    def __init__(self, value: _Credential) -> None:
        self._value = value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._value.reveal()
        yield request

    def __repr__(self) -> str:
        return "_HeaderAuth(<redacted>)"


def _authorization(scheme: str, credential: str) -> str:
    known = {"app": "App", "ibsso": "IBSSO", "bearer": "Bearer", "basic": "Basic"}
    name = known.get(scheme.strip().lower())
    if name is None:
        raise VerifySetupError(f"unknown auth scheme {scheme!r}: use App, IBSSO, Bearer or Basic")
    if name == "Basic":
        if ":" not in credential:
            raise VerifySetupError("a Basic credential is user:password")
        credential = base64.b64encode(credential.encode()).decode()
    return f"{name} {credential}"


def _run_step(
    step: Step,
    names: Names,
    live: _Side,
    local: _Side,
    registry: dict[str, Cleanup],
    report: VerifyReport,
    strict_text: bool,
) -> None:
    live_req = step.request(names, live.vars)
    fake_req = step.request(names, local.vars)
    if step.cleanup_before is not None:
        for entry in step.cleanup_before(names, live.vars):
            registry.setdefault(entry.key, entry)
    outcome = StepOutcome(
        step.name,
        step.op_id,
        live_req.method,
        live_req.display(),
        None,
        None,
    )
    report.steps.append(outcome)
    la = live.send(live_req)
    fa = local.send(fake_req)
    outcome.live_status, outcome.fake_status = la.status, fa.status
    for side, answer in ((live, la), (local, fa)):
        if step.capture is not None and answer.status is not None and answer.status < 300:
            for key, value in step.capture(answer.body).items():
                side.vars[key] = value
                side.normaliser.name(_CAPTURE_KINDS.get(key, step.kind), value, key)
    if la.status is not None and la.status < 300:
        if step.cleanup_after is not None:
            for entry in step.cleanup_after(names, live.vars):
                registry.setdefault(entry.key, entry)
        if step.forgets is not None:
            for key in step.forgets(names, live.vars):
                registry.pop(key, None)
    _compare_step(step, names, live, local, la, fa, outcome)
    if strict_text:
        outcome.differences.extend(outcome.notes)
        outcome.notes = []
