"""The organisers' back office for the cases app (Django admin, in Chinese), one module per
area.

State changes go through `cases.services`; fields those services own (statuses, verification,
reference numbers) are read-only here. Files are private: no admin page links to one. Other
apps build on the classes re-exported here (`EditionAdmin` is subclassed to clone rounds too).
"""

from .audit import AuditEntryAdmin
from .base import BackofficeImportExportAdmin, EditionChoicesMixin, EditionListFilter, ReadOnlyAdmin
from .editions import AwardTierAdmin, CategoryAdmin, EditionAdmin, ProgrammeAdmin, next_in_sequence
from .privacy import PersonalDataRequestAdmin
from .submissions import (
    AttachmentAdmin,
    CaseAdmin,
    CaseLeadUnitAdmin,
    CaseVersionAdmin,
    MediaCoverageAdmin,
    ReferenceCounterAdmin,
)
from .units import RegionAdmin, UnitAdmin, UnitMembershipAdmin, UserAdmin
from .widgets import install as install_guarded_autocomplete

install_guarded_autocomplete()

__all__ = [
    "AttachmentAdmin",
    "AuditEntryAdmin",
    "AwardTierAdmin",
    "BackofficeImportExportAdmin",
    "CaseAdmin",
    "CaseLeadUnitAdmin",
    "CaseVersionAdmin",
    "CategoryAdmin",
    "EditionAdmin",
    "EditionChoicesMixin",
    "EditionListFilter",
    "MediaCoverageAdmin",
    "PersonalDataRequestAdmin",
    "ProgrammeAdmin",
    "ReadOnlyAdmin",
    "ReferenceCounterAdmin",
    "RegionAdmin",
    "UnitAdmin",
    "UnitMembershipAdmin",
    "UserAdmin",
    "next_in_sequence",
]
