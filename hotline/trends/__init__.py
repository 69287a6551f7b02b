"""Rumour trends for campaign teams: pure aggregation shaping, suppression and rising rumours; DB queries apart."""
