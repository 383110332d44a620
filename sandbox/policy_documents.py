"""Reading AWS policy documents: the primitives both sides of the sandbox share.

moto's process (``aws_strictness``: the checks AWS makes on the documents it is given) and the Databricks
emulator (``aws/iam_policy``, ``aws/validation``: the checks Databricks makes by reading them back)
read statements, principals and actions the same way, following the IAM JSON policy element reference.
"""

import fnmatch
import json
from urllib.parse import unquote


def as_list(value) -> list:
    """A policy element that may be one value or a list of them, as a list ([] when absent)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def statements(policy: dict) -> list:
    """The statements of a policy document (Statement may be one object or a list)."""
    return as_list(policy.get("Statement"))


def wildcard_match(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    """IAM wildcards: * any run of characters, ? one character (no character classes)."""
    pattern = pattern.replace("[", "[[]")
    if not case_sensitive:
        return fnmatch.fnmatchcase(value.lower(), pattern.lower())
    return fnmatch.fnmatchcase(value, pattern)


def covers_action(statement: dict, action: str) -> bool:
    """Whether the statement's Action (or NotAction) applies to action; action names ignore case."""
    if "Action" in statement:
        return any(wildcard_match(p, action, case_sensitive=False) for p in as_list(statement["Action"]))
    return "NotAction" in statement and not any(
        wildcard_match(p, action, case_sensitive=False) for p in as_list(statement["NotAction"]))


def decoded(raw) -> dict:
    """A policy document as IAM returns it: decoded by boto3 already, or URL-encoded JSON."""
    return raw if isinstance(raw, dict) else json.loads(unquote(raw))
