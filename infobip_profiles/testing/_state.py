"""One tenant's state: every engine, keyed by nothing but the API key that owns it.

Also the state file of ``fake-server --state FILE``: every tenant's state, pickled under the
fingerprint of its key (never the key itself), written atomically. Only load state files your own
fake wrote: like any pickle, a state file can run code when it is read.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import pickle
import tempfile
import threading
import uuid
import zlib
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

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
    from .engine._hooks import PersonHooks

__all__ = [
    "STATE_MAGIC",
    "StateFileError",
    "StateSaver",
    "TenantState",
    "dump_states",
    "load_states",
    "load_state_file",
    "write_atomically",
]

log = logging.getLogger("infobip_profiles.testing")


class TenantState:
    """All data of one API key. Engines reach each other through it (a tag delete touches persons)."""

    #: The attribute name of every engine, in the order they are made.
    ENGINES = ("attributes", "tags", "persons", "companies", "lists", "events", "push", "segments")

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
    # The persons engine calls these; the engines that keep something per person implement
    # ``PersonHooks`` (engine/_hooks.py) to stay consistent: company membership follows, events
    # move to the primary. Push registrations live on the person itself; tags, attributes and
    # lists are stored on the person or read through it; segments are evaluated live.

    def person_deleted(self, person_id: int) -> None:
        """Tell every engine that keeps something per person that ``person_id`` is gone."""
        for engine in self._dependents():
            engine.person_deleted(person_id)

    def persons_merged(self, primary_id: int, secondary_ids: list[int]) -> None:
        """Tell every engine that keeps something per person that ``secondary_ids`` were merged
        into ``primary_id``."""
        for engine in self._dependents():
            engine.persons_merged(primary_id, secondary_ids)

    def _dependents(self) -> tuple[PersonHooks, ...]:
        return (self.companies, self.events)


# -- persistence: the state file of ``fake-server --state FILE`` -----------------------------------

#: First line of every state file: what it is and the layout's version.
STATE_MAGIC = b"infobip-profiles fake state v1\n"


class StateFileError(Exception):
    """A state file that cannot be read back (not one, another version, damaged)."""


class _Pickler(pickle.Pickler):
    """Pickles tenant states without the clock they share (the loading fake brings its own)."""

    def __init__(self, file: Any, clock: FakeClock) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self._clock = clock

    def persistent_id(self, obj: Any) -> str | None:
        return "clock" if obj is self._clock else None


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: Any, clock: FakeClock) -> None:
        super().__init__(file)
        self._clock = clock

    def persistent_load(self, pid: Any) -> Any:
        if pid != "clock":
            raise pickle.UnpicklingError(f"unknown persistent id {pid!r}")
        return self._clock


def dump_states(
    states: Mapping[str, TenantState],
    clock: FakeClock,
    clock_setting: Any,
    tokens: Mapping[str, tuple[str, float]] | None = None,
) -> bytes:
    """The bytes of a state file holding ``states`` (keyed by tenant fingerprint) and the
    issued bearer tokens (``TokenStore.saved``: hashes and fingerprints only)."""
    buffer = io.BytesIO()
    buffer.write(STATE_MAGIC)
    content = {"tenants": dict(states), "clock": clock_setting, "tokens": dict(tokens or {})}
    _Pickler(buffer, clock).dump(content)
    return buffer.getvalue()


def load_states(data: bytes, clock: FakeClock) -> tuple[dict[str, TenantState], Any]:
    """Tenant states (by fingerprint) and the clock setting read from a state file's bytes."""
    tenants, setting, _ = load_state_file(data, clock)
    return tenants, setting


def load_state_file(data: bytes, clock: FakeClock) -> tuple[dict[str, TenantState], Any, Any]:
    """Like :func:`load_states`, plus the issued tokens the file keeps (``{}`` for a file
    written before it kept any)."""
    if not data.startswith(STATE_MAGIC):
        raise StateFileError("not a state file of this fake (or of another version)")
    try:
        content = _Unpickler(io.BytesIO(data[len(STATE_MAGIC) :]), clock).load()
    except Exception as exc:  # a damaged pickle raises almost anything
        raise StateFileError(
            f"the state file is damaged, or was written by another version of infobip-profiles "
            f"({type(exc).__name__})"
        ) from None
    if not isinstance(content, dict) or not isinstance(content.get("tenants"), dict):
        raise StateFileError("the state file holds no tenants")
    tenants = content["tenants"]
    if not all(isinstance(v, TenantState) for v in tenants.values()):
        raise StateFileError("the state file holds something other than tenant states")
    return tenants, content.get("clock"), content.get("tokens", {})


def write_atomically(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``path`` with ``data`` all at once: a temporary file beside it, flushed to disk,
    then renamed over it. A crash at any moment leaves the old file or the new one, whole."""
    target = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(target))
    fd, temp = tempfile.mkstemp(prefix=".fake-state-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable where the OS allows
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


class StateSaver:
    """Writes a fake's state to a file every ``interval`` seconds, and once more on :meth:`stop`.

    Used by ``fake-server --state FILE``; see :meth:`FakeProfiles.save_state`. A failed write is
    logged and retried at the next interval; it never stops the server.
    """

    def __init__(self, save: Callable[[], None], interval: float) -> None:
        if not interval > 0:
            raise ValueError("the save interval must be a positive number of seconds")
        self._save = save
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="fake-state-saver", daemon=True)

    def start(self) -> None:
        """Start saving in a daemon thread."""
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._save()
            except Exception:
                log.exception("fake: saving the state file failed; retrying in %ss", self._interval)

    def stop(self) -> None:
        """Stop the thread and save one last time (errors propagate)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        self._save()
