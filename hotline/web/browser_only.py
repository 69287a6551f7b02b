"""What only a browser needs, kept off Twilio's webhooks: the cookie session and the browser's request hooks.

A webhook (``/twilio/``) is authenticated by its signature and carries no cookie, CSRF token or ``?lang=`` choice,
so the hooks that serve people (the CSRF check, the signed-in user, the focal point's language, the language cookie,
the rate limiter's middleware pass) find nothing to do there. Yet each of them ran on every webhook: together with
the cookie session they were about a tenth of an SMS webhook's time. Here they become one group behind one check.

Hooks that every request needs stay as they are: the request id and log line, the database's commit, the body size
limit, the security headers. A webhook's own rate limit (the refusal limit) is a decorator on its view, which the
limiter evaluates there whether or not its middleware ran; no blueprint limit covers ``/twilio/``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Flask, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask.wrappers import Request, Response

WEBHOOK_PREFIX = "/twilio/"
_MARK = "hotline_browser_only"
H = TypeVar("H", bound=Callable[..., Any])
BeforeHook = Callable[[], Any]
AfterHook = Callable[[Response], Response]


def is_webhook(path: str) -> bool:
    """Whether a request to ``path`` comes from Twilio rather than a browser (its signature is checked by its view)."""
    return path.startswith(WEBHOOK_PREFIX)


def browser_only(hook: H) -> H:
    """Mark an app-wide before- or after-request hook that webhooks skip (``skip_for_webhooks`` gathers it)."""
    setattr(hook, _MARK, True)
    return hook


class BrowserSessionInterface(SecureCookieSessionInterface):
    """The signed cookie session for browsers; a webhook gets the null session, so nothing is parsed or saved."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """The cookie's session, or the null session on a webhook (which sets no cookie)."""
        if is_webhook(request.path):
            return self.make_null_session(app)
        return super().open_session(app, request)


def skip_for_webhooks(app: Flask, before: Iterable[BeforeHook] = (), after: Iterable[AfterHook] = ()) -> None:
    """Put the browser's session interface on ``app``, and move its app-wide hooks marked ``browser_only`` (and
    ``before``/``after``: an extension's own, which cannot be marked) behind one check that webhooks skip.

    Call it once all hooks are registered. The group takes the place of its last member, so the hooks keep their
    order among themselves and still run before the view (before-request) or first (after-request); only hooks
    that were registered between two of them, which need neither, now run before the whole group.
    """
    app.session_interface = BrowserSessionInterface()
    hooks = app.before_request_funcs.setdefault(None, [])
    browser_before = _take(hooks, list(before))
    if browser_before:
        hooks.insert(browser_before[0], _before_group(browser_before[1]))
    hooks_after = app.after_request_funcs.setdefault(None, [])
    browser_after = _take(hooks_after, list(after))
    if browser_after:
        hooks_after.insert(browser_after[0], _after_group(browser_after[1]))


def _take(hooks: list[Any], extra: list[Any]) -> tuple[int, list[Any]] | None:
    """Remove the browser-only hooks from ``hooks``; where the last one was, and them in order."""
    taken = [(index, hook) for index, hook in enumerate(hooks) if getattr(hook, _MARK, False) or hook in extra]
    if not taken:
        return None
    for _, hook in reversed(taken):
        hooks.remove(hook)
    return taken[-1][0] - len(taken) + 1, [hook for _, hook in taken]


def _before_group(hooks: list[BeforeHook]) -> BeforeHook:
    def browser_before_request() -> Any:
        if is_webhook(request.path):
            return None
        for hook in hooks:
            answer = hook()
            if answer is not None:  # as Flask does: a hook's response ends the request
                return answer
        return None

    return browser_before_request


def _after_group(hooks: list[AfterHook]) -> AfterHook:
    in_flask_order = list(reversed(hooks))  # Flask runs after-request hooks last registered first

    def browser_after_request(response: Response) -> Response:
        if is_webhook(request.path):
            return response
        for hook in in_flask_order:
            response = hook(response)
        return response

    return browser_after_request
