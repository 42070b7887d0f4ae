"""The edition state changes made from the workflow page (`selectors.workflow`): one step
forward, checked by the same preconditions as every other way of changing the state
(`cases.services.edition_transition` and the checks registered for it)."""

from django.db import transaction
from django.utils.translation import gettext as _

from cases.models import Edition, EditionStatus
from cases.services import DomainError, edition_transition

from ..selectors.workflow import FORWARD


def workflow_transition(*, edition, to, by):
    """Move `edition` to `to`, which must be the next state of its workflow (`FORWARD`);
    refused with the reasons when a precondition does not hold. Returns the edition."""
    try:
        to = EditionStatus(to)
    except ValueError:
        raise DomainError(_("未知的届状态。")) from None
    with transaction.atomic():
        locked = Edition.objects.select_for_update().select_related("programme").get(pk=edition.pk)
        current = EditionStatus(locked.status)
        if FORWARD.get(current) != to:
            raise DomainError(
                _("本届处于“%(status)s”,流程页不能把它变更为“%(to)s”。")
                % {"status": current.label, "to": to.label}
            )
        edition_transition(locked, to, by=by)
    edition.status = locked.status
    return locked
