"""The company's own fields, shared by the client and the fake (which may import this module).

One table for the client's checks, the bulk import's column targets and the fake's answers, so
that they cannot drift apart.
"""

from __future__ import annotations

__all__ = ["COMPANY_FIELD_ORDER", "COMPANY_MAX_LENGTHS"]

#: The fields a company's owner sets, in the order the service writes them (without ``id``,
#: ``customAttributes``, ``serviceData`` and the read-only stamps).
COMPANY_FIELD_ORDER = (
    "name",
    "externalId",
    "domains",
    "tags",
    "accountManager",
    "customerStage",
    "industry",
    "region",
    "segment",
    "country",
    "vatNumber",
    "notes",
)

#: wire field -> maximum length (the spec's ``IamCompanyV2``).
COMPANY_MAX_LENGTHS = {
    "name": 255,
    "externalId": 256,
    "notes": 1023,
    "vatNumber": 50,
    "accountManager": 255,
    "customerStage": 255,
    "industry": 255,
    "region": 255,
    "segment": 255,
    "country": 50,
}
