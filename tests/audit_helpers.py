"""Assertions on the audit row an action wrote (SECURITY.md LOG-01): code, actor, object,
result and source IP. Django's test client sends REMOTE_ADDR 127.0.0.1."""

from cases.models import AuditEntry

TEST_CLIENT_IP = "127.0.0.1"


def audited(code, *, actor, obj=None, result="success", ip=TEST_CLIENT_IP):
    """The newest row with `code`, after checking who, what, how it ended and from where."""
    entry = AuditEntry.objects.filter(code=code).order_by("-seq").first()
    assert entry is not None, f"no audit row {code}"
    who = (actor.pk, actor.get_username()) if actor is not None else (None, "")
    assert ((entry.actor_id, entry.actor_label), entry.result, entry.ip) == (who, result, ip)
    if obj is not None:
        assert (entry.object_type, entry.object_id) == (obj._meta.label_lower, str(obj.pk))
    return entry
