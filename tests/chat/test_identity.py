"""Identity verification: only the site's signature identifies a customer."""

from __future__ import annotations

import time

import jwt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from firstline.chat.identity import IdentityInvalid, sign_uid, verify_identity
from firstline.chat.models import IdentityMethod

SECRET = "sk_site_secret_for_tests_of_at_least_32_bytes"
uids = st.text(min_size=1, max_size=64).filter(lambda uid: uid.strip() == uid and uid)


class TestHmac:
    @given(uid=uids)
    def test_a_uid_signed_with_the_site_secret_verifies(self, uid: str) -> None:
        verified = verify_identity(SECRET, {"uid": uid, "signature": sign_uid(SECRET, uid)})
        assert (verified.uid, verified.method) == (uid, IdentityMethod.HMAC)

    @given(uid=uids, other=uids)
    def test_a_signature_made_for_another_uid_is_refused(self, uid: str, other: str) -> None:
        if uid == other:
            return
        with pytest.raises(IdentityInvalid):
            verify_identity(SECRET, {"uid": uid, "signature": sign_uid(SECRET, other)})

    @given(uid=uids, position=st.integers(min_value=0, max_value=63))
    def test_any_altered_signature_is_refused(self, uid: str, position: int) -> None:
        signature = sign_uid(SECRET, uid)
        flipped = (
            signature[:position] + ("0" if signature[position] != "0" else "1") + signature[position + 1 :]
        )
        with pytest.raises(IdentityInvalid):
            verify_identity(SECRET, {"uid": uid, "signature": flipped})


class TestJwt:
    def test_an_hs256_token_with_sub_and_exp_verifies(self) -> None:
        token = jwt.encode({"sub": "48213377", "exp": int(time.time()) + 60}, SECRET, "HS256")
        assert verify_identity(SECRET, {"jwt": token}).uid == "48213377"

    @pytest.mark.parametrize(
        "claims",
        [{"sub": "48213377"}, {"exp": 4102444800}, {"sub": "48213377", "exp": 1}],
        ids=["without exp", "without sub", "expired"],
    )
    def test_a_token_missing_claims_or_expired_is_refused(self, claims: dict[str, object]) -> None:
        with pytest.raises(IdentityInvalid):
            verify_identity(SECRET, {"jwt": jwt.encode(claims, SECRET, "HS256")})

    def test_an_unsigned_token_is_refused(self) -> None:
        token = jwt.encode({"sub": "48213377", "exp": int(time.time()) + 60}, None, "none")
        with pytest.raises(IdentityInvalid):
            verify_identity(SECRET, {"jwt": token})
