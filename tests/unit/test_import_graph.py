"""The package's import graph: no cycle among the client's core modules.

An import cycle hidden by a function-level import or an ``if TYPE_CHECKING:`` block still ties
the modules together (each must be read to understand the other, and the cycle breaks the day
someone moves the import up). The graph here counts every import the source states: at module
level, inside functions, and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import infobip_profiles

PACKAGE = "infobip_profiles"
ROOT = Path(infobip_profiles.__file__).parent

#: The client's core: plans, paging, the clients, retries, decoding, options, errors, the
#: operations table and every resource module.
CORE_NAMES = ("_plan", "pagination", "_client", "_retry", "_converter", "_types", "errors")
CORE_NAMES += ("_operations",)

#: Cycles through the core that are known and not yet removed, as the import edge that closes
#: each one: (importer, imported). Each entry says why it is still there; remove the entry when
#: the cycle goes (the test fails on an entry that no longer closes a cycle).
KNOWN_BACK_EDGES: dict[tuple[str, str], str] = {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _targets(module: str, is_package: bool, node: ast.ImportFrom, known: set[str]) -> set[str]:
    """The package modules an ``import from`` statement reads (the module itself, or a
    submodule when the imported name is one)."""
    if node.level:
        base = module.split(".") if is_package else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join([*base, *([node.module] if node.module else [])])
    else:
        target = node.module or ""
    out = set()
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        out.add(sub if sub in known else target)
    return out & known


def import_graph() -> dict[str, dict[str, int]]:
    """Every package module and the package modules it imports (with the line of one import)."""
    modules = _modules()
    known = set(modules)
    graph: dict[str, dict[str, int]] = {}
    for module, path in modules.items():
        edges: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            found: set[str] = set()
            if isinstance(node, ast.ImportFrom):
                found = _targets(module, path.name == "__init__.py", node, known)
            elif isinstance(node, ast.Import):
                found = {alias.name for alias in node.names} & known
            for target in found - {module}:
                edges.setdefault(target, node.lineno)
        graph[module] = edges
    return graph


def strongly_connected(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The groups of modules that reach one another (groups of two or more), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(start: str) -> None:
        # Tarjan's algorithm, iteratively (the graph is small, but recursion limits are not ours).
        work: list[tuple[str, Iterator[str]]] = [(start, iter(graph[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph[nxt])))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        groups.append(sorted(group))

    for module in graph:
        if module not in index:
            visit(module)
    return groups


def _is_core(module: str) -> bool:
    names = {f"{PACKAGE}.{name}" for name in CORE_NAMES}
    return module in names or module.startswith(f"{PACKAGE}.resources.")


def _describe(group: list[str], graph: dict[str, dict[str, int]]) -> str:
    members = set(group)
    edges = [
        f"{a} -> {b} (line {line})"
        for a in group
        for b, line in sorted(graph[a].items())
        if b in members
    ]
    return "; ".join(edges)


def test_the_graph_sees_every_kind_of_import() -> None:
    graph = import_graph()
    # module level
    assert "infobip_profiles._plan" in graph["infobip_profiles.pagination"]
    # inside a function (the client builds its resources on first use)
    assert "infobip_profiles.resources.people" in graph["infobip_profiles._client"]
    # under TYPE_CHECKING (the client's resource annotations)
    assert "infobip_profiles.resources.tags" in graph["infobip_profiles._client"]


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1, "d": 1}, "d": {}}
    assert strongly_connected(graph) == [["a", "b", "c"]]
    assert strongly_connected({"a": {"b": 1}, "b": {}}) == []


def test_no_import_cycle_among_the_client_core() -> None:
    graph = import_graph()
    for importer, imported in KNOWN_BACK_EDGES:
        graph[importer].pop(imported, None)
    cycles = [g for g in strongly_connected(graph) if any(_is_core(m) for m in g)]
    assert not cycles, "import cycles through the client core:\n" + "\n".join(
        _describe(group, graph) for group in cycles
    )


def test_plan_and_pagination_do_not_import_each_other() -> None:
    graph = import_graph()
    assert "infobip_profiles._plan" in graph["infobip_profiles.pagination"]
    assert "infobip_profiles.pagination" not in graph["infobip_profiles._plan"]


def test_every_known_back_edge_still_closes_a_cycle() -> None:
    """A known cycle that is gone must leave the list (so the list only shrinks)."""
    graph = import_graph()
    groups = strongly_connected(graph)
    for importer, imported in KNOWN_BACK_EDGES:
        assert imported in graph[importer], f"{importer} no longer imports {imported}"
        assert any(importer in g and imported in g for g in groups), (
            f"{importer} -> {imported} no longer closes a cycle: remove it from KNOWN_BACK_EDGES"
        )


def _reached_from(graph: dict[str, dict[str, int]], starts: list[str]) -> dict[str, str]:
    """Every module ``starts`` import, directly or not, each with the module that imports it."""
    via: dict[str, str] = {}
    todo = list(starts)
    while todo:
        module = todo.pop()
        for target in graph[module]:
            if target not in via:
                via[target] = module
                todo.append(target)
    return via


def test_the_fakes_engines_and_handlers_do_not_reach_the_client() -> None:
    """The fake's rules are its own: its engines and handlers import no client resource nor the
    client itself, not even through another module (only the fake's client factories do)."""
    graph = import_graph()
    fake = ("infobip_profiles.testing.engine", "infobip_profiles.testing.handlers")
    reached = _reached_from(graph, [m for m in graph if m.startswith(fake)])
    client = [
        f"{module} (imported by {importer})"
        for module, importer in sorted(reached.items())
        if module == "infobip_profiles._client" or module.startswith("infobip_profiles.resources")
    ]
    assert client == []
