"""Sealing secrets kept in the database (IMAP passwords) with a key derived from the app's secret.

A sealed value is ``fernet:`` followed by a Fernet token (AES-128-CBC plus HMAC-SHA256, from
``cryptography``). The Fernet key is derived with HKDF-SHA256 from FIRSTLINE_SECRET_KEY under a label of
its own, so it is never the key that signs CSRF tokens and attachment links. If the secret key changes,
values sealed under the old one can no longer be opened: ``unseal`` raises ``UnreadableSecret`` and the
person who knows the password enters it again.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from firstline.kit.errors import FirstlineError

SEALED_PREFIX = "fernet:"
IMAP_PASSWORD_LABEL = b"firstline imap password"
_SALT = b"firstline sealing v1"


class UnreadableSecret(FirstlineError):
    """A sealed value that cannot be opened with the current secret key (changed key, tampered value)."""

    status_code = 409
    code = "unreadable_secret"


def is_sealed(value: str) -> bool:
    return value.startswith(SEALED_PREFIX)


def seal(secret_key: str, plaintext: str, *, label: bytes = IMAP_PASSWORD_LABEL) -> str:
    """Encrypt ``plaintext`` for storage: ``fernet:<token>``, openable only with the same secret key."""
    token = _fernet(secret_key, label).encrypt(plaintext.encode("utf-8"))
    return SEALED_PREFIX + token.decode("ascii")


def unseal(secret_key: str, sealed: str, *, label: bytes = IMAP_PASSWORD_LABEL) -> str:
    """The plaintext of a value made by ``seal``.

    Raises ``UnreadableSecret`` when the value is not sealed, was sealed under another secret key or
    label, or was altered. The message never contains the value.
    """
    if not is_sealed(sealed):
        raise UnreadableSecret("The stored value is not sealed.")
    try:
        plaintext = _fernet(secret_key, label).decrypt(sealed.removeprefix(SEALED_PREFIX).encode("ascii"))
    except (InvalidToken, UnicodeEncodeError) as exc:
        raise UnreadableSecret(
            "The stored value cannot be read with the current FIRSTLINE_SECRET_KEY."
        ) from exc
    return plaintext.decode("utf-8")


@lru_cache(maxsize=16)
def _fernet(secret_key: str, label: bytes) -> Fernet:
    if not secret_key:
        raise ValueError("Sealing needs a non-empty secret key.")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=label).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))
