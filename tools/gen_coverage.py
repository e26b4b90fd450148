"""Generate ``docs/coverage.md``: every operation of the API, its client method and its fake handler.

Run ``python tools/gen_coverage.py`` after adding a resource method or a fake handler (``--check``
exits 1 instead of writing when the page is stale; ``tests/conformance/test_coverage_page.py`` does the same).

Where the facts come from:

* the operations: ``infobip_profiles._operations.OPERATIONS`` (generated from the spec);
* the client methods: every public method of every resource a :class:`ProfilesClient` exposes is
  a plan (or a page spec) run by the client; the operationIds a plan can yield are read from its
  source: string literals that are operationIds, module constants holding them, and the helpers it
  calls in its own module or plans class, followed transitively;
* the fake handlers: ``infobip_profiles.testing._router.HANDLERS`` (filled by ``@handles``).
"""

from __future__ import annotations

import argparse
import ast
import functools
import inspect
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "coverage.md"

if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

from infobip_profiles import ProfilesClient  # noqa: E402
from infobip_profiles._operations import OPERATIONS, SPEC_VERSION, Operation  # noqa: E402
from infobip_profiles.resources._base import SyncResource  # noqa: E402
from infobip_profiles.testing._router import HANDLERS  # noqa: E402


def _plan_of(attr: Any) -> Callable[..., Any] | None:
    """The plan (or page spec builder) behind a resource attribute, if it is a method."""
    for name in ("plan", "spec"):
        fn = getattr(attr, name, None)
        if callable(fn):
            return fn  # type: ignore[no-any-return]
    if inspect.isfunction(attr):
        return attr  # a plain method: scanned too, it may call a plan of its own
    return None


def _op_ids_in(value: Any) -> set[str]:
    if isinstance(value, str):
        return {value} if value in OPERATIONS else set()
    if isinstance(value, dict):
        return _op_ids_in(list(value.keys())) | _op_ids_in(list(value.values()))
    if isinstance(value, (list, tuple, set, frozenset)):
        found: set[str] = set()
        for item in value:
            if isinstance(item, (str, list, tuple, set, frozenset, dict)):
                found |= _op_ids_in(item)
        return found
    return set()


def op_ids_of(fn: Callable[..., Any], _seen: set[Any] | None = None) -> set[str]:
    """Every operationId that ``fn`` (a plan, page spec builder or helper) may send.

    Reads the source: string literals, module-level names holding operationIds (or collections
    of them), and calls to functions of the same module or methods of the same class, followed.
    """
    seen = _seen if _seen is not None else set()
    fn = inspect.unwrap(fn)
    if fn in seen:
        return set()
    seen.add(fn)
    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError):
        return set()
    module_globals: dict[str, Any] = getattr(fn, "__globals__", {})
    owner = module_globals.get(fn.__qualname__.split(".")[0]) if "." in fn.__qualname__ else None
    found: set[str] = set()
    tree = ast.parse(source)
    # Docstrings and other bare string statements mention operations without sending them.
    prose = {
        id(stmt.value)
        for stmt in ast.walk(tree)
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and id(node) not in prose:
            found |= _op_ids_in(node.value)
        elif isinstance(node, ast.Name) and node.id in module_globals:
            target = module_globals[node.id]
            found |= _op_ids_in(target)
            if inspect.isfunction(target) and target.__module__ == fn.__module__:
                found |= op_ids_of(target, seen)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in ("self", "cls")
            and owner is not None
        ):
            target = inspect.getattr_static(owner, node.attr, None)
            helper = _plan_of(target) or (
                target.__func__ if isinstance(target, (staticmethod, classmethod)) else None
            )
            if helper is not None and getattr(helper, "__module__", None) == fn.__module__:
                found |= op_ids_of(helper, seen)
    return found


def resources() -> Iterator[tuple[str, type[SyncResource]]]:
    """``(attribute name, resource class)`` for every resource of :class:`ProfilesClient`."""
    client = ProfilesClient(api_key="coverage", base_url="https://api.infobip.com", throttle=False)
    try:
        for name, attr in sorted(vars(ProfilesClient).items()):
            if name.startswith("_") or not isinstance(attr, (property, functools.cached_property)):
                continue
            resource = getattr(client, name)
            if isinstance(resource, SyncResource):
                yield name, type(resource)
    finally:
        client.close()


