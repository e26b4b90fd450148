"""Regenerate ``infobip_profiles/_operations_data.py`` from the OpenAPI spec.

Usage: python tools/gen_operations.py ../shared/spec/people-openapi.json

The generated module holds plain facts of the spec: per operationId its method, path, deprecation,
published rate limit, how many items one request may carry and its page sizes; the field length
tables of the bodies; the named limits (contacts per person, event batch bytes, ...); and the
enums the client and the fake check values against. Policy that is ours, not the spec's (paging
style, replay safety, error family), lives in ``infobip_profiles/_operations.py`` beside it, which
is also where both sides read these facts from.

Where the spec states a fact only in prose (``Array size ... is limited to `1000` persons``), it
is read here with a pattern that must match: a spec whose wording changed fails the generator
instead of silently dropping the fact. :func:`render` builds the module text from a loaded spec
without writing anything (the test suite compares it with the checked-in file).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
OUTPUT = Path(__file__).resolve().parent.parent / "infobip_profiles" / "_operations_data.py"
INT32_MAX = 2**31 - 1

#: How the spec's prose states the most items one request carries (the first group is the number).
_BATCH_PROSE = (
    re.compile(r"Array size[^.]*? is limited to `([\d,]+)`"),
    re.compile(r"batch size limit is `?([\d,]+)`?"),
    re.compile(r"up to `([\d,]+)` \w+ in a single batch"),
    re.compile(r"Can't be less than 1 and more than ([\d,]+) (?:items|fields)"),
)
#: How a page-size parameter states its default and maximum when its schema does not.
_PAGE_DEFAULT = re.compile(r"Default - (\d+)\.")
_PAGE_MAXIMUM = re.compile(r"Maximum - (\d+)\.")
#: How a property states its length limit in prose.
_LENGTH_PROSE = (
    re.compile(r"\b(\d+) characters max\b(?! per)"),
    re.compile(r"cannot exceed (\d+) characters"),
    re.compile(r"Maximum length: `(\d+)` characters"),
    re.compile(r"must be `1\u2013(\d+)` characters long"),
)

#: Enums both sides check values against: name -> (schema title, property or None for the
#: schema itself).
_ENUMS = {
    "query_types": ("IdentityQuery", "type"),
    "match_types": ("ByUniqueRequestParameters", "type"),
    "attribute_data_types": ("IamAdditionalFieldDataType", None),
    "person_types": ("IamTypeV2", None),
    "genders": ("IamGender", None),
    "push_cloud_types": ("CloudType", None),
    "event_field_types": ("EventFieldType", None),
    "event_categories": ("EventDefinitionCategory", None),
}
#: How the spec names the identifier types that take no ``sender`` (only in prose).
_SENDERLESS = re.compile(
    r"`sender` is required for all identifier types except ((?:`\w+`(?:, )?)+)"
)


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _one(pattern: re.Pattern[str], text: str, what: str) -> int:
    found = pattern.search(text)
    if found is None:
        raise SystemExit(f"the spec no longer states {what} as /{pattern.pattern}/")
    return _number(found.group(1))


class _Spec:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.schemas: dict[str, Any] = spec["components"]["schemas"]

    def resolve(self, node: Any) -> Any:
        """The schema behind ``$ref`` and single-element ``allOf`` wrappers."""
        while isinstance(node, dict):
            if "$ref" in node:
                node = self.schemas[node["$ref"].rsplit("/", 1)[1]]
            elif len(node.get("allOf") or ()) == 1 and "properties" not in node:
                node = node["allOf"][0]
            else:
                break
        return node

    def operations(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for path, item in self.spec["paths"].items():
            for method, op in item.items():
                if method in HTTP_METHODS:
                    yield path, method, op

    def titled(self, title: str) -> list[dict[str, Any]]:
        """Every schema with this title (the spec repeats some under several prefixes)."""
        found = [s for n, s in self.schemas.items() if n.rsplit(".", 1)[-1] == title]
        if not found:
            raise SystemExit(f"the spec has no schema titled {title}")
        return found

    def agreed(self, title: str, read: Callable[[dict[str, Any]], Any]) -> Any:
        """``read`` of every schema with this title, which must all agree."""
        values = {json.dumps(read(s), sort_keys=True) for s in self.titled(title)}
        if len(values) != 1:
            raise SystemExit(f"the schemas titled {title} disagree: {sorted(values)}")
        return read(self.titled(title)[0])


def _rate_limit(op: dict[str, Any]) -> str:
    limit = "None"
    for info in op.get("x-throttling-info") or []:
        if info.get("type") == "time":
            limit = f"RateLimit.per_second({info['numberOfRequests']})"
        elif info.get("type") == "token":
            limit = (
                f"RateLimit.token_bucket(rate={info['replenishRate']}, "
                f"burst={info['burstCapacity']})"
            )
    return limit


def _body_schemas(spec: _Spec, op: dict[str, Any]) -> list[Any]:
    content = (op.get("requestBody") or {}).get("content") or {}
    return [spec.resolve(c.get("schema") or {}) for c in content.values()]


def _batch_limit(spec: _Spec, op: dict[str, Any]) -> int | None:
    """Most items one request carries: the body's array ``maxItems`` or the prose that says so.

    A batch body's array asks for at least one item (``minItems``); the spec's other capped
    arrays (an export's definition ids, a definition's fields) are named limits instead."""
    texts = [op.get("description") or ""]
    structured: set[int] = set()
    for body in _body_schemas(spec, op):
        if body.get("type") == "array":
            texts.append(spec.resolve(body.get("items") or {}).get("description") or "")
        elif body.get("type") == "object" and "properties" not in body:
            texts.append(body.get("description") or "")
        for prop in (body.get("properties") or {}).values():
            prop = spec.resolve(prop)
            if prop.get("type") == "array" and "maxItems" in prop and prop.get("minItems"):
                structured.add(prop["maxItems"])
    prose = {_number(m.group(1)) for t in texts for p in _BATCH_PROSE for m in p.finditer(t)}
    found = structured | prose
    if len(found) > 1:
        raise SystemExit(f"{op['operationId']}: the spec states several batch limits {found}")
    return found.pop() if found else None


def _page_size(op: dict[str, Any]) -> tuple[int, int] | None:
    """``(default, maximum)`` of the page-size parameter (``limit`` or ``size``), when stated."""
    for param in op.get("parameters") or ():
        if param.get("in") != "query" or param.get("name") not in ("limit", "size"):
            continue
        schema, text = param.get("schema") or {}, param.get("description") or ""
        default = schema.get("default")
        if default is None and _PAGE_DEFAULT.search(text):
            default = _one(_PAGE_DEFAULT, text, "a default page size")
        maximum = schema.get("maximum")
        if maximum is None and _PAGE_MAXIMUM.search(text):
            maximum = _one(_PAGE_MAXIMUM, text, "a maximum page size")
        if default is not None and maximum is not None and maximum < INT32_MAX:
            return int(default), int(maximum)
    return None


def _lengths(spec: _Spec, schema: dict[str, Any]) -> dict[str, int]:
    """Each property's maximum length: its ``maxLength``, else the limit its description states."""
    out: dict[str, int] = {}
    for name, prop in (schema.get("properties") or {}).items():
        if "maxLength" in prop:
            out[name] = int(prop["maxLength"])
            continue
        text = prop.get("description") or ""
        for pattern in _LENGTH_PROSE:
            found = pattern.search(text)
            if found:
                out[name] = int(found.group(1))
                break
    return out


