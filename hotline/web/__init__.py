"""Web plumbing shared by every blueprint: error pages, security headers, rate limits, the console blueprint.
Imports no domain package."""
