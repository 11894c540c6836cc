"""The support categories of a crypto exchange, their structured fields, and the validators of those fields."""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from firstline.conversations.models import Category
from firstline.kit.errors import InvalidInput


class NetworkFamily(StrEnum):
    EVM = "evm"
    BITCOIN = "bitcoin"
    TRON = "tron"
    SOLANA = "solana"
    XRP = "xrp"
    TON = "ton"


# Network codes as exchanges show them, mapped to the family whose transaction ids they use.
NETWORKS: dict[str, NetworkFamily] = {
    **dict.fromkeys(
        ("ERC20", "ETH", "BEP20", "BSC", "ARBITRUM", "OPTIMISM", "POLYGON", "MATIC", "AVAXC", "BASE"),
        NetworkFamily.EVM,
    ),
    **dict.fromkeys(("BTC", "LTC", "BCH", "DOGE"), NetworkFamily.BITCOIN),
    **dict.fromkeys(("TRC20", "TRX"), NetworkFamily.TRON),
    **dict.fromkeys(("SOL", "SPL"), NetworkFamily.SOLANA),
    "XRP": NetworkFamily.XRP,
    "TON": NetworkFamily.TON,
}
# Networks whose deposits need a memo or tag besides the address.
MEMO_NETWORKS = frozenset({"XRP", "TON"})

_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_EVM = re.compile(r"^0x[0-9a-fA-F]{64}$")
BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58 = re.compile(f"^[{BASE58_ALPHABET}]+$")
_TON_BASE64 = re.compile(r"^[A-Za-z0-9+/_-]{43}=?$")


def base58_decode(text: str) -> bytes:
    """Bitcoin-alphabet base58 to bytes; leading '1's are leading zero bytes."""
    number = 0
    for char in text:
        number = number * 58 + BASE58_ALPHABET.index(char)
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * (len(text) - len(text.lstrip("1"))) + body


def base58_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    chars = ""
    while number:
        number, remainder = divmod(number, 58)
        chars = BASE58_ALPHABET[remainder] + chars
    return "1" * (len(data) - len(data.lstrip(b"\x00"))) + chars


def txid_problem(txid: str, network: str) -> str | None:
    """Why ``txid`` cannot be a transaction id on ``network``, or None when it can be."""
    family = NETWORKS.get(network.upper())
    if family is None:
        return f"Unknown network {network!r}; choose one of: {', '.join(sorted(NETWORKS))}."
    if family is NetworkFamily.EVM:
        if _EVM.match(txid):
            return None
        if _HEX64.match(txid):
            return f"A {network} transaction hash starts with 0x: '0x{txid}'."
        return f"A {network} transaction hash is 0x followed by 64 hexadecimal characters ({_shape(txid)})."
    if family in (NetworkFamily.BITCOIN, NetworkFamily.TRON, NetworkFamily.XRP):
        if _HEX64.match(txid):
            return None
        if _EVM.match(txid):
            return (
                f"A {network} transaction id has no 0x prefix (that looks like an EVM hash: wrong network?)."
            )
        return f"A {network} transaction id is 64 hexadecimal characters ({_shape(txid)})."
    if family is NetworkFamily.SOLANA:
        if not 87 <= len(txid) <= 88 or not _BASE58.match(txid):
            return f"A Solana transaction signature is 87 or 88 base58 characters ({_shape(txid)})."
        if len(base58_decode(txid)) != 64:
            return "A Solana transaction signature encodes 64 bytes; this one does not."
        return None
    # TON: the hash as 64 hex characters or as 44 characters of (URL-safe) base64.
    if _HEX64.match(txid):
        return None
    if _TON_BASE64.match(txid):
        try:
            decoded = base64.urlsafe_b64decode(txid.replace("+", "-").replace("/", "_").rstrip("=") + "=")
        except (binascii.Error, ValueError):
            decoded = b""
        if len(decoded) == 32:
            return None
    return f"A TON transaction hash is 64 hexadecimal or 44 base64 characters ({_shape(txid)})."


