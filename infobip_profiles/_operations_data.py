"""Facts of the API, generated from the OpenAPI spec by tools/gen_operations.py.

Do not edit by hand: rerun the script when the spec changes.
"""

from __future__ import annotations

from ._ratelimit import RateLimit

SPEC_VERSION = "3.210.0"

# (operationId, HTTP method, path, deprecated, published rate limit)
SPEC_OPERATIONS: tuple[tuple[str, str, str, bool, RateLimit | None], ...] = (
    ("get-a-single-person-or-a-list-of-people", "GET", "/people/2/persons", False, RateLimit.per_second(5)),
    ("update-a-person", "PUT", "/people/2/persons", False, RateLimit.per_second(5)),
    ("create-a-new-person", "POST", "/people/2/persons", False, RateLimit.per_second(10)),
    ("delete-a-person", "DELETE", "/people/2/persons", False, RateLimit.per_second(5)),
    ("partial-person-update", "PATCH", "/people/2/persons", False, RateLimit.per_second(5)),
    ("set-person-contact-information", "PUT", "/people/2/persons/contactInformation", False, RateLimit.per_second(5)),
    ("delete-person-contact-information", "DELETE", "/people/2/persons/contactInformation", False, RateLimit.per_second(5)),
    ("add-person-contact-information", "PATCH", "/people/2/persons/contactInformation", False, RateLimit.per_second(5)),
    ("batch-people-create", "POST", "/people/2/persons/batch", False, RateLimit.per_second(5)),
    ("batch-people-delete", "DELETE", "/people/2/persons/batch", False, RateLimit.per_second(5)),
    ("batch-people-update", "PATCH", "/people/2/persons/batch", False, RateLimit.per_second(5)),
    ("match-people-ids", "POST", "/people/2/persons/match", False, RateLimit.per_second(15)),
    ("merge-persons", "POST", "/people/3/persons/merge", False, RateLimit.per_second(5)),
    ("upsert-persons-full", "PUT", "/people/3/persons/upsert", False, RateLimit.per_second(5)),
    ("upsert-persons-partial", "PATCH", "/people/3/persons/upsert", False, RateLimit.per_second(5)),
    ("get-a-single-company-by-name-or-a-list-of-companies", "GET", "/people/2/companies", False, RateLimit.per_second(5)),
    ("create-company", "POST", "/people/2/companies", False, RateLimit.per_second(5)),
    ("delete-company", "DELETE", "/people/2/companies", False, RateLimit.per_second(5)),
    ("update-company", "PATCH", "/people/2/companies", False, RateLimit.per_second(5)),
    ("create-companies", "POST", "/people/2/companies/batch", False, RateLimit.per_second(5)),
    ("delete-companies", "DELETE", "/people/2/companies/batch", False, RateLimit.per_second(5)),
    ("update-companies", "PATCH", "/people/2/companies/batch", False, RateLimit.per_second(5)),
    ("batch-remove-persons-from-company", "DELETE", "/people/2/companies/persons", False, RateLimit.per_second(5)),
    ("batch-add-persons-to-company", "PATCH", "/people/2/companies/persons", False, RateLimit.per_second(5)),
    ("get-list-of-tags", "GET", "/people/2/tags", False, RateLimit.per_second(5)),
    ("create-a-new-tag", "POST", "/people/2/tags", False, RateLimit.per_second(5)),
    ("get-a-tag", "GET", "/people/2/tags/{name}", False, RateLimit.per_second(5)),
    ("delete-a-tag", "DELETE", "/people/2/tags/{name}", False, RateLimit.per_second(5)),
    ("remove-tag-from-people-batch", "DELETE", "/people/2/tags/{name}/persons", False, RateLimit.per_second(5)),
    ("add-tag-to-people-batch", "PATCH", "/people/2/tags/{name}/persons", False, RateLimit.per_second(5)),
    ("get-a-list-of-custom-attributes", "GET", "/people/2/customAttributes", False, RateLimit.per_second(5)),
    ("create-a-custom-attribute", "POST", "/people/2/customAttributes", False, RateLimit.per_second(5)),
    ("get-a-single-custom-attribute", "GET", "/people/2/customAttributes/{name}", False, RateLimit.per_second(5)),
    ("delete-a-custom-attribute", "DELETE", "/people/2/customAttributes/{name}", False, RateLimit.per_second(5)),
    ("append-item-to-custom-attribute", "POST", "/people/2/customAttributes/{name}/append", False, RateLimit.per_second(5)),
    ("get-list-items", "GET", "/people/3/lists/{listName}/items", False, RateLimit.per_second(10)),
    ("append-list-items", "POST", "/people/3/lists/{listName}/items", False, RateLimit.per_second(3)),
    ("delete-list-items", "DELETE", "/people/3/lists/{listName}/items", False, RateLimit.per_second(3)),
    ("replace-list-item", "PUT", "/people/3/lists/{listName}/items/{itemId}", False, RateLimit.per_second(3)),
    ("update-list-item", "PATCH", "/people/3/lists/{listName}/items/{itemId}", False, RateLimit.per_second(3)),
    ("get-lists", "GET", "/people/3/lists", False, RateLimit.per_second(10)),
    ("delete-lists", "DELETE", "/people/3/lists", False, RateLimit.per_second(3)),
    ("replace-list", "PUT", "/people/3/lists/{listName}", False, RateLimit.per_second(3)),
    ("update-list", "PATCH", "/people/3/lists/{listName}", False, RateLimit.per_second(3)),
    ("deprecated-get-list-items", "GET", "/people/2/persons/{personId}/lists/{listName}/items", True, RateLimit.per_second(10)),
    ("deprecated-append-list-items", "POST", "/people/2/persons/{personId}/lists/{listName}/items", True, RateLimit.per_second(3)),
    ("deprecated-delete-list-items", "DELETE", "/people/2/persons/{personId}/lists/{listName}/items", True, RateLimit.per_second(3)),
    ("deprecated-replace-list-item", "PUT", "/people/2/persons/{personId}/lists/{listName}/items/{itemId}", True, RateLimit.per_second(3)),
    ("deprecated-update-list-item", "PATCH", "/people/2/persons/{personId}/lists/{listName}/items/{itemId}", True, RateLimit.per_second(3)),
    ("deprecated-get-lists", "GET", "/people/2/persons/{personId}/lists", True, RateLimit.per_second(10)),
    ("deprecated-delete-lists", "DELETE", "/people/2/persons/{personId}/lists", True, RateLimit.per_second(3)),
    ("deprecated-replace-list", "PUT", "/people/2/persons/{personId}/lists/{listName}", True, RateLimit.per_second(3)),
    ("deprecated-update-list", "PATCH", "/people/2/persons/{personId}/lists/{listName}", True, RateLimit.per_second(3)),
    ("get-push-device-registration", "GET", "/people/2/contactInformation/push/{pushRegId}", False, RateLimit.per_second(50)),
    ("update-push-device-registration", "PATCH", "/people/2/contactInformation/push/{pushRegId}", False, RateLimit.per_second(50)),
    ("depersonalize-push-instance", "POST", "/people/2/contactInformation/push/{pushRegId}/depersonalize", False, RateLimit.per_second(50)),
    ("personalize-push-instance", "POST", "/people/2/contactInformation/push/{pushRegId}/personalize", False, RateLimit.per_second(50)),
    ("send-custom-events", "POST", "/people/3/events", False, RateLimit.per_second(5)),
    ("send-custom-event", "POST", "/peopleevents/2/persons/{personId}/definitions/{definitionId}/events", False, RateLimit.per_second(250)),
    ("list-event-definitions", "GET", "/peopleevents/2/definitions", False, None),
    ("create-event-definition", "POST", "/peopleevents/2/definitions", False, None),
    ("get-event-definition", "GET", "/peopleevents/2/definitions/{definitionId}", False, None),
    ("update-event-definition", "POST", "/peopleevents/2/definitions/{definitionId}", False, None),
    ("create-events-export-request", "POST", "/peopleevents/1/export", False, RateLimit.token_bucket(rate=1, burst=5)),
    ("get-events-export-request-status", "GET", "/peopleevents/1/export/status/{requestId}", False, RateLimit.token_bucket(rate=1, burst=5)),
    ("cancel-events-export-request", "DELETE", "/peopleevents/1/export/{requestId}", False, RateLimit.token_bucket(rate=1, burst=1)),
    ("get-events-definitions-for-export", "GET", "/peopleevents/1/export/definitions", False, RateLimit.token_bucket(rate=1, burst=5)),
    ("get-segments", "GET", "/people/3/segments", False, RateLimit.per_second(5)),
    ("create-segment", "POST", "/people/3/segments", False, RateLimit.per_second(5)),
    ("get-segment", "GET", "/people/3/segments/{segmentId}", False, RateLimit.per_second(10)),
    ("update-segment", "PUT", "/people/3/segments/{segmentId}", False, RateLimit.per_second(5)),
    ("delete-segment", "DELETE", "/people/3/segments/{segmentId}", False, RateLimit.per_second(5)),
    ("get-segment-persons", "GET", "/people/3/segments/{segmentId}/persons", False, RateLimit.per_second(5)),
)

