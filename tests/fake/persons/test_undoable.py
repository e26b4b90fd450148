"""``persons.undoable()`` puts the persons engine back as it was when its block raises, by undoing
what the block changed (the push login's forced depersonalize and lead take-over use it instead
of copying every person). Random writes of every kind run inside a block that then fails; the
engine must equal a copy taken before, indexes included, and keep working.
"""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infobip_profiles.testing import FakeClock, FakeProfiles
from infobip_profiles.testing.engine._domain import DomainError
from infobip_profiles.testing.engine.persons import PersonsEngine

EMAILS = ["a@x.com", "A@X.com", "b@x.com", "c@x.com"]
TAGS = ["vip", "VIP", "beta"]


class Boom(Exception):
    pass


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if draw(st.booleans()):
        body["externalId"] = draw(st.sampled_from(["e1", "e2", "e3"]))
    if draw(st.booleans()):
        body["firstName"] = draw(st.sampled_from(["Ada", "Bob"]))
    if draw(st.booleans()):
        body["city"] = draw(st.sampled_from(["Zagreb", "Split"]))
    if draw(st.booleans()):
        body["tags"] = draw(st.lists(st.sampled_from(TAGS), max_size=2))
    if draw(st.booleans()):
        body["contactInformation"] = {"email": [{"address": draw(st.sampled_from(EMAILS))}]}
    return body


OPS = [
    "create",
    "update",
    "replace",
    "delete",
    "merge",
    "take_over",
    "add_push",
    "remove_push",
    "tag",
    "untag",
    "upsert",
    "profile",
]


def apply(fake: FakeProfiles, data: st.DataObject, count: int) -> None:
    engine = fake.tenant().persons
    for i in range(count):
        op = data.draw(st.sampled_from(OPS))
        ids = engine.ids()
        pid = data.draw(st.sampled_from(ids)) if ids else None
        other = data.draw(st.sampled_from(ids)) if ids else None
        with contextlib.suppress(DomainError):
            if op == "create":
                engine.create({"externalId": f"n{len(ids)}-{i}", **data.draw(bodies())})
            elif op == "profile":
                engine.create_profile(person_type="LEAD", origin="PUSH")
            elif op == "upsert":
                body = data.draw(bodies())
                item = {k: v for k, v in body.items() if k != "contactInformation"}
                item.setdefault("externalId", f"u{i}")
                engine.upsert([item], full=False)
            elif pid is None:
                continue
            elif op == "update":
                engine.update(pid, data.draw(bodies()))
            elif op == "replace":
                engine.replace(pid, {"externalId": f"r{pid}", **data.draw(bodies())})
            elif op == "delete":
                engine.delete(pid)
            elif op == "merge" and other is not None and other != pid:
                engine.merge(pid, [other])
            elif op == "take_over" and other is not None and other != pid:
                engine.take_over(pid, other)
            elif op == "add_push":
                reg = data.draw(st.sampled_from(["r1", "r2"]))
                engine.add_push(pid, {"registrationId": reg, "applicationId": "app"})
            elif op == "remove_push":
                engine.remove_push(pid, data.draw(st.sampled_from(["r1", "r2"])))
            elif op == "tag":
                name = data.draw(st.sampled_from(TAGS))
                fake.tenant().tags.ensure([name])
                engine.add_tag(pid, fake.tenant().tags.canonical([name])[0])
            elif op == "untag":
                engine.remove_tag(pid, data.draw(st.sampled_from(TAGS)))


def picture(engine: PersonsEngine) -> dict[str, Any]:
    engine.check_indexes()
    return {
        "persons": engine.snapshot(),
        "order": engine.ids(),
        "rev": engine._rev,
        "indexes": copy.deepcopy(
            [
                engine._by_external,
                engine._by_email,
                engine._by_phone,
                engine._by_push,
                engine._by_channel,
                engine._by_value,
                engine._odd_emails,
            ]
        ),
    }


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_failed_block_leaves_the_persons_as_they_were(data: st.DataObject) -> None:
    fake = FakeProfiles("k")
    engine = fake.tenant().persons
    apply(fake, data, data.draw(st.integers(0, 12), label="before"))
    before = picture(engine)

    def fail_inside() -> None:
        with engine.undoable():
            apply(fake, data, data.draw(st.integers(1, 10), label="inside"))
            raise Boom

    with pytest.raises(Boom):
        fail_inside()
    assert picture(engine) == before
    # Still a working engine: the same writes now succeed and keep the indexes right.
    apply(fake, data, 5)
    engine.check_indexes()


def test_a_block_that_succeeds_keeps_what_it_wrote() -> None:
    clock = FakeClock(frozen=True)  # both fakes stamp the same times
    inside, outside = FakeProfiles("k", clock=clock), FakeProfiles("k", clock=clock)
    for fake, block in ((inside, True), (outside, False)):
        engine = fake.tenant().persons
        first = engine.create({"externalId": "keep", "tags": ["vip"]})["id"]
        with engine.undoable() if block else contextlib.nullcontext():
            second = engine.create({"externalId": "new", "firstName": "Ada"})["id"]
            engine.update(first, {"city": "Split"})
            engine.add_push(second, {"registrationId": "r1", "applicationId": "app"})
            engine.merge(first, [second])
    assert picture(inside.tenant().persons) == picture(outside.tenant().persons)
    assert inside.tenant().persons._journal is None


def test_blocks_do_not_nest() -> None:
    engine = FakeProfiles("k").tenant().persons
    with engine.undoable(), pytest.raises(RuntimeError), engine.undoable():
        pass


def test_a_refused_forced_login_changes_nothing(wire: Any) -> None:
    fake = wire.fake
    reg = fake.register_device(app_code="app-1", cloud_type="APNS", os="iOS")
    fake.seed(
        people=[{"firstName": "Bob", "contactInformation": {"email": [{"address": "b@x.com"}]}}]
    )
    path = f"/people/2/contactInformation/push/{reg}/personalize"
    headers = {"AppCode": "app-1"}
    first = wire.post(path, json={"identity": {"email": "ada@x.com"}}, headers=headers)
    assert first.status_code == 200
    before = fake.people()

    # The device's person is identified, so the device is first detached to a new lead; then
    # the login's attributes are refused: the detaching is undone too.
    refused = wire.post(
        path,
        json={"identity": {"email": "b@x.com"}, "attributes": {"firstName": "Bad<name>"}},
        params={"forceDepersonalize": "true"},
        headers=headers,
    )

    assert refused.status_code == 400
    assert fake.people() == before
    persons = fake.tenant().persons
    persons.check_indexes()
    assert persons.resolve("PUSH", reg) == persons.resolve("EMAIL", "ada@x.com")
