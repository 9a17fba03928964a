"""The pseudonym function itself (``core/pseudonym.py``), by hand: the key's minimum length, the empty key,
the pseudonym's form, and how a key is read out of a line that is not JSON.  (``test_pseudonym.py`` covers
where keys are found in messages.)"""

from __future__ import annotations

import pytest

from pipeline.core.pseudonym import pseudonymise_raw, pseudonymiser

KEY = b"0123456789abcdef"  # 16 bytes: the shortest key allowed


def test_a_key_of_16_bytes_is_the_shortest():
    pseudonymiser(KEY)
    with pytest.raises(ValueError) as short:
        pseudonymiser(KEY[:15])
    assert str(short.value) == "the pseudonym key must be at least 16 bytes"


def test_the_pseudonym_is_c_and_32_hex_digits_of_the_keyed_hash():
    pseudonymise = pseudonymiser(KEY)
    # HMAC-SHA256(key 0123456789abcdef, "555-0100"), first 32 hex digits (Python's hmac module, worked once)
    assert pseudonymise("555-0100") == "c_a47eeee6e6e36e2f81057e03a604e852"
    assert pseudonymise("555-0100") == "c_a47eeee6e6e36e2f81057e03a604e852"  # again: the same (cached)
    assert pseudonymise("") == ""  # no customer: none


def test_a_key_in_a_line_that_is_not_json_is_read_as_the_producer_wrote_it():
    def shown(key: str) -> str:
        return f"<{key}>"

    # unquoted text: as it stands
    assert pseudonymise_raw(b'{"customer_key": 555-0100, "x"', shown) == b'{"customer_key": "<555-0100>", "x"'
    # a byte that is not UTF-8: replaced by U+FFFD, not an error
    assert pseudonymise_raw(b'{"customer_key": 55\xff5, "x"', shown) == b'{"customer_key": "<55\xef\xbf\xbd5>", "x"'
    # an opening quote never closed: the quote dropped, the rest kept (X is a letter like any other)
    assert pseudonymise_raw(b'{"customer_key": "XK-7}', shown) == b'{"customer_key": "<XK-7>"}'
