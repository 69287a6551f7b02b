"""Call-backs: a caller who consented is called back by the hotline, safely, in their daytime."""
