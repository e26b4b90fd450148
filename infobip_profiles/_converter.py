"""The one cattrs converter between models and the wire, and the model decorator it relies on.

Models are attrs classes with snake_case attributes; the wire is camelCase. A model remembers which
fields were set (passed to its constructor, assigned later, or present in a response) and only
those are sent: a PATCH changes only what was given, and ``None`` set on purpose is sent as ``null``
(which clears the field).
"""

from __future__ import annotations

import copy
import enum
import json
import re
import sys
from collections.abc import Callable
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, override
from typing_extensions import Self, dataclass_transform

from ._decoder import _enum_or_str, compile_structure
from ._types import NOT_GIVEN

__all__ = [
    "Model",
    "model",
    "converter",
    "to_wire",
    "from_wire",
    "dumps",
    "loads",
    "format_date",
    "format_datetime",
    "parse_datetime",
    "wire_name",
    "lenient_enum",
]

T = TypeVar("T")


class Model:
    """Base of every wire model. ``fields_set()`` tells which fields will be sent.

    Every field you leave out reads as ``None``; the model records which fields you passed or
    assigned (an explicit ``None`` included), and only those are sent. Assigning
    :data:`~infobip_profiles.NOT_GIVEN` un-sets a field again.
    """

    __slots__ = ("_fields_set",)

    def fields_set(self) -> frozenset[str]:
        """Names of the fields that were set (and so are sent)."""
        try:
            return self._fields_set  # type: ignore[attr-defined,no-any-return]
        except AttributeError:
            # Never recorded (a model msgspec decoded from a listing, which refuses a ``null``
            # in a writable field): the writable fields that hold a value are the ones the
            # body held. Recorded now, so later assignments add to it.
            chosen = frozenset(
                name
                for name in _writable_names(type(self))
                if getattr(self, name, None) is not None
            )
            object.__setattr__(self, "_fields_set", chosen)
            return chosen

    def __repr__(self) -> str:
        chosen = self.fields_set()
        # The fields set, and what the service filled in (a fetched person's id, timestamps...).
        shown = ", ".join(
            f"{f.name}={value!r}"
            for f in attrs.fields(type(self))  # type: ignore[arg-type]
            if (value := getattr(self, f.name)) is not None or f.name in chosen
        )
        return f"{type(self).__name__}({shown})"

    def replace(self, **changes: Any) -> Self:
        """A copy with ``changes`` applied: it keeps the fields set here, and every field named in
        ``changes`` is set (``None`` included). ``copy.replace`` (Python 3.13) does the same;
        ``attrs.evolve`` too, except that it cannot tell ``None`` passed for an unset field from
        the field left alone (it does not mark it set)."""
        names = {f.name for f in attrs.fields(type(self))}  # type: ignore[arg-type]
        unknown = sorted(set(changes) - names)
        if unknown:
            raise TypeError(f"{type(self).__name__} has no field(s) {', '.join(unknown)}")
        duplicate = copy.copy(self)
        for name, value in changes.items():
            setattr(duplicate, name, value)
        return duplicate

    def __replace__(self, **changes: Any) -> Self:
        return self.replace(**changes)

    # pickle, copy and deepcopy keep which fields were set (else a copy would send nothing)
    def __getstate__(self) -> tuple[dict[str, Any], frozenset[str]]:
        values = {f.name: getattr(self, f.name) for f in attrs.fields(type(self))}  # type: ignore[arg-type]
        return values, self.fields_set()

    def __setstate__(self, state: tuple[dict[str, Any], frozenset[str]]) -> None:
        values, chosen = state
        for name, value in values.items():
            object.__setattr__(self, name, value)
        object.__setattr__(self, "_fields_set", frozenset(chosen))


def is_writable(field: attrs.Attribute[Any]) -> bool:
    """Whether a model field is sent on a write (set through the constructor, not read-only)."""
    return bool(field.init) and not field.metadata.get("read_only")


_WRITABLE: dict[type, tuple[str, ...]] = {}


