"""The stored encrypted values: which models hold them, how many are still plain text, and
re-encryption with the newest key (`manage.py encrypt_fields`)."""

from dataclasses import dataclass

from django.apps import apps
from django.db import models, transaction
from django.db.models.functions import Substr

from . import PREFIX
from .fields import EncryptedCharField, SealedJSONField

BATCH = 500


@dataclass
class FieldCount:
    """`sealed` is None for a SealedJSONField: its rows hold encrypted values inside JSON,
    which a column-level count cannot tell apart (`encrypt_fields` rewrites them all)."""

    label: str
    rows: int
    sealed: int | None

    @property
    def plain(self):
        return 0 if self.sealed is None else self.rows - self.sealed

    def __str__(self):
        if self.sealed is None:
            return f"{self.label}: {self.rows} rows"
        return f"{self.label}: {self.rows} values, {self.sealed} encrypted, {self.plain} plain"


def encrypted_fields():
    """(model, field name) of every EncryptedCharField, and of every SealedJSONField."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, (EncryptedCharField, SealedJSONField)):
                found.append((model, field))
    return found


def count(model, field):
    """Non-empty values of an EncryptedCharField and how many of them are encrypted (read
    from the column as text, not through the field, which would decrypt them)."""
    label = f"{model._meta.label}.{field.name}"
    if isinstance(field, SealedJSONField):
        return FieldCount(label, model._default_manager.count(), None)
    stored = model._default_manager.exclude(**{field.name: ""}).annotate(
        head=Substr(field.name, 1, len(PREFIX), output_field=models.CharField())
    )
    return FieldCount(label, stored.count(), stored.filter(head=PREFIX).count())


def reencrypt(model, field):
    """Writes every value of the field again, so that it is encrypted with the first key
    (plain text encrypted, older keys' values re-encrypted). Returns the rows written."""
    manager = model._default_manager
    written = 0
    pks = list(manager.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), BATCH):
        with transaction.atomic():
            rows = list(manager.filter(pk__in=pks[start : start + BATCH]).only("pk", field.name))
            manager.bulk_update(rows, [field.name])
        written += len(rows)
    return written
