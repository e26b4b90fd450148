"""The ``custom_attributes`` resource: custom attribute definitions, sync and async.

How Python values map onto each data type is described in :mod:`infobip_profiles.models._attributes`
(and ``docs/custom-attributes.md``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from typing_extensions import Unpack

from .._converter import from_wire
from .._operations import CLIENT_PAGE_SIZE, page_size
from .._plan import Call, Plan, async_op, json_of, sync_op
from .._types import CallOptions
from ..errors import BadRequestError, NotFoundError, ValidationError
from ..models import MAX_ATTRIBUTE_NAME, AttributeTypeMismatchError, CustomAttribute, DataType
from ..pagination import PageSpec, async_pager, sync_pager
from ._base import AsyncResource, SyncResource
from ._params import order_by_param

__all__ = ["CustomAttributes", "AsyncCustomAttributes", "check_attribute_name"]

_ORDER_FIELDS = ("name", "createdAt", "modifiedAt")
_FORBIDDEN = re.compile(r"[{}\[\]]")
_OP_LIST = "get-a-list-of-custom-attributes"
MAX_PAGE_SIZE = page_size(_OP_LIST).maximum
DEFAULT_PAGE_SIZE = CLIENT_PAGE_SIZE


def check_attribute_name(name: str) -> str:
    """Non-blank, at most 256 characters, none of ``{ } [ ]``; raise :class:`ValidationError`."""
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("a custom attribute name must not be blank", field="name")
    if len(name) > MAX_ATTRIBUTE_NAME:
        raise ValidationError(
            f"custom attribute name is {len(name)} characters long; "
            f"the limit is {MAX_ATTRIBUTE_NAME}",
            field="name",
        )
    if _FORBIDDEN.search(name):
        raise ValidationError(
            f"custom attribute name {name!r} must not contain any of {{ }} [ ]", field="name"
        )
    return name


def _as_type(value: DataType | str, field: str) -> DataType:
    try:
        return value if isinstance(value, DataType) else DataType(str(value).upper())
    except ValueError:
        raise ValidationError(
            f"unknown data type {value!r}: use one of {', '.join(t.value for t in DataType)}",
            field=field,
        ) from None


def _definition_body(
    name: str, data_type: DataType | str, object_schema: Mapping[str, DataType | str] | None
) -> dict[str, Any]:
    kind = _as_type(data_type, "dataType")
    body: dict[str, Any] = {"name": check_attribute_name(name), "dataType": kind.value}
    if kind is DataType.LIST_OF_OBJECTS:
        if not object_schema:
            raise ValidationError(
                "a LIST_OF_OBJECTS attribute needs an object_schema ({field: data type})",
                field="objectSchema",
            )
        schema = {}
        for field, field_type in object_schema.items():
            ftype = _as_type(field_type, f"objectSchema.{field}")
            if ftype is DataType.LIST_OF_OBJECTS:
                raise ValidationError(
                    f"object_schema field {field!r}: items hold scalar fields only",
                    field=f"objectSchema.{field}",
                )
            schema[str(field)] = ftype.value
        body["objectSchema"] = schema
    elif object_schema:
        raise ValidationError(
            "object_schema is only for LIST_OF_OBJECTS attributes", field="objectSchema"
        )
    return body


def _decode(data: Any) -> CustomAttribute:
    return from_wire(data, CustomAttribute)


def _check_same_type(
    existing: CustomAttribute, wanted: DataType, schema: Mapping[str, str] | None
) -> None:
    if existing.data_type != wanted:
        raise AttributeTypeMismatchError(
            f"custom attribute {existing.name!r} exists with type "
            f"{getattr(existing.data_type, 'value', existing.data_type)}, not {wanted.value}; "
            "an attribute's type cannot change (delete it first, or use another name)",
            existing=existing,
        )
    if schema is not None:
        held = {k: getattr(v, "value", v) for k, v in (existing.object_schema or {}).items()}
        if held != dict(schema):
            raise AttributeTypeMismatchError(
                f"custom attribute {existing.name!r} exists with object schema {held}, "
                f"not {dict(schema)}",
                existing=existing,
            )


class _CustomAttributesPlans:
    """The custom attribute operations, written once."""

    def list(
        self,
        *,
        order_by: str | None = None,
        page_size: int | None = None,
        **options: Unpack[CallOptions],
    ) -> PageSpec[CustomAttribute]:
        """Every custom attribute definition, lazily, page by page."""
        size = DEFAULT_PAGE_SIZE if page_size is None else page_size
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationError(f"page_size must be 1 to {MAX_PAGE_SIZE}", field="limit")
        params = [] if order_by is None else [("orderBy", order_by_param(order_by, _ORDER_FIELDS))]
        return PageSpec(
            _OP_LIST,
            _decode,
            size,
            "customAttributes",
            params=params,
            options=options,
            model=CustomAttribute,
        )

    def create(
        self,
        name: str,
        data_type: DataType | str,
        *,
        object_schema: Mapping[str, DataType | str] | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan[CustomAttribute]:
        """Define a custom attribute. Its type cannot change later; names are unique ignoring case.

        ``LIST_OF_OBJECTS`` needs ``object_schema``, the data type of each item field::

            client.custom_attributes.create(
                "Orders", DataType.LIST_OF_OBJECTS,
                object_schema={"sku": DataType.STRING, "total": DataType.DECIMAL},
            )
        """
        body = _definition_body(name, data_type, object_schema)
        response = yield Call("create-a-custom-attribute", body=body, options=options)
        return _decode(json_of(response))

    def get(self, name: str, **options: Unpack[CallOptions]) -> Plan[CustomAttribute]:
        """Fetch one definition by name; :class:`~infobip_profiles.NotFoundError` if unknown."""
        response = yield Call(
            "get-a-single-custom-attribute",
            path_params={"name": check_attribute_name(name)},
            options=options,
        )
        return _decode(json_of(response))

    def ensure(
        self,
        name: str,
        data_type: DataType | str,
        *,
        object_schema: Mapping[str, DataType | str] | None = None,
        **options: Unpack[CallOptions],
    ) -> Plan[CustomAttribute]:
        """The attribute ``name`` with this type: fetched when it exists, created when it does not.

        Safe to run again and from several processes at once (a creator that loses the race reads
        the winner's definition). A taken name answers 400, not 409, so this is the way to
        "create unless it exists". An existing attribute of another type (or, for
        ``LIST_OF_OBJECTS``, another object schema) raises
        :class:`~infobip_profiles.models.AttributeTypeMismatchError`: a type cannot change.
        """
        body = _definition_body(name, data_type, object_schema)
        wanted = _as_type(data_type, "dataType")
        try:
            response = yield Call(
                "get-a-single-custom-attribute", path_params={"name": name}, options=options
            )
        except NotFoundError:
            try:
                response = yield Call("create-a-custom-attribute", body=body, options=options)
                return _decode(json_of(response))
            except BadRequestError as refused:
                # Created by someone else since the read? Then it reads now; else the 400 stands.
                try:
                    response = yield Call(
                        "get-a-single-custom-attribute", path_params={"name": name}, options=options
                    )
                except NotFoundError:
                    raise refused from None
        existing = _decode(json_of(response))
        _check_same_type(existing, wanted, body.get("objectSchema"))
        return existing

    def delete(self, name: str, **options: Unpack[CallOptions]) -> Plan[None]:
        """Delete a definition; its values vanish from every person."""
        yield Call(
            "delete-a-custom-attribute",
            path_params={"name": check_attribute_name(name)},
            options=options,
        )
        return None


class CustomAttributes(SyncResource):
    """Custom attribute definitions (blocking)."""

    list = sync_pager(_CustomAttributesPlans.list)
    create = sync_op(_CustomAttributesPlans.create)
    get = sync_op(_CustomAttributesPlans.get)
    ensure = sync_op(_CustomAttributesPlans.ensure)
    delete = sync_op(_CustomAttributesPlans.delete)


class AsyncCustomAttributes(AsyncResource):
    """Custom attribute definitions (async): the same methods, awaitable."""

    list = async_pager(_CustomAttributesPlans.list)
    create = async_op(_CustomAttributesPlans.create)
    get = async_op(_CustomAttributesPlans.get)
    ensure = async_op(_CustomAttributesPlans.ensure)
    delete = async_op(_CustomAttributesPlans.delete)
