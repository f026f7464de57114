"""Password hashing for local accounts (scrypt through Werkzeug's well-tested helpers)."""
from __future__ import annotations

import secrets
from functools import lru_cache

from werkzeug.security import check_password_hash, generate_password_hash

MIN_PASSWORD_LENGTH = 8
DEMO_PASSWORD = "vaern-demo"  # every demo account's password (`vaern demo`, `make run`)


def hash_password(password: str) -> str:
    """A salted scrypt hash of the password."""
    return generate_password_hash(password, method="scrypt")


def check_password(password_hash: str, password: str) -> bool:
    """True if the password matches the hash."""
    return check_password_hash(password_hash, password)


@lru_cache(maxsize=1)
def unknown_account_hash() -> str:
    """A hash of a random password, checked for names without an account so they take as long as real ones."""
    return hash_password(secrets.token_hex(16))
