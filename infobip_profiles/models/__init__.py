"""attrs model classes for everything the API carries (also re-exported at the top level).

Attributes are snake_case; the wire is camelCase; one cattrs converter converts. Fields you leave
unset are not sent. Dates are :class:`datetime.date`, timestamps timezone-aware
:class:`datetime.datetime` in UTC. Unknown response fields are ignored, and an enum value this
version does not know is kept as a plain string.
"""

from ._attributes import *  # noqa: F403
from ._attributes import __all__ as _attributes_all
from ._companies import *  # noqa: F403
from ._companies import __all__ as _companies_all
from ._events import *  # noqa: F403
from ._events import __all__ as _events_all
from ._lists import *  # noqa: F403
from ._lists import __all__ as _lists_all
from ._people import *  # noqa: F403
from ._people import __all__ as _people_all
from ._push import *  # noqa: F403
from ._push import __all__ as _push_all
from ._segments import *  # noqa: F403
from ._segments import __all__ as _segments_all
from ._tags import *  # noqa: F403
from ._tags import __all__ as _tags_all

__all__ = [
    *_people_all,
    *_companies_all,
    *_tags_all,
    *_attributes_all,
    *_lists_all,
    *_push_all,
    *_segments_all,
    *_events_all,
]
