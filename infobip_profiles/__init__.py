"""Typed Python SDK for the Infobip Customer Profiles ("People") API.

Quick start::

    from infobip_profiles import ProfilesClient, Person, PersonRef, ContactInformation

    with ProfilesClient() as client:  # INFOBIP_API_KEY and INFOBIP_BASE_URL from the environment
        ada = client.people.create(
            Person(first_name="Ada", contact_information=ContactInformation.of(emails=["ada@example.com"]))
        )
        same = client.people.get(PersonRef.email("ADA@example.com"))

For tests, :class:`infobip_profiles.testing.FakeProfiles` gives the same client over an in-process
fake of the service.
"""

from ._client import (
    API_KEY_ENV,
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    AsyncProfilesClient,
    InsecureTransportWarning,
    ProfilesClient,
)
from ._operations import OPERATIONS, SPEC_VERSION, Operation, Paging
from ._response import RawResponse
from ._types import NOT_GIVEN, NotGiven
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ProfilesError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from .models import (
    BatchItemResult,
    BatchResult,
    CloudType,
    ContactInformation,
    EmailContact,
    EventCondition,
    Gender,
    MatchResult,
    MergeItemResult,
    MergeResult,
    OccurrenceCondition,
    OccurrenceOperation,
    OperatingSystem,
    OttContact,
    PayloadCondition,
    PayloadOperator,
    Person,
    PersonalizeAttributes,
    PersonalizedContacts,
    PersonalizedUser,
    PersonalizeIdentity,
    PersonType,
    PersonUpdate,
    PhoneContact,
    PushContact,
    PushInstance,
    PushSystemData,
    PushUser,
    Segment,
    TimelineCondition,
    TimelineOccurred,
    TimelineOperator,
    TimeUnit,
    UpsertItemResult,
    UpsertResult,
    UpsertStatus,
)
from .pagination import AsyncPager, Page, Pager
from .refs import CompanyRef, IdentifierType, PersonRef

__all__ = [
    "__version__",
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "SPEC_VERSION",
    "OPERATIONS",
    "Operation",
    "Paging",
    "ProfilesClient",
    "AsyncProfilesClient",
    "InsecureTransportWarning",
    "RawResponse",
    "NOT_GIVEN",
    "NotGiven",
    "Pager",
    "AsyncPager",
    "Page",
    "PersonRef",
    "CompanyRef",
    "IdentifierType",
    "Person",
    "PersonType",
    "PersonUpdate",
    "Gender",
    "ContactInformation",
    "EmailContact",
    "PhoneContact",
    "PushContact",
    "OttContact",
    "BatchResult",
    "BatchItemResult",
    "UpsertResult",
    "UpsertItemResult",
    "UpsertStatus",
    "MatchResult",
    "MergeResult",
    "MergeItemResult",
    "CloudType",
    "OperatingSystem",
    "PushSystemData",
    "PushInstance",
    "PersonalizeIdentity",
    "PersonalizeAttributes",
    "PushUser",
    "PersonalizedContacts",
    "PersonalizedUser",
    "Segment",
    "EventCondition",
    "TimelineCondition",
    "TimelineOccurred",
    "TimelineOperator",
    "TimeUnit",
    "OccurrenceCondition",
    "OccurrenceOperation",
    "PayloadCondition",
    "PayloadOperator",
    "ProfilesError",
    "ConfigurationError",
    "ValidationError",
    "APIError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "NotFoundError",
    "ConflictError",
    "RateLimitError",
    "ServerError",
    "APIConnectionError",
    "APITimeoutError",
]
