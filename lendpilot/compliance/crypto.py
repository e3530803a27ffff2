"""Personal identifiers at rest (FEATURES C8; DESIGN.md data rules).

Encryption is Fernet (AES-128-CBC + HMAC-SHA256) from the `cryptography` package, through a
MultiFernet so keys rotate: the first key in LENDPILOT_FIELD_KEYS encrypts, every listed key
decrypts, and `rotate_pii_keys` re-encrypts old rows under the first key. Exact search uses a
keyed hash (HMAC-SHA256 with LENDPILOT_HASH_KEY) of the normalised value, never the plaintext.
Without configured keys (development only; settings refuse this when DEBUG is off) keys are
derived from SECRET_KEY.
"""

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


def _derived_key(purpose: str) -> bytes:
    digest = hashlib.sha256(f"{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _field_keys() -> list[bytes]:
    keys = settings.LENDPILOT_FIELD_KEYS or [_derived_key("lendpilot-field-key").decode()]
    return [key.encode() if isinstance(key, str) else key for key in keys]


@lru_cache(maxsize=1)
def _primary_fernet() -> Fernet:
    return Fernet(_field_keys()[0])


@lru_cache(maxsize=1)
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _field_keys()])


@lru_cache(maxsize=1)
def _hash_key() -> bytes:
    return (settings.LENDPILOT_HASH_KEY or _derived_key("lendpilot-hash-key").decode()).encode()


def reset_key_cache() -> None:
    """Forget cached keys (after the settings change, e.g. in a rotation or a test)."""
    _fernet.cache_clear()
    _primary_fernet.cache_clear()
    _hash_key.cache_clear()


def encrypt(plaintext: str) -> str:
    return _fernet().encrypt(plaintext.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise DecryptionError("value cannot be decrypted with the configured keys") from exc


def rotate(token: str) -> str:
    """Re-encrypt `token` under the current primary key."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as exc:
        raise DecryptionError("value cannot be decrypted with the configured keys") from exc


def is_under_primary_key(token: str) -> bool:
    """Whether `token` is already encrypted with the first (current) key, so rotation can skip it."""
    try:
        _primary_fernet().decrypt(token.encode("ascii"))
    except InvalidToken:
        return False
    return True


def keyed_hash(normalised_value: str) -> str:
    """HMAC-SHA256 hex digest of an already-normalised identifier, for exact-match search and joins."""
    return hmac.new(_hash_key(), normalised_value.encode("utf-8"), hashlib.sha256).hexdigest()


def mask(value: str, *, keep_start: int, keep_end: int) -> str:
    """`110***********1234`: keeps the given number of leading and trailing characters."""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[len(value) - keep_end:]
