"""Benchmark: classification throughput and rumour-matching latency, each beside a floor from the same run.

1. Messages classified per second (type + category + urgency cues, batches and one at a time) against the floor of
   a bare pass of the same texts through the model's TF-IDF vectoriser.
2. Median time to match one message against N rumours (default 100,000, target under 10 ms) against the floor of
   vectorising that one message with the index's vectoriser (``transform``), in the same run.
The ratios (work / floor) are what to compare across machines, not the absolute times. Pure: no database.

    .venv/bin/python bench/bench_classify.py [--rumours 100000] [--queries 300] [--messages 3000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from hotline.classify.classifier import Classifier
from hotline.classify.config import load_classify_config
from hotline.classify.dataset import read_examples
from hotline.classify.lexicon import load_lexicons
from hotline.classify.matching import RumourIndex, RumourText
from hotline.classify.model import features, train
from hotline.classify.normalise import normalise
from hotline.content.languages import load_languages
from hotline.content.taxonomy import load_taxonomy
from hotline.settings import CONFIG_DIR, PACKAGE_DIR, PROJECT_ROOT


def _median_ms(fn: Callable[[str], object], texts: list[str]) -> float:
    times = []
    for text in texts:
        start = time.perf_counter()
        fn(text)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _rate(fn: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    fn()
    return count / (time.perf_counter() - start)


def synthetic_rumours(count: int, vocabulary: list[str], rng: random.Random) -> list[RumourText]:
    """Rumours whose statements are 8-16 words drawn from real caller vocabulary in every script; a third
    carry one translation, as reviewed rumours do."""
    rumours = []
    for rumour_id in range(1, count + 1):
        statements = [" ".join(rng.choices(vocabulary, k=rng.randint(8, 16)))]
        if rumour_id % 3 == 0:
            statements.append(" ".join(rng.choices(vocabulary, k=rng.randint(8, 16))))
        rumours.append(RumourText(rumour_id, "reviewed", statements))
    return rumours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rumours", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--messages", type=int, default=3000)
    args = parser.parse_args()
    rng = random.Random(5)
    languages = load_languages(CONFIG_DIR / "languages.yaml")
    taxonomy = load_taxonomy(CONFIG_DIR / "taxonomy.yaml", languages.codes)
    config = load_classify_config(CONFIG_DIR / "classify.yaml")
    lexicons = load_lexicons(CONFIG_DIR / "lexicons", taxonomy, languages.codes)

    def read(path: Path) -> list:  # type: ignore[type-arg]
        return read_examples(path, taxonomy.type_ids, taxonomy.category_ids, languages.codes)

    # The evaluation set lives in the repository, not in the package (it is never shipped nor trained on).
    seed = read(PACKAGE_DIR / "data" / "train" / "seed.csv")
    evaluation = read(PROJECT_ROOT / "data" / "eval" / "hotline_eval.csv")
    model = train(seed, config.min_examples_per_class, config.ngram_range, config.regularisation_alpha, label="seed")
    classifier = Classifier(model, lexicons, config)
    assert model.category_model.pipeline is not None
    vectoriser = model.category_model.pipeline.named_steps["tfidf"]
    messages = [(e.text, e.language) for e in rng.choices(evaluation, k=args.messages)]
    texts = [text for text, _ in messages]

    print(f"1. classification: {len(messages)} messages (evaluation texts, {classifier.version})")
    floor = _rate(lambda: vectoriser.transform([features(t) for t in texts]), len(texts))
    batch = _rate(lambda: classifier.classify_many(messages), len(messages))
    single_n = min(len(messages), 1000)
    single = _rate(lambda: [classifier.classify(t, lang) for t, lang in messages[:single_n]], single_n)
    print(f"   floor (bare vectoriser pass)   {floor:10.0f} messages/s")
    print(f"   classify_many (batch)          {batch:10.0f} messages/s   ratio floor/batch {floor / batch:5.1f}x")
    print(f"   classify (one at a time)       {single:10.0f} messages/s   ratio floor/single {floor / single:5.1f}x")

    vocabulary = sorted({w for e in seed + evaluation for w in normalise(e.text).split() if len(w) > 1})
    print(f"\n2. matching: building an index of {args.rumours} rumours ({len(vocabulary)}-word vocabulary) ...")
    start = time.perf_counter()
    index = RumourIndex(synthetic_rumours(args.rumours, vocabulary, rng))
    print(f"   index built in {time.perf_counter() - start:.1f} s")
    queries = [e.text for e in rng.choices(evaluation, k=args.queries)]
    assert index.vectorizer is not None
    floor_ms = _median_ms(lambda q: index.vectorizer.transform([normalise(q)]), queries)  # type: ignore[union-attr]
    match_ms = _median_ms(lambda q: index.search(q, limit=1), queries)
    print(f"   floor (vectorise one message)  {floor_ms:8.3f} ms median")
    print(f"   match one message              {match_ms:8.3f} ms median   ratio match/floor {match_ms / floor_ms:5.1f}x"
          f"   target < 10 ms: {'met' if match_ms < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
