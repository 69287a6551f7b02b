"""gunicorn entry point for the scale-out test and the soak: the real app, on the RQ queue named in
HOTLINE_TEST_RQ_QUEUE (so runs never share a queue with another suite or a real deployment)."""

from __future__ import annotations

import os

from hotline.app import create_app

queue = os.environ.get("HOTLINE_TEST_RQ_QUEUE")
app = create_app({"HOTLINE_RQ_QUEUE": queue} if queue else None)
