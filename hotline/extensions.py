"""Extension objects, created unbound and bound to an app in create_app()."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from hotline.db import Database

db = Database()
babel = Babel()
# Rate limits: declared in hotline.web.ratelimit, each with its own key (address, account, token); bound to the app,
# with Redis or in-memory counters, by hotline.web.ratelimit.init_rate_limits. Storage errors never fail a request:
# the limiter falls back to memory while Redis is down (swallow_errors logs them).
limiter = Limiter(key_func=get_remote_address, strategy="moving-window", headers_enabled=False,
                  swallow_errors=True, in_memory_fallback_enabled=True)
