"""Whole-database backups and restores (SQLite online backup API; PostgreSQL pg_dump/pg_restore)."""
