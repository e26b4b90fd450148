"""The fake Customer Profiles service, for tests that run offline.

``FakeProfiles`` holds the state and semantics of the real service and reaches your code through an
in-process httpx transport (``client()``, ``async_client()``), a real HTTP server on loopback
(``serve()``) or a respx hook (``patch()``).
"""

from ._calls import RecordedCall, UnknownOperationError
from ._clock import FakeClock
from ._fake import FakeProfiles
from ._seed import Seeded, SeedError
from ._simulate import SimulatedProfile, SimulatedSession
from ._state import StateFileError
from ._wire import FakeRequest, FakeResponse

__all__ = [
    "FakeClock",
    "FakeProfiles",
    "FakeRequest",
    "FakeResponse",
    "RecordedCall",
    "SeedError",
    "Seeded",
    "SimulatedProfile",
    "SimulatedSession",
    "StateFileError",
    "UnknownOperationError",
]
