"""Keeps the shipped groups of `cases.roles` in the database."""

import logging

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from ..roles import ROLES

logger = logging.getLogger(__name__)


class RolesOutOfDate(Exception):
    pass


def _permission_ids(names):
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = {
        (app_label, codename): pk
        for pk, app_label, codename in Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted}
        ).values_list("pk", "content_type__app_label", "codename")
    }
    missing = sorted(f"{app}.{code}" for app, code in wanted - found.keys())
    return {found[key] for key in wanted if key in found}, missing


@transaction.atomic
def sync_roles(*, using="default", strict=True):
    """Create each shipped group and give it exactly the permissions of `cases.roles.ROLES`
    (extra permissions added by hand are removed). Idempotent; returns the names of the
    groups it created or changed. With `strict`, a permission named in the table that does
    not exist raises `RolesOutOfDate` (a typo, or a model not migrated yet)."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    changed = []
    all_missing = []
    for name, perms in ROLES.items():
        ids, missing = _permission_ids(perms)
        all_missing += missing
        group, created = Group.objects.using(using).get_or_create(name=name)
        current = set(group.permissions.values_list("pk", flat=True))
        if created or current != ids:
            group.permissions.set(ids)
            changed.append(name)
    if all_missing and strict:
        raise RolesOutOfDate(", ".join(sorted(set(all_missing))))
    if all_missing:
        logger.warning("roles: permissions not found: %s", ", ".join(sorted(set(all_missing))))
    return changed


def sync_roles_after_migrate(sender, using="default", **kwargs):
    """post_migrate: keep the groups in step with the code on every `migrate` (and after a
    test database flush). Runs once, for the `cases` app; permissions of every app are
    created first, so the order of the signal's receivers does not matter."""
    if sender.label != "cases":
        return
    if not apps.is_installed("django.contrib.auth"):
        return
    sync_roles(using=using, strict=False)
