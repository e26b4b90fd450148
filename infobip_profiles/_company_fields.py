"""The company's own fields, shared by the client and the fake (which may import this module).

One table for the client's checks, the bulk import's column targets and the fake's answers, so
that they cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ._operations import COMPANY_MAX_LENGTHS as _SPEC_LENGTHS

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

#: wire field -> maximum length, from the spec's ``IamCompanyV2`` (generated into
#: ``_operations_data``), in :data:`COMPANY_FIELD_ORDER`.
COMPANY_MAX_LENGTHS: Mapping[str, int] = MappingProxyType(
    {name: _SPEC_LENGTHS[name] for name in COMPANY_FIELD_ORDER if name in _SPEC_LENGTHS}
)
