"""Never lose a webhook: an encrypted, fsync'ed local spool for database outages, replayed exactly once."""
