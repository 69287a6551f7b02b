"""The shipped classifier's quality: no evaluation text in training, the scores it must reach, and the parts
(script-aware n-grams, lexicon blending, cross-validation) that get it there. Pure: no Flask, no database."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import pytest

from hotline.classify.classifier import Classifier, blend
from hotline.classify.config import ClassifyConfig, load_classify_config
from hotline.classify.dataset import leaked, read_examples
from hotline.classify.evaluation import cross_validate, evaluate
from hotline.classify.lexicon import Lexicon, load_lexicons
from hotline.classify.model import Example, TrainedModel, clusters, script_ngrams, train
from hotline.content.languages import load_languages
from hotline.content.taxonomy import Taxonomy, load_taxonomy
from hotline.settings import CONFIG_DIR, PACKAGE_DIR, PROJECT_ROOT

EVAL = PROJECT_ROOT / "data" / "eval" / "hotline_eval.csv"
OVERALL_TARGET = 0.85  # issue 16: category macro-F1 overall
LANGUAGE_FLOOR = 0.70  # ... and in every language


@pytest.fixture(scope="module")
def codes() -> tuple[str, ...]:
    return tuple(load_languages(CONFIG_DIR / "languages.yaml").codes)


@pytest.fixture(scope="module")
def taxonomy(codes: tuple[str, ...]) -> Taxonomy:
    return load_taxonomy(CONFIG_DIR / "taxonomy.yaml", codes)


@pytest.fixture(scope="module")
def config() -> ClassifyConfig:
    return load_classify_config(CONFIG_DIR / "classify.yaml")


@pytest.fixture(scope="module")
def lexicons(taxonomy: Taxonomy, codes: tuple[str, ...]) -> dict[str, Lexicon]:
    return load_lexicons(CONFIG_DIR / "lexicons", taxonomy, codes)


@pytest.fixture(scope="module")
def evaluation(taxonomy: Taxonomy, codes: tuple[str, ...]) -> list[Example]:
    return read_examples(EVAL, taxonomy.type_ids, taxonomy.category_ids, codes)


@pytest.fixture(scope="module")
def seed(taxonomy: Taxonomy, codes: tuple[str, ...], config: ClassifyConfig) -> list[Example]:
    """Every training file the default model learns from (config ``training.seed_files``)."""
    return [e for name in config.seed_files
            for e in read_examples(PACKAGE_DIR / name, taxonomy.type_ids, taxonomy.category_ids, codes)]


def _fit(config: ClassifyConfig) -> Callable[[Sequence[Example]], TrainedModel]:
    def fit(rows: Sequence[Example]) -> TrainedModel:
        return train(rows, config.min_examples_per_class, config.ngram_range, config.regularisation_alpha,
                     label="test")
    return fit


def test_no_evaluation_text_is_in_any_training_file(seed: list[Example], evaluation: list[Example]) -> None:
    assert seed and evaluation
    copies = leaked([e.text for e in seed], [e.text for e in evaluation])
    assert not copies, "training rows that are evaluation texts (remove them from the seed file):\n" + "\n".join(
        f"  {mine!r} ~ {theirs!r}" for mine, theirs in copies)


def test_the_leak_check_sees_copies_however_they_are_dressed() -> None:
    evaluation = ["the agent says the boat is big and safe", "hello", "கனடா எல்லை திறந்து விட்டதா"]
    assert leaked(["The AGENT says: the boat is big and safe!"], evaluation)  # case and punctuation
    assert leaked(["the boat is big and safe the agent says"], evaluation)  # reordered
    assert leaked(["the agent says the boat is big and very safe"], evaluation)  # one word added
    assert leaked(["கனடா எல்லை திறந்துவிட்டதா"], evaluation)  # re-spaced
    assert leaked(["Hello!"], evaluation)  # short texts must at least differ
    assert not leaked(["my son drowned when the boat sank", "hello there friend", "ok"], evaluation)


def test_seed_model_meets_the_evaluation_targets(seed: list[Example], evaluation: list[Example],
                                                 lexicons: dict[str, Lexicon], config: ClassifyConfig) -> None:
    report = evaluate(Classifier(_fit(config)(seed), lexicons, config), evaluation)
    per_language = {code: s["category_macro_f1"] for code, s in report["languages"].items()}
    assert report["category"]["macro_f1"] >= OVERALL_TARGET, report["category"]["macro_f1"]
    assert {code for code, f1 in per_language.items() if f1 < LANGUAGE_FLOOR} == set(), per_language
    assert len(per_language) == 13


def test_cross_validation_scores_each_text_with_a_model_that_never_saw_it(
        lexicons: dict[str, Lexicon], config: ClassifyConfig) -> None:
    rows = [Example(f"{words} {i}", "en", type_, category)
            for words, type_, category in (("job salary wages money", "question", "financial_gain"),
                                           ("sea storm waves drowned", "concern_incident", "journey_risk"),
                                           ("visa permit embassy legal", "question", "legal_pathways"))
            for i in range(10)]
    seen: list[set[str]] = []

    def fit(training: Sequence[Example]) -> TrainedModel:
        seen.append({e.text for e in training})
        return train(training, 3, label="cv")

    report = cross_validate(rows, fit, lexicons, config, folds=5)
    assert len(seen) == 5 and all(len(texts) == 24 for texts in seen)  # each fold leaves a fifth out
    assert sum(30 - len(texts) for texts in seen) == 30  # ... and every text is left out exactly once
    assert report["count"] == 30 and report["category"]["macro_f1"] == 1.0
    assert report["classifier_version"].startswith("5-fold cross-validation")


def test_blend_adds_keyword_shares_to_the_model() -> None:
    probabilities = {"journey_risk": 0.40, "smuggler_claims": 0.45, "financial_gain": 0.15}
    assert blend(probabilities, Counter(), 0.5) == probabilities  # no keyword: the model alone
    assert blend({}, Counter({"journey_risk": 2}), 0.5) == {}  # no model: left to the lexicon decision
    mixed = blend(probabilities, Counter({"journey_risk": 3, "smuggler_claims": 1}), 0.5)
    assert max(mixed, key=mixed.__getitem__) == "journey_risk"  # clear keywords tip a close call
    assert sum(mixed.values()) == pytest.approx(1.0)
    assert blend(probabilities, Counter({"protection_safety": 1}), 0.5)["protection_safety"] == pytest.approx(1 / 3)
    confident = blend({"journey_risk": 0.95, "smuggler_claims": 0.05}, Counter({"smuggler_claims": 1}), 0.5)
    assert max(confident, key=confident.__getitem__) == "journey_risk"  # a sure model keeps its answer


def test_clusters_keep_vowel_signs_and_conjuncts_with_their_letter() -> None:
    assert clusters("boat") == ["b", "o", "a", "t"]
    assert clusters("ක්‍රම".replace("\u200d", "")) == ["ක්ර", "ම"]  # Sinhala conjunct kra + ma
    assert clusters("படகு") == ["ப", "ட", "கு"]  # Tamil vowel sign u stays with ka
    assert clusters("ދޯނި") == ["ދޯ", "ނި"]  # Thaana: every letter carries its vowel
    assert clusters("เรือ") == ["เ", "รื", "อ"]  # Thai: the vowel above stays with its consonant


def test_script_ngrams_run_inside_padded_words() -> None:
    grams = script_ngrams("ab cd", (1, 2))
    assert grams == [" ", "a", "b", " ", " a", "ab", "b ", " ", "c", "d", " ", " c", "cd", "d "]
    assert script_ngrams("", (1, 4)) == []
    tamil = script_ngrams("படகு", (3, 3))
    assert "டகு " in tamil and all(not g.startswith("ு") for g in tamil)  # no n-gram starts with a bare vowel sign
