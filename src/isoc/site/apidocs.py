"""The API's documentation page: plain HTML built on the server from the OpenAPI schema.

Django Ninja's default page is Swagger UI: 450 KB of script (gzipped) to show eight
endpoints, nothing without JavaScript, and WCAG failures inside its own markup (nested
interactive controls, low contrast, no page language) that no stylesheet can mend. This
page says the same things — every operation, its parameters, body, responses and
authentication, and every schema — as headings, lists and tables, in a few kilobytes.
The machine-readable schema stays at ``openapi.json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase

METHODS = ("get", "post", "put", "patch", "delete")
CONSTRAINTS = (("minLength", "at least {} characters"), ("maxLength", "at most {} characters"),
               ("minimum", "≥ {}"), ("maximum", "≤ {}"), ("pattern", "matches {}"), ("default", "default {!r}"))


@dataclass
class Field:
    name: str
    type: str
    required: bool
    notes: str = ""
    where: str = ""


@dataclass
class Operation:
    method: str
    path: str
    anchor: str
    summary: str
    description: str
    parameters: list[Field] = field(default_factory=list)
    body: str = ""
    responses: list[tuple[str, str, str]] = field(default_factory=list)
    security: list[str] = field(default_factory=list)


def type_of(schema: dict[str, Any]) -> str:
    """A schema's type in words: ``string``, ``array of InvoiceOut``, ``integer or null``."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " or ".join(type_of(s) for s in schema["anyOf"])
    kind = schema.get("type", "any")
    if kind == "array":
        return f"array of {type_of(schema.get('items', {}))}"
    if "enum" in schema:
        return f"{kind}, one of " + ", ".join(repr(v) for v in schema["enum"])
    return f"{kind} ({schema['format']})" if "format" in schema else str(kind)


def notes_of(schema: dict[str, Any]) -> str:
    parts = [schema["description"]] if schema.get("description") else []
    for options in [schema, *schema.get("anyOf", [])]:
        for key, text in CONSTRAINTS:
            if key in options and not (key == "default" and options[key] in ("", None)):
                parts.append(text.format(options[key]))
    return "; ".join(dict.fromkeys(parts))


def reference(schema: dict[str, Any]) -> dict[str, Any]:
    """The operations and schemas of an OpenAPI document, ready for the template."""
    operations = []
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            operation = Operation(
                method=method.upper(), path=path, anchor=op.get("operationId", f"{method}-{path}"),
                summary=op.get("summary", ""), description=op.get("description", ""),
                security=sorted({name for requirement in op.get("security", []) for name in requirement}),
            )
            for p in op.get("parameters", []):
                s = p.get("schema", {})
                operation.parameters.append(Field(p["name"], type_of(s), p.get("required", False), notes_of(s), p["in"]))
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            operation.body = type_of(body) if body else ""
            for status, response in op.get("responses", {}).items():
                out = response.get("content", {}).get("application/json", {}).get("schema")
                operation.responses.append((status, response.get("description", ""), type_of(out) if out else ""))
            operations.append(operation)
    schemas = []
    for name, s in schema.get("components", {}).get("schemas", {}).items():
        required = set(s.get("required", []))
        fields = [Field(k, type_of(v), k in required, notes_of(v)) for k, v in s.get("properties", {}).items()]
        schemas.append((name, s.get("description", ""), fields))
    return {"info": schema.get("info", {}), "operations": operations, "schemas": schemas}


class ApiReference(DocsBase):
    """Ninja's documentation hook, answering with ``site/api_reference.html``."""

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        context = reference(api.get_openapi_schema(path_params=kwargs))
        context["openapi_url"] = self.get_openapi_url(api, kwargs)
        return render(request, "site/api_reference.html", context)
