"""Record prompts by phone: the staff-only path of the hotline, for native speakers without a computer.

A staff member calls the hotline, presses the hidden key (``hotline.ivr.service.STAFF_KEY``) at a menu, keys in
their staff number and PIN (``hotline.auth.phone_pin``: hashed, progressive delays, audited, one answer for every
refusal, three tries per call), chooses one of their languages, and hears each *missing* prompt (no approved
recording, no Twilio voice: at most a synthetic stand-in, and no draft waiting) by its id and English text. They
record their version after the tone, then listen (1), keep (2), record again (3), skip (4) or stop (*). A kept take
is downloaded from Twilio with the account's credentials (``hotline.channels.twilio.download``), normalised like a
browser recording and stored as a studio draft authored by them: a second person approves it before any caller
hears it. The path speaks English (Twilio's en-GB voice): it reads the English source text the speaker translates.

The path's state lives on the call's Contact (``state["staff"]``), so any worker takes the next request; each step
says which step it answers, and a stale or replayed one gets the TwiML already given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.twiml.voice_response import Gather, VoiceResponse

from hotline.auth.models import User
from hotline.auth.phone_pin import check_pin
from hotline.channels.twilio.account import TwilioAccount
from hotline.channels.twilio.download import DownloadError, download
from hotline.content.languages import LanguageTable
from hotline.intake.models import Contact
from hotline.intake.state import ContactState
from hotline.ivr.content import IvrContent
from hotline.ivr.prompts import MISSING, SYNTHETIC
from hotline.ivr.recordings import MAX_BYTES, RecordingFetchError, audio_url
from hotline.studio.audio import AudioRejected, normalise
from hotline.studio.models import PromptRecording, RecordingStatus
from hotline.studio.service import add_recording, may_work_on

VOICE = "en-GB"
MAX_PIN_TRIES = 3  # per call; the staff number's own delay (hotline.auth.phone_pin) covers many calls
MAX_SILENCES = 3
MAX_TAKE_SECONDS = 120
MAX_LANGUAGES = 9  # one key each
STEPS = ("number", "pin", "language", "recorded", "review")


@dataclass(frozen=True)
class PhoneContext:
    """What the path needs besides the request: the content in force, the language table, Twilio, URLs."""

    content: IvrContent
    languages: LanguageTable
    account: TwilioAccount
    step_url: Callable[[str], str]  # the URL of one step of this path
    back_url: str  # the caller flow's incoming-call URL (a replay there returns the menu the call was at)
    delete_remote: Callable[[str], None]  # delete a take at Twilio once its copy is committed


@dataclass(frozen=True)
class PhoneInput:
    """One webhook of the path."""

    call_sid: str
    step: str
    digits: str | None
    recording_url: str | None
    recording_sid: str | None
    recording_duration: int | None
    now: datetime


def start(ctx: PhoneContext) -> str:
    """The first TwiML of the path: ask for the staff number (silence goes back to the call's menu)."""
    return _ask_number(ctx, "Staff recording. Enter your staff number, then press the hash key.")


def answer(session: Session, ctx: PhoneContext, given: PhoneInput) -> str:
    """One step of the path: advance the call's staff state and return the next TwiML."""
    contact = session.scalar(select(Contact).where(Contact.provider_id == given.call_sid).with_for_update())
    if contact is None:  # the path is entered from a call: anything else is not one of ours
        return _goodbye("Goodbye.")
    staff: dict[str, Any] = dict(cast(dict[str, Any], contact.state).get("staff") or {})
    if given.step != staff.get("step", "number"):  # a replay or a stale step: the answer already given
        return str(staff.get("twiml") or _goodbye("Goodbye."))
    twiml = _step(session, ctx, staff, given)
    staff["twiml"] = twiml
    # Once signed in, the caller flow of this call is over (not an abandoned call in the statistics).
    ended = {"ended": True} if staff.get("user") else {}
    contact.state = cast(ContactState, {**contact.state, "staff": staff, **ended})
    session.flush()
    return twiml


def missing_prompts(session: Session, content: IvrContent, language: str) -> list[str]:
    """The flow's prompts a speaker of ``language`` should record: none better than a synthetic stand-in, and no
    draft waiting for approval."""
    waiting = set(session.scalars(select(PromptRecording.prompt).where(
        PromptRecording.language == language, PromptRecording.status == RecordingStatus.DRAFT)))
    return [prompt for prompt in content.prompts.used
            if content.prompts.resolve(prompt, language).source in (MISSING, SYNTHETIC) and prompt not in waiting]


def _step(session: Session, ctx: PhoneContext, staff: dict[str, Any], given: PhoneInput) -> str:
    if given.step == "number":
        if not given.digits:  # pressed * by mistake, or changed their mind: back to the caller's menu
            staff.clear()
            staff["step"] = "number"
            response = VoiceResponse()
            response.redirect(ctx.back_url, method="POST")
            return str(response)
        staff.update(step="pin", number=given.digits[:16])
        return _gather(ctx, "pin", ["Enter your PIN, then press the hash key."], finish="#")
    if given.step == "pin":
        return _sign_in(session, ctx, staff, given)
    user = session.get(User, staff.get("user") or 0)
    if user is None or not user.active:
        return _goodbye("Goodbye.")
    if given.step == "language":
        return _choose_language(session, ctx, staff, user, given.digits)
    if given.step == "recorded":
        return _recorded(ctx, staff, given)
    return _review(session, ctx, staff, user, given)


def _sign_in(session: Session, ctx: PhoneContext, staff: dict[str, Any], given: PhoneInput) -> str:
    number = str(staff.pop("number", ""))
    user = check_pin(session, number, given.digits or "", given.now)
    if user is None:
        staff["tries"] = int(staff.get("tries", 0)) + 1
        if staff["tries"] >= MAX_PIN_TRIES:
            staff["step"] = "done"
            return _goodbye("Not accepted. Goodbye.")
        staff["step"] = "number"
        return _ask_number(ctx, "Not accepted. Enter your staff number, then press the hash key.")
    staff.clear()
    staff["user"] = user.id
    languages = _languages_of(session, ctx, user)
    if not languages:
        staff["step"] = "done"
        return _goodbye("No prompt is missing in your languages. Thank you. Goodbye.")
    staff["languages"] = languages
    if len(languages) == 1:
        return _begin(session, ctx, staff, languages[0])
    staff["step"] = "language"
    return _language_menu(ctx, languages)


def _languages_of(session: Session, ctx: PhoneContext, user: User) -> list[str]:
    """The user's languages (a supervisor's: every language) that have prompts to record, at most one per key."""
    codes = [code for code in (user.languages or ctx.languages.codes) if code in ctx.languages]
    return [code for code in codes if may_work_on(user, code)
            and missing_prompts(session, ctx.content, code)][:MAX_LANGUAGES]


def _language_menu(ctx: PhoneContext, languages: Sequence[str], lead: str | None = None) -> str:
    said = [lead] if lead else []
    said += [f"For {_name(ctx, code)}, press {n}." for n, code in enumerate(languages, start=1)]
    return _gather(ctx, "language", said, digits=1)


def _choose_language(session: Session, ctx: PhoneContext, staff: dict[str, Any], user: User,
                     digits: str | None) -> str:
    languages = list(staff.get("languages") or [])
    keys = [str(n) for n in range(1, len(languages) + 1)]
    if digits not in keys:
        return _silence_or(staff, lambda: _language_menu(ctx, languages, "Sorry, that key is not in the menu."),
                           digits)
    code = languages[int(str(digits)) - 1]
    if not may_work_on(user, code):
        return _goodbye("Goodbye.")
    return _begin(session, ctx, staff, code)


def _begin(session: Session, ctx: PhoneContext, staff: dict[str, Any], language: str) -> str:
    staff.update(language=language, queue=missing_prompts(session, ctx.content, language), index=0, kept=[],
                 silences=0)
    return _prompt(ctx, staff)


def _prompt(ctx: PhoneContext, staff: dict[str, Any], lead: str | None = None) -> str:
    """Read the current prompt's id and English text, then record after the tone."""
    queue, index = list(staff["queue"]), int(staff["index"])
    if index >= len(queue):
        staff["step"] = "done"
        return _goodbye(f"{lead + ' ' if lead else ''}That was the last missing prompt. Thank you. Goodbye.")
    staff["step"], staff["take"] = "recorded", None
    prompt = queue[index]
    name = _name(ctx, staff["language"])
    response = VoiceResponse()
    if lead:
        response.say(lead, language=VOICE)
    response.say(f"Prompt {index + 1} of {len(queue)}: {prompt.replace('_', ' ')}.", language=VOICE)
    response.say(f"The English text is: {ctx.content.prompts.sources.get(prompt, '')}", language=VOICE)
    response.say(f"After the tone, say it in {name}. Then press the hash key.", language=VOICE)
    response.record(action=ctx.step_url("recorded"), method="POST", max_length=MAX_TAKE_SECONDS, timeout=5,
                    finish_on_key="#", play_beep=True, trim="trim-silence")
    response.redirect(ctx.step_url("recorded"), method="POST")  # nothing recorded: Twilio goes on to this
    return str(response)


def _recorded(ctx: PhoneContext, staff: dict[str, Any], given: PhoneInput) -> str:
    heard = given.recording_duration is None or given.recording_duration >= 1
    if not given.recording_url or not given.recording_sid or not heard:
        if given.recording_url:
            ctx.delete_remote(given.recording_url)  # an empty take: nothing to keep at Twilio either
        staff["silences"] = int(staff.get("silences", 0)) + 1
        if staff["silences"] >= MAX_SILENCES:
            staff["step"] = "done"
            return _goodbye("Nothing was recorded. Thank you. Goodbye.")
        return _prompt(ctx, staff, "Nothing was recorded.")
    staff.update(step="review", silences=0, take={"url": given.recording_url, "sid": given.recording_sid})
    return _review_menu(ctx)


def _review_menu(ctx: PhoneContext, lead: str | None = None, play: str | None = None) -> str:
    said = [lead] if lead else []
    said.append("To listen, press 1. To keep it, press 2. To record it again, press 3. To skip this prompt, "
                "press 4. To stop, press star.")
    return _gather(ctx, "review", said, digits=1, play=play)


def _review(session: Session, ctx: PhoneContext, staff: dict[str, Any], user: User, given: PhoneInput) -> str:
    take = staff.get("take") or {}
    digits = given.digits
    if digits == "1" and take:
        return _review_menu(ctx, play=str(take["url"]))
    if digits == "2" and take:
        return _keep(session, ctx, staff, user, take, given.now)
    if digits == "3":
        return _prompt(ctx, staff)
    if digits == "4":
        staff["index"] = int(staff["index"]) + 1
        return _prompt(ctx, staff)
    if digits == "*":
        staff["step"] = "done"
        return _goodbye("Thank you. Goodbye.")
    return _silence_or(staff, lambda: _review_menu(ctx, "Sorry, that key is not in the menu."), digits)


def _keep(session: Session, ctx: PhoneContext, staff: dict[str, Any], user: User, take: dict[str, Any],
          now: datetime) -> str:
    """Download the take with the account's credentials, normalise it, store it as a draft by ``user``."""
    sid, url = str(take["sid"]), str(take["url"])
    if sid not in staff.get("kept", []):
        try:
            fetched = download(audio_url(url, ctx.account.api_base), ctx.account.account_sid,
                               ctx.account.auth_token, MAX_BYTES)
            phone = normalise(fetched.data)
        except (RecordingFetchError, DownloadError, AudioRejected):
            return _prompt(ctx, staff, "That recording could not be used. Please record it again.")
        add_recording(session, user, staff["language"], staff["queue"][int(staff["index"])], fetched.data, "phone",
                      now, audio=phone)
        staff["kept"] = [*staff.get("kept", []), sid]
        ctx.delete_remote(url)
    staff["index"] = int(staff["index"]) + 1
    return _prompt(ctx, staff, "Kept as a draft. Someone else will approve it before callers hear it.")


def _name(ctx: PhoneContext, code: str) -> str:
    language = ctx.languages.get(code)
    return language.name if language is not None else code


def _silence_or(staff: dict[str, Any], again: Callable[[], str], digits: str | None) -> str:
    if digits:
        return again()
    staff["silences"] = int(staff.get("silences", 0)) + 1
    if staff["silences"] >= MAX_SILENCES:
        staff["step"] = "done"
        return _goodbye("We did not hear a choice. Goodbye.")
    return again()


def _ask_number(ctx: PhoneContext, said: str) -> str:
    return _gather(ctx, "number", [said], finish="#")


def _gather(ctx: PhoneContext, step: str, said: Sequence[str], digits: int | None = None, finish: str | None = None,
            play: str | None = None) -> str:
    """Say ``said`` (and play ``play``) while waiting for keys; silence comes back to the same step, empty."""
    response = VoiceResponse()
    gather = Gather(action=ctx.step_url(step), method="POST", timeout=10, action_on_empty_result=True,
                    **({"num_digits": digits} if digits else {}), **({"finish_on_key": finish} if finish else {}))
    if play:
        gather.play(play)
    for line in said:
        gather.say(line, language=VOICE)
    response.append(gather)
    response.redirect(ctx.step_url(step), method="POST")
    return str(response)


def _goodbye(said: str) -> str:
    response = VoiceResponse()
    response.say(said, language=VOICE)
    response.hangup()
    return str(response)
