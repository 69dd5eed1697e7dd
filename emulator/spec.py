"""Discord's official OpenAPI spec (discord/discord-api-spec, MIT, vendored in `discord_api_spec/`): every
request the bot sends is validated against it, so a request Discord would refuse fails the test that sent it.

Where the spec is known to be wrong for what Discord accepts, the correction is listed in `ERRATA` (schemas) or
`QUERY_ERRATA` (query parameters), each with its source, and applied here only.
"""

import copy
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from emulator.state import Payload

SPEC_URI = "urn:discord-api-spec"


@dataclass(frozen=True)
class Erratum:
    schema: str
    also: dict[str, Any]  # a value the spec refuses but Discord accepts, as a schema
    source: str


ERRATA = (
    Erratum(
        "SnowflakeType",
        {"type": "integer", "minimum": 0},
        "discord.py sends snowflakes as JSON integers (e.g. allowed_mentions.users), which Discord accepts; the "
        "spec types them as strings only",
    ),
    Erratum(
        "ChannelTypes",
        {"const": 16},
        "channel type 16, GUILD_MEDIA, is missing from the spec's enum; discord.py offers it for forum-like "
        "channel options and Discord accepts it (discord-api-docs, Channel Types)",
    ),
)


# Query parameters Discord accepts that the spec does not list: (method, path template) -> names.
QUERY_ERRATA = {
    # discord.py sends it when creating a forum post; Discord accepts it (discord.py http.start_thread_in_forum)
    ("POST", "/channels/{channel_id}/threads"): {"use_nested_fields"},
}


@dataclass(frozen=True, eq=False)  # compared and hashed by identity: one object per operation
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    body_schema: dict[str, Any] | None
    responses: dict[str, Any]
    parameters: tuple[dict[str, Any], ...]  # path and query parameters, the path's and the operation's


@cache
def _spec() -> dict[str, Any]:
    text = (resources.files("emulator") / "discord_api_spec" / "openapi.json").read_text(encoding="utf-8")
    spec = json.loads(text)
    schemas = spec["components"]["schemas"]
    for erratum in ERRATA:
        schemas[erratum.schema] = {"anyOf": [schemas[erratum.schema], copy.deepcopy(erratum.also)]}
    return spec


@cache
def _registry() -> Registry:
    return Registry().with_resource(SPEC_URI, Resource.from_contents(_spec(), default_specification=DRAFT202012))


@cache
def _operations() -> tuple[Operation, ...]:
    operations = []
    for path, methods in _spec()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\{([^}]+)\}", r"(?P<\1>[^/]+)", path) + "$")
        shared = tuple(methods.get("parameters", ()))
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            content = (operation.get("requestBody") or {}).get("content", {})
            schema = (content.get("application/json") or {}).get("schema")
            parameters = shared + tuple(operation.get("parameters", ()))
            operations.append(Operation(method.upper(), path, pattern, schema, operation["responses"], parameters))
    return tuple(operations)


@cache
def _validator(operation: Operation) -> Draft202012Validator:
    """One validator per operation, built on first use."""
    assert operation.body_schema is not None
    return Draft202012Validator(_resolve(operation.body_schema), registry=_registry())


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """Point a schema's local `$ref`s at the spec document in the registry."""
    text = json.dumps(schema).replace('"$ref": "#/', f'"$ref": "{SPEC_URI}#/')
    return json.loads(text)


def _operation(method: str, path: str) -> Operation | None:
    return next((op for op in _operations() if op.method == method and op.pattern.match(path)), None)


