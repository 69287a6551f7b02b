"""Web plumbing shared by every blueprint: error pages, security headers, rate limits. Imports no domain package."""
