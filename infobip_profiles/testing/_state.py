"""One tenant's state: every engine, keyed by nothing but the API key that owns it."""

from __future__ import annotations

import uuid
import zlib
from typing import TYPE_CHECKING

from .engine.attributes import AttributesEngine
from .engine.companies import CompaniesEngine
from .engine.events import EventsEngine
from .engine.lists import ListsEngine
from .engine.persons import PersonsEngine
from .engine.push import PushEngine
from .engine.segments import SegmentsEngine
from .engine.tags import TagsEngine

if TYPE_CHECKING:
    from ._clock import FakeClock

__all__ = ["TenantState"]


class TenantState:
    """All data of one API key. Engines reach each other through it (a tag delete touches persons)."""

    def __init__(self, clock: FakeClock, tenant_index: int = 0) -> None:
        self.clock = clock
        self._tenant_index = tenant_index
        # Plain ints, not itertools.count: tenant state is deep-copied (seeding is atomic) and
        # itertools objects lose copy support in Python 3.14.
        self._counters: dict[str, int] = {}
        self.attributes = AttributesEngine(self)
        self.tags = TagsEngine(self)
        self.persons = PersonsEngine(self)
        self.companies = CompaniesEngine(self)
        self.lists = ListsEngine(self)
        self.events = EventsEngine(self)
        self.push = PushEngine(self)
        self.segments = SegmentsEngine(self)

    def next_id(self, kind: str, start: int = 1) -> int:
        """The next deterministic integer id of ``kind`` (persons, companies, tags...)."""
        value = self._counters.get(kind, start)
        self._counters[kind] = value + 1
        return value

    def next_uuid(self, kind: str = "uuid") -> str:
        """A deterministic UUID (version 4 layout) for list items, events, exports, segments."""
        n = self.next_id("uuid:" + kind)
        value = (self._tenant_index << 96) | (zlib.crc32(kind.encode()) & 0xFFFF) << 64 | n
        return str(uuid.UUID(int=value & ((1 << 128) - 1), version=4))

    # -- cross-engine notifications ---------------------------------------------------------------
    # The persons engine calls these; every other engine may define ``person_deleted(pid)`` and
    # ``persons_merged(primary_id, secondary_ids)`` to keep what it holds per person consistent
    # (events move to the primary, company membership and push registrations follow, ...).

    def person_deleted(self, person_id: int) -> None:
        """Tell every other engine that ``person_id`` is gone."""
        for engine in self._dependents():
            hook = getattr(engine, "person_deleted", None)
            if callable(hook):
                hook(person_id)

    def persons_merged(self, primary_id: int, secondary_ids: list[int]) -> None:
        """Tell every other engine that ``secondary_ids`` were merged into ``primary_id``."""
        for engine in self._dependents():
            hook = getattr(engine, "persons_merged", None)
            if callable(hook):
                hook(primary_id, secondary_ids)

    def _dependents(self) -> tuple[object, ...]:
        return (
            self.attributes,
            self.tags,
            self.companies,
            self.lists,
            self.events,
            self.push,
            self.segments,
        )
