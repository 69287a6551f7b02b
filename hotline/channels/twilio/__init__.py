"""Twilio: webhook signature checks, TwiML and REST calls through twilio's SDK."""