def operation_problems(method: str, path: str, query: dict[str, str]) -> list[str]:
    """What is wrong with a request's operation, path and query by the spec (a path under /api/v10, without the
    prefix): no such operation, or a parameter that is unknown, missing or of the wrong type."""
    operation = _operation(method, path)
    match = operation.pattern.match(path) if operation else None
    if operation is None or match is None:
        return [f"{method} {path}: no such operation in Discord's API"]
    given = {"path": match.groupdict(), "query": dict(query)}
    extra = QUERY_ERRATA.get((method, operation.template), set())
    problems = [f"{method} {path}: unknown query parameter {name!r}" for name in query if name not in extra]
    for parameter in operation.parameters:
        place, name = parameter["in"], parameter["name"]
        if place == "query" and name in query and name not in extra:
            problems.remove(f"{method} {path}: unknown query parameter {name!r}")
        value = given.get(place, {}).get(name)
        if value is None:
            if parameter.get("required"):
                problems.append(f"{method} {path}: missing {place} parameter {name!r}")
            continue
        validator = Draft202012Validator(_resolve(parameter["schema"]), registry=_registry())
        for error in validator.iter_errors(_typed(value, parameter["schema"])):
            problems.append(f"{method} {path}: {place} parameter {name!r}: {error.message[:120]}")
    return problems


def _typed(value: str, schema: dict[str, Any]) -> object:
    """A path or query string as the JSON value its schema describes (`true`, `25`), else as it is."""
    kind = schema.get("type")
    if kind == "boolean" and value.lower() in ("true", "false", "1", "0"):  # Discord's boolean query strings
        return value.lower() in ("true", "1")
    if kind == "integer" and value.lstrip("-").isdigit():
        return int(value)
    return value


def body_problems(method: str, path: str, body: Payload) -> list[str]:
    """Each field of a JSON request body that breaks the spec, with the rule it breaks."""
    operation = _operation(method, path)
    if operation is None or operation.body_schema is None:
        return []
    return [f"{method} {path}: {problem}" for problem in _checked(operation, json.dumps(body, sort_keys=True))]


@lru_cache(maxsize=512)
def _checked(operation: Operation, body: str) -> tuple[str, ...]:
    """The problems of one body (memoised: every bot start sends the same command definitions)."""
    return tuple(_describe(error) for error in _validator(operation).iter_errors(json.loads(body)))


def _describe(error: ValidationError) -> str:
    """The field and the rule, from the deepest alternative that came closest (not "valid under none of …")."""
    while error.context:  # the alternative that got furthest into the value
        error = max(error.context, key=lambda e: (len(e.absolute_path), -len(e.context or ())))
    return f"{'.'.join(map(str, error.absolute_path)) or 'body'}: {error.message[:160]}"


def response_problems(method: str, path: str, status: int, body: Any) -> list[str]:
    """Each way a response of the emulator differs from what Discord answers by the spec, for its status."""
    operation = _operation(method, path)
    if operation is None:
        return []
    declared = operation.responses.get(str(status)) or operation.responses.get(f"{str(status)[0]}XX")
    if declared is None:
        return [f"{method} {path}: status {status} is not one Discord answers"]
    schema = ((declared.get("content") or {}).get("application/json") or {}).get("schema")
    if schema is None or body is None:
        return []
    key = str(status) if str(status) in operation.responses else "xx"
    shape = TIMESTAMP.sub('"2026-01-01T00:00:00+00:00"', SNOWFLAKE.sub('"1"', json.dumps(body, sort_keys=True)))
    return [f"{method} {path} -> {status}: {problem}" for problem in _answered(operation, key, shape)]


SNOWFLAKE = re.compile(r'"\d{15,20}"')
TIMESTAMP = re.compile(r'"\d{4}-\d\d-\d\dT[\d:.]+\+00:00"')


@lru_cache(maxsize=4096)
def _answered(operation: Operation, status: str, shape: str) -> tuple[str, ...]:
    """The problems of one response (memoised by shape: ids and times do not change what the spec says)."""
    return tuple(_describe(error) for error in _response_validator(operation, status).iter_errors(json.loads(shape)))


@cache
def _response_validator(operation: Operation, status: str) -> Draft202012Validator:
    declared = operation.responses.get(status) or next(v for k, v in operation.responses.items() if "XX" in k)
    schema = declared["content"]["application/json"]["schema"]
    return Draft202012Validator(_resolve(schema), registry=_registry())
