"""The signature a webhook carries: HMAC-SHA256 over `<timestamp>.<body>` with the subscription's secret."""
from __future__ import annotations

import hashlib
import hmac

# A receiver refuses a signature older than this: a recorded delivery cannot be replayed later.
TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Vaern-Signature` header's value for a body sent at `timestamp` (Unix seconds)."""
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: int, body: bytes, signature: str, now: int) -> bool:
    """Whether a received signature is right and recent: what a receiver does with the headers."""
    if abs(now - timestamp) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature or "")
