"""v1 /report endpoints."""
from pecan import rest


class ReportController(rest.RestController):
    """/v1/report (being built)."""
