"""Our generated OpenAPI document against the reference's: every operation exists, every
parameter and required request field is accepted, every required response field is
present with the same JSON type. Additions on our side are allowed; removals are not."""

import json
from typing import Any

import pytest
from openapi_spec_validator import validate

from passculture.api.public.api import api
from tests.api.public import reference

METHODS = ("get", "post", "patch", "put", "delete")


@pytest.fixture(scope="module")
def ours() -> dict[str, Any]:
    # Through JSON, as clients read it (ninja keeps status codes as int keys).
    return json.loads(json.dumps(api.get_openapi_schema()))


def _resolve(doc: dict[str, Any], node: Any, depth: int = 0) -> dict[str, Any]:
    """Follow $ref and single-branch allOf/anyOf wrappers (nullable) down to a schema."""
    while isinstance(node, dict) and depth < 20:
        depth += 1
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            node = doc["components"]["schemas"][name]
            continue
        for combinator in ("allOf", "anyOf", "oneOf"):
            branches = [
                b
                for b in node.get(combinator, [])
                if not (isinstance(b, dict) and b.get("type") == "null")
            ]
            if len(branches) == 1 and "type" not in node and "properties" not in node:
                node = branches[0]
                break
        else:
            return node
    return node if isinstance(node, dict) else {}


def _json_types(doc: dict[str, Any], node: Any) -> set[str]:
    schema = _resolve(doc, node)
    if "type" in schema:
        kind = schema["type"]
        kinds = set(kind) if isinstance(kind, list) else {kind}
        return kinds - {"null"}
    if "enum" in schema or "const" in schema:
        return {"string"}
    branches = schema.get("anyOf") or schema.get("oneOf") or []
    found: set[str] = set()
    for branch in branches:
        found |= _json_types(doc, branch)
    return found - {"null"}


def _compatible(ref_types: set[str], our_types: set[str]) -> bool:
    if not ref_types or not our_types:
        return True  # free-form on one side: nothing to compare
    if ref_types <= our_types:
        return True
    return ref_types == {"number"} and our_types <= {"integer", "number"}


def _properties(doc: dict[str, Any], node: Any) -> tuple[dict[str, Any], set[str]]:
    schema = _resolve(doc, node)
    if schema.get("type") == "array":
        schema = _resolve(doc, schema.get("items", {}))
    return schema.get("properties", {}), set(schema.get("required", []))


def _body_schema(operation: dict[str, Any], status: str | None = None) -> Any:
    if status is None:
        content = operation.get("requestBody", {}).get("content", {})
    else:
        content = operation.get("responses", {}).get(status, {}).get("content", {})
    for media in ("application/json", "multipart/form-data"):
        if media in content:
            return content[media].get("schema")
    return None


def test_our_document_is_valid_openapi(ours):
    validate(ours)


@pytest.mark.parametrize(("path", "method"), reference.operations())
def test_operation_exists_with_its_parameters(ours, path, method):
    assert path in ours["paths"], f"missing path {path}"
    assert method.lower() in ours["paths"][path], f"missing {method} {path}"
    ref_op = reference.operation(path, method)
    our_op = ours["paths"][path][method.lower()]
    our_params = {(p["in"], p["name"]) for p in our_op.get("parameters", [])}
    for param in ref_op.get("parameters", []):
        assert (param["in"], param["name"]) in our_params, f"{method} {path}: {param['name']}"


@pytest.mark.parametrize(("path", "method"), reference.operations())
def test_request_body_accepts_the_reference_fields(ours, path, method):
    ref_doc = reference.document()
    ref_body = _body_schema(reference.operation(path, method))
    if ref_body is None:
        return
    our_body = _body_schema(ours["paths"][path][method.lower()])
    assert our_body is not None, f"{method} {path} takes no body"
    ref_props, ref_required = _properties(ref_doc, ref_body)
    our_props, our_required = _properties(ours, our_body)
    missing = set(ref_props) - set(our_props)
    assert not missing, f"{method} {path}: body fields not accepted: {sorted(missing)}"
    # We may not demand more than the reference does.
    extra_required = our_required - ref_required
    assert not extra_required, f"{method} {path}: we require {sorted(extra_required)}"
    for name in ref_required:
        assert _compatible(
            _json_types(ref_doc, ref_props[name]), _json_types(ours, our_props[name])
        ), f"{method} {path}: body field {name}"


def _success_status(operation: dict[str, Any]) -> str | None:
    return next((code for code in operation["responses"] if code.startswith("2")), None)


@pytest.mark.parametrize(("path", "method"), reference.operations())
def test_response_has_the_reference_required_fields(ours, path, method):
    ref_doc = reference.document()
    ref_op = reference.operation(path, method)
    status = _success_status(ref_op)
    if status is None:  # the reference documents no success body (e.g. offers/formats)
        return
    our_op = ours["paths"][path][method.lower()]
    assert status in our_op["responses"], f"{method} {path}: no {status} response"
    ref_schema = _body_schema(ref_op, status)
    if ref_schema is None:
        return
    our_schema = _body_schema(our_op, status)
    assert our_schema is not None, f"{method} {path}: {status} has no body"
    assert _compatible(_json_types(ref_doc, ref_schema), _json_types(ours, our_schema))
    ref_props, ref_required = _properties(ref_doc, ref_schema)
    our_props, _ = _properties(ours, our_schema)
    for name in sorted(ref_required):
        assert name in our_props, f"{method} {path}: response lacks {name}"
        assert _compatible(
            _json_types(ref_doc, ref_props[name]), _json_types(ours, our_props[name])
        ), f"{method} {path}: response field {name}"
