"""WSME types of the v1 API."""
