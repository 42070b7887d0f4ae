from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from . import cipher


@checks.register(checks.Tags.security, deploy=False)
def field_encryption_keys(app_configs, **kwargs):
    """FIELD_ENCRYPTION_KEYS, when set, must hold valid Fernet keys: a typo would otherwise
    surface as an error on the first save of a phone number."""
    try:
        cipher()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="cases.E010")]
    return []
