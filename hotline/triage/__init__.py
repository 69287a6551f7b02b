"""Triage: the operator queue, report actions, rumour and library curation, supervision figures."""
