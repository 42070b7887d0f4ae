"""Deleted files leave the disk (SECURITY.md DATA-05, 等保 剩余信息保护): when a row holding an
uploaded file is deleted — a removed attachment, a case draft deleted in the back office with
its attachments, evidence, a CMS file — or its file is replaced by another, the stored file
is deleted once the transaction commits (`transaction.on_commit`), so a rolled-back deletion
keeps its file and a committed one leaves nothing behind.

Connected for every model of the project's apps that has a FileField (`connect`, from the
cases AppConfig), whichever path deleted the row: a service, the admin, a cascade."""

from django.apps import apps
from django.db import models, transaction
from django.db.models.signals import post_delete, pre_save

PROJECT_APPS = ("cases", "judging")


def file_fields(model):
    return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def delete_after_commit(storage, name):
    if name:
        transaction.on_commit(lambda: storage.delete(name))


def _deleted(sender, instance, **kwargs):
    for field in file_fields(sender):
        value = getattr(instance, field.attname)
        if value:
            delete_after_commit(value.storage, value.name)


def _saving(sender, instance, raw=False, update_fields=None, **kwargs):
    """The file a row held before a save that puts another one in its place."""
    if raw or instance.pk is None or instance._state.adding:
        return
    fields = [f for f in file_fields(sender) if update_fields is None or f.name in update_fields]
    if not fields:
        return
    old = (
        sender._base_manager.filter(pk=instance.pk)
        .values_list(*[f.attname for f in fields])
        .first()
    )
    if old is None:
        return
    for field, old_name in zip(fields, old, strict=True):
        new = getattr(instance, field.attname)
        if old_name and old_name != (new.name if new else ""):
            delete_after_commit(field.storage, old_name)


def connect():
    for model in apps.get_models():
        if model._meta.app_label in PROJECT_APPS and file_fields(model):
            uid = model._meta.label_lower
            post_delete.connect(_deleted, sender=model, dispatch_uid=f"file-cleanup-del-{uid}")
            pre_save.connect(_saving, sender=model, dispatch_uid=f"file-cleanup-save-{uid}")
