"""Typed listings: a page's body parsed by msgspec straight into typed mirrors of the models.

The general path parses a body into plain JSON values, checks its shape, then builds each model
from its dict (:mod:`infobip_profiles._decoder`). For a listing the typed path does all three at
once: msgspec decodes the body into private ``msgspec.Struct`` mirrors of the models, checking
every key and type in C, and one generated function per model copies the mirrors into the models
(one read and one store per field, no test per key).

It only answers when its result is exactly the general path's; anything else makes it return
``None`` and the caller takes the general path, which decodes the same body again and gives
today's value or today's error. So a mirror accepts less than the general path does:

* a writable field holding ``null`` is refused (the general path would mark it set), and so is
  a writable field with a non-``None`` default (``tags`` on a stored person) left out;
* each field takes only the JSON type it is declared with (no ``"5"`` for a number, no unknown
  enum value kept as a string);
* timestamps are read in the API's usual form (``2024-01-02T03:04:05``); any other form goes
  through :func:`~infobip_profiles._converter.parse_datetime`, as before.

What the mirrors accept they decode as the general path does, so the objects are equal, hold
values of the same types, and tell the same fields set. Which fields were set is not stored on
the object: a model whose ``_fields_set`` was never written reports the writable fields that
hold a value (:meth:`~infobip_profiles._converter.Model.fields_set`), which for a mirror's
object is exactly the fields its body held, since a ``null`` was refused.

A model with a single writable text field named as on the wire (an email's ``address``) is
decoded by msgspec straight into the model, with no mirror and no copy; an item whose field is
missing or ``null`` sends the page to the general path.
"""

from __future__ import annotations

import enum
import threading
import typing
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

import attrs

from ._converter import _missing, is_writable, parse_datetime, wire_name
from ._decoder import _enum_or_str, _optional

__all__ = ["TypedPage", "page_decoder"]


class TypedPage(NamedTuple):
    """A listing decoded by the typed path: its items, and the two counts a body may carry."""

    items: list[Any]
    total_count: Any
    paging: Any


class _Unsupported(Exception):
    """A model (or one of its fields) the typed path does not mirror: the general path decodes it."""


class _Refused(Exception):
    """A value the mirrors accepted but the general path would read differently."""


#: Scalar types msgspec checks exactly as the models declare them.
_SCALARS = (str, int, bool, date)


class _Writer:
    """The generated source's names (classes, functions) and its fresh local names."""

    def __init__(self) -> None:
        self.env: dict[str, Any] = {
            "_new": object.__new__,
            "_iso": datetime.fromisoformat,
            "_parse": parse_datetime,
            "_Refused": _Refused,
        }
        self.count = 0

    def ref(self, value: Any, hint: str) -> str:
        self.count += 1
        name = f"_{hint}{self.count}"
        self.env[name] = value
        return name

    def local(self, hint: str) -> str:
        self.count += 1
        return f"{hint}{self.count}"


def _direct(cls: type) -> str | None:
    """The field of a model msgspec builds itself (one writable ``str | None`` field whose wire
    name is its attribute name), else ``None``."""
    fields = attrs.fields(attrs.resolve_types(cls))
    if len(fields) != 1:
        return None
    (field,) = fields
    if field.type != (str | None) or not is_writable(field) or wire_name(field) != field.name:
        return None
    if not field.init or field.validator is not None or field.converter is not None:
        return None
    return str(field.name)


def _is_enum(type_: Any) -> bool:
    return isinstance(type_, type) and issubclass(type_, enum.Enum)


def _is_model(type_: Any) -> bool:
    return isinstance(type_, type) and attrs.has(type_)


