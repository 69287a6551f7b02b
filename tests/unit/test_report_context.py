"""The report page's context, computed purely: a focal point's visit, a call's details, snippets."""

from __future__ import annotations

from datetime import date

from hotline.triage.context import call_details, menu_path, snippet, visit_details


def test_a_visit_keeps_what_the_focal_point_gave() -> None:
    details = visit_details({"place": "Mosque near the bazaar", "heard_on": "2026-03-01", "heard_from": "neighbour"})
    assert (details.place, details.heard_on, details.heard_from) == \
        ("Mosque near the bazaar", date(2026, 3, 1), "neighbour")
    assert visit_details({"heard_on": "01/03/2026", "place": "  "}) == visit_details(None)


def test_a_call_shows_its_length_menu_path_and_how_the_caller_heard() -> None:
    details = call_details({"call": {"duration": 95}}, ["choose_language", "main_menu", "main_menu",
                                                        "report_rumour"], "radio")
    assert details.call_seconds == 95 and details.heard_via == "radio"
    assert details.menu_path == ["choose_language", "main_menu", "report_rumour"]
    assert call_details({}, None, "").call_seconds is None and menu_path(["a", "", "a"]) == ["a"]


def test_snippets_are_one_line_and_cut_at_a_word() -> None:
    assert snippet("Is the\nborder   open?") == "Is the border open?"
    long = snippet("word " * 60, limit=20)
    assert long == "word word word word…"
    assert snippet(None) is None and snippet("") is None


def test_a_message_left_in_any_language_names_its_likely_languages() -> None:
    details = call_details({"language_hint": ["ps", "prs", "", 3, "en"]}, ["universal_message"], None)
    assert details.likely_languages == ("ps", "prs", "en")
    assert call_details({"language_hint": "ps"}, None, None).likely_languages == ()
    assert call_details({}, None, None).likely_languages == ()