def _length_tables(spec: _Spec) -> dict[str, dict[str, int]]:
    """Length tables keyed by what they describe. The person's merges the v2 and v3 schemas
    (the v2 one has no ``nickName``; the v3 one comes first, in its natural field order), which
    must agree where both state a limit."""
    tables: dict[str, dict[str, int]] = {}
    person: dict[str, int] = {}
    for title in ("PersonV3", "IamPersonV2"):
        for field, limit in spec.agreed(title, lambda s: _lengths(spec, s)).items():
            if person.setdefault(field, limit) != limit:
                raise SystemExit(f"person {field}: the v2 and v3 schemas disagree on its length")
    tables["person"] = person
    tables["company"] = spec.agreed("IamCompanyV2", lambda s: _lengths(spec, s))
    tables["email"] = spec.agreed("IamEmailContactV2", lambda s: _lengths(spec, s))
    tables["phone"] = spec.agreed("IamPhoneContactV2", lambda s: _lengths(spec, s))
    tables["contact"] = spec.agreed("ContactInformationV3", lambda s: _lengths(spec, s))
    tables["tag"] = spec.agreed("IamTagV2", lambda s: _lengths(spec, s))
    tables["custom_attribute"] = spec.agreed("IamCustomAttribute", lambda s: _lengths(spec, s))
    tables["event_definition"] = spec.agreed(
        "EventDefinitionCreateResource", lambda s: _lengths(spec, s)
    )
    tables["event_field"] = spec.agreed("EventFieldResource", lambda s: _lengths(spec, s))
    tables["event"] = spec.agreed("EventResourceRequest", lambda s: _lengths(spec, s))
    return tables


def _description(spec: _Spec, title: str, prop: str) -> str:
    return str(spec.agreed(title, lambda s: s["properties"][prop].get("description") or ""))


