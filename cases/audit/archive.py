"""Archives of the audit trail (SECURITY.md LOG-03: retain ≥ 180 days, online or archive).

The trail is never purged: the database refuses DELETE (`cases.audit.triggers`) and the
application has no deletion path, so every row stays online for as long as the database
lives. What this module adds is an *archive copy* for the retention the law asks of the
operator (网络安全法 第21条: six months at least) beyond the database and its rotating
backups: `manage.py archive_audit --older-than-days N` (N ≥ 180) writes the rows older than
N days to a JSON Lines file, to be kept on write-once or off-site storage.

What is archived is always a contiguous stretch of the chain, `seq` after `--after-seq`
(default 0) up to the last row before the first one younger than the cutoff: so no younger
row is ever in an archive, and each archive is itself a verifiable chain. Line 1 is a
manifest (format, cutoff, first/last seq, row count, the hash the stretch starts from and
ends with); every next line is one row with all its hashed fields, `seq`, `prev_hash` and
`hash`. `manage.py verify_audit --archive FILE` recomputes every row's hash and link, and,
while the rows are still in the database, checks that the last archived hash is the one the
live chain holds at that `seq`, so an archive cannot be edited without it showing.
"""

import json
from dataclasses import dataclass
from datetime import timedelta

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..models import AuditEntry
from .chain import GENESIS, HASHED_FIELDS, row_hash

FORMAT = "awards-audit-archive/1"
MIN_RETENTION_DAYS = 180
COLUMNS = ("seq", "prev_hash", "hash", *HASHED_FIELDS)


class ArchiveError(Exception):
    pass


def archivable(*, older_than_days, after_seq=0, at=None):
    """The rows to archive, in `seq` order: after `after_seq`, up to (not including) the first
    row created at or after the cutoff."""
    if older_than_days < MIN_RETENTION_DAYS:
        raise ArchiveError(
            f"--older-than-days must be at least {MIN_RETENTION_DAYS} (SECURITY.md LOG-03)"
        )
    cutoff = (at or timezone.now()) - timedelta(days=older_than_days)
    rows = AuditEntry.objects.filter(seq__gt=after_seq).order_by("seq")
    first_young = rows.filter(created_at__gte=cutoff).values_list("seq", flat=True).first()
    if first_young is not None:
        rows = rows.filter(seq__lt=first_young)
    return cutoff, rows


def _write_line(stream, value):
    stream.write(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True))
    stream.write("\n")


def write_archive(stream, *, older_than_days, after_seq=0, at=None):
    """Write the archive to the text `stream`; returns its manifest."""
    cutoff, rows = archivable(older_than_days=older_than_days, after_seq=after_seq, at=at)
    span = rows.aggregate(first=Min("seq"), last=Max("seq"), count=Count("pk"))
    if not span["count"]:
        raise ArchiveError(
            f"no audit row older than {cutoff:%Y-%m-%d %H:%M} UTC after seq {after_seq}"
        )
    manifest = {
        "format": FORMAT,
        "written_at": timezone.now(),
        "older_than_days": older_than_days,
        "cutoff": cutoff,
        "first_seq": span["first"],
        "last_seq": span["last"],
        "rows": span["count"],
        "starts_from": AuditEntry.objects.get(seq=span["first"]).prev_hash,
        "ends_with": AuditEntry.objects.get(seq=span["last"]).hash,
    }
    _write_line(stream, manifest)
    for row in rows.values(*COLUMNS).iterator(chunk_size=2000):
        # in full (DjangoJSONEncoder keeps milliseconds only): the hash covers microseconds
        row["created_at"] = row["created_at"].isoformat()
        _write_line(stream, row)
    return manifest


@dataclass(frozen=True)
class ArchiveReport:
    rows: int
    first_seq: int
    last_seq: int
    in_database: bool  # the last row is still online and has the same hash


def verify_archive(stream):
    """Recompute an archive read from the text `stream`; raises ArchiveError on the first
    problem."""
    lines = [line for line in stream.read().splitlines() if line.strip()]
    if not lines:
        raise ArchiveError("empty archive")
    manifest = json.loads(lines[0])
    if manifest.get("format") != FORMAT:
        raise ArchiveError(f"not an audit archive (format {manifest.get('format')!r})")
    rows = [json.loads(line) for line in lines[1:]]
    if len(rows) != manifest["rows"]:
        raise ArchiveError(f"the manifest says {manifest['rows']} rows, the file has {len(rows)}")
    expected_seq = manifest["first_seq"]
    prev = manifest["starts_from"]
    if expected_seq == 1 and prev != GENESIS:
        raise ArchiveError("seq 1 does not start from the genesis hash")
    for row in rows:
        row["created_at"] = parse_datetime(row["created_at"])
        if row["seq"] != expected_seq:
            raise ArchiveError(f"seq {expected_seq} expected, seq {row['seq']} found")
        if row["prev_hash"] != prev:
            raise ArchiveError(f"seq {row['seq']}: does not follow the row before it")
        if row_hash(row, row["prev_hash"]) != row["hash"]:
            raise ArchiveError(f"seq {row['seq']}: content does not match its stored hash")
        expected_seq, prev = row["seq"] + 1, row["hash"]
    if (rows[-1]["seq"], prev) != (manifest["last_seq"], manifest["ends_with"]):
        raise ArchiveError("the last row does not match the manifest")
    online = (
        AuditEntry.objects.filter(seq=manifest["last_seq"]).values_list("hash", flat=True).first()
    )
    if online is not None and online != prev:
        raise ArchiveError(
            f"seq {manifest['last_seq']}: the archive's hash differs from the database's"
        )
    return ArchiveReport(len(rows), manifest["first_seq"], manifest["last_seq"], online is not None)
