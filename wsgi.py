"""Gunicorn's entry point: `gunicorn -c config/gunicorn.conf.py wsgi:app`."""

from hotline import create_app

app = create_app()
