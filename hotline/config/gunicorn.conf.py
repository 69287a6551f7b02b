"""Gunicorn settings for Hotline; each value can be overridden with GUNICORN_* style flags or env below."""

import multiprocessing
import os

bind = os.environ.get("HOTLINE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("HOTLINE_WORKERS", str(min(4, multiprocessing.cpu_count() * 2 + 1))))
threads = int(os.environ.get("HOTLINE_THREADS", "2"))
# Twilio gives a webhook 15 s; a worker that takes longer is stuck, not busy.
timeout = 14
graceful_timeout = 10
keepalive = 5
# Request bodies are limited by the app (MAX_CONTENT_LENGTH); header limits protect the worker itself.
limit_request_line = 8190
limit_request_fields = 100
# Access logs would carry URLs and client addresses; the app logs one scrubbed JSON line per request instead.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("HOTLINE_LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("HOTLINE_FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):
    """Without Redis this process files texts: load the models they need now, in a thread, not in a transaction."""
    from hotline.jobs.background import warm_up_soon

    warm_up_soon(worker.wsgi)
