"""The prompt studio: recorded prompt versions (draft until a second person approves them) and reviewed texts."""
