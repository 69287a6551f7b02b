"""Neutralise spreadsheet formula injection: a text cell that a spreadsheet would evaluate gets a leading quote."""

from __future__ import annotations

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """``value`` unchanged, unless it is text starting with = + - @ tab or CR: then prefixed with '."""
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value
