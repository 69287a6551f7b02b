"""Focal-point sign-in over HTTP: sessions end on new credentials and revocation, PIN format, random numbers, the
per-account waiting time after wrong PINs, and the supervisor's registry page saying what the buttons do."""

from __future__ import annotations

import itertools
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.db import utcnow
from hotline.field.models import FocalPoint
from hotline.field.registry import FREE_PIN_FAILURES, MAX_PIN_DELAY
from tests.factories import csrf_token_in, make_staff, sign_in
from tests.field_factories import field_sign_in, make_focal_point

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


class Clock:
    """The time the /field views see: moved forward by the test instead of waiting."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr("hotline.field.views.utcnow", clock)
    return clock


def _supervisor(app: Flask, db_session: Session) -> Any:
    staff = app.test_client()
    sign_in(staff, make_staff(db_session, "supervisor"))
    return staff


def _console_post(staff: Any, path: str, **data: Any) -> Any:
    page = staff.get("/console/field/focal-points").get_data(as_text=True)
    return staff.post(path, data={"csrf_token": csrf_token_in(page), **data})


def _pin_sign_in(client: Any, number: str, pin: str) -> Any:
    token = csrf_token_in(client.get("/field/sign-in").get_data(as_text=True))
    return client.post("/field/sign-in", data={"csrf_token": token, "number": number, "pin": pin})


def _issued(html: str) -> tuple[str, str]:
    """The number and PIN the registry page shows the supervisor once."""
    number = re.search(r"\(number (\d{4} \d{4})\)", html)
    pin = re.search(r'PIN: <bdi class="ltr" dir="ltr">([\d ]+)</bdi>', html)
    assert number and pin, html
    return number.group(1), pin.group(1)


def test_new_credentials_end_every_open_session(app: Flask, client, db_session: Session) -> None:
    point, issued = make_focal_point(app, db_session)
    phone, other_phone = client, app.test_client()
    assert field_sign_in(phone, issued.link_token).status_code == 303
    assert _pin_sign_in(other_phone, point.public_number, issued.pin or "").status_code == 303
    assert phone.get("/field").status_code == 200 and other_phone.get("/field").status_code == 200
    staff = _supervisor(app, db_session)
    page = _console_post(staff, f"/console/field/focal-points/{point.public_number}/credentials")
    assert page.status_code == 200
    # Both old sessions are refused at their next request, and stay refused.
    for old in (phone, other_phone):
        response = old.get("/field")
        assert response.status_code == 302 and response.headers["Location"].endswith("/field/sign-in")
        assert old.get("/field/briefing").status_code == 302
    # The old PIN stopped working; the new one, shown once on the page, signs in.
    assert _pin_sign_in(app.test_client(), point.public_number, issued.pin or "").status_code == 401
    _number, new_pin = _issued(page.get_data(as_text=True))
    fresh = app.test_client()
    assert _pin_sign_in(fresh, point.public_number, new_pin).status_code == 303
    assert fresh.get("/field").status_code == 200


def test_revocation_ends_every_open_session(app: Flask, client, db_session: Session) -> None:
    point, issued = make_focal_point(app, db_session)
    other_phone = app.test_client()
    field_sign_in(client, issued.link_token)
    _pin_sign_in(other_phone, point.public_number, issued.pin or "")
    staff = _supervisor(app, db_session)
    _console_post(staff, f"/console/field/focal-points/{point.public_number}/revoke")
    assert client.get("/field").status_code == 302 and other_phone.get("/field").status_code == 302
    assert _pin_sign_in(app.test_client(), point.public_number, issued.pin or "").status_code == 401
    # New credentials lift the revocation for new sign-ins only: the revoked sessions stay ended.
    _console_post(staff, f"/console/field/focal-points/{point.public_number}/credentials")
    assert client.get("/field").status_code == 302 and other_phone.get("/field").status_code == 302


def test_pins_are_ten_digits_and_typed_as_a_phone_would(app: Flask, client, db_session: Session) -> None:
    staff = _supervisor(app, db_session)
    page = _console_post(staff, "/console/field/focal-points", display_name="Teacher", kind="teacher", country="AF",
                         admin1="AF-KAB", languages=["prs"], phone="+93701112233")
    assert page.status_code == 201
    number, pin = _issued(page.get_data(as_text=True))
    assert re.fullmatch(r"\d{5} \d{5}", pin)  # shown in two groups to read out
    # Typed with a Dari keyboard's digits, spaced as written down: still the same number and PIN.
    response = _pin_sign_in(client, number.translate(PERSIAN_DIGITS), pin.translate(PERSIAN_DIGITS))
    assert response.status_code == 303 and client.get("/field").status_code == 200
    # The sign-in page says how many digits to expect.
    form = app.test_client().get("/field/sign-in").get_data(as_text=True)
    assert "(8 digits)" in form and "PIN (10 digits)" in form


def test_focal_point_numbers_are_random_not_row_ids(app: Flask, client, db_session: Session) -> None:
    points = [make_focal_point(app, db_session)[0] for _ in range(6)]
    numbers = [point.public_number for point in points]
    assert all(re.fullmatch(r"[1-9]\d{7}", number) for number in numbers)
    assert len(set(numbers)) == 6
    ordered = sorted(int(number) for number in numbers)
    assert max(b - a for a, b in itertools.pairwise(ordered)) > 100  # not a sequence
    assert all(point.public_number != str(point.id) for point in points)
    # The row id opens nothing: not the sign-in, not the console's URLs.
    point = points[0]
    target, issued = make_focal_point(app, db_session)
    assert _pin_sign_in(client, str(target.id), issued.pin or "").status_code == 401
    assert _pin_sign_in(client, f"{target.id:08d}", issued.pin or "").status_code == 401
    staff = _supervisor(app, db_session)
    assert _console_post(staff, f"/console/field/focal-points/{point.id}/revoke").status_code == 404
    assert point.revoked_at is None
    registry = staff.get("/console/field/focal-points").get_data(as_text=True)
    assert f"/console/field/focal-points/{point.public_number}/credentials" in registry
    assert f"/console/field/focal-points/{point.id}/" not in registry


def test_wrong_pins_slow_the_account_down_but_never_lock_it(app: Flask, client, db_session: Session,
                                                            clock: Clock) -> None:
    point, issued = make_focal_point(app, db_session)
    stranger, owner = client, app.test_client()
    for _ in range(FREE_PIN_FAILURES):
        assert _pin_sign_in(stranger, point.public_number, "1234567890").status_code == 401
    # Now the account waits a minute: even the right PIN is refused, with a hint to wait.
    refused = _pin_sign_in(owner, point.public_number, issued.pin or "")
    assert refused.status_code == 401 and "wait a few minutes" in refused.get_data(as_text=True)
    # The stranger keeps typing during the wait: those tries are not checked and do not add to it.
    for _ in range(30):
        assert _pin_sign_in(stranger, point.public_number, "1234567890").status_code == 401
    clock.advance(timedelta(minutes=1, seconds=1))
    assert _pin_sign_in(owner, point.public_number, issued.pin or "").status_code == 303
    # A stranger trying at each opening gets one guess per wait, and the wait stops growing at the maximum.
    for _ in range(FREE_PIN_FAILURES + 12):
        assert _pin_sign_in(stranger, point.public_number, "1234567890").status_code == 401
        clock.advance(MAX_PIN_DELAY + timedelta(seconds=1))
    db_session.refresh(point)
    assert point.pin_failures == FREE_PIN_FAILURES + 12  # every checked wrong PIN counted, per account
    assert _pin_sign_in(owner, point.public_number, issued.pin or "").status_code == 303
    # The one-time link is never delayed.
    for _ in range(FREE_PIN_FAILURES + 1):
        _pin_sign_in(stranger, point.public_number, "1234567890")
    assert field_sign_in(app.test_client(), issued.link_token or "").status_code == 303


def test_the_registry_page_says_what_sign_in_does(app: Flask, client, db_session: Session, clock: Clock) -> None:
    point, issued = make_focal_point(app, db_session)
    staff = _supervisor(app, db_session)
    html = staff.get("/console/field/focal-points").get_data(as_text=True)
    minutes = int(MAX_PIN_DELAY.total_seconds() // 60)
    rules = re.search(r'<p id="sign-in-rules">(.*?)</p>', html, re.S)
    assert rules
    text = " ".join(rules.group(1).split())
    assert "signs the focal point out on every phone" in text and "signs them out too" in text
    assert f"After {FREE_PIN_FAILURES} wrong PINs, each new try must wait longer, up to {minutes} minutes" in text
    assert "the link is never delayed" in text
    # ... and it does: the promised waiting time, then the right PIN works.
    for _ in range(FREE_PIN_FAILURES):
        _pin_sign_in(client, point.public_number, "0000000000")
    assert _pin_sign_in(client, point.public_number, issued.pin or "").status_code == 401
    clock.advance(timedelta(minutes=minutes))
    assert _pin_sign_in(client, point.public_number, issued.pin or "").status_code == 303
    # New credentials: the page says phones are signed out, and they are.
    reissued = _console_post(staff, f"/console/field/focal-points/{point.public_number}/credentials")
    assert "every phone signed in as this focal point has been signed out" in reissued.get_data(as_text=True)
    assert client.get("/field").status_code == 302


def test_adding_a_focal_point_with_an_invalid_field_shows_the_form_again(app: Flask, client,
                                                                          db_session: Session) -> None:
    staff = _supervisor(app, db_session)
    response = _console_post(staff, "/console/field/focal-points", display_name="Imam <b>Two</b>",
                             kind="teacher", country="Afghanistan", languages=["prs"], phone="+93701112234")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Please check the marked fields." in html and "country:" in html
    assert 'value="Imam &lt;b&gt;Two&lt;/b&gt;"' in html  # what was typed is kept, escaped
    assert db_session.scalar(select(FocalPoint.id)) is None


def test_paper_forms_name_focal_points_by_their_public_number(app: Flask, client, db_session: Session) -> None:
    import io

    point, _issued = make_focal_point(app, db_session)
    staff = _supervisor(app, db_session)
    token = csrf_token_in(staff.get("/console/field/import").get_data(as_text=True))

    def upload(number: str) -> Any:
        body = f"focal_point,date_heard,country,language,source,people,text\n" \
               f"{number},2026-03-01,AF,prs,neighbour,3,Boats leave on Friday\n".encode()
        return staff.post("/console/field/import", data={"csrf_token": token, "file": (io.BytesIO(body), "f.csv")},
                          content_type="multipart/form-data")

    by_id = upload(str(point.id))
    assert by_id.status_code == 422 and f"No active focal point {point.id}" in by_id.get_data(as_text=True)
    assert upload(point.public_number).status_code == 200
