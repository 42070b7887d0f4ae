"""The retention schedule of applicants' personal data (SECURITY.md DATA-04): contact person,
phone and e-mail of cases that won no award are anonymised PERSONAL_DATA_RETENTION_MONTHS
after their edition's results were published. Run it daily (cron or the task worker); a run
with nothing due writes nothing. Audit rows are never touched."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.services.privacy import retention_anonymise, retention_cutoff


class Command(BaseCommand):
    help = (
        "Anonymise the contact person, phone and e-mail of cases that won no award, "
        "PERSONAL_DATA_RETENTION_MONTHS after their edition's results were published."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what is due; change nothing."
        )
        parser.add_argument(
            "--months",
            type=int,
            default=None,
            help="Retention in months (default: the PERSONAL_DATA_RETENTION_MONTHS setting).",
        )

    def handle(self, *args, dry_run=False, months=None, **options):
        months = settings.PERSONAL_DATA_RETENTION_MONTHS if months is None else months
        if months < 1:
            raise CommandError("the retention must be at least 1 month")
        counts = retention_anonymise(months=months, dry_run=dry_run)
        cutoff = retention_cutoff(months=months)
        verb = "due (dry run, nothing changed)" if dry_run else "anonymised"
        self.stdout.write(
            f"{verb}: {counts['cases']} case(s), {counts['versions']} submitted version(s); "
            f"retention {months} months, results published before {cutoff:%Y-%m-%d %H:%M}"
        )
