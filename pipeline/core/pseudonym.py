"""Customer identifiers are pseudonymised at ingest with a keyed hash.

HMAC-SHA256 rather than a plain hash: phone numbers and account ids are a
small space, so an unkeyed hash is reversible by enumeration.  The same key
gives the same pseudonym, so repeat contacts (FCR) still match.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable


def pseudonymiser(key: bytes) -> Callable[[str], str]:
    """A function mapping a customer identifier to its pseudonym ('' stays '')."""
    if len(key) < 16:
        raise ValueError("the pseudonym key must be at least 16 bytes")
    cache: dict[str, str] = {}

    def pseudonymise(customer_key: str) -> str:
        if not customer_key:
            return ""
        found = cache.get(customer_key)
        if found is None:
            found = "c_" + hmac.new(key, customer_key.encode(), hashlib.sha256).hexdigest()[:32]
            if len(cache) < 1_000_000:
                cache[customer_key] = found
        return found

    return pseudonymise
