"""Permission and group changes, audited with before and after (SECURITY.md LOG-01).

These are signals rather than service calls because groups, permissions and the staff,
superuser and active flags are changed by Django's own admin, `createsuperuser`, the shell
and other apps' code alike; only the model layer sees them all."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_save, pre_save

from .chain import append, entry_values
from .context import current_request

FLAGS = ("is_active", "is_staff", "is_superuser")


def _actor():
    request = current_request()
    return getattr(request, "user", None) if request is not None else None


def _label(obj):
    if isinstance(obj, Permission):
        return f"{obj.content_type.app_label}.{obj.codename}"
    if isinstance(obj, Group):
        return obj.name
    return obj.get_username() if hasattr(obj, "get_username") else str(obj)


def _relation(instance, sender, reverse):
    """The manager of `instance` on the side of the m2m `sender`, and that side's name."""
    for field in type(instance)._meta.get_fields():
        if not field.many_to_many:
            continue
        if reverse and field.auto_created and field.through is sender:
            name = field.related_model._meta.model_name + "s"
            return getattr(instance, field.get_accessor_name()), name
        if not reverse and not field.auto_created and field.remote_field.through is sender:
            return getattr(instance, field.name), field.name
    raise LookupError(sender)


def _current(manager):
    related = manager.model
    queryset = manager.all()
    if related is Permission:
        queryset = queryset.select_related("content_type")
    return sorted(_label(obj) for obj in queryset)


def membership_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in {
        "pre_add",
        "pre_remove",
        "pre_clear",
        "post_add",
        "post_remove",
        "post_clear",
    }:
        return
    manager, name = _relation(instance, sender, reverse)
    stash = instance.__dict__.setdefault("_audit_m2m_before", {})
    if action.startswith("pre_"):
        stash[name] = _current(manager)
        return
    before, after = stash.pop(name, []), _current(manager)
    if before == after:
        return
    append(
        [
            entry_values(
                code=f"{instance._meta.label_lower}.{name}_changed",
                obj=instance,
                by=_actor(),
                data={
                    "relation": name,
                    "action": action.removeprefix("post_"),
                    "added": sorted(set(after) - set(before)),
                    "removed": sorted(set(before) - set(after)),
                    "before": before,
                    "after": after,
                },
            )
        ]
    )


def remember_flags(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None or (update_fields is not None and not set(update_fields) & set(FLAGS)):
        instance.__dict__.pop("_audit_flags_before", None)
        return
    before = sender.objects.filter(pk=instance.pk).values(*FLAGS).first()
    instance.__dict__["_audit_flags_before"] = before


def flags_changed(sender, instance, created, **kwargs):
    after = {flag: getattr(instance, flag) for flag in FLAGS}
    if created:
        if not (instance.is_staff or instance.is_superuser):
            return
        code, before = f"{instance._meta.label_lower}.created", {}
    else:
        before = instance.__dict__.pop("_audit_flags_before", None)
        if not before or before == after:
            return
        code = f"{instance._meta.label_lower}.flags_changed"
        changed = [flag for flag in FLAGS if before[flag] != after[flag]]
        before = {flag: before[flag] for flag in changed}
        after = {flag: after[flag] for flag in changed}
    append(
        [
            entry_values(
                code=code, obj=instance, by=_actor(), data={"before": before, "after": after}
            )
        ]
    )


def connect():
    user_model = get_user_model()
    for through in (
        user_model.groups.through,
        user_model.user_permissions.through,
        Group.permissions.through,
    ):
        m2m_changed.connect(membership_changed, sender=through, dispatch_uid=f"audit-{through}")
    pre_save.connect(remember_flags, sender=user_model, dispatch_uid="audit-user-flags-pre")
    post_save.connect(flags_changed, sender=user_model, dispatch_uid="audit-user-flags")
