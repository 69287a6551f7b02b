"""Word-of-mouth intake from community focal points."""
