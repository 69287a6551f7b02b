"""The regional feed: signed, suppressed aggregates and reviewed content shared between national deployments."""
