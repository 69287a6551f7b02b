"""Plain-language explanations of rises, through whatever gettext the caller passes (pure).

Singular and plural are separate msgids ("one report" / "%(num)d reports") rather than ngettext plural forms:
the catalogues are filled from locales/incoming/*.json, which carries one string per msgid, and every UI language
here (Dari, Indonesian, Malay, Urdu, Bengali, Thai) needs no more than those two forms.
"""

from __future__ import annotations

from collections.abc import Callable

from hotline.trends.rising import Rise

Gettext = Callable[..., str]


def explain_rise(rise: Rise, gettext: Gettext, recent_weeks: int,
                 label: Callable[[str, str], str] = lambda _kind, value: value) -> str:
    """E.g. "+240% on the previous 4 weeks: 31 reports in 3 languages, mostly sms from AF-NAN"."""
    if rise.new:
        head = gettext("New this week")
    elif rise.baseline.basis == "seasonal":
        head = gettext("%(change)s on the same weeks last year", change=f"+{rise.change_percent}%")
    else:
        head = gettext("%(change)s on the previous %(weeks)d weeks", change=f"+{rise.change_percent}%",
                       weeks=recent_weeks)
    reports = gettext("one report") if rise.count == 1 else gettext("%(num)d reports", num=rise.count)
    languages = (gettext("in one language") if rise.languages == 1
                 else gettext("in %(num)d languages", num=rise.languages))
    text = f"{head}: {reports} {languages}"  # punctuation only: nothing to translate
    if rise.top_channel and rise.top_region:
        return gettext("%(summary)s, mostly %(channel)s from %(region)s", summary=text,
                       channel=label("channel", rise.top_channel), region=label("region", rise.top_region))
    if rise.top_channel:
        return gettext("%(summary)s, mostly %(channel)s", summary=text, channel=label("channel", rise.top_channel))
    return text
