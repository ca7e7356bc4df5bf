"""WSME types of the v1 info API."""
from wsme import types as wtypes


class CloudkittyMetricInfo(wtypes.Base):
    """Description of one metric of the metrics configuration."""

    metric_id = wtypes.wsattr(wtypes.text, mandatory=True)
    """Name of the metric (its alt_name, else its key in metrics.yml)."""

    metadata = [wtypes.text]
    """Metadata attributes collected with the metric."""

    unit = wtypes.text
    """Unit of the metric."""

    @classmethod
    def sample(cls):
        return cls(metric_id='instance',
                   metadata=['flavor_name', 'flavor_id', 'vcpus'],
                   unit='instance')


class CloudkittyMetricInfoCollection(wtypes.Base):
    """The list of metrics of the metrics configuration."""

    metrics = [CloudkittyMetricInfo]

    @classmethod
    def sample(cls):
        return cls(metrics=[CloudkittyMetricInfo.sample()])
