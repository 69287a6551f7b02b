"""Triage: the operator queue, report actions, rumour and library curation, supervision figures, and the console's
casework pages that use them (the *_views modules)."""
