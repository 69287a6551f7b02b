"""The classifier core: model training, lexicon fallback, urgency, persistence and evaluation (no Flask, no DB)."""

from __future__ import annotations

import csv
import os
from collections import Counter
from pathlib import Path

import pytest

from hotline.classify.classifier import Classifier, Decision, combine, lexicon_decision, sensitivity_for
from hotline.classify.config import ClassifyConfig, load_classify_config
from hotline.classify.dataset import DatasetError, read_examples
from hotline.classify.evaluation import evaluate, format_report
from hotline.classify.lexicon import Lexicon, load_lexicons
from hotline.classify.model import MODEL_FILE, Example, LabelModel, ModelError, load_model, save_model, train
from hotline.classify.normalise import normalise
from hotline.content.languages import load_languages
from hotline.content.taxonomy import Taxonomy, load_taxonomy
from hotline.settings import CONFIG_DIR, PACKAGE_DIR, PROJECT_ROOT

SEED = PACKAGE_DIR / "data" / "train" / "seed.csv"
EVAL = PROJECT_ROOT / "data" / "eval" / "hotline_eval.csv"


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy(CONFIG_DIR / "taxonomy.yaml")


@pytest.fixture(scope="module")
def codes() -> tuple[str, ...]:
    return tuple(load_languages(CONFIG_DIR / "languages.yaml").codes)


@pytest.fixture(scope="module")
def lexicons(taxonomy: Taxonomy, codes: tuple[str, ...]) -> dict[str, Lexicon]:
    return load_lexicons(CONFIG_DIR / "lexicons", taxonomy, codes)


@pytest.fixture(scope="module")
def config() -> ClassifyConfig:
    return load_classify_config(CONFIG_DIR / "classify.yaml")


def _examples(n: int, category: str, words: str, type_: str = "rumour_belief") -> list[Example]:
    return [Example(f"{words} {i}", "en", type_, category) for i in range(n)]


def test_lexicon_decision_prefers_more_and_clearer_hits() -> None:
    assert lexicon_decision(Counter()) is None
    clear = lexicon_decision(Counter({"journey_risk": 3}))
    mixed = lexicon_decision(Counter({"journey_risk": 1, "smuggler_claims": 1}))
    assert clear is not None and mixed is not None
    assert clear.label == "journey_risk" and clear.confidence > mixed.confidence


def test_combine_lets_the_lexicon_speak_for_classes_the_model_never_learned() -> None:
    model = LabelModel(None, ("financial_gain", "smuggler_claims"))
    lexicon = Decision("protection_safety", 0.8, "lexicon")
    assert combine({"financial_gain": 0.6, "smuggler_claims": 0.4}, model, lexicon, 0.3) == lexicon
    confident = combine({"financial_gain": 0.95, "smuggler_claims": 0.05}, model, lexicon, 0.3)
    assert confident is not None and confident.label == "financial_gain" and confident.source == "model"
    assert combine({"financial_gain": 0.2}, model, Decision("financial_gain", 0.4, "lexicon"), 0.3).source == "lexicon"
    assert combine({}, model, None, 0.3) is None


def test_classes_under_the_threshold_are_not_learned() -> None:
    examples = (_examples(10, "financial_gain", "job salary wages")
                + _examples(10, "journey_risk", "sea storm waves")
                + _examples(3, "protection_safety", "threat kill"))
    model = train(examples, min_examples=8)
    assert model.category_model.classes == ("financial_gain", "journey_risk")
    assert model.version.startswith("lr-") and len(model.version) <= 24
    assert model.type_model.pipeline is None  # one type only: nothing to tell apart


def test_classifier_without_model_uses_the_lexicons(lexicons: dict[str, Lexicon], config: ClassifyConfig) -> None:
    classifier = Classifier(None, lexicons, config)
    result = classifier.classify("I heard the boat sank and many drowned", "en")
    assert result.category.label == "journey_risk" and result.category.source == "lexicon"
    assert result.type.label == "rumour_belief"
    assert classifier.version.startswith("lexicon.lx-") and len(classifier.version) <= 32


def test_empty_and_tiny_texts_are_incomplete(lexicons: dict[str, Lexicon], config: ClassifyConfig) -> None:
    classifier = Classifier(None, lexicons, config)
    for text in (None, "", "?", "ok"):
        result = classifier.classify(text, "en")
        assert (result.type.label, result.category.label) == ("incomplete", "other")


@pytest.mark.parametrize(("text", "language", "urgency", "protection"), [
    ("the boat leaves tomorrow night", "en", "immediate", False),
    ("they threaten to kill me", "en", "immediate", True),
    ("saya disekap agen minta tebusan", "id", "high", True),
    ("پسرم تنها رفت", "prs", "high", True),
    ("is the border open", "en", "normal", False),
])
def test_urgency_and_protection(lexicons: dict[str, Lexicon], config: ClassifyConfig, text: str, language: str,
                                urgency: str, protection: bool) -> None:
    result = Classifier(None, lexicons, config).classify(text, language)
    assert (result.urgency, result.protection) == (urgency, protection)


def test_sensitivity() -> None:
    assert sensitivity_for(True, False) == "protection"
    assert sensitivity_for(False, True) == "sensitive"
    assert sensitivity_for(False, False) == "normal"


