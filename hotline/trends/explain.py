"""Plain-language explanations of rises and evaluations, through whatever gettext the caller passes (pure)."""

from __future__ import annotations

from collections.abc import Callable

from hotline.trends.rising import Rise

Gettext = Callable[..., str]
NGettext = Callable[..., str]


def explain_rise(rise: Rise, gettext: Gettext, ngettext: NGettext, recent_weeks: int,
                 label: Callable[[str, str | None], str] = lambda _kind, value: value or "?") -> str:
    """E.g. "+240% on the previous 4 weeks: 31 reports in 3 languages, mostly SMS from AF-NAN"."""
    if rise.new:
        head = gettext("New this week")
    elif rise.baseline.basis == "seasonal":
        head = gettext("%(change)s on the same weeks last year", change=f"+{rise.change_percent}%")
    else:
        head = gettext("%(change)s on the previous %(weeks)d weeks", change=f"+{rise.change_percent}%",
                       weeks=recent_weeks)
    body = ngettext("%(num)d report", "%(num)d reports", rise.count)  # gettext's ngettext supplies num
    langs = ngettext("in %(num)d language", "in %(num)d languages", rise.languages)
    parts = [f"{head}: {body} {langs}"]
    if rise.top_channel and rise.top_region:
        parts.append(gettext("mostly %(channel)s from %(region)s", channel=label("channel", rise.top_channel),
                             region=label("region", rise.top_region)))
    elif rise.top_channel:
        parts.append(gettext("mostly %(channel)s", channel=label("channel", rise.top_channel)))
    return ", ".join(parts)
