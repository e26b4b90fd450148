"""The API reference shows what users call: public signatures with the types they return, no
private parameters or classes (docs/_hooks/api_reference.py renders them into the pages)."""

from __future__ import annotations

import re

import pytest

from infobip_profiles import AsyncProfilesClient, ProfilesClient
from tests._support import paths

ROOT = paths.ROOT
api_reference = paths.load_script("docs/_hooks/api_reference.py")

PAGE = (ROOT / "docs/reference/resources.md").read_text(encoding="utf-8")
RENDERED = api_reference.on_page_markdown(PAGE)


def test_every_resource_method_of_the_client_is_in_the_reference() -> None:
    with ProfilesClient(api_key="k", base_url="https://x.api.infobip.com") as client:
        for resource in ("people", "companies", "tags", "custom_attributes", "lists", "events",
                         "push", "segments"):  # fmt: skip
            methods = [m for m in dir(getattr(client, resource)) if not m.startswith("_")]
            for method in methods:
                if method == "with_raw_response":
                    continue
                assert f"### `client.{resource}.{method}`" in RENDERED, (resource, method)


def test_signatures_show_what_the_methods_return_and_nothing_private() -> None:
    assert "def ensure(name: str, **options: CallOptions) -> Tag" in RENDERED
    assert "-> Pager[Tag]" in RENDERED
    assert not re.search(r"Plan\[|PageSpec\[|_[A-Z][A-Za-z]+Plans|<!-- resource-methods", RENDERED)


@pytest.mark.parametrize("cls", [ProfilesClient, AsyncProfilesClient])
def test_the_client_constructor_is_shown_without_private_parameters(cls: type) -> None:
    page = (ROOT / "docs/reference/client.md").read_text(encoding="utf-8")

    rendered = api_reference.on_page_markdown(page)

    assert f"{cls.__name__}(\n    api_key: str | None = None," in rendered
    assert "_shared" not in rendered