def _named_limits(spec: _Spec) -> dict[str, int]:
    """Limits that are no field's length and no operation's batch size, each from the spec."""
    events = next(op for _, _, op in spec.operations() if op["operationId"] == "send-custom-events")
    text = events.get("description") or ""
    emails = _one(
        re.compile(r"Max (\d+) emails per person"),
        _description(spec, "IamPersonContactsV2", "email"),
        "the email contacts cap",
    )
    phones = _one(
        re.compile(r"Max (\d+) numbers per person"),
        _description(spec, "IamPersonContactsV2", "phone"),
        "the phone contacts cap",
    )
    if emails != phones:
        raise SystemExit(f"the contacts caps differ: {emails} emails, {phones} phones")
    fields = spec.agreed("EventDefinitionCreateResource", lambda s: s["properties"]["fields"])
    export_ids = spec.agreed("ExportRequestBody", lambda s: s["properties"]["definitionIdList"])
    list_fields = spec.agreed("ListItemResource", lambda s: s["properties"]["fields"])
    return {
        "contacts_per_person": emails,
        "custom_attribute_value_length": _one(
            re.compile(r"(\d+) characters max per value"),
            _description(spec, "IamPersonV2", "customAttributes"),
            "the custom attribute value length",
        ),
        "event_item_bytes": _one(
            re.compile(r"item within a batch must not exceed `([\d,]+)` bytes"),
            text,
            "the event item size",
        ),
        "event_batch_bytes": _one(
            re.compile(r"entire batch[^.]*must not exceed `([\d,]+)` bytes"),
            text,
            "the event batch size",
        ),
        "event_age_days": _one(
            re.compile(r"up to `(\d+)` days ago"), text, "how old an event may be"
        ),
        "event_definition_fields": int(fields["maxItems"]),
        "event_list_fields": int(list_fields["maxItems"]),
        "export_definition_ids": int(export_ids["maxItems"]),
    }


def _enums(spec: _Spec) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for name, (title, prop) in _ENUMS.items():

        def read(schema: dict[str, Any], prop: str | None = prop) -> list[str]:
            node = spec.resolve(schema["properties"][prop]) if prop else schema
            return list(node["enum"])

        out[name] = tuple(spec.agreed(title, read))
    text = _description(spec, "IdentityQuery", "sender")
    found = _SENDERLESS.search(text)
    if found is None:
        raise SystemExit(
            f"the spec no longer states the senderless types as /{_SENDERLESS.pattern}/"
        )
    out["senderless_types"] = tuple(re.findall(r"`(\w+)`", found.group(1)))
    return out


def _dict(name: str, annotation: str, comment: str, rows: dict[str, Any]) -> str:
    body = "".join(f"    {key!r}: {value!r},\n" for key, value in rows.items())
    return f"# {comment}\n{name}: {annotation} = {{\n{body}}}\n"


def render(raw_spec: dict[str, Any]) -> str:
    """The text of ``_operations_data.py`` for this spec."""
    spec = _Spec(raw_spec)
    rows, batches, pages = [], {}, {}
    for path, method, op in spec.operations():
        op_id = op["operationId"]
        rows.append(
            f'    ("{op_id}", "{method.upper()}", "{path}", '
            f"{bool(op.get('deprecated'))}, {_rate_limit(op)}),"
        )
        limit = _batch_limit(spec, op)
        if limit is not None:
            batches[op_id] = limit
        page = _page_size(op)
        if page is not None:
            pages[op_id] = page
    return "\n".join(
        (
            '"""Facts of the API, generated from the OpenAPI spec by tools/gen_operations.py.\n\n'
            'Do not edit by hand: rerun the script when the spec changes.\n"""\n',
            "from __future__ import annotations\n",
            "from ._ratelimit import RateLimit\n",
            f'SPEC_VERSION = "{raw_spec["info"]["version"]}"\n',
            "# (operationId, HTTP method, path, deprecated, published rate limit)\n"
            "SPEC_OPERATIONS: tuple[tuple[str, str, str, bool, RateLimit | None], ...] = (\n"
            + "\n".join(rows)
            + "\n)\n",
            _dict(
                "SPEC_BATCH_LIMITS",
                "dict[str, int]",
                "operationId -> most elements one request body carries (persons, companies, events, list items or item fields)",
                batches,
            ),
            _dict(
                "SPEC_PAGE_SIZES",
                "dict[str, tuple[int, int]]",
                "operationId -> (default, maximum) of the page-size query parameter",
                pages,
            ),
            _dict(
                "SPEC_MAX_LENGTHS",
                "dict[str, dict[str, int]]",
                "what a body describes -> wire field -> its maximum length in characters",
                _length_tables(spec),
            ),
            _dict(
                "SPEC_LIMITS",
                "dict[str, int]",
                "named limits stated by the spec (bytes for the event sizes)",
                _named_limits(spec),
            ),
            _dict(
                "SPEC_ENUMS",
                "dict[str, tuple[str, ...]]",
                "enums values are checked against, in the spec's order",
                _enums(spec),
            ),
        )
    )


def main(spec_path: str) -> None:
    """Write the generated module for the spec at ``spec_path``."""
    OUTPUT.write_text(render(json.loads(Path(spec_path).read_text())))
    print(f"wrote {OUTPUT}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/spec/people-openapi.json")
