"""v1 /storage endpoints."""
from pecan import rest


class StorageController(rest.RestController):
    """/v1/storage (being built)."""
