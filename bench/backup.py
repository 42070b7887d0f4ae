"""Backup/restore round trip on the benchmark workload: archive size and seconds.

    DATABASE_URL=sqlite:////tmp/awards-bench.sqlite3 .venv/bin/python bench/backup.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/backup.py

Builds the workload of `bench/workload.py` in DATABASE_URL if it is not there (plus
`--files` private case files of ~200 KB each), runs `manage.py backup`, restores the archive
into a new empty database (a new SQLite file, or a new PostgreSQL database) and an empty media
folder with `manage.py restore` (which also runs verify_results and verify_audit), and prints
sizes and seconds. Each step is a separate `manage.py` process, as an operator runs it.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def manage(*args, env):
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return elapsed, result.stdout


def ensure_source(files, media_root):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["MEDIA_ROOT"] = str(media_root)
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.core.management import call_command

    from bench import workload
    from cases.models import Attachment, Case, Edition

    call_command("migrate", verbosity=0)
    if not Edition.objects.filter(programme__slug=workload.BENCH_PROGRAMME_SLUG).exists():
        workload.build(stdout=sys.stderr)
    missing = files - Attachment.objects.filter(case__edition__programme__slug="bench").count()
    if missing > 0:
        from tests.factories import pdf_bytes

        body = pdf_bytes("申报书" * 20000)
        cases = Case.objects.filter(edition__programme__slug="bench").order_by("pk")[:missing]
        for case in cases:
            attachment = Attachment(
                case=case,
                kind="application_form",
                original_name="申报书.pdf",
                size=len(body),
                content_type="application/pdf",
            )
            attachment.file.save(f"bench/{case.pk}.pdf", ContentFile(body), save=False)
            attachment.save()


def target_database(source_url, work):
    parsed = urlparse(source_url)
    if parsed.scheme.startswith("postgres"):
        name = f"awards_restore_{os.getpid()}"
        subprocess.run(
            [
                "createdb",
                "-h",
                parsed.hostname,
                "-p",
                str(parsed.port or 5432),
                "-U",
                parsed.username or "postgres",
                name,
            ],
            check=True,
        )
        return urlunparse(parsed._replace(path=f"/{name}")), name
    return f"sqlite:///{work / 'restored.sqlite3'}", None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200, help="private case files to include")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    source_url = os.environ.get("DATABASE_URL", "sqlite:////tmp/awards-bench.sqlite3")

    with tempfile.TemporaryDirectory(prefix="awards-bench-backup-") as work:
        work = Path(work)
        default_media = Path(tempfile.gettempdir()) / "awards-bench-media"
        source_media = Path(os.environ.get("BENCH_MEDIA_ROOT", default_media))
        ensure_source(args.files, source_media)
        env = dict(os.environ, DATABASE_URL=source_url, MEDIA_ROOT=str(source_media))
        backup_seconds, out = manage("backup", "--output-dir", str(work / "archives"), env=env)
        archive = next((work / "archives").glob("backup-*.tar.gz"))

        restored_url, pg_name = target_database(source_url, work)
        restored_media = work / "restored-media"
        restored_media.mkdir()
        env = dict(os.environ, DATABASE_URL=restored_url, MEDIA_ROOT=str(restored_media))
        try:
            restore_seconds, restore_out = manage("restore", str(archive), env=env)
        finally:
            if pg_name:
                parsed = urlparse(source_url)
                subprocess.run(
                    [
                        "dropdb",
                        "-h",
                        parsed.hostname,
                        "-p",
                        str(parsed.port or 5432),
                        "-U",
                        parsed.username or "postgres",
                        pg_name,
                    ],
                    check=False,
                )
        from cases.services.backup import read_manifest

        manifest = read_manifest(archive)
        report = {
            "engine": manifest["engine"],
            "rows": sum(manifest["row_counts"].values()),
            "files": sum(name.startswith("media/") for name in manifest["files"]),
            "media_mb": round(
                sum(m["bytes"] for n, m in manifest["files"].items() if n.startswith("media/"))
                / 1e6,
                1,
            ),
            "archive_mb": round(archive.stat().st_size / 1e6, 1),
            "backup_s": round(backup_seconds, 2),
            "restore_and_verify_s": round(restore_seconds, 2),
            "verify_ok": "0 difference(s)" in restore_out,
        }
    if args.json:
        print(json.dumps(report))
        return
    for key, value in report.items():
        print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
