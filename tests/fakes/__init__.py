"""Local fakes of external services, served on loopback."""
