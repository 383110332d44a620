"""Token pagination as Databricks' list APIs serve it (clusters/list in 2.1, log delivery): a page of the
items, ``next_page_token`` while more follow, ``prev_page_token`` after the first page. Tokens are opaque to
clients; here they carry the offset."""

import base64
import binascii

from ..errors import invalid


def _token(offset: int) -> str:
    return base64.urlsafe_b64encode(str(offset).encode()).decode()


def token_page(items: list, key: str, page_token: str | None, page_size: int) -> dict:
    """The page of items that page_token points at (the first without one), under key."""
    try:
        offset = int(base64.urlsafe_b64decode(page_token).decode()) if page_token else 0
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise invalid(f"Invalid page_token {page_token!r}") from exc
    if page_size < 1 or offset < 0:
        raise invalid("page_size must be positive")
    page = {key: items[offset:offset + page_size]}
    if offset + page_size < len(items):
        page["next_page_token"] = _token(offset + page_size)
    if offset > 0:
        page["prev_page_token"] = _token(max(offset - page_size, 0))
    return page
