"""Certificate verification codes. No Django.

A code is 12 random Crockford base32 characters (60 bits from ``secrets``: unguessable)
followed by 4 characters of an HMAC-SHA256 of them under the site's secret key (20 bits),
written in groups of four: ``7KQ2-M9XD-4TRB-H3CW``. The HMAC is the check: a mistyped code
(or one made up) fails it and is told apart from a well-formed code that no certificate
carries. Crockford's alphabet has no I, L, O or U, and reading accepts lower case, spaces,
missing hyphens, O for 0 and I/L for 1.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_CHARS = 12
CHECK_CHARS = 4


def _check(body: str, key: bytes) -> str:
    digest = hmac.new(key, b"isoc-certificate:" + body.encode(), hashlib.sha256).digest()
    value = int.from_bytes(digest[:4], "big")
    return "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(CHECK_CHARS))


def new_code(key: bytes) -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_CHARS))
    return format_code(body + _check(body, key))


def format_code(raw: str) -> str:
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def normalise(text: str) -> str | None:
    """The code in its canonical form, or None when it cannot be a code at all."""
    raw = "".join(str(text).split()).replace("-", "").upper()
    raw = raw.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))
    if len(raw) != RANDOM_CHARS + CHECK_CHARS or any(c not in ALPHABET for c in raw):
        return None
    return format_code(raw)


def well_formed(code: str, key: bytes) -> bool:
    """True when ``code`` (canonical) passes its HMAC check."""
    raw = code.replace("-", "")
    return hmac.compare_digest(_check(raw[:RANDOM_CHARS], key), raw[RANDOM_CHARS:])
