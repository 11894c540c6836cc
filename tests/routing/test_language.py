"""Language detection on short chat messages: the demo corpus's customer texts in five languages."""

from __future__ import annotations

import pytest

from firstline.demo import corpus
from firstline.routing.language import clean_for_detection, detect_language

SAMPLE_VALUES = dict(
    coin="USDT", network="TRC20", amount="150", txid="0x9f2c4e1a7b", uid="48213377", order_id="2231"
)


def customer_texts() -> list[tuple[str, str]]:
    texts = []
    for language in corpus.LANGUAGES:
        for source in (corpus.OPENERS, corpus.CUSTOMER_FOLLOWUPS, corpus.SUBJECTS):
            for templates in source[language].values():
                texts.extend((language, template.format(**SAMPLE_VALUES)) for template in templates)
    return texts


class TestDetectLanguage:
    def test_on_the_corpus_it_is_right_on_at_least_97_percent_of_the_texts_it_labels(self) -> None:
        answered = [(lang, detect_language(text)) for lang, text in customer_texts()]
        labelled = [(lang, found) for lang, found in answered if found is not None]
        right = sum(found.language == lang for lang, found in labelled)
        assert right / len(labelled) >= 0.97
        assert len(labelled) / len(answered) >= 0.9  # and it abstains on few

    @pytest.mark.parametrize("language", corpus.LANGUAGES)
    def test_each_language_is_recognised_in_its_opening_messages(self, language: str) -> None:
        texts = [t.format(**SAMPLE_VALUES) for ts in corpus.OPENERS[language].values() for t in ts]
        right = sum(
            (found := detect_language(text)) is not None and found.language == language for text in texts
        )
        assert right / len(texts) >= 0.95

    @pytest.mark.parametrize(
        "text", ["ok", "USDT TRC20", "hola", "Ok thanks", "0x9f2c4e1a7b 150 USDT", "👍", ""]
    )
    def test_texts_too_short_or_made_of_tickers_and_numbers_get_no_language(self, text: str) -> None:
        assert detect_language(text) is None

    def test_tickers_amounts_and_hashes_are_removed_before_detection(self) -> None:
        assert clean_for_detection("Mandei 150 USDT pela TRC20 hash 0xabc123") == "Mandei pela hash"
