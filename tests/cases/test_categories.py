"""Case fields: TxID validation per network family and the category's required fields."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from firstline.cases.categories import (
    BASE58_ALPHABET,
    base58_encode,
    check_fields,
    missing_fields,
    txid_problem,
)
from firstline.kit.errors import InvalidInput

HEX = "0123456789abcdefABCDEF"
hex64 = st.text(alphabet=HEX, min_size=64, max_size=64)


class TestTxidProblem:
    @given(hex64)
    def test_an_evm_hash_is_0x_and_64_hex(self, digits: str) -> None:
        assert txid_problem("0x" + digits, "ERC20") is None
        assert "starts with 0x" in (txid_problem(digits, "BEP20") or "")

    @given(hex64)
    def test_bitcoin_tron_and_xrp_ids_are_64_hex_without_prefix(self, digits: str) -> None:
        for network in ("BTC", "TRC20", "XRP"):
            assert txid_problem(digits, network) is None
            assert "no 0x prefix" in (txid_problem("0x" + digits, network) or "")

    @given(st.text(alphabet=HEX, min_size=0, max_size=80).filter(lambda t: len(t) != 64))
    def test_a_hex_id_of_the_wrong_length_is_refused_saying_its_length(self, digits: str) -> None:
        problem = txid_problem(digits, "TRC20")
        assert problem is not None and f"{len(digits)} characters" in problem or "empty" in (problem or "")

    @given(st.binary(min_size=64, max_size=64).filter(lambda b: b[0] != 0))
    def test_a_solana_signature_is_64_bytes_of_base58(self, signature: bytes) -> None:
        assert txid_problem(base58_encode(signature), "SOL") is None

    def test_a_solana_signature_with_a_character_outside_base58_is_refused(self) -> None:
        text = base58_encode(bytes(range(1, 65)))
        assert "base58" in (txid_problem(text[:-1] + "0", "SOL") or "")

    def test_a_ton_hash_may_be_hex_or_base64(self) -> None:
        assert txid_problem("ab" * 32, "TON") is None
        assert txid_problem("q" * 43 + "=", "TON") is None
        assert "TON" in (txid_problem("q" * 20, "TON") or "")

    def test_a_txid_with_spaces_or_foreign_letters_is_refused(self) -> None:
        assert txid_problem("0x" + "g" * 64, "ERC20") is not None
        assert txid_problem("zz" * 32, "BTC") is not None

    def test_an_unknown_network_is_refused_with_the_known_ones(self) -> None:
        assert "TRC20" in (txid_problem("a" * 64, "MOON") or "")

    def test_base58_alphabet_has_no_lookalikes(self) -> None:
        assert not set("0OIl") & set(BASE58_ALPHABET)


class TestCheckFields:
    def test_fields_are_normalized(self) -> None:
        fields = check_fields(
            "deposit_not_credited",
            {"uid": "48213377", "coin": "usdt", "network": "trc20", "amount": "250,50", "txid": "A" * 64},
        )
        assert fields == {
            "uid": "48213377",
            "coin": "USDT",
            "network": "TRC20",
            "amount": "250.5",
            "txid": "a" * 64,
        }

    def test_a_txid_that_cannot_be_one_is_refused_naming_the_field_and_why(self) -> None:
        with pytest.raises(InvalidInput, match="TxID: A TRC20 transaction id is 64 hexadecimal") as error:
            check_fields("deposit_not_credited", {"network": "TRC20", "txid": "12345"})
        assert error.value.field == "fields.txid"

    def test_a_field_the_category_does_not_take_is_refused(self) -> None:
        with pytest.raises(InvalidInput, match="no field 'txid'"):
            check_fields("2fa_reset", {"txid": "a" * 64})

    def test_an_xrp_tag_is_a_number(self) -> None:
        with pytest.raises(InvalidInput, match="destination tag"):
            check_fields("deposit_not_credited", {"network": "XRP", "memo": "abc"})

    def test_missing_fields_name_the_category_requirements_and_the_memo_where_needed(self) -> None:
        assert missing_fields("deposit_not_credited", {"uid": "48213377"}) == [
            "coin",
            "network",
            "amount",
            "txid",
        ]
        fields = {"uid": "1234567", "coin": "XRP", "network": "XRP", "amount": "5", "txid": "a" * 64}
        assert missing_fields("deposit_not_credited", fields) == ["memo"]
        assert missing_fields("wrong_network_or_memo", fields) == []
