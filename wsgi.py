"""Gunicorn's entry point from a source checkout: `gunicorn wsgi:app` (`hotline serve` uses `hotline.wsgi:app`)."""

from hotline.wsgi import app

__all__ = ["app"]
