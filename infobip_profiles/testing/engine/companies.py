"""Engine: companies (docs/fake-semantics.md). State and semantics only; no HTTP.

A company is addressed by exactly one selector (``id``, ``externalId``, ``name`` or ``domain``).
Names are unique ignoring case, and so are external ids and domains (each selector must find one
company). A PATCH merges: sent fields overwrite, an explicit ``null`` clears, and ``tags`` /
``domains`` are appended unless the caller asks to replace them. Membership (one company per
person) lives here, keyed by person id, and follows person deletes and merges through the
``person_deleted`` / ``persons_merged`` hooks :class:`TenantState` calls.

Choices the spec leaves open ([I]): company tags are free labels (not the persons' tag registry);
company custom attributes are stored as given; batch items apply in order, each seeing the earlier
ones; adding people whose identifiers match nobody is a 404 that changes nothing.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..._company_fields import COMPANY_FIELD_ORDER, COMPANY_MAX_LENGTHS
from ..._operations import batch_limit, page_size
from .._messages import MSG
from ._domain import Conflict, DomainError, Invalid, NotFound
from .query import COMPANY_FIELDS, MAX_DEPTH, MISSING, QueryError, compile_filter, nesting_depth

if TYPE_CHECKING:
    from .._state import TenantState

__all__ = [
    "CompaniesEngine",
    "SELECTORS",
    "COMPANY_ORDER_FIELDS",
    "COMPANY_MAX_LENGTHS",
    "BATCH_LIMIT",
]

SELECTORS = ("id", "externalId", "name", "domain")
"""The query parameters (and ``CompanyIdentityQuery`` keys) that address one company."""

COMPANY_ORDER_FIELDS = ("name", "createdAt", "modifiedAt")
"""Fields the companies list can be ordered by."""

BATCH_LIMIT = batch_limit("create-companies")
"""Most companies per batch request (the spec states the same for create, update, delete)."""
_MEMBERSHIP_LIMIT = batch_limit("batch-add-persons-to-company")
_DEFAULT_PAGE = page_size("get-a-single-company-by-name-or-a-list-of-companies").default

_LIST_FIELDS = ("domains", "tags")
_OBJECT_FIELDS = ("customAttributes", "serviceData")
_READ_ONLY = ("id", "createdAt", "modifiedAt", "origin", "modifiedFrom")
_WIRE_ORDER = ("id", *COMPANY_FIELD_ORDER, *_OBJECT_FIELDS)


class _Company:
    __slots__ = ("created_at", "doc", "id", "modified_at")

    def __init__(self, company_id: int, doc: dict[str, Any], stamp: str) -> None:
        self.id = company_id
        self.doc = doc
        self.created_at = stamp
        self.modified_at = stamp

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id}
        for key in _WIRE_ORDER[1:]:
            if key in self.doc:
                body[key] = copy.deepcopy(self.doc[key])
            elif key in _LIST_FIELDS:
                body[key] = []
        body["origin"] = "API"
        body["modifiedFrom"] = "API"
        body["createdAt"] = self.created_at
        body["modifiedAt"] = self.modified_at
        return body

    def getter(self, field: str) -> Any:
        if field == "id":
            return self.id
        if field == "createdAt":
            return self.created_at
        if field == "modifiedAt":
            return self.modified_at
        if field in self.doc:
            value = self.doc[field]
            return MISSING if value is None or value == [] else value
        custom = self.doc.get("customAttributes") or {}
        value = custom.get(field, MISSING)
        return MISSING if value is None else value


class CompaniesEngine:
    """Every company of one tenant, and which company each person belongs to."""

    def __init__(self, state: TenantState) -> None:
        self._state = state
        self._companies: dict[int, _Company] = {}
        self._members: dict[int, int] = {}  # person id -> company id

    # == lookups ===================================================================================

    def get(self, company_id: int) -> dict[str, Any] | None:
        """The company as a fresh wire dict (``IamCompanyV2``), or ``None``."""
        company = self._companies.get(company_id)
        return None if company is None else company.wire()

    def all(self) -> list[dict[str, Any]]:
        """Every company, in creation order, as wire dicts."""
        return [c.wire() for c in self._companies.values()]

    def snapshot(self) -> list[dict[str, Any]]:
        """Every company with its member person ids (``fake.companies()``)."""
        out = []
        for company in self._companies.values():
            body = company.wire()
            body["persons"] = self.members(company.id)
            out.append(body)
        return out

    def count(self) -> int:
        """How many companies exist."""
        return len(self._companies)

    def members(self, company_id: int) -> list[int]:
        """Ids of the persons belonging to the company, ascending."""
        return sorted(pid for pid, cid in self._members.items() if cid == company_id)

    def company_of(self, person_id: int) -> int | None:
        """The id of the company the person belongs to, or ``None``."""
        return self._members.get(person_id)

    def find(self, selector: str, value: Any) -> int | None:
        """The id of the company one selector finds (names and domains ignore case), or ``None``."""
        text = str(value)
        if selector == "id":
            if not text.isascii() or not text.isdigit() or len(text) > 19:  # "٣", " 1", "1_0"
                return None
            cid = int(text)
            return cid if cid in self._companies else None
        folded = text.lower()
        for company in self._companies.values():
            if selector == "name" and str(company.doc.get("name", "")).lower() == folded:
                return company.id
            if selector == "externalId" and company.doc.get("externalId") == text:
                return company.id
            if selector == "domain" and any(
                d.lower() == folded for d in company.doc.get("domains") or ()
            ):
                return company.id
        return None

    def select(self, selectors: Mapping[str, Any]) -> int:
        """The company addressed by exactly one selector; none or several is a 400, no match 404."""
        given = [(k, v) for k, v in selectors.items() if k in SELECTORS and v not in (None, "")]
        if len(given) != 1:
            raise Invalid(MSG.COMPANY_SELECTOR)
        selector, value = given[0]
        if selector == "id" and not _is_int(value):
            raise Invalid(fields={"id": [MSG.FIELD_INTEGER]})
        cid = self.find(selector, value)
        if cid is None:
            raise NotFound("company", MSG.COMPANY_NOT_FOUND.format(selector=selector, value=value))
        return cid

    def page(
        self,
        *,
        filter_json: str | None = None,
        order_by: str | None = None,
        page: int = 1,
        limit: int = _DEFAULT_PAGE,
    ) -> tuple[list[dict[str, Any]], int]:
        """One page of companies matching ``filter_json`` and the total matched.

        ``order_by`` is ``field:asc|desc`` over :data:`COMPANY_ORDER_FIELDS` (names compare
        ignoring case); the default order and ties are by id.
        """
        predicate = self._compile(filter_json)
        matched = [c for c in self._companies.values() if predicate(c.getter)]
        if order_by:
            field, _, direction = order_by.partition(":")
            matched.sort(key=lambda c: c.id)
            matched.sort(key=lambda c: _order_key(c, field), reverse=direction.lower() == "desc")
        start = (page - 1) * limit
        return [c.wire() for c in matched[start : start + limit]], len(matched)

    def _compile(self, filter_json: str | None) -> Any:
        if not filter_json:
            return lambda getter: True
        try:
            decoded = json.loads(filter_json)
        except (ValueError, RecursionError):  # RecursionError: nested too deeply to read
            raise Invalid(MSG.FILTER_INVALID.format(reason="not valid JSON")) from None
        if nesting_depth(decoded) > MAX_DEPTH:
            raise Invalid(MSG.FILTER_INVALID.format(reason="nested too deeply"))
        if _uses(decoded, "#notContain"):
            raise Invalid(MSG.COMPANY_FILTER_OPERATOR.format(operator="#notContain"))
        try:
            return compile_filter(
                decoded,
                now=self._state.clock.now(),
                attribute_types=self._custom_types(),
                fields=COMPANY_FIELDS,
            )
        except QueryError as exc:
            raise Invalid(MSG.FILTER_INVALID.format(reason=exc)) from None

    def _custom_types(self) -> dict[str, str]:
        """Company custom attributes are free-form: their types come from the stored values."""
        types: dict[str, str] = {}
        for company in self._companies.values():
            for key, value in (company.doc.get("customAttributes") or {}).items():
                kind = _json_type(value)
                if kind:
                    types.setdefault(key, kind)
        return types

    # == writes ====================================================================================

    def create(self, body: Any) -> dict[str, Any]:
        """Validate ``body`` (``IamCompanyV2``), store it, return the stored wire company.

        A missing or invalid field is a 400 naming it; a taken name (ignoring case), external id
        or domain is a 409.
        """
        doc = self._parse(body, create=True)
        self._check_unique(doc, None)
        company = _Company(self._state.next_id("companies"), doc, self._state.clock.v2_timestamp())
        self._companies[company.id] = company
        return company.wire()

    def update(
        self,
        company_id: int,
        body: Any,
        *,
        replace_tags: bool = False,
        replace_domains: bool = False,
    ) -> dict[str, Any]:
        """PATCH a company: sent fields overwrite, ``null`` clears, tags and domains are appended
        (without duplicates, ignoring case) unless ``replace_tags`` / ``replace_domains``."""
        company = self._companies[company_id]
        given = self._parse(body, create=False)
        doc = copy.deepcopy(company.doc)
        for key, value in given.items():
            if value is None:
                doc.pop(key, None)
            elif (key == "tags" and not replace_tags) or (key == "domains" and not replace_domains):
                doc[key] = _union(doc.get(key) or [], value)
            else:
                doc[key] = value
        self._check_unique(doc, company_id)
        if doc != company.doc:
            company.doc = doc
            company.modified_at = self._state.clock.v2_timestamp()
        return company.wire()

    def delete(self, company_id: int) -> None:
        """Delete a company; its members are left without a company."""
        del self._companies[company_id]
        for pid in [p for p, c in self._members.items() if c == company_id]:
            del self._members[pid]

    # == batches ===================================================================================

    def batch_create(self, body: Any) -> list[dict[str, Any]]:
        """``{"companies": [IamCompanyV2]}``: one result per item, successes included
        (``{"index", "status": 200, "id"}``), failures with their status and errors."""
        items = _batch_items(body)
        results = []
        for index, item in enumerate(items):
            try:
                created = self.create(item)
            except DomainError as err:
                results.append({"index": index, "status": err.status, "errors": _errors(err)})
            else:
                results.append({"index": index, "status": 200, "id": created["id"]})
        return results

    def batch_update(self, body: Any) -> list[dict[str, Any]]:
        """``{"companies": [{"query", "update"}]}``: the failures only, each with its query."""
        results = []
        for entry in _batch_items(body):
            query = entry.get("query") if isinstance(entry, Mapping) else None
            try:
                cid = self._batch_select(query)
                self.update(cid, entry.get("update"))
            except DomainError as err:
                results.append(_failure(query, err))
        return results

    def batch_delete(self, body: Any) -> list[dict[str, Any]]:
        """``{"companies": [{"query"}]}``: the failures only, each with its query."""
        results = []
        for entry in _batch_items(body):
            query = entry.get("query") if isinstance(entry, Mapping) else None
            try:
                self.delete(self._batch_select(query))
            except DomainError as err:
                results.append(_failure(query, err))
        return results

    def _batch_select(self, query: Any) -> int:
        if not isinstance(query, Mapping):
            raise Invalid(MSG.COMPANY_SELECTOR)
        try:
            return self.select(query)
        except NotFound as err:  # the batch calls report an unmatched query as a 409
            raise Conflict(err.message) from None

    # == membership ================================================================================

    def add_persons(self, company_id: int, body: Any) -> None:
        """Make the persons of ``{"people": [{"query": IdentityQuery}]}`` members (each leaves
        its previous company). All or nothing: an unknown person is a 404 that changes nothing."""
        for pid in self._resolve_people(body):
            self._members[pid] = company_id

    def remove_persons(self, company_id: int, body: Any) -> None:
        """Remove the listed persons from the company (persons of other companies are untouched)."""
        for pid in self._resolve_people(body):
            if self._members.get(pid) == company_id:
                del self._members[pid]

    def _resolve_people(self, body: Any) -> list[int]:
        people = body.get("people") if isinstance(body, Mapping) else None
        if not isinstance(people, list) or not 1 <= len(people) <= _MEMBERSHIP_LIMIT:
            raise Invalid(fields={"people": [MSG.FIELD_BATCH_SIZE.format(max=_MEMBERSHIP_LIMIT)]})
        ids = []
        for index, entry in enumerate(people):
            query = entry.get("query") if isinstance(entry, Mapping) else None
            if (
                not isinstance(query, Mapping)
                or not query.get("identifier")
                or not query.get("type")
            ):
                raise Invalid(fields={f"people[{index}].query": [MSG.IDENTIFIER_REQUIRED]})
            kind, identifier = str(query["type"]).upper(), str(query["identifier"])
            pid = self._state.persons.resolve(kind, identifier, query.get("sender"))
            if pid is None:
                raise NotFound(
                    "person", MSG.COMPANY_PERSON_NOT_FOUND.format(type=kind, identifier=identifier)
                )
            ids.append(pid)
        return ids

    # == hooks from the persons engine =============================================================

    def person_deleted(self, person_id: int) -> None:
        """A person is gone: it belongs to no company any more."""
        self._members.pop(person_id, None)

    def persons_merged(self, primary_id: int, secondary_ids: Iterable[int]) -> None:
        """Secondaries merged into the primary: the primary keeps its company, or takes the first
        secondary's; the secondaries' memberships end."""
        for sid in secondary_ids:
            cid = self._members.pop(sid, None)
            if cid is not None and primary_id not in self._members:
                self._members[primary_id] = cid

    # == parsing and checks ========================================================================

    def _parse(self, body: Any, *, create: bool) -> dict[str, Any]:
        if not isinstance(body, Mapping):
            raise Invalid(fields={"body": [MSG.FIELD_OBJECT]})
        errors: dict[str, list[str]] = {}
        doc: dict[str, Any] = {}
        for key, value in body.items():
            if key in _READ_ONLY:
                continue
            if key in COMPANY_MAX_LENGTHS:
                if value is None:
                    doc[key] = None
                elif not isinstance(value, str):
                    errors[key] = [MSG.FIELD_STRING]
                elif len(value) > COMPANY_MAX_LENGTHS[key]:
                    errors[key] = [MSG.FIELD_SIZE.format(max=COMPANY_MAX_LENGTHS[key])]
                else:
                    doc[key] = value
            elif key in _LIST_FIELDS:
                if value is None:
                    doc[key] = None
                elif not isinstance(value, list) or not all(
                    isinstance(v, str) and v.strip() for v in value
                ):
                    errors[key] = [MSG.FIELD_LIST]
                else:
                    doc[key] = _union([], value)
            elif key in _OBJECT_FIELDS:
                if value is None:
                    doc[key] = None
                elif not isinstance(value, Mapping):
                    errors[key] = [MSG.FIELD_OBJECT]
                else:
                    doc[key] = copy.deepcopy(dict(value))
            # unknown fields are ignored, as the service's JSON binding does
        name = body.get("name")
        if (create or "name" in body) and (not isinstance(name, str) or not name.strip()):
            errors["name"] = [MSG.FIELD_REQUIRED]
        if errors:
            raise Invalid(fields=errors)
        if create:
            doc = {k: v for k, v in doc.items() if v is not None}
        return doc

    def _check_unique(self, doc: Mapping[str, Any], own_id: int | None) -> None:
        name = doc.get("name")
        if name is not None:
            other = self.find("name", name)
            if other is not None and other != own_id:
                raise Conflict(MSG.COMPANY_NAME_EXISTS.format(name=str(name).lower()))
        external = doc.get("externalId")
        if external is not None:
            other = self.find("externalId", external)
            if other is not None and other != own_id:
                raise Conflict(MSG.COMPANY_EXTERNAL_ID_EXISTS.format(value=external))
        for domain in doc.get("domains") or ():
            other = self.find("domain", domain)
            if other is not None and other != own_id:
                raise Conflict(MSG.COMPANY_DOMAIN_EXISTS.format(value=domain))


# == module helpers ================================================================================


def _is_int(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    try:
        int(str(value))
    except ValueError:
        return False
    return True


def _union(base: Iterable[str], extra: Iterable[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for value in (*base, *extra):
        if value.lower() not in seen:
            seen.add(value.lower())
            out.append(value)
    return out


def _order_key(company: _Company, field: str) -> Any:
    if field == "createdAt":
        return company.created_at
    if field == "modifiedAt":
        return company.modified_at
    return str(company.doc.get("name", "")).lower()


def _uses(node: Any, operator: str) -> bool:
    if isinstance(node, Mapping):
        return any(k == operator or _uses(v, operator) for k, v in node.items())
    if isinstance(node, list):
        return any(_uses(v, operator) for v in node)
    return False


def _json_type(value: Any) -> str | None:
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, int):
        return "INTEGER"
    if isinstance(value, (float, Decimal)):
        return "DECIMAL"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, list):
        return "LIST_OF_OBJECTS"
    return None


def _batch_items(body: Any) -> list[Any]:
    items = body.get("companies") if isinstance(body, Mapping) else None
    if not isinstance(items, list) or not 1 <= len(items) <= BATCH_LIMIT:
        raise Invalid(fields={"companies": [MSG.FIELD_BATCH_SIZE.format(max=BATCH_LIMIT)]})
    return items


def _errors(err: DomainError) -> list[dict[str, str]]:
    """A batch item's ``errors``: the refusal's text, then one entry per field reason."""
    messages = [{"message": err.message or MSG.BAD_REQUEST}]
    messages.extend({"message": f"{field}: {text}"} for field, text in err.violations)
    return messages


def _failure(query: Any, err: DomainError) -> dict[str, Any]:
    return {"query": query, "status": err.status, "errors": _errors(err)}
