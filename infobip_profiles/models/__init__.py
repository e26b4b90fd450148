"""attrs model classes for everything the API carries (also re-exported at the top level).

Attributes are snake_case; the wire is camelCase; one cattrs converter converts. Fields you leave
unset are not sent. Dates are :class:`datetime.date`, timestamps timezone-aware
:class:`datetime.datetime` in UTC. Unknown response fields are ignored, and an enum value this
version does not know is kept as a plain string.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._attributes import *  # noqa: F403
    from ._companies import *  # noqa: F403
    from ._events import *  # noqa: F403
    from ._lists import *  # noqa: F403
    from ._people import *  # noqa: F403
    from ._push import *  # noqa: F403
    from ._segments import *  # noqa: F403
    from ._tags import *  # noqa: F403

# Each name's module, imported on first use (a program that needs Person loads no event model).
_WHERE: dict[str, str] = {
    "PersonType": "_people",
    "Gender": "_people",
    "Origin": "_people",
    "CustomAttributeValue": "_people",
    "EmailContact": "_people",
    "PhoneContact": "_people",
    "PushContact": "_people",
    "OttContact": "_people",
    "ContactInformation": "_people",
    "Person": "_people",
    "StoredPerson": "_people",
    "PersonUpdate": "_people",
    "BatchItemResult": "_people",
    "BatchResult": "_people",
    "UpsertStatus": "_people",
    "UpsertItemResult": "_people",
    "UpsertedPerson": "_people",
    "UpsertResult": "_people",
    "MatchResult": "_people",
    "MergeItemResult": "_people",
    "MergeResult": "_people",
    "Company": "_companies",
    "StoredCompany": "_companies",
    "CompanyUpdate": "_companies",
    "CompanyBatchItemResult": "_companies",
    "CompanyBatchResult": "_companies",
    "Tag": "_tags",
    "MAX_TAG_NAME": "_tags",
    "DataType": "_attributes",
    "CustomAttribute": "_attributes",
    "Definitions": "_attributes",
    "infer_data_type": "_attributes",
    "encode_value": "_attributes",
    "decode_value": "_attributes",
    "encode_attributes": "_attributes",
    "decode_attributes": "_attributes",
    "MAX_ATTRIBUTE_NAME": "_attributes",
    "MAX_STRING_VALUE": "_attributes",
    "AttributeTypeMismatchError": "_attributes",
    "ListItem": "_lists",
    "ITEM_ID": "_lists",
    "MAX_LIST_ITEMS": "_lists",
    "item_id": "_lists",
    "CloudType": "_push",
    "OperatingSystem": "_push",
    "PushSystemData": "_push",
    "PushInstance": "_push",
    "PersonalizeIdentity": "_push",
    "PersonalizeAttributes": "_push",
    "PushUser": "_push",
    "PersonalizedContacts": "_push",
    "PersonalizedUser": "_push",
    "TimelineOccurred": "_segments",
    "TimelineOperator": "_segments",
    "TimeUnit": "_segments",
    "OccurrenceOperation": "_segments",
    "PayloadOperator": "_segments",
    "TimelineCondition": "_segments",
    "OccurrenceCondition": "_segments",
    "PayloadCondition": "_segments",
    "EventCondition": "_segments",
    "Segment": "_segments",
    "StoredSegment": "_segments",
    "FieldType": "_events",
    "DefinitionCategory": "_events",
    "EventField": "_events",
    "ListItemSchema": "_events",
    "EventDefinition": "_events",
    "Event": "_events",
    "RecordedEvent": "_events",
    "AcceptedBatch": "_events",
    "BatchAccepted": "_events",
    "ExportState": "_events",
    "ExportRequest": "_events",
    "ExportStatus": "_events",
    "SessionTemplate": "_events",
    "DefinitionMismatchError": "_events",
}

__all__ = list(_WHERE)


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # __import__ (not importlib.import_module): python -X importtime then reports the import.
    value = getattr(__import__(f"{__name__}.{module}", fromlist=["_"]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
