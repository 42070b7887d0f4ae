"""The hash chain of the audit trail.

Each row's `hash` is SHA-256 over a canonical JSON serialisation of its content and the
previous row's hash (`prev_hash`); `seq` numbers the rows 1, 2, 3… without gaps. Appends
lock the one `AuditChainHead` row, so two transactions can never chain onto the same
predecessor. `verify_chain` recomputes everything and names the first row that was changed,
deleted or moved.
"""

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..bulk import insert_rows
from ..models import AuditChainHead, AuditEntry, AuditResult
from .context import client_ip, current_request, encode_controls, user_agent

GENESIS = "0" * 64
# The off-host copy (LOG-05): each row as committed, with its seq and hash, so the collector
# can tell a row changed or deleted in the database later. Silent unless shipping is on.
shipped = logging.getLogger("audit")
HASHED_FIELDS = (
    "code",
    "actor_id",
    "actor_label",
    "created_at",
    "object_type",
    "object_id",
    "object_repr",
    "result",
    "data",
    "ip",
    "user_agent",
)


# The encoders `json.dumps` would build on every call with these arguments, built once: the
# same output, without the cost of a new encoder for each of a round's 40,000 rows.
_CANONICAL = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
)
_PLAIN = DjangoJSONEncoder(allow_nan=False)


def _timestamp(value):
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(values, prev_hash, timestamp=None):
    """The bytes hashed for one row: its content (without `seq`, its position, so that a
    moved row is told apart from a changed one) and the predecessor's hash. `timestamp`:
    `_timestamp(values["created_at"])` when the caller has it already."""
    payload = {name: values[name] for name in HASHED_FIELDS}
    payload["created_at"] = timestamp or _timestamp(values["created_at"])
    payload["prev_hash"] = prev_hash
    return _CANONICAL.encode(payload).encode("utf-8")


def row_hash(values, prev_hash, timestamp=None):
    return hashlib.sha256(canonical(values, prev_hash, timestamp)).hexdigest()


_SCALARS = {str, int, bool, type(None)}


def _plain_data(data):
    # What the database gives back is what was hashed: JSON types only, NaN refused. A flat
    # dict of strings, integers, booleans and None comes back from JSON as an equal copy.
    if (
        type(data) is dict
        and all(type(key) is str for key in data)
        and set(map(type, data.values())) <= _SCALARS
    ):
        return dict(data)
    return json.loads(_PLAIN.encode(data or {}))


def _locked_head():
    head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    try:
        with transaction.atomic():
            AuditChainHead.objects.create(pk=1)
    except IntegrityError:
        pass  # created meanwhile by another transaction; the locked read below waits for it
    return AuditChainHead.objects.select_for_update().get(pk=1)


def entry_values(
    *, code, obj=None, by=None, data=None, result=AuditResult.SUCCESS, request=None, **target
):
    """The content of one row, from the object it concerns (or `object_type`/`object_id`/
    `object_repr` given directly), the acting user and the request (default: the current one)."""
    request = request if request is not None else current_request()
    actor = by if by is not None and by.is_authenticated else None
    if obj is not None:
        target = {
            "object_type": obj._meta.label_lower,
            "object_id": str(obj.pk),
            "object_repr": str(obj),
        }
    return {
        "code": code,
        "actor_id": actor.pk if actor else None,
        "actor_label": encode_controls(actor.get_username())[:255] if actor else "",
        "created_at": target.get("created_at") or timezone.now(),
        "object_type": target["object_type"],
        "object_id": str(target["object_id"])[:40],
        "object_repr": encode_controls(target.get("object_repr", ""))[:255],
        "result": AuditResult(result).value,
        "data": _plain_data(data),
        "ip": client_ip(request) if request is not None else None,
        "user_agent": user_agent(request) if request is not None else "",
    }


def entry_values_many(
    *, code, object_type, created_at, objects, by=None, result=AuditResult.SUCCESS, request=None
):
    """`entry_values` of rows that differ only in the object they concern and their data
    (a round's assignments): `objects` yields `(object_id, object_repr, data)`. The same dicts
    as one call per row, what they share worked out once."""
    shared = entry_values(
        code=code,
        by=by,
        result=result,
        request=request,
        object_type=object_type,
        object_id="",
        created_at=created_at,
    )
    return [
        {
            **shared,
            "object_id": str(object_id)[:40],
            "object_repr": encode_controls(object_repr)[:255],
            "data": _plain_data(data),
        }
        for object_id, object_repr, data in objects
    ]