def test_model_round_trip_inside_the_instance_folder(tmp_path: Path) -> None:
    examples = _examples(10, "financial_gain", "job salary") + _examples(10, "journey_risk", "sea storm")
    model = train(examples, min_examples=5)
    path = save_model(model, tmp_path)
    assert path == (tmp_path / MODEL_FILE).resolve()
    assert load_model(tmp_path).version == model.version


def test_model_files_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no model"):
        load_model(tmp_path)
    (tmp_path / MODEL_FILE).parent.mkdir(parents=True)
    (tmp_path / MODEL_FILE).write_bytes(b"not a model")
    with pytest.raises(ModelError, match="not a Hotline classifier"):
        load_model(tmp_path)


def test_a_model_outside_the_instance_folder_is_refused(tmp_path: Path) -> None:
    instance, elsewhere = tmp_path / "instance", tmp_path / "elsewhere"
    (instance / "classifier").mkdir(parents=True)
    elsewhere.mkdir()
    os.symlink(elsewhere / "model.joblib", instance / MODEL_FILE)
    with pytest.raises(ModelError, match="outside the instance folder"):
        load_model(instance)


def test_dataset_errors_name_file_line_and_field(tmp_path: Path, taxonomy: Taxonomy, codes: tuple[str, ...]) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("text,language,type,category\nok text,en,question,journey_risk\n"
                    "x,zz,question,journey_risk\n,en,rumour,journey_risk\n", encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        read_examples(path, taxonomy.type_ids, taxonomy.category_ids, codes)
    message = str(info.value)
    assert f"{path}:3: language:" in message
    assert f"{path}:4: text:" in message and f"{path}:4: type:" in message
    path.write_text("text,lang\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"bad\.csv:1: header: missing column"):
        read_examples(path, taxonomy.type_ids, taxonomy.category_ids, codes)


def test_evaluation_set_is_shipped_and_separate_from_training(taxonomy: Taxonomy, codes: tuple[str, ...]) -> None:
    evaluation = read_examples(EVAL, taxonomy.type_ids, taxonomy.category_ids, codes)
    seed = read_examples(SEED, taxonomy.type_ids, taxonomy.category_ids, codes)
    per_language = Counter(e.language for e in evaluation)
    assert sum(1 for n in per_language.values() if n >= 40) >= 8
    assert set(per_language) == set(codes)  # every language of languages.yaml, romanised variants included
    assert min(per_language.values()) >= 30
    seen = {normalise(e.text) for e in seed}
    assert not [e.text for e in evaluation if normalise(e.text) and normalise(e.text) in seen]


def test_evaluation_report(lexicons: dict[str, Lexicon], config: ClassifyConfig) -> None:
    examples = [Example("the boat sank", "en", "concern_incident", "journey_risk"),
                Example("agent says the border is open", "en", "rumour_belief", "destination_policy"),
                Example("kapal tenggelam", "id", "concern_incident", "journey_risk")]
    report = evaluate(Classifier(None, lexicons, config), examples)
    assert set(report["languages"]) == {"en", "id"}
    assert 0 <= report["type"]["macro_f1"] <= 1 and 0 <= report["languages"]["en"]["category_macro_f1"] <= 1
    assert report["category"]["confusion"]["labels"]
    assert "per language" in format_report(report)


def test_seed_rows_are_well_formed() -> None:
    with SEED.open(encoding="utf-8", newline="") as handle:
        assert all(row["text"].strip() for row in csv.DictReader(handle))


def test_classify_config_errors_name_file_line_and_key(tmp_path: Path) -> None:
    from hotline.content.yamlfile import ContentError

    text = (CONFIG_DIR / "classify.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "classify.yaml"
    bad.write_text(text.replace("suggested: 0.35", "suggested: 0.95"), encoding="utf-8")
    with pytest.raises(ContentError, match=r"classify\.yaml:\d+: matching\.suggested: must not exceed confirmed"):
        load_classify_config(bad)
    bad.write_text(text.replace("threats: {urgency: immediate", "threats: {urgency: panic"), encoding="utf-8")
    with pytest.raises(ContentError, match=r"urgency"):
        load_classify_config(bad)


def test_fast_probabilities_agree_with_scikit_learn(taxonomy: Taxonomy, codes: tuple[str, ...]) -> None:
    import numpy as np

    from hotline.classify.model import fast_predict_proba, features

    seed = read_examples(SEED, taxonomy.type_ids, taxonomy.category_ids, codes)
    texts = [features(e.text) for e in read_examples(EVAL, taxonomy.type_ids, taxonomy.category_ids, codes)]
    texts += ["", "zzzz qqqq"]  # nothing known: all-zero rows
    model = train(seed, min_examples=8)
    binary = train(_examples(10, "financial_gain", "job salary") + _examples(10, "journey_risk", "sea storm"), 5)
    for label_model in (model.type_model, model.category_model, binary.category_model):
        assert label_model.pipeline is not None
        expected = label_model.pipeline.predict_proba(texts)
        assert np.allclose(fast_predict_proba(label_model.pipeline, texts), expected, atol=1e-9)
