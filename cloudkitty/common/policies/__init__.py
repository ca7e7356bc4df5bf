"""Policy defaults (``oslo.policy.policies`` entry point ``cloudkitty``)."""
import itertools

from cloudkitty.common.policies import base
from cloudkitty.common.policies import collector
from cloudkitty.common.policies import info
from cloudkitty.common.policies import rating
from cloudkitty.common.policies import report
from cloudkitty.common.policies import storage
from cloudkitty.common.policies.v2 import dataframes as v2_dataframes
from cloudkitty.common.policies.v2 import rating as v2_rating
from cloudkitty.common.policies.v2 import scope as v2_scope
from cloudkitty.common.policies.v2 import summary as v2_summary
from cloudkitty.common.policies.v2 import tasks as v2_tasks


def list_rules():
    # Registration order is the reference's (the sample policy file
    # lists the rules in this order).
    return list(itertools.chain(
        base.list_rules(),
        collector.list_rules(),
        info.list_rules(),
        rating.list_rules(),
        report.list_rules(),
        storage.list_rules(),
        v2_dataframes.list_rules(),
        v2_rating.list_rules(),
        v2_scope.list_rules(),
        v2_summary.list_rules(),
        v2_tasks.list_rules(),
    ))
