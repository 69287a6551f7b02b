"""The voice IVR: call flows as data, a pure step function, prompts per language, and TwiML rendering."""
