"""Checks shared by the tests of the compact outcome stores: a store must read exactly as the
tuple of the outcome objects it was given."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import strategies as st


def deep(value: Any) -> Any:
    """A value with its type, down into attrs objects and tuples (an equal ``str`` subclass is
    not the same; an error compares by its class and text, as a pickled copy is another object)."""
    if isinstance(value, Exception):
        return (type(value), str(value))
    if attrs.has(type(value)):
        return (
            type(value),
            tuple(deep(getattr(value, f.name)) for f in attrs.fields(type(value))),
        )
    if isinstance(value, tuple):
        return (tuple, tuple(deep(v) for v in value))
    return (type(value), value)


def same(left: Any, right: Any) -> None:
    """``left`` and ``right`` hold the same outcomes, types and every field included."""
    assert [deep(x) for x in left] == [deep(x) for x in right]


def reads_as_tuple(store: Any, plain: tuple[Any, ...], data: st.DataObject) -> None:
    """``store`` reads as ``plain``: length, every index (negative ones too), a drawn slice,
    equality both ways, ``repr``, and an index past the end."""
    assert len(store) == len(plain)
    same(store, plain)
    same(
        [store[i] for i in range(-len(plain), len(plain))],
        [plain[i] for i in range(-len(plain), len(plain))],
    )
    start = data.draw(st.integers(-len(plain) - 1, len(plain) + 1), label="start")
    stop = data.draw(st.integers(-len(plain) - 1, len(plain) + 1), label="stop")
    step = data.draw(st.sampled_from([None, 1, 2, -1]), label="step")
    same(store[start:stop:step], plain[start:stop:step])
    assert store == plain
    assert plain == tuple(store)
    assert repr(store) == repr(plain)
    with pytest.raises(IndexError):
        store[len(plain)]
