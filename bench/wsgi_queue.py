"""gunicorn entry point for the scale-out test and the soak: the real app, on the RQ queue named in
HOTLINE_TEST_RQ_QUEUE (so runs never share a queue with another suite or a real deployment)."""

from __future__ import annotations

import os

from hotline.app import create_app

app = create_app()
if os.environ.get("HOTLINE_TEST_RQ_QUEUE"):
    app.config["HOTLINE_RQ_QUEUE"] = os.environ["HOTLINE_TEST_RQ_QUEUE"]
