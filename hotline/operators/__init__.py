"""Operators on the phone: who is available for calls in which language, and which waiting caller goes first."""
