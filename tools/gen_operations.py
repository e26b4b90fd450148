"""Regenerate ``infobip_profiles/_operations_data.py`` from the OpenAPI spec.

Usage: python tools/gen_operations.py ../shared/spec/people-openapi.json

The generated module holds plain facts (method, path, deprecation, published rate limit) per
operationId. Policy that is ours, not the spec's (paging style, replay safety, error family), lives
in ``infobip_profiles/_operations.py`` beside it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def main(spec_path: str) -> None:
    spec = json.loads(Path(spec_path).read_text())
    rows = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in HTTP_METHODS:
                continue
            limit = "None"
            for info in op.get("x-throttling-info") or []:
                if info.get("type") == "time":
                    limit = f"RateLimit.per_second({info['numberOfRequests']})"
                elif info.get("type") == "token":
                    limit = (
                        f"RateLimit.token_bucket(rate={info['replenishRate']}, "
                        f"burst={info['burstCapacity']})"
                    )
            rows.append(
                f'    ("{op["operationId"]}", "{method.upper()}", "{path}", '
                f"{bool(op.get('deprecated'))}, {limit}),"
            )
    out = Path(__file__).resolve().parent.parent / "infobip_profiles" / "_operations_data.py"
    out.write_text(
        '"""Facts per operation, generated from the OpenAPI spec by tools/gen_operations.py.\n\n'
        'Do not edit by hand: rerun the script when the spec changes.\n"""\n\n'
        "from __future__ import annotations\n\n"
        "from ._ratelimit import RateLimit\n\n"
        f'SPEC_VERSION = "{spec["info"]["version"]}"\n\n'
        "# (operationId, HTTP method, path, deprecated, published rate limit)\n"
        "SPEC_OPERATIONS: tuple[tuple[str, str, str, bool, RateLimit | None], ...] = (\n"
        + "\n".join(rows)
        + "\n)\n"
    )
    print(f"wrote {len(rows)} operations to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "../shared/spec/people-openapi.json")