class _Mirrors:
    """Builds the mirror struct and the copy code of each model of one listing."""

    def __init__(self, msgspec: Any) -> None:
        self.msgspec = msgspec
        self.structs: dict[type, Any] = {}
        self.building: set[type] = set()

    def field_type(self, type_: Any, writable: bool) -> tuple[Any, bool]:
        """The mirror's type for a field of ``type_``, and whether ``null`` is let through."""
        inner, optional = _optional(type_)
        nullable = optional and not writable
        enum_cls = _enum_or_str(type_)
        if enum_cls is not None:
            inner, nullable = enum_cls, not writable
        elif inner is datetime:
            inner = str
        elif inner is Any and writable:
            # msgspec's Any takes null, which marks a writable field set: not mirrored.
            raise _Unsupported("a writable free-form field")
        elif inner in _SCALARS or inner is Any or _is_enum(inner):
            pass
        elif _is_model(inner):
            inner = self.mirror(inner)
        else:
            origin, args = typing.get_origin(inner), typing.get_args(inner)
            if origin is list and len(args) == 1 and (args[0] is str or _is_model(args[0])):
                inner = list[str] if args[0] is str else list[self.mirror(args[0])]  # type: ignore[misc]
            elif origin is dict and args == (str, Any):
                inner = dict[str, Any]
            elif origin is dict and len(args) == 2 and args[0] is str and _enum_or_str(args[1]):
                # A map of lenient enums (an attribute's object schema): known values only.
                inner = dict[str, _enum_or_str(args[1])]  # type: ignore[misc]
            else:
                raise _Unsupported(f"{type_!r}")
        return (inner | None if nullable else inner), nullable

    def mirror(self, cls: type) -> Any:
        """The mirror struct of ``cls`` (or ``cls`` itself when msgspec builds it directly)."""
        if cls in self.structs:
            return self.structs[cls]
        if cls in self.building:
            raise _Unsupported(f"{cls.__name__} holds itself")
        if _direct(cls) is not None:
            self.structs[cls] = cls
            return cls
        self.building.add(cls)
        try:
            attrs.resolve_types(cls)
            required: list[tuple[str, Any]] = []
            optional: list[tuple[str, Any, Any]] = []
            rename: dict[str, str] = {}
            for field in attrs.fields(cls):
                if not field.init:
                    continue
                if field.validator is not None or field.converter is not None:
                    raise _Unsupported(f"{cls.__name__}.{field.name} is checked on assignment")
                writable = is_writable(field)
                type_, _ = self.field_type(field.type, writable)
                rename[field.name] = wire_name(field)
                factory, default = _missing(field)
                if field.default is attrs.NOTHING or (writable and factory is not None):
                    # Left out, it would hold a value that does not say it was left out.
                    required.append((field.name, type_))
                elif writable and default is not None:
                    required.append((field.name, type_))
                elif factory is not None:
                    optional.append(
                        (field.name, type_, self.msgspec.field(default_factory=factory))
                    )
                else:
                    optional.append((field.name, type_, default))
            struct = self.msgspec.defstruct(
                f"_{cls.__name__}Mirror",
                _in_model_order(cls, required, optional),
                rename=rename,
                kw_only=True,
                gc=False,
                module=__name__,
            )
        finally:
            self.building.discard(cls)
        self.structs[cls] = struct
        return struct


def _in_model_order(cls: type, required: list[Any], optional: list[Any]) -> list[Any]:
    """The mirror's fields in the model's order (msgspec looks a key up from the field after
    the last one matched, so a body in that order finds each key first time)."""
    names = [f.name for f in attrs.fields(cls)]
    return sorted([*required, *optional], key=lambda f: names.index(f[0]))


#: One build class per model, shared by every place and every listing it appears in.
_BUILDS: dict[type, type] = {}


def _emit(w: _Writer, cls: type, src: str, out: str, lines: list[str], indent: str) -> None:
    """Append the lines that build model ``cls`` from the mirror in ``src`` into ``out``."""
    direct = _direct(cls)
    if direct is not None:
        # msgspec made the model itself; a missing or null field is the general path's case.
        lines.append(f"{indent}if {src}.{direct} is None:")
        lines.append(f"{indent}    raise _Refused")
        lines.append(f"{indent}{out} = {src}")
        return
    build = _BUILDS.get(cls)
    if build is None:
        build = _BUILDS[cls] = type(
            f"_{cls.__name__}Typed",
            (cls,),
            # (stores without the model's tracking hook; its module says whose it is)
            {"__slots__": (), "__setattr__": object.__setattr__, "__module__": __name__},
        )
    lines.append(f"{indent}{out} = _new({w.ref(build, 'Build')})")
    for field in attrs.fields(cls):
        target = f"{out}.{field.name}"
        if not field.init:
            lines.append(f"{indent}{target} = None")
            continue
        inner, _ = _optional(field.type)
        origin, args = typing.get_origin(inner), typing.get_args(inner)
        value = w.local("v")
        body: list[str]
        if _enum_or_str(field.type) is None and inner is datetime:
            # The v2 form (what parse_datetime's own shortcut takes), else parse_datetime.
            # In 19 characters, [4::3] is the separators at 4, 7, 10, 13 and 16.
            body = [
                f"{target} = (_iso({value} + '+00:00') if len({value}) == 19"
                f" and {value}[4::3] == '--T::' and {value}.isascii()"
                f" else _parse({value}))"
            ]
        elif _is_model(inner):
            made = w.local("o")
            body = []
            _emit(w, inner, value, made, body, "")
            body.append(f"{target} = {made}")
        elif origin is list and args and _is_model(args[0]) and _direct(args[0]) is not None:
            # msgspec made the list and its models: only their field is checked.
            each, name = w.local("i"), _direct(args[0])
            body = [
                f"for {each} in {value}:",
                f"    if {each}.{name} is None:",
                "        raise _Refused",
                f"{target} = {value}",
            ]
        elif origin is list and args and _is_model(args[0]):
            made, each, item = w.local("l"), w.local("i"), w.local("o")
            body = [f"{made} = []", f"for {each} in {value}:"]
            _emit(w, args[0], each, item, body, "    ")
            body += [f"    {made}.append({item})", f"{target} = {made}"]
        else:
            lines.append(f"{indent}{target} = {src}.{field.name}")
            continue
        lines.append(f"{indent}{value} = {src}.{field.name}")
        lines.append(f"{indent}if {value} is None:")
        lines.append(f"{indent}    {target} = None")
        lines.append(f"{indent}else:")
        lines.extend(f"{indent}    {line}" for line in body)
    # _fields_set is left unwritten: the model reports the writable fields holding a value.
    lines.append(f"{indent}{out}.__class__ = {w.ref(cls, 'Model')}")


