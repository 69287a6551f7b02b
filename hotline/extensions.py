"""Extension objects, created unbound and bound to an app in create_app()."""

from flask_babel import Babel

from hotline.db import Database

db = Database()
babel = Babel()
