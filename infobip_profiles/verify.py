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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import FrameType
from typing import Any, overload
from urllib.parse import quote

import httpx

from ._operations import page_size
from ._secrets import _Credential
from ._version import __version__
from .auth import _FixedHeader

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


class _RunName:
    """A fixed name of the run, read from :class:`Names`: the run prefix and a suffix.

    ``compact`` takes the alphanumeric form of the prefix, for ids that allow nothing else.
    """

    def __init__(self, suffix: str, doc: str, *, compact: bool = False) -> None:
        self.suffix = suffix
        self.compact = compact
        self.__doc__ = doc

    @overload
    def __get__(self, names: None, owner: type[Names]) -> _RunName: ...
    @overload
    def __get__(self, names: Names, owner: type[Names]) -> str: ...
    def __get__(self, names: Names | None, owner: type[Names]) -> str | _RunName:
        if names is None:
            return self
        return (names.compact if self.compact else names.prefix) + self.suffix


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

    tag = _RunName("vip", "The first tag.")
    tag2 = _RunName("new", "The tag created by a person update.")
    plan = _RunName("plan", "A STRING custom attribute.")
    score = _RunName("score", "An INTEGER custom attribute.")
    orders = _RunName("orders", "A LIST_OF_OBJECTS custom attribute (the list).")
    company = _RunName("Acme", "The first company.")
    company2 = _RunName("Globex", "The company created by the batch.")
    definition = _RunName(
        "Cart", "The event definition (alphanumeric, as definition ids must be).", compact=True
    )
    segment = _RunName("buyers", "The segment.")
    app_code = _RunName("app", "A push application code no account has.")


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


def _by_email(address: str) -> list[tuple[str, str]]:
    return [("identifier", address), ("type", "EMAIL")]


@dataclass(frozen=True)
class _Kind:
    """A kind of thing the run creates, and how cleanup deletes one.

    A step names one by a word: a person's nickname, a :class:`Names` attribute, or a captured
    value's name; ``resolve`` turns the word into the thing's identity (``None``: nothing to
    delete). ``key`` starts its keys in the cleanup registry, ``label`` shows one in the report,
    ``delete`` is the request deleting it.
    """

    key: str
    resolve: Callable[[Names, Vars, str], Any]
    label: Callable[[Names, Any], str]
    delete: Callable[[Names, Any], Request]

    def cleanup(self, *words: str) -> Callable[[Names, Vars], list[Cleanup]]:
        """The registry entries for the things named by ``words``."""

        def build(n: Names, v: Vars) -> list[Cleanup]:
            found = [self.resolve(n, v, word) for word in words]
            return [
                Cleanup(f"{self.key}:{x}", self.label(n, x), self.delete(n, x))
                for x in found
                if x is not None
            ]

        return build

    def forget(self, word: str) -> Callable[[Names, Vars], list[str]]:
        """The registry key a step that deleted the thing itself drops."""
        return lambda n, v: [f"{self.key}:{self.resolve(n, v, word)}"]

    def deleting(self, name: str, op_id: str, word: str) -> Step:
        """A step sending the cleanup's own request, which then has nothing left to delete."""
        return Step(
            name,
            op_id,
            lambda n, v: self.delete(n, self.resolve(n, v, word)),
            forgets=self.forget(word),
        )


def _as_given(n: Names, v: Vars, word: str) -> str:
    return word


def _of_names(n: Names, v: Vars, word: str) -> Any:
    return getattr(n, word)


def _captured(n: Names, v: Vars, word: str) -> Any:
    return v.get(word)


def _person(
    key: str,
    resolve: Callable[[Names, Vars, str], Any],
    params: Callable[[Names, Any], list[tuple[str, str]]],
    note: str = "",
) -> _Kind:
    """A person, deleted by the identifier ``params`` gives (and shown by it)."""
    return _Kind(
        key,
        resolve,
        lambda n, x: f"person {params(n, x)[0][1]}{note}",
        lambda n, x: Request("DELETE", P2, params(n, x)),
    )


