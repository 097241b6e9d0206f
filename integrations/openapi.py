"""Documents, on every operation, the responses that come from the API's shared machinery
rather than from its view: authentication (401), permissions and read-only keys (403),
unknown ids (404), input validation (400), rate limits (429) and, on POST, the
`Idempotency-Key` header with its 409/422. A drf-spectacular postprocessing hook, so a new
endpoint is documented correctly without repeating these in every `@extend_schema`; what a
view documents itself is kept, and widened only where these can also answer.
"""

import re
from typing import Any

from integrations.idempotency import HEADER, MAX_KEY_LENGTH

ERROR = "ApiError"
VALIDATION_ERROR = "ApiValidationError"

ERROR_SCHEMA = {
    "type": "object",
    "description": "An error: `detail` says what went wrong.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "description": (
        "Invalid input: an object mapping each field (or `non_field_errors`, `detail`) to "
        "its messages; rarely a bare list of messages."
    ),
    "anyOf": [
        {"type": "object", "additionalProperties": {}},
        {"type": "array", "items": {"type": "string"}},
    ],
}

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds until the limit's window ends.",
        "schema": {"type": "integer", "minimum": 0},
    }
}
IDEMPOTENCY_PARAMETER = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "description": (
        "Makes the POST safe to retry: a retry with the same key (for 24 hours) returns the "
        "first response, with `Idempotent-Replayed: true`, and changes nothing. Use a new "
        "random key (e.g. a UUID) per distinct request."
    ),
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": MAX_KEY_LENGTH,
        "pattern": "^[\\x20-\\x7E]+$",
    },
}

# code: (description, schema name, extra response fields)
SHARED_RESPONSES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "400": ("Invalid input or parameters.", VALIDATION_ERROR, {}),
    "401": ("No credentials, or invalid or revoked ones.", ERROR, {}),
    "403": ("Your role or your API key's scope does not allow this.", ERROR, {}),
    "404": ("No such record or one not visible to you, or an invalid cursor.", ERROR, {}),
    "409": (f"A request with the same `{HEADER}` is still being processed.", ERROR, {}),
    "422": (f"The `{HEADER}` was already used for a different request.", ERROR, {}),
    "429": (
        "Rate limit exceeded; retry after `Retry-After` seconds.",
        ERROR,
        {"headers": RETRY_AFTER},
    ),
}


def document_api_conventions(result: dict, generator, request, public) -> dict:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault(ERROR, ERROR_SCHEMA)
    schemas.setdefault(VALIDATION_ERROR, VALIDATION_ERROR_SCHEMA)
    idempotent = _idempotent_posts(generator)
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            keyed = method == "post" and _route(path) in idempotent
            for code in _shared_codes(path, method, operation, idempotent=keyed):
                _add_response(operation, code)
            if keyed:
                parameters = operation.setdefault("parameters", [])
                if not any(p.get("name") == HEADER for p in parameters):
                    parameters.append(dict(IDEMPOTENCY_PARAMETER))
    return result


def _route(path: str) -> str:
    return re.sub(r"{[^}]*}", "{}", path)


def _idempotent_posts(generator) -> set[str]:
    """Routes whose POST honours `Idempotency-Key`: the middleware scopes keys to the
    caller the view's own authentication classes find, so every view that authenticates
    at all, even one that also serves anonymous callers (token login), and not one that
    authenticates nobody (public capture)."""
    endpoints = getattr(generator, "endpoints", None) or []
    return {
        _route(path)
        for path, _regex, method, callback in endpoints
        if method == "POST" and getattr(callback.cls, "authentication_classes", None)
    }


def _shared_codes(path: str, method: str, operation: dict, *, idempotent: bool) -> list[str]:
    codes = ["429"]
    # Any authentication scheme means bad credentials (401) and a read-only key (403)
    # apply, even where anonymous calls are allowed.
    authenticated = any(operation.get("security", []))
    if authenticated:
        codes += ["401", "403"]
    parameters = operation.get("parameters", [])
    if "{" in path or any(p.get("in") == "query" and p.get("name") == "cursor" for p in parameters):
        codes.append("404")  # an unknown id, or an invalid pagination cursor
    takes_input = "requestBody" in operation or any(p.get("in") == "query" for p in parameters)
    if takes_input or method == "post":
        codes.append("400")  # including a malformed Idempotency-Key
    if idempotent:
        codes += ["409", "422"]
    return codes


def _add_response(operation: dict, code: str) -> None:
    description, schema_name, extra = SHARED_RESPONSES[code]
    ref = {"$ref": f"#/components/schemas/{schema_name}"}
    responses = operation.setdefault("responses", {})
    existing = responses.get(code)
    if existing is None:
        responses[code] = {
            "description": description,
            "content": {"application/json": {"schema": ref}},
            **extra,
        }
        return
    content = existing.get("content", {}).get("application/json")
    if content is None or "schema" not in content:
        return
    schema = content["schema"]
    if schema == ref or _accepts_any_object(schema):
        return
    # The view's own shape for this code, or the shared one.
    content["schema"] = {"anyOf": [schema, ref]}
    existing["description"] = f"{existing.get('description', '').rstrip()} Or: {description}"
    for name, value in extra.items():
        existing.setdefault(name, value)


def _accepts_any_object(schema: dict) -> bool:
    return (
        schema.get("type") == "object"
        and not schema.get("properties")
        and (schema.get("additionalProperties", True) not in (False,))
    )
