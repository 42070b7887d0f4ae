"""Bring a backup archive back into an empty database and media folder, then verify it."""

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from cases.services.backup import BackupError, restore_backup

# Run after a restore when installed: recomputed results and the audit hash chain must match.
VERIFY_COMMANDS = ("verify_results", "verify_audit")


class Command(BaseCommand):
    help = (
        "Restore an archive written by `manage.py backup` into an EMPTY database (migrate "
        "nothing first) and an empty media folder; checks every checksum before writing, "
        "compares row counts with the manifest, then runs verify_results and verify_audit."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the backup-….tar.gz file")
        parser.add_argument(
            "--skip-verify", action="store_true", help="do not run the verify commands"
        )

    def handle(self, *args, archive, skip_verify=False, **options):
        try:
            report = restore_backup(archive_path=archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"restored {report.engine}: {len(report.row_counts)} tables, {report.rows} rows, "
            f"{report.files} files; row counts match the manifest"
        )
        if skip_verify:
            return
        available = get_commands()
        for name in VERIFY_COMMANDS:
            if name in available:
                call_command(name, stdout=self.stdout, stderr=self.stderr)
