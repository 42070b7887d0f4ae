"""Recording past results (archive data): editions that were judged before this platform,
imported from published lists such as the seeds."""

from django.db import transaction

from cases.models import CaseStatus
from cases.services import audit_log

from ..models import Award, CitationStatus


def archive_award(
    *,
    case,
    tier,
    category=None,
    order=0,
    citation="",
    commentator=None,
    signed_as="",
    by=None,
):
    """Record that `case` won `tier` in its (archived or published) edition.

    The case must already exist with its lead units; it is marked awarded. An archive citation
    is published text, so it is stored as approved. Calling again for the same case updates
    the award instead of duplicating it (imports and the demo builder are idempotent).
    """
    with transaction.atomic():
        award, created = Award.objects.update_or_create(
            case=case,
            defaults={
                "edition": case.edition,
                "tier": tier,
                "category": category or case.category,
                "order": order,
                "citation": citation,
                "citation_status": (CitationStatus.APPROVED if citation else CitationStatus.NONE),
                "commentator": commentator,
                "signed_as": signed_as,
            },
        )
        if case.status != CaseStatus.AWARDED:
            case.status = CaseStatus.AWARDED
            case.save(update_fields=["status", "updated_at"])
        audit_log(
            code="judging.award.archived",
            obj=award,
            by=by,
            data={"tier": tier.name, "created": created},
        )
    return award