def _named(key: str, what: str, delete: Callable[[str], Request]) -> _Kind:
    """A thing with a name of the run (a :class:`Names` attribute), shown by it."""
    return _Kind(key, _of_names, lambda n, name: f"{what} {name}", lambda n, name: delete(name))


_PERSON = _person("person", _as_given, _by_ext)
_PERSON_BY_EMAIL = _person("person", _as_given, lambda n, who: _by_email(n.email(who)))
#: A person created without an identifier (should the service accept one): deleted by its id.
_PERSON_BY_ID = _person(
    "person:id",
    _captured,
    lambda n, id_: [("identifier", str(id_)), ("type", "ID")],
    " (created without an identifier)",
)
_TAG = _named("tag", "tag", lambda name: Request("DELETE", f"{TAGS}/{_q(name)}"))
_ATTRIBUTE = _named(
    "attribute", "custom attribute", lambda x: Request("DELETE", f"{ATTRS}/{_q(x)}")
)
_COMPANY = _named("company", "company", lambda name: Request("DELETE", COMPANIES, [("name", name)]))
#: Registered like the others, so the report names it; the API cannot delete one.
_DEFINITION = _named("definition", "event definition", lambda x: Request("DELETE", f"{DEFS}/{x}"))
_EXPORT = _Kind(
    "export",
    _captured,
    lambda n, id_: "events export request",
    lambda n, id_: Request("DELETE", f"{EXPORT}/{id_}"),
)
_SEGMENT = _Kind(
    "segment",
    _captured,
    lambda n, id_: f"segment {n.segment}",
    lambda n, id_: Request("DELETE", f"{SEGMENTS}/{id_}"),
)


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
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"  # milliseconds, truncated


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


Build = Callable[[Names, Vars], Request]


def _who(identifier: str, kind: str = "EXTERNAL_ID") -> dict[str, Any]:
    """One person of a batch body, by an identifier of ``kind``."""
    return {"query": {"identifier": identifier, "type": kind}}


def _starts_with(field_name: str, prefix: str) -> tuple[str, str]:
    """The ``filter`` parameter keeping what has ``field_name`` starting with ``prefix``."""
    return ("filter", json.dumps({"#startsWith": {field_name: prefix}}))


def _v3_email(address: str) -> list[dict[str, str]]:
    """A v3 (upsert, merge) contact list holding one email address."""
    return [{"type": "EMAIL", "identifier": address}]


def _segment(n: Names, description: str, members: str) -> dict[str, Any]:
    """A segment body: the run's segment, of the people whose external id starts ``members``."""
    return {
        "name": n.segment,
        "description": description,
        "query": {"#startsWith": {"externalId": members}},
    }


def _event_path(n: Names, person: str) -> str:
    """Where a single event of the run's definition is sent for ``person``."""
    return f"/peopleevents/2/persons/{person}/definitions/{n.definition}/events"


def _push(
    method: str, tail: str = "", *, app: bool = True, body: Callable[[Names], Any] | None = None
) -> Build:
    """A request about the run's push registration (``app``: with the unknown app code)."""

    def build(n: Names, v: Vars) -> Request:
        headers = {"AppCode": n.app_code} if app else {}
        json = _NO_JSON if body is None else body(n)
        return Request(method, f"{PUSH}/{_reg_id(n)}{tail}", json=json, headers=headers)

    return build


def _reg_id(n: Names) -> str:
    # Shaped like a push registration id (a UUID), unique to the run; no account has it.
    digits = n.phone_base.ljust(12, "0")[:12]
    return f"00000000-0000-4000-8000-{digits}"


#: The largest page each listing serves (the spec states the same for all of them), as a query
#: value, and one more (which each refuses).
_BIG_PAGE = str(page_size("get-a-single-person-or-a-list-of-people").maximum)
_TOO_BIG_PAGE = str(page_size("get-a-single-person-or-a-list-of-people").maximum + 1)