def public_methods(cls: type[Any]) -> dict[str, Callable[..., Any]]:
    """Public methods of a resource class (name -> plan, page spec builder or function)."""
    out: dict[str, Callable[..., Any]] = {}
    for klass in reversed(cls.__mro__):
        if klass in (object, SyncResource):
            continue
        for name, attr in vars(klass).items():
            if name.startswith("_") or isinstance(attr, (property, functools.cached_property)):
                continue
            plan = _plan_of(attr)
            if plan is not None:
                out[name] = plan
    return out


def client_methods() -> dict[str, list[str]]:
    """operationId -> the client methods (``people.get``) that send it."""
    table: dict[str, list[str]] = {op_id: [] for op_id in OPERATIONS}
    for res_name, cls in resources():
        for meth_name, plan in sorted(public_methods(cls).items()):
            for op_id in op_ids_of(plan):
                table[op_id].append(f"{res_name}.{meth_name}")
    return table


def fake_handlers() -> dict[str, str | None]:
    """operationId -> ``module.function`` of its fake handler (``None`` when there is none)."""
    out: dict[str, str | None] = {}
    for op_id in OPERATIONS:
        fn = HANDLERS.get(op_id)
        out[op_id] = None if fn is None else f"{fn.__module__.rsplit('.', 1)[-1]}.{fn.__name__}"
    return out


def missing() -> dict[str, list[str]]:
    """Non-deprecated operations lacking a client method or a fake handler (what is missing)."""
    methods, handlers = client_methods(), fake_handlers()
    out: dict[str, list[str]] = {}
    for op_id, op in OPERATIONS.items():
        if op.deprecated:
            continue
        lacks = [
            what
            for what, absent in (
                ("client method", not methods[op_id]),
                ("fake handler", handlers[op_id] is None),
            )
            if absent
        ]
        if lacks:
            out[op_id] = lacks
    return out


def _row(op: Operation, methods: list[str], handler: str | None) -> str:
    client = ", ".join(f"`{m}`" for m in methods) or (
        "not exposed (deprecated)" if op.deprecated else "**missing**"
    )
    fake = f"`{handler}`" if handler else ("—" if op.deprecated else "**missing**")
    name = f"~~`{op.op_id}`~~ (deprecated)" if op.deprecated else f"`{op.op_id}`"
    return f"| {name} | `{op.method} {op.path}` | {client} | {fake} |"


def render() -> str:
    """The whole page, as it should be on disk."""
    methods, handlers = client_methods(), fake_handlers()
    ops = list(OPERATIONS.values())
    live = [op for op in ops if not op.deprecated]
    with_client = sum(1 for op in live if methods[op.op_id])
    with_fake = sum(1 for op in live if handlers[op.op_id])
    lines = [
        "# API coverage",
        "",
        "<!-- Generated by tools/gen_coverage.py; do not edit by hand. -->",
        "",
        f"Every operation of the Customer Profiles API (spec version {SPEC_VERSION}, "
        f"{len(ops)} operations, {len(ops) - len(live)} deprecated), the client method that "
        "calls it (on both `ProfilesClient` and `AsyncProfilesClient`) and the fake's handler "
        "that answers it.",
        "",
        f"- client methods: {with_client} of {len(live)} non-deprecated operations",
        f"- fake handlers: {with_fake} of {len(live)} non-deprecated operations",
        "",
        "Deprecated v2 list operations are not exposed by the client: the v3 `lists` resource "
        "supersedes them.",
        "",
        "| operationId | request | client method | fake handler |",
        "| --- | --- | --- | --- |",
    ]
    lines += [_row(op, methods[op.op_id], handlers[op.op_id]) for op in ops]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write ``docs/coverage.md`` (or, with ``--check``, exit 1 when it is stale)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    args = parser.parse_args(argv)
    page = render()
    if args.check:
        current = PAGE.read_text(encoding="utf-8") if PAGE.exists() else ""
        if current != page:
            print(f"{PAGE.relative_to(ROOT)} is stale: run python tools/gen_coverage.py")
            return 1
        return 0
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    PAGE.write_text(page, encoding="utf-8")
    gaps = missing()
    print(f"wrote {PAGE.relative_to(ROOT)}; {len(gaps)} non-deprecated operations incomplete")
    for op_id, lacks in sorted(gaps.items()):
        print(f"  {op_id}: no {' and no '.join(lacks)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
