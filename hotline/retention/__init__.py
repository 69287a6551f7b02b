"""Retention periods, purging what is due, and erasing one caller on request."""