def _writable_names(cls: type) -> tuple[str, ...]:
    names = _WRITABLE.get(cls)
    if names is None:
        names = _WRITABLE[cls] = tuple(f.name for f in attrs.fields(cls) if is_writable(f))
    return names


def _track(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> Any:
    # Assigning NOT_GIVEN un-sets the field: it reads as its default again (None for most
    # fields) and is not sent.
    chosen = instance.fields_set()
    name = {attribute.name}
    if value is NOT_GIVEN:
        object.__setattr__(instance, "_fields_set", chosen - name)
        return _default_value(attribute)
    object.__setattr__(instance, "_fields_set", chosen | name)
    return value


def _default_value(field: attrs.Attribute[Any]) -> Any:
    factory, default = _missing(field)
    return default if factory is None else factory()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def wire_name(field: attrs.Attribute[Any]) -> str:
    """The camelCase wire name of a model field (``metadata={"wire": ...}`` overrides it)."""
    return str(field.metadata.get("wire") or _camel(field.name))


def _install_tracking(cls: type[T]) -> type[T]:
    init_names = [a.name for a in attrs.fields(cls) if a.init]  # type: ignore[arg-type]
    fields = {a.name: a for a in attrs.fields(cls)}  # type: ignore[arg-type]
    count = len(init_names)
    original = cls.__init__
    setter = object.__setattr__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        given = [*zip(init_names, args, strict=False), *kwargs.items()]
        source = None
        if len(kwargs) == count and not args:
            # attrs.evolve (and copy.replace) pass every field: the copy keeps the fields set
            # on the original, plus the ones whose value changed.
            caller = sys._getframe(1)
            if caller.f_code is _EVOLVE_CODE:
                source = caller.f_locals.get("inst")
        chosen = []
        for name, value in given:
            if value is NOT_GIVEN:
                setter(self, name, _default_value(fields[name]))
            elif (
                source is None or name in source.fields_set() or value is not getattr(source, name)
            ):
                chosen.append(name)
        setter(self, "_fields_set", frozenset(chosen))

    __init__.__doc__ = original.__doc__
    __init__.__wrapped__ = original  # type: ignore[attr-defined]
    cls.__init__ = __init__  # type: ignore[method-assign]
    # attrs gives each class its own __replace__ (attrs.evolve) on Python 3.13+; ours marks
    # every change as set, None included.
    cls.__replace__ = Model.__replace__  # type: ignore[attr-defined]
    return cls


_EVOLVE_CODE = attrs.evolve.__code__


@dataclass_transform(field_specifiers=(attrs.field,), kw_only_default=True)
def model(cls: type[T]) -> type[T]:
    """Make ``cls`` a keyword-only attrs wire model that tracks the fields set on it."""
    return _install_tracking(
        attrs.define(cls, kw_only=True, on_setattr=_track, repr=False, getstate_setstate=False)
    )


@dataclass_transform(field_specifiers=(attrs.field,))
def positional_model(cls: type[T]) -> type[T]:
    """Like :func:`model`, but fields may be passed positionally (small value objects)."""
    return _install_tracking(
        attrs.define(cls, on_setattr=_track, repr=False, getstate_setstate=False)
    )


# -- scalar formats ---------------------------------------------------------------------------

_V2_FORMAT = "%Y-%m-%dT%H:%M:%S"


def format_date(value: date) -> str:
    """``YYYY-MM-DD``."""
    return value.isoformat()


def format_datetime(value: datetime) -> str:
    """The v2 timestamp form ``yyyy-MM-ddTHH:mm:ss`` in UTC (aware values are converted)."""
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return value.strftime(_V2_FORMAT)


_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")


_V2_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def parse_datetime(value: str) -> datetime:
    """Parse the API's timestamps (v2 without zone, or ISO with milliseconds and ``Z``) as UTC."""
    if type(value) is str and _V2_RE.fullmatch(value):
        # The v2 form, by far the most common: one parse, no rewriting.
        # (an offset in the text is cheaper than .replace(tzinfo=...); +00:00 gives timezone.utc)
        return datetime.fromisoformat(value + "+00:00")
    text = value.strip()
    if not _ISO_RE.match(text):
        raise ValueError(f"not a timestamp: {value!r}")
    text = text.replace(" ", "T")
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # fromisoformat on 3.10 wants the offset as +HH:MM, not +HHMM
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)
    # fromisoformat on 3.10 only takes 0, 3 or 6 fraction digits
    match = re.match(r"^(.*T\d{2}:\d{2}:\d{2})\.(\d+)(.*)$", text)
    if match:
        text = f"{match.group(1)}.{match.group(2)[:6].ljust(6, '0')}{match.group(3)}"
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


