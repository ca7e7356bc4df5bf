"""The base of the rating modules' configuration controllers (pecan).

Reached as ``cloudkitty.rating.RatingRestControllerBase``; it lives here
so that importing the rating package (the processor does, third-party
modules do) does not import pecan.
"""
import pecan
from pecan import rest


class RatingRestControllerBase(rest.RestController):
    """Base of the /v1/rating/module_config/<module> controllers.

    Every request entering a module's configuration API needs the
    ``rating:module_config`` policy, checked before dispatch.
    """

    @pecan.expose()
    def _route(self, args, request):
        from cloudkitty.common import policy
        policy.authorize(request.context, 'rating:module_config', {})
        return super()._route(args, request)
