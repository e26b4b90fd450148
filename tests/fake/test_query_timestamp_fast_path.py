"""The filter's reading of a stored timestamp: the shortcut for the v2 wire form against the
strict parser it stands in for.

Text of the v2 form's shape (19 characters, a ``T`` in the middle) skips the strict parser's
pattern; whatever the text, the result must be the strict parser's: the same moment, or ``None``
for a text the documented forms do not cover (an offset without seconds, a fraction in place of
the seconds), on every supported Python (``datetime.fromisoformat`` accepts more from 3.11 on).
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from infobip_profiles.testing.engine.query import _parse_datetime_text, _strict_datetime

_CHARS = st.sampled_from([*"0123456789", "-", ":", "+", ".", "Z", "T", " ", "W", "٣"])


@st.composite
def v2_shaped(draw: st.DrawFn) -> str:
    """A 19-character text with ``T`` at index 10, mostly close to ``yyyy-MM-ddTHH:mm:ss``."""
    base = list(draw(st.sampled_from(["2026-03-04T05:06:07", "1999-12-31T23:59:59"])))
    for _ in range(draw(st.integers(0, 3))):
        base[draw(st.integers(0, 18))] = draw(_CHARS)
    base[10] = "T"
    return "".join(base)


@given(text=st.one_of(v2_shaped(), st.text(_CHARS, min_size=19, max_size=19)))
@example(text="2026-01-01T00:00+01")
@example(text="2026-01-01T00:00.50")
@example(text="2026-01-01T00:00:00")
@example(text="2026-W01-1T05:06:07")
@settings(max_examples=500)
def test_a_stored_timestamp_reads_as_the_strict_parser_reads_it(text: str) -> None:
    assert _parse_datetime_text(text) == _strict_datetime(text)
