"""Backup and restore of the whole site: the database and the private case files in one dated
archive with a checksum manifest (SECURITY.md BAK-01; README, Backup and restore).

The archive is a gzipped tar:

    manifest.json      engine, time, applied migrations, row counts per table, sha256 of
                       every other member
    SHA256SUMS         the same checksums in `sha256sum -c` form, for an operator's shell
    database.dump      `pg_dump --format=custom` (PostgreSQL) or
    database.sqlite3   a consistent copy made with SQLite's online backup API
    media/…            every file of the default storage, under its storage name

A restore goes only into an empty database and an empty storage, checks every checksum before
it writes anything, and compares the row counts with the manifest afterwards.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _

from .lifecycle import DomainError

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
MEDIA_PREFIX = "media/"
CHUNK = 1024 * 1024


class BackupError(DomainError):
    pass


@dataclass
class BackupReport:
    path: Path
    engine: str
    tables: int
    rows: int
    files: int
    media_bytes: int
    archive_bytes: int
    checksums: dict = field(default_factory=dict)


@dataclass
class RestoreReport:
    engine: str
    rows: int
    files: int
    row_counts: dict = field(default_factory=dict)


def _sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _engine(connection):
    return connection.vendor  # "postgresql" or "sqlite"


def _model_tables():
    """The tables of every installed model (auto-created m2m tables included), sorted."""
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables.add(model._meta.db_table)
    return sorted(tables)


def table_row_counts(connection):
    """Rows per model table that exists in the database behind `connection`."""
    existing = set(connection.introspection.table_names())
    counts = {}
    with connection.cursor() as cursor:
        for table in _model_tables():
            if table in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 — table names come from the models, quoted
                counts[table] = cursor.fetchone()[0]
    return counts


def _applied_migrations(connection):
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
        latest = {}
        for app_label, name in cursor.fetchall():
            latest[app_label] = max(latest.get(app_label, ""), name)
    return latest


def _storage_names(storage, directory=""):
    """Every file name in `storage`, recursively, sorted."""
    try:
        subdirectories, files = storage.listdir(directory)
    except FileNotFoundError:
        return []
    names = [f"{directory}/{name}" if directory else name for name in files]
    for sub in subdirectories:
        names.extend(_storage_names(storage, f"{directory}/{sub}" if directory else sub))
    return sorted(names)


def _pg_environment(settings_dict):
    env = dict(os.environ)
    env.update(
        {
            "PGHOST": str(settings_dict.get("HOST") or ""),
            "PGPORT": str(settings_dict.get("PORT") or ""),
            "PGUSER": str(settings_dict.get("USER") or ""),
            "PGDATABASE": str(settings_dict["NAME"]),
        }
    )
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return {key: value for key, value in env.items() if value != ""}


def _run(command, env=None):
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(
            _("%(command)s 失败:%(error)s")
            % {"command": command[0], "error": result.stderr.strip()[:2000]}
        )


def _dump_database(connection, directory):
    if _engine(connection) == "postgresql":
        target = directory / PG_DUMP
        _run(
            [
                shutil.which("pg_dump") or "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={target}",
            ],
            env=_pg_environment(connection.settings_dict),
        )
        return target
    if _engine(connection) == "sqlite":
        target = directory / SQLITE_COPY
        connection.ensure_connection()
        copy = sqlite3.connect(target)
        try:
            # The online backup API copies a consistent snapshot while the site keeps running.
            connection.connection.backup(copy)
        finally:
            copy.close()
        return target
    raise BackupError(_("不支持的数据库:%(engine)s") % {"engine": _engine(connection)})


def create_backup(*, directory, using="default", storage=None, now=None):
    """Write `backup-YYYYmmdd-HHMMSS.tar.gz` (Asia/Shanghai time) into `directory`."""
    storage = storage or default_storage
    connection = connections[using]
    now = timezone.localtime(now or timezone.now())
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    archive_path = directory / f"backup-{now:%Y%m%d-%H%M%S}.tar.gz"
    if archive_path.exists():
        raise BackupError(_("备份文件已存在:%(path)s") % {"path": archive_path})

    with tempfile.TemporaryDirectory(prefix="awards-backup-") as work:
        work = Path(work)
        row_counts = table_row_counts(connection)
        dump = _dump_database(connection, work)
        members = {dump.name: dump}
        media_bytes = 0
        media_names = _storage_names(storage)
        media_dir = work / "media"
        for name in media_names:
            local = media_dir / name
            local.parent.mkdir(parents=True, exist_ok=True)
            with storage.open(name, "rb") as source, open(local, "wb") as target:
                shutil.copyfileobj(source, target, CHUNK)
            media_bytes += local.stat().st_size
            members[MEDIA_PREFIX + name] = local
        checksums = {arcname: _sha256_file(path) for arcname, path in members.items()}
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": now.isoformat(),
            "engine": _engine(connection),
            "database": dump.name,
            "migrations": _applied_migrations(connection),
            "row_counts": row_counts,
            "files": {
                arcname: {"sha256": digest, "bytes": members[arcname].stat().st_size}
                for arcname, digest in checksums.items()
            },
        }
        partial = archive_path.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
            _add_bytes(
                archive,
                CHECKSUMS,
                "".join(f"{digest}  {name}\n" for name, digest in sorted(checksums.items())),
            )
            for arcname, path in members.items():
                archive.add(path, arcname=arcname, recursive=False)
        os.chmod(partial, 0o600)
        partial.rename(archive_path)

    return BackupReport(
        path=archive_path,
        engine=manifest["engine"],
        tables=len(row_counts),
        rows=sum(row_counts.values()),
        files=len(media_names),
        media_bytes=media_bytes,
        archive_bytes=archive_path.stat().st_size,
        checksums=checksums,
    )


def _add_bytes(archive, name, text):
    data = text.encode("utf-8")
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


def read_manifest(archive_path):
    with tarfile.open(archive_path, "r:gz") as archive:
        try:
            handle = archive.extractfile(MANIFEST)
        except KeyError:
            handle = None
        if handle is None:
            raise BackupError(_("备份文件中没有 manifest.json,不是本平台的备份。"))
        return json.loads(handle.read().decode("utf-8"))


def _extract_checked(archive_path, manifest, work):
    """Extract the members named by the manifest (and nothing else) and check each checksum."""
    expected = manifest["files"]
    with tarfile.open(archive_path, "r:gz") as archive:
        for member in archive.getmembers():
            if member.name in (MANIFEST, CHECKSUMS):
                continue
            if member.name not in expected or not member.isfile():
                raise BackupError(_("备份文件含有清单之外的条目:%(name)s") % {"name": member.name})
            target = (work / member.name).resolve()
            if not target.is_relative_to(work.resolve()):
                raise BackupError(_("备份文件含有非法路径:%(name)s") % {"name": member.name})
            target.parent.mkdir(parents=True, exist_ok=True)
            source = archive.extractfile(member)
            with open(target, "wb") as handle:
                shutil.copyfileobj(source, handle, CHUNK)
    for name, meta in expected.items():
        path = work / name
        if not path.exists():
            raise BackupError(_("备份文件缺少条目:%(name)s") % {"name": name})
        if _sha256_file(path) != meta["sha256"]:
            raise BackupError(_("校验和不符,备份文件已损坏或被改动:%(name)s") % {"name": name})


def database_is_empty(connection):
    return not connection.introspection.table_names()


def storage_is_empty(storage):
    return not _storage_names(storage)


def restore_backup(*, archive_path, using="default", storage=None):
    """Bring an archive back into an empty database and an empty storage."""
    storage = storage or default_storage
    connection = connections[using]
    manifest = read_manifest(archive_path)
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(_("不支持的备份格式版本:%(v)s") % {"v": manifest.get("format")})
    if manifest["engine"] != _engine(connection):
        raise BackupError(
            _("备份来自 %(source)s,不能恢复到 %(target)s。")
            % {"source": manifest["engine"], "target": _engine(connection)}
        )
    if not database_is_empty(connection):
        raise BackupError(_("目标数据库不是空的:恢复只写入空数据库。"))
    if not storage_is_empty(storage):
        raise BackupError(_("目标文件存储不是空的:恢复只写入空的文件目录。"))

    with tempfile.TemporaryDirectory(prefix="awards-restore-") as work:
        work = Path(work)
        _extract_checked(archive_path, manifest, work)
        _load_database(connection, work / manifest["database"])
        files = 0
        for name in manifest["files"]:
            if not name.startswith(MEDIA_PREFIX):
                continue
            storage_name = name[len(MEDIA_PREFIX) :]
            with open(work / name, "rb") as handle:
                saved = storage.save(storage_name, File(handle))
            if saved != storage_name:
                raise BackupError(_("文件未能按原名恢复:%(name)s") % {"name": storage_name})
            files += 1

    row_counts = table_row_counts(connection)
    expected_counts = manifest["row_counts"]
    if row_counts != expected_counts:
        differing = sorted(
            table
            for table in set(row_counts) | set(expected_counts)
            if row_counts.get(table) != expected_counts.get(table)
        )
        raise BackupError(_("恢复后的行数与清单不符:%(tables)s") % {"tables": "、".join(differing)})
    return RestoreReport(
        engine=manifest["engine"],
        rows=sum(row_counts.values()),
        files=files,
        row_counts=row_counts,
    )


def _load_database(connection, dump):
    if _engine(connection) == "postgresql":
        connection.close()
        _run(
            [
                shutil.which("pg_restore") or "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                str(dump),
            ],
            env=_pg_environment(connection.settings_dict),
        )
        return
    connection.ensure_connection()
    source = sqlite3.connect(dump)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
