"""MkDocs hook: the resource methods' reference, as users call them.

Each resource method is written once as a plan on a private class and exposed on the public
resource classes (``Tags``, ``AsyncTags``...) by descriptors, which the docs' static analysis
cannot see through. A line ``<!-- resource-methods: module.Class client.name -->`` in a page is
replaced by one section per public method of ``Class``: the signature as a user calls it (the
return type the method gives, ``Pager[X]`` for listing methods, no private parameters) and the
method's docstring.
"""

from __future__ import annotations

import importlib
import inspect
import re
from typing import Any

_MARKER = re.compile(r"^<!-- resource-methods: (\S+) (\S+) -->$", re.M)
_CONSTRUCTOR = re.compile(r"^<!-- constructor: (\S+) -->$", re.M)
_PLAN = re.compile(r"^Plan\[(.*)\]$")
_PAGE_SPEC = re.compile(r"^PageSpec\[(.*)\]$")


def _returns(annotation: Any) -> str:
    text = annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)
    if match := _PLAN.match(text):
        return match.group(1)
    if match := _PAGE_SPEC.match(text):
        return f"Pager[{match.group(1)}]"
    return text


def _signature(name: str, function: Any) -> str:
    signature = inspect.signature(function)
    params = []
    star = False
    for param in list(signature.parameters.values())[1:]:  # without self
        if param.name.startswith("_"):
            continue
        if param.kind is param.VAR_KEYWORD:
            params.append("**options: CallOptions")
            continue
        if param.kind is param.KEYWORD_ONLY and not star:
            params.append("*")
            star = True
        if param.kind is param.VAR_POSITIONAL:
            star = True
        text = param.name if param.kind is not param.VAR_POSITIONAL else f"*{param.name}"
        if param.annotation is not param.empty:
            text += f": {param.annotation}"
        if param.default is not param.empty:
            text += f" = {param.default!r}"
        params.append(text)
    one_line = f"def {name}({', '.join(params)}) -> {_returns(signature.return_annotation)}"
    if len(one_line) <= 96:
        return one_line
    inner = "".join(f"    {p},\n" for p in params)
    return f"def {name}(\n{inner}) -> {_returns(signature.return_annotation)}"


def _methods(cls: type) -> list[tuple[str, Any]]:
    found = []
    for name, member in vars(cls).items():
        if name.startswith("_"):
            continue
        function = getattr(member, "plan", None) or getattr(member, "spec", None)
        if function is not None:
            found.append((name, function))
    return found


def _section(target: str, label: str) -> str:
    module_name, _, class_name = target.rpartition(".")
    cls = getattr(importlib.import_module(module_name), class_name)
    parts = [f"## `{label}`\n"]
    for name, function in _methods(cls):
        doc = inspect.getdoc(function) or ""
        parts.append(f"### `{label}.{name}`\n")
        parts.append(f"```python\n{_signature(name, function)}\n```\n")
        parts.append(doc + "\n")
    return "\n".join(parts)


def _constructor(target: str) -> str:
    """A class's constructor as users call it (private parameters left out)."""
    module_name, _, class_name = target.rpartition(".")
    cls = getattr(importlib.import_module(module_name), class_name)
    text = _signature(class_name, cls.__init__)
    text = text.replace(f"def {class_name}(", f"{class_name}(", 1).rsplit(" -> ", 1)[0]
    return f"```python\n{text}\n```\n"


def on_page_markdown(markdown: str, **kwargs: Any) -> str:
    """Replace each marker line with the methods' reference or the constructor's signature."""
    markdown = _CONSTRUCTOR.sub(lambda m: _constructor(m.group(1)), markdown)
    return _MARKER.sub(lambda m: _section(m.group(1), m.group(2)), markdown)
