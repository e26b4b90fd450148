"""One object per idea: ``NO_BODY`` (no body at all, as opposed to JSON ``null``) is the same
object for the client's requests and the fake's responses, defined once, and survives pickling."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import infobip_profiles
from infobip_profiles import NOT_GIVEN, _plan, _types
from infobip_profiles.testing import FakeResponse, _wire

ROOT = Path(infobip_profiles.__file__).parent


def test_no_body_is_one_object_for_client_and_fake() -> None:
    assert _plan.NO_BODY is _wire.NO_BODY is _types.NO_BODY
    assert _plan.Call("get-a-tag").body is _types.NO_BODY
    assert FakeResponse(204).body is _types.NO_BODY
    assert repr(_types.NO_BODY) == "NO_BODY"


def test_sentinels_keep_their_identity_through_pickle() -> None:
    assert pickle.loads(pickle.dumps(_types.NO_BODY)) is _types.NO_BODY
    assert pickle.loads(pickle.dumps(NOT_GIVEN)) is NOT_GIVEN


def _assigned_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
    return names


def test_each_sentinel_is_defined_once_in_the_package() -> None:
    where: dict[str, list[str]] = {}
    for path in sorted(ROOT.rglob("*.py")):
        for name in _assigned_names(path) & {"NO_BODY", "_NoBody", "NOT_GIVEN", "NotGiven"}:
            where.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert where == {
        "NO_BODY": ["_types.py"],
        "_NoBody": ["_types.py"],
        "NOT_GIVEN": ["_types.py"],
        "NotGiven": ["_types.py"],
    }
