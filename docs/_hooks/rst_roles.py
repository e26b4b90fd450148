"""MkDocs hook: tidy reStructuredText leftovers in rendered docstrings.

The package's docstrings use Sphinx roles (``:class:`~infobip_profiles.Person```) and literal-block
markers (``Example::``). mkdocstrings renders them as Markdown, leaving ``:class:`` prefixes and
double colons behind; this turns them into plain code names and single colons.
"""

from __future__ import annotations

import re
from typing import Any

_ROLE = re.compile(r":(?:class|meth|func|mod|attr|data|exc|obj|const):<code>(~?)([^<]*)</code>")
_LITERAL_MARKER = re.compile(r"::</p>")


def _name(match: re.Match[str]) -> str:
    short, target = match.group(1), match.group(2)
    return f"<code>{target.rsplit('.', 1)[-1] if short else target}</code>"


def on_page_content(html: str, **kwargs: Any) -> str:
    """Rewrite role markup and ``::`` paragraph endings in a page's HTML."""
    return _LITERAL_MARKER.sub(":</p>", _ROLE.sub(_name, html))
