"""Every text the fake answers with, in one place (as fakeredis keeps its messages).

Neutral: engines and handlers both read these; nothing here knows an envelope or a status.
The tests assert the exact wording.
"""

from __future__ import annotations

__all__ = ["MSG"]


class MSG:
    """Error texts, in one place."""

    UNAUTHORIZED = "Invalid login details"
    FORBIDDEN = "Access forbidden"
    TOO_MANY_REQUESTS = "Too many requests"
    GENERAL_ERROR = "Something went wrong. Please contact support."
    NOT_FOUND_PATH = "Requested URL not found: {path}"
    METHOD_NOT_ALLOWED = "Request method '{method}' is not supported"
    MALFORMED_JSON = "Request body is not valid JSON"
    BODY_TOO_DEEP = "Request body nests objects and arrays more than {max} levels deep"
    UNSUPPORTED_MEDIA = "Content type '{content_type}' not supported"
    BODY_TOO_LARGE = "Request body is larger than {limit} bytes"
    INJECTED = "Injected fault"
    BAD_REQUEST = "Bad request"
    NOT_FOUND = "Not found"
    FIELD_REQUIRED = "must not be blank"
    FIELD_NOT_NULL = "must not be null"
    FIELD_SIZE = "size must be between 0 and {max}"
    FIELD_ONE_OF = "must be one of: {values}"
    FIELD_OBJECT = "must be a JSON object"
    ATTRIBUTE_NAME_CHARS = "must not contain any of { } [ ]"
    ATTRIBUTE_DUPLICATE = "Duplicate custom attribute name: {name}"
    ATTRIBUTE_NOT_FOUND = "Custom attribute {name} does not exist"
    ATTRIBUTE_UNDEFINED = "Custom attribute {name} is not defined"
    ATTRIBUTE_NOT_A_LIST = "Custom attribute {name} is not of type LIST_OF_OBJECTS"
    VALUE_TYPE = "value does not match data type {type}"
    OBJECT_SCHEMA_REQUIRED = "objectSchema is required for LIST_OF_OBJECTS"
    OBJECT_SCHEMA_TYPES = "objectSchema fields have unsupported types: {fields}"
    OBJECT_SCHEMA_ONLY_FOR_LISTS = "objectSchema is allowed only for LIST_OF_OBJECTS"
    LIST_ITEM_OBJECT = "list item must be a JSON object"
    LIST_ITEM_UNKNOWN_FIELD = "field {field} is not in the attribute's objectSchema"
    LIST_ITEM_NULL_FIELD = "field {field} must not be null"
    # events
    EVENT_BATCH_INVALID_JSON = (
        "Invalid request. Please ensure the request body is a properly structured JSON array."
    )
    EVENT_BATCH_SCHEMA = (
        "The event schema is invalid. Please ensure each event has a valid definition ID and "
        "properties match the expected schema. Details: {details}."
    )
    EVENT_BATCH_EMPTY = (
        "The batch cannot be empty. Please provide at least one item in the request array."
    )
    EVENT_BATCH_TOO_MANY = (
        "The batch count exceeds the allowed limit of {limit} items. "
        "Please reduce the number of items in the request array."
    )
    EVENT_BATCH_TOO_LARGE = (
        "The batch size exceeds the allowed limit of {limit} bytes. "
        "Please reduce the size of the request."
    )
    EVENT_BATCH_ITEM = (
        "One or more batch items contain invalid properties. "
        "Please review the details for specific validation errors."
    )
    EVENT_BATCH_PERSON = (
        "Person with such identifier doesn't exist. Please verify the identifier and ensure it "
        "corresponds to an existing person in the system."
    )
    EVENT_BATCH_INTERNAL = (
        "Internal events posting prohibited. "
        "Please ensure that only custom event definitions are used."
    )
    EVENT_ID_CHARS = (
        "Must only include letters (A-Z, a-z), digits (0-9), underscores (_), and hyphens (-)."
    )
    EVENT_ID_LENGTH = "Must be 1 to 36 characters long."
    EVENT_NOT_EMPTY = "Must not be empty."
    EVENT_TYPE_ONE_OF = "Must be one of the following types: {types}."
    EVENT_SENDER_REQUIRED = "Sender is required for type {type}."
    EVENT_TIME_FORMAT = "Must be a date-time in format yyyy-MM-ddTHH:mm:ss.SSSZ."
    EVENT_TOO_OLD = "Must not be more than 30 days in the past."
    EVENT_ITEM_TOO_LARGE = "Must not exceed {limit} bytes."
    EVENT_PROPERTIES_OBJECT = "properties must be a JSON object"
    EVENT_PROPERTY_UNKNOWN = "property {name} is not defined in event definition {definition}"
    EVENT_PROPERTY_TYPE = "property {name} must be of type {type}"
    EVENT_DEFINITION_NOT_FOUND = "Event definition {definition} does not exist"
    EVENT_DEFINITION_INTERNAL = "Events of standard definition {definition} cannot be sent"
    EVENT_CREATE_PERSON_TYPE = (
        "createPerson works only with identifierType PHONE, EMAIL or EXTERNAL_ID"
    )
    EVENT_PERSON_NOT_FOUND = "Person with identifier {identifier} of type {type} does not exist"
    EVENT_IDENTIFIER_TYPE = "identifierType must be one of: {types}"
    EXPORT_NOT_FOUND = "Export request {request_id} does not exist"
    EXPORT_FINISHED = "Export request {request_id} is already {status}"
    EXPORT_TIME_FORMAT = "must be in format yyyy-MM-dd'T'HH:mm:ss.SSSZ"
    EXPORT_ROLE_ARN = "must be in format arn:aws:iam::account:role/role-name-with-path"
    EXPORT_START_AFTER_END = "startTime must be earlier than endTime"
    EXPORT_IN_FUTURE = "must be earlier than the current time"
    EXPORT_WINDOW = "startTime and endTime must be at most 24 hours apart"
    EXPORT_TOO_OLD = "startTime must be no more than 1 year ago"
    EXPORT_TOO_MANY_DEFINITIONS = "definitionIdList matches more than {max} definitions"
    EXPORT_IN_PROGRESS_LIMIT = (
        "At most 72 hours worth of export requests may be in progress at one time"
    )
    EXPORT_NO_EVENTS = "0 events found for the time period queried."
    EXPORT_DONE = "{count} events exported."
    EXPORT_CANCELLED = "Cancellation complete, cancellation request received at {at}"
    # persons, tags
    PERSON_NOT_FOUND = "Person not found"
    PERSON_NO_MATCH = "There is no person matching the query"
    PERSON_IDENTITY_REQUIRED = "At least one of phone, email or externalId is required"
    DESTINATION_EXISTS = "Destination({kind}) {value} already exists."
    NAME_CHARS = 'must not contain any of & < > " / \\ : ( ) { } = ; # or line breaks'
    FIELD_DATE = "must be a date in format YYYY-MM-DD"
    FIELD_EMAIL = "must be a well-formed email address"
    FIELD_PHONE = "must be a phone number in E.164 format"
    FIELD_LANGUAGE = "must be a language code like en or en-US"
    FIELD_STRING = "must be a string"
    FIELD_LIST = "must be an array"
    FIELD_MAX_ITEMS = "must contain at most {max} items"
    FIELD_BATCH_SIZE = "size must be between 1 and {max}"
    SENDER_REQUIRED = "sender is required for type {type}"
    IDENTIFIER_REQUIRED = "identifier and type are required"
    ADDRESS_TWICE = (
        "Address one person only: give either identifier and type, or exactly one of "
        "phone, email, externalId, pushRegistrationId"
    )
    LIMIT_RANGE = "limit must be between 1 and {max}"
    PAGE_RANGE = "page must be 1 or greater"
    ORDER_BY = "orderBy must be field:asc or field:desc with field one of {fields}"
    FILTER_INVALID = "Invalid filter: {reason}"
    V3_VALIDATION = "Validation failed"
    V3_PERSONS_REQUIRED = "persons must contain 1 to {max} items"
    V3_AMBIGUOUS = "Identifiers of the item match more than one person"
    V3_CONTACT_TYPE = "type {type} is not allowed here"
    PUSH_UNKNOWN = "push registration {id} does not exist"
    TAG_DUPLICATE = "Tag with name {name} already exists"
    TAG_NOT_FOUND = "Tag {name} does not exist"
    TAG_DELETED = "Tag {name} deleted"
    TAG_PEOPLE_REMOVED = "Tag {name} removed from {count} people"
    ATTRIBUTE_DELETED = "Custom attribute {name} deleted"
    # companies and lists
    COMPANY_SELECTOR = "Exactly one of id, externalId, name or domain must be given"
    COMPANY_NOT_FOUND = 'Company with {selector} "{value}" does not exist'
    COMPANY_NAME_EXISTS = 'Company with lower(name) "{name}" already exists'
    COMPANY_EXTERNAL_ID_EXISTS = 'Company with externalId "{value}" already exists'
    COMPANY_DOMAIN_EXISTS = 'Domain "{value}" already belongs to another company'
    COMPANY_FILTER_OPERATOR = "Invalid filter: operator {operator} is not supported for companies"
    COMPANY_PERSON_NOT_FOUND = "Person with {type} {identifier} does not exist"
    FIELD_INTEGER = "must be an integer"
    FIELD_BOOLEAN = "must be true or false"
    LIST_MISSING_PARAMETER = "Missing parameter: {name}"
    LIST_INVALID_TYPE = "Invalid parameter: type {type}"
    LIST_SENDER_FORBIDDEN = "For type {type} sender shouldn't be specified"
    LIST_SENDER_REQUIRED = "For type {type} sender should be specified"
    LIST_PERSON_NOT_FOUND = "Person with ID '{identifier}' does not exist"
    LIST_PLACEHOLDER_NOT_FOUND = 'Placeholder with name "{name}" does not exist'
    LIST_PLACEHOLDERS_NOT_FOUND = "Placeholders with names [{names}] do not exist"
    LIST_ITEMS_NOT_FOUND = (
        "Items of list of objects are not found [listName = {name}, itemIds=[{ids}]]"
    )
    LIST_IDS_FORBIDDEN = "Item ids shouldn't be passed"
    LIST_IDS_REQUIRED = "Ids should be presented for an every item: {item}"
    LIST_ID_INVALID = "Item id is invalid: {item_id}"
    LIST_EMPTY_BODY = "Request body shouldn't be empty"
    LIST_BODY_SIZE = "Request body must hold 1 to {max} {what}"
    LIST_BODY_SHAPE = "Request body must be {what}"
    LIST_FIELD_VALUE = "Invalid field value for list {name}: {problem}"
    # push: codes 48001/48012/48013 are the spec's; the others are [I]
    PUSH_APP_CODE_MISSING = "Application code missing"
    PUSH_APP_NOT_FOUND = "Push application not found"
    PUSH_REGISTRATION_NOT_FOUND = "Push registration not found"
    PUSH_INVALID_REQUEST = "Invalid request: {field} {reason}"
    PUSH_IDENTITY_REQUIRED = "identity must contain at least one of externalId, email, phoneNumber"
    PUSH_PERSONALIZATION_IMPOSSIBLE = (
        "PERSONALIZATION_IMPOSSIBLE: the registration belongs to another identified person; "
        "depersonalize it first or use forceDepersonalize=true"
    )
    PUSH_AMBIGUOUS_CANDIDATES = (
        "AMBIGUOUS_PERSONALIZE_CANDIDATES: the identity matches more than one person"
    )
    PUSH_PERSONALIZE_REJECTED = "USER_MERGE_INTERRUPTED: {reason}"
    # segments
    SEGMENT_BAD_REQUEST = "Request cannot be processed."
    SEGMENT_BAD_REQUEST_ACTION = "Check the syntax, violations and adjust the request."
    SEGMENT_NOT_FOUND = "Segment {id} not found."
    SEGMENT_NOT_FOUND_ACTION = "Check the resources and adjust your request."
    SEGMENT_NAME_TAKEN = "a segment named {name} already exists"
    SEGMENT_UNKNOWN_DEFINITION = "event definition {definition} does not exist"
    SEGMENT_REQUIRED = "must not be null"
    SEGMENT_BLANK = "must not be blank"
    SEGMENT_ONE_OF = "must be one of {values}"
    SEGMENT_INTEGER = "must be an integer"
    SEGMENT_MIN = "must be greater than or equal to {min}"
    SEGMENT_RANGE = "must be between {min} and {max}"
    SEGMENT_STRING = "must be a string"
    SEGMENT_OBJECT = "must be a JSON object"
    SEGMENT_ARRAY = "must be an array"
    SEGMENT_QUERY = "invalid query: {reason}"
    SEGMENT_SORT = "must be property,asc or property,desc with property one of {fields}"
