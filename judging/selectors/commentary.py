"""Reads and permissions of the commentary workspace: an expert sees only the awards whose
citation they were asked to write."""

from ..models import CitationStatus, Judge
from .publicity import awards_with_cases


def citations_assigned_to(user):
    """Awards whose citation `user` (as a judge) was asked to write; none for anybody else."""
    if not user.is_authenticated:
        return awards_with_cases().none()
    return (
        awards_with_cases()
        .filter(commentator__user=user)
        .exclude(citation_status=CitationStatus.NONE)
        .select_related("edition__programme")
        .order_by("citation_status", "edition", "tier__order", "order", "pk")
    )


def is_commentator(user):
    return user.is_authenticated and Judge.objects.filter(user=user).exists()
