"""Stateful property test: after any sequence of person operations, every index of the persons
engine agrees with a full scan, and every stored identifier resolves to its owner.

The operations go through the engine's public entry points (the same ones the handlers call), so
rejected writes are exercised too: they must leave the indexes untouched.
"""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from infobip_profiles.testing import FakeProfiles, SeedError
from infobip_profiles.testing.engine._domain import DomainError

EXTERNAL_IDS = st.sampled_from(["e1", "e2", "e3", "e4"])
EMAILS = st.sampled_from(["a@x.com", "A@X.com", "b@x.com", "c@x.com", "d@x.com"])
PHONES = st.sampled_from(["41793026721", "+41793026721", "41793026722", "41793026723"])
NAMES = st.sampled_from(["Ada", "Bob", None])
TAGS = st.lists(st.sampled_from(["vip", "VIP", "beta"]), max_size=2)


@st.composite
def bodies(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if draw(st.booleans()):
        body["externalId"] = draw(EXTERNAL_IDS)
    name = draw(NAMES)
    if name is not None:
        body["firstName"] = name
    city = draw(st.sampled_from(["Zagreb", "zagreb", None]))
    if city is not None:
        body["city"] = city
    contacts: dict[str, Any] = {}
    if draw(st.booleans()):
        contacts["email"] = [{"address": e} for e in draw(st.lists(EMAILS, max_size=2))]
    if draw(st.booleans()):
        contacts["phone"] = [{"number": p} for p in draw(st.lists(PHONES, max_size=2))]
    if contacts:
        body["contactInformation"] = contacts
    if draw(st.booleans()):
        body["tags"] = draw(TAGS)
    return body


def v3_item(body: dict[str, Any]) -> dict[str, Any]:
    item = {k: v for k, v in body.items() if k != "contactInformation"}
    contacts = body.get("contactInformation") or {}
    item["contactInformation"] = [
        {"type": "EMAIL", "identifier": e["address"]} for e in contacts.get("email", [])
    ] + [{"type": "PHONE", "identifier": p["number"]} for p in contacts.get("phone", [])]
    return item


class PersonsIndexes(RuleBasedStateMachine):
    """Random creates, edits, contact calls, upserts, merges, pushes and deletes."""

    def __init__(self) -> None:
        super().__init__()
        self.fake = FakeProfiles("k")
        self.engine = self.fake.tenant().persons

    def some_id(self, data: st.DataObject) -> int | None:
        ids = self.engine.ids()
        return data.draw(st.sampled_from(ids)) if ids else None

    def attempt(self, fn: Any, *args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except DomainError as err:
            if err.status not in (400, 404, 409):
                raise

    @rule(body=bodies())
    def create(self, body: dict[str, Any]) -> None:
        self.attempt(self.engine.create, body)

    @rule(data=st.data(), body=bodies())
    def replace(self, data: st.DataObject, body: dict[str, Any]) -> None:
        pid = self.some_id(data)
        if pid is not None:
            self.attempt(self.engine.replace, pid, body)

    @rule(data=st.data(), body=bodies())
    def update(self, data: st.DataObject, body: dict[str, Any]) -> None:
        pid = self.some_id(data)
        if pid is not None:
            self.attempt(self.engine.update, pid, body)

    @rule(data=st.data(), body=bodies(), mode=st.sampled_from(["put", "patch", "delete"]))
    def contacts(self, data: st.DataObject, body: dict[str, Any], mode: str) -> None:
        pid = self.some_id(data)
        if pid is not None:
            payload = {"contactInformation": body.get("contactInformation", {})}
            self.attempt(self.engine.contacts, pid, payload, mode)

    @rule(items=st.lists(bodies(), min_size=1, max_size=3), full=st.booleans())
    def upsert(self, items: list[dict[str, Any]], full: bool) -> None:
        self.engine.upsert([v3_item(b) for b in items], full=full)

    @rule(items=st.lists(bodies(), min_size=1, max_size=2))
    def merge_v3(self, items: list[dict[str, Any]]) -> None:
        self.engine.merge_v3([v3_item(b) for b in items])

    @rule(data=st.data())
    def merge(self, data: st.DataObject) -> None:
        ids = self.engine.ids()
        if len(ids) >= 2:
            chosen = data.draw(st.lists(st.sampled_from(ids), min_size=2, max_size=3, unique=True))
            self.engine.merge(chosen[0], chosen[1:])

    @rule(data=st.data(), reg=st.sampled_from(["r1", "r2"]))
    def add_push(self, data: st.DataObject, reg: str) -> None:
        pid = self.some_id(data)
        if pid is not None:
            self.engine.add_push(pid, {"registrationId": reg, "applicationId": "app"})

    @rule(data=st.data(), reg=st.sampled_from(["r1", "r2"]))
    def remove_push(self, data: st.DataObject, reg: str) -> None:
        pid = self.some_id(data)
        if pid is not None:
            self.engine.remove_push(pid, reg)

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        pid = self.some_id(data)
        if pid is not None:
            self.engine.delete(pid)

    @rule(data=st.data(), name=st.sampled_from(["vip", "VIP", "beta"]), add=st.booleans())
    def tag_one(self, data: st.DataObject, name: str, add: bool) -> None:
        pid = self.some_id(data)
        if pid is None:
            return
        if add:
            self.fake.tenant().tags.ensure([name])
            self.engine.add_tag(pid, self.fake.tenant().tags.canonical([name])[0])
        else:
            self.engine.remove_tag(pid, name)

    @rule(people=st.lists(bodies(), min_size=1, max_size=3))
    def seed(self, people: list[dict[str, Any]]) -> None:
        with contextlib.suppress(SeedError):
            self.fake.seed(people=people)

    @rule(name=st.sampled_from(["vip", "beta"]))
    def delete_tag(self, name: str) -> None:
        self.attempt(self.fake.tenant().tags.delete, name)

    @invariant()
    def indexes_agree_with_a_scan(self) -> None:
        self.engine.check_indexes()

    @invariant()
    def every_identifier_resolves_to_its_owner(self) -> None:
        for person in self.engine.snapshot():
            pid = person["id"]
            if "externalId" in person:
                assert self.engine.resolve("EXTERNAL_ID", person["externalId"]) == pid
            for email in person["contactInformation"]["email"]:
                assert self.engine.resolve("EMAIL", email["address"].upper()) == pid
            for phone in person["contactInformation"]["phone"]:
                assert self.engine.resolve("PHONE", phone["number"]) == pid
            for reg in person["contactInformation"].get("push", []):
                assert self.engine.resolve("PUSH", reg["registrationId"]) == pid


PersonsIndexes.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
test_persons_indexes = PersonsIndexes.TestCase
