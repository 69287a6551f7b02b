"""Rumours as they circulate, and the counter-message library."""
