"""``skip_datapoints_expression``: rated points dropped before storage.

Pure: the expressions are compiled once and evaluated per point.
"""


class SkipExpression(object):
    """A compiled ``skip_datapoints_expression``.

    The expression sees the reference's names: ``datapoint`` (a mutable
    dict), ``excluded_datapoints``, ``filtered_datapoints``,
    ``skip_datapoint_expression``, ``usage_data_metric_name`` and
    ``self`` (the worker).
    """

    def __init__(self, text):
        self.text = text
        # The default ("False") keeps everything: no per-point evaluation.
        self.never = text.strip() in ('False', '0', 'None', '')
        self.code = None if self.never else compile(
            text, '<skip_datapoints_expression>', 'eval')

    def filter(self, metric_name, points, owner=None):
        if self.never:
            return points, []
        kept, excluded = [], []
        for point in points:
            namespace = {
                'datapoint': point.as_dict(mutable=True),
                'excluded_datapoints': excluded,
                'filtered_datapoints': kept,
                'skip_datapoint_expression': self.text,
                'usage_data_metric_name': metric_name,
                'self': owner,
            }
            if eval(self.code, namespace):  # noqa: S307 - operator config
                excluded.append(point)
            else:
                kept.append(point)
        return kept, excluded


def build_skip_expressions(metrics_conf):
    """{usage name: SkipExpression} from the raw metrics.yml."""
    expressions = {}
    for key, definitions in ((metrics_conf or {}).get('metrics')
                             or {}).items():
        if not isinstance(definitions, list):
            definitions = [definitions]
        for definition in definitions:
            if not isinstance(definition, dict):
                continue
            text = definition.get('skip_datapoints_expression')
            if text is not None:
                name = definition.get('alt_name') or key
                expressions[name] = SkipExpression(str(text))
    return expressions
