"""Campaign evaluation (pure): volumes before, during and after, and an exact test of the change in rate.

The rate ratio of two Poisson counts is tested conditionally: given n = during + before, the count during is
Binomial(n, p) with p = t_during / (t_during + t_before) when the rate did not change (the exact conditional
binomial test). The two-sided p-value adds the probabilities of every outcome no more likely than the one seen.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from hotline.trends.suppression import check_k


@dataclass(frozen=True)
class Periods:
    """Before, during and after a campaign, each as inclusive (first, last) days; after may be shorter or empty."""

    before: tuple[date, date]
    during: tuple[date, date]
    after: tuple[date, date] | None


def periods(starts_on: date, ends_on: date, today: date) -> Periods:
    """Equal-length windows before and after the campaign; ``after`` stops at ``today`` (None if not begun)."""
    length = (ends_on - starts_on).days + 1
    before = (starts_on - timedelta(days=length), starts_on - timedelta(days=1))
    after_start = ends_on + timedelta(days=1)
    after_end = min(ends_on + timedelta(days=length), today)
    return Periods(before, (starts_on, ends_on), (after_start, after_end) if after_end >= after_start else None)


def days(span: tuple[date, date]) -> int:
    """How many days an inclusive span covers."""
    return (span[1] - span[0]).days + 1


def _log_binom_pmf(k: int, n: int, p: float) -> float:
    if p <= 0.0:
        return 0.0 if k == 0 else -math.inf
    if p >= 1.0:
        return 0.0 if k == n else -math.inf
    return (math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
            + k * math.log(p) + (n - k) * math.log1p(-p))


def rate_ratio_test(count_a: int, exposure_a: float, count_b: int, exposure_b: float) -> float:
    """Two-sided exact p-value that the rates count_a/exposure_a and count_b/exposure_b are equal."""
    n = count_a + count_b
    if n == 0:
        return 1.0
    p = exposure_a / (exposure_a + exposure_b)
    observed = _log_binom_pmf(count_a, n, p)
    tolerance = 1e-7
    total = sum(math.exp(lp) for k in range(n + 1) if (lp := _log_binom_pmf(k, n, p)) <= observed + tolerance)
    return min(1.0, total)


@dataclass(frozen=True)
class Evaluation:
    """Counts and weekly rates per period, the change during the campaign, and its p-value.

    Published (see ``suppress_evaluation``), a count of 1 to k-1 is None, and so is every figure it could be
    worked out from: its weekly rate, and the change and p-value when the count before or during is hidden.
    """

    before: int | None
    during: int | None
    after: int | None
    rate_before: float | None
    rate_during: float | None
    rate_after: float | None
    change_percent: int | None
    p_value: float | None
    hidden_under: int | None = None  # k, when suppress_evaluation hid a count


def evaluate(counts: dict[str, int], spans: Periods) -> Evaluation:
    """Compare the rate during the campaign with the rate before it."""
    weekly = {name: counts.get(name, 0) * 7 / days(span)
              for name, span in (("before", spans.before), ("during", spans.during), ("after", spans.after))
              if span is not None}
    change = (round(100 * (weekly["during"] - weekly["before"]) / weekly["before"])
              if weekly["before"] else None)
    p_value = rate_ratio_test(counts.get("during", 0), days(spans.during), counts.get("before", 0),
                              days(spans.before))
    return Evaluation(counts.get("before", 0), counts.get("during", 0),
                      counts.get("after", 0) if spans.after else None, round(weekly["before"], 1),
                      round(weekly["during"], 1), round(weekly["after"], 1) if "after" in weekly else None,
                      change, p_value)


def _hide(count: int | None, k: int) -> bool:
    return count is not None and 0 < count < k


def suppress_evaluation(result: Evaluation, k: int) -> Evaluation:
    """``result`` as it may be published: counts of 1 to k-1 hidden (0 is shown: it identifies nobody), with
    their rates; the change and p-value hidden when the count before or during is, as either gives it back."""
    check_k(k)
    before, during, after = (_hide(result.before, k), _hide(result.during, k), _hide(result.after, k))
    if not (before or during or after):
        return result
    compared = before or during
    return replace(result, before=None if before else result.before, during=None if during else result.during,
                   after=None if after else result.after,
                   rate_before=None if before else result.rate_before,
                   rate_during=None if during else result.rate_during,
                   rate_after=None if after else result.rate_after,
                   change_percent=None if compared else result.change_percent,
                   p_value=None if compared else result.p_value, hidden_under=k)


def summarise(result: Evaluation, gettext: Callable[..., str], alpha: float = 0.05) -> str:
    """One plain sentence: which way the volume moved, by how much, and whether that is likely to be chance."""
    if result.p_value is None or result.rate_before is None or result.rate_during is None:
        return str(gettext("Too few reports to compare the campaign with the weeks before it: counts under %(k)s "
                           "are not published.", k=result.hidden_under))
    rates = {"during": f"{result.rate_during:g}", "before": f"{result.rate_before:g}"}
    if result.change_percent is None:
        moved = gettext("Reports in the campaign's categories: %(during)s a week during the campaign, none before.",
                        **rates)
    elif result.change_percent < 0:
        moved = gettext("Reports in the campaign's categories fell by %(change)d%% during the campaign "
                        "(%(during)s a week, against %(before)s before).", change=-result.change_percent, **rates)
    else:
        moved = gettext("Reports in the campaign's categories rose by %(change)d%% during the campaign "
                        "(%(during)s a week, against %(before)s before).", change=result.change_percent, **rates)
    verdict = (gettext("A change this large is unlikely to be chance (p = %(p)s).", p=f"{result.p_value:.3g}")
               if result.p_value < alpha else
               gettext("This could well be chance (p = %(p)s).", p=f"{result.p_value:.3g}"))
    return f"{moved} {verdict}"
