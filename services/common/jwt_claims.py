"""What both services check of a token beyond PyJWT: its time claims (exp, nbf, iat)
are NumericDates (RFC 7519, section 2) - JSON numbers. PyJWT accepts numeric strings
("1795888852") and hands them back unchanged, so arithmetic on them failed later (a
500), and it lets the errors of int() on other values (a list, Infinity) escape. Both
are bad input: the token is refused with its reason, once, where it is verified."""

from __future__ import annotations

import math
from typing import Any

TIME_CLAIMS = ("exp", "nbf", "iat")
MAX_NUMERIC_DATE = 253_402_300_799  # 9999-12-31T23:59:59Z: beyond, a date means nothing
# What jwt.decode may raise besides its own errors, on claims of the wrong JSON type.
DECODE_ERRORS = (TypeError, ValueError, OverflowError)


def time_claims_problem(claims: dict[str, Any]) -> str | None:
    """Returns why a present time claim is not a usable NumericDate, or None."""
    for name in TIME_CLAIMS:
        if name not in claims:
            continue
        value = claims[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"{name} is not a number ({type(value).__name__})"
        if not math.isfinite(value) or not 0 <= value <= MAX_NUMERIC_DATE:
            return f"{name} is out of range"
    return None
