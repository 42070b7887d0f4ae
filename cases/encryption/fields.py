"""Model fields whose values are encrypted at rest by `cases.encryption` when keys are set."""

from django.db import models

from . import seal, unseal

# A Fernet token of a 40-character value is 140 characters; with the prefix and room for a
# longer plain value the column holds 255.
STORED_MAX_LENGTH = 255


class EncryptedCharField(models.CharField):
    """A CharField stored encrypted. `max_length` is the length of the plain value (forms and
    validation use it, as for any CharField); only the column is wider, for the token.
    Lookups other than `isnull` and the empty string cannot match an encrypted value (each
    encryption differs), so such fields are not searched or filtered on."""

    def db_type(self, connection):
        return models.CharField(max_length=STORED_MAX_LENGTH).db_type(connection)

    def from_db_value(self, value, expression, connection):
        return unseal(value)

    def get_prep_value(self, value):
        return seal(super().get_prep_value(value))


class SealedJSONField(models.JSONField):
    """A JSONField whose values under `sealed_keys` (top level of a dict) are encrypted: the
    copy of a case's contact phone in each submitted version (CaseVersion.data)."""

    def __init__(self, *args, sealed_keys=(), **kwargs):
        self.sealed_keys = tuple(sealed_keys)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["sealed_keys"] = self.sealed_keys
        return name, path, args, kwargs

    def _map(self, value, function):
        if not isinstance(value, dict) or not self.sealed_keys:
            return value
        return {k: function(v) if k in self.sealed_keys else v for k, v in value.items()}

    def from_db_value(self, value, expression, connection):
        return self._map(super().from_db_value(value, expression, connection), unseal)

    def get_prep_value(self, value):
        return super().get_prep_value(self._map(value, seal))
