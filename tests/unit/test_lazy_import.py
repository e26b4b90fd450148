"""``import infobip_profiles`` loads what a program uses, when it uses it.

The package's public names are imported on first use (a module ``__getattr__``), so a program
that only uses the blocking client never imports ``asyncio`` (nor tenacity, until a retry), and
every name in ``__all__`` still resolves, to the object its defining module holds.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import infobip_profiles

PACKAGE_INIT = Path(infobip_profiles.__file__)


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe],
        check=True,
        capture_output=True,
        text=True,
        cwd=PACKAGE_INIT.parent.parent,
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_a_sync_program_does_not_import_asyncio_or_tenacity() -> None:
    loaded = _modules_after(
        "from infobip_profiles import ProfilesClient, Person, PersonRef, NotFoundError\n"
        "import infobip_profiles\n"
        "client = ProfilesClient('k', 'https://acme.api.infobip.com')\n"
        "client.people  # the resource, as a first call builds it\n"
        "client.close()\n"
    )

    assert "infobip_profiles._client" in loaded  # the probe did load the client
    assert "asyncio" not in loaded
    assert "tenacity" not in loaded
    assert "infobip_profiles.testing" not in loaded


def test_importing_the_package_alone_loads_no_client() -> None:
    loaded = _modules_after("import infobip_profiles")

    assert "infobip_profiles._client" not in loaded
    assert "httpx" not in loaded


def test_the_async_client_still_brings_asyncio() -> None:
    loaded = _modules_after(
        "from infobip_profiles import AsyncProfilesClient\n"
        "AsyncProfilesClient('k', 'https://acme.api.infobip.com')\n"
    )

    assert "asyncio" in loaded


def test_every_public_name_resolves_to_its_defining_object() -> None:
    import importlib

    where = infobip_profiles._WHERE
    for name in infobip_profiles.__all__:
        value = getattr(infobip_profiles, name)
        if name != "__version__":
            module = importlib.import_module(where[name], "infobip_profiles")
            assert value is getattr(module, name), name
    assert set(infobip_profiles.__all__) <= set(dir(infobip_profiles))


def test_star_import_gives_every_public_name() -> None:
    namespace: dict[str, object] = {}
    exec("from infobip_profiles import *", namespace)

    assert set(infobip_profiles.__all__) <= set(namespace)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_name"):
        infobip_profiles.no_such_name  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(ImportError):
        exec("from infobip_profiles import no_such_name")


def test_type_checkers_see_exactly_the_lazy_names() -> None:
    """The ``TYPE_CHECKING`` imports, ``__all__`` and the lazy table name the same things, from the
    same modules, so mypy and IDEs see what run time gives."""
    tree = ast.parse(PACKAGE_INIT.read_text())
    guarded = next(
        node
        for node in tree.body
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
    )
    seen = {
        alias.name: "." * node.level + (node.module or "")
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }

    assert seen == infobip_profiles._WHERE
    assert set(infobip_profiles.__all__) == set(seen) | {"__version__"}


def test_the_models_table_names_every_model_from_its_module() -> None:
    """``infobip_profiles.models`` lists each submodule's ``__all__`` (a name added to one must be
    added to the table), and each name resolves to that submodule's object."""
    import importlib

    from infobip_profiles import models

    exported: dict[str, object] = {}
    for path in sorted(Path(models.__file__).parent.glob("_*.py")):
        if path.stem == "__init__":
            continue
        module = importlib.import_module(f"infobip_profiles.models.{path.stem}")
        for name in getattr(module, "__all__", []):
            exported.setdefault(name, getattr(module, name))

    assert set(models._WHERE) == set(exported)
    assert models.__all__ == list(models._WHERE)
    for name, value in exported.items():
        assert getattr(models, name) is value, name


def test_a_model_loads_only_its_own_module() -> None:
    loaded = _modules_after("from infobip_profiles import Person")

    assert "infobip_profiles.models._people" in loaded
    assert "infobip_profiles.models._events" not in loaded
    assert "infobip_profiles._client" not in loaded