def _chained(head, values_list):
    """`(seq, prev_hash, hash, values)` of each row appended after `head`."""
    seq, prev = head.seq, head.hash or GENESIS
    chained = []
    time, timestamp = None, None
    for values in values_list:
        seq += 1
        if values["created_at"] is not time:  # rows appended together often share one time
            time = values["created_at"]
            timestamp = _timestamp(time)
        digest = row_hash(values, prev, timestamp)
        chained.append((seq, prev, digest, values))
        prev = digest
    return chained


def _move_head(chained):
    seq, _prev, digest, _values = chained[-1]
    AuditChainHead.objects.filter(pk=1).update(seq=seq, hash=digest)


def append(values_list):
    """Append rows (dicts from `entry_values`) to the chain in one locked step; returns the
    saved `AuditEntry` objects."""
    # No savepoint of its own: a failed append fails the caller's transaction anyway.
    with transaction.atomic(savepoint=False):
        chained = _chained(_locked_head(), values_list)
        if not chained:
            return []
        entries = [
            AuditEntry(seq=seq, prev_hash=prev, hash=digest, **values)
            for seq, prev, digest, values in chained
        ]
        AuditEntry.objects.bulk_create(entries, batch_size=500)
        _move_head(chained)
        if shipped.isEnabledFor(logging.INFO):
            transaction.on_commit(lambda: _ship(entries))
    return entries


ROW_FIELDS = ("seq", "prev_hash", "hash", *HASHED_FIELDS)


def append_many(values_list):
    """`append` for thousands of rows at once (a round's assignments): the same rows in the
    same chain, written without a model instance per row; returns the number of rows."""
    with transaction.atomic(savepoint=False):
        chained = _chained(_locked_head(), values_list)
        if not chained:
            return 0
        insert_rows(
            AuditEntry,
            ROW_FIELDS,
            [
                (seq, prev, digest, *(values[name] for name in HASHED_FIELDS))
                for seq, prev, digest, values in chained
            ],
        )
        _move_head(chained)
        if shipped.isEnabledFor(logging.INFO):
            entries = [
                AuditEntry(seq=seq, prev_hash=prev, hash=digest, **values)
                for seq, prev, digest, values in chained
            ]
            transaction.on_commit(lambda: _ship(entries))
    return len(chained)


def _ship(entries):
    for entry in entries:
        shipped.info(
            "audit %s",
            entry.code,
            extra={
                "audit_seq": entry.seq,
                "audit_hash": entry.hash,
                "audit_prev_hash": entry.prev_hash,
                "audit_time": _timestamp(entry.created_at),
                "actor": entry.actor_label,
                "object": f"{entry.object_type}:{entry.object_id}",
                "result": entry.result,
                "ip": entry.ip or "",
            },
        )


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    entry_id: int | None
    kind: str  # changed | deleted | reordered | truncated
    detail: str

    def __str__(self):
        where = f"seq {self.seq}" + (f" (id {self.entry_id})" if self.entry_id else "")
        return f"{self.kind}: {where}: {self.detail}"


def verify_chain(*, chunk_size=2000):
    """Recompute the chain in `seq` order. Returns `(rows checked, [ChainProblem…])`, the
    first problem first; an empty list means the trail is intact."""
    problems = []
    columns = ("pk", "seq", "prev_hash", "hash", *HASHED_FIELDS)
    expected_seq, prev = 1, GENESIS
    checked = 0
    rows = AuditEntry.objects.order_by("seq").values_list(*columns)
    for row in rows.iterator(chunk_size=chunk_size):
        values = dict(zip(columns, row, strict=True))
        checked += 1
        seq, pk = values["seq"], values["pk"]
        own_hash_ok = row_hash(values, values["prev_hash"]) == values["hash"]
        if not own_hash_ok:
            problems.append(
                ChainProblem(seq, pk, "changed", "content does not match its stored hash")
            )
        elif seq != expected_seq:
            problems.append(
                ChainProblem(
                    expected_seq,
                    None,
                    "deleted",
                    f"rows {expected_seq}–{seq - 1} are missing (next present: seq {seq}, id {pk})",
                )
            )
        elif values["prev_hash"] != prev:
            problems.append(ChainProblem(seq, pk, "reordered", "does not follow the row before it"))
        expected_seq, prev = seq + 1, values["hash"]
    head = AuditChainHead.objects.filter(pk=1).first()
    last_seq = expected_seq - 1
    if head is not None and (head.seq, head.hash or GENESIS) != (last_seq, prev):
        if head.seq > last_seq:
            detail = f"the chain ends at seq {last_seq} but {head.seq} rows were written"
            problems.append(ChainProblem(last_seq + 1, None, "deleted", detail))
        else:
            detail = f"the chain head (seq {head.seq}) does not match the last row"
            problems.append(ChainProblem(last_seq, None, "truncated", detail))
    elif head is None and checked:
        problems.append(ChainProblem(1, None, "truncated", "the chain head row is missing"))
    return checked, problems
