"""What only browsers need stays off Twilio's webhooks (hotline.web.browser_only), and browsers still get all of it."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, session
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hotline.i18n import LOCALE_COOKIE
from hotline.web.browser_only import browser_only, skip_for_webhooks
from tests.factories import csrf_token_in, make_staff, sign_in, signed_post

STATUS = {"MessageSid": "SM" + "5" * 32, "MessageStatus": "delivered", "AccountSid": "AC" + "0" * 32}


def _recording_app() -> tuple[Flask, list[str]]:
    """A bare app with browser-only hooks among plain ones, each recording that it ran."""
    app = Flask("browser-only-test")
    app.secret_key = "s" * 32
    ran: list[str] = []

    def hook(name: str, answer: str | None = None) -> Any:
        def before() -> Any:
            ran.append(name)
            return answer

        return before

    def after(name: str) -> Any:
        def run(response: Response) -> Response:
            ran.append(name)
            return response

        return run

    app.before_request(browser_only(hook("a")))
    app.before_request(hook("b"))
    app.before_request(browser_only(hook("c")))
    extension_hook = hook("d")  # an extension's own: named, not marked
    app.before_request(extension_hook)
    app.after_request(browser_only(after("x")))
    app.after_request(after("y"))
    app.after_request(browser_only(after("z")))

    @app.get("/page")
    @app.post("/twilio/hook")
    def page() -> str:
        ran.append("view")
        session["seen"] = True  # a webhook's null session would refuse this: it is never opened there
        return "ok"

    @app.post("/twilio/quiet")
    def quiet() -> str:
        ran.append("view")
        return str(session.get("seen", "none"))

    skip_for_webhooks(app, before=(extension_hook,))
    return app, ran


def test_browser_hooks_keep_their_order_and_plain_hooks_still_run_first() -> None:
    app, ran = _recording_app()
    response = app.test_client().get("/page")
    assert response.status_code == 200
    # Before: the plain hook, then the group in registration order. After: Flask's order (last registered first).
    assert ran == ["b", "a", "c", "d", "view", "z", "x", "y"]
    assert "session=" in response.headers["Set-Cookie"]


def test_a_webhook_skips_the_group_and_the_cookie_session() -> None:
    app, ran = _recording_app()
    client = app.test_client()
    client.get("/page")  # a browser session cookie exists now
    ran.clear()
    response = client.post("/twilio/quiet")
    assert ran == ["b", "view", "y"]
    assert response.get_data(as_text=True) == "none"  # the cookie is not read on a webhook
    assert "Set-Cookie" not in response.headers


def test_a_browser_hook_that_answers_ends_the_request() -> None:
    app = Flask("browser-only-answer")
    app.before_request(browser_only(lambda: Response("stopped", status=418)))

    @app.get("/page")
    def page() -> str:
        raise AssertionError("the view must not run")

    skip_for_webhooks(app)
    assert app.test_client().get("/page").status_code == 418


def test_a_signed_webhook_sets_no_cookie_even_with_lang_and_a_staff_session(
        client: FlaskClient, db_session: Session) -> None:
    sign_in(client, make_staff(db_session))
    response = signed_post(client, "/twilio/sms/status?lang=prs", STATUS)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    # The hardening headers are on every response, webhooks included.
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_browsers_still_get_the_language_cookie_and_the_csrf_check(client: FlaskClient, db_session: Session) -> None:
    page = client.get("/console/login?lang=prs")
    assert page.status_code == 200
    assert f"{LOCALE_COOKIE}=prs" in page.headers.get("Set-Cookie", "")
    user = make_staff(db_session)
    refused = client.post("/console/login", data={"email": user.email, "password": "x"})
    assert refused.status_code == 400  # no csrf_token
    token = csrf_token_in(client.get("/console/login").get_data(as_text=True))
    assert client.post("/console/login", data={"email": user.email, "password": "x", "csrf_token": token}
                       ).status_code != 400
