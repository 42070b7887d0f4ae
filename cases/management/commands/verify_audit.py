"""Recompute the audit trail's hash chain; exit 1 naming the first changed, deleted or
moved row. With `--archive FILE`, check an archive written by `archive_audit` instead."""

from django.core.management.base import BaseCommand, CommandError

from cases.audit.archive import ArchiveError, verify_archive
from cases.audit.chain import verify_chain


class Command(BaseCommand):
    help = "Recompute the audit trail's hash chain and report any changed, deleted or moved row."

    def add_arguments(self, parser):
        parser.add_argument("--archive", help="an archive file of `archive_audit` to verify")

    def handle(self, *args, **options):
        if options["archive"]:
            return self.verify_archive(options["archive"])
        checked, problems = verify_chain()
        if problems:
            for problem in problems[:20]:
                self.stderr.write(str(problem))
            raise CommandError(
                f"audit trail broken: {len(problems)} problem(s) in {checked} rows; "
                f"first: {problems[0]}",
                returncode=1,
            )
        self.stdout.write(f"audit trail intact: {checked} rows, chain verified")

    def verify_archive(self, path):
        try:
            with open(path, encoding="utf-8") as stream:
                report = verify_archive(stream)
        except (OSError, ValueError, KeyError, ArchiveError) as error:
            raise CommandError(f"audit archive broken: {error}", returncode=1) from None
        online = "matches the database" if report.in_database else "no longer in the database"
        self.stdout.write(
            f"audit archive intact: seq {report.first_seq}–{report.last_seq}, "
            f"{report.rows} rows, chain verified; last hash {online}"
        )
