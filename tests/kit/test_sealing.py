"""Sealing: what is stored can be opened with the same secret key only, and never shows the plaintext."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firstline.kit.errors import FirstlineError
from firstline.kit.sealing import SEALED_PREFIX, UnreadableSecret, is_sealed, seal, unseal

SECRET = "test-secret-key-" + "x" * 32
OTHER_SECRET = "rotated-secret-key-" + "y" * 32


class TestSeal:
    def test_a_sealed_value_is_prefixed_and_does_not_contain_the_plaintext(self) -> None:
        sealed = seal(SECRET, "hunter2-imap-password")
        assert sealed.startswith(SEALED_PREFIX) and is_sealed(sealed)
        assert "hunter2" not in sealed

    def test_sealing_the_same_value_twice_gives_different_tokens(self) -> None:
        assert seal(SECRET, "same") != seal(SECRET, "same")

    def test_an_empty_secret_key_is_refused(self) -> None:
        with pytest.raises(ValueError, match="non-empty secret key"):
            seal("", "password")


class TestUnseal:
    @settings(max_examples=50, deadline=None)
    @given(st.text(max_size=500))
    def test_any_text_comes_back_unchanged(self, plaintext: str) -> None:
        assert unseal(SECRET, seal(SECRET, plaintext)) == plaintext

    def test_a_value_sealed_under_another_secret_key_is_refused_with_a_clear_error(self) -> None:
        sealed = seal(OTHER_SECRET, "password")
        with pytest.raises(UnreadableSecret, match="current FIRSTLINE_SECRET_KEY") as caught:
            unseal(SECRET, sealed)
        assert isinstance(caught.value, FirstlineError) and "password" not in caught.value.message

    def test_a_value_sealed_for_another_purpose_is_refused(self) -> None:
        sealed = seal(SECRET, "password", label=b"firstline something else")
        with pytest.raises(UnreadableSecret):
            unseal(SECRET, sealed)

    def test_a_tampered_token_is_refused(self) -> None:
        sealed = seal(SECRET, "password")
        token = bytearray(base64.urlsafe_b64decode(sealed.removeprefix(SEALED_PREFIX)))
        token[30] ^= 0x01  # one bit of the ciphertext
        tampered = SEALED_PREFIX + base64.urlsafe_b64encode(bytes(token)).decode()
        with pytest.raises(UnreadableSecret):
            unseal(SECRET, tampered)

    @pytest.mark.parametrize("stored", ["password", "fernet:", "fernet:not-a-token", "fernet:é"])
    def test_a_value_that_is_not_a_sealed_token_is_refused(self, stored: str) -> None:
        with pytest.raises(UnreadableSecret):
            unseal(SECRET, stored)
