"""Prism (``@stoplight/prism-cli``), the independent mock server of the spec: finding it, the
document it serves, and running ``prism mock`` on loopback for a test."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests._support import paths
from tests._support.served import stop_process
from tests._support.spec_validation import normalized_document

#: The key Prism is called with (it accepts any).
KEY = "prism-key"


def prism_binary() -> str | None:
    """Where Prism is: ``$PRISM_BIN``, the CI install in ``.ci/node_modules``, or PATH."""
    for candidate in (
        os.environ.get("PRISM_BIN"),
        str(paths.ROOT / ".ci" / "node_modules" / ".bin" / "prism"),
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("prism")


def prism_document() -> dict[str, Any]:
    """The spec as Prism gets it: normalized, and with array examples that are arrays.

    The spec's only example of the tag list is one tag object where its schema says an array;
    Prism would serve it as is. Such examples are wrapped in a list.
    """
    document = normalized_document()
    schemas = document["components"]["schemas"]

    def is_array(schema: Any) -> bool:
        if not isinstance(schema, dict):
            return False
        if "$ref" in schema:
            return is_array(schemas.get(schema["$ref"].rsplit("/", 1)[-1]))
        return schema.get("type") == "array" or any(is_array(s) for s in schema.get("allOf", []))

    for item in document["paths"].values():
        for op in item.values():
            for resp in op.get("responses", {}).values() if isinstance(op, dict) else ():
                for media in (resp.get("content") or {}).values():
                    if not is_array(media.get("schema")):
                        continue
                    for example in (media.get("examples") or {}).values():
                        if isinstance(example.get("value"), dict):
                            example["value"] = [example["value"]]
                    if isinstance(media.get("example"), dict):
                        media["example"] = [media["example"]]
    return document


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def prism_mock(binary: str, spec_file: Path) -> Iterator[str]:
    """``prism mock`` of ``spec_file`` on a free loopback port; yields its base URL once it
    answers, and stops it after. Fails the test if it exits or is not listening within 90 s."""
    port = _free_port()
    log = open(os.devnull, "w")  # noqa: SIM115 - closed below, after the process
    proc = subprocess.Popen(
        [binary, "mock", "-h", "127.0.0.1", "-p", str(port), str(spec_file)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"prism exited with {proc.returncode} before listening", pytrace=False)
            with contextlib.suppress(httpx.TransportError):
                httpx.get(url + "/people/2/tags", headers={"Authorization": f"App {KEY}"})
                break
            if time.monotonic() > deadline:
                pytest.fail("prism did not start listening within 90 s", pytrace=False)
            time.sleep(0.3)
        yield url
    finally:
        stop_process(proc)
        log.close()
