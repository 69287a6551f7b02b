"""Hotline: a multilingual voice and SMS hotline against people-smuggling disinformation.

The package root imports nothing, so `import hotline.ivr.engine` loads the IVR and what it needs, not every
blueprint. The application factory lives in `hotline.app`.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # `from hotline.app import create_app` is how deployments' own WSGI files have built the app; keep it working
    # without importing the whole application whenever any submodule is imported.
    if name == "create_app":
        from hotline.app import create_app

        return create_app
    raise AttributeError(f"module 'hotline' has no attribute {name!r}")
