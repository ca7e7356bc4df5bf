"""Root controller of the v1 API (mounted at /v1)."""
from pecan import rest

from cloudkitty.api.v1.controllers import collector as collector_api
from cloudkitty.api.v1.controllers import info as info_api
from cloudkitty.api.v1.controllers import rating as rating_api
from cloudkitty.api.v1.controllers import report as report_api
from cloudkitty.api.v1.controllers import storage as storage_api


class V1Controller(rest.RestController):
    """/v1 has no document of its own: GET /v1 is a 405 (reference)."""

    billing = rating_api.RatingController()
    collector = collector_api.CollectorController()
    rating = billing
    report = report_api.ReportController()
    storage = storage_api.StorageController()
    info = info_api.InfoController()
