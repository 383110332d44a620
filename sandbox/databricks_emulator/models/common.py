"""Helpers the resource families share: ids, times, private fields, lookups and base64 fields."""

import base64
import binascii
import datetime
import hashlib
import random

from ..errors import invalid, not_found


def numeric_id() -> int:
    """A random 16-digit id, the shape of Databricks' workspace ids and SCIM ids."""
    return random.randint(10**15, 10**16 - 1)


def iso_time(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def sha256_hex(secret: str) -> str:
    """How secrets and token values are kept: by digest, never in clear."""
    return hashlib.sha256(secret.encode()).hexdigest()


def public_view(obj: dict) -> dict:
    """A stored object without its private (underscore) fields."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def get_or_404(collection: dict, oid, noun: str) -> dict:
    """collection[oid], or 404 RESOURCE_DOES_NOT_EXIST naming the object."""
    if oid not in collection:
        raise not_found(f"{noun} {oid} does not exist.")
    return collection[oid]


def b64decode_field(value: str, field: str) -> bytes:
    try:
        return base64.b64decode(value or "", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise invalid(f"{field} must be base64-encoded") from exc
