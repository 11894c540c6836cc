"""The languages Firstline's floor works in."""

from __future__ import annotations

import re

from firstline.kit.errors import InvalidInput

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "it": "Italiano",
    "pt": "Português",
    "de": "Deutsch",
    "es": "Español",
    "fr": "Français",
    "nl": "Nederlands",
    "pl": "Polski",
    "tr": "Türkçe",
    "ru": "Русский",
    "uk": "Українська",
    "ar": "العربية",
    "zh": "中文",
    "ja": "日本語",
    "ko": "한국어",
    "vi": "Tiếng Việt",
}

_CODE = re.compile(r"^[a-z]{2,3}$")


def check_language(code: str) -> str:
    """A lower-case ISO 639-1/2 code, or a clear error."""
    normalized = code.strip().lower()
    if not _CODE.match(normalized):
        raise InvalidInput(f"{code!r} is not a language code such as 'en' or 'it'.", field="language")
    return normalized


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)
