"""A client generated from the same spec by ``openapi-python-client``, built at run time.

The generator is installed from PyPI into a virtualenv under the system's temporary folder (kept
between runs, so only the first run downloads it), and the client is generated into a fresh
temporary folder that is deleted afterwards. Nothing generated is ever committed. When any step
fails, :class:`Unavailable` carries the reason so the figure can say why it is missing.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import subprocess
import sys
import tempfile
import venv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["Unavailable", "generated_person_decoder", "spec_path"]

PACKAGE = "opc_people_bench"
GENERATOR = "openapi-python-client"


class Unavailable(Exception):
    """The generated client could not be built here; the message says why."""


def spec_path() -> Path:
    """The OpenAPI spec: ``$INFOBIP_PROFILES_SPEC``, else ``../shared/spec/people-openapi.json``."""
    override = os.environ.get("INFOBIP_PROFILES_SPEC")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "shared" / "spec" / "people-openapi.json"


def _run(cmd: list[str], what: str, timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise Unavailable(f"{what} failed: {exc}") from None
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise Unavailable(f"{what} failed (exit {done.returncode}): {' | '.join(tail)}")
    return done


def _generator() -> tuple[Path, str]:
    """The generator's executable (installing it first if needed) and its version."""
    home = Path(tempfile.gettempdir()) / "infobip-profiles-bench" / "opc-venv"
    bindir = home / ("Scripts" if os.name == "nt" else "bin")
    exe = bindir / GENERATOR
    python = bindir / "python"
    if not exe.exists():
        venv.create(home, with_pip=True, clear=True)
        _run(
            [str(python), "-m", "pip", "install", "-q", GENERATOR],
            f"pip install {GENERATOR} from PyPI",
            timeout=900,
        )
    version = _run([str(python), "-m", "pip", "show", GENERATOR], "pip show", timeout=120).stdout
    number = next(
        (
            line.split(":", 1)[1].strip()
            for line in version.splitlines()
            if line.startswith("Version")
        ),
        "unknown",
    )
    return exe, number


@contextlib.contextmanager
def generated_person_decoder(
    spec: Path | None = None,
) -> Iterator[tuple[Callable[[dict[str, Any]], Any], dict[str, Any]]]:
    """Yield ``(decode, info)``: ``decode`` turns one wire person into the generated model.

    ``info`` records the generator version and the warnings it printed about the spec.
    """
    spec = spec or spec_path()
    if not spec.exists():
        raise Unavailable(f"the spec is not at {spec} (set INFOBIP_PROFILES_SPEC)")
    exe, version = _generator()
    with tempfile.TemporaryDirectory(prefix="opc-generated-") as tmp:
        config = Path(tmp) / "config.json"
        config.write_text(json.dumps({"post_hooks": []}))  # no ruff run on the generated code
        out = Path(tmp) / PACKAGE
        done = _run(
            [
                str(exe),
                "generate",
                "--path",
                str(spec),
                "--output-path",
                str(out),
                "--meta",
                "none",
                "--config",
                str(config),
            ],
            f"{GENERATOR} generate",
            timeout=600,
        )
        warnings = sum(
            1 for line in (done.stdout + done.stderr).splitlines() if line.startswith("WARNING")
        )
        sys.path.insert(0, tmp)
        try:
            try:
                module = importlib.import_module(f"{PACKAGE}.models.iam_person_v2")
            except Exception as exc:
                raise Unavailable(f"the generated client does not import: {exc!r}") from None
            model = module.IamPersonV2
            yield (
                model.from_dict,
                {
                    "generator": f"{GENERATOR} {version}",
                    "generated_model": "IamPersonV2.from_dict",
                    "generator_warnings": warnings,
                },
            )
        finally:
            sys.path.remove(tmp)
            for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
                del sys.modules[name]