def scenario_steps() -> list[Step]:
    """The scenario, in order (each step one request to each side)."""
    now = datetime.now(timezone.utc)
    big_page = ("limit", _BIG_PAGE)

    def own_listing(
        name: str, op_id: str, path: str, items: str | None, *params: tuple[str, str]
    ) -> Step:
        # A listing of all the account holds, compared on the run's own items only.
        return Step(
            name,
            op_id,
            lambda n, v: Request("GET", path, list(params)),
            project=_keep_prefixed(items, "name"),
        )

    def ada_list(n: Names, *more: tuple[str, str]) -> list[tuple[str, str]]:
        return [("type", "EXTERNAL_ID"), ("identifier", n.ext("ada")), *more]

    def orders(n: Names, tail: str = "") -> str:
        return f"{LISTS}/{_q(n.orders)}{tail}"

    def list_item(method: str, body: Any) -> Build:
        return lambda n, v: Request(
            method, orders(n, f"/items/{v.get('item')}"), ada_list(n), json=body
        )

    def list_items(method: str) -> Build:
        return lambda n, v: Request(
            method, orders(n, "/items"), ada_list(n, ("itemIds", str(v.get("item"))))
        )

    def ada_contacts(method: str, contacts: Callable[[Names], dict[str, Any]]) -> Build:
        return lambda n, v: Request(
            method,
            f"{P2}/contactInformation",
            _by_ext(n, "ada"),
            json={"contactInformation": contacts(n)},
        )

    def work_email(n: Names) -> dict[str, Any]:
        return {"email": [{"address": n.email("ada.work")}]}

    def with_email(name: str, who: str, address: Callable[[Names], str]) -> Step:
        # Creating a person ``who`` holding one email address.
        return Step(
            name,
            "create-a-new-person",
            lambda n, v: Request(
                "POST",
                P2,
                json={
                    "externalId": n.ext(who),
                    "contactInformation": {"email": [{"address": address(n)}]},
                },
            ),
            cleanup_before=_PERSON.cleanup(who),
        )

    def prefixed_people(order: str, *more: tuple[str, str]) -> Build:
        return lambda n, v: Request(
            "GET", P2, [_starts_with("externalId", n.prefix), ("orderBy", order), *more]
        )

    def v3(method: str, action: str, *people: Callable[[Names], dict[str, Any]]) -> Build:
        return lambda n, v: Request(
            method, f"{P3}/{action}", json={"persons": [person(n) for person in people]}
        )

    def claiming_bob(who: str) -> Callable[[Names], dict[str, Any]]:
        return lambda n: {"externalId": n.ext(who), "contactInformation": _v3_email(n.email("bob"))}

    def company_people(method: str) -> Build:
        return lambda n, v: Request(
            method,
            f"{COMPANIES}/persons",
            [("name", n.company)],
            json={"people": [_who(n.ext("ada"))]},
        )

    def tag_bob(method: str, tag: Callable[[Names], str]) -> Build:
        return lambda n, v: Request(
            method, f"{TAGS}/{_q(tag(n))}/persons", json={"people": [_who(n.email("bob"), "EMAIL")]}
        )

    def define(n: Names, v: Vars) -> Request:
        return Request("POST", DEFS, json={"definitionId": n.definition, **_definition(n)})

    def send_event(
        by: str, who: str, properties: dict[str, Any], *more: tuple[str, str], once: bool = False
    ) -> Build:
        # ``who``: the captured id of that name (by ID) or the person's email address (by EMAIL);
        # ``once``: with the run's event id, which makes a second send a duplicate.
        def build(n: Names, v: Vars) -> Request:
            person = str(v.get(who)) if by == "ID" else _q(n.email(who))
            body = {"eventId": n.prefix + "e1"} if once else {}
            return Request(
                "POST",
                _event_path(n, person),
                [("identifierType", by), *more],
                json={**body, "properties": properties},
            )

        return build

    send_cart = send_event("ID", "ada", {"productId": "A1", "price": 9.5, "quantity": 1}, once=True)

    def batch_event(n: Names, who: str, ago: timedelta, **properties: Any) -> dict[str, Any]:
        event: dict[str, Any] = {
            "definitionId": n.definition,
            "occurredTime": _iso(now - ago),
            "identifier": {"id": n.email(who), "type": "EMAIL"},
        }
        if properties:
            event["properties"] = properties
        return event

    return [
        # -- tags ---------------------------------------------------------------------------------
        Step(
            "tags.create",
            "create-a-new-tag",
            lambda n, v: Request("POST", TAGS, json={"name": n.tag}),
            cleanup_before=_TAG.cleanup("tag"),
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
        own_listing("tags.list", "get-list-of-tags", TAGS, None, big_page, ("orderBy", "name:asc")),
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
            cleanup_before=_ATTRIBUTE.cleanup("plan"),
        ),
        Step(
            "attributes.create_integer",
            "create-a-custom-attribute",
            lambda n, v: Request("POST", ATTRS, json={"name": n.score, "dataType": "INTEGER"}),
            cleanup_before=_ATTRIBUTE.cleanup("score"),
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
            cleanup_before=_ATTRIBUTE.cleanup("orders"),
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
        own_listing(
            "attributes.list",
            "get-a-list-of-custom-attributes",
            ATTRS,
            "customAttributes",
            big_page,
        ),
        # -- people: single ---------------------------------------------------------------------
        Step(
            "people.create",
            "create-a-new-person",
            lambda n, v: Request("POST", P2, json=_ada(n)),
            capture=_capture(ada=("id",)),
            cleanup_before=_PERSON.cleanup("ada"),
        ),
        with_email("people.create_invalid_email", "bad", lambda n: "not-an-email"),
        with_email("people.create_email_taken", "ada2", lambda n: n.email("ada").upper()),
        Step(
            "people.create_forbidden_character",
            "create-a-new-person",
            lambda n, v: Request(
                "POST", P2, json={"externalId": n.ext("angle"), "firstName": "<Ada>"}
            ),
            cleanup_before=_PERSON.cleanup("angle"),
        ),
        Step(
            "people.create_without_identity",
            "create-a-new-person",
            lambda n, v: Request("POST", P2, json={"firstName": "Nobody"}),
            # Should the service accept it, the person has no identifier to delete it by: its id.
            capture=_capture(nobody=("id",)),
            cleanup_after=_PERSON_BY_ID.cleanup("nobody"),
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
            cleanup_before=_PERSON.cleanup("many"),
        ),
        Step(
            "people.get_by_email_any_case",
            "get-a-single-person-or-a-list-of-people",
            lambda n, v: Request("GET", P2, _by_email(n.email("ada").upper())),
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
            cleanup_before=_TAG.cleanup("tag2"),
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
            ada_contacts("PATCH", work_email),
        ),
        Step(
            "people.remove_contacts",
            "delete-person-contact-information",
            ada_contacts("DELETE", work_email),
        ),
        Step(
            "people.set_contacts",
            "set-person-contact-information",
            ada_contacts(
                "PUT",
                lambda n: {
                    "email": [{"address": n.email("ada")}],
                    "phone": [{"number": n.phone(1)}],
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
            cleanup_before=_PERSON.cleanup("bob", "carol", "dup"),
        ),
        Step(
            "people.list_filtered",
            "get-a-single-person-or-a-list-of-people",
            prefixed_people("firstName:asc", ("limit", "100"), ("includeTotalCount", "true")),
        ),
        Step(
            "people.list_second_page",
            "get-a-single-person-or-a-list-of-people",
            prefixed_people("firstName:desc", ("limit", "1"), ("page", "2")),
        ),
        Step(
            "people.list_limit_too_large",
            "get-a-single-person-or-a-list-of-people",
            lambda n, v: Request("GET", P2, [("limit", _TOO_BIG_PAGE)]),
        ),
        Step(
            "people.batch_update",
            "batch-people-update",
            lambda n, v: Request(
                "PATCH",
                f"{P2}/batch",
                json={
                    "people": [
                        {**_who(n.ext("bob")), "update": {"lastName": "Builder"}},
                        {**_who(n.ext("ghost")), "update": {"lastName": "Nobody"}},
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
            v3(
                "PATCH",
                "upsert",
                lambda n: {
                    "externalId": n.ext("dan"),
                    "firstName": "Dan",
                    "contactInformation": _v3_email(n.email("dan")),
                },
                lambda n: {"externalId": n.ext("bob"), "lastName": "Builder"},
                lambda n: {"externalId": n.ext("bad2"), "contactInformation": _v3_email("nope")},
            ),
            cleanup_before=_PERSON.cleanup("dan", "bad2"),
        ),
        Step(
            "people.upsert_partial_again",
            "upsert-persons-partial",
            v3("PATCH", "upsert", lambda n: {"externalId": n.ext("dan"), "firstName": "Dan"}),
        ),
        Step(
            "people.upsert_full",
            "upsert-persons-full",
            v3("PUT", "upsert", lambda n: {"externalId": n.ext("dan"), "firstName": "Daniel"}),
        ),
        Step(
            "people.upsert_ambiguous",
            "upsert-persons-partial",
            v3("PATCH", "upsert", claiming_bob("ada")),
        ),
        Step(
            "people.upsert_without_persons",
            "upsert-persons-partial",
            lambda n, v: Request("PATCH", f"{P3}/upsert", json={}),
        ),
        Step("people.merge", "merge-persons", v3("POST", "merge", claiming_bob("carol"))),
        Step(
            "people.get_after_merge",
            "get-a-single-person-or-a-list-of-people",
            lambda n, v: Request("GET", P2, _by_email(n.email("bob"))),
        ),
        # -- lists --------------------------------------------------------------------------------
        Step(
            "lists.get",
            "get-lists",
            lambda n, v: Request("GET", LISTS, ada_list(n, ("listNames", n.orders))),
        ),
        Step(
            "lists.append",
            "append-list-items",
            lambda n, v: Request(
                "POST", orders(n, "/items"), ada_list(n), json=[{"sku": "B2", "qty": 2}]
            ),
            capture=lambda body: {"item": _first(body, -1, "__id")} if body else {},
        ),
        Step("lists.update_item", "update-list-item", list_item("PATCH", {"qty": 3})),
        Step("lists.replace_item", "replace-list-item", list_item("PUT", {"sku": "B3", "qty": 4})),
        Step(
            "lists.update",
            "update-list",
            lambda n, v: Request(
                "PATCH", orders(n), ada_list(n), json=[{"__id": v.get("item"), "qty": 5}]
            ),
        ),
        Step("lists.get_items", "get-list-items", list_items("GET")),
        Step("lists.delete_items", "delete-list-items", list_items("DELETE")),
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
            lambda n, v: Request("PUT", orders(n), ada_list(n), json=[{"sku": "C1", "qty": 1}]),
        ),
        Step(
            "lists.delete",
            "delete-lists",
            lambda n, v: Request("DELETE", LISTS, ada_list(n, ("listNames", n.orders))),
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
            cleanup_before=_COMPANY.cleanup("company"),
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
        Step("companies.add_people", "batch-add-persons-to-company", company_people("PATCH")),
        Step(
            "companies.remove_people",
            "batch-remove-persons-from-company",
            company_people("DELETE"),
        ),
        Step(
            "companies.batch_create",
            "create-companies",
            lambda n, v: Request(
                "POST",
                f"{COMPANIES}/batch",
                json={"companies": [{"name": n.company2}, {"name": n.company.upper()}]},
            ),
            cleanup_before=_COMPANY.cleanup("company2"),
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
                "GET", COMPANIES, [_starts_with("name", n.prefix), ("orderBy", "name:asc")]
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
            forgets=_COMPANY.forget("company2"),
        ),
        # -- tags on people -----------------------------------------------------------------------
        Step("tags.add_to_people", "add-tag-to-people-batch", tag_bob("PATCH", lambda n: n.tag)),
        Step(
            "tags.remove_from_people",
            "remove-tag-from-people-batch",
            tag_bob("DELETE", lambda n: n.tag),
        ),
        Step(
            "tags.add_unknown_tag",
            "add-tag-to-people-batch",
            tag_bob("PATCH", lambda n: n.prefix + "nope"),
        ),
        # -- events -------------------------------------------------------------------------------
        Step(
            "events.create_definition",
            "create-event-definition",
            define,
            cleanup_before=_DEFINITION.cleanup("definition"),
        ),
        Step("events.create_definition_again", "create-event-definition", define),
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
        Step("events.send", "send-custom-event", send_cart),
        Step("events.send_same_event_id", "send-custom-event", send_cart),
        Step(
            "events.send_wrong_property_type",
            "send-custom-event",
            send_event("ID", "ada", {"price": "cheap"}),
        ),
        Step(
            "events.send_unknown_person",
            "send-custom-event",
            send_event("EMAIL", "nobody", {"productId": "A1"}),
        ),
        Step(
            "events.send_creating_person",
            "send-custom-event",
            send_event("EMAIL", "eve", {"productId": "A2"}, ("createPerson", "true")),
            cleanup_before=_PERSON_BY_EMAIL.cleanup("eve"),
        ),
        Step(
            "events.send_batch",
            "send-custom-events",
            lambda n, v: Request(
                "POST",
                "/people/3/events",
                json=[
                    batch_event(n, "ada", timedelta(hours=1), productId="A3", price=1.25),
                    batch_event(n, "fay", timedelta(hours=2)),
                ],
            ),
            cleanup_before=_PERSON_BY_EMAIL.cleanup("fay"),
        ),
        Step(
            "events.send_batch_too_old",
            "send-custom-events",
            lambda n, v: Request(
                "POST", "/people/3/events", json=[batch_event(n, "ada", timedelta(days=40))]
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
            cleanup_after=_EXPORT.cleanup("export"),
        ),
        Step(
            "events.export_status",
            "get-events-export-request-status",
            lambda n, v: Request("GET", f"{EXPORT}/status/{v.get('export')}"),
        ),
        _EXPORT.deleting("events.export_cancel", "cancel-events-export-request", "export"),
        Step(
            "events.export_definitions",
            "get-events-definitions-for-export",
            lambda n, v: Request("GET", f"{EXPORT}/definitions"),
            project=_only_prefixed_strings,
        ),
        # -- push (no real device: every call is an error to compare) ---------------------------
        Step("push.get_without_app_code", "get-push-device-registration", _push("GET", app=False)),
        Step("push.get_unknown_app", "get-push-device-registration", _push("GET")),
        Step(
            "push.update_unknown_app",
            "update-push-device-registration",
            _push("PATCH", body=lambda n: {"isPrimary": True}),
        ),
        Step(
            "push.personalize_unknown_app",
            "personalize-push-instance",
            _push(
                "POST", "/personalize", body=lambda n: {"identity": {"externalId": n.ext("ada")}}
            ),
        ),
        Step(
            "push.depersonalize_unknown_app",
            "depersonalize-push-instance",
            _push("POST", "/depersonalize"),
        ),
        # -- segments -----------------------------------------------------------------------------
        Step(
            "segments.create",
            "create-segment",
            lambda n, v: Request("POST", SEGMENTS, json=_segment(n, "verify run", n.prefix)),
            capture=_capture(segment=("id",)),
            cleanup_after=_SEGMENT.cleanup("segment"),
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
                json=_segment(n, "verify run, updated", n.ext("ada")),
            ),
        ),
        own_listing("segments.list", "get-segments", SEGMENTS, "results", ("size", _BIG_PAGE)),
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
        _SEGMENT.deleting("segments.delete", "delete-segment", "segment"),
        # -- deletes ------------------------------------------------------------------------------
        _TAG.deleting("tags.delete", "delete-a-tag", "tag2"),
        Step(
            "people.get_after_tag_delete",
            "get-a-single-person-or-a-list-of-people",
            lambda n, v: Request("GET", P2, _by_ext(n, "ada")),
        ),
        _PERSON.deleting("people.delete", "delete-a-person", "dan"),
        Step(
            "people.batch_delete",
            "batch-people-delete",
            lambda n, v: Request(
                "DELETE",
                f"{P2}/batch",
                json={"people": [_who(n.ext("carol")), _who(n.ext("ghost"))]},
            ),
        ),
        Step(
            "people.set_score",
            "partial-person-update",
            lambda n, v: Request(
                "PATCH", P2, _by_ext(n, "ada"), json={"customAttributes": {n.score: 7}}
            ),
        ),
        _ATTRIBUTE.deleting("attributes.delete", "delete-a-custom-attribute", "score"),
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
        _COMPANY.deleting("companies.delete", "delete-company", "company"),
    ]


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


def _prefixed_any_case(n: Names, name: str) -> bool:
    return name.lower().startswith(n.prefix.lower())


@dataclass(frozen=True)
class _Listing:
    """A listing the prefix check reads before anything is written.

    ``items`` is where the array is in the body (``None``: the body is the array), ``field`` the
    field naming an item, ``label`` what to call one, ``mine`` whether a name is the run's.
    """

    path: str
    params: Callable[[Names], list[tuple[str, str]]]
    items: str | None
    field: str
    label: str
    mine: Callable[[Names, str], bool] = _prefixed_any_case


_PREFIX_LISTINGS = (
    _Listing(TAGS, lambda n: [("limit", _BIG_PAGE)], None, "name", "tag"),
    _Listing(
        ATTRS, lambda n: [("limit", _BIG_PAGE)], "customAttributes", "name", "custom attribute"
    ),
    _Listing(
        P2,
        lambda n: [_starts_with("externalId", n.prefix), ("limit", "10")],
        "persons",
        "externalId",
        "person",
        lambda n, name: name.startswith(n.prefix),
    ),
    _Listing(
        COMPANIES,
        lambda n: [_starts_with("name", n.prefix), ("limit", "10")],
        "companies",
        "name",
        "company",
    ),
    _Listing(
        DEFS,
        lambda n: [("searchText", n.compact), ("limit", "100")],
        None,
        "definitionId",
        "event definition",
        lambda n, name: name.startswith(n.compact),
    ),
    _Listing(SEGMENTS, lambda n: [("size", _BIG_PAGE)], "results", "name", "segment"),
)


def _check_prefix(live: _Side, names: Names, notes: list[str]) -> None:
    """Raise :class:`VerifySetupError` if anything on the account already uses the prefix; a
    listing that cannot be read (a feature the account lacks) is noted in ``notes``: the random
    prefix still makes a clash unlikely there."""
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

    for listing in _PREFIX_LISTINGS:
        answer = get(listing.path, listing.params(names))
        if answer.status != 200:
            continue
        if listing.items is None:
            items = answer.body if isinstance(answer.body, list) else []
        else:
            body = answer.body if isinstance(answer.body, dict) else {}
            items = body.get(listing.items) or []
        found += [
            f"{listing.label} {item[listing.field]}"
            for item in items
            if isinstance(item, dict) and listing.mine(names, str(item.get(listing.field, "")))
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
    auth = _FixedHeader(_Credential(_authorization(auth_scheme, api_key)))
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
