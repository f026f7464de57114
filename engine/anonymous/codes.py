"""The writer's key code: 16 random digits, never stored; Argon2id turns it into the keys the report needs.

From the derived key come two values that cannot be turned back into it: `lookup`, the hash stored to find
the report, and the writer's key, which opens the report's own key. The salt is per installation, so a code's
work cannot be reused against another installation's database; the memory-hard parameters are settings.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw

CODE_DIGITS = 16
# What a missing or malformed code is derived as, so that it costs exactly what a well-formed wrong one does.
_PLACEHOLDER = "0" * CODE_DIGITS


@dataclass(frozen=True)
class KdfParameters:
    """Argon2id's cost: memory in KiB, passes, lanes."""

    memory_kib: int
    time_cost: int
    parallelism: int


@dataclass(frozen=True)
class CodeKeys:
    """What a code opens: the stored lookup hash and the key that decrypts the report's own key."""

    lookup: str
    writer_key: bytes
    well_formed: bool


def new_code() -> str:
    """A fresh code of 16 digits from the operating system's random source."""
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def grouped(code: str) -> str:
    """The code in groups of four digits, as the writer is shown it (1234 5678 9012 3456)."""
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalised(text: str | None) -> str | None:
    """The 16 digits of what the writer typed (spaces and dashes allowed), or None if it is not a code."""
    digits = "".join(ch for ch in (text or "") if ch not in " -\t")
    return digits if len(digits) == CODE_DIGITS and digits.isascii() and digits.isdigit() else None


def derive(text: str | None, salt: bytes, cost: KdfParameters) -> CodeKeys:
    """The keys of a code; a malformed or missing one is derived all the same (and finds nothing)."""
    code = normalised(text)
    raw = hash_secret_raw((code or _PLACEHOLDER).encode("ascii"), salt, time_cost=cost.time_cost,
                          memory_cost=cost.memory_kib, parallelism=cost.parallelism, hash_len=32, type=Type.ID)
    lookup = hashlib.blake2b(raw, digest_size=32, person=b"vaern-lookup").hexdigest()
    writer_key = hashlib.blake2b(raw, digest_size=32, person=b"vaern-writer").digest()
    return CodeKeys(lookup, writer_key, code is not None)
