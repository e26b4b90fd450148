"""Stub handlers' bookkeeping: tests that replace a fake handler with a stub write record what
the stub received in the tenant, and read it back here."""

from __future__ import annotations

from typing import Any

from infobip_profiles.testing import FakeProfiles
from infobip_profiles.testing._context import Context

_WRITES = "stub_writes"


def record_write(ctx: Context) -> Any:
    """Append the request's JSON body to the tenant's stub writes; return the body."""
    body = ctx.json()
    ctx.state.__dict__.setdefault(_WRITES, []).append(body)
    return body


def stored(fake: FakeProfiles, api_key: str | None = None) -> list[Any]:
    """What stub writes recorded in a tenant (the default key's when ``api_key`` is ``None``)."""
    return list(fake.tenant(api_key).__dict__.get(_WRITES, []))
