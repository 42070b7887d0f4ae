"""Who may see and change what on the entrant side (DESIGN.md §6).

Unit members see and edit their own unit's cases; organisers — users holding the Django
permission of the model a page shows (`cases.view_case`, `cases.view_caseversion`), never
staff status alone — see every case and file but do not edit a unit's content.
Judges' access to cases comes from the judging app.
Callers turn a refusal into a 404, so a missing permission looks like a missing object.
"""

from .models import CASE_EDITABLE_STATES, Case, MembershipRole, UnitMembership


def is_organiser(user, perm="cases.view_case"):
    """Organiser power is a Django permission (from a shipped group of `cases.roles`), never
    `is_staff` alone: a staff account without permissions reads nothing here."""
    return user.is_authenticated and user.is_active and user.has_perm(perm)


def member_unit_ids(user):
    """Ids of the units the user belongs to (a subquery, evaluated by the caller's query)."""
    return UnitMembership.objects.filter(user=user).values("unit_id")


def is_unit_member(user, unit_id):
    return (
        user.is_authenticated
        and unit_id is not None
        and UnitMembership.objects.filter(user=user, unit_id=unit_id).exists()
    )


def is_unit_admin(user, unit_id):
    return (
        user.is_authenticated
        and UnitMembership.objects.filter(
            user=user, unit_id=unit_id, role=MembershipRole.ADMIN
        ).exists()
    )


def cases_owned_by_user_units(user):
    """The cases of the user's units: what the portal lists and edits."""
    if not user.is_authenticated:
        return Case.objects.none()
    return Case.objects.filter(owner_unit__in=member_unit_ids(user))


def cases_visible_to(user):
    """Cases whose materials the user may read: their units' cases; every case for staff."""
    if is_organiser(user):
        return Case.objects.all()
    return cases_owned_by_user_units(user)


def can_view_case(user, case):
    return is_organiser(user) or is_unit_member(user, case.owner_unit_id)


def can_edit_case(user, case):
    """Members of the owner unit, while the case is in a state the unit may change. Whether
    the deadline still allows it is a rule of `cases.services.submission`."""
    return case.status in CASE_EDITABLE_STATES and is_unit_member(user, case.owner_unit_id)


def can_withdraw_case(user, case):
    return is_unit_member(user, case.owner_unit_id)


def can_view_case_history(user, case):
    """Submitted versions and the differences between them: organisers only."""
    return is_organiser(user, "cases.view_caseversion")


def can_download_attachment(user, attachment):
    if is_organiser(user, "cases.view_attachment"):
        return True
    return is_unit_member(user, attachment.case.owner_unit_id)
