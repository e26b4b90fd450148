"""The fake's history holds ``RecordedCall`` entries (the old name ``Call`` still resolves, with a
warning): one name for the fake's record, another for the client's plan step."""

from __future__ import annotations

import importlib
import warnings

import pytest

from infobip_profiles import ProfilesClient
from infobip_profiles._plan import Call as PlanStep
from infobip_profiles.testing import FakeProfiles, RecordedCall


def test_the_history_holds_recorded_calls(fake: FakeProfiles, client: ProfilesClient) -> None:
    client.tags.create("vip")
    last = fake.calls.last
    assert type(last) is RecordedCall
    assert last.op_id == "create-a-new-tag"
    assert last.status == 200
    assert all(type(call) is RecordedCall for call in fake.calls)
    assert RecordedCall is not PlanStep


def test_the_old_name_still_works_with_a_warning() -> None:
    module = importlib.import_module("infobip_profiles.testing._calls")
    with pytest.warns(DeprecationWarning, match="RecordedCall"):
        old = module.Call
    assert old is RecordedCall
    assert "Call" not in module.__all__
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # other names raise AttributeError, without a warning
        with pytest.raises(AttributeError):
            module.NoSuchName  # noqa: B018
