"""Encryption at rest of the personal fields that SECURITY.md DATA-02 names (联系人手机号):
[L3], on when `FIELD_ENCRYPTION_KEYS` is set.

The cipher is `cryptography`'s Fernet (AES-128-CBC with HMAC-SHA256, a random IV per value):
the database holds `fernet:` followed by the token, never the number. `MultiFernet` takes the
keys newest first: values are written with the first and read with any, so a key is rotated
by putting the new one in front and running `manage.py encrypt_fields`, which re-encrypts
every stored value with it (and encrypts the values written before encryption was turned on).

Without keys the fields store plain text, as they did before; a stored `fernet:` value that
no configured key opens is an error (ImproperlyConfigured), never shown as if it were a
phone number.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _cipher_for(keys):
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must be Fernet keys (urlsafe base64 of 32 bytes): "
            "make one with `manage.py encrypt_fields --new-key`."
        ) from error


def cipher():
    """The configured MultiFernet, or None when encryption at rest is off."""
    keys = tuple(getattr(settings, "FIELD_ENCRYPTION_KEYS", ()) or ())
    return _cipher_for(keys) if keys else None


def is_sealed(value):
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(value):
    """`value` as stored: encrypted when keys are configured, else unchanged. Empty values
    stay empty (nothing to hide, and blank checks keep working in SQL)."""
    if not value or is_sealed(value):
        return value
    current = cipher()
    if current is None:
        return value
    return PREFIX + current.encrypt(str(value).encode()).decode("ascii")


def unseal(value):
    """The plain value of a stored one."""
    if not is_sealed(value):
        return value
    current = cipher()
    if current is None:
        raise ImproperlyConfigured(
            "An encrypted field was read but FIELD_ENCRYPTION_KEYS is not set."
        )
    try:
        return current.decrypt(value[len(PREFIX) :].encode("ascii")).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "An encrypted field was read that none of FIELD_ENCRYPTION_KEYS opens."
        ) from error


def new_key():
    return Fernet.generate_key().decode("ascii")
