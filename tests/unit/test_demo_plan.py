"""The demo's content files and traffic plan, without Flask or a database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from hotline.content.languages import load_languages
from hotline.content.taxonomy import load_taxonomy
from hotline.demo.content import load_library, load_samples
from hotline.demo.phones import synthetic_number
from hotline.demo.plan import WEEKS, PlannedReport, plan_reports, recency
from hotline.settings import CONFIG_DIR

NOW = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def test_samples_and_library_use_the_codebook_and_the_language_table() -> None:
    languages = load_languages(CONFIG_DIR / "languages.yaml")
    taxonomy = load_taxonomy(CONFIG_DIR / "taxonomy.yaml", languages.codes)
    samples, library = load_samples(), load_library()
    assert set(samples.languages) <= set(languages.codes)
    for sample in samples.samples:
        assert taxonomy.is_valid_coding(sample.type, sample.category, sample.code), sample.id
        assert set(sample.texts) <= set(samples.languages), sample.id
    rumour_keys = {spec.key for spec in library.rumours}
    assert {s.rumour for s in samples.samples if s.rumour} <= rumour_keys
    for spec in library.rumours:
        assert taxonomy.is_valid_coding(None, spec.category, spec.code), spec.key
        assert any(m.language == "en" and m.status == "approved" for m in spec.messages), spec.key


def test_the_plan_is_deterministic_and_visits_every_language() -> None:
    samples = load_samples()
    first = plan_reports(random.Random(3), samples, 40, NOW)
    again = plan_reports(random.Random(3), samples, 40, NOW)
    other = plan_reports(random.Random(4), samples, 40, NOW)
    assert first == again and first != other
    assert {p.language for p in first} == set(samples.languages)
    assert all(p.language in p.sample.texts and p.text in p.sample.texts[p.language] for p in first)
    assert all(NOW - timedelta(weeks=WEEKS, days=1) < p.received_at < NOW for p in first)


def test_recent_weeks_are_busier_and_rising_categories_rise() -> None:
    samples = load_samples()
    plans = plan_reports(random.Random(11), samples, 2000, NOW)
    early = [p for p in plans if recency(p.received_at, NOW) < 0.35]
    late = [p for p in plans if recency(p.received_at, NOW) > 0.65]
    assert len(late) > len(early)

    def rising_share(group: list[PlannedReport]) -> float:
        return sum(p.sample.category in samples.rising for p in group) / len(group)

    assert rising_share(late) > rising_share(early) + 0.05


def test_synthetic_numbers_belong_to_their_country_and_are_distinct() -> None:
    import phonenumbers

    for country in ("AF", "PK", "BD", "LK", "MY", "ID", "TH", "MV"):
        numbers = {synthetic_number(country, n) for n in range(200)}
        assert len(numbers) == 200
        assert all(phonenumbers.region_code_for_number(phonenumbers.parse(n)) == country for n in numbers)
