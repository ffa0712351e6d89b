"""The API's error responses, written into the OpenAPI schema of every operation.

The handlers in ``isoc.site.api`` turn refusals into one shape, ``{detail, errors: [{field,
message}]}``, with 401 (no or bad credentials), 403 (signed in, not allowed), 404 (no such
object), 409 (a rule refuses the change) and 422 (input that breaks its declared shape). The
endpoints declare only their success bodies; without this a client reading the schema (or
schemathesis, tests/fuzzing/test_api_schema.py) meets status codes the schema never
mentions. Each operation gets the errors its shape can produce:

- 401, 403 and 429 when it has a security requirement (429: too many bad API tokens from
  one address, isoc.site.security.ratelimit);
- 404 always: the shared handler answers it for any operation whose object (in the path,
  or named by a query parameter such as ``?year=`` or ``?version=``) does not exist, or
  whose data is not published yet;
- 409 for writes (POST, PUT, PATCH, DELETE): the services' rule violations;
- 422 when it takes any parameter or a body.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

ERROR_SCHEMA: dict[str, Any] = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {"type": "string", "description": "What went wrong, for people."},
        "errors": {
            "type": "array",
            "description": "One entry per field at fault (field is null for the request as a whole).",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    "message": {"type": "string"},
                },
                "required": ["field", "message"],
            },
        },
    },
    "required": ["detail", "errors"],
}

DESCRIPTIONS = {
    "401": "Authentication required: no valid token or session.",
    "403": "Signed in, but not allowed to do this.",
    "404": "No such object (or not visible to you), or nothing published yet.",
    "409": "Refused by a rule (e.g. already registered, no seats left).",
    "429": "Too many requests with a bad API token from this address: wait and try again.",
    "422": "Invalid input: the errors name each field at fault.",
}
WRITES = ("post", "put", "patch", "delete")

#: ``openapi_extra`` of an endpoint whose ``?format=csv|parquet`` answers a file instead of
#: its JSON body: the 200 response lists those content types too.
TABLE_DOWNLOADS: dict[str, Any] = {
    "responses": {
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/vnd.apache.parquet": {"schema": {"type": "string", "format": "binary"}},
            }
        }
    }
}


def errors_for(method: str, operation: dict[str, Any]) -> list[str]:
    """The error status codes one operation can answer with (see the module docstring)."""
    codes = []
    parameters = operation.get("parameters") or []
    if operation.get("security"):
        codes += ["401", "403", "429"]
    codes.append("404")
    if method in WRITES:
        codes.append("409")
    if parameters or operation.get("requestBody"):
        codes.append("422")
    return codes


def document_errors(schema: dict[str, Any]) -> dict[str, Any]:
    """Add the shared error responses to every operation of ``schema`` (in place)."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR_SCHEMA)
    reference = {"$ref": "#/components/schemas/Error"}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for code in errors_for(method, operation):
                operation["responses"].setdefault(
                    code,
                    {"description": DESCRIPTIONS[code], "content": {"application/json": {"schema": reference}}},
                )
    return schema


class DocumentedErrorsAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI schema lists each operation's error responses."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any):
        return document_errors(super().get_openapi_schema(*args, **kwargs))
