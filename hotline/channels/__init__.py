"""Channel adapters: each provider in its own package; the core never names a provider."""
