"""Write the audit rows older than N days (N ≥ 180) to an archive file; never deletes a row
(see cases/audit/archive.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.audit.archive import MIN_RETENTION_DAYS, ArchiveError, write_archive


class Command(BaseCommand):
    help = (
        "Copy the audit rows older than --older-than-days (at least 180) to a JSON Lines "
        "archive. Nothing is deleted: the database refuses it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--older-than-days", type=int, default=MIN_RETENTION_DAYS)
        parser.add_argument("--after-seq", type=int, default=0, help="the last seq archived before")
        parser.add_argument("--output", required=True, help="the file to write (must not exist)")

    def handle(self, *args, **options):
        path = Path(options["output"])
        try:
            with path.open("x", encoding="utf-8") as stream:
                try:
                    manifest = write_archive(
                        stream,
                        older_than_days=options["older_than_days"],
                        after_seq=options["after_seq"],
                    )
                except ArchiveError:
                    stream.close()
                    path.unlink()
                    raise
        except FileExistsError:
            raise CommandError(f"{path} exists; archives are never overwritten") from None
        except ArchiveError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"archived seq {manifest['first_seq']}–{manifest['last_seq']} "
            f"({manifest['rows']} rows older than {manifest['cutoff']:%Y-%m-%d %H:%M} UTC) "
            f"to {path}; nothing deleted. Next run: --after-seq {manifest['last_seq']}"
        )
