"""Write one dated backup archive: the database and the private case files, with checksums."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.services.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write backup-YYYYmmdd-HHMMSS.tar.gz (Asia/Shanghai time) with the database "
        "(pg_dump on PostgreSQL, the online backup API on SQLite), every private case file "
        "and a checksum manifest. Copy it off the host afterwards (README, Backup and restore)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=getattr(settings, "BACKUP_DIR", "backups"),
            help="folder for the archive (default: BACKUP_DIR)",
        )

    def handle(self, *args, output_dir, **options):
        try:
            report = create_backup(directory=output_dir)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{report.path}: {report.engine}, {report.tables} tables, {report.rows} rows, "
            f"{report.files} files ({report.media_bytes} bytes), "
            f"archive {report.archive_bytes} bytes"
        )