# -- the converter ------------------------------------------------------------------------------

converter = cattrs.Converter()
#: The same conversions without the compiled decoders: the reference the compiled ones must
#: match (tests compare the two), and the path any input they do not take goes through.
plain_converter = cattrs.Converter()


# Values sent as they are (exact types: an ``enum`` mixing in ``str`` is not one of them).
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _unstructure_value(value: Any) -> Any:
    """Python values to JSON-able ones: dates, datetimes, enums, nested models, Decimals kept."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, Model):
        return converter.unstructure(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, dict):
        return {str(k): _unstructure_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_unstructure_value(v) for v in value]
    return value


def _make_unstructure(cls: type[Any]) -> Callable[[Any], dict[str, Any]]:
    plan = [(f.name, wire_name(f)) for f in attrs.fields(cls) if not f.metadata.get("read_only")]
    read_only = frozenset(f.name for f in attrs.fields(cls) if f.metadata.get("read_only"))
    # The fields to send, in declaration order, per set of fields set: instances of one model
    # mostly share a handful of such sets (bounded, in case a program makes many).
    sent: dict[frozenset[str], list[tuple[str, str]]] = {}

    def unstructure(obj: Any) -> dict[str, Any]:
        chosen = obj.fields_set()
        fields = sent.get(chosen)
        if fields is None:
            refused = chosen & read_only
            if refused:
                raise _read_only_error(cls, refused)
            fields = [(name, key) for name, key in plan if name in chosen]
            if len(sent) < 1024:
                sent[chosen] = fields
        return {
            key: value if type(value) in _PLAIN else _unstructure_value(value)
            for name, key in fields
            if (value := getattr(obj, name)) is not NOT_GIVEN
        }

    return unstructure


def _read_only_error(cls: type[Any], names: frozenset[str]) -> Exception:
    from .errors import ValidationError

    shown = ", ".join(sorted(names))
    first = min(names)
    field = wire_name(next(f for f in attrs.fields(cls) if f.name == first))
    return ValidationError(
        f"{cls.__name__}.{shown} {'is' if len(names) == 1 else 'are'} read-only: the service "
        "fills them in and refuses them on a write; leave them unset (a fetched object keeps "
        "them without sending them)",
        field=field,
    )


_FACTORY: Any = type(attrs.Factory(list))


def _missing(field: attrs.Attribute[Any]) -> tuple[Callable[[], Any] | None, Any]:
    """What a field the data leaves out holds: ``(factory, None)`` for a factory default (called
    for each object), else ``(None, default)`` (``None`` for a field without a default)."""
    default: Any = field.default
    if isinstance(default, _FACTORY):
        return default.factory, None
    return None, None if default is attrs.NOTHING else default


def _structure_factory(conv: cattrs.Converter, compiled: bool) -> Callable[[type[Any]], Any]:
    """The structure hook factory of models for ``conv``: the reference path alone (the plain
    converter), or a compiled function in front of it (the client's converter)."""

    def make(cls: type[Any]) -> Callable[[Any, Any], Any]:
        return _make_structure(cls, conv, compiled)

    return make


def _make_structure(
    cls: type[Any], conv: cattrs.Converter, compiled: bool
) -> Callable[[Any, Any], Any]:
    overrides = {f.name: override(rename=wire_name(f)) for f in attrs.fields(cls)}
    # cattrs' generated function stays the reference: malformed data goes through it, so errors
    # are reported exactly as cattrs reports them.
    base = make_dict_structure_fn(cls, conv, **overrides)  # type: ignore[arg-type]
    fields = attrs.fields(cls)  # types resolved by make_dict_structure_fn
    read_only = frozenset(f.name for f in fields if f.metadata.get("read_only"))
    not_init = [f.name for f in fields if not f.init]
    setter = object.__setattr__

    def reference(data: Any, type_: Any) -> Any:
        obj = base(data, type_)
        # What a response leaves out holds its default (None, or an empty collection where the
        # model says so), and what it holds is set, except the read-only fields: they are kept
        # for reading and never sent back.
        for name in not_init:
            setter(obj, name, None)
        setter(obj, "_fields_set", obj._fields_set - read_only)
        return obj

    if not compiled:
        return reference
    build = compile_structure(cls, conv, wire_name, _missing, _V2_RE.fullmatch)
    if build is None:
        return reference

    def structure(data: Any, type_: Any) -> Any:
        # The same object as ``reference`` gives, built by the model's compiled function; any
        # input it does not take as it is (not a plain dict, a value to convert, an error)
        # makes it raise, and goes to the reference.
        try:
            return build(data)
        except Exception:
            return reference(data, type_)

    return structure


def _is_model(cls: Any) -> bool:
    return isinstance(cls, type) and issubclass(cls, Model) and attrs.has(cls)


converter.register_unstructure_hook_factory(_is_model, _make_unstructure)


def _structure_enum(value: Any, cls: type[enum.Enum]) -> Any:
    # A value this version does not know must not break decoding: keep the raw string.
    try:
        return cls._value2member_map_[value]  # what cls(value) looks up first
    except (KeyError, TypeError):
        pass
    try:
        return cls(value)
    except ValueError:
        return value


E = TypeVar("E", bound=enum.Enum)


def _enum_or_str_factory(conv: cattrs.Converter) -> Callable[[Any], Any]:
    def make(type_: Any) -> Callable[[Any, Any], Any]:
        cls = _enum_or_str(type_)
        hook = conv.get_structure_hook(cls)

        def structure(value: Any, _: Any) -> Any:
            return None if value is None else hook(value, cls)

        return structure

    return make


def lenient_enum(cls: type[E]) -> type[E]:
    """Register ``cls`` so that decoding an unknown value keeps the raw string instead of failing."""
    for conv in (converter, plain_converter):
        conv.register_structure_hook(cls, _structure_enum)
    return cls


def _configure(conv: cattrs.Converter, compiled: bool) -> None:
    conv.register_structure_hook_factory(_is_model, _structure_factory(conv, compiled))
    conv.register_structure_hook_factory(
        lambda t: _enum_or_str(t) is not None, _enum_or_str_factory(conv)
    )
    conv.register_structure_hook(date, lambda v, _: date.fromisoformat(v[:10]))
    conv.register_structure_hook(datetime, lambda v, _: parse_datetime(v))
    conv.register_structure_hook(
        Decimal, lambda v, _: v if isinstance(v, Decimal) else Decimal(str(v))
    )
    # Free-form JSON (custom attributes, system data) passes through as decoded. A predicate
    # hook, because Python 3.10's singledispatch refuses ``typing.Any`` as a class.
    conv.register_structure_hook_func(lambda t: t is Any, lambda v, _: v)


_configure(converter, compiled=True)
_configure(plain_converter, compiled=False)


def to_wire(obj: Any) -> Any:
    """Unstructure a model (or a list of them, or a plain value) into its JSON-able wire form."""
    return _unstructure_value(obj)


def from_wire(data: Any, cls: type[T]) -> T:
    """Structure wire JSON into ``cls``; unknown fields are ignored."""
    hook = _model_hooks.get(cls)
    if hook is None:
        if not _is_model(cls):
            return converter.structure(data, cls)
        # A model's hook is made once (as cattrs' own cache does), without cattrs' dispatch
        # on every call: a page decodes a thousand of them.
        hook = _model_hooks[cls] = converter.get_structure_hook(cls)
    return hook(data, cls)  # type: ignore[no-any-return]


_model_hooks: dict[Any, Callable[[Any, Any], Any]] = {}


def plain_from_wire(data: Any, cls: type[T]) -> T:
    """What :func:`from_wire` gives, through cattrs alone (no compiled decoder)."""
    return plain_converter.structure(data, cls)


# -- JSON with exact decimals -------------------------------------------------------------------

_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode
_json_str: Callable[[str], str] = json.encoder.py_encode_basestring
if json.encoder.c_encode_basestring is not None:  # type: ignore[attr-defined]
    _json_str = json.encoder.c_encode_basestring  # type: ignore[attr-defined]


_LEAVES = frozenset({str, int, float, bool, type(None)})


def _has_decimal(value: Any) -> bool:
    kind = type(value)
    if kind in _LEAVES:
        return False
    if kind is dict or (kind is not list and isinstance(value, dict)):
        items = value.values()
    elif kind is list or isinstance(value, (list, tuple)):
        items = value
    else:
        return isinstance(value, Decimal)
    return any(type(item) not in _LEAVES and _has_decimal(item) for item in items)


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"{value} cannot be sent as a JSON number")
    # str() of a finite Decimal is always a valid JSON number ("19.90", "-0", "1E+3", "1.5E-7").
    return str(value)


