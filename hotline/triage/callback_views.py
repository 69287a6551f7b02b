"""Call back a caller from the report page: one POST, one service call; the number never reaches the browser."""

from __future__ import annotations

from datetime import time, timedelta

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from hotline.auth.console import CASEWORK, staff
from hotline.auth.session import login_required
from hotline.callbacks import policy
from hotline.callbacks.service import CallbackContext, CallbackRefused, place_callback
from hotline.channels.twilio.callbacks import rest_dialer
from hotline.context import runtime
from hotline.db import utcnow
from hotline.extensions import db
from hotline.ivr.callback_views import callback_urls
from hotline.ivr.runtime import ivr_content
from hotline.settings import Settings
from hotline.triage.actions import ActionRefused, load_for_action
from hotline.web.console import bp, refusal

CALLBACK_REFUSALS = {
    policy.NO_CONSENT: lazy_gettext("The caller did not agree to be called back."),
    policy.ERASED: lazy_gettext("This caller's data was erased: they cannot be called back."),
    policy.OPTED_OUT: lazy_gettext("This caller opted out: they cannot be called back."),
    policy.NO_NUMBER: lazy_gettext("There is no number to call back."),
    policy.OUTSIDE_DAYTIME: lazy_gettext("It is not daytime where the caller lives: call back later."),
    policy.TOO_MANY: lazy_gettext("The limit of call-back attempts is reached."),
    policy.TOO_SOON: lazy_gettext("The last call-back was a short while ago: try again later."),
}


@bp.post("/reports/<int:report_id>/callback")
@login_required(*CASEWORK)
def call_back(report_id: int) -> ResponseReturnValue:
    """Place a call-back to the caller of a report the operator holds."""
    session, user = db.session(), staff()
    try:
        load_for_action(session, report_id, user)
        place_callback(session, callback_context(runtime().settings), report_id, user.id, utcnow())
    except ActionRefused as refused:
        if refused.reason == "not_found":
            abort(404)
        flash(refusal(refused.reason), "error")
    except CallbackRefused as refused:
        flash(str(CALLBACK_REFUSALS[refused.reason]), "error")
    else:
        flash(_("Call-back placed."))
    return redirect(url_for("console.report", report_id=report_id), 303)


def callback_context(settings: Settings) -> CallbackContext:
    """The call-back service's context: rules from the settings, time zones from config/hotlines.yaml."""
    rules = policy.CallbackRules(max_attempts=settings.callback_max_attempts,
                                 day_start=time.fromisoformat(settings.callback_day_start),
                                 day_end=time.fromisoformat(settings.callback_day_end),
                                 min_gap=timedelta(minutes=settings.callback_min_gap_minutes))
    hotlines = ivr_content().hotlines
    return CallbackContext(keys=runtime().keys, rules=rules, timezone_for=lambda n: hotlines.for_number(n).timezone,
                           dialer=rest_dialer(settings), urls=callback_urls)
