"""The privacy notice (个人信息处理规则, PIPL 第17条; SECURITY.md DATA-03) and the values the
retention job writes (DATA-04).

Changing what the notice says means raising `NOTICE_VERSION`: each account records the
version it agreed to (`User.privacy_notice_version`), so a person's consent can always be
matched with the text they saw (templates/cases/_privacy_notice.html, kept in git).
"""

from django.utils.translation import gettext_lazy as _

NOTICE_VERSION = "2026-12"

# What the retention job writes in place of a contact person (DATA-04).
ANONYMISED_NAME = _("(已匿名)")
CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")

# Audit codes of the person's own actions on their data.
CONSENTED = "accounts.privacy.consented"
VIEWED = "accounts.privacy.viewed"
EXPORTED = "accounts.privacy.exported"
CORRECTED = "accounts.privacy.corrected"
DELETION_REQUESTED = "accounts.privacy.deletion_requested"
DELETION_DONE = "accounts.privacy.deletion_done"
DELETION_REFUSED = "accounts.privacy.deletion_refused"
RETENTION_RUN = "cases.retention.anonymised"

# Audit codes shown to the person as their login history.
LOGIN_HISTORY_CODES = (
    "accounts.login.succeeded",
    "accounts.login.failed",
    "accounts.login.locked",
    "accounts.logout",
)
LOGIN_HISTORY_LIMIT = 50


def notice_context():
    """What templates/cases/_privacy_notice.html shows besides its fixed text."""
    from django.conf import settings

    return {
        "privacy_notice_version": NOTICE_VERSION,
        "retention_months": settings.PERSONAL_DATA_RETENTION_MONTHS,
        "privacy_contact": settings.PRIVACY_CONTACT,
    }
