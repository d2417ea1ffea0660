"""Configuration checks with every problem reported at once, at the key path where it was written.

Snakemake's ``validate`` stops at the first error and reports it as a traceback; a user who
mistyped two keys then runs the workflow three times. Here every check collects problems as
``"<dotted key path>: <what is wrong>"`` and :class:`ConfigError` carries them all.

Schemas are JSON Schema (draft 2020-12) in YAML. Defaults are filled in while validating, like
``snakemake.utils.validate``, but each default is a fresh copy (a shared ``{}`` default would let
one study's section alias another's).
"""

from __future__ import annotations

import copy
import difflib
import functools
from pathlib import Path

import jsonschema
import yaml


class ConfigError(ValueError):
    """One or more problems in the workflow configuration, each naming its key path."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        count = len(self.problems)
        heading = f"the configuration has {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([heading] + [f"  {p}" for p in self.problems]))


@functools.cache
def load_yaml(path: str | Path) -> dict:
    """A YAML file as plain data (cached: the workflow reads each schema once per parse)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(path) as handle:
        return yaml.load(handle, Loader=loader)


def deep_merge(base: dict, override: dict) -> dict:
    """``base`` updated recursively by ``override`` (neither is modified; lists are replaced)."""
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _filling_defaults(base):
    check_properties = base.VALIDATORS["properties"]

    def properties(validator, properties, instance, schema):
        if validator.is_type(instance, "object"):
            for name, subschema in properties.items():
                if "default" in subschema:
                    instance.setdefault(name, copy.deepcopy(subschema["default"]))
        yield from check_properties(validator, properties, instance, schema)

    return jsonschema.validators.extend(base, {"properties": properties})


_FILLING = _filling_defaults(jsonschema.Draft202012Validator)


def validator(schema: dict, fill_defaults: bool = True):
    """A draft 2020-12 validator of ``schema``; with ``fill_defaults`` it inserts missing keys'
    defaults into the instance it checks."""
    cls = _FILLING if fill_defaults else jsonschema.Draft202012Validator
    return cls(schema)


def partial(schema: dict) -> dict:
    """``schema`` without ``required`` anywhere: for a fragment (a run override, a study's
    training_defaults) that is only complete once merged with the rest."""
    if isinstance(schema, dict):
        return {k: partial(v) for k, v in schema.items() if k != "required"}
    if isinstance(schema, list):
        return [partial(v) for v in schema]
    return schema


def key_path(prefix: str, parts) -> str:
    return ".".join([prefix, *map(str, parts)]) if prefix else ".".join(map(str, parts))


def _describe(error: jsonschema.ValidationError, prefix: str) -> list[str]:
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted((error.schema.get("properties") or {}))
        unexpected = [k for k in error.instance if k not in allowed]
        return [f"{key_path(prefix, path + [k])}: {_unknown_key(k, allowed)}" for k in unexpected]
    if error.validator == "propertyNames":
        return [f"{key_path(prefix, path + [error.instance])}: {_brief(error)}"]
    if error.validator == "required":
        return [f"{key_path(prefix, path)}: {error.message}"]
    return [f"{key_path(prefix, path) or '(top level)'}: {_brief(error)}"]


def _unknown_key(key, allowed: list[str]) -> str:
    close = difflib.get_close_matches(str(key), allowed, n=1)
    if close:
        return f"unknown key (did you mean {close[0]!r}?)"
    return f"unknown key; known keys: {', '.join(allowed)}" if allowed else "unknown key"


def _brief(error: jsonschema.ValidationError) -> str:
    """The error's message, without jsonschema's dump of a long instance."""
    message = error.message
    if error.validator in ("enum", "propertyNames") and "enum" in error.schema:
        return f"{error.instance!r} is not one of {', '.join(map(str, error.schema['enum']))}"
    if len(message) > 300:
        message = message[:300] + " …"
    return message


def problems(schema_validator, instance, prefix: str = "") -> list[str]:
    """Every problem of ``instance`` as "<key path under prefix>: <message>", in document
    order (the most specific error of each failed ``anyOf``/``oneOf`` is kept)."""
    found = []
    for error in sorted(schema_validator.iter_errors(instance), key=lambda e: list(map(str, e.path))):
        if error.context:  # anyOf / oneOf: the alternative that came closest says most
            error = jsonschema.exceptions.best_match(error.context) or error
        for message in _describe(error, prefix):
            if message not in found:
                found.append(message)
    return found
