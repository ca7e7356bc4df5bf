"""oslo.i18n integration for the cloudkitty domain."""
import oslo_i18n

DOMAIN = 'cloudkitty'

_translators = oslo_i18n.TranslatorFactory(domain=DOMAIN)

# The primary translation function using the well-known name "_"
_ = _translators.primary


def enable_lazy():
    oslo_i18n.enable_lazy()
