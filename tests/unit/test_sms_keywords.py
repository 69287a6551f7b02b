"""Keywords: Twilio's opt-out family, our commands in every language, topics and language names."""

from __future__ import annotations

import pytest

from hotline.content.languages import load_languages
from hotline.settings import CONFIG_DIR
from hotline.sms.config import SmsConfig, load_sms_config
from hotline.sms.keywords import Command, interpret, normalise, resolve_language, resolve_topic
from hotline.sms.replies import language_names

CONFIG = load_sms_config()
CATEGORIES = ("destination_policy", "journey_risk", "financial_gain", "legal_pathways", "smuggler_claims")


@pytest.mark.parametrize("body", ["STOP", "stop", " Stop. ", "UNSUBSCRIBE", "quit!", "StopAll", "OPTOUT"])
def test_twilio_opt_out_words(body: str) -> None:
    assert interpret(body, CONFIG) is not None
    assert interpret(body, CONFIG).command == Command.OPT_OUT  # type: ignore[union-attr]


@pytest.mark.parametrize(("body", "command"), [("START", Command.OPT_IN), ("yes", Command.OPT_IN),
                                               ("UNSTOP", Command.OPT_IN), ("HELP", Command.TWILIO_HELP),
                                               ("info", Command.TWILIO_HELP)])
def test_twilio_opt_in_and_help(body: str, command: Command) -> None:
    found = interpret(body, CONFIG)
    assert found is not None and found.command == command


@pytest.mark.parametrize("body", ["please stop the smugglers", "help me with my visa", "stop?? why", "yes it is"])
def test_twilio_words_inside_a_sentence_are_ordinary_messages(body: str) -> None:
    found = interpret(body, CONFIG)
    assert found is None or found.command not in (Command.OPT_OUT, Command.OPT_IN, Command.TWILIO_HELP)


@pytest.mark.parametrize(("body", "command", "language", "argument"), [
    ("کمک", Command.HELP, "prs", None),
    ("مدد", Command.HELP, "ur", None),
    ("madad", Command.HELP, "ur", None),
    ("সাহায্য", Command.HELP, "bn", None),
    ("உதவி", Command.HELP, "ta", None),
    ("උදව්", Command.HELP, "si", None),
    ("އެހީ", Command.HELP, "dv", None),
    ("ช่วยด้วย", Command.HELP, "th", None),
    ("Bantuan", Command.HELP, "ms", None),
    ("language urdu", Command.LANGUAGE, "en", "urdu"),
    ("زبان اردو", Command.LANGUAGE, "prs", "اردو"),
    ("FAKTA kapal", Command.FACTS, "ms", "kapal"),
    ("حقائق سرحد", Command.FACTS, "ur", "سرحد"),
    ("தகவல் படகு", Command.FACTS, "ta", "படகு"),
    ("call me back", Command.CALLBACK, "en", None),
    ("مجھے کال کریں", Command.CALLBACK, "ur", None),
    ("โทรกลับ", Command.CALLBACK, "th", None),
])
def test_commands_in_every_script(body: str, command: Command, language: str, argument: str | None) -> None:
    found = interpret(body, CONFIG)
    assert found is not None
    assert (found.command, found.argument) == (command, argument)
    assert language in CONFIG.keywords[command.value] and found.language is not None


def test_ordinary_messages_and_long_arguments_are_not_keywords() -> None:
    assert interpret("Is the border to Australia open for boats this season?", CONFIG) is None
    assert interpret("facts about the boat that leaves from the port next week", CONFIG) is None
    assert interpret("", CONFIG) is None
    assert interpret("?!", CONFIG) is None


def test_every_language_has_every_command() -> None:
    codes = load_languages(CONFIG_DIR / "languages.yaml").codes
    for command, by_language in CONFIG.keywords.items():
        assert set(codes) <= set(by_language), command


def test_normalise_keeps_indic_vowel_signs_and_trims_punctuation() -> None:
    assert normalise("  உதவி! ") == "உதவி"
    assert normalise("¿HELP?") == "help"


def test_topics_resolve_slugs_and_words() -> None:
    assert resolve_topic("journey_risk", CONFIG, CATEGORIES) == "journey_risk"
    assert resolve_topic("Kapal", CONFIG, CATEGORIES) == "journey_risk"
    assert resolve_topic("سرحد", CONFIG, CATEGORIES) == "destination_policy"
    assert resolve_topic("weather", CONFIG, CATEGORIES) is None


def test_language_names_resolve_codes_english_and_native_names() -> None:
    names = language_names(load_languages(CONFIG_DIR / "languages.yaml"))
    assert resolve_language("urdu", names) == "ur"
    assert resolve_language("اردو", names) == "ur"
    assert resolve_language("ta", names) == "ta"
    assert resolve_language("Melayu", names) == "ms"
    assert resolve_language("bahasa", names) is None
    assert resolve_language("klingon", names) is None


def test_config_is_validated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from hotline.content.yamlfile import ContentError

    bad = tmp_path / "sms_keywords.yaml"
    bad.write_text("version: 1\ntwilio: {opt_out: [stop], opt_in: [start], help: [help]}\nkeywords: {shout: {}}\n")
    with pytest.raises(ContentError, match="keywords"):
        load_sms_config(bad)
    assert isinstance(CONFIG, SmsConfig)