def _shape(value: str) -> str:
    return f"this one has {len(value)} characters" if value else "this one is empty"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    hint: str
    check: Callable[[str, dict[str, str]], str]  # (value, all fields) -> normalized value, or InvalidInput


def _pattern(regex: str, message: str) -> Callable[[str, dict[str, str]], str]:
    compiled = re.compile(regex)

    def check(value: str, _fields: dict[str, str]) -> str:
        if not compiled.match(value):
            raise InvalidInput(message)
        return value

    return check


def _check_network(value: str, _fields: dict[str, str]) -> str:
    network = value.upper()
    if network not in NETWORKS:
        raise InvalidInput(f"Unknown network {value!r}; choose one of: {', '.join(sorted(NETWORKS))}.")
    return network


def _check_amount(value: str, _fields: dict[str, str]) -> str:
    try:
        amount = Decimal(value.replace(",", "."))
    except InvalidOperation:
        raise InvalidInput(f"{value!r} is not an amount such as 250 or 0.015.") from None
    if not amount.is_finite() or amount <= 0:
        raise InvalidInput("The amount must be a positive number.")
    if amount.as_tuple().exponent < -18 or amount >= Decimal(10) ** 15:  # type: ignore[operator]
        raise InvalidInput("The amount has too many digits (at most 18 decimals, below 10^15).")
    return format(amount.normalize(), "f")


def _check_txid(value: str, fields: dict[str, str]) -> str:
    network = fields.get("network", "")
    if not network:
        raise InvalidInput("Give the network first: a transaction id is checked against its network.")
    if (problem := txid_problem(value, network)) is not None:
        raise InvalidInput(problem)
    return value.lower() if NETWORKS[network.upper()] in (NetworkFamily.EVM, NetworkFamily.TRON) else value


def _check_memo(value: str, fields: dict[str, str]) -> str:
    if fields.get("network", "").upper() == "XRP":
        if not value.isdigit() or int(value) > 4_294_967_295:
            raise InvalidInput("An XRP destination tag is a whole number from 0 to 4294967295.")
        return str(int(value))
    if len(value) > 120 or not value.isprintable():
        raise InvalidInput("A memo is at most 120 printable characters.")
    return value


FIELDS: dict[str, FieldSpec] = {
    spec.name: spec
    for spec in (
        FieldSpec(
            "uid",
            "Exchange UID",
            "digits, e.g. 48213377",
            _pattern(r"^[0-9]{5,20}$", "An exchange UID is 5 to 20 digits."),
        ),
        FieldSpec(
            "coin",
            "Coin",
            "ticker, e.g. USDT",
            lambda v, f: _pattern(
                r"^[A-Z0-9]{2,12}$", "A coin is a ticker of 2 to 12 letters or digits, e.g. USDT."
            )(v.upper(), f),
        ),
        FieldSpec("network", "Network", "e.g. TRC20, ERC20, BTC, SOL", _check_network),
        FieldSpec("amount", "Amount", "e.g. 250 or 0.015", _check_amount),
        FieldSpec("txid", "TxID", "transaction hash of the network", _check_txid),
        FieldSpec("memo", "Memo / tag", "XRP: a number; TON: the comment", _check_memo),
        FieldSpec(
            "order_id",
            "Order id",
            "letters, digits, - and _",
            _pattern(r"^[A-Za-z0-9_-]{1,64}$", "An order id is 1 to 64 letters, digits, '-' or '_'."),
        ),
        FieldSpec(
            "withdrawal_id",
            "Withdrawal id",
            "from the withdrawal history",
            _pattern(r"^[A-Za-z0-9_-]{1,64}$", "A withdrawal id is 1 to 64 letters, digits, '-' or '_'."),
        ),
        FieldSpec(
            "symbol",
            "Contract",
            "e.g. BTCUSDT",
            lambda v, f: _pattern(
                r"^[A-Z0-9]{4,20}$", "A contract symbol is 4 to 20 letters or digits, e.g. BTCUSDT."
            )(v.upper(), f),
        ),
        FieldSpec(
            "api_key_label",
            "API key label",
            "the key's name, never the key",
            _pattern(r"^[^\s]{1,64}$", "An API key label is 1 to 64 characters without spaces."),
        ),
    )
}
# Fields validated after the ones they depend on.
_ORDER = (
    "uid",
    "coin",
    "network",
    "amount",
    "txid",
    "memo",
    "order_id",
    "withdrawal_id",
    "symbol",
    "api_key_label",
)