def _encode_exact(value: Any) -> str:
    """JSON text of ``value`` with each Decimal written as its own exact digits.

    Only the containers on the way to a Decimal are written here; every run of Decimal-free
    values is written by ``json`` itself in one call, so a string is always a JSON string,
    whatever characters it holds, and key order is kept.
    """
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, dict):
        parts: list[str] = []
        plain: dict[Any, Any] = {}
        for key, item in value.items():
            if _has_decimal(item):
                if plain:
                    parts.append(_json(plain)[1:-1])
                    plain = {}
                # the key as json writes it (its rules for non-string keys included), with its colon
                name = _json_str(key) + ":" if type(key) is str else _json({key: 0})[1:-2]
                parts.append(name + _encode_exact(item))
            else:
                plain[key] = item
        if plain:
            parts.append(_json(plain)[1:-1])
        return "{" + ",".join(parts) + "}"
    if isinstance(value, (list, tuple)):
        parts = []
        run: list[Any] = []
        for item in value:
            if _has_decimal(item):
                if run:
                    parts.append(_json(run)[1:-1])
                    run = []
                parts.append(_encode_exact(item))
            else:
                run.append(item)
        if run:
            parts.append(_json(run)[1:-1])
        return "[" + ",".join(parts) + "]"
    return _json(value)


