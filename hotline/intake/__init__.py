"""Intake: the single entry point through which every channel records contacts, messages and reports."""
