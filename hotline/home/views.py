"""GET / : what this service is, in the visitor's language, with links for staff and focal points."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask.typing import ResponseReturnValue

from hotline.context import runtime

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> ResponseReturnValue:
    """The landing page: the languages the line speaks."""
    return render_template("home/index.html", languages=runtime().languages.languages)
