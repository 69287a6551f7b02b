"""The spool's part of the app: which spool a request, a health check or a command writes to and replays from.
The one spool module besides the views and commands that knows Flask."""

from __future__ import annotations

from flask import Flask, current_app

from hotline.spool.store import Spool


def app_spool(app: Flask | None = None) -> Spool:
    """The spool of ``app`` (default: the current app)."""
    spool: Spool = (app or current_app).extensions["hotline_spool"]
    return spool


