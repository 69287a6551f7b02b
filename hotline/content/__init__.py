"""Content that staff edit as files: the codebook, the language table (and later flows, lexicons)."""
