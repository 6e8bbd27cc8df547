"""Shared schema bits: camelCase field names and the error body."""

from ninja import Schema
from pydantic import ConfigDict
from pydantic.alias_generators import to_camel


class CamelSchema(Schema):
    """Python names inside, camelCase in JSON (both accepted on input)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None
