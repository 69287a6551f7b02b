"""Privacy primitives: number normalisation, pseudonyms, sealed reply addresses, masking. Pure functions."""
