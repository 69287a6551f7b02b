"""Gunicorn's entry point: `gunicorn hotline.wsgi:app` (what `hotline serve` runs)."""

from hotline.app import create_app

app = create_app()
