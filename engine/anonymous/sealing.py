"""The handlers' key pair and the encryption of reports: a key per report, sealed to the handlers, opened by the code.

Each report has a random key of its own (XSalsa20-Poly1305, PyNaCl's SecretBox) that encrypts its text and
every message. That key is stored twice, never in the clear: sealed to the handlers' public key (a SealedBox,
which only the private key opens) and encrypted with the writer's key from the code. The private key is kept
outside the database, in a file or an environment setting, so a copy of the database alone reveals no text.
Rotating the key pair re-seals each report's key; the messages themselves are not touched.
"""
from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, SealedBox
from nacl.secret import SecretBox
from nacl.utils import random

from engine.errors import AnonymousChannelClosed


@dataclass(frozen=True)
class HandlerKey:
    """The handlers' key pair; `key_id` names its public half in each report it sealed."""

    private: PrivateKey

    @property
    def key_id(self) -> str:
        """A short fingerprint of the public key."""
        return hashlib.blake2b(bytes(self.private.public_key), digest_size=8).hexdigest()

    def encoded(self) -> str:
        """The private key as the key file and VAERN_ANONYMOUS_PRIVATE_KEY hold it (base64)."""
        return base64.b64encode(bytes(self.private)).decode("ascii")

    def seal(self, report_key: bytes) -> bytes:
        """A report's key sealed to the public key: only the private key opens it."""
        return SealedBox(self.private.public_key).encrypt(report_key)

    def unseal(self, sealed: bytes) -> bytes:
        """A report's key opened with the private key."""
        return SealedBox(self.private).decrypt(sealed)


def generate() -> HandlerKey:
    """A new key pair."""
    return HandlerKey(PrivateKey.generate())


def decode(text: str) -> HandlerKey:
    """The key pair from its base64 form; AnonymousChannelClosed if it is not one."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
        return HandlerKey(PrivateKey(raw))
    except (ValueError, TypeError, CryptoError) as exc:
        raise AnonymousChannelClosed("the handlers' private key is not a valid key") from exc


def load(key_file: Path, from_env: str | None) -> HandlerKey:
    """The handlers' key from the environment setting or else the key file; AnonymousChannelClosed if neither."""
    if from_env:
        return decode(from_env)
    if not key_file.exists():
        raise AnonymousChannelClosed(f"no handlers' key at {key_file}: run `vaern anonymous keygen`")
    return decode(key_file.read_text(encoding="ascii"))


def write_key_file(key_file: Path, key: HandlerKey) -> None:
    """Write the private key to the file, readable by its owner only, replacing it in one step."""
    key_file.parent.mkdir(parents=True, exist_ok=True)
    temporary = key_file.with_name(key_file.name + ".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.encoded() + "\n")
    os.replace(temporary, key_file)


def new_report_key() -> bytes:
    """A random key for one report."""
    return random(SecretBox.KEY_SIZE)


def encrypt(key: bytes, text: str) -> bytes:
    """Text encrypted and authenticated with a 32-byte key (a fresh nonce each time)."""
    return bytes(SecretBox(key).encrypt(text.encode("utf-8")))


def decrypt(key: bytes, data: bytes) -> str:
    """Text decrypted with the key; CryptoError if the key is wrong or the data was changed."""
    return SecretBox(key).decrypt(data).decode("utf-8")


def wrap(key: bytes, report_key: bytes) -> bytes:
    """A report's key encrypted with another key (the writer's)."""
    return bytes(SecretBox(key).encrypt(report_key))


def unwrap(key: bytes, wrapped: bytes) -> bytes:
    """A report's key opened with the writer's key."""
    return SecretBox(key).decrypt(wrapped)
