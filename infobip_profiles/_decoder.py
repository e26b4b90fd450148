"""Compiled decoders: one generated function per model, building it from a decoded JSON object.

The plain path is cattrs' generated structure function followed by the converter's own
bookkeeping (which fields were set); it stays the reference. The compiled function gives the
same object for the common case, a ``dict`` whose values already have the types the model
declares, and hands everything else to the reference (:class:`Fallback`), so a value that needs
converting or an error is always treated exactly as cattrs treats it.

Why it is fast: the function is straight-line code written for the model's fields (no loop over
a field table, no hook call for a value that already has its type), and the values are stored
into an instance of a private subclass that adds no slots and writes attributes the plain way,
then the instance is given the model's class. Models track assignments through ``__setattr__``;
a decoded object must not go through that hook, and slot stores without it cost a fraction of a
``object.__setattr__`` call. The subclass has the model's exact memory layout, which is what
lets Python change an object's class.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import attrs
import cattrs

__all__ = ["Fallback", "compile_structure"]


class Fallback(Exception):
    """The compiled function does not handle this input: the reference path decodes it."""


#: Scalar types whose cattrs hook is the type itself (``str(v)``, ``int(v)``...): a value of
#: exactly that type comes out unchanged.
_CALLED = (str, int, float, bool)
_CALL = cattrs.BaseConverter._structure_call


def _optional(type_: Any) -> tuple[Any, bool]:
    args = typing.get_args(type_)
    if typing.get_origin(type_) in (typing.Union, types.UnionType) and type(None) in args:
        rest = tuple(a for a in args if a is not type(None))
        if len(rest) == 1:
            return rest[0], True
    return type_, False


def _enum_or_str(type_: Any) -> Any:
    """The enum of ``E | str`` or ``E | str | None`` (how models type a lenient enum field, since
    a value this version does not know is kept as the raw string), else ``None``."""
    if typing.get_origin(type_) not in (typing.Union, types.UnionType):
        return None
    rest = [a for a in typing.get_args(type_) if a is not type(None)]
    enums = [a for a in rest if isinstance(a, type) and issubclass(a, enum.Enum)]
    if len(rest) == 2 and str in rest and len(enums) == 1:
        return enums[0]
    return None


class _Writer:
    """The names the generated source refers to (hooks, types, enum value maps...)."""

    def __init__(self, v2_match: Callable[[str], object]) -> None:
        self.env: dict[str, Any] = {}
        self.v2_match = v2_match

    def ref(self, value: Any, hint: str) -> str:
        name = f"_{hint}{len(self.env)}"
        self.env[name] = value
        return name


def _value_expr(w: _Writer, type_: Any, var: str, converter: Any, builders: dict[type, str]) -> str:
    """An expression giving what cattrs' hook for ``type_`` gives for ``var``.

    It may raise (any exception sends the whole object to the reference path).
    """
    if _mentions_compiling(type_):
        # A model that holds itself (or one being compiled around it): its hook is looked up
        # when called, through the converter, once it exists.
        hook = w.ref(converter.structure, "structure")
    else:
        hook = w.ref(converter.get_structure_hook(type_), "hook")
    t = w.ref(type_, "type")
    general = f"{hook}({var}, {t})"
    enum_cls = _enum_or_str(type_)
    if enum_cls is not None:
        members = w.ref(enum_cls._value2member_map_, "members")
        # A known value is its member; anything else goes through the hook (the raw string
        # kept, or None), exactly as the lenient hook decides.
        # (a value that cannot be a key, a list say, raises here: the reference decides)
        return f"({members}.get({var}) or {hook}({var}, {t}))"
    inner, optional = _optional(type_)
    if optional and inner in _CALLED:
        return (
            f"({var} if {var} is None or type({var}) is {inner.__name__} else {hook}({var}, {t}))"
        )
    if optional:
        return f"(None if {var} is None else {_value_expr(w, inner, var, converter, builders)})"
    if type_ is Any:
        return var
    if type_ in _CALLED:
        return f"({var} if type({var}) is {type_.__name__} else {general})"
    if isinstance(type_, type) and issubclass(type_, enum.Enum):
        members = w.ref(type_._value2member_map_, "members")
        return f"({members}.get({var}) or {general})"
    if type_ is datetime:
        # parse_datetime's own shortcut for the v2 form, written inline
        v2 = w.ref(w.v2_match, "v2")
        iso = w.ref(datetime.fromisoformat, "iso")
        return f"({iso}({var} + '+00:00') if type({var}) is str and {v2}({var}) else {general})"
    if type_ is date:
        iso = w.ref(date.fromisoformat, "diso")
        return f"({iso}({var}[:10]) if type({var}) is str else {general})"
    if isinstance(type_, type) and type_ in _COMPILED:
        builder = builders.get(type_)
        if builder is None:
            # The nested model's own compiled function (compiled by the hook lookup above).
            builder = builders[type_] = w.ref(_COMPILED[type_], "build")
        # (the compiled function refuses anything but a dict: the reference decides)
        return f"{builder}({var})"
    origin = typing.get_origin(type_)
    args = typing.get_args(type_)
    if origin is list and len(args) == 1:
        item = _value_expr(w, args[0], "_x", converter, builders)
        if item == "_x":
            return f"({var}[:] if type({var}) is list else {general})"
        elem = args[0]
        if elem in _CALLED and converter.get_structure_hook(elem) is _CALL:
            # cattrs calls the type on each item (str(x), int(x)...): so does map
            each = elem.__name__
        elif isinstance(elem, type) and elem in _COMPILED:
            each = builders.get(elem) or w.ref(_COMPILED[elem], "build")
            builders[elem] = each
        else:
            return f"([{item} for _x in {var}] if type({var}) is list else {general})"
        return f"(list(map({each}, {var})) if type({var}) is list else {general})"
    if origin is dict and len(args) == 2 and args[0] is str and args[1] is Any:
        # dict(**d) accepts only string keys, as JSON has: cattrs would make them strings.
        return f"(dict(**{var}) if type({var}) is dict else {general})"
    return general


#: The compiled function of each model, by class (filled as models are first decoded).
_COMPILED: dict[type, Callable[[dict[str, Any]], Any]] = {}
#: The models whose function is being written right now.
_COMPILING: set[type] = set()


def _mentions_compiling(type_: Any) -> bool:
    if isinstance(type_, type) and type_ in _COMPILING:
        return True
    return any(_mentions_compiling(arg) for arg in typing.get_args(type_))


def _plain_init(cls: type) -> bool:
    return not hasattr(cls, "__attrs_post_init__") and not any(
        f.validator is not None or f.converter is not None for f in attrs.fields(cls)
    )


def compile_structure(
    cls: type,
    converter: Any,
    wire_name: Callable[[Any], str],
    missing: Callable[[Any], Any],
    v2_match: Callable[[str], object],
) -> Callable[[dict[str, Any]], Any] | None:
    """The compiled function building ``cls`` from a ``dict``, or ``None`` when ``cls`` cannot
    have one (its constructor does more than assign). It raises on any input it does not handle;
    the caller then takes the reference path.

    ``wire_name`` and ``missing`` give a field's wire name and what it holds when left out;
    ``v2_match`` is the test ``parse_datetime`` applies before its shortcut for the v2 form.
    """
    if not _plain_init(cls):
        return None
    _COMPILING.add(cls)
    try:
        return _compile(cls, converter, wire_name, missing, v2_match)
    finally:
        _COMPILING.discard(cls)


def _compile(
    cls: type,
    converter: Any,
    wire_name: Callable[[Any], str],
    missing: Callable[[Any], Any],
    v2_match: Callable[[str], object],
) -> Callable[[dict[str, Any]], Any]:
    fields = attrs.fields(cls)
    builder = type(
        f"_{cls.__name__}Build",
        (cls,),
        # (its module says whose it is: a walk over a model's subclasses can leave it out)
        {"__slots__": (), "__setattr__": object.__setattr__, "__module__": __name__},
    )
    w = _Writer(v2_match)
    w.env.update({"_new": object.__new__, "_Build": builder, "_cls": cls, "_fb": Fallback})
    builders: dict[type, str] = {}
    body = ["if type(d) is not dict:", "    raise _fb", "o = _new(_Build)", "m = 0"]
    # The fields set, as a bit per writable field: each combination's frozenset is made once.
    bits: dict[int, str] = {}
    for f in fields:
        if not f.init:
            body.append(f"o.{f.name} = None")
            continue
        key = wire_name(f)
        factory, default = missing(f)
        if f.default is attrs.NOTHING:
            absent = ["raise _fb"]
        elif factory is None:
            value = "None" if default is None else w.ref(default, "default")
            absent = [f"o.{f.name} = {value}"]
        else:
            absent = [f"o.{f.name} = {w.ref(factory, 'factory')}()"]
        present = [f"o.{f.name} = {_value_expr(w, f.type, 'v', converter, builders)}"]
        if not f.metadata.get("read_only"):
            bit = 1 << len(bits)
            bits[bit] = f.name
            present.append(f"m |= {bit}")
        body.append(f"if {key!r} in d:")
        body.append(f"    v = d[{key!r}]")
        body.extend("    " + line for line in present)
        body.append("else:")
        body.extend("    " + line for line in absent)
    sets: dict[int, frozenset[str]] = {}
    w.env["_sets"] = sets

    def chosen(mask: int) -> frozenset[str]:
        names = frozenset(name for bit, name in bits.items() if mask & bit)
        if len(sets) < 4096:
            sets[mask] = names
        return names

    w.env["_chosen"] = chosen
    body += [
        "s = _sets.get(m)",
        "o._fields_set = _chosen(m) if s is None else s",
        "o.__class__ = _cls",
        "return o",
    ]
    source = "def build(d):\n" + "".join(f"    {line}\n" for line in body)
    namespace = dict(w.env)
    # Generated from the model's own field table, as attrs and cattrs generate theirs.
    exec(compile(source, f"<compiled decoder of {cls.__qualname__}>", "exec"), namespace)  # noqa: S102
    fn: Callable[[dict[str, Any]], Any] = namespace["build"]
    fn.__qualname__ = f"compiled_{cls.__name__}"
    _COMPILED[cls] = fn
    return fn
