"""Customer identifiers are pseudonymised at ingest with a keyed hash.

HMAC-SHA256 rather than a plain hash: phone numbers and account ids are a
small space, so an unkeyed hash is reversible by enumeration.  The same key
gives the same pseudonym, so repeat contacts (FCR) still match.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable

import orjson

# a customer key in text that is not valid JSON: the value after "customer_key": up to the next , } ] or space
_KEY_IN_TEXT = re.compile(rb'("customer_key"\s*:\s*)("(?:[^"\\]|\\.)*"|[^,}\]\s]+)')


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


def pseudonymise_raw(raw: bytes, pseudonymise: Callable[[str], str]) -> bytes:
    """A rejected message's bytes with its customer key replaced by the pseudonym, as an accepted one has.

    Dead letters keep what came in so someone can fix the producer; a
    customer's phone number is not needed for that, and the dead-letter file
    and topic are read by more people than the store.  The key is found in
    valid JSON (any value: a number or a list is hashed as its JSON text) and,
    when the message is not valid JSON, wherever ``"customer_key":`` is
    followed by a value.  Messages without one are returned unchanged.
    """
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _KEY_IN_TEXT.sub(lambda m: m.group(1) + orjson.dumps(pseudonymise(_key_text(m.group(2)))), raw)
    if not isinstance(record, dict) or record.get("customer_key") in (None, ""):
        return raw
    value = record["customer_key"]
    record["customer_key"] = pseudonymise(value if isinstance(value, str) else orjson.dumps(value).decode())
    return orjson.dumps(record)


def _key_text(value: bytes) -> str:
    """The key as the producer wrote it: a quoted string unquoted, anything else as it stands."""
    try:
        decoded = orjson.loads(value)
    except orjson.JSONDecodeError:
        return value.decode("utf-8", "replace").strip('"')
    return decoded if isinstance(decoded, str) else value.decode("utf-8", "replace")


def pseudonymise_key_in(raw: bytes, customer_key: str, pseudonymise: Callable[[str], str]) -> bytes:
    """A rejected source record with every whole occurrence of ``customer_key`` replaced by its pseudonym.

    For the importers' dead letters (queue_log, Amazon Connect, FreeSWITCH): each knows where its record
    holds the customer's number (the field its mapper would have made the ``customer_key``), and a switch
    or contact record repeats it elsewhere (FreeSWITCH's ``ani``, ``Caller-Caller-ID-Number``, ...), so the
    value is replaced wherever it stands as a whole token (not inside a longer number or word), with the
    pseudonym the store holds for the same customer.  An empty key changes nothing.
    """
    if not customer_key:
        return raw
    token = re.compile(rb"(?<![0-9A-Za-z])" + re.escape(customer_key.encode()) + rb"(?![0-9A-Za-z])")
    pseudonym = pseudonymise(customer_key).encode()
    return token.sub(lambda _m: pseudonym, raw)