def _compile(model: type, items_key: str, required: tuple[str, ...]) -> Callable[[bytes], Any]:
    import msgspec

    mirrors = _Mirrors(msgspec)
    item = mirrors.mirror(model)
    if item is model:
        raise _Unsupported("a listing of direct models")
    # The answer check's fields must be ones the mirror refuses to go without (nor null).
    fields = {f.encode_name: f for f in msgspec.structs.fields(item)}
    for key in required:
        field = fields.get(key)
        if field is None or not field.required or _optional(field.type)[1]:
            raise _Unsupported(f"{model.__name__} does not require {key}")
    page = msgspec.defstruct(
        f"_{model.__name__}PageMirror",
        [
            ("items", list[item] | None),  # type: ignore[valid-type]
            ("total_count", Any, None),
            ("paging", Any, None),
        ],
        rename={"items": items_key, "total_count": "totalCount", "paging": "paging"},
        gc=False,
        module=__name__,
    )
    decoder = msgspec.json.Decoder(page, float_hook=Decimal)
    w = _Writer()
    w.env.update({"_decode": decoder.decode, "_Page": TypedPage})
    lines: list[str] = []
    _emit(w, model, "x", "o", lines, "        ")
    source = (
        "def decode(content):\n"
        "    page = _decode(content)\n"
        "    out = []\n"
        "    append = out.append\n"
        "    for x in page.items or ():\n"
        + "".join(f"{line}\n" for line in lines)
        + "        append(o)\n"
        "    return _Page(out, page.total_count, page.paging)\n"
    )
    namespace = dict(w.env)
    # Generated from the models' own field tables, as attrs and cattrs generate theirs.
    exec(compile(source, f"<typed listing of {model.__qualname__}>", "exec"), namespace)  # noqa: S102
    fn: Callable[[bytes], Any] = namespace["decode"]
    return fn


_decoders: dict[tuple[type, str, tuple[str, ...]], Callable[[bytes], TypedPage | None] | None] = {}
_lock = threading.Lock()


def page_decoder(
    model: type, items_key: str, required: tuple[str, ...] = ()
) -> Callable[[bytes], TypedPage | None] | None:
    """The typed decoder of a listing of ``model`` under ``items_key`` (``None`` when the model
    has no mirror). It returns ``None`` for any body whose typed reading could differ from the
    general path's (then decode it the general way). ``required`` names the wire fields every
    item must hold (not ``null``) for the answer to pass the client's shape check."""
    key = (model, items_key, required)
    try:
        return _decoders[key]
    except KeyError:
        pass
    with _lock:
        if key not in _decoders:
            _decoders[key] = _make(model, items_key, required)
        return _decoders[key]


def _make(
    model: type, items_key: str, required: tuple[str, ...]
) -> Callable[[bytes], TypedPage | None] | None:
    try:
        decode = _compile(model, items_key, required)
    except (_Unsupported, ImportError):
        return None

    def typed(content: bytes) -> TypedPage | None:
        try:
            page: TypedPage = decode(content)
        except Exception:
            # Refused by a mirror (or by the v2 shortcut's fallback): the general path decides.
            return None
        return page

    return typed
