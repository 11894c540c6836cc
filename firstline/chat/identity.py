"""Verifying the identity an exchange vouches for: an HMAC of the customer's UID, or an HS256 JWT.

Both are signed with the chat site's secret by the exchange's backend. A claim whose signature does
not verify is reported as such (``IdentityInvalid``); what to do with it is the caller's rule.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from typing import Any

import jwt

from firstline.chat.models import IdentityMethod
from firstline.kit.errors import NotAuthenticated

MAX_UID_CHARS = 64
JWT_LEEWAY_SECONDS = 30
JWT_ALGORITHMS = ["HS256"]  # pinned: "none" and asymmetric algorithms are refused


class IdentityInvalid(NotAuthenticated):
    code = "identity_invalid"


@dataclass(frozen=True)
class VerifiedIdentity:
    uid: str
    method: IdentityMethod
    claims: dict[str, Any] = field(default_factory=dict)


def sign_uid(secret: str, uid: str) -> str:
    """The HMAC an exchange's backend puts next to a customer's UID: lowercase hex SHA-256."""
    return hmac.new(secret.encode(), uid.encode(), hashlib.sha256).hexdigest()


def claimed_uid(identity: dict[str, Any] | None) -> str | None:
    """The UID a request claims, verified or not (for the record when enforcement is off)."""
    if not identity:
        return None
    uid = identity.get("uid")
    if isinstance(uid, str) and uid.strip():
        return uid.strip()[:MAX_UID_CHARS]
    token = identity.get("jwt")
    if isinstance(token, str):
        try:
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            return None
        sub = unverified.get("sub")
        return str(sub)[:MAX_UID_CHARS] if sub else None
    return None


def verify_identity(secret: str, identity: dict[str, Any]) -> VerifiedIdentity:
    """Check a claimed identity against the site secret; raises ``IdentityInvalid`` unless it verifies."""
    if "jwt" in identity:
        return _verify_jwt(secret, identity["jwt"])
    uid = identity.get("uid")
    signature = identity.get("signature")
    if not isinstance(uid, str) or not uid.strip() or len(uid) > MAX_UID_CHARS:
        raise IdentityInvalid(f"The identity needs a uid of 1 to {MAX_UID_CHARS} characters.", field="uid")
    if not isinstance(signature, str) or not hmac.compare_digest(
        signature.strip().lower(), sign_uid(secret, uid)
    ):
        raise IdentityInvalid("The identity signature does not match.", field="signature")
    return VerifiedIdentity(uid=uid, method=IdentityMethod.HMAC)


def _verify_jwt(secret: str, token: Any) -> VerifiedIdentity:
    if not isinstance(token, str) or len(token) > 4096:
        raise IdentityInvalid("The identity token is not a JWT.", field="jwt")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=JWT_ALGORITHMS,
            leeway=JWT_LEEWAY_SECONDS,
            options={"require": ["sub", "exp"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise IdentityInvalid("The identity token has expired.", field="jwt") from exc
    except jwt.PyJWTError as exc:
        raise IdentityInvalid(f"The identity token is not valid: {exc}.", field="jwt") from exc
    uid = str(claims["sub"]).strip()
    if not uid or len(uid) > MAX_UID_CHARS:
        raise IdentityInvalid(f"The token's sub must be 1 to {MAX_UID_CHARS} characters.", field="jwt")
    return VerifiedIdentity(uid=uid, method=IdentityMethod.JWT, claims=claims)
