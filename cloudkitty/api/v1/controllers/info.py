"""v1 /info endpoints."""
from pecan import rest


class InfoController(rest.RestController):
    """/v1/info (being built)."""
