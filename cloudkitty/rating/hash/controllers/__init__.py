"""Pecan/WSME controllers of /v1/rating/module_config/hashmap."""
