"""/api/v1: JSON for campaign teams' tools, behind bearer tokens (ApiToken), documented at /api/v1/openapi.json."""
