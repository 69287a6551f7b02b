"""Staff accounts, roles and API tokens; sign-in, and the console's account, profile and audit-trail pages."""
