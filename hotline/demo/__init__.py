"""The demo: a seeded SQLite database so that every part of Hotline has something real to show."""