@dataclass(frozen=True)
class CategorySpec:
    category: Category
    label: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()


CATEGORIES: dict[str, CategorySpec] = {
    spec.category.value: spec
    for spec in (
        CategorySpec(
            Category.DEPOSIT_NOT_CREDITED,
            "Deposit not credited",
            ("uid", "coin", "network", "amount", "txid"),
            ("memo",),
        ),
        CategorySpec(
            Category.WRONG_NETWORK_OR_MEMO,
            "Wrong network or missing memo/tag",
            ("uid", "coin", "network", "amount", "txid"),
            ("memo",),
        ),
        CategorySpec(
            Category.WITHDRAWAL_PENDING,
            "Withdrawal pending",
            ("uid", "coin", "network", "amount", "withdrawal_id"),
            ("txid", "memo"),
        ),
        CategorySpec(Category.TWO_FA_RESET, "2FA reset", ("uid",)),
        CategorySpec(Category.ACCOUNT_FROZEN, "Account frozen", ("uid",)),
        CategorySpec(Category.KYC_REJECTED, "KYC rejected", ("uid",)),
        CategorySpec(Category.P2P_APPEAL, "P2P appeal", ("uid", "order_id", "coin", "amount")),
        CategorySpec(
            Category.FUTURES_LIQUIDATION, "Futures liquidation", ("uid", "symbol", "order_id"), ("amount",)
        ),
        CategorySpec(Category.FEES, "Fees", ("uid",), ("order_id", "coin", "amount")),
        CategorySpec(Category.API, "API", ("uid", "api_key_label")),
        CategorySpec(Category.OTHER, "Other", (), ("uid",)),
    )
}


def category_spec(category: str) -> CategorySpec:
    return CATEGORIES.get(category, CATEGORIES[Category.OTHER])


def check_fields(category: str, fields: dict[str, Any]) -> dict[str, str]:
    """Validated, normalized case fields; an unknown field or a bad value is refused naming the field.

    Empty values are dropped. Fields are checked in dependency order (the network before the TxID).
    """
    spec = category_spec(category)
    allowed = set(spec.required) | set(spec.optional)
    cleaned_input = {str(k): str(v).strip() for k, v in fields.items() if v is not None and str(v).strip()}
    for name in cleaned_input:
        if name not in allowed:
            raise InvalidInput(
                f"{spec.label} cases have no field {name!r}; they take: {', '.join(sorted(allowed)) or 'none'}.",
                field=f"fields.{name}",
            )
    checked: dict[str, str] = {}
    for name in _ORDER:
        if name not in cleaned_input:
            continue
        try:
            checked[name] = FIELDS[name].check(cleaned_input[name], {**cleaned_input, **checked})
        except InvalidInput as problem:
            raise InvalidInput(f"{FIELDS[name].label}: {problem.message}", field=f"fields.{name}") from None
    return checked


def missing_fields(category: str, fields: dict[str, str]) -> list[str]:
    """Required fields of ``category`` that are still empty; memo/tag too on networks that need one."""
    spec = category_spec(category)
    missing = [name for name in spec.required if not fields.get(name)]
    if "memo" in spec.optional and fields.get("network") in MEMO_NETWORKS and not fields.get("memo"):
        if spec.category is not Category.WRONG_NETWORK_OR_MEMO:  # there the memo is what went missing
            missing.append("memo")
    return missing
