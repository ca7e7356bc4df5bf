"""v1 /info endpoints: the metrics configuration as seen by the API."""
import datetime
import decimal

from oslo_config import cfg
from oslo_log import log as logging
import pecan
from pecan import rest
import voluptuous
from wsme import exc as wsme_exc
from wsme import types as wtypes
import wsmeext.pecan as wsme_pecan

from cloudkitty.api.v1.datamodels import info as info_models
from cloudkitty.api.v1.datamodels import storage as storage_models
from cloudkitty import collector
from cloudkitty.common import policy

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

INVALID_CONF_MSG = 'Invalid endpoint: no metrics in current configuration.'


class InvalidMetricsConf(Exception):
    """The metrics configuration does not validate."""


def json_safe(value):
    """Turn YAML/storage values into plain JSON values."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [json_safe(v) for v in value]
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return value


def load_raw_conf():
    """The metrics configuration file as parsed YAML (``{}`` if empty).

    An unreadable file raises OSError and invalid YAML
    InvalidConfiguration: both are server errors (500) for the API.
    """
    return collector.load_conf(CONF.collect.metrics_conf)


def get_metrics_conf():
    """Validated metric definitions, in file order, ``{key: definition}``.

    Validation is the collectors' (base schema plus the extra schema of
    the configured collector); every definition has ``alt_name``,
    ``groupby`` (with the scope key) and ``metadata``. Raises
    ``InvalidMetricsConf`` when the configuration does not validate.
    """
    raw = load_raw_conf()
    try:
        return collector.validate_conf(raw)
    except (collector.InvalidConfiguration, voluptuous.Invalid) as exc:
        LOG.warning('Invalid metrics configuration %s: %s',
                    CONF.collect.metrics_conf, exc)
        raise InvalidMetricsConf(str(exc))


def _metric_info(metric):
    return info_models.CloudkittyMetricInfo(
        metric_id=metric['alt_name'],
        metadata=list(metric.get('metadata') or []),
        unit=metric['unit'])


def _validated_metrics():
    try:
        return get_metrics_conf()
    except InvalidMetricsConf:
        # The reference answers this 405 before the policy check.
        raise wsme_exc.ClientSideError(INVALID_CONF_MSG, status_code=405)


def _list_metrics():
    metrics = _validated_metrics()
    policy.authorize(pecan.request.context, 'info:list_metrics_info', {})
    return info_models.CloudkittyMetricInfoCollection(
        metrics=[_metric_info(m) for m in metrics.values()])


def _get_metric(metric_id):
    metrics = _validated_metrics()
    policy.authorize(pecan.request.context, 'info:get_metric_info', {})
    for metric in metrics.values():
        if metric['alt_name'] == metric_id:
            return _metric_info(metric)
    raise wsme_exc.ClientSideError(metric_id, status_code=404)


class MetricInfoController(rest.RestController):
    """/v1/info/metrics: metric definitions."""

    @wsme_pecan.wsexpose(info_models.CloudkittyMetricInfoCollection)
    def get_all(self):
        """All metrics of the metrics configuration."""
        return _list_metrics()

    @wsme_pecan.wsexpose(info_models.CloudkittyMetricInfo, wtypes.text)
    def get_one(self, metric_id):
        """One metric, by name (its alt_name)."""
        return _get_metric(metric_id)


class ServiceInfoController(MetricInfoController):
    """/v1/info/services: deprecated alias of /v1/info/metrics."""


class InfoController(rest.RestController):
    """/v1/info."""

    metrics = MetricInfoController()
    services = ServiceInfoController()

    _custom_actions = {'config': ['GET']}

    @wsme_pecan.wsexpose({wtypes.text: storage_models.JSONValue()})
    def config(self):
        """The raw metrics configuration (no validation, no defaults)."""
        policy.authorize(pecan.request.context, 'info:get_config', {})
        return json_safe(load_raw_conf())