def dumps(value: Any) -> bytes:
    """Compact JSON; ``Decimal`` values are written as exact JSON numbers."""
    try:
        # Most bodies hold no Decimal; one that does makes json refuse it.
        return _json(value).encode()
    except TypeError:
        if not _has_decimal(value):
            raise
        return _encode_exact(value).encode()


def loads(content: bytes) -> Any:
    """Parse JSON; non-integral numbers become ``Decimal`` so no digit is lost.

    msgspec parses it (about half of ``json``'s time); whatever msgspec refuses (``NaN``, a
    byte order mark, UTF-16, a lone surrogate, an integer past its range...) is parsed by
    ``json``, so the value, or the error, is always what ``json.loads`` gives.
    """
    decode = _fast_loads if _fast_loads is not _UNLOADED else _load_fast_loads()
    if decode is not None:
        try:
            return decode(content)
        except Exception:  # noqa: S110 - json.loads below decides, and raises its own error
            pass
    return json.loads(content, parse_float=Decimal)


_UNLOADED: Any = object()
_fast_loads: Callable[[bytes], Any] | None = _UNLOADED


def _load_fast_loads() -> Callable[[bytes], Any] | None:
    # Imported on the first body parsed, not with the package.
    global _fast_loads
    try:
        import msgspec
    except ImportError:  # pragma: no cover - a dependency; json alone still works
        _fast_loads = None
        return None
    _fast_loads = msgspec.json.Decoder(float_hook=Decimal).decode
    return _fast_loads


def plain_loads(content: bytes) -> Any:
    """What :func:`loads` gives, through ``json`` alone."""
    return json.loads(content, parse_float=Decimal)
