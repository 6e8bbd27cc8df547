"""The reference document (pass Culture's public OpenAPI), as JSON-schema validators.

OpenAPI 3.0 schemas are JSON Schema with a few differences; `nullable: true` is the one
that matters for validation, so it is rewritten as "or null" before validating.
"""

import copy
import functools
import json
from pathlib import Path
from typing import Any

import jsonschema

REFERENCE = (
    Path(__file__).resolve().parents[3].parent / "shared" / "reference"
    / "passculture-public-openapi.json"
)  # fmt: skip
LOCAL_COPY = Path(__file__).with_name("passculture-public-openapi.json")


@functools.cache
def document() -> dict[str, Any]:
    path = REFERENCE if REFERENCE.exists() else LOCAL_COPY
    return json.loads(path.read_text(encoding="utf-8"))


def _nullable(node: Any) -> Any:
    if isinstance(node, list):
        return [_nullable(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _nullable(value) for key, value in node.items() if key != "discriminator"}
    if out.pop("nullable", False):
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _event_categories(doc: dict[str, Any]) -> list[str]:
    """The event categories the reference itself accepts (its creation discriminator)."""
    creation = doc["components"]["schemas"]["EventOfferCreation"]["properties"]
    return sorted(creation["categoryRelatedFields"]["discriminator"]["mapping"])


@functools.cache
def _components() -> dict[str, Any]:
    doc = document()
    components = copy.deepcopy(doc["components"])
    # Known defect of the reference document: two enums named CategoryEnum collided when it
    # was generated, so EventCategoryResponse.id points at the PRODUCT categories and no
    # event category would validate. Use the event categories of its own event creation.
    components["schemas"]["EventCategoryResponse"]["properties"]["id"] = {
        "type": "string",
        "enum": _event_categories(doc),
    }
    return _nullable(components)


def operations() -> list[tuple[str, str]]:
    """Every (path, METHOD) of the reference."""
    methods = {"get", "post", "put", "patch", "delete"}
    return sorted(
        (path, method.upper())
        for path, item in document()["paths"].items()
        for method in item
        if method in methods
    )


def operation(path: str, method: str) -> dict[str, Any]:
    return document()["paths"][path][method.lower()]


def response_schema(path: str, method: str, status: int = 200) -> dict[str, Any] | None:
    """The JSON schema of a documented response body, None when it has no body."""
    response = operation(path, method)["responses"].get(str(status))
    if response is None:
        raise AssertionError(f"{method} {path}: the reference documents no {status}")
    content = response.get("content", {}).get("application/json")
    return None if content is None else _nullable(copy.deepcopy(content["schema"]))


def validate_response(path: str, method: str, status: int, body: Any) -> None:
    """Raise jsonschema.ValidationError when `body` breaks the reference's schema."""
    schema = response_schema(path, method, status)
    if schema is None:
        # No body documented: a 204 has none; elsewhere a body of ours is an addition.
        if status == 204:
            assert body in (None, b"", ""), f"{method} {path} 204 should have no body"
        return
    root = {**schema, "components": _components()}
    jsonschema.Draft202012Validator(root).validate(body)