# operationId -> most elements one request body carries (persons, companies, events, list items or item fields)
SPEC_BATCH_LIMITS: dict[str, int] = {
    'batch-people-create': 1000,
    'batch-people-delete': 1000,
    'batch-people-update': 1000,
    'merge-persons': 1000,
    'upsert-persons-full': 1000,
    'upsert-persons-partial': 1000,
    'create-companies': 1000,
    'delete-companies': 1000,
    'update-companies': 1000,
    'batch-remove-persons-from-company': 1000,
    'batch-add-persons-to-company': 1000,
    'remove-tag-from-people-batch': 1000,
    'add-tag-to-people-batch': 1000,
    'append-list-items': 128,
    'replace-list-item': 128,
    'update-list-item': 128,
    'replace-list': 128,
    'update-list': 128,
    'deprecated-append-list-items': 128,
    'deprecated-replace-list-item': 128,
    'deprecated-update-list-item': 128,
    'deprecated-replace-list': 128,
    'deprecated-update-list': 128,
    'send-custom-events': 5000,
}

# operationId -> (default, maximum) of the page-size query parameter
SPEC_PAGE_SIZES: dict[str, tuple[int, int]] = {
    'get-a-single-person-or-a-list-of-people': (20, 1000),
    'get-a-single-company-by-name-or-a-list-of-companies': (20, 1000),
    'get-list-of-tags': (20, 1000),
    'get-a-list-of-custom-attributes': (20, 1000),
    'get-segments': (20, 1000),
    'get-segment-persons': (20, 1000),
}

