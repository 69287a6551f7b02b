"""The weekly digest: one page per region and language of top and rising rumours, campaigns and counter-messages."""
