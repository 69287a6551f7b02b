"""TwiML rendering, without Flask: prompts resolve to <Play> or <Say>; a missing prompt falls back to English."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from hotline.content.languages import load_languages
from hotline.ivr.engine import Facts, Gather, Hangup, Record, Speak
from hotline.ivr.flow import load_flow
from hotline.ivr.prompts import PromptBook
from hotline.ivr.twiml import CallUrls, SayText, TwimlCache, expand_facts, render

ROOT = Path(__file__).resolve().parents[2]
URLS = CallUrls(step=lambda node: f"/step/{node}", hold=lambda: "/hold", recording=lambda node: f"/rec/{node}",
                audio=lambda path: f"/audio/{path}", queue_name=lambda lang: f"q-{lang}")


def book(tmp_path: Path) -> PromptBook:
    flow = load_flow(ROOT / "hotline" / "ivr_scripts" / "default.yaml")
    (tmp_path / "prs" / "synthetic").mkdir(parents=True)
    (tmp_path / "prs" / "synthetic" / "goodbye.wav").write_bytes(b"RIFF")
    return PromptBook(flow.prompts, flow.used_prompts(), load_languages(ROOT / "hotline" / "config" / "languages.yaml"),
                      ROOT / "hotline" / "locales", tmp_path)


def test_sources_in_order(tmp_path: Path) -> None:
    prompts = book(tmp_path)
    assert prompts.resolve("goodbye", "prs").source == "synthetic"
    assert prompts.resolve("goodbye", "bn").source == "tts"
    assert prompts.resolve("goodbye", "ps").source == "missing"
    assert prompts.resolve("goodbye", "rhg").source == "missing" and prompts.text("goodbye", "rhg") is None
    assert not prompts.offered("prs")  # one stand-in is not the whole flow


def test_render_gather_record_and_fallback(tmp_path: Path) -> None:
    twiml = render([Speak("goodbye", "prs"), Gather("main_menu", (Speak("main_menu", "bn"),), 6),
                    Speak("goodbye", "ps"), Record("ask_question", 120), Hangup()], book(tmp_path), URLS)
    assert "<Play>/audio/prs/synthetic/goodbye.wav</Play>" in twiml
    assert '<Gather action="/step/main_menu" actionOnEmptyResult="true"' in twiml
    assert '<Say language="bn-IN">তথ্য শুনতে' in twiml
    assert '<Say language="en-GB">Thank you for calling. Goodbye.</Say>' in twiml  # Pashto missing: English
    assert 'recordingStatusCallback="/rec/ask_question"' in twiml and twiml.endswith("<Hangup /></Response>")


def test_facts_expand_to_messages_or_the_empty_prompt() -> None:
    empty = (Speak("facts_none", "en"),)
    assert expand_facts([Facts("en", empty)], []) == list(empty)
    said = SayText("The border is closed.", "en-GB")
    assert expand_facts([Facts("en", empty), Hangup()], [said]) == [said, Hangup()]


def test_here_is_what_we_know_is_never_followed_by_no_new_information() -> None:
    intro, empty = (Speak("facts_intro", "en"),), (Speak("facts_none", "en"),)
    assert expand_facts([Facts("en", empty, intro)], []) == list(empty)
    said = SayText("The border is closed.", "en-GB")
    assert expand_facts([Facts("en", empty, intro)], [said]) == [*intro, said]


def test_cache_renders_each_document_once_per_url_scope(tmp_path: Path) -> None:
    built: list[str] = []

    def urls(scope: str | None) -> CallUrls:
        def step(node: str) -> str:
            built.append(node)
            return f"/{scope}/step/{node}"

        return dataclasses.replace(URLS, step=step, scope=scope)

    prompts, cache = book(tmp_path), TwimlCache(limit=2)
    actions = [Speak("goodbye", "bn"), Gather("main_menu", (Speak("main_menu", "bn"),), 6)]
    first = cache.render(actions, prompts, urls("n=1"))
    assert cache.render(list(actions), prompts, urls("n=1")) == first == render(actions, prompts, urls("n=1"))
    assert len(built) == 4  # two URLs for the first rendering, two for the uncached reference: none for the hit
    assert "/n=2/step/main_menu" in cache.render(actions, prompts, urls("n=2"))  # another scope, other URLs
    built.clear()
    cache.render(actions, prompts, urls(None))
    cache.render(actions, prompts, urls(None))
    assert len(built) == 4  # no scope: never cached
    cache.render([Hangup()], prompts, urls("n=3"))  # over the limit: the cache starts again
    built.clear()
    cache.render(actions, prompts, urls("n=1"))
    assert len(built) == 2