# what a body describes -> wire field -> its maximum length in characters
SPEC_MAX_LENGTHS: dict[str, dict[str, int]] = {
    'person': {'externalId': 256, 'firstName': 255, 'middleName': 50, 'lastName': 255, 'nickName': 50, 'country': 50, 'city': 50, 'address': 256, 'profilePicture': 2083},
    'company': {'accountManager': 255, 'country': 50, 'customerStage': 255, 'externalId': 256, 'industry': 255, 'name': 255, 'notes': 1023, 'region': 255, 'segment': 255, 'vatNumber': 50},
    'email': {'address': 255},
    'phone': {'number': 50},
    'contact': {'identifier': 255, 'sender': 255},
    'tag': {'name': 256},
    'custom_attribute': {'name': 256},
    'event_definition': {'templateId': 36, 'definitionId': 36, 'title': 100, 'description': 2000},
    'event_field': {'name': 128},
    'event': {'eventId': 36},
}

# named limits stated by the spec (bytes for the event sizes)
SPEC_LIMITS: dict[str, int] = {
    'contacts_per_person': 100,
    'custom_attribute_value_length': 4096,
    'event_item_bytes': 512000,
    'event_batch_bytes': 15728640,
    'event_age_days': 30,
    'event_definition_fields': 120,
    'event_list_fields': 128,
    'export_definition_ids': 200,
}

# enums values are checked against, in the spec's order
SPEC_ENUMS: dict[str, tuple[str, ...]] = {
    'query_types': ('ID', 'EXTERNAL_ID', 'PHONE', 'EMAIL', 'LINE', 'FACEBOOK', 'TELEGRAM', 'PUSH', 'WEB_PUSH', 'LIVE_CHAT', 'VIBER_BOTS', 'INSTAGRAM', 'INSTAGRAM_DM', 'TWITTER', 'APPLE_BUSINESS_CHAT', 'KAKAO_SANGDAM', 'OPEN_CHANNEL', 'ZALO_FOLLOWER', 'TIKTOK_BM', 'WHATSAPP'),
    'match_types': ('ID', 'EXTERNAL_ID', 'PHONE', 'EMAIL', 'LINE', 'FACEBOOK', 'TELEGRAM', 'PUSH', 'LIVE_CHAT', 'VIBER_BOTS', 'INSTAGRAM', 'INSTAGRAM_DM', 'TWITTER', 'APPLE_BUSINESS_CHAT', 'KAKAO_SANGDAM', 'OPEN_CHANNEL', 'ZALO_FOLLOWER', 'TIKTOK_BM', 'WHATSAPP', 'KAKAO_TALK'),
    'attribute_data_types': ('STRING', 'DECIMAL', 'INTEGER', 'BOOLEAN', 'DATE', 'DATE_TIME', 'LIST_OF_OBJECTS'),
    'person_types': ('CUSTOMER', 'LEAD'),
    'genders': ('MALE', 'FEMALE'),
    'push_cloud_types': ('GCM', 'APNS', 'HMS', 'WEB'),
    'event_field_types': ('String', 'Boolean', 'DateTime', 'Numeric', 'Decimal', 'List'),
    'event_categories': ('external', 'person', 'channel', 'product', 'template'),
    'senderless_types': ('ID', 'EXTERNAL_ID', 'PHONE', 'EMAIL'),
}
