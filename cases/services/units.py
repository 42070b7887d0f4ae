"""Writes on units: verification by the organisers."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Unit
from .lifecycle import DomainError, audit_log


def unit_verify(*, unit, by):
    """Mark `unit` as verified by the organisers (核验通过) and audit it.

    Verifying twice is refused rather than silently re-stamped, so `verified_at` keeps the
    time of the real check.
    """
    with transaction.atomic():
        locked = Unit.objects.select_for_update().get(pk=unit.pk)
        if locked.verified:
            raise DomainError(_("单位“%(unit)s”已经核验过。") % {"unit": unit})
        unit.verified = True
        unit.verified_at = timezone.now()
        unit.save(update_fields=["verified", "verified_at"])
        audit_log(code="cases.unit.verified", obj=unit, by=by)
    return unit
