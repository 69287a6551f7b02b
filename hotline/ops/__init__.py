"""Operations: health checks, structured logs, error responses."""
